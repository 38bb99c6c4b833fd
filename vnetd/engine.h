/*
 * engine.h - vnetd's side of vnet-engine: starts the engine process (in the
 * daemon's cgroup <prefix>/engine), talks to it over its control socket
 * (lib/engine_proto.h) and restarts it if it dies, replaying every link.
 */
#ifndef VNETD_ENGINE_H
#define VNETD_ENGINE_H

#include <sys/types.h>

#include "engine_proto.h"
#include "vnetd.h"

struct engine *engine_start(struct vnetd *d, struct vnet_err *err);
/* Shut the engine down (ENG_SHUTDOWN, then SIGKILL) and free. NULL ok. */
void engine_stop(struct engine *e);
/* One request/reply; fd_to_pass >= 0 travels as SCM_RIGHTS. Returns the
 * reply status (0 or -errno). */
int engine_call(struct engine *e, struct eng_req *req, int fd_to_pass,
		struct eng_reply *rep);
pid_t engine_pid(const struct engine *e);
/* A child exited: if it was the engine, restart it and replay the links.
 * Returns 1 when it was the engine. */
int engine_child_exited(struct vnetd *d, pid_t pid, int status);

#endif
