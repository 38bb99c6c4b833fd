/*
 * bird.h - BIRD 2 configuration for a router, generated from its network's
 * protocol and address plan.
 *
 *   ospf    OSPFv2 for IPv4, OSPFv3 for IPv6; area 0; links point-to-point;
 *           host-facing interfaces and the loopback are stub interfaces.
 *   rip     RIPv2 / RIPng on router links; connected subnets exported.
 *   babel   Babel on router links (IPv4 and IPv6 channels).
 *   static  routes to every subnet and loopback of the network along a
 *           shortest path (hop count, ties broken by lower node index),
 *           computed here, so the configs depend only on the topology.
 *   none    no routing daemon (bird_config() returns NULL text).
 * Every config has `router id`, protocol device, direct for connected
 * subnets, kernel protocols exporting to the FIB with graceful restart, and
 * logs to /run/bird/bird.log. A user's own config (topo_node.config) is used
 * verbatim instead.
 */
#ifndef VNET_BIRD_H
#define VNET_BIRD_H

#include "plan.h"
#include "topo.h"

/* *out = malloc'd config text for router `node` (NULL for protocol none).
 * Returns 0 or -1 with err. */
int bird_config(const struct topo_net *n, const struct plan *p, int node,
		char **out, struct vnet_err *err);

/* Static routing: next hop node index from `from` towards `to` along a
 * shortest path, or -1 when unreachable / from == to. `nh_link` gets the
 * link index used. */
int bird_next_hop(const struct topo_net *n, int from, int to, int *nh_link);

#endif
