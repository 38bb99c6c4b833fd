/*
 * link.h - virtual links (link.c): each is a link in vnet-engine with two
 * ports, its ends' interfaces, made by their nodes' backends.
 */
#ifndef VNETD_LINK_H
#define VNETD_LINK_H

#include "vnetd.h"

/* Create link i of n in the engine (no ports yet), with its traces. */
int link_create(struct vnetd *d, struct vnet_network *n, int i, struct vnet_err *err);
void link_destroy(struct vnetd *d, struct vnet_network *n, int i);
/* Make the interface of side (0 or 1) in its running node and attach its
 * port to the engine. */
int link_attach(struct vnetd *d, struct vnet_network *n, int i, int side,
		struct vnet_err *err);
void link_detach(struct vnetd *d, struct vnet_network *n, int i, int side);
/* Side is no longer attached: close vnetd's copy of its port. */
void link_forget_port(struct vnet_network *n, int i, int side);
/* Administrative state, in the engine and the spec. */
int link_set_state(struct vnetd *d, struct vnet_network *n, int i, int up,
		   struct vnet_err *err);
/* Set the properties in mask of the directions in dirmask to next[dir]'s, in
 * the engine, the nodes (mtu) and the spec. */
int link_set_params(struct vnetd *d, struct vnet_network *n, int i,
		    const struct link_params next[2], uint32_t mask, int dirmask,
		    struct vnet_err *err);
/* Partial change: p's fields in mask (LINKP_BIT()s) to the directions in
 * dirmask (bit 0 forward, bit 1 reverse). */
int link_change(struct vnetd *d, struct vnet_network *n, int i,
		const struct link_params *p, uint32_t mask, int dirmask,
		struct vnet_err *err);
/* Re-create every link and port in a fresh engine. */
int link_replay_all(struct vnetd *d);
/* The physical path of link i as its ends' hosts (one host: both local). */
void link_path_update(struct vnetd *d, struct vnet_network *n, int i);

#endif
