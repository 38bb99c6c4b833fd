/*
 * save.c - network images: save a running network to an image file, restore
 * one (also under a new name), copy a network (save to memory + restore).
 *
 * An image of kind "network" (lib/image.h) holds these parts:
 *
 *   spec.json          spec_to_json() of the network (links with their
 *                      properties and up/down, nodes with their resources)
 *   state.json         {"state": "running", "links": {"r1-r2": "up", ...},
 *                      "nodes": {"r1": "running", ...}}
 *   nodes/NAME.json    per running node: {"interfaces": [{"name", "mac",
 *                      "addresses"}], "routes": [...], "neighbours": [...]}
 *
 * A route is {"dst": "10.1.0.2/32", "gw": "10.1.64.2", "dev": "eth1",
 * "protocol": 12, "metric": 32} (gw absent for a direct route, "nexthops":
 * [{"gw", "dev"}, ...] for a multipath one); a neighbour is {"ip", "lladdr",
 * "dev", "state": "stale"|"permanent"}. Kernel-made routes (proto kernel:
 * the connected prefixes) and link-local or multicast ones are not saved:
 * the addresses bring them back. Nor are neighbours without a usable
 * address (INCOMPLETE, FAILED) or NOARP ones (the kernel makes those).
 *
 * The same tables give the same bytes. Routes come in the kernel's order,
 * that of its prefix trees; a multipath route's next hops too, as their
 * order decides which flow takes which. Neighbours are sorted by device,
 * then address (the kernel's order is that of a hash table seeded at
 * random), and their state is the one a restore installs, not the kernel's
 * of the instant: "stale" for every dynamic entry (REACHABLE, DELAY, PROBE
 * change with traffic and time), "permanent". "reachable", written by older
 * versions, reads as "stale".
 *
 * Save freezes every running node (cgroup freezer) for the capture, so the
 * tables of all nodes are of one instant, then thaws those it froze (a node
 * that was already paused stays paused). A stopped network is refused:
 * there is nothing to capture, and its spec is already in the store.
 *
 * Restore validates everything before it creates anything (the image, the
 * spec, the name, the MACs), then starts the network: in router_start(),
 * after the interfaces are configured and before BIRD starts, the saved
 * routes (with their own protocol number) are installed (restore_apply),
 * and BIRD is started with -R (graceful restart recovery), so its kernel
 * protocol keeps those routes as its own until the routing protocol has
 * re-converged: forwarding works at once. The neighbours follow once every
 * node is started (restore_neighbours), each when the kernel sees carrier
 * on its interface: a node started before its peers sees its carrier go
 * down, and the kernel flushes the interface's dynamic neighbours when it
 * handles that, possibly after they were installed. Under a new name the
 * MACs change (the plan hashes them from the names), so neighbours are not
 * restored; with a new prefix neither routes nor neighbours are.
 */
#include <errno.h>
#include <linux/neighbour.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "api.h"
#include "image.h"
#include "live.h"
#include "log.h"
#include "nl.h"
#include "spec.h"
#include "vnetd.h"

/* ---- JSON of routes and neighbours --------------------------------------- */

static json_t *route_json(const struct nl_route *r)
{
	char buf[VNET_ADDRSTRLEN];
	json_t *o = json_object();

	json_object_set_new(o, "dst", json_string(addr_fmt(&r->dst, buf, sizeof(buf), 1)));
	if (r->nnh > 1) {
		json_t *a = json_array();

		for (int k = 0; k < r->nnh; k++) {
			json_t *h = json_pack("{s:s}", "dev", r->nh[k].dev);

			if (r->nh[k].gw.family)
				json_object_set_new(h, "gw", json_string(addr_fmt(&r->nh[k].gw,
										 buf, sizeof(buf), 0)));
			json_array_append_new(a, h);
		}
		json_object_set_new(o, "nexthops", a);
	} else {
		if (r->gw.family)
			json_object_set_new(o, "gw", json_string(addr_fmt(&r->gw, buf,
									 sizeof(buf), 0)));
		if (r->dev[0])
			json_object_set_new(o, "dev", json_string(r->dev));
	}
	json_object_set_new(o, "protocol", json_integer(r->protocol));
	json_object_set_new(o, "metric", json_integer(r->metric));
	return o;
}

static int gw_parse(json_t *v, int family, struct vnet_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!v)
		return 0;
	if (!json_is_string(v) || addr_parse(json_string_value(v), a, 0) || a->family != family)
		return -1;
	return 0;
}

static int route_from_json(json_t *j, struct nl_route *r)
{
	json_t *nh = json_object_get(j, "nexthops"), *h;
	const char *dst = json_string_value(json_object_get(j, "dst"));
	const char *dev = json_string_value(json_object_get(j, "dev"));
	json_int_t proto = json_integer_value(json_object_get(j, "protocol"));
	json_int_t metric = json_integer_value(json_object_get(j, "metric"));
	size_t k;

	memset(r, 0, sizeof(*r));
	if (!dst || addr_parse(dst, &r->dst, 1) || proto < 0 || proto > 255 || metric < 0 ||
	    metric > UINT32_MAX)
		return -1;
	r->protocol = (uint8_t)proto;
	r->metric = (uint32_t)metric;
	if (json_is_array(nh)) {
		json_array_foreach(nh, k, h) {
			const char *hd = json_string_value(json_object_get(h, "dev"));

			if (r->nnh == NL_NH_MAX || !hd ||
			    gw_parse(json_object_get(h, "gw"), r->dst.family, &r->nh[r->nnh].gw))
				return -1;
			snprintf(r->nh[r->nnh].dev, sizeof(r->nh[0].dev), "%s", hd);
			r->nnh++;
		}
		return r->nnh ? 0 : -1;
	}
	if (gw_parse(json_object_get(j, "gw"), r->dst.family, &r->gw))
		return -1;
	if (dev)
		snprintf(r->dev, sizeof(r->dev), "%s", dev);
	return r->gw.family || r->dev[0] ? 0 : -1;
}

