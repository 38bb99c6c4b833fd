/*
 * net.c - whole virtual networks: bring up every network of a topology
 * (all or nothing), start, stop, destroy, persist their specs in the store,
 * load them back at start-up, and resolve "net/name" references.
 */
#include "net.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "event.h"
#include "link.h"
#include "log.h"
#include "node.h"
#include "profile.h"
#include "progress.h"
#include "spec.h"
#include "store.h"
#include "trace.h"

struct vnet_network *net_find(struct vnetd *d, const char *name)
{
	for (struct vnet_network *n = d->nets; n; n = n->next)
		if (!strcmp(n->spec.name, name))
			return n;
	return NULL;
}

const char *net_state_name(const struct vnet_network *n)
{
	int running = 0, paused = 0;

	for (int i = 0; i < n->spec.nnodes; i++) {
		running += n->nodes[i].state == NODE_RUNNING;
		paused += n->nodes[i].state == NODE_RUNNING && n->nodes[i].paused;
	}
	if (running == 0)
		return "stopped";
	if (running != n->spec.nnodes)
		return "partial";
	return paused == 0 ? "running" : paused == running ? "paused" : "partial";
}

int net_pause(struct vnetd *d, struct vnet_network *n, int pause, struct vnet_err *err)
{
	const char *want = pause ? "running" : "paused";

	if (strcmp(net_state_name(n), want))
		return vnet_errc(err, VNET_ERR_CONFLICT, "network '%s' is %s, not %s",
				 n->spec.name, net_state_name(n), want);
	for (int i = 0; i < n->spec.nnodes; i++) {
		if (node_pause(d, n, i, pause, err)) {
			while (--i >= 0)
				node_pause(d, n, i, !pause, NULL);
			return -1;
		}
	}
	net_save_record(d, n);
	return 0;
}

/* A network object around a validated spec (taken over) and its plan. */
static struct vnet_network *net_new(struct topo_net *spec, const char *file,
				    struct vnet_err *err)
{
	struct vnet_network *n = calloc(1, sizeof(*n));

	if (!n) {
		vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
		return NULL;
	}
	n->spec = *spec;
	memset(spec, 0, sizeof(*spec));
	n->file = strdup(file ? file : "");
	n->nodes = calloc(n->spec.nnodes ? n->spec.nnodes : 1, sizeof(*n->nodes));
	n->links = calloc(n->spec.nlinks ? n->spec.nlinks : 1, sizeof(*n->links));
	if (!n->file || !n->nodes || !n->links) {
		vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
		goto fail;
	}
	if (plan_make(&n->spec, file, &n->plan, err)) {
		vnet_err_class(err, VNET_ERR_INVALID);
		goto fail;
	}
	return n;
fail:
	topo_net_clear(&n->spec);
	free(n->file);
	free(n->nodes);
	free(n->links);
	free(n);
	return NULL;
}

static void net_free(struct vnet_network *n)
{
	if (!n)
		return;
	json_decref(n->adopt);
	plan_free(n->plan);
	topo_net_clear(&n->spec);
	free(n->file);
	free(n->nodes);
	free(n->links);
	free(n);
}

static void net_link_in(struct vnetd *d, struct vnet_network *n)
{
	struct vnet_network **pp = &d->nets;

	while (*pp)
		pp = &(*pp)->next;
	*pp = n;
}

static void net_unlink(struct vnetd *d, struct vnet_network *n)
{
	for (struct vnet_network **pp = &d->nets; *pp; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			return;
		}
}

/* What runs now: enough for a restarted vnetd to adopt it (adopt.c). */
static json_t *runtime_json(const struct vnet_network *n)
{
	json_t *nodes = json_object(), *links = json_object();

	for (int i = 0; i < n->spec.nnodes; i++) {
		json_t *rt = node_runtime_json(n, i);

		if (rt)
			json_object_set_new(nodes, n->spec.nodes[i].name, rt);
	}
	for (int i = 0; i < n->spec.nlinks; i++) {
		const struct link_rt *lr = &n->links[i];

		if (lr->created)
			json_object_set_new(links, n->spec.links[i].name,
					    json_pack("{s:I, s:o*, s:o*}", "id", (json_int_t)lr->id,
						      "profile", profile_runtime_json(n, i),
						      "trace", trace_runtime_json(n, i)));
	}
	return json_pack("{s:o, s:o}", "nodes", nodes, "links", links);
}

/* Where each node runs (stopped nodes: nowhere) and each link's path. */
static int placements(const struct vnet_network *n, struct store_place **out)
{
	int cnt = 0;
	struct store_place *p = calloc((size_t)(n->spec.nnodes + n->spec.nlinks) + 1,
				       sizeof(*p));

	if (!(*out = p))
		return -1;
	for (int i = 0; i < n->spec.nnodes; i++) {
		if (n->nodes[i].state != NODE_RUNNING)
			continue;
		p[cnt].kind = "node";
		p[cnt].name = n->spec.nodes[i].name;
		snprintf(p[cnt].host, sizeof(p[cnt].host), "%s", n->nodes[i].host);
		cnt++;
	}
	for (int i = 0; i < n->spec.nlinks; i++) {
		const struct link_rt *lr = &n->links[i];
		size_t len = 0;

		if (!lr->created)
			continue;
		p[cnt].kind = "link";
		p[cnt].name = n->spec.links[i].name;
		snprintf(p[cnt].host, sizeof(p[cnt].host), "%s", lr->path[0]);
		for (int k = 0; k < lr->npath && len < sizeof(p[cnt].path); k++)
			len += (size_t)snprintf(p[cnt].path + len, sizeof(p[cnt].path) - len, "%s%s",
						k ? " " : "", lr->path[k]);
		cnt++;
	}
	return cnt;
}

