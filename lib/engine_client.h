/*
 * engine_client.h - a small synchronous client of vnet-engine's control
 * socket (protocol in engine_proto.h), used by vnetd and by the test tools.
 * One request, one reply; a call waits at most ENGC_TIMEOUT_MS.
 */
#ifndef VNET_ENGINE_CLIENT_H
#define VNET_ENGINE_CLIENT_H

#include "engine_proto.h"

#define ENGC_TIMEOUT_MS 5000

/* Connect to the engine listening on path. Returns the fd or -errno. */
int engc_connect(const char *path);
/*
 * Send req (its version and seq are filled in here), with fd_to_pass as
 * SCM_RIGHTS when >= 0 (the caller keeps its own copy), and wait for the
 * matching reply into rep. Returns rep->status (0 or -errno from the engine),
 * or -errno when the exchange itself failed (-ETIMEDOUT, -ECONNRESET,
 * -EPROTO for a reply of the wrong size or version).
 */
int engc_call(int fd, struct eng_req *req, int fd_to_pass, struct eng_reply *rep);

#endif