/* The state is what a restore installs, not the kernel's state of the
 * moment (REACHABLE, DELAY... change with traffic and time): a dynamic entry
 * comes back as STALE, so the kernel confirms it when it is next used. */
static json_t *neigh_json(const struct nl_neigh *ne)
{
	char buf[VNET_ADDRSTRLEN], mac[24];

	return json_pack("{s:s, s:s, s:s, s:s}",
			 "ip", addr_fmt(&ne->ip, buf, sizeof(buf), 0),
			 "lladdr", addr_mac_fmt(ne->lladdr, mac, sizeof(mac)), "dev", ne->dev,
			 "state", ne->state & NUD_PERMANENT ? "permanent" : "stale");
}

static int neigh_from_json(json_t *j, struct nl_neigh *ne)
{
	const char *ip = json_string_value(json_object_get(j, "ip"));
	const char *dev = json_string_value(json_object_get(j, "dev"));
	const char *st = json_string_value(json_object_get(j, "state"));

	memset(ne, 0, sizeof(*ne));
	if (!ip || !dev || !st || addr_parse(ip, &ne->ip, 0) ||
	    addr_mac_parse(json_string_value(json_object_get(j, "lladdr")), ne->lladdr))
		return -1;
	snprintf(ne->dev, sizeof(ne->dev), "%s", dev);
	/* "reachable": written by older versions; not confirmed now either */
	if (!strcmp(st, "permanent"))
		ne->state = NUD_PERMANENT;
	else if (!strcmp(st, "stale") || !strcmp(st, "reachable"))
		ne->state = NUD_STALE;
	else
		return -1;
	return 0;
}

/* By device, then address: the kernel lists neighbours in the order of its
 * hash table, which is seeded at random. */
static int neigh_cmp(const void *a, const void *b)
{
	const struct nl_neigh *x = a, *y = b;
	int c = strcmp(x->dev, y->dev);

	if (c)
		return c;
	if (x->ip.family != y->ip.family)
		return x->ip.family < y->ip.family ? -1 : 1;
	return memcmp(x->ip.a, y->ip.a, sizeof(x->ip.a));
}

/* ---- capture ------------------------------------------------------------- */

static json_t *ifaces_json(const struct plan_node *pn)
{
	json_t *a = json_array();
	char mac[24];

	for (int k = 0; k < pn->nifs; k++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:o}", "name", pn->ifs[k].ifname,
						   "mac", addr_mac_fmt(pn->ifs[k].mac, mac, sizeof(mac)),
						   "addresses",
						   api_addr_list(pn->ifs[k].addr, pn->ifs[k].naddr, 1)));
	return a;
}

static int neigh_append(struct nl_neigh **all, int *nall, const struct nl_neigh *ne, int n)
{
	struct nl_neigh *p;

	if (n == 0)
		return 0;
	if (!(p = realloc(*all, (size_t)(*nall + n) * sizeof(*p))))
		return -ENOMEM;
	memcpy(p + *nall, ne, (size_t)n * sizeof(*p));
	*all = p;
	*nall += n;
	return 0;
}

/* nodes/NAME.json of a running node. Routes in the kernel's order (that of
 * its prefix trees, so the same routes always come in the same order; the
 * order of a route's next hops decides which flow takes which, so it is
 * kept), neighbours sorted. */
static json_t *node_part(struct vnet_network *n, int i, struct vnet_err *err)
{
	json_t *routes = json_array(), *neigh = json_array();
	struct nl *nl = nl_open(n->nodes[i].netns_fd);
	struct nl_neigh *all = NULL;
	int nall = 0, rc = 0;

	if (!nl) {
		vnet_errf(err, "netlink in %s/%s: %s", n->spec.name, n->spec.nodes[i].name,
			  strerror(errno));
		goto fail;
	}
	for (int p = 0; p < n->spec.nprefix && rc == 0; p++) {
		int fam = n->spec.prefix[p].family, cnt = 0;
		struct nl_route *r = NULL;
		struct nl_neigh *ne = NULL;

		if ((rc = nl_route_list(nl, fam, &r, &cnt)) == 0)
			for (int k = 0; k < cnt; k++)
				json_array_append_new(routes, route_json(&r[k]));
		free(r);
		if (rc == 0 && (rc = nl_neigh_list(nl, fam, &ne, &cnt)) == 0)
			rc = neigh_append(&all, &nall, ne, cnt);
		free(ne);
	}
	nl_close(nl);
	if (rc < 0) {
		vnet_errf(err, "cannot read the tables of %s/%s: %s", n->spec.name,
			  n->spec.nodes[i].name, strerror(-rc));
		goto fail;
	}
	if (nall)
		qsort(all, (size_t)nall, sizeof(*all), neigh_cmp);
	for (int k = 0; k < nall; k++)
		json_array_append_new(neigh, neigh_json(&all[k]));
	free(all);
	return json_pack("{s:o, s:o, s:o}", "interfaces", ifaces_json(&n->plan->nodes[i]), "routes", routes,
			 "neighbours", neigh);
fail:
	free(all);
	json_decref(routes);
	json_decref(neigh);
	return NULL;
}

static json_t *state_part(const struct vnet_network *n)
{
	json_t *links = json_object(), *nodes = json_object();

	for (int l = 0; l < n->spec.nlinks; l++)
		json_object_set_new(links, n->spec.links[l].name,
				    json_string(n->spec.links[l].down ? "down" : "up"));
	for (int i = 0; i < n->spec.nnodes; i++)
		json_object_set_new(nodes, n->spec.nodes[i].name,
				    json_string(router_state_name(&n->nodes[i])));
	return json_pack("{s:s, s:o, s:o}", "state", net_state_name(n), "links", links,
			 "nodes", nodes);
}

