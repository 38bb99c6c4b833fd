/*
 * test_plan.c - the address plan (lib/plan.c): loopbacks, link /30s and
 * /64s, sides, interface names, gateways, router ids, MACs, determinism and
 * the "prefix too small" errors, on networks built in memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "plan_fixture.h"

/* red: r1, r2, r3, h1; links h1-r1, r1-r2, r2-r3 (the docs' example). */
static struct fx_net *red(const char *p4, const char *p6)
{
	struct fx_net *f = fx_new("red", TOPO_PROTO_OSPF, p4, p6);

	fx_node(f, "r1", TOPO_ROUTER);
	fx_node(f, "r2", TOPO_ROUTER);
	fx_node(f, "r3", TOPO_ROUTER);
	fx_node(f, "h1", TOPO_HOST);
	fx_link(f, "h1", "r1");
	fx_link(f, "r1", "r2");
	fx_link(f, "r2", "r3");
	return f;
}

static void test_ipv4_layout(void **state)
{
	struct fx_net *f = red("10.1.0.0/16", NULL);
	struct vnet_err err = { "" };
	struct plan *p = NULL;
	const struct plan_node *r1, *r2, *r3, *h1;

	assert_int_equal(plan_make(&f->n, "red.yaml", &p, &err), 0);
	assert_non_null(p);
	assert_int_equal(p->nnodes, 4);
	r1 = &p->nodes[0];
	r2 = &p->nodes[1];
	r3 = &p->nodes[2];
	h1 = &p->nodes[3];

	/* Loopbacks: first quarter, router i -> P+1+i. */
	assert_int_equal(r1->nlo, 1);
	assert_string_equal(fx_fmt(&r1->lo[0], 1), "10.1.0.1/32");
	assert_string_equal(fx_fmt(&r2->lo[0], 1), "10.1.0.2/32");
	assert_string_equal(fx_fmt(&r3->lo[0], 1), "10.1.0.3/32");
	assert_int_equal(h1->nlo, 0);

	/* Router ids = IPv4 loopbacks; hosts have none. */
	assert_int_equal(r1->router_id, 0x0a010001);
	assert_int_equal(r3->router_id, 0x0a010003);
	assert_int_equal(h1->router_id, 0);

	/* Link 0 (h1-r1) = 10.1.64.0/30: end[0] = h1 gets .1, end[1] = r1 .2. */
	assert_int_equal(h1->nifs, 1);
	assert_string_equal(h1->ifs[0].ifname, "eth0");
	assert_int_equal(h1->ifs[0].link, 0);
	assert_int_equal(h1->ifs[0].side, 0);
	assert_int_equal(h1->ifs[0].peer, 0);
	assert_int_equal(h1->ifs[0].naddr, 1);
	assert_string_equal(fx_fmt(&h1->ifs[0].addr[0], 1), "10.1.64.1/30");

	/* r1: eth0 on link 0 (side 1), eth1 on link 1 (side 0). */
	assert_int_equal(r1->nifs, 2);
	assert_string_equal(r1->ifs[0].ifname, "eth0");
	assert_int_equal(r1->ifs[0].link, 0);
	assert_int_equal(r1->ifs[0].side, 1);
	assert_int_equal(r1->ifs[0].peer, 3);
	assert_string_equal(fx_fmt(&r1->ifs[0].addr[0], 1), "10.1.64.2/30");
	assert_string_equal(r1->ifs[1].ifname, "eth1");
	assert_int_equal(r1->ifs[1].link, 1);
	assert_int_equal(r1->ifs[1].side, 0);
	assert_int_equal(r1->ifs[1].peer, 1);
	assert_string_equal(fx_fmt(&r1->ifs[1].addr[0], 1), "10.1.64.5/30");

	/* r2: eth0 on link 1 (.6), eth1 on link 2 (10.1.64.8/30, .9). */
	assert_string_equal(fx_fmt(&r2->ifs[0].addr[0], 1), "10.1.64.6/30");
	assert_string_equal(fx_fmt(&r2->ifs[1].addr[0], 1), "10.1.64.9/30");
	assert_string_equal(r3->ifs[0].ifname, "eth0");
	assert_string_equal(fx_fmt(&r3->ifs[0].addr[0], 1), "10.1.64.10/30");

	/* h1's gateway: r1's address on h1's first router link, bare. */
	assert_int_equal(h1->ngw, 1);
	assert_string_equal(fx_fmt(&h1->gw[0], 1), "10.1.64.2/32");
	assert_int_equal(r1->ngw, 0);

	/* plan_iface_of() */
	assert_ptr_equal(plan_iface_of(p, 1, 2), &r2->ifs[1]);
	assert_ptr_equal(plan_iface_of(p, 3, 0), &h1->ifs[0]);
	assert_null(plan_iface_of(p, 3, 1));
	assert_null(plan_iface_of(p, 7, 0));
	assert_null(plan_iface_of(p, -1, 0));

	plan_free(p);
	fx_free(f);
}

