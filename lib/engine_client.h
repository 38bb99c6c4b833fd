/*
 * engine_client.h - a small synchronous client of vnet-engine's control
 * socket (protocol in engine_proto.h), used by vnetd and by the test tools.
 * One request, one reply; a call waits at most ENGC_TIMEOUT_MS.
 *
 * Each request has its function, which builds the request, so that no
 * caller fills a struct eng_req by hand; engc_call stays for what they do
 * not cover. Every call takes the connection fd (fd < 0: -ENOTCONN, so a
 * caller whose engine is gone needs no test of its own) and returns 0 or a
 * negative errno: the engine's answer (-ENOENT: no such link, -EOPNOTSUPP:
 * an engine that does not know the request or the port kind, ...) or the
 * exchange's own failure (-ETIMEDOUT, -ECONNRESET, -EPROTO). Outputs are
 * written only on success.
 */
#ifndef VNET_ENGINE_CLIENT_H
#define VNET_ENGINE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine_proto.h"

#define ENGC_TIMEOUT_MS 5000

/* What LINK_STATS, CAPTURE_START and CAPTURE_STOP tell about a link. */
struct engc_stats {
	struct eng_dir_stats dir[2];	/* direction 0: side 0 -> side 1 */
	uint64_t capture_frames[2];	/* written to a capture pipe */
	uint64_t capture_dropped[2];	/* delivered but not captured: pipe full */
	uint32_t trace_len[2];		/* opportunities of the trace, 0: none */
	uint8_t capture_dirmask;	/* directions being captured now */
	bool up;
	bool attached[2];		/* side 0/1 has a working port */
};

/* Connect to the engine listening on path. Returns the fd or -errno. */
int engc_connect(const char *path);
/*
 * Send req (its version and seq are filled in here), with fd_to_pass as
 * SCM_RIGHTS when >= 0 (the caller keeps its own copy), and wait for the
 * matching reply into rep. Returns rep->status (0 or -errno from the engine),
 * or -errno when the exchange itself failed (-ENOTCONN for fd < 0,
 * -ETIMEDOUT, -ECONNRESET, -EPROTO for a reply of the wrong size or
 * version).
 */
int engc_call(int fd, struct eng_req *req, int fd_to_pass, struct eng_reply *rep);
/* The same, waiting at most timeout_ms, and with the descriptor a reply
 * carries (PORT_GET) in *fd_in (NULL: none wanted; -1 when none came). */
int engc_call_full(int fd, struct eng_req *req, int fd_to_pass, struct eng_reply *rep,
		   int *fd_in, int timeout_ms);

/* HELLO: the engine's pid and number of links (either may be NULL). */
int engc_hello(int fd, int32_t *pid, uint32_t *nlinks);
/* LINK_ADD: link id with p[d] for direction d, administratively up or
 * down. name is for the engine's log ("red/r1-r2"), cut at 63 bytes. */
int engc_link_add(int fd, uint64_t id, const char *name, const struct link_params p[2],
		  bool up);
/* LINK_DEL: remove link id and close its ports. */
int engc_link_del(int fd, uint64_t id);
/*
 * PORT_ATTACH: the port desc describes (NULL: a TAP) becomes side 0 or 1
 * of link id, replacing the port there. port_fd (-1: none) travels with
 * the request; the engine keeps its own copy, the caller's stays open.
 */
int engc_port_attach(int fd, uint64_t id, int side, const struct eng_port *desc,
		     int port_fd);
/* PORT_DETACH: close the port of side; the other side sees NO-CARRIER. */
int engc_port_detach(int fd, uint64_t id, int side);
/* LINK_SET: the fields in mask (LINKP_BIT()s) of p[d], in each direction
 * d whose bit is set in dirmask; p[d] of another direction is not read. */
int engc_link_set(int fd, uint64_t id, uint8_t dirmask, uint32_t mask,
		  const struct link_params p[2]);
/* LINK_STATE: administratively up or down. */
int engc_link_state(int fd, uint64_t id, bool up);
int engc_link_stats(int fd, uint64_t id, struct engc_stats *st);
/* LINK_LIST: the ids of every link, in increasing order, in *ids (malloc'd,
 * the caller frees it; NULL when *n is 0). */
int engc_link_list(int fd, uint64_t **ids, size_t *n);
/*
 * CAPTURE_START: pcapng of what the directions of dirmask deliver, count
 * frames (0: until CAPTURE_STOP), written into pipe_fd (the write end of a
 * pipe; the caller closes its copy after the call so that it sees EOF when
 * the capture ends). label names direction 0 ("r1>r2"). *st (may be NULL):
 * the counters the capture starts from.
 */
int engc_capture_start(int fd, uint64_t id, uint8_t dirmask, uint32_t count,
		       const char *label, int pipe_fd, struct engc_stats *st);
/* CAPTURE_STOP: end the capture of link id. *st (may be NULL): the
 * counters it ends with. */
int engc_capture_stop(int fd, uint64_t id, struct engc_stats *st);
/*
 * LINK_TRACE: the directions of dirmask follow the delivery opportunities
 * ms[0..n) (milliseconds, mahimahi's trace), handed over in a sealed memfd
 * made here; ms NULL: back to the token bucket.
 */
int engc_link_trace(int fd, uint64_t id, uint8_t dirmask, const uint32_t *ms, size_t n);
/* SHUTDOWN: the engine closes every port and exits 0. */
int engc_shutdown(int fd);
/* HELLO within timeout_ms: is the engine answering? 0, -ETIMEDOUT... */
int engc_ping(int fd, int timeout_ms);
/* PORT_GET: a copy of the fd of the port of side into *port_fd (the
 * caller's to close). */
int engc_port_get(int fd, uint64_t id, int side, int *port_fd);

#endif