/* The image of a network. Returns 0 (writer in *out) or an HTTP status. */
static int net_image(struct vnetd *d, struct vnet_network *n, struct image_writer **out,
		     int *nnodes, int64_t *frozen_ms, struct vnet_err *err)
{
	struct image_writer *w;
	int *froze, status = 0;
	json_t *j;
	int64_t t0;
	char part[IMAGE_PART_NAME_MAX + 1];

	*out = NULL;
	*nnodes = 0;
	if (!strcmp(net_state_name(n), "stopped"))
		return vnet_errf(err, "network '%s' is stopped: nothing to capture (its spec "
				 "is kept by vnetd; start it to save it)", n->spec.name), 409;
	if (!(w = image_writer_new("network", n->spec.name)) ||
	    !(froze = calloc((size_t)n->spec.nnodes + 1, sizeof(*froze)))) {
		image_writer_free(w);
		return vnet_errf(err, "out of memory"), 500;
	}
	j = spec_to_json(&n->spec);
	image_writer_add_json(w, "spec.json", j);
	json_decref(j);
	j = state_part(n);
	image_writer_add_json(w, "state.json", j);
	json_decref(j);

	/* One instant for all: freeze every running node, capture, thaw. */
	t0 = now_ms();
	for (int i = 0; i < n->spec.nnodes && !status; i++) {
		struct node_rt *nr = &n->nodes[i];

		if (nr->state == NODE_RUNNING && !nr->paused) {
			if (router_pause(d, n, i, 1, err))
				status = 500;
			else
				froze[i] = 1;
		}
	}
	for (int i = 0; i < n->spec.nnodes && !status; i++) {
		if (n->nodes[i].state != NODE_RUNNING)
			continue;
		if (!(j = node_part(n, i, err))) {
			status = 500;
			break;
		}
		snprintf(part, sizeof(part), "nodes/%s.json", n->spec.nodes[i].name);
		image_writer_add_json(w, part, j);
		json_decref(j);
		(*nnodes)++;
	}
	for (int i = 0; i < n->spec.nnodes; i++)
		if (froze[i])
			router_pause(d, n, i, 0, NULL);
	*frozen_ms = now_ms() - t0;
	free(froze);
	if (status) {
		image_writer_free(w);
		return status;
	}
	*out = w;
	return 0;
}

/* ---- restore ------------------------------------------------------------- */

/*
 * Installing the saved routes or neighbours of a node: each entry of the
 * JSON array goes through install(), which returns 1 when the entry is in,
 * 0 when it is in but on an interface without carrier, or -errno. The
 * first failures are logged with the entry's `key` field; one event sums
 * up the node.
 */
struct saved_kind {
	const char *one, *many, *key;	/* "route", "routes", "dst" */
	int (*install)(struct nl *nl, json_t *entry, void *ctx);
};

static void install_saved(struct vnetd *d, struct vnet_network *n, int i, json_t *a,
			  const struct saved_kind *kind, void *ctx)
{
	const char *net = n->spec.name, *node = n->spec.nodes[i].name;
	int ok = 0, nocarrier = 0, failed = 0;
	struct nl *nl;
	json_t *v;
	size_t k;

	if (!(nl = nl_open(n->nodes[i].netns_fd))) {
		vnetd_event(d, net, node, "cannot restore the %s: netlink: %s", kind->many,
			    strerror(errno));
		return;
	}
	json_array_foreach(a, k, v) {
		int rc = kind->install(nl, v, ctx);

		if (rc < 0) {
			if (failed++ < 3)
				log_error("%s/%s: cannot restore %s %s: %s", net, node, kind->one,
					  json_string_value(json_object_get(v, kind->key)) ?: "?",
					  strerror(-rc));
			continue;
		}
		ok++;
		nocarrier += rc == 0;
	}
	nl_close(nl);
	vnetd_event(d, net, node, "restored %d %s from the image%s%s", ok, kind->many,
		    nocarrier ? " (some on links without carrier)" : "",
		    failed ? " (some failed, see the log)" : "");
}

static int route_install(struct nl *nl, json_t *entry, void *ctx)
{
	struct nl_route r;
	int rc;

	(void)ctx;
	if (route_from_json(entry, &r))
		return -EINVAL;
	return (rc = nl_route_add_full(nl, &r)) < 0 ? rc : 1;
}

static const struct saved_kind saved_routes = { "route", "routes", "dst", route_install };

void restore_apply(struct vnetd *d, struct vnet_network *n, int i)
{
	struct node_rt *nr = &n->nodes[i];
	json_t *j = nr->restore;

	nr->restore = NULL;
	if (!j)
		return;
	/* for restore_neighbours(), once the links have carrier */
	if (json_array_size(json_object_get(j, "neighbours")))
		nr->restore_neigh = json_incref(json_object_get(j, "neighbours"));
	install_saved(d, n, i, json_object_get(j, "routes"), &saved_routes, NULL);
	json_decref(j);
}

/* The carrier of every link of a restored network shows within this
 * (the engine sets it at once; the kernel handles it within a second). */
#define CARRIER_WAIT_MS 2000

/* 1 once dev has carrier as the kernel sees it, 0 when it has not by the
 * deadline, or -errno. */
static int carrier_wait(struct nl *nl, const char *dev, int64_t deadline)
{
	int rc;

	while ((rc = nl_link_carrier(nl, dev)) == 0 && now_ms() < deadline)
		usleep(5000);
	return rc;
}

/* Neighbours come sorted by device: the carrier of each device is waited
 * for once, at its first neighbour. */
struct neigh_ctx {
	int64_t deadline;
	char dev[sizeof(((struct nl_neigh *)0)->dev)];
	int carrier;
};

