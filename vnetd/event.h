/*
 * event.h - what happened, for the user: every event goes to the log and
 * to the store's event list (`vnet events`, `vnet logs NODE`).
 */
#ifndef VNETD_EVENT_H
#define VNETD_EVENT_H

#include "vnetd.h"

/* One event about a network (node NULL), one of its nodes, or the daemon
 * (net NULL too). */
void event_add(struct vnetd *d, const char *net, const char *node, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
