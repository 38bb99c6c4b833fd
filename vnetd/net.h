/*
 * net.h - whole virtual networks (net.c): create, start, stop, destroy,
 * their record in the store, loading them back at start-up, and resolving
 * "net/name" references.
 */
#ifndef VNETD_NET_H
#define VNETD_NET_H

#include "vnetd.h"

struct topo;

struct vnet_network *net_find(struct vnetd *d, const char *name);
/* "running", "paused", "partial" or "stopped". */
const char *net_state_name(const struct vnet_network *n);
/* How many nodes of n are (running = 1) or are not (running = 0) running. */
int net_count_running(const struct vnet_network *n, int running);

/* Create and start every network of a topology; all or nothing. The names
 * of the networks made go to created (the caller frees each and the
 * array). CONFLICT when one exists already. */
int net_up(struct vnetd *d, struct topo *t, char ***created, int *ncreated,
	   struct vnet_err *err);
/* A stopped network from a validated spec (taken over), linked in and
 * recorded; not started. CONFLICT when the name is taken. */
int net_create_from_spec(struct vnetd *d, struct topo_net *spec, const char *file,
			 struct vnet_network **out, struct vnet_err *err);
/* Start every link and node that is not running; on failure stop it all. */
int net_start(struct vnetd *d, struct vnet_network *n, struct vnet_err *err);
void net_stop(struct vnetd *d, struct vnet_network *n);
/* Freeze / thaw every node together (all or nothing). */
int net_pause(struct vnetd *d, struct vnet_network *n, int pause, struct vnet_err *err);
/* Stop and free a network (and its stored record when forget=1). */
void net_destroy(struct vnetd *d, struct vnet_network *n, int forget);

/* Write n's record to the store (spec, state, what runs, placement). */
int net_save_record(struct vnetd *d, struct vnet_network *n);
/* Write the records of the networks marked dirty. */
void net_save_dirty(struct vnetd *d);
/* Load stored networks (stopped) at start-up. */
int net_load_all(struct vnetd *d, struct vnet_err *err);

/* Resolve "net/name" or a unique bare "name" (node or link). Returns 0, or
 * -1 with err: NOT_FOUND, or CONFLICT when a bare name is ambiguous. */
int net_resolve_node(struct vnetd *d, const char *ref, struct vnet_network **n,
		     int *idx, struct vnet_err *err);
int net_resolve_link(struct vnetd *d, const char *ref, struct vnet_network **n,
		     int *idx, struct vnet_err *err);

#endif
