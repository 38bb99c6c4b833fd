/*
 * bird.c - BIRD 2 (2.0.12) configuration text for one router, from its
 * network's protocol and address plan (see bird.h, docs/addressing.md).
 *
 * Every generated config has the same skeleton: log file, router id,
 * protocol device, protocol direct on "eth*" and "lo", and one kernel
 * protocol per address family exporting everything to the FIB with
 * graceful restart. The routing protocol follows:
 *   ospf    ospf v2 (IPv4) / ospf v3 (IPv6): router links point-to-point
 *           with 1 s hellos, host links stub, area 0; the loopback is a
 *           stub in v2 and an external route in v3.
 *   rip     rip (IPv4) / rip ng (IPv6) on router links, 5 s updates,
 *           exporting connected and RIP routes.
 *   babel   one babel protocol with the network's channels, router links
 *           wired, exporting connected and Babel routes.
 *   static  one static protocol per family with a route to every link
 *           subnet and loopback not attached to the router, via the
 *           neighbour chosen by bird_next_hop().
 * Interface names and addresses come from the plan only, so a config
 * depends on nothing but the topology file.
 */
#include "bird.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIRD_LOG_FILE "/run/bird/bird.log"

/* Compressed adjacency lists, neighbours of each node in link order. */
struct bird_graph {
	int *off;	/* nnodes + 1 */
	int *peer;	/* 2 * nlinks */
	int *link;	/* 2 * nlinks */
};

static void bird_graph_free(struct bird_graph *g)
{
	free(g->off);
	free(g->peer);
	free(g->link);
}

static int bird_graph_make(const struct topo_net *n, struct bird_graph *g)
{
	int *fill;

	g->off = calloc((size_t)n->nnodes + 1, sizeof(int));
	g->peer = malloc(((size_t)n->nlinks * 2 + 1) * sizeof(int));
	g->link = malloc(((size_t)n->nlinks * 2 + 1) * sizeof(int));
	fill = calloc((size_t)n->nnodes + 1, sizeof(int));
	if (!g->off || !g->peer || !g->link || !fill)
		goto fail;
	for (int j = 0; j < n->nlinks; j++)
		for (int s = 0; s < 2; s++) {
			int e = n->links[j].end[s];

			if (e < 0 || e >= n->nnodes)
				goto fail;
			g->off[e + 1]++;
		}
	for (int i = 0; i < n->nnodes; i++)
		g->off[i + 1] += g->off[i];
	for (int j = 0; j < n->nlinks; j++)
		for (int s = 0; s < 2; s++) {
			int e = n->links[j].end[s];
			int at = g->off[e] + fill[e]++;

			g->peer[at] = n->links[j].end[!s];
			g->link[at] = j;
		}
	free(fill);
	return 0;
fail:
	free(fill);
	bird_graph_free(g);
	memset(g, 0, sizeof(*g));
	return -1;
}

/*
 * Breadth-first search from `from`. dist[v] = hops (or -1), first[v] = the
 * lowest-index neighbour of `from` that starts a shortest path to v. Hosts
 * end paths but never carry them: a host other than `from` is reached but
 * not expanded. All nodes of one level are dequeued before the next level,
 * so first[u] is final when u is expanded.
 */
static int bird_bfs(const struct topo_net *n, const struct bird_graph *g,
		    int from, int *dist, int *first)
{
	int *queue = malloc(((size_t)n->nnodes + 1) * sizeof(int));
	int head = 0, tail = 0;

	if (!queue)
		return -1;
	for (int i = 0; i < n->nnodes; i++) {
		dist[i] = -1;
		first[i] = -1;
	}
	dist[from] = 0;
	queue[tail++] = from;
	while (head < tail) {
		int u = queue[head++];

		if (u != from && n->nodes[u].kind != TOPO_ROUTER)
			continue;
		for (int a = g->off[u]; a < g->off[u + 1]; a++) {
			int v = g->peer[a];
			int cand = u == from ? v : first[u];

			if (dist[v] < 0) {
				dist[v] = dist[u] + 1;
				first[v] = cand;
				queue[tail++] = v;
			} else if (dist[v] == dist[u] + 1 && cand < first[v]) {
				first[v] = cand;
			}
		}
	}
	free(queue);
	return 0;
}

