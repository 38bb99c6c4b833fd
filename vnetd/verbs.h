/*
 * verbs.h - the domain verbs: everything a user can ask vnetd to do, with C
 * arguments and a typed error (struct vnet_err, its class says what kind
 * of failure it is). The HTTP API (api.c) only translates JSON to these
 * calls and their results back; a job runner, a cluster controller or a
 * web view call the same functions without HTTP.
 *
 * Every verb checks its whole request before it changes anything: a
 * refused request leaves every network as it was. Networks and nodes are
 * named as a user names them ("red", "red/r1" or a unique bare "r1").
 *
 * A verb may take seconds (it starts nodes); run inside a job (job.h) it
 * gives the loop back between steps. The caller must hold the job locks
 * of the networks the verb changes (verb_locks() tells which).
 */
#ifndef VNETD_VERBS_H
#define VNETD_VERBS_H

#include "live.h"
#include "save.h"
#include "strv.h"
#include "vnetd.h"

struct topo;

/* ---- networks ------------------------------------------------------------ */

struct up_result {
	struct strv created;		/* networks made, in file order */
	struct live_changed *changed;	/* networks that existed: their changes */
	int nchanged;
	struct strv checked;		/* dry run: every network, checked and planned */
};

/* Bring up every network of a parsed topology t (taken over and freed):
 * new networks are made and started (all or nothing), existing ones get
 * the difference (docs/design.md, "Live changes"). dry_run checks and
 * plans only. */
int verb_up(struct vnetd *d, struct topo *t, int dry_run, struct up_result *res,
	    struct vnet_err *err);
void up_result_clear(struct up_result *res);
/* Stop a network and forget it. */
int verb_down(struct vnetd *d, const char *net, struct vnet_err *err);
int verb_net_start(struct vnetd *d, const char *net, struct vnet_err *err);
int verb_net_stop(struct vnetd *d, const char *net, struct vnet_err *err);
int verb_net_pause(struct vnetd *d, const char *net, int pause, struct vnet_err *err);

/* ---- nodes --------------------------------------------------------------- */

int verb_node_start(struct vnetd *d, const char *ref, struct vnet_err *err);
int verb_node_stop(struct vnetd *d, const char *ref, struct vnet_err *err);
int verb_node_pause(struct vnetd *d, const char *ref, int pause, struct vnet_err *err);

/* Resources of a node, changed while it runs. */
struct node_set {
	int cpu_set;			/* cpu_pct is given (0: no limit) */
	uint32_t cpu_pct;
	int mem_set;
	uint64_t mem_bytes;
};
int verb_node_set(struct vnetd *d, const char *ref, const struct node_set *s,
		  struct vnet_err *err);
int verb_node_add(struct vnetd *d, const char *net, const struct live_node_req *r,
		  struct strv *changes, struct vnet_err *err);
int verb_node_del(struct vnetd *d, const char *ref, struct strv *changes,
		  struct vnet_err *err);

/* ---- links --------------------------------------------------------------- */

/* A change of a link: properties (p's fields in mask), a trace file
 * ("/path" or "none"), its profile ("on" or "off"), in the direction dir
 * ("r1>r2", "forward", "reverse"; NULL both). Any of them may be absent. */
struct link_set {
	struct link_params p;
	uint32_t mask;
	const char *trace;
	const char *profile;
	const char *dir;
};
int verb_link_set(struct vnetd *d, const char *ref, const struct link_set *s,
		  struct vnet_err *err);
int verb_link_state(struct vnetd *d, const char *ref, int up, struct vnet_err *err);
int verb_link_add(struct vnetd *d, const char *net, const char *a, const char *b,
		  const struct live_link_req *r, struct strv *changes, struct vnet_err *err);
int verb_link_del(struct vnetd *d, const char *ref, struct strv *changes,
		  struct vnet_err *err);
/* The directions a dir string names in link ref: 1, 2, or 3 (NULL). */
int verb_link_dir(struct vnetd *d, const char *ref, const char *dir, int *dirmask,
		  struct vnet_err *err);

/* ---- images -------------------------------------------------------------- */

int verb_net_save(struct vnetd *d, const char *net, const char *path, struct save_result *res,
		  struct vnet_err *err);
int verb_net_restore(struct vnetd *d, const char *path, const char *as,
		     struct restore_result *res, struct vnet_err *err);
int verb_net_copy(struct vnetd *d, const char *net, const char *as, const char *prefix,
		  struct restore_result *res, struct vnet_err *err);
int verb_node_save(struct vnetd *d, const char *ref, const char *path,
		   struct save_result *res, struct vnet_err *err);
int verb_node_restore(struct vnetd *d, const char *path, const char *as,
		      struct restore_result *res, struct vnet_err *err);
int verb_node_copy(struct vnetd *d, const char *ref, const char *as,
		   struct restore_result *res, struct vnet_err *err);

/* ---- locks --------------------------------------------------------------- */

/* The network a node or link reference is in, into net (NULL-safe when
 * it names none: then net is ""). */
void verb_ref_net(struct vnetd *d, const char *ref, int is_node, char *net, size_t len);

#endif