int net_save_record(struct vnetd *d, struct vnet_network *n)
{
	json_t *j = spec_to_json(&n->spec), *rt = runtime_json(n);
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	char *rtext = json_dumps(rt, JSON_COMPACT | JSON_SORT_KEYS);
	struct store_place *pl = NULL;
	int npl = placements(n, &pl);
	int rc = text && rtext && npl >= 0
		 ? store_net_put(d->store, n->spec.name, n->file, text, net_state_name(n), rtext,
				 pl, npl)
		 : -ENOMEM;

	free(pl);
	free(text);
	free(rtext);
	json_decref(j);
	json_decref(rt);
	if (rc == 0)
		n->dirty = 0;
	else
		log_error("%s: cannot write its record to the state store: %s", n->spec.name,
			  strerror(-rc));
	return rc;
}

void net_save_dirty(struct vnetd *d)
{
	for (struct vnet_network *n = d->nets; n; n = n->next)
		if (n->dirty)
			net_save_record(d, n);
}

/* How many nodes of n are (running = 1) or are not (running = 0) running. */
int net_count_running(const struct vnet_network *n, int running)
{
	int cnt = 0;

	for (int i = 0; i < n->spec.nnodes; i++)
		cnt += (n->nodes[i].state == NODE_RUNNING) == running;
	return cnt;
}

int net_start(struct vnetd *d, struct vnet_network *n, struct vnet_err *err)
{
	progress_expect(net_count_running(n, 0));
	for (int i = 0; i < n->spec.nlinks; i++)
		if (!n->links[i].created && link_create(d, n, i, err))
			goto fail;
	for (int i = 0; i < n->spec.nnodes; i++)
		if (n->nodes[i].state != NODE_RUNNING && node_start(d, n, i, err))
			goto fail;
	profile_start(d, n);
	net_save_record(d, n);
	event_add(d, n->spec.name, NULL, "network started: %d nodes, %d links",
		    n->spec.nnodes, n->spec.nlinks);
	return 0;
fail:
	net_stop(d, n);
	return -1;
}

/* Stop every node, then every link. Every BIRD is told to stop first: each
 * takes about 10 ms to withdraw its routes and exit, and so these overlap
 * instead of adding up (node_stop() then finds it gone or going). */
static void stop_all(struct vnetd *d, struct vnet_network *n)
{
	progress_expect(net_count_running(n, 1));
	for (int i = 0; i < n->spec.nnodes; i++)
		node_stop_soon(n, i);
	for (int i = n->spec.nnodes - 1; i >= 0; i--)
		node_stop(d, n, i);
	for (int i = 0; i < n->spec.nlinks; i++)
		link_destroy(d, n, i);
}

void net_stop(struct vnetd *d, struct vnet_network *n)
{
	stop_all(d, n);
	net_save_record(d, n);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) && errno != ENOENT ? -1 : 0;
}

void net_destroy(struct vnetd *d, struct vnet_network *n, int forget)
{
	char dir[512];

	stop_all(d, n);
	if (forget) {
		snprintf(dir, sizeof(dir), "%s/nodes/%s", d->state_dir, n->spec.name);
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		store_net_del(d->store, n->spec.name);
		event_add(d, n->spec.name, NULL, "network destroyed");
	}
	net_unlink(d, n);
	net_free(n);
}

int net_up(struct vnetd *d, struct topo *t, char ***created, int *ncreated,
	   struct vnet_err *err)
{
	struct vnet_network **made = calloc(t->nnets ? t->nnets : 1, sizeof(*made));
	int nmade = 0, total = 0;

	*created = NULL;
	*ncreated = 0;
	if (!made)
		return vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
	/* Check everything before making anything. */
	for (int i = 0; i < t->nnets; i++) {
		if (net_find(d, t->nets[i].name)) {
			vnet_errc(err, VNET_ERR_CONFLICT, "%s:%d:%d: network '%s' already "
				  "exists (vnet down %s first)", t->file, t->nets[i].pos.line,
				  t->nets[i].pos.col, t->nets[i].name, t->nets[i].name);
			free(made);
			return -1;
		}
	}
	for (int i = 0; i < t->nnets; i++) {
		struct topo_net copy;

		if (topo_net_dup(&t->nets[i], &copy)) {
			vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
			goto fail;
		}
		if (!(made[nmade] = net_new(&copy, t->file, err))) {
			topo_net_clear(&copy);
			goto fail;
		}
		nmade++;
	}
	for (int i = 0; i < nmade; i++) {
		net_link_in(d, made[i]);
		total += made[i]->spec.nnodes;
	}
	progress_expect(total);
	for (int i = 0; i < nmade; i++)
		if (net_start(d, made[i], err))
			goto fail_started;
	*created = calloc(nmade, sizeof(char *));
	for (int i = 0; i < nmade && *created; i++)
		(*created)[i] = strdup(made[i]->spec.name);
	*ncreated = *created ? nmade : 0;
	free(made);
	return 0;
fail_started:
	for (int i = 0; i < nmade; i++)
		net_destroy(d, made[i], 1);
	free(made);
	return -1;
fail:
	for (int i = 0; i < nmade; i++)
		net_free(made[i]);
	free(made);
	return -1;
}

