/*
 * live.c - topology changes of a network that exists (docs/design.md,
 * "Live changes"): add and remove routers, hosts and links, and `vnet up`
 * of a changed file, which applies only the difference.
 *
 * Every change is made on a copy of the spec (topo_net_dup), checked as a
 * file would be (topo_net_check: names, connectivity, numbering) and planned
 * (plan_make); only then is it swapped in and the kernel changed
 * (live_apply). Addresses stay put because the plan numbers routers and
 * links by slot and names interfaces by each end's ifn (topo_edit.c). If a
 * kernel step fails, live_apply goes back to the old spec the same way.
 * The run-time state of nodes and links follows them by name.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "link.h"
#include "live.h"
#include "log.h"
#include "net.h"
#include "node.h"
#include "progress.h"
#include "units.h"

#define changef strv_addf

static const char *kind_name(enum topo_kind k)
{
	return k == TOPO_ROUTER ? "router" : "host";
}

/* Is link j of a the same link (name and end names) as some link of b? */
static int link_in(const struct topo_net *a, int j, const struct topo_net *b)
{
	const struct topo_link *l = &a->links[j];
	int k = topo_link_find(b, l->name);

	if (k < 0)
		return -1;
	for (int s = 0; s < 2; s++)
		if (strcmp(a->nodes[l->end[s]].name, b->nodes[b->links[k].end[s]].name))
			return -1;
	return k;
}

static int node_in(const struct topo_net *a, int i, const struct topo_net *b)
{
	int k = topo_node_find(b, a->nodes[i].name);

	return k >= 0 && b->nodes[k].kind == a->nodes[i].kind ? k : -1;
}

static int running(const struct vnet_network *n)
{
	return strcmp(net_state_name(n), "stopped") != 0;
}

/* A node restored from an image (live_apply_restore()): the image part
 * for the new node of that name. */
struct live_restore {
	const char *node;
	json_t *part;
	int bird_gr;
};

/* Move the network to spec next (checked and planned into np; both taken
 * over), rs (may be NULL) giving a new node its saved tables. On a kernel
 * failure, go back to the old spec. */
static int swap_to(struct vnetd *d, struct vnet_network *n, struct topo_net *next,
		   struct plan *np, const struct live_restore *rs, int undoing,
		   struct vnet_err *err)
{
	struct topo_net old = n->spec;
	struct plan *oldplan = n->plan;
	struct node_rt *nrt = calloc((size_t)next->nnodes + 1, sizeof(*nrt));
	struct link_rt *lrt = calloc((size_t)next->nlinks + 1, sizeof(*lrt));
	char *fresh_node = calloc((size_t)next->nnodes + 1, 1);
	char *fresh_link = calloc((size_t)next->nlinks + 1, 1);
	int was_running = running(n), rc = 0;
	struct vnet_err e2;