static void test_ipv6_layout(void **state)
{
	struct fx_net *f = red(NULL, "fd00:1::/48");
	struct vnet_err err = { "" };
	struct plan *p = NULL;
	const struct plan_node *r1, *r3, *h1;

	assert_int_equal(plan_make(&f->n, NULL, &p, &err), 0);
	r1 = &p->nodes[0];
	r3 = &p->nodes[2];
	h1 = &p->nodes[3];

	assert_string_equal(fx_fmt(&r1->lo[0], 1), "fd00:1::1/128");
	assert_string_equal(fx_fmt(&r3->lo[0], 1), "fd00:1::3/128");
	/* Link j = /64 number j+1. */
	assert_string_equal(fx_fmt(&h1->ifs[0].addr[0], 1), "fd00:1:0:1::1/64");
	assert_string_equal(fx_fmt(&r1->ifs[0].addr[0], 1), "fd00:1:0:1::2/64");
	assert_string_equal(fx_fmt(&r1->ifs[1].addr[0], 1), "fd00:1:0:2::1/64");
	assert_string_equal(fx_fmt(&r3->ifs[0].addr[0], 1), "fd00:1:0:3::2/64");
	assert_int_equal(h1->ngw, 1);
	assert_string_equal(fx_fmt(&h1->gw[0], 1), "fd00:1:0:1::2/128");

	/* No IPv4: router ids 10.255.0.(1+i). */
	assert_int_equal(r1->router_id, 0x0aff0001);
	assert_int_equal(r3->router_id, 0x0aff0003);

	plan_free(p);
	fx_free(f);
}

static void test_dual_stack(void **state)
{
	struct fx_net *f = red("10.1.0.0/16", "fd00:1::/48");
	struct vnet_err err = { "" };
	struct plan *p = NULL;
	const struct plan_node *r2, *h1;

	assert_int_equal(plan_make(&f->n, NULL, &p, &err), 0);
	r2 = &p->nodes[1];
	h1 = &p->nodes[3];
	assert_int_equal(r2->nlo, 2);
	assert_string_equal(fx_fmt(&r2->lo[0], 1), "10.1.0.2/32");
	assert_string_equal(fx_fmt(&r2->lo[1], 1), "fd00:1::2/128");
	assert_int_equal(r2->ifs[1].naddr, 2);
	assert_string_equal(fx_fmt(&r2->ifs[1].addr[0], 1), "10.1.64.9/30");
	assert_string_equal(fx_fmt(&r2->ifs[1].addr[1], 1), "fd00:1:0:3::1/64");
	assert_int_equal(r2->router_id, 0x0a010002);
	assert_int_equal(h1->ngw, 2);
	assert_string_equal(fx_fmt(&h1->gw[0], 0), "10.1.64.2");
	assert_string_equal(fx_fmt(&h1->gw[1], 0), "fd00:1:0:1::2");
	plan_free(p);
	fx_free(f);
}