/* Lowest-index link between `from` and its neighbour `nh`. */
static int bird_link_to(const struct bird_graph *g, int from, int nh)
{
	for (int a = g->off[from]; a < g->off[from + 1]; a++)
		if (g->peer[a] == nh)
			return g->link[a];
	return -1;
}

int bird_next_hop(const struct topo_net *n, int from, int to, int *nh_link)
{
	struct bird_graph g;
	int *dist = NULL, *first = NULL, nh = -1;

	if (nh_link)
		*nh_link = -1;
	if (from < 0 || from >= n->nnodes || to < 0 || to >= n->nnodes || from == to)
		return -1;
	if (bird_graph_make(n, &g) < 0)
		return -1;
	dist = malloc((size_t)n->nnodes * sizeof(int));
	first = malloc((size_t)n->nnodes * sizeof(int));
	if (dist && first && bird_bfs(n, &g, from, dist, first) == 0 && dist[to] > 0) {
		nh = first[to];
		if (nh_link)
			*nh_link = bird_link_to(&g, from, nh);
	}
	free(dist);
	free(first);
	bird_graph_free(&g);
	return nh;
}

static const char *fam_name(int family)
{
	return family == AF_INET ? "ipv4" : "ipv6";
}

static const char *fam_suffix(int family)
{
	return family == AF_INET ? "4" : "6";
}

/* Print `"eth0", "eth2"` for the router's interfaces whose peer is a router
 * (core = 1) or a host (core = 0); `lead` (e.g. "lo") comes first when
 * given. Returns how many names were printed. */
static int put_ifaces(FILE *f, const struct topo_net *n, const struct plan_node *pn,
		      int core, const char *lead)
{
	int cnt = 0;

	if (lead) {
		fprintf(f, "\"%s\"", lead);
		cnt++;
	}
	for (int i = 0; i < pn->nifs; i++) {
		int is_core = n->nodes[pn->ifs[i].peer].kind == TOPO_ROUTER;

		if (is_core != core)
			continue;
		fprintf(f, "%s\"%s\"", cnt ? ", " : "", pn->ifs[i].ifname);
		cnt++;
	}
	return cnt;
}

static int count_ifaces(const struct topo_net *n, const struct plan_node *pn, int core)
{
	int cnt = 0;

	for (int i = 0; i < pn->nifs; i++)
		cnt += (n->nodes[pn->ifs[i].peer].kind == TOPO_ROUTER) == core;
	return cnt;
}

static void put_skeleton(FILE *f, const struct topo_net *n, const struct plan *p,
			 int node)
{
	uint32_t rid = p->nodes[node].router_id;

	fprintf(f, "# BIRD 2 configuration of %s/%s (protocol %s), generated by vnet\n"
		   "# from the topology and its address plan.\n\n",
		n->name, n->nodes[node].name, topo_proto_name(n->proto));
	fprintf(f, "log \"%s\" all;\n", BIRD_LOG_FILE);
	fprintf(f, "router id %u.%u.%u.%u;\n\n", rid >> 24, (rid >> 16) & 255,
		(rid >> 8) & 255, rid & 255);
	fprintf(f, "protocol device {\n}\n\n");
	fprintf(f, "protocol direct {\n");
	for (int k = 0; k < n->nprefix; k++)
		fprintf(f, "\t%s;\n", fam_name(n->prefix[k].family));
	fprintf(f, "\tinterface \"eth*\", \"lo\";\n}\n");
	for (int k = 0; k < n->nprefix; k++) {
		int fam = n->prefix[k].family;

		fprintf(f, "\nprotocol kernel kernel%s {\n"
			   "\t%s { export all; };\n"
			   "\tgraceful restart on;\n}\n",
			fam_suffix(fam), fam_name(fam));
	}
}

/*
 * OSPFv2 announces the loopback as a stub interface. OSPFv3 runs only on
 * interfaces with a link-local address, which lo has not, so there the
 * loopback /128 goes out as an external route (the only export).
 */
