/*
 * nl.h - rtnetlink through libmnl, for configuring interfaces, addresses and
 * routes inside a container's network namespace. Never spawns ip(8).
 */
#ifndef VNETD_NL_H
#define VNETD_NL_H

#include "addr.h"

struct nl;

/* A socket bound in the network namespace netns_fd (-1: the caller's). */
struct nl *nl_open(int netns_fd);
void nl_close(struct nl *nl);

int nl_ifindex(struct nl *nl, const char *ifname);	/* >0 or -errno */
/* 1 when the link has carrier and the kernel has handled that (it is
 * operationally up: IFF_LOWER_UP and IFF_RUNNING), 0 when not yet, or
 * -errno. */
int nl_link_carrier(struct nl *nl, const char *ifname);
int nl_link_up(struct nl *nl, int ifindex);
int nl_link_set_mtu(struct nl *nl, int ifindex, unsigned mtu);
/* Adds an address (IPv6: IFA_F_NODAD so it is usable at once). EEXIST ok. */
int nl_addr_add(struct nl *nl, int ifindex, const struct vnet_addr *a);
/* Route to dst (plen 0 = default) via gw. EEXIST ok. */
int nl_route_add(struct nl *nl, const struct vnet_addr *dst, const struct vnet_addr *gw);


/* ---- structured routes and neighbours (save / restore, vnetd/save.c) ---- */

#include <stdint.h>

#define NL_NH_MAX 8

struct nl_nexthop {
	struct vnet_addr gw;		/* family 0: none */
	char dev[16];
};

/* One route of the main table. dst.plen 0 = default. A multipath route has
 * nnh > 1 next hops in nh[] (gw/dev then repeat nh[0]). */
struct nl_route {
	struct vnet_addr dst, gw;	/* gw.family 0: no gateway */
	char dev[16];
	uint8_t protocol;		/* RTPROT_* (12 = bird) */
	uint32_t metric;
	int nnh;
	struct nl_nexthop nh[NL_NH_MAX];
};

struct nl_neigh {
	struct vnet_addr ip;
	uint8_t lladdr[6];
	char dev[16];
	uint16_t state;			/* NUD_* */
};

/* Routes of the main table of one family, without the kernel-made ones
 * (RTPROT_KERNEL), local/broadcast/multicast types and link-local or
 * multicast destinations. *out is malloc'ed (may be NULL when *n is 0). */
int nl_route_list(struct nl *nl, int family, struct nl_route **out, int *n);
/* Neighbours of one family with a link-layer address the kernel holds as
 * valid: PERMANENT, REACHABLE, STALE, DELAY or PROBE. Not INCOMPLETE or
 * FAILED (unresolved), nor NOARP (the kernel derives those from the
 * address type or the device itself). In the kernel's order. */
int nl_neigh_list(struct nl *nl, int family, struct nl_neigh **out, int *n);
/* Add (or replace) a route with its protocol and metric; a gateway that is
 * not reachable yet (peer not up) is added "onlink". */
int nl_route_add_full(struct nl *nl, const struct nl_route *r);
/* Add (or replace) a neighbour entry. */
int nl_neigh_add(struct nl *nl, const struct nl_neigh *ne);
#endif
