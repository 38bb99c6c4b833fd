/*
 * view.h - the JSON views of the model (view.c): a network, a node, a link
 * as the API shows them (docs/api.md), and the answers of the domain
 * verbs. Read-only: building a view changes nothing.
 */
#ifndef VNETD_VIEW_H
#define VNETD_VIEW_H

#include <jansson.h>

#include "save.h"
#include "verbs.h"
#include "vnetd.h"

/* detail: also each router's `birdc show protocols` (waits for BIRD; run
 * it inside a job). */
json_t *view_net(struct vnetd *d, struct vnet_network *n, int detail);
json_t *view_node(struct vnetd *d, struct vnet_network *n, int i, int detail);
/* stats: also the engine's counters of both directions. */
json_t *view_link(struct vnetd *d, struct vnet_network *n, int i, int stats);
/* `vnet logs`: the node's events and the tail of its BIRD log. */
json_t *view_node_logs(struct vnetd *d, struct vnet_network *n, int i, int lines);
json_t *view_status(struct vnetd *d);
json_t *view_hosts(struct vnetd *d);

json_t *view_up(struct vnetd *d, const struct up_result *res);
json_t *view_changes(const char *net, const struct strv *changes);
json_t *view_save(const char *path, const struct save_result *res, struct vnet_network *n,
		  int node);
json_t *view_restore(const struct restore_result *res, int node, int copy);

#endif
