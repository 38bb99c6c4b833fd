/*
 * verbs.c - the domain verbs (verbs.h): resolve the names a user gave,
 * check the request whole, then call the modules that do the work (net.c,
 * node.c, link.c, live.c, save.c) and write the networks' records.
 */
#include "verbs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "image.h"
#include "link.h"
#include "net.h"
#include "node.h"
#include "plan.h"
#include "profile.h"
#include "topo.h"
#include "trace.h"
#include "units.h"

static struct vnet_network *find_net(struct vnetd *d, const char *net, struct vnet_err *err)
{
	struct vnet_network *n = net ? net_find(d, net) : NULL;

	if (!n)
		vnet_errc(err, VNET_ERR_NOT_FOUND, "no network '%s'", net ? net : "");
	return n;
}

/* ---- networks ------------------------------------------------------------ */

void up_result_clear(struct up_result *res)
{
	strv_clear(&res->created);
	strv_clear(&res->checked);
	live_changed_free(res->changed, res->nchanged);
	res->changed = NULL;
	res->nchanged = 0;
}

static int up_dry_run(struct topo *t, struct up_result *res, struct vnet_err *err)
{
	for (int i = 0; i < t->nnets; i++) {
		struct plan *p;

		if (plan_make(&t->nets[i], t->file, &p, err))
			return vnet_err_class(err, VNET_ERR_INVALID);
		plan_free(p);
		if (strv_add(&res->checked, t->nets[i].name))
			return vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
	}
	return 0;
}

/* Every node pinned to a host must be pinned to one of ours: a standalone
 * vnetd has one. */
static int placement_check(struct vnetd *d, const struct topo *t, struct vnet_err *err)
{
	for (int i = 0; i < t->nnets; i++)
		for (int k = 0; k < t->nets[i].nnodes; k++) {
			const struct topo_node *nd = &t->nets[i].nodes[k];

			if (nd->host[0] && strcmp(nd->host, d->host))
				return vnet_errc(err, VNET_ERR_INVALID, "%s:%d:%d: %s '%s' is "
						 "pinned to host '%s', but this vnetd runs alone "
						 "on host '%s'", t->file, nd->pos.line, nd->pos.col,
						 nd->kind == TOPO_ROUTER ? "router" : "host",
						 nd->name, nd->host, d->host);
		}
	return 0;
}

int verb_up(struct vnetd *d, struct topo *t, int dry_run, struct up_result *res,
	    struct vnet_err *err)
{
	struct live_up *lu = NULL;
	char **names = NULL;
	int nnames = 0, rc = -1;

	memset(res, 0, sizeof(*res));
	if (placement_check(d, t, err))
		goto out;
	if (dry_run) {
		rc = up_dry_run(t, res, err);
		goto out;
	}
	/* networks that exist get only the difference (live.c); everything is
	 * checked before anything is made */
	if (live_up_prepare(d, t, &lu, err))
		goto out;
	if (t->nnets && net_up(d, t, &names, &nnames, err)) {
		live_up_free(lu);
		goto out;
	}
	for (int i = 0; i < nnames; i++) {
		strv_add(&res->created, names[i]);
		free(names[i]);
	}
	free(names);
	rc = live_up_apply(d, lu, &res->changed, &res->nchanged, err);
out:
	topo_free(t);
	return rc;
}

int verb_down(struct vnetd *d, const char *net, struct vnet_err *err)
{
	struct vnet_network *n = find_net(d, net, err);

	if (!n)
		return -1;
	net_destroy(d, n, 1);
	return 0;
}

int verb_net_start(struct vnetd *d, const char *net, struct vnet_err *err)
{
	struct vnet_network *n = find_net(d, net, err);

	if (!n)
		return -1;
	if (!strcmp(net_state_name(n), "running"))
		return vnet_errc(err, VNET_ERR_CONFLICT, "network '%s' is already running",
				 n->spec.name);
	return net_start(d, n, err);
}

int verb_net_stop(struct vnetd *d, const char *net, struct vnet_err *err)
{
	struct vnet_network *n = find_net(d, net, err);

	if (!n)
		return -1;
	if (!strcmp(net_state_name(n), "stopped"))
		return vnet_errc(err, VNET_ERR_CONFLICT, "network '%s' is already stopped",
				 n->spec.name);
	net_stop(d, n);
	event_add(d, n->spec.name, NULL, "network stopped");
	return 0;
}

int verb_net_pause(struct vnetd *d, const char *net, int pause, struct vnet_err *err)
{
	struct vnet_network *n = find_net(d, net, err);

	return n ? net_pause(d, n, pause, err) : -1;
}

/* ---- nodes --------------------------------------------------------------- */