static int neigh_install(struct nl *nl, json_t *entry, void *ctx)
{
	struct neigh_ctx *c = ctx;
	struct nl_neigh ne;
	int rc;

	if (neigh_from_json(entry, &ne))
		return -EINVAL;
	if (strcmp(ne.dev, c->dev)) {
		memcpy(c->dev, ne.dev, sizeof(c->dev));
		c->carrier = carrier_wait(nl, ne.dev, c->deadline);
	}
	if (c->carrier < 0)
		return c->carrier;
	return (rc = nl_neigh_add(nl, &ne)) < 0 ? rc : c->carrier;
}

static const struct saved_kind saved_neighbours = { "neighbour", "neighbours", "ip",
						    neigh_install };

/*
 * The second step of a restore, once every node of n is started: install
 * the neighbours that restore_apply() kept aside. Not earlier, because a
 * TAP has carrier only while the engine has both ends of its link: a node
 * started before its peer sees its carrier go down and up again, and the
 * kernel handles a carrier-down after the fact (linkwatch: up to a second
 * later, or at the next RTM_GETLINK of the device on recent kernels),
 * flushing every dynamic neighbour of the device then, restored ones
 * included. So each device is first waited for until the kernel reports
 * its carrier up (one deadline for the whole network: its links come up
 * together).
 */
static void restore_neighbours(struct vnetd *d, struct vnet_network *n)
{
	int64_t deadline = now_ms() + CARRIER_WAIT_MS;

	for (int i = 0; i < n->spec.nnodes; i++) {
		struct neigh_ctx c = { .deadline = deadline };
		json_t *a = n->nodes[i].restore_neigh;

		if (!a)
			continue;
		n->nodes[i].restore_neigh = NULL;
		install_saved(d, n, i, a, &saved_neighbours, &c);
		json_decref(a);
	}
}

/* Do the image's MACs of node i equal the plan's? */
static int macs_match(const struct vnet_network *n, int i, json_t *part, struct vnet_err *err)
{
	const struct plan_node *pn = &n->plan->nodes[i];
	json_t *ifc;
	size_t k;

	json_array_foreach(json_object_get(part, "interfaces"), k, ifc) {
		const char *name = json_string_value(json_object_get(ifc, "name"));
		const char *mac = json_string_value(json_object_get(ifc, "mac"));
		char want[24];
		int m;

		for (m = 0; m < pn->nifs; m++)
			if (name && !strcmp(pn->ifs[m].ifname, name))
				break;
		if (m == pn->nifs)
			return vnet_errf(err, "the image has an interface %s/%s/%s that the plan "
					 "has not", n->spec.name, n->spec.nodes[i].name,
					 name ? name : "?");
		addr_mac_fmt(pn->ifs[m].mac, want, sizeof(want));
		if (!mac || strcasecmp(mac, want))
			return vnet_errf(err, "the MAC of %s/%s/%s in the image (%s) differs from "
					 "the plan (%s): the image was written by another vnet "
					 "version; restore it with --as NAME", n->spec.name,
					 n->spec.nodes[i].name, name, mac ? mac : "none", want);
	}
	return 0;
}

/* Restore img (validated by the image reader) as network `as` (NULL: its
 * own name) with prefix (NULL: its own). Returns the HTTP status. */
