/*
 * store.h - the daemon's durable state in SQLite (<state-dir>/vnetd.db):
 * the spec of every virtual network (as JSON, see spec.h), what runs and
 * where (for adoption after a restart), the physical hosts, and an event log.
 * Every write is one transaction, so a crash never leaves half-written state.
 */
#ifndef VNETD_STORE_H
#define VNETD_STORE_H

#include <jansson.h>

#include "vnet.h"

struct store;

struct store *store_open(const char *path, struct vnet_err *err);
void store_close(struct store *s);

/* Where one node runs, or which hosts one link crosses. */
struct store_place {
	const char *kind;			/* "node" or "link" */
	const char *name;
	char host[VNET_NAME_MAX];		/* node: its host; link: side 0's */
	char path[8 * VNET_NAME_MAX];		/* link: hosts separated by spaces */
};

/* A network's record, in one transaction: runtime_json is what runs (pids,
 * engine link ids), for re-adoption after a restart of vnetd (may be NULL);
 * pl its placement. 0, -ENOSPC (disk full) or -EIO. */
int store_net_put(struct store *s, const char *name, const char *file,
		  const char *spec_json, const char *state, const char *runtime_json,
		  const struct store_place *pl, int npl);
int store_net_del(struct store *s, const char *name);
/* [{"kind", "name", "host", "path"}] of network net. */
json_t *store_placements(struct store *s, const char *net);
/* This physical host (the cluster keeps the others elsewhere). */
int store_host_put(struct store *s, const char *name, const char *address,
		   const char *version);
/* [{"name", "address", "version", "updated"}] */
json_t *store_hosts(struct store *s);
typedef int (*store_net_cb)(void *arg, const char *name, const char *file,
			    const char *spec_json, const char *state,
			    const char *runtime_json);
int store_net_each(struct store *s, store_net_cb cb, void *arg);

int store_event_add(struct store *s, const char *net, const char *node,
		    const char *msg);
/* The last `limit` events (oldest first), filtered by net/node when not
 * NULL, as a JSON array of {"time","network","node","message"}. */
json_t *store_events(struct store *s, const char *net, const char *node, int limit);

#endif
