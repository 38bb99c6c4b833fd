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
 * spec, the name, the MACs), then starts the network: in node_start(),
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

#include "backend.h"
#include "event.h"
#include "image.h"
#include "live.h"
#include "log.h"
#include "net.h"
#include "node.h"
#include "save.h"
#include "spec.h"

/* ---- capture ------------------------------------------------------------- */

static json_t *ifaces_json(const struct plan_node *pn)
{
	json_t *a = json_array();
	char mac[24];

	for (int k = 0; k < pn->nifs; k++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:o}", "name", pn->ifs[k].ifname,
						   "mac", addr_mac_fmt(pn->ifs[k].mac, mac, sizeof(mac)),
						   "addresses",
						   spec_addr_list(pn->ifs[k].addr, pn->ifs[k].naddr, 1)));
	return a;
}

/* nodes/NAME.json of a running node: its interfaces (from the plan), and
 * its routes and neighbours as its backend reads them. */
static json_t *node_part(struct vnet_network *n, int i, struct vnet_err *err)
{
	struct node_rt *nr = &n->nodes[i];
	json_t *routes = NULL, *neigh = NULL;
	int fam[2], nfam = 0;

	for (int p = 0; p < n->spec.nprefix && nfam < 2; p++)
		fam[nfam++] = n->spec.prefix[p].family;
	if (!(routes = nr->cls->tables_get(nr->inst, NODE_TABLE_ROUTES, fam, nfam, err)) ||
	    !(neigh = nr->cls->tables_get(nr->inst, NODE_TABLE_NEIGHBOURS, fam, nfam, err))) {
		json_decref(routes);
		return NULL;
	}
	return json_pack("{s:o, s:o, s:o}", "interfaces", ifaces_json(&n->plan->nodes[i]),
			 "routes", routes, "neighbours", neigh);
}

static json_t *state_part(const struct vnet_network *n)
{
	json_t *links = json_object(), *nodes = json_object();

	for (int l = 0; l < n->spec.nlinks; l++)
		json_object_set_new(links, n->spec.links[l].name,
				    json_string(n->spec.links[l].down ? "down" : "up"));
	for (int i = 0; i < n->spec.nnodes; i++)
		json_object_set_new(nodes, n->spec.nodes[i].name,
				    json_string(node_state_str(&n->nodes[i])));
	return json_pack("{s:s, s:o, s:o}", "state", net_state_name(n), "links", links,
			 "nodes", nodes);
}

/* The image of a network into *out: 0, or -1 with err. */
static int net_image(struct vnetd *d, struct vnet_network *n, struct image_writer **out,
		     int *nnodes, int64_t *frozen_ms, struct vnet_err *err)
{
	struct image_writer *w;
	int *froze, failed = 0;
	json_t *j;
	int64_t t0;
	char part[IMAGE_PART_NAME_MAX + 1];

	*out = NULL;
	*nnodes = 0;
	if (!strcmp(net_state_name(n), "stopped"))
		return vnet_errc(err, VNET_ERR_CONFLICT, "network '%s' is stopped: nothing to "
				 "capture (its spec is kept by vnetd; start it to save it)",
				 n->spec.name);
	if (!(w = image_writer_new("network", n->spec.name)) ||
	    !(froze = calloc((size_t)n->spec.nnodes + 1, sizeof(*froze)))) {
		image_writer_free(w);
		return vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
	}
	j = spec_to_json(&n->spec);
	image_writer_add_json(w, "spec.json", j);
	json_decref(j);
	j = state_part(n);
	image_writer_add_json(w, "state.json", j);
	json_decref(j);

	/* One instant for all: freeze every running node, capture, thaw. */
	t0 = now_ms();
	for (int i = 0; i < n->spec.nnodes && !failed; i++) {
		struct node_rt *nr = &n->nodes[i];

		if (nr->state == NODE_RUNNING && !nr->paused) {
			if (node_pause(d, n, i, 1, err))
				failed = 1;
			else
				froze[i] = 1;
		}
	}
	for (int i = 0; i < n->spec.nnodes && !failed; i++) {
		if (n->nodes[i].state != NODE_RUNNING)
			continue;
		if (!(j = node_part(n, i, err))) {
			failed = 1;
			break;
		}
		snprintf(part, sizeof(part), "nodes/%s.json", n->spec.nodes[i].name);
		image_writer_add_json(w, part, j);
		json_decref(j);
		(*nnodes)++;
	}
	for (int i = 0; i < n->spec.nnodes; i++)
		if (froze[i])
			node_pause(d, n, i, 0, NULL);
	*frozen_ms = now_ms() - t0;
	free(froze);
	if (failed) {
		image_writer_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

/* ---- restore ------------------------------------------------------------- */

/* Install the saved routes or neighbours of node i (entries of the JSON
 * array a) through its backend; one event sums up the node, the first
 * refusal goes to the log. */
static void install_saved(struct vnetd *d, struct vnet_network *n, int i, json_t *a,
			  enum node_table t, int64_t deadline)
{
	const char *net = n->spec.name, *node = n->spec.nodes[i].name;
	const char *many = t == NODE_TABLE_ROUTES ? "routes" : "neighbours";
	struct node_rt *nr = &n->nodes[i];
	struct node_put_count c;

	if (nr->state != NODE_RUNNING || !nr->inst)
		return;
	if (nr->cls->tables_put(nr->inst, t, a, deadline, &c) < 0) {
		event_add(d, net, node, "cannot restore the %s: %s", many, c.first_error);
		return;
	}
	if (c.failed)
		log_error("%s/%s: %d %s not restored, the first: %s", net, node, c.failed, many,
			  c.first_error);
	event_add(d, net, node, "restored %d %s from the image%s%s", c.ok, many,
		  c.nocarrier ? " (some on links without carrier)" : "",
		  c.failed ? " (some failed, see the log)" : "");
}

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
	install_saved(d, n, i, json_object_get(j, "routes"), NODE_TABLE_ROUTES, 0);
	json_decref(j);
}

/* The carrier of every link of a restored network shows within this
 * (the engine sets it at once; the kernel handles it within a second). */
#define CARRIER_WAIT_MS 2000

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
		json_t *a = n->nodes[i].restore_neigh;

		if (!a)
			continue;
		n->nodes[i].restore_neigh = NULL;
		install_saved(d, n, i, a, NODE_TABLE_NEIGHBOURS, deadline);
		json_decref(a);
	}
}