static int restore_image(struct vnetd *d, struct image *img, const char *src,
			 const char *as, const char *prefix, json_t **out)
{
	struct vnet_err err;
	struct topo_net spec;
	struct vnet_network *n = NULL;
	json_t *j, *state, **parts = NULL;
	int status = 0, renamed = 0, readdr = 0, nroutes = 0, nneigh = 0, nparts = 0;
	char orig[VNET_NAME_MAX];
	int64_t t0 = now_ms();

	memset(&spec, 0, sizeof(spec));
	if (strcmp(image_kind(img), "network"))
		return vnet_errf(&err, "%s: a %s image, not a network image", src,
				 image_kind(img)), *out = json_pack("{s:s}", "error", err.msg), 400;
	if (!(j = image_part_json(img, "spec.json", &err)))
		return *out = json_pack("{s:s}", "error", err.msg), 400;
	if (spec_from_json(j, &spec, &err)) {
		json_decref(j);
		*out = json_pack("{s:s+}", "error", "spec.json of the image: ", err.msg);
		return 400;
	}
	json_decref(j);
	snprintf(orig, sizeof(orig), "%s", spec.name);
	if (as && strcmp(as, spec.name)) {
		if (!vnet_name_valid(as) || strlen(as) >= sizeof(spec.name)) {
			*out = json_pack("{s:s}", "error", "bad network name for --as");
			status = 400;
			goto out;
		}
		snprintf(spec.name, sizeof(spec.name), "%s", as);
		renamed = 1;
	}
	if (prefix) {
		struct vnet_addr p;
		char have[VNET_ADDRSTRLEN];
		int k;

		if (addr_parse(prefix, &p, 1)) {
			*out = json_pack("{s:s+}", "error", "bad prefix: ", prefix);
			status = 400;
			goto out;
		}
		for (k = 0; k < spec.nprefix; k++)
			if (spec.prefix[k].family == p.family)
				break;
		if (k == spec.nprefix) {
			addr_fmt(&spec.prefix[0], have, sizeof(have), 1);
			vnet_errf(&err, "prefix %s is %s but network '%s' uses %s (%s)", prefix,
				  p.family == AF_INET ? "IPv4" : "IPv6", orig,
				  p.family == AF_INET ? "IPv6" : "IPv4", have);
			*out = json_pack("{s:s}", "error", err.msg);
			status = 400;
			goto out;
		}
		addr_mask(&p);
		readdr = !addr_equal(&p, &spec.prefix[k]);
		spec.prefix[k] = p;
	}
	/* The links as they were (state.json wins over the spec's initial state). */
	if ((state = image_part_json(img, "state.json", NULL))) {
		for (int l = 0; l < spec.nlinks; l++) {
			const char *s = json_string_value(json_object_get(
				json_object_get(state, "links"), spec.links[l].name));

			if (s)
				spec.links[l].down = !strcmp(s, "down");
		}
		json_decref(state);
	}
	if (net_find(d, spec.name)) {
		vnet_errf(&err, "network '%s' already exists (vnet down %s first, or restore "
			  "with --as NAME)", spec.name, spec.name);
		*out = json_pack("{s:s}", "error", err.msg);
		status = 409;
		goto out;
	}
	nparts = spec.nnodes;		/* spec is taken over by net_create_from_spec */
	parts = calloc((size_t)nparts + 1, sizeof(*parts));
	for (int i = 0; parts && i < spec.nnodes; i++) {
		char name[IMAGE_PART_NAME_MAX + 1];

		snprintf(name, sizeof(name), "nodes/%s.json", spec.nodes[i].name);
		if (image_part(img, name, NULL) && !(parts[i] = image_part_json(img, name, &err))) {
			*out = json_pack("{s:s}", "error", err.msg);
			status = 400;
			goto out;
		}
	}
	if (!parts) {
		*out = json_pack("{s:s}", "error", "out of memory");
		status = 500;
		goto out;
	}
	if (net_create_from_spec(d, &spec, src, &n, &err)) {
		*out = json_pack("{s:s}", "error", err.msg);
		status = 500;
		goto out;
	}
	for (int i = 0; i < n->spec.nnodes; i++) {
		if (!parts[i])
			continue;
		if (!renamed && !readdr && macs_match(n, i, parts[i], &err)) {
			*out = json_pack("{s:s}", "error", err.msg);
			status = 409;
			goto out;
		}
		if (readdr)
			continue;		/* new addresses: BIRD converges on its own */
		j = json_object();
		json_object_set(j, "routes", json_object_get(parts[i], "routes"));
		nroutes += (int)json_array_size(json_object_get(parts[i], "routes"));
		if (!renamed) {
			json_object_set(j, "neighbours", json_object_get(parts[i], "neighbours"));
			nneigh += (int)json_array_size(json_object_get(parts[i], "neighbours"));
		}
		n->nodes[i].restore = j;
		n->nodes[i].bird_gr = n->spec.nodes[i].kind == TOPO_ROUTER;
	}
	vnetd_event(d, n->spec.name, NULL, "restoring from %s (image of '%s' made %s)", src,
		    image_name(img), image_created(img));
	if (net_start(d, n, &err)) {
		*out = json_pack("{s:s}", "error", err.msg);
		status = 500;
		goto out;
	}
	restore_neighbours(d, n);
	*out = json_pack("{s:s, s:s, s:i, s:i, s:i, s:I}", "name", n->spec.name,
			 "from", image_name(img), "nodes", n->spec.nnodes, "routes", nroutes,
			 "neighbours", nneigh, "start_ms", (json_int_t)(now_ms() - t0));
	status = 201;
	n = NULL;
out:
	if (n) {
		for (int i = 0; i < n->spec.nnodes; i++) {
			json_decref(n->nodes[i].restore);
			n->nodes[i].restore = NULL;
			n->nodes[i].bird_gr = 0;
		}
		net_destroy(d, n, 1);
	}
	for (int i = 0; parts && i < nparts; i++)
		json_decref(parts[i]);
	free(parts);
	topo_net_clear(&spec);
	return status;
}

/* ---- API ----------------------------------------------------------------- */

/* Write w to path (and free it); *bytes = the file's size. 0, or the HTTP
 * status with *out set. */
static int write_image(struct image_writer *w, const char *path, json_int_t *bytes,
		       json_t **out)
{
	struct vnet_err err;
	struct stat st;
	int rc = image_writer_write(w, path, &err);

	image_writer_free(w);
	if (rc)
		return api_failf(out, 500, "%s", err.msg);
	*bytes = stat(path, &st) ? 0 : st.st_size;
	return 0;
}


/* Keys of the body, each a string or null; returns 0 or a status with *out
 * set. */
static int body_check(const json_t *body, const char *const *known, json_t **out)
{
	const char *key;
	json_t *v;
	int rc;

	if ((rc = api_check_keys(body, known, out)))
		return rc;
	json_object_foreach((json_t *)body, key, v)
		if (!json_is_string(v) && !json_is_null(v))
			return api_failf(out, 400, "'%s' must be a string", key);
	return 0;
}

static const char *bstr(const json_t *body, const char *key)
{
	return json_string_value(json_object_get(body, key));
}

/* ---- router images ------------------------------------------------------- */

/* The one-node view of s: node i, the links it ends and their peers (the
 * peers without their BIRD configs: they are there for their names). */
static int node_view(const struct topo_net *s, int i, struct topo_net *v)
{
	const char *name = s->nodes[i].name;

	if (topo_net_dup(s, v))
		return -1;
	for (int j = v->nlinks - 1; j >= 0; j--)
		if (strcmp(v->nodes[v->links[j].end[0]].name, name) &&
		    strcmp(v->nodes[v->links[j].end[1]].name, name))
			topo_net_del_link(v, j);
	for (int k = v->nnodes - 1; k >= 0; k--) {
		int used = 0;

		if (!strcmp(v->nodes[k].name, name))
			continue;
		for (int j = 0; j < v->nlinks; j++)
			used |= v->links[j].end[0] == k || v->links[j].end[1] == k;
		if (!used) {
			topo_net_del_node(v, k);
		} else {
			free(v->nodes[k].config);
			free(v->nodes[k].config_path);
			v->nodes[k].config = v->nodes[k].config_path = NULL;
		}
	}
	return 0;
}