	if (!nrt || !lrt || !fresh_node || !fresh_link) {
		free(nrt);
		free(lrt);
		free(fresh_node);
		free(fresh_link);
		topo_net_clear(next);
		plan_free(np);
		return vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
	}
	if (was_running) {
		int steps = 0;

		for (int i = 0; i < old.nnodes; i++)
			steps += node_in(&old, i, next) < 0 && n->nodes[i].state == NODE_RUNNING;
		for (int i = 0; i < next->nnodes; i++)
			steps += node_in(next, i, &old) < 0;
		progress_expect(steps);
	}
	/* 1. what goes away, with the old indices */
	for (int j = 0; j < old.nlinks; j++)
		if (link_in(&old, j, next) < 0)
			link_destroy(d, n, j);
	for (int i = 0; i < old.nnodes; i++)
		if (node_in(&old, i, next) < 0) {
			node_stop(d, n, i);
			json_decref(n->nodes[i].restore);	/* never started */
			n->nodes[i].restore = NULL;
		}
	/* 2. the run-time state follows its node or link by name */
	for (int i = 0; i < next->nnodes; i++) {
		int k = node_in(next, i, &old);

		if (k >= 0) {
			nrt[i] = n->nodes[k];
		} else {
			fresh_node[i] = 1;
			if (rs && rs->part && !strcmp(next->nodes[i].name, rs->node)) {
				nrt[i].restore = json_incref(rs->part);
				nrt[i].bird_gr = rs->bird_gr;
			}
		}
	}
	for (int j = 0; j < next->nlinks; j++) {
		int k = link_in(next, j, &old);

		if (k >= 0)
			lrt[j] = n->links[k];
		else
			fresh_link[j] = 1;
	}
	free(n->nodes);
	free(n->links);
	n->nodes = nrt;
	n->links = lrt;
	n->spec = *next;
	n->plan = np;
	memset(next, 0, sizeof(*next));
	/* 3. what is new, only while the network runs */
	if (was_running) {
		for (int j = 0; j < n->spec.nlinks && !rc; j++)
			if (fresh_link[j] && link_create(d, n, j, err))
				rc = -1;
		for (int i = 0; i < n->spec.nnodes && !rc; i++)
			if (fresh_node[i] && node_start(d, n, i, err))
				rc = -1;
		for (int j = 0; j < n->spec.nlinks && !rc; j++) {
			if (!fresh_link[j])
				continue;
			for (int s = 0; s < 2 && !rc; s++) {
				int e = n->spec.links[j].end[s];

				if (!fresh_node[e] && n->nodes[e].state == NODE_RUNNING &&
				    !n->links[j].attached[s] && link_attach(d, n, j, s, err))
					rc = -1;
			}
		}
		/* properties of links and nodes that stayed: all of them at once,
		 * mtu (one value for both directions) only when it changed */
		for (int j = 0; j < n->spec.nlinks && !rc; j++) {
			int k = link_in(&n->spec, j, &old);
			const struct topo_link *l = &n->spec.links[j];
			uint32_t mtu = LINKP_BIT(LINKP_MTU), mask;

			if (fresh_link[j] || k < 0)
				continue;
			if (memcmp(&l->dir[0], &old.links[k].dir[0], sizeof(l->dir[0])) ||
			    memcmp(&l->dir[1], &old.links[k].dir[1], sizeof(l->dir[1]))) {
				struct link_params want[2] = { l->dir[0], l->dir[1] };

				mask = LINKP_BIT(LINKP__COUNT) - 1;
				if (want[0].mtu == old.links[k].dir[0].mtu)
					mask &= ~mtu;
				want[1].mtu = want[0].mtu;
				if (link_set_params(d, n, j, want, mask, 3, err))
					rc = -1;
			}
			if (!rc && l->down != old.links[k].down &&
			    link_set_state(d, n, j, !l->down, err))
				rc = -1;
		}
		for (int i = 0; i < n->spec.nnodes && !rc; i++)
			if (!fresh_node[i] && node_limits(n, i, err))
				rc = -1;
		/* 4. every node learns its new neighbours and names */
		if (!rc && node_refresh_all(n, fresh_node, err))
			rc = -1;
	}
	free(fresh_node);
	free(fresh_link);
	if (rc && !undoing) {
		struct plan *bp = NULL;

		log_warn("live change of %s failed (%s); going back", n->spec.name, err->msg);
		if (plan_make(&old, NULL, &bp, &e2) == 0) {
			plan_free(oldplan);
			oldplan = NULL;
			if (swap_to(d, n, &old, bp, NULL, 1, &e2))
				log_error("cannot undo the change of %s: %s", n->spec.name, e2.msg);
		}
	}
	plan_free(oldplan);
	topo_net_clear(&old);
	net_save_record(d, n);
	return rc;
}

/* Check next (taken over), plan it, swap it in and change the kernel;
 * nodes and links keep their run-time state by name. INVALID when next is
 * not valid (nothing changed); when a kernel step failed the old spec is
 * back. */
static int live_apply(struct vnetd *d, struct vnet_network *n, struct topo_net *next,
		      struct vnet_err *err)
{
	struct plan *np = NULL;

	memset(&next->pos, 0, sizeof(next->pos));	/* no file: no line numbers */
	if (topo_net_check(next, NULL, err) || plan_make(next, NULL, &np, err)) {
		topo_net_clear(next);
		return vnet_err_class(err, VNET_ERR_INVALID);
	}
	return swap_to(d, n, next, np, NULL, 0, err);
}

int live_apply_restore(struct vnetd *d, struct vnet_network *n, struct topo_net *next,
		       struct plan *np, const char *node, json_t *part, int bird_gr,
		       struct vnet_err *err)
{
	struct live_restore rs = { node, part, bird_gr };

	return swap_to(d, n, next, np, &rs, 0, err);
}

