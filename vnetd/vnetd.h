/*
 * vnetd.h - the daemon's state: one struct vnetd passed explicitly to every
 * module, holding the virtual networks and their run-time objects.
 *
 * Ownership: vnetd owns the networks; a network owns its spec (the validated
 * topology of that network, swapped only when a change is valid), its plan,
 * and the run-time state of each node and link (arrays parallel to the
 * spec's nodes and links).
 *
 * Node states (the enum comes from NODE_STATES):
 *
 *     STOPPED --router_start()--> RUNNING --router_stop()--> STOPPED
 *
 * A RUNNING node has an init process, a network namespace, a cgroup, its
 * TAP ports attached to the engine and, for routers with a protocol, a
 * supervised BIRD (restarted when it dies; each restart is an event).
 */
#ifndef VNETD_H
#define VNETD_H

#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "cgroup.h"
#include "linkparams.h"
#include "plan.h"
#include "progress.h"
#include "topo.h"
#include "vnet.h"

struct store;
struct engine;
struct api;

#define NODE_STATES(X) \
	X(STOPPED, "stopped") \
	X(RUNNING, "running")

enum node_state {
#define X(e, s) NODE_##e,
	NODE_STATES(X)
#undef X
};

#define BIRD_STATES(X) \
	X(NONE, "none") \
	X(RUNNING, "running") \
	X(RESTARTING, "restarting") \
	X(STOPPED, "stopped") \
	X(FAILED, "failed")

enum bird_state {
#define X(e, s) BIRD_##e,
	BIRD_STATES(X)
#undef X
};

const char *node_state_name(enum node_state s);
const char *bird_state_name(enum bird_state s);

struct node_rt {
	enum node_state state;
	int paused;			/* RUNNING but frozen (cgroup freezer) */
	pid_t init_pid;
	int netns_fd;
	struct cgroup *cg;
	enum bird_state bird;
	pid_t bird_pid;
	unsigned bird_restarts;
	int64_t bird_restart_at;	/* monotonic ms of a pending restart, 0 none */
	int64_t bird_started_at;	/* monotonic ms */
	char dir[256];			/* <state>/nodes/<net>/<node> */
	json_t *restore;		/* save.c: image part to apply at start, or NULL */
	json_t *restore_neigh;		/* save.c: its neighbours, installed once the
					 * network is started; NULL none */
	int bird_gr;			/* next BIRD start: -R (graceful restart recovery) */
};

/*
 * The clock of a link's profile (profile.c):
 *
 *     OFF --network start, "on"--> RUNNING --last step, no repeat--> DONE
 *      ^                              |                               |
 *      +------ "off", network stopped +-------------------------------+
 */
#define PROFILE_STATES(X) \
	X(OFF, "off") \
	X(RUNNING, "running") \
	X(DONE, "done")

enum profile_state {
#define X(e, s) PROFILE_##e,
	PROFILE_STATES(X)
#undef X
};

struct profile_rt {
	enum profile_state state;
	int step;			/* index of the step in force; -1 none yet */
	uint64_t cycle;			/* current period, from 0 */
	int64_t start_ns;		/* CLOCK_MONOTONIC of at=0 of cycle 0 */
	int64_t next_ns;		/* when the next step is due (RUNNING) */
};

struct link_rt {
	uint64_t id;			/* engine link id */
	int created;			/* exists in the engine */
	int attached[2];		/* side has a port in the engine */
	struct profile_rt prof;		/* profile.c; all zero = OFF */
	char trace[2][256];		/* trace.c: trace file per direction, "" none */
};

struct vnet_network {
	struct topo_net spec;
	struct plan *plan;
	char *file;			/* topology file it came from */
	struct node_rt *nodes;		/* parallel to spec.nodes */
	struct link_rt *links;		/* parallel to spec.links */
	json_t *adopt;			/* stored run-time state, until adopted */
	struct vnet_network *next;
};