/* The image of node i of n. Returns 0 (writer in *out) or an HTTP status. */
static int router_image(struct vnetd *d, struct vnet_network *n, int i,
			struct image_writer **out, int64_t *frozen_ms, struct vnet_err *err)
{
	struct node_rt *nr = &n->nodes[i];
	const char *name = n->spec.nodes[i].name;
	struct image_writer *w;
	struct topo_net v;
	json_t *j, *links;
	char label[IMAGE_NAME_MAX + 1], part[IMAGE_PART_NAME_MAX + 1];
	int froze = 0;
	int64_t t0;

	*out = NULL;
	*frozen_ms = 0;
	if (nr->state != NODE_RUNNING)
		return vnet_errf(err, "%s/%s is not running: nothing to capture (vnet router "
				 "start %s/%s first)", n->spec.name, name, n->spec.name, name),
		       409;
	snprintf(label, sizeof(label), "%s/%s", n->spec.name, name);
	if (!(w = image_writer_new("router", label)))
		return vnet_errf(err, "out of memory"), 500;
	if (node_view(&n->spec, i, &v)) {
		image_writer_free(w);
		return vnet_errf(err, "out of memory"), 500;
	}
	j = spec_to_json(&v);
	image_writer_add_json(w, "spec.json", j);
	json_decref(j);
	links = json_object();
	for (int l = 0; l < v.nlinks; l++)
		json_object_set_new(links, v.links[l].name,
				    json_string(v.links[l].down ? "down" : "up"));
	topo_net_clear(&v);
	j = json_pack("{s:s, s:s, s:s, s:o}", "network", n->spec.name, "node", name, "state",
		      router_state_name(nr), "links", links);
	image_writer_add_json(w, "state.json", j);
	json_decref(j);

	t0 = now_ms();
	if (!nr->paused) {
		if (router_pause(d, n, i, 1, err)) {
			image_writer_free(w);
			return 500;
		}
		froze = 1;
	}
	j = node_part(n, i, err);
	if (froze)
		router_pause(d, n, i, 0, NULL);
	*frozen_ms = now_ms() - t0;
	if (!j) {
		image_writer_free(w);
		return 500;
	}
	snprintf(part, sizeof(part), "nodes/%s.json", name);
	image_writer_add_json(w, part, j);
	json_decref(j);
	*out = w;
	return 0;
}

/* The new node's slot and its links' slots and ifn as in the image, where
 * nothing else in next uses them (so the addresses are the saved ones). */
static void keep_slots(struct topo_net *next, int at, const struct topo_node *nd)
{
	int used = 0;

	for (int k = 0; k < next->nnodes; k++)
		used |= k != at && next->nodes[k].kind == TOPO_ROUTER &&
			next->nodes[k].slot == nd->slot;
	if (!used && nd->kind == TOPO_ROUTER)
		next->nodes[at].slot = nd->slot;
}

static void keep_link_slots(struct topo_net *next, int j, const struct topo_link *want)
{
	struct topo_link *l = &next->links[j];
	int used = 0;

	for (int k = 0; k < next->nlinks; k++)
		used |= k != j && next->links[k].slot == want->slot;
	if (!used)
		l->slot = want->slot;
	for (int s = 0; s < 2; s++) {
		used = 0;
		for (int k = 0; k < next->nlinks; k++)
			for (int t = 0; t < 2; t++)
				used |= k != j && next->links[k].end[t] == l->end[s] &&
					next->links[k].ifn[t] == want->ifn[s];
		if (!used && want->ifn[s] != l->ifn[1 - s])
			l->ifn[s] = want->ifn[s];
	}
}

/* Restore a router image into a running network: as is NULL (the saved
 * network and name), "NAME" (the saved network) or "NET/NAME". */