/* Host bits in the prefix are ignored: 10.1.2.3/16 plans as 10.1.0.0/16. */
static void test_prefix_host_bits(void **state)
{
	struct fx_net *f = red("10.1.2.3/16", "fd00:1:0:5::/48");
	struct vnet_err err = { "" };
	struct plan *p = NULL;

	assert_int_equal(plan_make(&f->n, NULL, &p, &err), 0);
	assert_string_equal(fx_fmt(&p->nodes[0].lo[0], 1), "10.1.0.1/32");
	assert_string_equal(fx_fmt(&p->nodes[0].lo[1], 1), "fd00:1::1/128");
	assert_string_equal(fx_fmt(&p->nodes[3].ifs[0].addr[0], 1), "10.1.64.1/30");
	plan_free(p);
	fx_free(f);
}

/* A host's gateway comes from its first link to a router; host-host links
 * get addresses but no gateway; a host without router links has none. */
static void test_host_gateways(void **state)
{
	struct fx_net *f = fx_new("blue", TOPO_PROTO_STATIC, "10.2.0.0/24", NULL);
	struct vnet_err err = { "" };
	struct plan *p = NULL;
	int r1, r2, h1, h2, h3;

	r1 = fx_node(f, "r1", TOPO_ROUTER);
	r2 = fx_node(f, "r2", TOPO_ROUTER);
	h1 = fx_node(f, "h1", TOPO_HOST);
	h2 = fx_node(f, "h2", TOPO_HOST);
	h3 = fx_node(f, "h3", TOPO_HOST);
	fx_link(f, "r1", "r2");		/* 0: 10.2.0.64/30 */
	fx_link(f, "h1", "h2");		/* 1: 10.2.0.68/30 */
	fx_link(f, "r2", "h1");		/* 2: 10.2.0.72/30 */
	fx_link(f, "h1", "r1");		/* 3: 10.2.0.76/30 */
	fx_link(f, "h2", "h3");		/* 4: 10.2.0.80/30 */
	assert_int_equal(plan_make(&f->n, NULL, &p, &err), 0);

	assert_string_equal(fx_fmt(&p->nodes[r1].lo[0], 1), "10.2.0.1/32");
	assert_string_equal(fx_fmt(&p->nodes[r2].lo[0], 1), "10.2.0.2/32");
	/* h1: eth0 on the host link, eth1 to r2 (first router link), eth2 to r1. */
	assert_int_equal(p->nodes[h1].nifs, 3);
	assert_string_equal(p->nodes[h1].ifs[0].ifname, "eth0");
	assert_string_equal(fx_fmt(&p->nodes[h1].ifs[0].addr[0], 1), "10.2.0.69/30");
	assert_string_equal(p->nodes[h1].ifs[1].ifname, "eth1");
	assert_string_equal(fx_fmt(&p->nodes[h1].ifs[1].addr[0], 1), "10.2.0.74/30");
	assert_string_equal(fx_fmt(&p->nodes[h1].ifs[2].addr[0], 1), "10.2.0.77/30");
	assert_int_equal(p->nodes[h1].ngw, 1);
	assert_string_equal(fx_fmt(&p->nodes[h1].gw[0], 0), "10.2.0.73");
	/* h2, h3: only host links. */
	assert_string_equal(fx_fmt(&p->nodes[h2].ifs[0].addr[0], 1), "10.2.0.70/30");
	assert_int_equal(p->nodes[h2].ngw, 0);
	assert_int_equal(p->nodes[h3].ngw, 0);
	assert_int_equal(p->nodes[h3].nlo, 0);
	assert_string_equal(fx_fmt(&p->nodes[h3].ifs[0].addr[0], 1), "10.2.0.82/30");
	plan_free(p);
	fx_free(f);
}

