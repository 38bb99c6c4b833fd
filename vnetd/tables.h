/*
 * tables.h - a node's routes and neighbours as the JSON entries of an image
 * (docs/image-format.md, nodes/NAME.json), and back.
 *
 * A route is {"dst": "10.1.0.2/32", "gw": "10.1.64.2", "dev": "eth1",
 * "protocol": 12, "metric": 32} (gw absent for a direct route, "nexthops":
 * [{"gw", "dev"}, ...] for a multipath one); a neighbour is {"ip", "lladdr",
 * "dev", "state": "stale"|"permanent"}. The state is the one a restore
 * installs, not the kernel's of the instant: "stale" for every dynamic
 * entry (REACHABLE, DELAY, PROBE change with traffic and time),
 * "permanent". "reachable", written by older versions, reads as "stale".
 * The same tables give the same bytes: neighbours are sorted by device,
 * then address (tables_neigh_cmp), routes keep the kernel's order.
 */
#ifndef VNETD_TABLES_H
#define VNETD_TABLES_H

#include <jansson.h>

#include "nl.h"

json_t *tables_route_json(const struct nl_route *r);
/* 0, or -1 when j is not a route entry. */
int tables_route_from_json(json_t *j, struct nl_route *r);
json_t *tables_neigh_json(const struct nl_neigh *ne);
/* 0, or -1 when j is not a neighbour entry. */
int tables_neigh_from_json(json_t *j, struct nl_neigh *ne);
/* qsort order of neighbours: by device, then address. */
int tables_neigh_cmp(const void *a, const void *b);
/* Append n neighbours to the growing array *all of *nall; 0 or -ENOMEM. */
int tables_neigh_append(struct nl_neigh **all, int *nall, const struct nl_neigh *ne, int n);

#endif