static int router_restore(struct vnetd *d, struct image *img, const char *src, const char *as,
			  json_t **out)
{
	struct vnet_err err;
	struct topo_net v, next;
	struct vnet_network *n;
	struct plan *np = NULL;
	json_t *j, *state = NULL, *part = NULL, *tables = NULL;
	char net[VNET_NAME_MAX], name[VNET_NAME_MAX], pname[IMAGE_PART_NAME_MAX + 1];
	char missing[256];
	const char *node, *why = NULL;
	int status = 0, vi, at, renamed, rc, nmissing = 0;
	size_t mlen = 0;
	int64_t t0 = now_ms();
	struct topo_node nd;

	memset(&v, 0, sizeof(v));
	memset(&next, 0, sizeof(next));
	missing[0] = 0;
	if (strcmp(image_kind(img), "router"))
		return vnet_errf(&err, "%s: a %s image, not a router image (vnet net restore "
				 "restores networks)", src, image_kind(img)),
		       api_failf(out, 400, "%s", err.msg);
	if (!(j = image_part_json(img, "spec.json", &err)))
		return api_failf(out, 400, "%s", err.msg);
	rc = spec_from_json(j, &v, &err);
	json_decref(j);
	if (rc) {
		*out = json_pack("{s:s+}", "error", "spec.json of the image: ", err.msg);
		return 400;
	}
	if (!(state = image_part_json(img, "state.json", &err))) {
		status = api_failf(out, 400, "%s", err.msg);
		goto out;
	}
	node = json_string_value(json_object_get(state, "node"));
	if (!node || (vi = topo_node_find(&v, node)) < 0) {
		vnet_errf(&err, "%s: state.json names no node of spec.json", src);
		status = api_failf(out, 400, "%s", err.msg);
		goto out;
	}
	snprintf(net, sizeof(net), "%s", v.name);
	snprintf(name, sizeof(name), "%s", node);
	if (as) {
		const char *sl = strchr(as, '/');
		const char *nm = sl ? sl + 1 : as;

		if (sl && (size_t)(sl - as) < sizeof(net))
			snprintf(net, sizeof(net), "%.*s", (int)(sl - as), as);
		if (!vnet_name_valid(nm) || strlen(nm) >= sizeof(name) ||
		    (sl && ((size_t)(sl - as) >= sizeof(net) || !vnet_name_valid(net)))) {
			status = api_failf(out, 400, "bad 'as': expected NAME or NET/NAME");
			goto out;
		}
		snprintf(name, sizeof(name), "%s", nm);
	}
	renamed = strcmp(net, v.name) || strcmp(name, node);
	if (!(n = net_find(d, net))) {
		vnet_errf(&err, "no network '%s' (a router is restored into a running "
			  "network)", net);
		status = api_failf(out, 404, "%s", err.msg);
		goto out;
	}
	if (!strcmp(net_state_name(n), "stopped")) {
		vnet_errf(&err, "network '%s' is stopped: start it first", net);
		status = api_failf(out, 409, "%s", err.msg);
		goto out;
	}
	if (topo_node_find(&n->spec, name) >= 0) {
		vnet_errf(&err, "node '%s' already exists in network '%s' (vnet router del "
			  "%s/%s first, or restore with --as NET/NAME)", name, net, net, name);
		status = api_failf(out, 409, "%s", err.msg);
		goto out;
	}
	for (int l = 0; l < v.nlinks; l++) {
		const char *peer = v.nodes[v.links[l].end[v.links[l].end[0] == vi]].name;

		if (topo_node_find(&n->spec, peer) < 0) {
			if (mlen < sizeof(missing) - 1)
				mlen += (size_t)snprintf(missing + mlen, sizeof(missing) - mlen,
							 "%s%s", nmissing ? ", " : "", peer);
			nmissing++;
		}
	}
	if (nmissing) {
		vnet_errf(&err, "the peers of %s are not in network '%s': %s", node, net, missing);
		status = api_failf(out, 409, "%s", err.msg);
		goto out;
	}
	snprintf(pname, sizeof(pname), "nodes/%s.json", node);
	if (image_part(img, pname, NULL) && !(part = image_part_json(img, pname, &err))) {
		status = api_failf(out, 400, "%s", err.msg);
		goto out;
	}

	/* the network with the node and its links, as a live add would make it */
	if (topo_net_dup(&n->spec, &next)) {
		status = api_failf(out, 500, "out of memory");
		goto out;
	}
	if (topo_node_copy(&nd, &v.nodes[vi])) {
		status = api_failf(out, 500, "out of memory");
		goto out;
	}
	snprintf(nd.name, sizeof(nd.name), "%s", name);
	if ((at = topo_net_add_node(&next, &nd)) < 0) {
		free(nd.config);
		free(nd.config_path);
		status = api_failf(out, 500, "out of memory");
		goto out;
	}
	if (!renamed)
		keep_slots(&next, at, &v.nodes[vi]);
	for (int l = 0; l < v.nlinks; l++) {
		struct topo_link lk = v.links[l];	/* its profile copied below */
		const char *e[2];
		const char *st = json_string_value(json_object_get(json_object_get(state, "links"),
								   lk.name));
		int k;

		for (int s = 0; s < 2; s++)
			e[s] = lk.end[s] == vi ? name : v.nodes[lk.end[s]].name;
		if (renamed)
			snprintf(lk.name, sizeof(lk.name), "%s-%s", e[0], e[1]);
		if (topo_link_find(&next, lk.name) >= 0) {
			vnet_errf(&err, "link '%s' already exists in network '%s'", lk.name, net);
			status = api_failf(out, 409, "%s", err.msg);
			goto out;
		}
		if (st)
			lk.down = !strcmp(st, "down");
		if (topo_link_copy(&lk, &lk)) {
			status = api_failf(out, 500, "out of memory");
			goto out;
		}
		if ((k = topo_net_add_link(&next, &lk, topo_node_find(&next, e[0]),
					   topo_node_find(&next, e[1]))) < 0) {
			free(lk.profile);
			status = api_failf(out, 500, "out of memory");
			goto out;
		}
		if (!renamed)
			keep_link_slots(&next, k, &v.links[l]);
	}
	memset(&next.pos, 0, sizeof(next.pos));
	if (topo_net_check(&next, NULL, &err) || plan_make(&next, NULL, &np, &err)) {
		status = api_failf(out, 400, "%s", err.msg);
		goto out;
	}
	/* the saved tables only where the interfaces are the saved ones */
	if (!part)
		why = "the node was not running when saved";
	else if (renamed)
		why = "restored under another name (new MACs and addresses)";
	else {
		json_t *r = json_object_get(part, "routes"), *ne = json_object_get(part, "neighbours");

		j = ifaces_json(&np->nodes[at]);
		if (!json_equal(j, json_object_get(part, "interfaces")))
			why = "its interfaces differ from the saved ones (addresses in use)";
		else if (!json_is_array(r) || !json_is_array(ne))
			why = "the image has no routes or neighbours for it";
		else
			tables = json_pack("{s:O, s:O}", "routes", r, "neighbours", ne);
		json_decref(j);
	}
	rc = live_apply_restore(d, n, &next, np, name, tables, tables && nd.kind == TOPO_ROUTER,
				&err);
	np = NULL;	/* taken over, with next */
	if (rc) {
		status = api_failf(out, 500, "%s", err.msg);
		goto out;
	}
	restore_neighbours(d, n);	/* the peers' ends are attached now */
	vnetd_event(d, net, name, "restored from %s (image of '%s' made %s)%s%s", src,
		    image_name(img), image_created(img), why ? ": tables not restored, " : "",
		    why ? why : "");
	*out = json_pack("{s:s, s:s, s:s, s:i, s:i, s:b, s:I}", "network", net, "node", name,
			 "from", image_name(img), "routes",
			 (int)json_array_size(json_object_get(tables, "routes")), "neighbours",
			 (int)json_array_size(json_object_get(tables, "neighbours")),
			 "tables_restored", tables != NULL, "start_ms",
			 (json_int_t)(now_ms() - t0));
	if (why)
		json_object_set_new(*out, "tables_note", json_string(why));
	status = 201;
out:
	plan_free(np);
	topo_net_clear(&next);
	topo_net_clear(&v);
	json_decref(state);
	json_decref(part);
	json_decref(tables);
	return status;
}