/* ---- the difference between a running network and a file --------------- */

static void params_diff(struct strv *changes, const char *what, const struct link_params *a,
			const struct link_params *b)
{
	char x[64], y[64];

	for (int p = 0; p < LINKP__COUNT; p++) {
		const char *fa = linkp_is_set(a, p) ? linkp_fmt(a, p, x, sizeof(x)) : "0";
		const char *fb = linkp_is_set(b, p) ? linkp_fmt(b, p, y, sizeof(y)) : "0";

		if (strcmp(fa, fb))
			changef(changes, "%s: %s %s -> %s", what, linkp_name(p), fa, fb);
	}
}

static const char *res_fmt(uint64_t v, int cpu, char *buf, size_t n)
{
	if (!v)
		return "none";
	if (cpu)
		snprintf(buf, n, "%llu%%", (unsigned long long)v);
	else
		units_fmt_size(v, buf, n);
	return buf;
}

static int profiles_differ(const struct topo_link *a, const struct topo_link *b)
{
	return a->nprofile != b->nprofile || a->repeat != b->repeat ||
	       a->period_ns != b->period_ns ||
	       (a->nprofile > 0 && memcmp(a->profile, b->profile,
					  (size_t)a->nprofile * sizeof(*a->profile)));
}

/* next = cur changed to what want says (slots of what stays are kept);
 * one line per change appended to changes. 0 or -1 with err (a protocol
 * or prefix change is refused). */
static int live_diff(const struct topo_net *cur, const struct topo_net *want,
		     struct topo_net *next, struct strv *changes, struct vnet_err *err)
{
	char a[64], b[64];

	memset(next, 0, sizeof(*next));
	if (cur->proto != want->proto)
		return vnet_errc(err, VNET_ERR_CONFLICT, "changing the protocol of a running "
				 "network is not supported: vnet down %s first", cur->name);
	if (cur->nprefix != want->nprefix ||
	    memcmp(cur->prefix, want->prefix, sizeof(cur->prefix[0]) * (size_t)cur->nprefix))
		return vnet_errc(err, VNET_ERR_CONFLICT, "changing the prefixes of a running "
				 "network is not supported: vnet down %s first", cur->name);
	if (topo_net_dup(cur, next))
		return vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
	for (int j = next->nlinks - 1; j >= 0; j--)
		if (link_in(next, j, want) < 0) {
			changef(changes, "removed link %s", next->links[j].name);
			topo_net_del_link(next, j);
		}
	for (int i = next->nnodes - 1; i >= 0; i--)
		if (node_in(next, i, want) < 0) {
			changef(changes, "removed %s %s", kind_name(next->nodes[i].kind),
				next->nodes[i].name);
			topo_net_del_node(next, i);
		}
	for (int i = 0; i < want->nnodes; i++) {
		const struct topo_node *w = &want->nodes[i];
		int k = node_in(want, i, next);
		struct topo_node nd;

		if (k < 0) {
			if (topo_node_copy(&nd, w))
				goto nomem;
			if (topo_net_add_node(next, &nd) < 0) {
				free(nd.config);
				free(nd.config_path);
				goto nomem;
			}
			changef(changes, "added %s %s", kind_name(w->kind), w->name);
			continue;
		}
		struct topo_node *c = &next->nodes[k];

		if (c->cpu_pct != w->cpu_pct)
			changef(changes, "%s %s: cpu %s -> %s", kind_name(w->kind), w->name,
				res_fmt(c->cpu_pct, 1, a, sizeof(a)),
				res_fmt(w->cpu_pct, 1, b, sizeof(b)));
		if (c->mem_bytes != w->mem_bytes)
			changef(changes, "%s %s: memory %s -> %s", kind_name(w->kind), w->name,
				res_fmt(c->mem_bytes, 0, a, sizeof(a)),
				res_fmt(w->mem_bytes, 0, b, sizeof(b)));
		c->cpu_pct = w->cpu_pct;
		c->mem_bytes = w->mem_bytes;
		if ((c->config || w->config) &&
		    (!c->config || !w->config || strcmp(c->config, w->config))) {
			changef(changes, "router %s: BIRD config changed", w->name);
			if (topo_node_copy(&nd, w))
				goto nomem;
			free(c->config);
			free(c->config_path);
			c->config = nd.config;
			c->config_path = nd.config_path;
		}
	}
	for (int j = 0; j < want->nlinks; j++) {
		const struct topo_link *w = &want->links[j];
		int k = link_in(want, j, next);
		char what[160];

		if (k < 0) {
			struct topo_link l;

			if (topo_link_copy(&l, w))
				goto nomem;
			if (topo_net_add_link(next, &l,
					      topo_node_find(next, want->nodes[w->end[0]].name),
					      topo_node_find(next, want->nodes[w->end[1]].name)) < 0) {
				free(l.profile);
				goto nomem;
			}
			changef(changes, "added link %s", w->name);
			continue;
		}
		struct topo_link *c = &next->links[k];

		snprintf(what, sizeof(what), "link %s", w->name);
		if (!memcmp(&w->dir[0], &w->dir[1], sizeof(w->dir[0])) &&
		    !memcmp(&c->dir[0], &c->dir[1], sizeof(c->dir[0]))) {
			params_diff(changes, what, &c->dir[0], &w->dir[0]);
		} else {
			snprintf(what, sizeof(what), "link %s forward", w->name);
			params_diff(changes, what, &c->dir[0], &w->dir[0]);
			snprintf(what, sizeof(what), "link %s reverse", w->name);
			params_diff(changes, what, &c->dir[1], &w->dir[1]);
		}
		c->dir[0] = w->dir[0];
		c->dir[1] = w->dir[1];
		if (c->down != w->down)
			changef(changes, "link %s: %s -> %s", w->name, c->down ? "down" : "up",
				w->down ? "down" : "up");
		c->down = w->down;
		if (profiles_differ(c, w)) {
			struct topo_link cp;

			if (topo_link_copy(&cp, w))
				goto nomem;
			free(c->profile);
			c->profile = cp.profile;
			c->nprofile = w->nprofile;
			c->repeat = w->repeat;
			c->period_ns = w->period_ns;
			changef(changes, "link %s: profile changed (applies from the next "
				"network start or profile=on)", w->name);
		}
	}
	return 0;
nomem:
	topo_net_clear(next);
	return vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
}

