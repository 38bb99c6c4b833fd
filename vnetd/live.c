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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "live.h"
#include "log.h"
#include "units.h"

static void changef(json_t *changes, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void changef(json_t *changes, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (changes)
		json_array_append_new(changes, json_string(buf));
}

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
		return vnet_errf(err, "out of memory");
	}
	if (was_running) {
		int steps = 0;

		for (int i = 0; i < old.nnodes; i++)
			steps += node_in(&old, i, next) < 0 && n->nodes[i].state == NODE_RUNNING;
		for (int i = 0; i < next->nnodes; i++)
			steps += node_in(next, i, &old) < 0;
		progress_expect(d, steps);
	}
	/* 1. what goes away, with the old indices */
	for (int j = 0; j < old.nlinks; j++)
		if (link_in(&old, j, next) < 0)
			link_destroy(d, n, j);
	for (int i = 0; i < old.nnodes; i++)
		if (node_in(&old, i, next) < 0) {
			router_stop(d, n, i);
			json_decref(n->nodes[i].restore);	/* never started */
			n->nodes[i].restore = NULL;
		}
	/* 2. the run-time state follows its node or link by name */
	for (int i = 0; i < next->nnodes; i++) {
		int k = node_in(next, i, &old);

		if (k >= 0) {
			nrt[i] = n->nodes[k];
		} else {
			nrt[i].netns_fd = -1;
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
			if (fresh_node[i] && router_start(d, n, i, err))
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
		for (int i = 0; i < n->spec.nnodes && !rc; i++) {
			struct node_rt *nr = &n->nodes[i];

			if (fresh_node[i] || nr->state != NODE_RUNNING || !nr->cg)
				continue;
			if (cgroup_set_cpu(nr->cg, n->spec.nodes[i].cpu_pct, err) ||
			    cgroup_set_memory(nr->cg, n->spec.nodes[i].mem_bytes, err))
				rc = -1;
		}
		/* 4. every node learns its new neighbours and names */
		if (!rc && router_refresh_all(n, fresh_node, err))
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
 * nodes and links keep their run-time state by name. -EINVAL with err when
 * next is not valid (nothing changed), -EIO when a kernel step failed (the
 * old spec is back), 0 on success. */
static int live_apply(struct vnetd *d, struct vnet_network *n, struct topo_net *next,
		      struct vnet_err *err)
{
	struct plan *np = NULL;

	memset(&next->pos, 0, sizeof(next->pos));	/* no file: no line numbers */
	if (topo_net_check(next, NULL, err) || plan_make(next, NULL, &np, err)) {
		topo_net_clear(next);
		return -EINVAL;
	}
	return swap_to(d, n, next, np, NULL, 0, err) ? -EIO : 0;
}

int live_apply_restore(struct vnetd *d, struct vnet_network *n, struct topo_net *next,
		       struct plan *np, const char *node, json_t *part, int bird_gr,
		       struct vnet_err *err)
{
	struct live_restore rs = { node, part, bird_gr };

	return swap_to(d, n, next, np, &rs, 0, err) ? -EIO : 0;
}

/* ---- the difference between a running network and a file --------------- */

static void params_diff(json_t *changes, const char *what, const struct link_params *a,
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
		     struct topo_net *next, json_t *changes, struct vnet_err *err)
{
	char a[64], b[64];

	memset(next, 0, sizeof(*next));
	if (cur->proto != want->proto)
		return vnet_errf(err, "changing the protocol of a running network is not "
				 "supported: vnet down %s first", cur->name);
	if (cur->nprefix != want->nprefix ||
	    memcmp(cur->prefix, want->prefix, sizeof(cur->prefix[0]) * (size_t)cur->nprefix))
		return vnet_errf(err, "changing the prefixes of a running network is not "
				 "supported: vnet down %s first", cur->name);
	if (topo_net_dup(cur, next))
		return vnet_errf(err, "out of memory");
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
	return vnet_errf(err, "out of memory");
}

/* ---- API ---------------------------------------------------------------- */


static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Apply next to n and answer {"network", "changed": [...]}. */
static int apply_answer(struct vnetd *d, struct vnet_network *n, struct topo_net *next,
			json_t *changes, json_t **out)
{
	struct vnet_err err;
	int rc = live_apply(d, n, next, &err);
	size_t k;
	json_t *c;

	if (rc) {
		json_decref(changes);
		return api_failf(out, rc == -EINVAL ? 400 : 500, "%s", err.msg);
	}
	json_array_foreach(changes, k, c)
		vnetd_event(d, n->spec.name, NULL, "%s", json_string_value(c));
	*out = json_pack("{s:s, s:o}", "network", n->spec.name, "changed", changes);
	return 200;
}

/* A link from {"name"?, "set"?} (set: properties of both directions). */
static int link_from_body(const json_t *o, struct topo_link *l, json_t **out)
{
	const char *key;
	json_t *v, *set = json_object_get(o, "set");
	uint32_t mask = 0;
	char msg[256];

	memset(l, 0, sizeof(*l));
	linkp_init(&l->dir[0]);
	if (set && !json_is_object(set))
		return api_failf(out, 400, "'set' must be an object such as {\"delay\": \"5ms\"}");
	json_object_foreach(set, key, v) {
		if (!json_is_string(v))
			return api_failf(out, 400, "value of '%s' must be a string such as "
				     "\"10mbit\"", key);
		if (linkp_set(&l->dir[0], &mask, key, json_string_value(v), msg, sizeof(msg)))
			return api_failf(out, 400, "%s", msg);
	}
	l->dir[1] = l->dir[0];
	if ((v = json_object_get(o, "name"))) {
		if (!json_is_string(v) || !vnet_name_valid(json_string_value(v)))
			return api_failf(out, 400, "'name' must be a link name");
		snprintf(l->name, sizeof(l->name), "%s", json_string_value(v));
	}
	return 0;
}

/* Add link a-b described by o to next; 0 or an HTTP status. */
static int add_link(struct topo_net *next, const json_t *o, const char *a, const char *b,
		    json_t *changes, json_t **out)
{
	struct topo_link l;
	int ea = topo_node_find(next, a), eb = topo_node_find(next, b), rc;

	if ((rc = link_from_body(o, &l, out)))
		return rc;
	if (ea < 0 || eb < 0)
		return api_failf(out, 404, "no node '%s' in network '%s'", ea < 0 ? a : b,
			     next->name);
	if (!l.name[0])
		snprintf(l.name, sizeof(l.name), "%s-%s", a, b);
	if (topo_link_find(next, l.name) >= 0)
		return api_failf(out, 409, "link '%s' already exists in network '%s'", l.name,
			     next->name);
	if (topo_net_add_link(next, &l, ea, eb) < 0)
		return api_failf(out, 500, "out of memory");
	changef(changes, "added link %s", l.name);
	return 0;
}

int live_node_add(struct vnetd *d, struct vnet_network *n, const json_t *body, json_t **out)
{
	static const char *const known[] = { "name", "kind", "cpu", "memory", "config",
					     "links", NULL };
	struct topo_net next;
	struct topo_node nd;
	const char *name = str(body, "name"), *kind = str(body, "kind");
	json_t *links = json_object_get(body, "links"), *e, *changes;
	size_t k;
	int rc;

	if ((rc = api_check_keys(body, known, out)))
		return rc;
	memset(&nd, 0, sizeof(nd));
	if (!name || !vnet_name_valid(name))
		return api_failf(out, 400, "'name' must be a node name");
	snprintf(nd.name, sizeof(nd.name), "%s", name);
	if (kind && strcmp(kind, "router") && strcmp(kind, "host"))
		return api_failf(out, 400, "'kind' must be \"router\" or \"host\"");
	nd.kind = kind && !strcmp(kind, "host") ? TOPO_HOST : TOPO_ROUTER;
	if (str(body, "cpu") && units_parse_cpu(str(body, "cpu"), &nd.cpu_pct))
		return api_failf(out, 400, "bad cpu '%s': expected %s", str(body, "cpu"),
			     UNITS_CPU_FORM);
	if (str(body, "memory") && units_parse_size(str(body, "memory"), &nd.mem_bytes))
		return api_failf(out, 400, "bad memory '%s': expected %s", str(body, "memory"),
			     UNITS_SIZE_FORM);
	if (json_object_get(body, "config") && (!str(body, "config") || nd.kind == TOPO_HOST))
		return api_failf(out, 400, "'config' must be BIRD config text (routers only)");
	if (links && !json_is_array(links))
		return api_failf(out, 400, "'links' must be a list such as [{\"peer\": \"r4\"}]");
	if (topo_node_find(&n->spec, name) >= 0)
		return api_failf(out, 409, "node '%s' already exists in network '%s'", name,
			     n->spec.name);
	if (topo_net_dup(&n->spec, &next))
		return api_failf(out, 500, "out of memory");
	changes = json_array();
	if (str(body, "config"))
		nd.config = strdup(str(body, "config"));
	if (topo_net_add_node(&next, &nd) < 0) {
		free(nd.config);
		rc = api_failf(out, 500, "out of memory");
		goto fail;
	}
	changef(changes, "added %s %s", kind_name(nd.kind), name);
	json_array_foreach(links, k, e) {
		const char *peer = json_is_string(e) ? json_string_value(e) : str(e, "peer");
		static const char *const lknown[] = { "peer", "name", "set", NULL };

		if (!json_is_string(e) && (rc = api_check_keys(e, lknown, out)))
			goto fail;
		if (!peer) {
			rc = api_failf(out, 400, "links[%zu]: expected a peer name or "
				   "{\"peer\": \"r4\", \"set\": {...}}", k);
			goto fail;
		}
		if ((rc = add_link(&next, json_is_string(e) ? NULL : e, name, peer, changes, out)))
			goto fail;
	}
	if (!links || !json_array_size(links)) {
		rc = api_failf(out, 400, "%s would not be connected: add it with a link, e.g. "
			   "vnet router add %s/%s link=PEER, or with vnet up", name,
			   n->spec.name, name);
		goto fail;
	}
	return apply_answer(d, n, &next, changes, out);
fail:
	json_decref(changes);
	topo_net_clear(&next);
	return rc;
}

int live_link_add(struct vnetd *d, struct vnet_network *n, const json_t *body, json_t **out)
{
	static const char *const known[] = { "ends", "name", "set", NULL };
	json_t *ends = json_object_get(body, "ends"), *changes;
	struct topo_net next;
	int rc;

	if ((rc = api_check_keys(body, known, out)))
		return rc;
	if (!json_is_array(ends) || json_array_size(ends) != 2 ||
	    !json_is_string(json_array_get(ends, 0)) || !json_is_string(json_array_get(ends, 1)))
		return api_failf(out, 400, "'ends' must be two node names such as [\"r4\", \"r5\"]");
	if (topo_net_dup(&n->spec, &next))
		return api_failf(out, 500, "out of memory");
	changes = json_array();
	if ((rc = add_link(&next, body, json_string_value(json_array_get(ends, 0)),
			   json_string_value(json_array_get(ends, 1)), changes, out))) {
		json_decref(changes);
		topo_net_clear(&next);
		return rc;
	}
	return apply_answer(d, n, &next, changes, out);
}

int live_link_del(struct vnetd *d, struct vnet_network *n, int j, json_t **out)
{
	struct topo_net next;
	json_t *changes;
	struct vnet_err err;
	char name[VNET_LINK_NAME_MAX];

	snprintf(name, sizeof(name), "%s", n->spec.links[j].name);
	if (topo_net_dup(&n->spec, &next))
		return api_failf(out, 500, "out of memory");
	topo_net_del_link(&next, j);
	memset(&next.pos, 0, sizeof(next.pos));
	if (topo_net_check(&next, NULL, &err)) {
		topo_net_clear(&next);
		return api_failf(out, 409, "removing link %s is refused: %s", name, err.msg);
	}
	changes = json_array();
	changef(changes, "removed link %s", name);
	return apply_answer(d, n, &next, changes, out);
}

int live_node_del(struct vnetd *d, struct vnet_network *n, int i, json_t **out)
{
	struct topo_net next;
	json_t *changes;
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
		return api_failf(out, 409, "%s/%s still has %s: %s (vnet link del %s first)",
			     n->spec.name, name, nused == 1 ? "a link" : "links", used,
			     nused == 1 ? "it" : "them");
	if (n->spec.nnodes == 1)
		return api_failf(out, 409, "%s is the last node of network '%s': vnet down %s",
			     name, n->spec.name, n->spec.name);
	if (topo_net_dup(&n->spec, &next))
		return api_failf(out, 500, "out of memory");
	changes = json_array();
	changef(changes, "removed %s %s", kind_name(n->spec.nodes[i].kind), name);
	topo_net_del_node(&next, i);
	return apply_answer(d, n, &next, changes, out);
}

/* ---- vnet up of networks that exist -------------------------------------- */

struct live_up {
	int n;
	struct {
		char name[VNET_NAME_MAX];
		struct topo_net next;
		struct plan *np;	/* next's, made by live_up_prepare() */
		json_t *changes;
	} *v;
};

void live_up_free(struct live_up *lu)
{
	if (!lu)
		return;
	for (int i = 0; i < lu->n; i++) {
		topo_net_clear(&lu->v[i].next);
		plan_free(lu->v[i].np);
		json_decref(lu->v[i].changes);
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
		return vnet_errf(err, "out of memory"), -ENOMEM;
	}
	for (int i = 0; i < t->nnets; i++) {
		struct vnet_network *n = net_find(d, t->nets[i].name);
		char pre[300];

		if (!n)
			continue;
		snprintf(pre, sizeof(pre), "%s:%d:%d: network '%s': ", t->file,
			 t->nets[i].pos.line, t->nets[i].pos.col, n->spec.name);
		lu->v[lu->n].changes = json_array();
		snprintf(lu->v[lu->n].name, sizeof(lu->v[0].name), "%s", n->spec.name);
		if (live_diff(&n->spec, &t->nets[i], &lu->v[lu->n].next, lu->v[lu->n].changes,
			      err) ||
		    topo_net_check(&lu->v[lu->n].next, NULL, err) ||
		    plan_make(&lu->v[lu->n].next, NULL, &lu->v[lu->n].np, err)) {
			char msg[sizeof(err->msg)];

			snprintf(msg, sizeof(msg), "%s", err->msg);
			vnet_errf(err, "%s%s", pre, msg);
			lu->n++;
			live_up_free(lu);
			return -EINVAL;
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

int live_up_apply(struct vnetd *d, struct live_up *lu, json_t *changed, struct vnet_err *err)
{
	int rc = 0;

	for (int i = 0; i < lu->n; i++) {
		struct vnet_network *n = net_find(d, lu->v[i].name);
		json_t *c = lu->v[i].changes;
		size_t k;
		json_t *e;

		if (!n)
			continue;
		if (!json_array_size(c)) {
			json_object_set(changed, lu->v[i].name, c);	/* unchanged */
			continue;
		}
		/* checked and planned by live_up_prepare(); swap_to() takes both */
		rc = swap_to(d, n, &lu->v[i].next, lu->v[i].np, NULL, 0, err);
		lu->v[i].np = NULL;
		if (rc)
			break;
		json_array_foreach(c, k, e)
			vnetd_event(d, n->spec.name, NULL, "%s", json_string_value(e));
		json_object_set(changed, lu->v[i].name, c);
	}
	live_up_free(lu);
	return rc;
}
