/*
 * engine.h - vnetd's side of vnet-engine: starts the engine process (in the
 * daemon's cgroup <prefix>/engine), talks to it over its control socket
 * (lib/engine_proto.h) with one typed call per request, and restarts it if
 * it dies (the caller then replays every link: link_replay_all()).
 *
 * Every call returns 0 or -errno: the engine's answer, or -ENOTCONN when
 * there is no engine, -ETIMEDOUT, -EPROTO when the exchange failed.
 */
#ifndef VNETD_ENGINE_H
#define VNETD_ENGINE_H

#include <sys/types.h>

#include "engine_client.h"
#include "engine_proto.h"
#include "vnetd.h"

struct node_port;

struct engine *engine_start(struct vnetd *d, struct vnet_err *err);
/* Shut the engine down (ENG_SHUTDOWN, then SIGKILL) and free. NULL ok. */
void engine_stop(struct engine *e);
pid_t engine_pid(const struct engine *e);
/* A child (or watched process) exited: if it was the engine, start a new
 * one. 0: it was not the engine; 1: a new engine runs, empty (replay the
 * links); -1: the engine could not be restarted (an event says why). */
int engine_child_exited(struct vnetd *d, pid_t pid, int status);

int engine_link_add(struct engine *e, uint64_t id, const char *name,
		    const struct link_params p[2], int up);
int engine_link_del(struct engine *e, uint64_t id);
/* Attach port to side (0 or 1) of link id; port->fd stays the caller's.
 * flags: ENG_PORT_F_*. */
int engine_port_attach(struct engine *e, uint64_t id, int side, const struct node_port *port,
		       uint32_t flags);
/* A copy of the fd of the port of side (the caller's to close). */
int engine_port_get(struct engine *e, uint64_t id, int side, int *fd);
/* Does the engine answer within timeout_ms? If not it is killed (its end
 * is reported as usual and it is started again) and an event says so;
 * 0 or -1. */
int engine_check(struct vnetd *d, int timeout_ms);
int engine_port_detach(struct engine *e, uint64_t id, int side);
/* Set the fields in mask (LINKP_BIT()s) of the directions in dirmask. */
int engine_link_set(struct engine *e, uint64_t id, int dirmask, uint32_t mask,
		    const struct link_params p[2]);
int engine_link_state(struct engine *e, uint64_t id, int up);
/* Counters, attachment and up state of link id. */
int engine_link_stats(struct engine *e, uint64_t id, struct engc_stats *st);
/* The ids of every link (*ids malloc'ed; NULL when *n is 0). */
int engine_link_list(struct engine *e, uint64_t **ids, size_t *n);
/* The directions in dirmask follow the delivery opportunities ms[0..n)
 * (NULL: back to the token bucket). */
int engine_link_trace(struct engine *e, uint64_t id, int dirmask, const uint32_t *ms, size_t n);
/* pcapng of what the directions in dirmask deliver into pipefd, count frames
 * (0: until stopped); label names direction 0 ("r1>r2"). st: counters. */
int engine_capture_start(struct engine *e, uint64_t id, int dirmask, uint32_t count,
			 const char *label, int pipefd, struct engc_stats *st);
int engine_capture_stop(struct engine *e, uint64_t id, struct engc_stats *st);

#endif