/* Do the image's MACs of node i of spec equal the plan's? */
static int macs_match(const struct topo_net *spec, const struct plan *plan, int i, json_t *part,
		      struct vnet_err *err)
{
	const struct plan_node *pn = &plan->nodes[i];
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
			return vnet_errc(err, VNET_ERR_INVALID, "the image has an interface "
					 "%s/%s/%s that the plan has not", spec->name,
					 spec->nodes[i].name, name ? name : "?");
		addr_mac_fmt(pn->ifs[m].mac, want, sizeof(want));
		if (!mac || strcasecmp(mac, want))
			return vnet_errc(err, VNET_ERR_CONFLICT, "the MAC of %s/%s/%s in the "
					 "image (%s) differs from the plan (%s): the image was "
					 "written by another vnet version; restore it with --as "
					 "NAME", spec->name, spec->nodes[i].name, name,
					 mac ? mac : "none", want);
	}
	return 0;
}

/* The spec of an image (spec.json), checked as strictly as a file. */
static int image_spec(struct image *img, struct topo_net *spec, struct vnet_err *err)
{
	json_t *j = image_part_json(img, "spec.json", err);
	char msg[sizeof(err->msg)];
	int rc;

	if (!j)
		return vnet_err_class(err, VNET_ERR_INVALID);
	rc = spec_from_json(j, spec, err);
	json_decref(j);
	if (rc) {
		snprintf(msg, sizeof(msg), "%s", err->msg);
		return vnet_errc(err, VNET_ERR_INVALID, "spec.json of the image: %s", msg);
	}
	return 0;
}

/* A prefix of the same family as one of spec's replaces it; *readdr says
 * whether the addresses change. */
static int new_prefix(struct topo_net *spec, const char *prefix, const char *orig, int *readdr,
		      struct vnet_err *err)
{
	char have[VNET_ADDRSTRLEN];
	struct vnet_addr p;
	int k;

	if (addr_parse(prefix, &p, 1))
		return vnet_errc(err, VNET_ERR_INVALID, "bad prefix: %s", prefix);
	for (k = 0; k < spec->nprefix; k++)
		if (spec->prefix[k].family == p.family)
			break;
	if (k == spec->nprefix) {
		addr_fmt(&spec->prefix[0], have, sizeof(have), 1);
		return vnet_errc(err, VNET_ERR_INVALID, "prefix %s is %s but network '%s' uses "
				 "%s (%s)", prefix, p.family == AF_INET ? "IPv4" : "IPv6", orig,
				 p.family == AF_INET ? "IPv6" : "IPv4", have);
	}
	addr_mask(&p);
	*readdr = !addr_equal(&p, &spec->prefix[k]);
	spec->prefix[k] = p;
	return 0;
}

