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
int nl_link_up(struct nl *nl, int ifindex);
int nl_link_set_mtu(struct nl *nl, int ifindex, unsigned mtu);
/* Adds an address (IPv6: IFA_F_NODAD so it is usable at once). EEXIST ok. */
int nl_addr_add(struct nl *nl, int ifindex, const struct vnet_addr *a);
/* Route to dst (plen 0 = default) via gw. EEXIST ok. */
int nl_route_add(struct nl *nl, const struct vnet_addr *dst, const struct vnet_addr *gw);

/* Dump routes / neighbours of the namespace as text lines (for status and
 * images): "10.1.0.2/32 via 10.1.64.2 dev eth1 proto bird". Caller frees
 * *out. */
int nl_route_dump(struct nl *nl, int family, char **out);

#endif