/*
 * The request checks that save, restore and copy of a network or a router
 * share: the body's keys (copy_keys: those a copy takes), all strings; an
 * absolute path for save and restore; a name for a copy. 0, or the HTTP
 * status of the error in *out.
 */
static int image_request_check(const char *op, const json_t *body,
			       const char *const *copy_keys, json_t **out)
{
	static const char *const k_save[] = { "path", NULL },
		*const k_restore[] = { "path", "as", NULL };
	const char *path = bstr(body, "path");
	int copy = !strcmp(op, "copy"), rc;

	if ((rc = body_check(body, copy ? copy_keys : !strcmp(op, "save") ? k_save : k_restore,
			     out)))
		return rc;
	if (!copy && (!path || path[0] != '/'))
		return api_failf(out, 400, "'path' must be an absolute file name");
	if (copy && !bstr(body, "as"))
		return api_failf(out, 400, "'as' (the name of the copy) is required");
	return 0;
}

/* What a copy restores: the image w (freed here) read back from memory. */
static struct image *image_in_memory(struct image_writer *w, const char *label,
				     struct vnet_err *err)
{
	void *buf = NULL;
	size_t len = 0;
	struct image *img;
	int rc = image_writer_write_buf(w, &buf, &len, err);

	image_writer_free(w);
	if (rc)
		return NULL;
	img = image_read_buf(buf, len, label, err);
	free(buf);
	return img;
}

int save_api(struct vnetd *d, const char *op, const char *net, const json_t *body,
	     json_t **out)
{
	static const char *const k_copy[] = { "as", "prefix", NULL };
	const char *path = bstr(body, "path");
	struct vnet_network *n = NULL;
	struct image_writer *w;
	struct vnet_err err;
	struct image *img;
	int64_t frozen = 0;
	int nnodes, rc;

	if ((rc = image_request_check(op, body, k_copy, out)))
		return rc;
	if (net && !(n = net_find(d, net)))
		return api_failf(out, 404, "no network '%s'", net);

	if (!strcmp(op, "restore")) {
		if (!(img = image_read(path, &err)))
			return api_failf(out, 400, "%s", err.msg);
		rc = restore_image(d, img, path, bstr(body, "as"), NULL, out);
		image_free(img);
		return rc;
	}
	if ((rc = net_image(d, n, &w, &nnodes, &frozen, &err)))
		return api_failf(out, rc, "%s", err.msg);
	if (!strcmp(op, "save")) {
		json_int_t bytes = 0;

		if ((rc = write_image(w, path, &bytes, out)))
			return rc;
		vnetd_event(d, n->spec.name, NULL, "saved to %s (%d nodes, frozen %lld ms)",
			    path, nnodes, (long long)frozen);
		*out = json_pack("{s:s, s:I, s:i, s:I}", "path", path, "bytes", bytes, "nodes", nnodes,
				 "frozen_ms", (json_int_t)frozen);
		return 200;
	}
	/* copy: the image in memory, restored under the new name */
	{
		char label[64];

		snprintf(label, sizeof(label), "copy of %s", n->spec.name);
		if (!(img = image_in_memory(w, label, &err)))
			return api_failf(out, 500, "%s", err.msg);
		rc = restore_image(d, img, label, bstr(body, "as"), bstr(body, "prefix"), out);
		image_free(img);
		if (rc == 201)
			json_object_set_new(*out, "frozen_ms", json_integer(frozen));
		return rc;
	}
}

int router_image_api(struct vnetd *d, const char *op, const char *ref, const json_t *body,
		     json_t **out)
{
	static const char *const k_copy[] = { "as", NULL };
	const char *path = bstr(body, "path");
	struct vnet_network *n = NULL;
	struct image_writer *w;
	struct vnet_err err;
	struct image *img;
	int64_t frozen = 0;
	int i = -1, rc;

	if ((rc = image_request_check(op, body, k_copy, out)))
		return rc;
	if (ref && (rc = net_resolve_node(d, ref, &n, &i, &err)))
		return api_failf(out, rc == -EEXIST ? 409 : 404, "%s", err.msg);

	if (!strcmp(op, "restore")) {
		if (!(img = image_read(path, &err)))
			return api_failf(out, 400, "%s", err.msg);
		rc = router_restore(d, img, path, bstr(body, "as"), out);
		image_free(img);
		return rc;
	}
	if ((rc = router_image(d, n, i, &w, &frozen, &err)))
		return api_failf(out, rc, "%s", err.msg);
	if (!strcmp(op, "save")) {
		json_int_t bytes = 0;

		if ((rc = write_image(w, path, &bytes, out)))
			return rc;
		vnetd_event(d, n->spec.name, n->spec.nodes[i].name, "saved to %s (frozen %lld ms)",
			    path, (long long)frozen);
		*out = json_pack("{s:s, s:s, s:s, s:I, s:I}", "path", path, "network",
				 n->spec.name, "node", n->spec.nodes[i].name, "bytes", bytes, "frozen_ms",
				 (json_int_t)frozen);
		return 200;
	}
	/* copy: the image in memory, restored under the new name */
	{
		char label[VNET_NAME_MAX * 2 + 16];

		snprintf(label, sizeof(label), "copy of %s/%s", n->spec.name,
			 n->spec.nodes[i].name);
		if (!(img = image_in_memory(w, label, &err)))
			return api_failf(out, 500, "%s", err.msg);
		rc = router_restore(d, img, label, bstr(body, "as"), out);
		image_free(img);
		if (rc == 201)
			json_object_set_new(*out, "frozen_ms", json_integer(frozen));
		return rc;
	}
}