static void test_macs(void **state)
{
	struct fx_net *f = red("10.1.0.0/16", NULL);
	struct vnet_err err = { "" };
	struct plan *p = NULL;
	const uint8_t *all[16];
	int nall = 0;

	assert_int_equal(plan_make(&f->n, NULL, &p, &err), 0);
	/* FNV-1a 64 of "red/r1/eth0", unicast + locally administered. Pinned:
	 * saved images and copies rely on MACs never changing between versions. */
	assert_string_equal(fx_mac(p->nodes[0].ifs[0].mac), "6a:de:a6:dd:de:9c");
	assert_string_equal(fx_mac(p->nodes[3].ifs[0].mac), "2e:a5:b5:31:52:52");
	for (int i = 0; i < p->nnodes; i++)
		for (int j = 0; j < p->nodes[i].nifs; j++) {
			const uint8_t *m = p->nodes[i].ifs[j].mac;

			assert_int_equal(m[0] & 0x01, 0);	/* not multicast */
			assert_int_equal(m[0] & 0x02, 0x02);	/* locally administered */
			for (int k = 0; k < nall; k++)
				assert_memory_not_equal(all[k], m, 6);
			all[nall++] = m;
		}
	plan_free(p);
	fx_free(f);

	/* Same node and interface in another network: another MAC. */
	f = red("10.1.0.0/16", NULL);
	snprintf(f->n.name, sizeof(f->n.name), "green");
	assert_int_equal(plan_make(&f->n, NULL, &p, &err), 0);
	assert_string_not_equal(fx_mac(p->nodes[0].ifs[0].mac), "6a:de:a6:dd:de:9c");
	plan_free(p);
	fx_free(f);
}

static void test_ecmp_seeds(void **state)
{
	struct fx_net *f = red("10.1.0.0/16", NULL);
	struct vnet_err err = { "" };
	struct plan *p = NULL;

	assert_int_equal(plan_make(&f->n, NULL, &p, &err), 0);
	/* FNV-1a 64 of "red/r1", folded to 32 bits. Pinned: a restored network
	 * spreads its flows as the saved one only with the same seeds. */
	assert_int_equal(p->nodes[0].ecmp_seed, 0xf90d463a);
	assert_int_equal(p->nodes[1].ecmp_seed, 0xf90d4043);
	for (int i = 0; i < p->nnodes; i++) {
		assert_int_not_equal(p->nodes[i].ecmp_seed, 0);	/* 0 = kernel's random */
		for (int k = 0; k < i; k++)
			assert_int_not_equal(p->nodes[i].ecmp_seed, p->nodes[k].ecmp_seed);
	}
	plan_free(p);

	/* Another network: other seeds. */
	snprintf(f->n.name, sizeof(f->n.name), "green");
	assert_int_equal(plan_make(&f->n, NULL, &p, &err), 0);
	assert_int_equal(p->nodes[0].ecmp_seed, 0x12bf43af);
	plan_free(p);
	fx_free(f);
}

static void test_deterministic(void **state)
{
	struct fx_net *f = red("10.9.0.0/20", "fd00:9::/56");
	struct vnet_err err = { "" };
	struct plan *a = NULL, *b = NULL;

	fx_node(f, "h2", TOPO_HOST);
	fx_link(f, "r3", "h2");
	fx_link(f, "r1", "r3");
	assert_int_equal(plan_make(&f->n, NULL, &a, &err), 0);
	assert_int_equal(plan_make(&f->n, NULL, &b, &err), 0);
	assert_int_equal(a->nnodes, b->nnodes);
	for (int i = 0; i < a->nnodes; i++) {
		const struct plan_node *x = &a->nodes[i], *y = &b->nodes[i];

		assert_memory_equal(x->lo, y->lo, sizeof(x->lo));
		assert_memory_equal(x->gw, y->gw, sizeof(x->gw));
		assert_int_equal(x->nlo, y->nlo);
		assert_int_equal(x->ngw, y->ngw);
		assert_int_equal(x->router_id, y->router_id);
		assert_int_equal(x->ecmp_seed, y->ecmp_seed);
		assert_int_equal(x->nifs, y->nifs);
		assert_memory_equal(x->ifs, y->ifs, (size_t)x->nifs * sizeof(*x->ifs));
	}
	plan_free(a);
	plan_free(b);
	fx_free(f);
}

