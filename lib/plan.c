/*
 * plan.c - the address plan of a virtual network (see plan.h and
 * docs/addressing.md): interface names, MACs, loopbacks, link addresses,
 * router ids and host gateways, all derived from the topology alone so that
 * the same file always yields byte-identical plans on every machine.
 *
 * Per prefix, in the order of topo_net.prefix:
 *   IPv4 P/len  first quarter: loopbacks, router i -> P+1+i (/32);
 *               the rest: one /30 per link, link j -> P + quarter + 4j,
 *               end[0] gets .1 of it, end[1] .2.
 *   IPv6 P/len  (len <= 60) /64 number 0: loopbacks, router i -> P::(1+i)/128;
 *               link j -> /64 number j+1, end[0] ::1, end[1] ::2.
 * "Router i" is the router of slot i and "link j" the link of slot j
 * (topo_net.numbered; topo_edit.c): a file numbers them in order (router
 * ordinal, link index), a live edit keeps every other slot. Unnumbered
 * networks use the order itself. Interface ethN: the link end's ifn. Hosts get no loopback and
 * no router id; each host's gateways are the router's addresses on the
 * host's first link to a router.
 */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLAN_V6_MAX_PLEN 60		/* leaves at least 16 /64s */
#define PLAN_RID_FALLBACK 0x0aff0000u	/* 10.255.0.0: router ids without IPv4 */

/* IPv4 addresses as host-order integers. */
static uint32_t v4_get(const struct vnet_addr *a)
{
	return (uint32_t)a->a[0] << 24 | (uint32_t)a->a[1] << 16 |
	       (uint32_t)a->a[2] << 8 | a->a[3];
}

static void v4_set(struct vnet_addr *a, uint32_t v, int plen)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->plen = (uint8_t)plen;
	a->a[0] = (uint8_t)(v >> 24);
	a->a[1] = (uint8_t)(v >> 16);
	a->a[2] = (uint8_t)(v >> 8);
	a->a[3] = (uint8_t)v;
}

/* IPv6 addresses as two host-order halves: hi = the /64, lo = interface id. */
static void v6_get(const struct vnet_addr *a, uint64_t *hi, uint64_t *lo)
{
	*hi = *lo = 0;
	for (int i = 0; i < 8; i++) {
		*hi = *hi << 8 | a->a[i];
		*lo = *lo << 8 | a->a[8 + i];
	}
}

static void v6_set(struct vnet_addr *a, uint64_t hi, uint64_t lo, int plen)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	a->plen = (uint8_t)plen;
	for (int i = 7; i >= 0; i--) {
		a->a[i] = (uint8_t)hi;
		a->a[8 + i] = (uint8_t)lo;
		hi >>= 8;
		lo >>= 8;
	}
}

/* The network part of prefix pfx as integers (host bits cleared). */
static uint32_t v4_base(const struct vnet_addr *pfx)
{
	uint32_t mask = pfx->plen ? ~0u << (32 - pfx->plen) : 0;

	return v4_get(pfx) & mask;
}

static uint64_t v6_base(const struct vnet_addr *pfx)
{
	uint64_t hi, lo;

	v6_get(pfx, &hi, &lo);
	return pfx->plen ? hi & ~0ull << (64 - pfx->plen) : 0;
}

static uint64_t v4_quarter(const struct vnet_addr *pfx)
{
	return (1ull << (32 - pfx->plen)) / 4;
}

/* Loopback of the router with ordinal i. */
static void plan_lo(const struct vnet_addr *pfx, int i, struct vnet_addr *out)
{
	if (pfx->family == AF_INET)
		v4_set(out, v4_base(pfx) + 1 + (uint32_t)i, 32);
	else
		v6_set(out, v6_base(pfx), 1 + (uint64_t)i, 128);
}

/* Address of side `side` on link j; with host_only the prefix length is
 * that of a single address (for gateways). */
static void plan_link_addr(const struct vnet_addr *pfx, int j, int side,
			   int host_only, struct vnet_addr *out)
{
	if (pfx->family == AF_INET)
		v4_set(out, v4_base(pfx) + (uint32_t)v4_quarter(pfx) +
			    4 * (uint32_t)j + 1 + (uint32_t)side,
		       host_only ? 32 : 30);
	else
		v6_set(out, v6_base(pfx) + 1 + (uint64_t)j, 1 + (uint64_t)side,
		       host_only ? 128 : 64);
}

/* "file:line:col: " (or less, as far as known) into buf. */
static const char *plan_loc(char *buf, size_t n, const char *file,
			    const struct topo_pos *pos)
{
	if (file && pos->line)
		snprintf(buf, n, "%s:%d:%d: ", file, pos->line, pos->col);
	else if (file)
		snprintf(buf, n, "%s: ", file);
	else if (pos->line)
		snprintf(buf, n, "%d:%d: ", pos->line, pos->col);
	else
		buf[0] = '\0';
	return buf;
}

static const char *plural(uint64_t k)
{
	return k == 1 ? "" : "s";
}