static void put_ospf(FILE *f, const struct topo_net *n, const struct plan_node *pn)
{
	char lo[VNET_ADDRSTRLEN];

	for (int k = 0; k < n->nprefix; k++) {
		int fam = n->prefix[k].family;

		fprintf(f, "\nprotocol ospf %s ospf%s {\n", fam == AF_INET ? "v2" : "v3",
			fam_suffix(fam));
		if (fam == AF_INET || k >= pn->nlo)
			fprintf(f, "\t%s { import all; export none; };\n", fam_name(fam));
		else
			fprintf(f, "\t%s {\n\t\timport all;\n"
				   "\t\texport where source = RTS_DEVICE && net = %s;\n\t};\n",
				fam_name(fam), addr_fmt(&pn->lo[k], lo, sizeof(lo), 1));
		fprintf(f, "\tgraceful restart yes;\n\tarea 0 {\n");
		if (count_ifaces(n, pn, 1)) {
			fprintf(f, "\t\tinterface ");
			put_ifaces(f, n, pn, 1, NULL);
			fprintf(f, " {\n\t\t\ttype ptp;\n\t\t\thello 1;\n\t\t\tdead 4;\n\t\t};\n");
		}
		if (fam == AF_INET || count_ifaces(n, pn, 0)) {
			fprintf(f, "\t\tinterface ");
			put_ifaces(f, n, pn, 0, fam == AF_INET ? "lo" : NULL);
			fprintf(f, " {\n\t\t\tstub yes;\n\t\t};\n");
		}
		fprintf(f, "\t};\n}\n");
	}
}

static void put_rip(FILE *f, const struct topo_net *n, const struct plan_node *pn)
{
	if (!count_ifaces(n, pn, 1)) {
		fprintf(f, "\n# No link to another router: no RIP.\n");
		return;
	}
	for (int k = 0; k < n->nprefix; k++) {
		int fam = n->prefix[k].family;

		fprintf(f, "\nprotocol rip %srip%s {\n"
			   "\t%s {\n\t\timport all;\n"
			   "\t\texport where source = RTS_DEVICE || source = RTS_RIP;\n\t};\n"
			   "\tinterface ",
			fam == AF_INET ? "" : "ng ", fam_suffix(fam), fam_name(fam));
		put_ifaces(f, n, pn, 1, NULL);
		fprintf(f, " {\n\t\tupdate time 5;\n\t\ttimeout time 30;\n\t};\n}\n");
	}
}

static void put_babel(FILE *f, const struct topo_net *n, const struct plan_node *pn)
{
	if (!count_ifaces(n, pn, 1)) {
		fprintf(f, "\n# No link to another router: no Babel.\n");
		return;
	}
	fprintf(f, "\nprotocol babel {\n");
	for (int k = 0; k < n->nprefix; k++)
		fprintf(f, "\t%s {\n\t\timport all;\n"
			   "\t\texport where source = RTS_DEVICE || source = RTS_BABEL;\n\t};\n",
			fam_name(n->prefix[k].family));
	fprintf(f, "\tinterface ");
	put_ifaces(f, n, pn, 1, NULL);
	fprintf(f, " {\n\t\ttype wired;\n\t\thello interval 1 s;\n\t};\n}\n");
}

/* Which end of link j a static route aims at: a router end if one is
 * reachable, else a host end; the nearer one, ties to the lower index. */
static int static_target(const struct topo_net *n, const int *dist, int j)
{
	int best = -1;

	for (int s = 0; s < 2; s++) {
		int e = n->links[j].end[s], eh, bh;

		if (dist[e] < 0)
			continue;
		if (best < 0) {
			best = e;
			continue;
		}
		eh = n->nodes[e].kind != TOPO_ROUTER;
		bh = n->nodes[best].kind != TOPO_ROUTER;
		if (eh < bh || (eh == bh && (dist[e] < dist[best] ||
					     (dist[e] == dist[best] && e < best))))
			best = e;
	}
	return best;
}

