/*
 * live.h - topology changes of an existing network (live.c; docs/design.md,
 * "Live changes").
 */
#ifndef VNETD_LIVE_H
#define VNETD_LIVE_H

#include <jansson.h>

#include "vnetd.h"

/*
 * Change n to next, checked and planned into np (both taken over): swap it
 * in and change the kernel (docs/design.md, "Live changes"), for a node
 * restored from an image (save.c): the new node named node gets part
 * ({"routes", "neighbours"}, a new reference is taken; NULL: none)
 * installed before its BIRD starts, with -R when bird_gr. -EIO with err
 * when a kernel step failed (the old spec is back), 0 on success.
 */
int live_apply_restore(struct vnetd *d, struct vnet_network *n, struct topo_net *next,
		       struct plan *np, const char *node, json_t *part, int bird_gr,
		       struct vnet_err *err);
/* The API calls (HTTP status, *out): POST networks/NET/nodes,
 * POST networks/NET/links, DELETE nodes/NET/NAME, DELETE links/NET/NAME. */
int live_node_add(struct vnetd *d, struct vnet_network *n, const json_t *body, json_t **out);
int live_link_add(struct vnetd *d, struct vnet_network *n, const json_t *body, json_t **out);
int live_node_del(struct vnetd *d, struct vnet_network *n, int i, json_t **out);
int live_link_del(struct vnetd *d, struct vnet_network *n, int j, json_t **out);
/* POST networks with networks that exist: live_up_prepare() takes them out
 * of t and computes each one's change (everything is checked first: a
 * refused change is -EINVAL with err, nothing done). live_up_apply()
 * applies them, adds {"NET": ["added router r5", ...]} to changed ([] for
 * a network the file leaves as it is) and frees lu; 0 or -1 with err.
 * live_up_free() drops a prepared change unapplied. */
struct live_up;
int live_up_prepare(struct vnetd *d, struct topo *t, struct live_up **lu,
		    struct vnet_err *err);
int live_up_apply(struct vnetd *d, struct live_up *lu, json_t *changed, struct vnet_err *err);
void live_up_free(struct live_up *lu);

#endif