int restore_net(struct vnetd *d, struct image *img, const char *src, const char *as,
		const char *prefix, struct restore_result *res, struct vnet_err *err)
{
	struct topo_net spec;
	struct vnet_network *n = NULL;
	struct plan *plan = NULL;
	json_t *j, *state, **parts = NULL;
	int rc = -1, renamed = 0, readdr = 0, nroutes = 0, nneigh = 0, nparts = 0;
	char orig[VNET_NAME_MAX];
	int64_t t0 = now_ms();

	memset(&spec, 0, sizeof(spec));
	memset(res, 0, sizeof(*res));
	if (strcmp(image_kind(img), "network"))
		return vnet_errc(err, VNET_ERR_INVALID, "%s: a %s image, not a network image",
				 src, image_kind(img));
	if (image_spec(img, &spec, err))
		return -1;
	snprintf(orig, sizeof(orig), "%s", spec.name);
	if (as && strcmp(as, spec.name)) {
		if (!vnet_name_valid(as) || strlen(as) >= sizeof(spec.name)) {
			vnet_errc(err, VNET_ERR_INVALID, "bad network name for --as: '%s'", as);
			goto out;
		}
		snprintf(spec.name, sizeof(spec.name), "%s", as);
		renamed = 1;
	}
	if (prefix && new_prefix(&spec, prefix, orig, &readdr, err))
		goto out;
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
		vnet_errc(err, VNET_ERR_CONFLICT, "network '%s' already exists (vnet down %s "
			  "first, or restore with --as NAME)", spec.name, spec.name);
		goto out;
	}
	nparts = spec.nnodes;		/* spec is taken over by net_create_from_spec */
	if (!(parts = calloc((size_t)nparts + 1, sizeof(*parts)))) {
		vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
		goto out;
	}
	for (int i = 0; i < spec.nnodes; i++) {
		char name[IMAGE_PART_NAME_MAX + 1];

		snprintf(name, sizeof(name), "nodes/%s.json", spec.nodes[i].name);
		if (image_part(img, name, NULL) && !(parts[i] = image_part_json(img, name, err))) {
			vnet_err_class(err, VNET_ERR_INVALID);
			goto out;
		}
	}
	/* every check before anything is made: the saved MACs are the plan's */
	if (plan_make(&spec, src, &plan, err)) {
		vnet_err_class(err, VNET_ERR_INVALID);
		goto out;
	}
	for (int i = 0; i < spec.nnodes && !renamed && !readdr; i++)
		if (parts[i] && macs_match(&spec, plan, i, parts[i], err))
			goto out;
	if (net_create_from_spec(d, &spec, src, &n, err))
		goto out;
	for (int i = 0; i < n->spec.nnodes; i++) {
		if (!parts[i] || readdr)
			continue;	/* new addresses: BIRD converges on its own */
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
	event_add(d, n->spec.name, NULL, "restoring from %s (image of '%s' made %s)", src,
		  image_name(img), image_created(img));
	if (net_start(d, n, err))
		goto out;
	restore_neighbours(d, n);
	snprintf(res->net, sizeof(res->net), "%s", n->spec.name);
	snprintf(res->from, sizeof(res->from), "%s", image_name(img));
	res->nodes = n->spec.nnodes;
	res->routes = nroutes;
	res->neighbours = nneigh;
	res->start_ms = now_ms() - t0;
	n = NULL;
	rc = 0;
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
	plan_free(plan);
	topo_net_clear(&spec);
	return rc;
}

/* ---- save ---------------------------------------------------------------- */

/* Write w to path (and free it); *bytes = the file's size. */
static int write_image(struct image_writer *w, const char *path, int64_t *bytes,
		       struct vnet_err *err)
{
	struct stat st;
	int rc = image_writer_write(w, path, err);

	image_writer_free(w);
	if (rc)
		return -1;
	*bytes = stat(path, &st) ? 0 : st.st_size;
	return 0;
}

int save_net(struct vnetd *d, struct vnet_network *n, const char *path,
	     struct save_result *res, struct vnet_err *err)
{
	struct image_writer *w;

