/*
 * plan.h - the address plan of a virtual network: loopbacks, interface
 * names, MACs and link addresses, derived deterministically from the
 * topology (the same file always yields the same plan).
 *
 * Layout of each prefix (docs/topology.md, "Addresses"):
 *   IPv4 P/len:  the first quarter of P holds router loopbacks (/32), router
 *                i gets P+1+i; the rest is cut into /30s, link j gets the
 *                (j)th /30 after the first quarter: end[0] .1, end[1] .2.
 *   IPv6 P/len:  subnet 0 (the first /64) holds loopbacks P::1+i/128; link j
 *                gets the /64 number j+1: end[0] ::1, end[1] ::2.
 * A link between a host and a router gives the host's address on it and
 * its gateway (the router's address on that link).
 * "Router i" and "link j" are slots (topo.h, topo_edit.c): in a file the
 * router ordinal and link index; kept across live edits.
 * Interface names: ethN with N the link end's ifn (in a file: eth0, eth1,
 * ... per node in link order; a live edit takes the lowest free N).
 * MACs: locally administered, hashed from (network, node, ifname).
 * ECMP seeds: hashed from (network, node), never 0.
 */
#ifndef VNET_PLAN_H
#define VNET_PLAN_H

#include "addr.h"
#include "topo.h"

struct plan_iface {
	char ifname[VNET_IFNAME_MAX];
	uint8_t mac[6];
	int link;			/* index in topo_net.links */
	int side;			/* 0/1: which end of the link this is */
	int peer;			/* peer node index */
	struct vnet_addr addr[2];	/* one per network prefix (same order) */
	int naddr;
};

struct plan_node {
	struct vnet_addr lo[2];		/* routers: loopback per prefix */
	int nlo;
	struct vnet_addr gw[2];		/* hosts: default gateways */
	int ngw;
	uint32_t router_id;		/* host byte order */
	uint32_t ecmp_seed;		/* seed of the kernel's multipath hash */
	struct plan_iface *ifs;
	int nifs;
};

struct plan {
	struct plan_node *nodes;	/* parallel to topo_net.nodes */
	int nnodes;
};

/* Returns 0 and *out, or -1 with err ("file:line:col: prefix 10.1.0.0/28 is
 * too small for the plan: 3 links need ... "). file may be NULL. */
int plan_make(const struct topo_net *n, const char *file, struct plan **out,
	      struct vnet_err *err);
void plan_free(struct plan *p);

/* The iface of node `node` on link `link`, or NULL. */
const struct plan_iface *plan_iface_of(const struct plan *p, int node, int link);

#endif
