/*
 * tables.c - see tables.h.
 */
#include "tables.h"

#include <errno.h>
#include <linux/neighbour.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"

json_t *tables_route_json(const struct nl_route *r)
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

int tables_route_from_json(json_t *j, struct nl_route *r)
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
json_t *tables_neigh_json(const struct nl_neigh *ne)
{
	char buf[VNET_ADDRSTRLEN], mac[24];

	return json_pack("{s:s, s:s, s:s, s:s}",
			 "ip", addr_fmt(&ne->ip, buf, sizeof(buf), 0),
			 "lladdr", addr_mac_fmt(ne->lladdr, mac, sizeof(mac)), "dev", ne->dev,
			 "state", ne->state & NUD_PERMANENT ? "permanent" : "stale");
}

int tables_neigh_from_json(json_t *j, struct nl_neigh *ne)
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
int tables_neigh_cmp(const void *a, const void *b)
{
	const struct nl_neigh *x = a, *y = b;
	int c = strcmp(x->dev, y->dev);

	if (c)
		return c;
	if (x->ip.family != y->ip.family)
		return x->ip.family < y->ip.family ? -1 : 1;
	return memcmp(x->ip.a, y->ip.a, sizeof(x->ip.a));
}

int tables_neigh_append(struct nl_neigh **all, int *nall, const struct nl_neigh *ne, int n)
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

