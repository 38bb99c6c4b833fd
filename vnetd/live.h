/*
 * live.h - topology changes of an existing network (live.c; docs/design.md,
 * "Live changes"). Each returns 0, or -1 with a typed error and the
 * network as it was; the changes made are appended to `changes`, one line
 * each ("added router r5").
 */
#ifndef VNETD_LIVE_H
#define VNETD_LIVE_H

#include <jansson.h>

#include "strv.h"
#include "vnetd.h"

/* A link to add: to `peer` (for a new node), named `name` (NULL: "a-b"),
 * with the properties p of mask for both directions. */
struct live_link_req {
	const char *peer;
	const char *name;
	struct link_params p;
	uint32_t mask;
};

/* A node to add, with the links that connect it (at least one). */
struct live_node_req {
	const char *name;
	enum topo_kind kind;
	uint32_t cpu_pct;		/* 0: no limit */
	uint64_t mem_bytes;		/* 0: no limit */
	const char *config;		/* BIRD config text (routers), or NULL */
	const struct live_link_req *links;
	int nlinks;
};

int live_node_add(struct vnetd *d, struct vnet_network *n, const struct live_node_req *r,
		  struct strv *changes, struct vnet_err *err);
int live_link_add(struct vnetd *d, struct vnet_network *n, const char *a, const char *b,
		  const struct live_link_req *r, struct strv *changes, struct vnet_err *err);
int live_node_del(struct vnetd *d, struct vnet_network *n, int i, struct strv *changes,
		  struct vnet_err *err);
int live_link_del(struct vnetd *d, struct vnet_network *n, int j, struct strv *changes,
		  struct vnet_err *err);

/*
 * Change n to next, checked and planned into np (both taken over): swap it
 * in and change the kernel, for a node restored from an image (save.c):
 * the new node named node gets part ({"routes", "neighbours"}, a new
 * reference is taken; NULL: none) installed before its BIRD starts, with -R
 * when bird_gr. -1 with err when a kernel step failed (the old spec is
 * back).
 */
int live_apply_restore(struct vnetd *d, struct vnet_network *n, struct topo_net *next,
		       struct plan *np, const char *node, json_t *part, int bird_gr,
		       struct vnet_err *err);

/*
 * `vnet up` with networks that exist: live_up_prepare() takes them out of t
 * and computes each one's change (everything is checked first: a refused
 * change fails with nothing done). live_up_apply() applies them and
 * answers, per existing network of the file, what changed (no lines: it is
 * unchanged); it frees lu. live_up_free() drops a prepared change unapplied.
 */
struct live_up;
struct live_changed {
	char net[VNET_NAME_MAX];
	struct strv changes;
};

int live_up_prepare(struct vnetd *d, struct topo *t, struct live_up **lu,
		    struct vnet_err *err);
int live_up_apply(struct vnetd *d, struct live_up *lu, struct live_changed **out, int *nout,
		  struct vnet_err *err);
void live_up_free(struct live_up *lu);
void live_changed_free(struct live_changed *c, int n);

#endif