struct vnetd {
	const char *socket_path;
	const char *state_dir;
	const char *run_dir;
	const char *prefix;
	const char *engine_bin;
	const char *self_exe;
	int epfd;
	int sigfd;
	struct store *store;
	struct engine *engine;
	struct api *api;
	struct vnet_network *nets;
	uint64_t next_link_id;
	int quit;
	int engine_adopted;		/* the engine was found running at start-up */
	struct pidwatch *watches;	/* processes that are not our children */
	struct capture *captures;	/* capture.c: link captures being streamed */
	struct progress progress;	/* of the request being served */
};

int64_t now_ms(void);

/* net.c: whole networks. */
struct vnet_network *net_find(struct vnetd *d, const char *name);
/* Create and start every network of a topology; all or nothing. */
int net_up(struct vnetd *d, struct topo *t, char ***created, int *ncreated,
	   struct vnet_err *err);
int net_start(struct vnetd *d, struct vnet_network *n, struct vnet_err *err);
int net_stop(struct vnetd *d, struct vnet_network *n);
/* Freeze / thaw every node together (all or nothing). */
int net_pause(struct vnetd *d, struct vnet_network *n, int pause, struct vnet_err *err);
/* Stop and forget a network (and its stored record when forget=1). */
int net_destroy(struct vnetd *d, struct vnet_network *n, int forget);
/* Load stored networks (stopped) at start-up. */
int net_load_all(struct vnetd *d, struct vnet_err *err);
int net_save_record(struct vnetd *d, struct vnet_network *n);
const char *net_state_name(const struct vnet_network *n);

/* Resolve "net/name" or a unique bare "name" (node or link). Returns 0, or
 * -ENOENT / -EEXIST (ambiguous) with err filled. */
int net_resolve_node(struct vnetd *d, const char *ref, struct vnet_network **n,
		     int *idx, struct vnet_err *err);
int net_resolve_link(struct vnetd *d, const char *ref, struct vnet_network **n,
		     int *idx, struct vnet_err *err);

/* router.c: one node (router or host). */
int router_start(struct vnetd *d, struct vnet_network *n, int i, struct vnet_err *err);
int router_stop(struct vnetd *d, struct vnet_network *n, int i);
int router_set(struct vnetd *d, struct vnet_network *n, int i, const char *key,
	       const char *value, struct vnet_err *err);
/* Freeze / thaw every process of a running node (BIRD included); its links
 * and their queued frames stay as they are. */
int router_pause(struct vnetd *d, struct vnet_network *n, int i, int pause,
		 struct vnet_err *err);
/* "running", "paused" or "stopped". */
const char *router_state_name(const struct node_rt *nr);
/* The running nodes after a live change of their network (live.c), but
 * those with skip[i] set: rewrite each one's /etc/hosts in place and, for a
 * router whose bird.conf changed, that file, then `birdc configure` (BIRD
 * keeps its adjacencies). */
int router_refresh_all(struct vnet_network *n, const char *skip, struct vnet_err *err);
/* Run `birdc CMD [ARG]` inside running node i, its output in the node's
 * birdc.out (path in out), waiting up to timeout_ms: birdc's exit status, or
 * -1 with err (spawn failed, timed out). Refused while the node is paused:
 * birdc would join the frozen cgroup and freeze with it, and vnetd with its
 * wait. */
int router_birdc(struct vnet_network *n, int i, const char *cmd, const char *arg,
		 int timeout_ms, char *out, size_t outlen, struct vnet_err *err);
/* A child exited: is it one of our BIRDs? Schedules a restart. */
int router_child_exited(struct vnetd *d, pid_t pid, int status);
/* Run pending BIRD restarts; returns ms until the next one or -1. */
int router_tick(struct vnetd *d);

/* link.c: virtual links through the engine. */
int link_create(struct vnetd *d, struct vnet_network *n, int i, struct vnet_err *err);
void link_destroy(struct vnetd *d, struct vnet_network *n, int i);
int link_attach(struct vnetd *d, struct vnet_network *n, int i, int side,
		struct vnet_err *err);