/* ---- edits of one network ------------------------------------------------ */

/* Apply next to n; each change becomes an event. */
static int apply_changes(struct vnetd *d, struct vnet_network *n, struct topo_net *next,
			 const struct strv *changes, struct vnet_err *err)
{
	if (live_apply(d, n, next, err))
		return -1;
	for (size_t k = 0; k < changes->n; k++)
		event_add(d, n->spec.name, NULL, "%s", changes->v[k]);
	return 0;
}

/* Add link a-b described by r to next. */
static int add_link(struct topo_net *next, const struct live_link_req *r, const char *a,
		    const char *b, struct strv *changes, struct vnet_err *err)
{
	struct topo_link l;
	int ea = topo_node_find(next, a), eb = topo_node_find(next, b);

	memset(&l, 0, sizeof(l));
	linkp_init(&l.dir[0]);
	linkp_apply(&l.dir[0], &r->p, r->mask);
	l.dir[1] = l.dir[0];
	if (r->name) {
		if (!vnet_name_valid(r->name) || strlen(r->name) >= sizeof(l.name))
			return vnet_errc(err, VNET_ERR_INVALID, "bad link name '%s'", r->name);
		snprintf(l.name, sizeof(l.name), "%s", r->name);
	}
	if (ea < 0 || eb < 0)
		return vnet_errc(err, VNET_ERR_NOT_FOUND, "no node '%s' in network '%s'",
				 ea < 0 ? a : b, next->name);
	if (!l.name[0])
		snprintf(l.name, sizeof(l.name), "%s-%s", a, b);
	if (topo_link_find(next, l.name) >= 0)
		return vnet_errc(err, VNET_ERR_CONFLICT, "link '%s' already exists in network "
				 "'%s'", l.name, next->name);
	if (topo_net_add_link(next, &l, ea, eb) < 0)
		return vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
	changef(changes, "added link %s", l.name);
	return 0;
}

int live_node_add(struct vnetd *d, struct vnet_network *n, const struct live_node_req *r,
		  struct strv *changes, struct vnet_err *err)
{
	struct topo_net next;
	struct topo_node nd;

