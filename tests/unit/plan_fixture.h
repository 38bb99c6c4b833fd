/*
 * plan_fixture.h - small virtual networks built in memory for the address
 * plan and BIRD config tests (test_plan.c, test_bird.c), so those tests
 * depend on the plan and not on the YAML parser. Header-only: each test
 * program includes it once.
 */
#ifndef VNET_TEST_PLAN_FIXTURE_H
#define VNET_TEST_PLAN_FIXTURE_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "topo.h"

struct fx_net {
	struct topo_net n;
	int cap_nodes, cap_links;
};

/* A network named `name`; p4/p6 are prefixes such as "10.1.0.0/16" or NULL. */
static inline void fx_prefix(struct vnet_addr *a, const char *s)
{
	char buf[64], *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (!slash)
		abort();
	*slash = '\0';
	memset(a, 0, sizeof(*a));
	a->plen = (uint8_t)atoi(slash + 1);
	if (inet_pton(AF_INET, buf, a->a) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, a->a) == 1)
		a->family = AF_INET6;
	else
		abort();
}

static inline struct fx_net *fx_new(const char *name, enum topo_proto proto,
				    const char *p4, const char *p6)
{
	struct fx_net *f = calloc(1, sizeof(*f));

	if (!f)
		abort();
	snprintf(f->n.name, sizeof(f->n.name), "%s", name);
	f->n.proto = proto;
	if (p4)
		fx_prefix(&f->n.prefix[f->n.nprefix++], p4);
	if (p6)
		fx_prefix(&f->n.prefix[f->n.nprefix++], p6);
	f->n.pos.line = 3;
	f->n.pos.col = 5;
	return f;
}

/* Nodes must be added routers first, as the parser orders them. */
static inline int fx_node(struct fx_net *f, const char *name, enum topo_kind kind)
{
	struct topo_node *nd;

	if (f->n.nnodes == f->cap_nodes) {
		f->cap_nodes = f->cap_nodes ? 2 * f->cap_nodes : 8;
		f->n.nodes = realloc(f->n.nodes, (size_t)f->cap_nodes * sizeof(*nd));
		if (!f->n.nodes)
			abort();
	}
	nd = &f->n.nodes[f->n.nnodes];
	memset(nd, 0, sizeof(*nd));
	snprintf(nd->name, sizeof(nd->name), "%s", name);
	nd->kind = kind;
	return f->n.nnodes++;
}

static inline int fx_find(const struct fx_net *f, const char *name)
{
	for (int i = 0; i < f->n.nnodes; i++)
		if (!strcmp(f->n.nodes[i].name, name))
			return i;
	abort();
}

static inline int fx_link(struct fx_net *f, const char *a, const char *b)
{
	struct topo_link *l;

	if (f->n.nlinks == f->cap_links) {
		f->cap_links = f->cap_links ? 2 * f->cap_links : 8;
		f->n.links = realloc(f->n.links, (size_t)f->cap_links * sizeof(*l));
		if (!f->n.links)
			abort();
	}
	l = &f->n.links[f->n.nlinks];
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s-%s", a, b);
	l->end[0] = fx_find(f, a);
	l->end[1] = fx_find(f, b);
	return f->n.nlinks++;
}

static inline void fx_free(struct fx_net *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->n.nnodes; i++)
		free(f->n.nodes[i].config);
	free(f->n.nodes);
	free(f->n.links);
	free(f);
}

/* "10.1.64.1/30" (with_plen) or "10.1.64.1", independent of addr_fmt();
 * eight rotating buffers so several may appear in one assertion. */
static inline const char *fx_fmt(const struct vnet_addr *a, int with_plen)
{
	static char bufs[8][80];
	static int next;
	char *b = bufs[next++ % 8], tmp[64];

	if (!inet_ntop(a->family, a->a, tmp, sizeof(tmp)))
		snprintf(tmp, sizeof(tmp), "(family %d)", a->family);
	if (with_plen)
		snprintf(b, 80, "%s/%d", tmp, a->plen);
	else
		snprintf(b, 80, "%s", tmp);
	return b;
}

static inline const char *fx_mac(const uint8_t m[6])
{
	static char bufs[4][18];
	static int next;
	char *b = bufs[next++ % 4];

	snprintf(b, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		 m[4], m[5]);
	return b;
}

#endif