void link_detach(struct vnetd *d, struct vnet_network *n, int i, int side);
int link_set_state(struct vnetd *d, struct vnet_network *n, int i, int up,
		   struct vnet_err *err);
/* Partial change: mask of LINKP_BIT()s, dirmask bit 0 forward, bit 1 reverse. */
int link_change(struct vnetd *d, struct vnet_network *n, int i,
		const struct link_params *p, uint32_t mask, int dirmask,
		struct vnet_err *err);
/* Set the properties in mask of the directions in dirmask to next[dir]'s, in
 * the engine, the nodes (mtu) and the spec; the caller saves the record. */
int link_set_params(struct vnetd *d, struct vnet_network *n, int i,
		    const struct link_params next[2], uint32_t mask, int dirmask,
		    struct vnet_err *err);
/* Re-create every link and port in a fresh engine. */
int link_replay_all(struct vnetd *d);

/* profile.c: links that follow a profile of timed steps. */
const char *profile_state_name(enum profile_state s);
/* Start the profile of every link of n that has one (net_start). */
void profile_start(struct vnetd *d, struct vnet_network *n);
/* "on": start link i's profile again from its first step; "off": stop it
 * (the link keeps its properties). -EINVAL with err when v is neither or
 * the link has no profile; nothing is changed then. */
int profile_set(struct vnetd *d, struct vnet_network *n, int i, const char *v,
		struct vnet_err *err);
/* Apply the steps that are due; returns ms until the next one or -1. */
int profile_tick(struct vnetd *d);
/* {"state", "step", "steps", "next_in_ms", ...} of link i, NULL when it has
 * no profile (the API's link object). */
json_t *profile_json(const struct vnet_network *n, int i);
/* The clock as kept in the store's run-time record, and back (adopt.c). */
json_t *profile_runtime_json(const struct vnet_network *n, int i);
void profile_adopt(struct vnet_network *n, int i, const json_t *rt);

/* adopt.c: take over what a previous vnetd of this prefix left running
 * (containers, BIRDs, engine links). Returns the number of nodes adopted. */
int vnetd_adopt(struct vnetd *d);
/* Is pid the container init of net/node of this daemon? */
int vnetd_is_our_init(struct vnetd *d, pid_t pid, const char *net, const char *node);

/* main.c: watch a process that is not our child (pidfd in the loop); its
 * exit is reported like a child's, with status -1. */
int vnetd_watch_pid(struct vnetd *d, pid_t pid);

/* events: kept in the store, also logged. */
void vnetd_event(struct vnetd *d, const char *net, const char *node,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* net.c: a stopped network from a validated spec (taken over), linked in
 * and recorded; not started. -EEXIST when the name is taken. */
int net_create_from_spec(struct vnetd *d, struct topo_net *spec, const char *file,
			 struct vnet_network **out, struct vnet_err *err);

/* save.c: network images (save, restore, copy; docs/design.md). */
/* The API calls POST networks/NET/save, networks/NET/copy and
 * networks/restore: op is "save", "copy" or "restore", net NULL for
 * restore. Returns the HTTP status and sets *out. */
int save_api(struct vnetd *d, const char *op, const char *net, const json_t *body,
	     json_t **out);
/* save.c: router images. POST nodes/restore (ref NULL), nodes/REF/save,
 * nodes/REF/copy: op is "save", "copy" or "restore". HTTP status, *out. */
int router_image_api(struct vnetd *d, const char *op, const char *ref, const json_t *body,
		     json_t **out);
/* router_start(): install node i's routes from its image part
 * (n->nodes[i].restore, freed here) before BIRD starts; its neighbours go
 * to n->nodes[i].restore_neigh, installed when the whole network is up. */
void restore_apply(struct vnetd *d, struct vnet_network *n, int i);

#endif