/* 10.1.0.0/28: 16 addresses, loopbacks .1-.3, link /30s at .4, .8, .12. */
static void test_v4_exact_fit(void **state)
{
	struct fx_net *f = red("10.1.0.0/28", NULL);
	struct vnet_err err = { "" };
	struct plan *p = NULL;

	assert_int_equal(plan_make(&f->n, "seed.yaml", &p, &err), 0);
	assert_string_equal(fx_fmt(&p->nodes[2].lo[0], 1), "10.1.0.3/32");
	assert_string_equal(fx_fmt(&p->nodes[3].ifs[0].addr[0], 1), "10.1.0.5/30");
	assert_string_equal(fx_fmt(&p->nodes[2].ifs[0].addr[0], 1), "10.1.0.14/30");
	plan_free(p);
	fx_free(f);
}

static void test_v4_too_small(void **state)
{
	struct fx_net *f = red("10.1.0.0/28", NULL);
	struct vnet_err err = { "" };
	struct plan *p = (struct plan *)&err;

	fx_link(f, "r1", "r3");		/* a 4th link does not fit */
	assert_int_equal(plan_make(&f->n, "seed.yaml", &p, &err), -1);
	assert_null(p);
	assert_string_equal(err.msg,
		"seed.yaml:3:5: prefix 10.1.0.0/28 is too small for network 'red': it "
		"needs room for 3 router loopbacks and 4 link subnets (a /28 holds at "
		"most 3 loopbacks in its first quarter and 3 link /30s in the rest)");
	fx_free(f);

	/* Too many routers for the first quarter. */
	f = red("10.1.0.0/28", NULL);
	f->n.nlinks = 0;
	fx_node(f, "r4", TOPO_ROUTER);	/* order does not matter to the count */
	assert_int_equal(plan_make(&f->n, NULL, &p, &err), -1);
	assert_string_equal(err.msg,
		"3:5: prefix 10.1.0.0/28 is too small for network 'red': it needs room "
		"for 4 router loopbacks and 0 link subnets (a /28 holds at most 3 "
		"loopbacks in its first quarter and 3 link /30s in the rest)");
	fx_free(f);

	/* /31 and /32 hold nothing. */
	f = red("10.1.0.0/32", NULL);
	assert_int_equal(plan_make(&f->n, NULL, &p, &err), -1);
	assert_non_null(strstr(err.msg, "(a /32 holds at most 0 loopbacks"));
	fx_free(f);
}

static void test_v6_too_small(void **state)
{
	struct fx_net *f = red(NULL, "fd00:1::/64");
	struct vnet_err err = { "" };
	struct plan *p = NULL;

	assert_int_equal(plan_make(&f->n, "seed.yaml", &p, &err), -1);
	assert_null(p);
	assert_string_equal(err.msg,
		"seed.yaml:3:5: prefix fd00:1::/64 is too small for network 'red': it "
		"needs room for 3 router loopbacks and 3 link subnets (IPv6 prefixes "
		"must be /60 or shorter: one /64 holds the loopbacks, each link gets a /64)");
	fx_free(f);

	/* A /60 has 16 /64s: 15 links fit, 16 do not. */
	f = fx_new("v6", TOPO_PROTO_OSPF, NULL, "fd00:2::/60");
	fx_node(f, "a", TOPO_ROUTER);
	fx_node(f, "b", TOPO_ROUTER);
	for (int i = 0; i < 15; i++)
		fx_link(f, "a", "b");
	assert_int_equal(plan_make(&f->n, NULL, &p, &err), 0);
	assert_string_equal(fx_fmt(&p->nodes[1].ifs[14].addr[0], 1), "fd00:2:0:f::2/64");
	assert_string_equal(p->nodes[1].ifs[14].ifname, "eth14");
	plan_free(p);
	fx_link(f, "a", "b");
	assert_int_equal(plan_make(&f->n, NULL, &p, &err), -1);
	assert_string_equal(err.msg,
		"3:5: prefix fd00:2::/60 is too small for network 'v6': it needs room for "
		"2 router loopbacks and 16 link subnets (a /60 holds 16 /64s: one for the "
		"loopbacks and 15 for links)");
	fx_free(f);

	/* The IPv4 prefix is fine, the IPv6 one is not: still an error. */
	f = red("10.1.0.0/16", "fd00:1::/62");
	assert_int_equal(plan_make(&f->n, NULL, &p, &err), -1);
	assert_non_null(strstr(err.msg, "prefix fd00:1::/62 is too small"));
	fx_free(f);
}