/* Does prefix k have room for the plan? 0 or -1 with err. */
static int plan_check_prefix(const struct topo_net *n, const char *file,
			     const struct vnet_addr *pfx, uint64_t nr, uint64_t nl,
			     struct vnet_err *err)
{
	char loc[300], ps[VNET_ADDRSTRLEN];

	plan_loc(loc, sizeof(loc), file, &n->pos);
	addr_fmt(pfx, ps, sizeof(ps), 1);
	if (pfx->family == AF_INET) {
		uint64_t size = pfx->plen <= 32 ? 1ull << (32 - pfx->plen) : 0;
		uint64_t quarter = size / 4;
		uint64_t max_lo = quarter ? quarter - 1 : 0;
		uint64_t max_links = (size - quarter) / 4;

		if (pfx->plen > 32 || nr > max_lo || nl > max_links)
			return vnet_errf(err,
				"%sprefix %s is too small for network '%s': it needs room for "
				"%llu router loopback%s and %llu link subnet%s (a /%d holds at most "
				"%llu loopback%s in its first quarter and %llu link /30%s in the rest)",
				loc, ps, n->name, (unsigned long long)nr, plural(nr),
				(unsigned long long)nl, plural(nl), pfx->plen,
				(unsigned long long)max_lo, plural(max_lo),
				(unsigned long long)max_links, plural(max_links));
		return 0;
	}
	if (pfx->family == AF_INET6) {
		uint64_t nsub;

		if (pfx->plen > PLAN_V6_MAX_PLEN)
			return vnet_errf(err,
				"%sprefix %s is too small for network '%s': it needs room for "
				"%llu router loopback%s and %llu link subnet%s (IPv6 prefixes must "
				"be /%d or shorter: one /64 holds the loopbacks, each link gets a /64)",
				loc, ps, n->name, (unsigned long long)nr, plural(nr),
				(unsigned long long)nl, plural(nl), PLAN_V6_MAX_PLEN);
		nsub = 64 - pfx->plen >= 63 ? ~0ull : 1ull << (64 - pfx->plen);
		if (nl > nsub - 1)
			return vnet_errf(err,
				"%sprefix %s is too small for network '%s': it needs room for "
				"%llu router loopback%s and %llu link subnet%s (a /%d holds %llu /64s: "
				"one for the loopbacks and %llu for links)",
				loc, ps, n->name, (unsigned long long)nr, plural(nr),
				(unsigned long long)nl, plural(nl), pfx->plen,
				(unsigned long long)nsub, (unsigned long long)(nsub - 1));
		return 0;
	}
	return vnet_errf(err, "%snetwork '%s' has a prefix of unknown address family",
			 loc, n->name);
}

static uint64_t fnv1a64(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* FNV-1a of "net/node": where the names hashed below start. */
static uint64_t node_hash(const char *net, const char *node)
{
	uint64_t h = fnv1a64(0xcbf29ce484222325ull, net);

	h = fnv1a64(h, "/");
	return fnv1a64(h, node);
}

/* MAC of "net/node/ifname" (with "#salt" appended when salt > 0): unicast,
 * locally administered. */
static void plan_mac(const char *net, const char *node, const char *ifname,
		     int salt, uint8_t mac[6])
{
	uint64_t h = fnv1a64(node_hash(net, node), "/");
	char s[32];

	h = fnv1a64(h, ifname);
	if (salt > 0) {
		snprintf(s, sizeof(s), "#%d", salt);
		h = fnv1a64(h, s);
	}
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(h >> (40 - 8 * i));
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
}

/* The multipath hash seed of "net/node": its own, so that flows are spread
 * differently at each router yet the same way after a restore, on any host
 * (the kernel's default seed is random at boot). Not 0: that asks the kernel
 * for its random one. */
static uint32_t plan_ecmp_seed(const char *net, const char *node)
{
	uint64_t h = node_hash(net, node);
	uint32_t seed = (uint32_t)(h ^ (h >> 32));

	return seed ? seed : 1;
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->nnodes; i++)
		free(p->nodes[i].ifs);
	free(p->nodes);
	free(p);
}

const struct plan_iface *plan_iface_of(const struct plan *p, int node, int link)
{
	if (!p || node < 0 || node >= p->nnodes)
		return NULL;
	for (int i = 0; i < p->nodes[node].nifs; i++)
		if (p->nodes[node].ifs[i].link == link)
			return &p->nodes[node].ifs[i];
	return NULL;
}

/* The subnet number of link j: its slot, or its index (unnumbered). */
static int plan_link_slot(const struct topo_net *n, int j)
{
	return n->numbered ? (int)n->links[j].slot : j;
}

int plan_make(const struct topo_net *n, const char *file, struct plan **out,
	      struct vnet_err *err)
{
	struct plan *p = NULL;
	int nrouters = 0, ordinal = 0, v4 = -1;
	uint64_t nlo, nsub;
	char loc[300];