static void put_route(FILE *f, const struct plan *p, const struct bird_graph *g,
		      int node, int k, const int *dist, const int *first, int target,
		      const struct vnet_addr *dst, const char *what)
{
	char ds[VNET_ADDRSTRLEN], hs[VNET_ADDRSTRLEN];
	const struct plan_iface *pi;
	int nh;

	addr_fmt(dst, ds, sizeof(ds), 1);
	if (target < 0 || dist[target] <= 0) {
		fprintf(f, "\t# %s (%s): unreachable without passing through a host\n",
			ds, what);
		return;
	}
	nh = first[target];
	pi = plan_iface_of(p, nh, bird_link_to(g, node, nh));
	if (!pi || k >= pi->naddr) {
		fprintf(f, "\t# %s (%s): no next-hop address\n", ds, what);
		return;
	}
	addr_fmt(&pi->addr[k], hs, sizeof(hs), 0);
	fprintf(f, "\troute %s via %s;\t# %s\n", ds, hs, what);
}

static int put_static(FILE *f, const struct topo_net *n, const struct plan *p, int node)
{
	struct bird_graph g;
	int *dist, *first, rc = -1;

	if (bird_graph_make(n, &g) < 0)
		return -1;
	dist = malloc(((size_t)n->nnodes + 1) * sizeof(int));
	first = malloc(((size_t)n->nnodes + 1) * sizeof(int));
	if (!dist || !first || bird_bfs(n, &g, node, dist, first) < 0)
		goto out;

	for (int k = 0; k < n->nprefix; k++) {
		int fam = n->prefix[k].family;
		char what[2 * VNET_NAME_MAX + VNET_LINK_NAME_MAX + 16];

		fprintf(f, "\nprotocol static static%s {\n\t%s;\n", fam_suffix(fam),
			fam_name(fam));
		for (int r = 0; r < n->nnodes; r++) {
			if (r == node || n->nodes[r].kind != TOPO_ROUTER)
				continue;
			snprintf(what, sizeof(what), "loopback of %s", n->nodes[r].name);
			put_route(f, p, &g, node, k, dist, first, r, &p->nodes[r].lo[k], what);
		}
		for (int j = 0; j < n->nlinks; j++) {
			const struct topo_link *l = &n->links[j];
			const struct plan_iface *pi;
			struct vnet_addr net;

			if (l->end[0] == node || l->end[1] == node)
				continue;
			pi = plan_iface_of(p, l->end[0], j);
			if (!pi || k >= pi->naddr)
				continue;
			net = pi->addr[k];
			addr_mask(&net);
			snprintf(what, sizeof(what), "link %s", l->name);
			put_route(f, p, &g, node, k, dist, first, static_target(n, dist, j),
				  &net, what);
		}
		fprintf(f, "}\n");
	}
	rc = 0;
out:
	free(dist);
	free(first);
	bird_graph_free(&g);
	return rc;
}

int bird_config(const struct topo_net *n, const struct plan *p, int node,
		char **out, struct vnet_err *err)
{
	const struct topo_node *nd;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc = 0;

	*out = NULL;
	if (!p || p->nnodes != n->nnodes || node < 0 || node >= n->nnodes)
		return vnet_errf(err, "network '%s': no node %d in the address plan",
				 n->name, node);
	nd = &n->nodes[node];
	if (nd->kind != TOPO_ROUTER)
		return 0;	/* hosts run no routing daemon */
	if (nd->config) {
		*out = strdup(nd->config);
		return *out ? 0 : vnet_errf(err, "out of memory");
	}
	if (n->proto == TOPO_PROTO_NONE)
		return 0;

	f = open_memstream(&buf, &len);
	if (!f)
		return vnet_errf(err, "out of memory");
	put_skeleton(f, n, p, node);
	switch (n->proto) {
	case TOPO_PROTO_OSPF:
		put_ospf(f, n, &p->nodes[node]);
		break;
	case TOPO_PROTO_RIP:
		put_rip(f, n, &p->nodes[node]);
		break;
	case TOPO_PROTO_BABEL:
		put_babel(f, n, &p->nodes[node]);
		break;
	case TOPO_PROTO_STATIC:
		rc = put_static(f, n, p, node);
		break;
	default:
		rc = -1;
		break;
	}
	if (ferror(f))
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc < 0) {
		free(buf);
		return vnet_errf(err, "cannot generate the BIRD configuration of %s/%s: "
				 "out of memory or unknown protocol", n->name, nd->name);
	}
	*out = buf;
	return 0;
}
