/*
 * vnetd.h - the daemon's state: one struct vnetd passed explicitly to every
 * module, holding the virtual networks and their run-time objects. This
 * header holds the data model only; each module declares its functions in
 * its own header (net.h, node.h, link.h, ...), and the layers call
 * downwards (docs/design.md, "Source layout"):
 *
 *   api.c  capture.c                     HTTP + JSON, streaming
 *   job.c                                long work off the event loop
 *   verbs.c                              the domain verbs, typed errors
 *   live.c  save.c                       topology changes, images
 *   net.c                                whole networks, the store record
 *   node.c  link.c  profile.c  trace.c   one node, one link
 *   backend_container.c  engine.c        how nodes and links are made
 *   container.c cgroup.c nl.c tables.c   the kernel
 *   store.c  event.c  watch.c            state, events, processes
 *
 * Ownership: vnetd owns the networks; a network owns its spec (the validated
 * topology of that network, swapped only when a change is valid), its plan,
 * and the run-time state of each node and link (arrays parallel to the
 * spec's nodes and links).
 *
 * Node states (the enum comes from NODE_STATES):
 *
 *     STOPPED --node_start()--> RUNNING --node_stop()--> STOPPED
 *
 * A RUNNING node has an instance of its backend (backend.h: for a
 * container, an init process, namespaces and a cgroup), its ports attached
 * to the engine and, for routers with a protocol, a supervised BIRD
 * (restarted when it dies; each restart is an event).
 */
#ifndef VNETD_H
#define VNETD_H

#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "linkparams.h"
#include "plan.h"
#include "sys.h"
#include "topo.h"
#include "vnet.h"

struct store;
struct engine;
struct api;
struct job;
struct jobs;
struct node_inst;
struct node_class;

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

struct node_rt {
	enum node_state state;
	int paused;			/* RUNNING but frozen */
	const struct node_class *cls;	/* its backend */
	struct node_inst *inst;		/* the backend's instance while RUNNING */
	char host[VNET_NAME_MAX];	/* the physical host it runs on */
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

/* Most hosts on the physical path of one link. */
#define VNET_PATH_MAX 8

struct link_rt {
	uint64_t id;			/* engine link id */
	int created;			/* exists in the engine */
	int attached[2];		/* side has a port in the engine */
	int port_fd[2];			/* while attached: vnetd's copy of the port's
					 * fd (-1: none), so that the device outlives
					 * an engine that dies */
	struct profile_rt prof;		/* profile.c; all zero = OFF */
	char trace[2][256];		/* trace.c: trace file per direction, "" none */
	/* the physical hosts it crosses, from side 0's to side 1's */
	char path[VNET_PATH_MAX][VNET_NAME_MAX];
	int npath;
};

struct vnet_network {
	struct topo_net spec;
	struct plan *plan;
	char *file;			/* topology file it came from */
	struct node_rt *nodes;		/* parallel to spec.nodes */
	struct link_rt *links;		/* parallel to spec.links */
	json_t *adopt;			/* stored run-time state, until adopted */
	int dirty;			/* its store record is behind: net_save_dirty() */
	struct vnet_network *next;
};

struct vnetd {
	const char *socket_path;
	const char *state_dir;
	const char *run_dir;
	const char *prefix;
	const char *host;		/* this physical host's name */
	const char *engine_bin;
	const char *self_exe;
	int epfd;
	int sigfd;
	struct store *store;
	struct engine *engine;
	struct api *api;
	struct jobs *jobs;		/* job.c: requests being served */
	struct vnet_network *nets;
	uint64_t next_link_id;
	int quit;
	int engine_adopted;		/* the engine was found running at start-up */
	struct pidwatch *watches;	/* watch.c: processes that are not our children */
	struct capture *captures;	/* capture.c: link captures being streamed */
};

#endif