	memset(&nd, 0, sizeof(nd));
	if (!r->name || !vnet_name_valid(r->name))
		return vnet_errc(err, VNET_ERR_INVALID, "'%s' is not a node name: 1 to %d of "
				 "letters, digits, '_', and '.' or '-' inside",
				 r->name ? r->name : "", VNET_NAME_MAX - 1);
	if (r->config && r->kind == TOPO_HOST)
		return vnet_errc(err, VNET_ERR_INVALID, "a host has no BIRD config (routers only)");
	if (topo_node_find(&n->spec, r->name) >= 0)
		return vnet_errc(err, VNET_ERR_CONFLICT, "node '%s' already exists in network "
				 "'%s'", r->name, n->spec.name);
	if (r->nlinks == 0)
		return vnet_errc(err, VNET_ERR_INVALID, "%s would not be connected: add it with "
				 "a link, e.g. vnet router add %s/%s link=PEER, or with vnet up",
				 r->name, n->spec.name, r->name);
	snprintf(nd.name, sizeof(nd.name), "%s", r->name);
	nd.kind = r->kind;
	nd.cpu_pct = r->cpu_pct;
	nd.mem_bytes = r->mem_bytes;
	if (topo_net_dup(&n->spec, &next))
		return vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
	if (r->config && !(nd.config = strdup(r->config))) {
		vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
		goto fail;
	}
	if (topo_net_add_node(&next, &nd) < 0) {
		free(nd.config);
		vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
		goto fail;
	}
	changef(changes, "added %s %s", kind_name(nd.kind), r->name);
	for (int k = 0; k < r->nlinks; k++) {
		if (!r->links[k].peer) {
			vnet_errc(err, VNET_ERR_INVALID, "links[%d]: expected a peer name", k);
			goto fail;
		}
		if (add_link(&next, &r->links[k], r->name, r->links[k].peer, changes, err))
			goto fail;
	}
	return apply_changes(d, n, &next, changes, err);
fail:
	topo_net_clear(&next);
	return -1;
}

int live_link_add(struct vnetd *d, struct vnet_network *n, const char *a, const char *b,
		  const struct live_link_req *r, struct strv *changes, struct vnet_err *err)
{
	struct topo_net next;

	if (topo_net_dup(&n->spec, &next))
		return vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
	if (add_link(&next, r, a, b, changes, err)) {
		topo_net_clear(&next);
		return -1;
	}
	return apply_changes(d, n, &next, changes, err);
}

int live_link_del(struct vnetd *d, struct vnet_network *n, int j, struct strv *changes,
		  struct vnet_err *err)
{
	char name[VNET_LINK_NAME_MAX], msg[sizeof(err->msg)];
	struct topo_net next;

	snprintf(name, sizeof(name), "%s", n->spec.links[j].name);
	if (topo_net_dup(&n->spec, &next))
		return vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
	topo_net_del_link(&next, j);
	memset(&next.pos, 0, sizeof(next.pos));
	if (topo_net_check(&next, NULL, err)) {
		topo_net_clear(&next);
		snprintf(msg, sizeof(msg), "%s", err->msg);
		return vnet_errc(err, VNET_ERR_CONFLICT, "removing link %s is refused: %s", name,
				 msg);
	}
	changef(changes, "removed link %s", name);
	return apply_changes(d, n, &next, changes, err);
}

int live_node_del(struct vnetd *d, struct vnet_network *n, int i, struct strv *changes,
		  struct vnet_err *err)
{
	struct topo_net next;
	char used[400], name[VNET_NAME_MAX];
	size_t len = 0;
	int nused = 0;

	snprintf(name, sizeof(name), "%s", n->spec.nodes[i].name);
	used[0] = 0;
	for (int j = 0; j < n->spec.nlinks; j++)
		if (n->spec.links[j].end[0] == i || n->spec.links[j].end[1] == i) {
			if (len < sizeof(used) - 1)
				len += (size_t)snprintf(used + len, sizeof(used) - len, "%s%s",
							nused ? ", " : "", n->spec.links[j].name);
			nused++;
		}
	if (nused)
		return vnet_errc(err, VNET_ERR_CONFLICT, "%s/%s still has %s: %s (vnet link del "
				 "%s first)", n->spec.name, name, nused == 1 ? "a link" : "links",
				 used, nused == 1 ? "it" : "them");
	if (n->spec.nnodes == 1)
		return vnet_errc(err, VNET_ERR_CONFLICT, "%s is the last node of network '%s': "
				 "vnet down %s", name, n->spec.name, n->spec.name);
	if (topo_net_dup(&n->spec, &next))
		return vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
	changef(changes, "removed %s %s", kind_name(n->spec.nodes[i].kind), name);
	topo_net_del_node(&next, i);
	return apply_changes(d, n, &next, changes, err);
}