int verb_node_start(struct vnetd *d, const char *ref, struct vnet_err *err)
{
	struct vnet_network *n;
	int i;

	if (net_resolve_node(d, ref, &n, &i, err))
		return -1;
	if (n->nodes[i].state == NODE_RUNNING)
		return vnet_errc(err, VNET_ERR_CONFLICT, "%s/%s is already running",
				 n->spec.name, n->spec.nodes[i].name);
	for (int l = 0; l < n->spec.nlinks; l++)
		if (!n->links[l].created && link_create(d, n, l, err))
			return -1;
	if (node_start(d, n, i, err))
		return -1;
	net_save_record(d, n);
	return 0;
}

int verb_node_stop(struct vnetd *d, const char *ref, struct vnet_err *err)
{
	struct vnet_network *n;
	int i;

	if (net_resolve_node(d, ref, &n, &i, err))
		return -1;
	if (n->nodes[i].state != NODE_RUNNING)
		return vnet_errc(err, VNET_ERR_CONFLICT, "%s/%s is already stopped",
				 n->spec.name, n->spec.nodes[i].name);
	node_stop(d, n, i);
	net_save_record(d, n);
	return 0;
}

int verb_node_pause(struct vnetd *d, const char *ref, int pause, struct vnet_err *err)
{
	struct vnet_network *n;
	int i;

	if (net_resolve_node(d, ref, &n, &i, err) || node_pause(d, n, i, pause, err))
		return -1;
	net_save_record(d, n);
	return 0;
}

int verb_node_set(struct vnetd *d, const char *ref, const struct node_set *s,
		  struct vnet_err *err)
{
	struct vnet_network *n;
	struct topo_node *nd;
	uint32_t cpu;
	uint64_t mem;
	int i;

	if (net_resolve_node(d, ref, &n, &i, err))
		return -1;
	if (!s->cpu_set && !s->mem_set)
		return vnet_errc(err, VNET_ERR_INVALID, "nothing to set: expected cpu or memory");
	nd = &n->spec.nodes[i];
	cpu = nd->cpu_pct;
	mem = nd->mem_bytes;
	if (s->cpu_set)
		nd->cpu_pct = s->cpu_pct;
	if (s->mem_set)
		nd->mem_bytes = s->mem_bytes;
	if (node_limits(n, i, err)) {
		nd->cpu_pct = cpu;	/* the node keeps what it had */
		nd->mem_bytes = mem;
		node_limits(n, i, NULL);
		return -1;
	}
	if (s->cpu_set && nd->cpu_pct)
		event_add(d, n->spec.name, nd->name, "cpu set to %u%%", nd->cpu_pct);
	else if (s->cpu_set)
		event_add(d, n->spec.name, nd->name, "cpu set to none");
	if (s->mem_set) {
		char buf[32];

		event_add(d, n->spec.name, nd->name, "memory set to %s",
			  nd->mem_bytes ? units_fmt_size(nd->mem_bytes, buf, sizeof(buf)) : "none");
	}
	return net_save_record(d, n) ? vnet_errc(err, VNET_ERR_EXHAUSTED, "%s/%s: the change "
						 "is made but cannot be recorded in the state "
						 "store", n->spec.name, nd->name) : 0;
}

int verb_node_add(struct vnetd *d, const char *net, const struct live_node_req *r,
		  struct strv *changes, struct vnet_err *err)
{
	struct vnet_network *n = find_net(d, net, err);

	return n ? live_node_add(d, n, r, changes, err) : -1;
}

int verb_node_del(struct vnetd *d, const char *ref, struct strv *changes,
		  struct vnet_err *err)
{
	struct vnet_network *n;
	int i;

	if (net_resolve_node(d, ref, &n, &i, err))
		return -1;
	return live_node_del(d, n, i, changes, err);
}

/* ---- links --------------------------------------------------------------- */

static int dir_mask(const struct vnet_network *n, int l, const char *dir, int *dirmask,
		    struct vnet_err *err)
{
	const struct topo_link *lk = &n->spec.links[l];
	const char *a = n->spec.nodes[lk->end[0]].name, *b = n->spec.nodes[lk->end[1]].name;
	char fwd[80], rev[80];

	*dirmask = 3;
	if (!dir)
		return 0;
	snprintf(fwd, sizeof(fwd), "%s>%s", a, b);
	snprintf(rev, sizeof(rev), "%s>%s", b, a);
	if (!strcmp(dir, fwd) || !strcmp(dir, "forward"))
		*dirmask = 1;
	else if (!strcmp(dir, rev) || !strcmp(dir, "reverse"))
		*dirmask = 2;
	else
		return vnet_errc(err, VNET_ERR_INVALID, "bad dir '%s' for link %s: expected %s "
				 "or %s", dir, lk->name, fwd, rev);
	return 0;
}

int verb_link_dir(struct vnetd *d, const char *ref, const char *dir, int *dirmask,
		  struct vnet_err *err)
{
	struct vnet_network *n;
	int l;

	if (net_resolve_link(d, ref, &n, &l, err))
		return -1;
	return dir_mask(n, l, dir, dirmask, err);
}

int verb_link_set(struct vnetd *d, const char *ref, const struct link_set *s,
		  struct vnet_err *err)
{
	struct trace_change tc = { 0 };
	struct vnet_network *n;
	int l, dirmask;