	*out = NULL;
	for (int i = 0; i < n->nnodes; i++)
		nrouters += n->nodes[i].kind == TOPO_ROUTER;
	/* Room is needed up to the highest slot (topo_edit.c): a slot freed by
	 * a live edit keeps its place. */
	nlo = n->numbered ? topo_net_slots_above(n, 0) : (uint64_t)nrouters;
	nsub = n->numbered ? topo_net_slots_above(n, 1) : (uint64_t)n->nlinks;
	if (nlo > (uint64_t)nrouters)	/* counts the same as a router there */
		nrouters = nlo >= 0xffff ? 0xffff : (int)nlo;
	if (nrouters >= 0xffff)
		return vnet_errf(err, "%snetwork '%s' has %d routers: at most %d are supported",
				 plan_loc(loc, sizeof(loc), file, &n->pos), n->name,
				 nrouters, 0xffff - 1);
	if (n->nprefix < 0 || n->nprefix > (int)ARRAY_SIZE(p->nodes->lo))
		return vnet_errf(err, "%snetwork '%s' has %d prefixes: at most one IPv4 and one IPv6",
				 plan_loc(loc, sizeof(loc), file, &n->pos), n->name,
				 n->nprefix);
	for (int k = 0; k < n->nprefix; k++) {
		if (plan_check_prefix(n, file, &n->prefix[k], nlo, nsub, err) < 0)
			return -1;
		if (n->prefix[k].family == AF_INET && v4 < 0)
			v4 = k;
	}

	p = calloc(1, sizeof(*p));
	if (!p || !(p->nodes = calloc((size_t)n->nnodes + 1, sizeof(*p->nodes))))
		goto nomem;
	p->nnodes = n->nnodes;

	/* Degrees first, then one array of interfaces per node. */
	for (int j = 0; j < n->nlinks; j++)
		for (int s = 0; s < 2; s++) {
			int e = n->links[j].end[s];

			if (e < 0 || e >= n->nnodes) {
				vnet_errf(err, "%snetwork '%s': link %d names no node",
					  plan_loc(loc, sizeof(loc), file, &n->links[j].pos),
					  n->name, j);
				goto fail;
			}
			p->nodes[e].nifs++;
		}
	for (int i = 0; i < n->nnodes; i++) {
		p->nodes[i].ifs = calloc((size_t)p->nodes[i].nifs + 1, sizeof(struct plan_iface));
		if (!p->nodes[i].ifs)
			goto nomem;
		p->nodes[i].nifs = 0;
	}

	for (int j = 0; j < n->nlinks; j++) {
		struct plan_iface *end[2];

		for (int s = 0; s < 2; s++) {
			int e = n->links[j].end[s];
			struct plan_node *pn = &p->nodes[e];
			struct plan_iface *f = &pn->ifs[pn->nifs];

			snprintf(f->ifname, sizeof(f->ifname), "eth%d",
				 n->numbered ? n->links[j].ifn[s] : pn->nifs);
			pn->nifs++;
			f->link = j;
			f->side = s;
			f->peer = n->links[j].end[!s];
			for (int k = 0; k < n->nprefix; k++)
				plan_link_addr(&n->prefix[k], plan_link_slot(n, j), s, 0,
					       &f->addr[k]);
			f->naddr = n->nprefix;
			plan_mac(n->name, n->nodes[e].name, f->ifname, 0, f->mac);
			end[s] = f;
		}
		/* The two ends of one segment must differ; rehash end[1]. */
		for (int salt = 1; !memcmp(end[0]->mac, end[1]->mac, 6); salt++)
			plan_mac(n->name, n->nodes[n->links[j].end[1]].name,
				 end[1]->ifname, salt, end[1]->mac);
	}

	for (int i = 0; i < n->nnodes; i++) {
		struct plan_node *pn = &p->nodes[i];

		pn->ecmp_seed = plan_ecmp_seed(n->name, n->nodes[i].name);
		if (n->nodes[i].kind == TOPO_ROUTER) {
			int slot = n->numbered ? (int)n->nodes[i].slot : ordinal;

			for (int k = 0; k < n->nprefix; k++)
				plan_lo(&n->prefix[k], slot, &pn->lo[k]);
			pn->nlo = n->nprefix;
			pn->router_id = v4 >= 0 ? v4_get(&pn->lo[v4]) :
				PLAN_RID_FALLBACK + 1 + (uint32_t)slot;
			ordinal++;
			continue;
		}
		for (int f = 0; f < pn->nifs; f++) {
			const struct plan_iface *pi = &pn->ifs[f];

			if (n->nodes[pi->peer].kind != TOPO_ROUTER)
				continue;
			for (int k = 0; k < n->nprefix; k++)
				plan_link_addr(&n->prefix[k], plan_link_slot(n, pi->link),
					       !pi->side, 1, &pn->gw[k]);
			pn->ngw = n->nprefix;
			break;
		}
	}
	*out = p;
	return 0;

nomem:
	vnet_errf(err, "out of memory while planning network '%s'", n->name);
fail:
	plan_free(p);
	return -1;
}