	memset(res, 0, sizeof(*res));
	if (net_image(d, n, &w, &res->nodes, &res->frozen_ms, err) ||
	    write_image(w, path, &res->bytes, err))
		return -1;
	event_add(d, n->spec.name, NULL, "saved to %s (%d nodes, frozen %lld ms)", path,
		  res->nodes, (long long)res->frozen_ms);
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

int copy_net(struct vnetd *d, struct vnet_network *n, const char *as, const char *prefix,
	     struct restore_result *res, struct vnet_err *err)
{
	struct image_writer *w;
	struct image *img;
	char label[64];
	int64_t frozen = 0;
	int nnodes, rc;

	if (!as || !vnet_name_valid(as))
		return vnet_errc(err, VNET_ERR_INVALID, "bad name for the copy: '%s'",
				 as ? as : "");
	if (net_find(d, as))
		return vnet_errc(err, VNET_ERR_CONFLICT, "network '%s' already exists (vnet "
				 "down %s first, or copy under another name)", as, as);
	if (net_image(d, n, &w, &nnodes, &frozen, err))
		return -1;
	snprintf(label, sizeof(label), "copy of %s", n->spec.name);
	if (!(img = image_in_memory(w, label, err)))
		return -1;
	rc = restore_net(d, img, label, as, prefix, res, err);
	image_free(img);
	res->frozen_ms = frozen;
	return rc;
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

/* The image of node i of n into *out: 0, or -1 with err. */
static int node_image(struct vnetd *d, struct vnet_network *n, int i,
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
		return vnet_errc(err, VNET_ERR_CONFLICT, "%s/%s is not running: nothing to "
				 "capture (vnet router start %s/%s first)", n->spec.name, name,
				 n->spec.name, name);
	snprintf(label, sizeof(label), "%s/%s", n->spec.name, name);
	if (!(w = image_writer_new("router", label)))
		return vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
	if (node_view(&n->spec, i, &v)) {
		image_writer_free(w);
		return vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
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
		      node_state_str(nr), "links", links);
	image_writer_add_json(w, "state.json", j);
	json_decref(j);

	t0 = now_ms();
	if (!nr->paused) {
		if (node_pause(d, n, i, 1, err)) {
			image_writer_free(w);
			return -1;
		}
		froze = 1;
	}
	j = node_part(n, i, err);
	if (froze)
		node_pause(d, n, i, 0, NULL);
	*frozen_ms = now_ms() - t0;
	if (!j) {
		image_writer_free(w);
		return -1;
	}
	snprintf(part, sizeof(part), "nodes/%s.json", name);
	image_writer_add_json(w, part, j);
	json_decref(j);
	*out = w;
	return 0;
}

int save_node(struct vnetd *d, struct vnet_network *n, int i, const char *path,
	      struct save_result *res, struct vnet_err *err)
{
	struct image_writer *w;

	memset(res, 0, sizeof(*res));
	if (node_image(d, n, i, &w, &res->frozen_ms, err) ||
	    write_image(w, path, &res->bytes, err))
		return -1;
	res->nodes = 1;
	event_add(d, n->spec.name, n->spec.nodes[i].name, "saved to %s (frozen %lld ms)", path,
		  (long long)res->frozen_ms);
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

int restore_node(struct vnetd *d, struct image *img, const char *src, const char *as,
		 struct restore_result *res, struct vnet_err *err)
{
	struct topo_net v, next;
	struct vnet_network *n;
	struct plan *np = NULL;
	json_t *j, *state = NULL, *part = NULL, *tables = NULL;
	char net[VNET_NAME_MAX], name[VNET_NAME_MAX], pname[IMAGE_PART_NAME_MAX + 1];
	char missing[256];
	const char *node, *why = NULL;
	int rc = -1, vi, at, renamed, nmissing = 0;
	size_t mlen = 0;
	int64_t t0 = now_ms();
	struct topo_node nd;

