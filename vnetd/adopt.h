/*
 * adopt.h - a restarted vnetd takes over what its predecessor of the same
 * prefix left running (adopt.c).
 */
#ifndef VNETD_ADOPT_H
#define VNETD_ADOPT_H

#include "vnetd.h"

/* Does anything of an earlier vnetd still run: an engine answering on our
 * socket, or a node recorded in the store? (Nothing: clean the prefix.) */
int adopt_anything(struct vnetd *d);
/* Adopt nodes, BIRDs and engine links; returns the number of nodes. */
int adopt_all(struct vnetd *d);

#endif