	if (net_resolve_link(d, ref, &n, &l, err) || dir_mask(n, l, s->dir, &dirmask, err))
		return -1;
	if (!s->mask && !s->trace && !s->profile)
		return vnet_errc(err, VNET_ERR_INVALID, "nothing to set: expected link "
				 "properties, trace or profile");
	/* every part is checked before any is applied */
	if ((s->mask & LINKP_BIT(LINKP_MTU)) && dirmask != 3)
		return vnet_errc(err, VNET_ERR_INVALID,
				 "mtu applies to both directions of a link; drop dir=");
	if (s->profile && profile_check(n, l, s->profile, err))
		return -1;
	if (s->trace && trace_change_parse(&tc, s->trace, err))
		return -1;
	if (s->profile)
		profile_set(d, n, l, s->profile);
	if (s->mask && link_change(d, n, l, &s->p, s->mask, dirmask, err)) {
		trace_change_free(&tc);
		goto out;
	}
	if (trace_change_apply(d, n, l, dirmask, &tc, err))
		goto out;
	event_add(d, n->spec.name, NULL, "link %s changed", n->spec.links[l].name);
	net_save_record(d, n);
	return 0;
out:
	net_save_record(d, n);
	return -1;
}

int verb_link_state(struct vnetd *d, const char *ref, int up, struct vnet_err *err)
{
	struct vnet_network *n;
	int l;

	if (net_resolve_link(d, ref, &n, &l, err) || link_set_state(d, n, l, up, err))
		return -1;
	net_save_record(d, n);
	return 0;
}

int verb_link_add(struct vnetd *d, const char *net, const char *a, const char *b,
		  const struct live_link_req *r, struct strv *changes, struct vnet_err *err)
{
	struct vnet_network *n = find_net(d, net, err);

	return n ? live_link_add(d, n, a, b, r, changes, err) : -1;
}

int verb_link_del(struct vnetd *d, const char *ref, struct strv *changes,
		  struct vnet_err *err)
{
	struct vnet_network *n;
	int l;

	if (net_resolve_link(d, ref, &n, &l, err))
		return -1;
	return live_link_del(d, n, l, changes, err);
}

/* ---- images -------------------------------------------------------------- */

static int abs_path(const char *path, struct vnet_err *err)
{
	if (!path || path[0] != '/')
		return vnet_errc(err, VNET_ERR_INVALID, "'%s' is not an absolute file name",
				 path ? path : "");
	return 0;
}

static struct image *read_image(const char *path, struct vnet_err *err)
{
	struct image *img;

	if (abs_path(path, err))
		return NULL;
	if (!(img = image_read(path, err)))
		vnet_err_class(err, VNET_ERR_INVALID);
	return img;
}

int verb_net_save(struct vnetd *d, const char *net, const char *path, struct save_result *res,
		  struct vnet_err *err)
{
	struct vnet_network *n;

	if (abs_path(path, err) || !(n = find_net(d, net, err)))
		return -1;
	return save_net(d, n, path, res, err);
}

int verb_net_restore(struct vnetd *d, const char *path, const char *as,
		     struct restore_result *res, struct vnet_err *err)
{
	struct image *img = read_image(path, err);
	int rc;

	if (!img)
		return -1;
	rc = restore_net(d, img, path, as, NULL, res, err);
	image_free(img);
	return rc;
}

int verb_net_copy(struct vnetd *d, const char *net, const char *as, const char *prefix,
		  struct restore_result *res, struct vnet_err *err)
{
	struct vnet_network *n = find_net(d, net, err);

	return n ? copy_net(d, n, as, prefix, res, err) : -1;
}

int verb_node_save(struct vnetd *d, const char *ref, const char *path,
		   struct save_result *res, struct vnet_err *err)
{
	struct vnet_network *n;
	int i;

	if (abs_path(path, err) || net_resolve_node(d, ref, &n, &i, err))
		return -1;
	return save_node(d, n, i, path, res, err);
}

int verb_node_restore(struct vnetd *d, const char *path, const char *as,
		      struct restore_result *res, struct vnet_err *err)
{
	struct image *img = read_image(path, err);
	int rc;

	if (!img)
		return -1;
	rc = restore_node(d, img, path, as, res, err);
	image_free(img);
	return rc;
}

int verb_node_copy(struct vnetd *d, const char *ref, const char *as,
		   struct restore_result *res, struct vnet_err *err)
{
	struct vnet_network *n;
	int i;

	if (net_resolve_node(d, ref, &n, &i, err))
		return -1;
	return copy_node(d, n, i, as, res, err);
}

void verb_ref_net(struct vnetd *d, const char *ref, int is_node, char *net, size_t len)
{
	struct vnet_network *n;
	int i;

	net[0] = 0;
	if ((is_node ? net_resolve_node : net_resolve_link)(d, ref, &n, &i, NULL) == 0)
		snprintf(net, len, "%s", n->spec.name);
}
