/*
 * node.h - the life of one node, a router or a host (node.c): its files,
 * its backend instance (backend.h), its ports on the links it ends and,
 * for routers, the supervised BIRD.
 *
 *     STOPPED --node_start()--> RUNNING --node_stop()--> STOPPED
 *                                 ^  |
 *               node_pause(0) ----+  +---- node_pause(1): RUNNING, paused
 */
#ifndef VNETD_NODE_H
#define VNETD_NODE_H

#include <stddef.h>
#include <sys/types.h>

#include "vnetd.h"

const char *node_state_name(enum node_state s);
const char *bird_state_name(enum bird_state s);
/* "running", "paused" or "stopped". */
const char *node_state_str(const struct node_rt *nr);

/* Start node i of n (its links must exist in the engine): undoes every
 * step made when a later one fails. -1 with err. */
int node_start(struct vnetd *d, struct vnet_network *n, int i, struct vnet_err *err);
/* Stop node i (nothing when it is stopped); its links stay, carrier off. */
void node_stop(struct vnetd *d, struct vnet_network *n, int i);
/* Tell node i's BIRD to stop, without waiting (a whole network's BIRDs
 * then exit together). */
void node_stop_soon(struct vnet_network *n, int i);
/* Freeze / thaw every process of a running node (BIRD included); its links
 * and their queued frames stay as they are. CONFLICT when it is stopped,
 * or already in that state. */
int node_pause(struct vnetd *d, struct vnet_network *n, int i, int pause,
	       struct vnet_err *err);
/* Apply the spec's cpu and memory of node i to it, if it runs. */
int node_limits(struct vnet_network *n, int i, struct vnet_err *err);
/* The running nodes after a live change of their network (live.c), but
 * those with skip[i] set: rewrite each one's /etc/hosts in place and, for a
 * router whose bird.conf changed, that file, then `birdc configure` (BIRD
 * keeps its adjacencies). */
int node_refresh_all(struct vnet_network *n, const char *skip, struct vnet_err *err);
/* Run `birdc CMD [ARG]` inside running node i, its output in the node's
 * birdc.out (path in out), waiting up to timeout_ms: birdc's exit status, or
 * -1 with err (spawn failed, timed out). Refused while the node is paused:
 * birdc would join the frozen node and freeze with it. */
int node_birdc(struct vnet_network *n, int i, const char *cmd, const char *arg,
	       int timeout_ms, char *out, size_t outlen, struct vnet_err *err);
/* A process ended (a child, or a watched one with status -1): is it one of
 * our BIRDs (restart scheduled) or a node's own process (the node is
 * stopped)? 1 when it was ours. */
int node_child_exited(struct vnetd *d, pid_t pid, int status);
/* Run pending BIRD restarts; returns ms until the next one or -1. */
int node_tick(struct vnetd *d);

/* What a running node's record in the store holds (for adoption), and the
 * adoption of node i from it: 1 adopted, 0 not (its remains removed). */
json_t *node_runtime_json(const struct vnet_network *n, int i);
int node_adopt(struct vnetd *d, struct vnet_network *n, int i, const json_t *rt);
/* Does the node recorded in rt still run (adopt.c, before anything)? */
int node_probe(struct vnetd *d, struct vnet_network *n, int i, const json_t *rt);

#endif