	memset(&v, 0, sizeof(v));
	memset(&next, 0, sizeof(next));
	memset(res, 0, sizeof(*res));
	missing[0] = 0;
	if (strcmp(image_kind(img), "router"))
		return vnet_errc(err, VNET_ERR_INVALID, "%s: a %s image, not a router image "
				 "(vnet net restore restores networks)", src, image_kind(img));
	if (image_spec(img, &v, err))
		return -1;
	if (!(state = image_part_json(img, "state.json", err))) {
		vnet_err_class(err, VNET_ERR_INVALID);
		goto out;
	}
	node = json_string_value(json_object_get(state, "node"));
	if (!node || (vi = topo_node_find(&v, node)) < 0) {
		vnet_errc(err, VNET_ERR_INVALID, "%s: state.json names no node of spec.json", src);
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
			vnet_errc(err, VNET_ERR_INVALID, "bad 'as': expected NAME or NET/NAME");
			goto out;
		}
		snprintf(name, sizeof(name), "%s", nm);
	}
	renamed = strcmp(net, v.name) || strcmp(name, node);
	if (!(n = net_find(d, net))) {
		vnet_errc(err, VNET_ERR_NOT_FOUND, "no network '%s' (a router is restored into "
			  "a running network)", net);
		goto out;
	}
	if (!strcmp(net_state_name(n), "stopped")) {
		vnet_errc(err, VNET_ERR_CONFLICT, "network '%s' is stopped: start it first", net);
		goto out;
	}
	if (topo_node_find(&n->spec, name) >= 0) {
		vnet_errc(err, VNET_ERR_CONFLICT, "node '%s' already exists in network '%s' "
			  "(vnet router del %s/%s first, or restore with --as NET/NAME)", name, net,
			  net, name);
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
		vnet_errc(err, VNET_ERR_CONFLICT, "the peers of %s are not in network '%s': %s",
			  node, net, missing);
		goto out;
	}
	snprintf(pname, sizeof(pname), "nodes/%s.json", node);
	if (image_part(img, pname, NULL) && !(part = image_part_json(img, pname, err))) {
		vnet_err_class(err, VNET_ERR_INVALID);
		goto out;
	}

	/* the network with the node and its links, as a live add would make it */
	if (topo_net_dup(&n->spec, &next) || topo_node_copy(&nd, &v.nodes[vi])) {
		vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
		goto out;
	}
	snprintf(nd.name, sizeof(nd.name), "%s", name);
	if ((at = topo_net_add_node(&next, &nd)) < 0) {
		free(nd.config);
		free(nd.config_path);
		vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
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
			vnet_errc(err, VNET_ERR_CONFLICT, "link '%s' already exists in network "
				  "'%s'", lk.name, net);
			goto out;
		}
		if (st)
			lk.down = !strcmp(st, "down");
		if (topo_link_copy(&lk, &lk)) {
			vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
			goto out;
		}
		if ((k = topo_net_add_link(&next, &lk, topo_node_find(&next, e[0]),
					   topo_node_find(&next, e[1]))) < 0) {
			free(lk.profile);
			vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
			goto out;
		}
		if (!renamed)
			keep_link_slots(&next, k, &v.links[l]);
	}
	memset(&next.pos, 0, sizeof(next.pos));
	if (topo_net_check(&next, NULL, err) || plan_make(&next, NULL, &np, err)) {
		vnet_err_class(err, VNET_ERR_INVALID);
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
				err);
	np = NULL;	/* taken over, with next */
	if (rc)
		goto out;
	restore_neighbours(d, n);	/* the peers' ends are attached now */
	event_add(d, net, name, "restored from %s (image of '%s' made %s)%s%s", src,
		  image_name(img), image_created(img), why ? ": tables not restored, " : "",
		  why ? why : "");
	snprintf(res->net, sizeof(res->net), "%s", net);
	snprintf(res->node, sizeof(res->node), "%s", name);
	snprintf(res->from, sizeof(res->from), "%s", image_name(img));
	res->nodes = 1;
	res->routes = (int)json_array_size(json_object_get(tables, "routes"));
	res->neighbours = (int)json_array_size(json_object_get(tables, "neighbours"));
	res->tables_restored = tables != NULL;
	if (why)
		snprintf(res->tables_note, sizeof(res->tables_note), "%s", why);
	res->start_ms = now_ms() - t0;
	rc = 0;
out:
	plan_free(np);
	topo_net_clear(&next);
	topo_net_clear(&v);
	json_decref(state);
	json_decref(part);
	json_decref(tables);
	return rc;
}

int copy_node(struct vnetd *d, struct vnet_network *n, int i, const char *as,
	      struct restore_result *res, struct vnet_err *err)
{
	char label[VNET_NAME_MAX * 2 + 16];
	struct image_writer *w;
	struct image *img;
	int64_t frozen = 0;
	int rc;

	if (!as)
		return vnet_errc(err, VNET_ERR_INVALID, "'as' (the name of the copy) is required");
	if (node_image(d, n, i, &w, &frozen, err))
		return -1;
	snprintf(label, sizeof(label), "copy of %s/%s", n->spec.name, n->spec.nodes[i].name);
	if (!(img = image_in_memory(w, label, err)))
		return -1;
	rc = restore_node(d, img, label, as, res, err);
	image_free(img);
	res->frozen_ms = frozen;
	return rc;
}