/* No prefix at all: names, MACs and router ids only. */
static void test_no_prefix(void **state)
{
	struct fx_net *f = red(NULL, NULL);
	struct vnet_err err = { "" };
	struct plan *p = NULL;

	assert_int_equal(plan_make(&f->n, NULL, &p, &err), 0);
	assert_int_equal(p->nodes[0].nlo, 0);
	assert_int_equal(p->nodes[0].ifs[0].naddr, 0);
	assert_int_equal(p->nodes[3].ngw, 0);
	assert_int_equal(p->nodes[1].router_id, 0x0aff0002);
	plan_free(p);
	plan_free(NULL);
	fx_free(f);
}

/* 1000 routers in a ring with a host each: 2000 links fit a /18. */
static void test_large(void **state)
{
	struct fx_net *f = fx_new("big", TOPO_PROTO_OSPF, "10.64.0.0/18", "fd00:64::/48");
	struct vnet_err err = { "" };
	struct plan *p = NULL;
	char a[16], b[16];

	for (int i = 0; i < 1000; i++) {
		snprintf(a, sizeof(a), "r%d", i);
		fx_node(f, a, TOPO_ROUTER);
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(a, sizeof(a), "h%d", i);
		fx_node(f, a, TOPO_HOST);
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(a, sizeof(a), "r%d", i);
		snprintf(b, sizeof(b), "r%d", (i + 1) % 1000);
		fx_link(f, a, b);
		snprintf(b, sizeof(b), "h%d", i);
		fx_link(f, b, a);
	}
	assert_int_equal(plan_make(&f->n, NULL, &p, &err), 0);
	assert_string_equal(fx_fmt(&p->nodes[999].lo[0], 1), "10.64.3.232/32");
	assert_string_equal(fx_fmt(&p->nodes[999].lo[1], 1), "fd00:64::3e8/128");
	/* link 1999 (h999-r999): 10.64.16.0 + 4 * 1999 = 10.64.47.60/30 */
	assert_string_equal(fx_fmt(&p->nodes[1999].ifs[0].addr[0], 1), "10.64.47.61/30");
	assert_string_equal(fx_fmt(&p->nodes[1999].ifs[0].addr[1], 1),
			    "fd00:64:0:7d0::1/64");
	assert_string_equal(fx_fmt(&p->nodes[1999].gw[0], 0), "10.64.47.62");
	plan_free(p);
	fx_free(f);
}

/* Slots (topo_edit.c): numbering by order gives the plan of the order, and
 * a live edit (a link removed in the middle, a router and link added) keeps
 * every other address and interface name. */