int net_create_from_spec(struct vnetd *d, struct topo_net *spec, const char *file,
			 struct vnet_network **out, struct vnet_err *err)
{
	struct vnet_network *n;

	if (net_find(d, spec->name))
		return vnet_errc(err, VNET_ERR_CONFLICT, "network '%s' already exists (vnet down "
				 "%s first)", spec->name, spec->name);
	if (!(n = net_new(spec, file, err)))
		return -1;
	net_link_in(d, n);
	net_save_record(d, n);
	*out = n;
	return 0;
}

static int load_one(void *arg, const char *name, const char *file, const char *spec_json,
		    const char *state, const char *runtime)
{
	struct vnetd *d = arg;
	struct topo_net spec;
	struct vnet_network *n;
	struct vnet_err err;
	json_error_t jerr;
	json_t *j = json_loads(spec_json, 0, &jerr);

	(void)state;
	if (!j) {
		log_error("stored network %s is unreadable (%s); left in the store untouched",
			  name, jerr.text);
		return 0;
	}
	if (spec_from_json(j, &spec, &err)) {
		log_error("stored network %s is invalid (%s); left in the store untouched",
			  name, err.msg);
		json_decref(j);
		return 0;
	}
	json_decref(j);
	if (!(n = net_new(&spec, file, &err))) {
		log_error("stored network %s: %s", name, err.msg);
		return 0;
	}
	if (runtime)
		n->adopt = json_loads(runtime, 0, NULL);
	net_link_in(d, n);
	return 0;
}

int net_load_all(struct vnetd *d, struct vnet_err *err)
{
	if (store_net_each(d->store, load_one, d) < 0)
		return vnet_errf(err, "cannot read the networks from the state store");
	return 0;
}

static int split_ref(const char *ref, char *net, char *name)
{
	const char *slash = strchr(ref, '/');

	net[0] = 0;
	if (slash) {
		if (slash - ref >= VNET_NAME_MAX || strlen(slash + 1) >= VNET_LINK_NAME_MAX)
			return -1;
		memcpy(net, ref, slash - ref);
		net[slash - ref] = 0;
		snprintf(name, VNET_LINK_NAME_MAX, "%s", slash + 1);
	} else {
		if (strlen(ref) >= VNET_LINK_NAME_MAX)
			return -1;
		snprintf(name, VNET_LINK_NAME_MAX, "%s", ref);
	}
	return 0;
}

static int resolve(struct vnetd *d, const char *ref, const char *what,
		   int (*find)(const struct topo_net *, const char *),
		   struct vnet_network **out, int *idx, struct vnet_err *err)
{
	char net[VNET_NAME_MAX], name[VNET_LINK_NAME_MAX];
	struct vnet_network *found = NULL;
	int nfound = 0, k;

	if (split_ref(ref, net, name))
		return vnet_errc(err, VNET_ERR_NOT_FOUND, "'%s' is not a %s name", ref, what);
	if (net[0]) {
		struct vnet_network *n = net_find(d, net);

		if (!n)
			return vnet_errc(err, VNET_ERR_NOT_FOUND, "no network '%s'", net);
		if ((k = find(&n->spec, name)) < 0)
			return vnet_errc(err, VNET_ERR_NOT_FOUND, "no %s '%s' in network '%s'",
					 what, name, net);
		*out = n;
		*idx = k;
		return 0;
	}
	for (struct vnet_network *n = d->nets; n; n = n->next) {
		if ((k = find(&n->spec, name)) >= 0) {
			if (nfound++ == 0) {
				found = n;
				*idx = k;
			}
		}
	}
	if (nfound == 0)
		return vnet_errc(err, VNET_ERR_NOT_FOUND, "no %s '%s' in any network", what, name);
	if (nfound > 1)
		return vnet_errc(err, VNET_ERR_CONFLICT, "%s '%s' exists in %d networks: say "
				 "NET/%s", what, name, nfound, name);
	*out = found;
	return 0;
}

int net_resolve_node(struct vnetd *d, const char *ref, struct vnet_network **n,
		     int *idx, struct vnet_err *err)
{
	return resolve(d, ref, "node", topo_node_find, n, idx, err);
}

int net_resolve_link(struct vnetd *d, const char *ref, struct vnet_network **n,
		     int *idx, struct vnet_err *err)
{
	return resolve(d, ref, "link", topo_link_find, n, idx, err);
}
