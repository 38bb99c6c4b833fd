/*
 * save.h - images of networks and routers (save.c; docs/design.md "Save,
 * restore, copy"): save to a file, restore from one, copy (a save into
 * memory restored under a new name). Each returns 0, or -1 with a typed
 * error, and changes nothing when it fails.
 */
#ifndef VNETD_SAVE_H
#define VNETD_SAVE_H

#include <limits.h>
#include <stdint.h>

#include "vnetd.h"

struct image;

struct save_result {
	int64_t bytes;			/* the image file's size */
	int nodes;			/* nodes captured */
	int64_t frozen_ms;		/* how long the nodes were frozen */
};

struct restore_result {
	char net[VNET_NAME_MAX];
	char node[VNET_NAME_MAX];	/* router restores */
	char from[VNET_NAME_MAX * 2 + 2];	/* the image's name */
	int nodes, routes, neighbours;
	int tables_restored;		/* router restores: the tables went in */
	char tables_note[160];		/* why not, when they did not */
	int64_t start_ms;		/* from the start of the restore to running */
	int64_t frozen_ms;		/* copies: how long the original was frozen */
};

/* Save running network n, or running node i of n, to path. */
int save_net(struct vnetd *d, struct vnet_network *n, const char *path,
	     struct save_result *res, struct vnet_err *err);
int save_node(struct vnetd *d, struct vnet_network *n, int i, const char *path,
	      struct save_result *res, struct vnet_err *err);
/* Restore a network image as network `as` (NULL: its own name) with prefix
 * (NULL: its own). src names the image in messages. */
int restore_net(struct vnetd *d, struct image *img, const char *src, const char *as,
		const char *prefix, struct restore_result *res, struct vnet_err *err);
/* Restore a router image into a running network: as is NULL (the saved
 * network and name), "NAME" (the saved network) or "NET/NAME". */
int restore_node(struct vnetd *d, struct image *img, const char *src, const char *as,
		 struct restore_result *res, struct vnet_err *err);
/* Copy network n as `as` (with prefix, or NULL), node i of n as `as`. */
int copy_net(struct vnetd *d, struct vnet_network *n, const char *as, const char *prefix,
	     struct restore_result *res, struct vnet_err *err);
int copy_node(struct vnetd *d, struct vnet_network *n, int i, const char *as,
	      struct restore_result *res, struct vnet_err *err);

/* node_start(): install node i's routes from its image part
 * (n->nodes[i].restore, freed here) before BIRD starts; its neighbours go
 * to n->nodes[i].restore_neigh, installed when the whole network is up. */
void restore_apply(struct vnetd *d, struct vnet_network *n, int i);

#endif