static void test_slots_stable(void **state)
{
	struct fx_net *f = fx_new("red", TOPO_PROTO_OSPF, "10.1.0.0/16", NULL);
	struct plan *a, *u, *b;
	struct vnet_err err;
	struct topo_node nd;
	struct topo_link nl;
	int r2, r3, r4, r5, h1, j;

	(void)state;
	fx_node(f, "r1", TOPO_ROUTER);
	r2 = fx_node(f, "r2", TOPO_ROUTER);
	r3 = fx_node(f, "r3", TOPO_ROUTER);
	r4 = fx_node(f, "r4", TOPO_ROUTER);
	h1 = fx_node(f, "h1", TOPO_HOST);
	fx_link(f, "r1", "r2");
	fx_link(f, "r2", "r3");
	fx_link(f, "r3", "r4");
	fx_link(f, "h1", "r2");
	assert_int_equal(plan_make(&f->n, NULL, &u, &err), 0);
	topo_net_number(&f->n);
	assert_int_equal(plan_make(&f->n, NULL, &a, &err), 0);
	/* numbered by order = the plan of the order */
	for (int i = 0; i < f->n.nnodes; i++) {
		assert_int_equal(a->nodes[i].nifs, u->nodes[i].nifs);
		assert_int_equal(a->nodes[i].router_id, u->nodes[i].router_id);
		for (int k = 0; k < a->nodes[i].nifs; k++) {
			assert_string_equal(a->nodes[i].ifs[k].ifname, u->nodes[i].ifs[k].ifname);
			assert_memory_equal(a->nodes[i].ifs[k].mac, u->nodes[i].ifs[k].mac, 6);
			assert_string_equal(fx_fmt(&a->nodes[i].ifs[k].addr[0], 1),
					    fx_fmt(&u->nodes[i].ifs[k].addr[0], 1));
		}
	}
	assert_int_equal(topo_net_check_numbers(&f->n, NULL, &err), 0);

	/* the edit: r1-r2 goes, r5 and r5-r4 come */
	topo_net_del_link(&f->n, 0);
	memset(&nd, 0, sizeof(nd));
	snprintf(nd.name, sizeof(nd.name), "r5");
	nd.kind = TOPO_ROUTER;
	r5 = topo_net_add_node(&f->n, &nd);
	assert_int_equal(r5, 4);		/* routers first: h1 moves to 5 */
	h1 = 5;
	memset(&nl, 0, sizeof(nl));
	snprintf(nl.name, sizeof(nl.name), "r5-r4");
	j = topo_net_add_link(&f->n, &nl, r5, r4);
	assert_int_equal(f->n.links[j].slot, 4);
	assert_int_equal(f->n.links[j].ifn[0], 0);
	assert_int_equal(f->n.links[j].ifn[1], 1);	/* r4 has eth0 */
	assert_int_equal(topo_net_check_numbers(&f->n, NULL, &err), 0);
	assert_int_equal(plan_make(&f->n, NULL, &b, &err), 0);

	/* what stayed is where it was */
	for (int i = 1; i < 4; i++)
		assert_string_equal(fx_fmt(&b->nodes[i].lo[0], 1), fx_fmt(&a->nodes[i].lo[0], 1));
	assert_string_equal(fx_fmt(&b->nodes[r5].lo[0], 1), "10.1.0.5/32");
	assert_non_null(plan_iface_of(b, r2, 0));	/* r2-r3 is link 0 now */
	assert_string_equal(plan_iface_of(b, r2, 0)->ifname, "eth1");
	assert_string_equal(fx_fmt(&plan_iface_of(b, r2, 0)->addr[0], 1),
			    fx_fmt(&plan_iface_of(a, r2, 1)->addr[0], 1));
	assert_memory_equal(plan_iface_of(b, r2, 0)->mac, plan_iface_of(a, r2, 1)->mac, 6);
	assert_string_equal(plan_iface_of(b, r2, 2)->ifname, "eth2");	/* h1-r2 */
	assert_string_equal(fx_fmt(&plan_iface_of(b, h1, 2)->addr[0], 1),
			    fx_fmt(&plan_iface_of(a, 4, 3)->addr[0], 1));
	assert_string_equal(fx_fmt(&b->nodes[h1].gw[0], 0), fx_fmt(&a->nodes[4].gw[0], 0));
	assert_string_equal(plan_iface_of(b, r3, 1)->ifname, "eth1");	/* r3-r4 */
	assert_string_equal(plan_iface_of(b, r4, 3)->ifname, "eth1");	/* r5-r4 */
	/* link slot 4: the fifth /30 after the first quarter */
	assert_string_equal(fx_fmt(&plan_iface_of(b, r5, 3)->addr[0], 1), "10.1.64.17/30");

	/* a clash of slots or interface numbers is refused */
	f->n.links[j].ifn[1] = 0;
	assert_int_equal(topo_net_check_numbers(&f->n, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "eth0 of r4"));
	plan_free(u);
	plan_free(a);
	plan_free(b);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_layout),
		cmocka_unit_test(test_ipv6_layout),
		cmocka_unit_test(test_dual_stack),
		cmocka_unit_test(test_prefix_host_bits),
		cmocka_unit_test(test_host_gateways),
		cmocka_unit_test(test_macs),
		cmocka_unit_test(test_ecmp_seeds),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_v4_exact_fit),
		cmocka_unit_test(test_v4_too_small),
		cmocka_unit_test(test_v6_too_small),
		cmocka_unit_test(test_no_prefix),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_slots_stable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