/* ---- vnet up of networks that exist -------------------------------------- */

struct live_up {
	int n;
	struct {
		char name[VNET_NAME_MAX];
		struct topo_net next;
		struct plan *np;	/* next's, made by live_up_prepare() */
		struct strv changes;
	} *v;
};

void live_up_free(struct live_up *lu)
{
	if (!lu)
		return;
	for (int i = 0; i < lu->n; i++) {
		topo_net_clear(&lu->v[i].next);
		plan_free(lu->v[i].np);
		strv_clear(&lu->v[i].changes);
	}
	free(lu->v);
	free(lu);
}

int live_up_prepare(struct vnetd *d, struct topo *t, struct live_up **out,
		    struct vnet_err *err)
{
	struct live_up *lu = calloc(1, sizeof(*lu));
	int keep = 0;

	*out = NULL;
	if (!lu || !(lu->v = calloc((size_t)t->nnets + 1, sizeof(*lu->v)))) {
		free(lu);
		return vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
	}
	for (int i = 0; i < t->nnets; i++) {
		struct vnet_network *n = net_find(d, t->nets[i].name);
		char pre[300];

		if (!n)
			continue;
		snprintf(pre, sizeof(pre), "%s:%d:%d: network '%s': ", t->file,
			 t->nets[i].pos.line, t->nets[i].pos.col, n->spec.name);
		snprintf(lu->v[lu->n].name, sizeof(lu->v[0].name), "%s", n->spec.name);
		if (live_diff(&n->spec, &t->nets[i], &lu->v[lu->n].next, &lu->v[lu->n].changes,
			      err) ||
		    topo_net_check(&lu->v[lu->n].next, NULL, err) ||
		    plan_make(&lu->v[lu->n].next, NULL, &lu->v[lu->n].np, err)) {
			char msg[sizeof(err->msg)];
			enum vnet_err_class cls = err->cls == VNET_ERR_INTERNAL ? VNET_ERR_INVALID
										: err->cls;

			snprintf(msg, sizeof(msg), "%s", err->msg);
			vnet_errc(err, cls, "%s%s", pre, msg);
			lu->n++;
			live_up_free(lu);
			return -1;
		}
		lu->n++;
	}
	/* the networks that exist leave t: net_up() makes the others */
	for (int i = 0; i < t->nnets; i++) {
		if (net_find(d, t->nets[i].name))
			topo_net_clear(&t->nets[i]);
		else
			t->nets[keep++] = t->nets[i];
	}
	t->nnets = keep;
	*out = lu;
	return 0;
}

int live_up_apply(struct vnetd *d, struct live_up *lu, struct live_changed **out, int *nout,
		  struct vnet_err *err)
{
	struct live_changed *ch = calloc((size_t)lu->n + 1, sizeof(*ch));
	int rc = 0, k = 0;

	*out = NULL;
	*nout = 0;
	if (!ch) {
		live_up_free(lu);
		return vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
	}
	for (int i = 0; i < lu->n && !rc; i++) {
		struct vnet_network *n = net_find(d, lu->v[i].name);
		struct strv *c = &lu->v[i].changes;

		if (!n)
			continue;
		snprintf(ch[k].net, sizeof(ch[k].net), "%s", lu->v[i].name);
		if (c->n) {
			/* checked and planned by live_up_prepare(); swap_to() takes both */
			rc = swap_to(d, n, &lu->v[i].next, lu->v[i].np, NULL, 0, err);
			lu->v[i].np = NULL;
			if (rc)
				break;
			for (size_t e = 0; e < c->n; e++)
				event_add(d, n->spec.name, NULL, "%s", c->v[e]);
		}
		ch[k].changes = *c;	/* taken over; empty: unchanged */
		*c = (struct strv){ 0 };
		k++;
	}
	live_up_free(lu);
	if (rc) {
		live_changed_free(ch, k);
		return -1;
	}
	*out = ch;
	*nout = k;
	return 0;
}

void live_changed_free(struct live_changed *ch, int n)
{
	for (int i = 0; ch && i < n; i++)
		strv_clear(&ch[i].changes);
	free(ch);
}
