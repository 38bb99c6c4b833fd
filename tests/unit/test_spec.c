/*
 * test_spec.c - lib/spec.c: a network's spec survives the trip to JSON and
 * back unchanged (nodes, configs, link properties of both directions, link
 * profiles), the JSON has the documented shape, and spec_from_json()
 * refuses what the topology reader refuses, naming the JSON path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "spec.h"
#include "topo.h"

#define DATA VNET_TEST_DATA "/topo"

static const char TOPO[] =
	"networks:\n"
	"  red:\n"
	"    protocol: ospf\n"
	"    prefix: [10.1.0.0/16, fd00:1::/48]\n"
	"    routers:\n"
	"      r1: {}\n"
	"      r2: {cpu: 50%, memory: 64M}\n"
	"      r3: {config: r3.bird.conf}\n"
	"    hosts: [h1, h2]\n"
	"    links:\n"
	"      - [h1, r1]\n"
	"      - {ends: [r1, r2], delay: 5ms, profile: [{at: 0s}, {at: 2s, delay: 30ms}]}\n"
	"      - {ends: [r2, r3], bandwidth: 100mbit, profile: [{at: 0s, bandwidth: 100mbit},"
	" {at: 10s, bandwidth: 5mbit, loss: 2%}], repeat: true, period: 20s}\n"
	"      - ends: [r3, h2]\n"
	"        name: r3-h2b\n"
	"        down: true\n"
	"        forward: {bandwidth: 10mbit}\n"
	"        reverse: {delay: 1ms}\n"
	"        profile:\n"
	"          - {at: 0s, forward: {queue: 20, codel: on}}\n"
	"          - {at: 1.5s, reverse: {jitter: 2ms, jitter_dist: pareto}}\n"
	"        repeat: true\n"
	"        period: 60s\n";

static struct topo *parse(const char *yaml)
{
	struct vnet_err err;
	struct topo *t = NULL;

	if (topo_parse_buf(yaml, strlen(yaml), "t.yaml", DATA, &t, &err))
		fail_msg("unexpected error: %s", err.msg);
	return t;
}

static void assert_same_net(const struct topo_net *a, const struct topo_net *b)
{
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->proto, b->proto);
	assert_int_equal(a->nprefix, b->nprefix);
	for (int i = 0; i < a->nprefix; i++)
		assert_true(addr_equal(&a->prefix[i], &b->prefix[i]));
	assert_int_equal(a->nnodes, b->nnodes);
	for (int i = 0; i < a->nnodes; i++) {
		assert_string_equal(a->nodes[i].name, b->nodes[i].name);
		assert_int_equal(a->nodes[i].kind, b->nodes[i].kind);
		assert_int_equal(a->nodes[i].cpu_pct, b->nodes[i].cpu_pct);
		assert_true(a->nodes[i].mem_bytes == b->nodes[i].mem_bytes);
		if (a->nodes[i].config)
			assert_string_equal(a->nodes[i].config, b->nodes[i].config);
		else
			assert_null(b->nodes[i].config);
	}
	assert_int_equal(a->nlinks, b->nlinks);
	for (int j = 0; j < a->nlinks; j++) {
		const struct topo_link *x = &a->links[j], *y = &b->links[j];

		assert_string_equal(x->name, y->name);
		assert_memory_equal(x->end, y->end, sizeof(x->end));
		assert_memory_equal(x->dir, y->dir, sizeof(x->dir));
		assert_int_equal(x->down, y->down);
		assert_int_equal(x->nprofile, y->nprofile);
		assert_int_equal(x->repeat, y->repeat);
		assert_true(x->period_ns == y->period_ns);
		if (x->nprofile)
			assert_memory_equal(x->profile, y->profile,
					    (size_t)x->nprofile * sizeof(*x->profile));
		else
			assert_null(y->profile);
	}
}

/* topo -> JSON -> text -> JSON -> topo: the same network, the same JSON. */
static void test_round_trip(void **state)
{
	struct topo *t = parse(TOPO);
	struct topo_net back;
	struct vnet_err err;
	json_t *j, *j2, *again;
	char *text;

	(void)state;
	j = spec_to_json(&t->nets[0]);
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(text);
	j2 = json_loads(text, 0, NULL);
	assert_non_null(j2);
	if (spec_from_json(j2, &back, &err))
		fail_msg("spec_from_json: %s\n%s", err.msg, text);
	assert_same_net(&t->nets[0], &back);
	again = spec_to_json(&back);
	assert_true(json_equal(j, again));
	json_decref(again);
	json_decref(j2);
	free(text);
	json_decref(j);
	topo_net_clear(&back);
	topo_free(t);
}

/* The documented shape: steps list what they set, per direction; repeat
 * and period only when the profile repeats; no profile keys otherwise. */
static void test_shape(void **state)
{
	struct topo *t = parse(TOPO);
	json_t *j = spec_to_json(&t->nets[0]), *links = json_object_get(j, "links"), *want;
	json_t *l0 = json_array_get(links, 0), *l1 = json_array_get(links, 1),
	       *l2 = json_array_get(links, 2);

	(void)state;
	assert_null(json_object_get(l0, "profile"));
	assert_null(json_object_get(l0, "repeat"));
	assert_null(json_object_get(l0, "period"));

	want = json_loads("[{\"at\": \"0\", \"forward\": {\"delay\": \"5ms\"},"
			  "  \"reverse\": {\"delay\": \"5ms\"}},"
			  " {\"at\": \"2s\", \"forward\": {\"delay\": \"30ms\"},"
			  "  \"reverse\": {\"delay\": \"30ms\"}}]", 0, NULL);
	assert_non_null(want);
	if (!json_equal(json_object_get(l1, "profile"), want))
		fail_msg("profile: %s", json_dumps(json_object_get(l1, "profile"), 0));
	json_decref(want);
	assert_null(json_object_get(l1, "repeat"));
	assert_null(json_object_get(l1, "period"));

	want = json_loads("[{\"at\": \"0\", \"forward\": {\"bandwidth\": \"100mbit\","
			  "  \"loss\": \"0%\"}, \"reverse\": {\"bandwidth\": \"100mbit\","
			  "  \"loss\": \"0%\"}},"
			  " {\"at\": \"10s\", \"forward\": {\"bandwidth\": \"5mbit\","
			  "  \"loss\": \"2%\"}, \"reverse\": {\"bandwidth\": \"5mbit\","
			  "  \"loss\": \"2%\"}}]", 0, NULL);
	assert_true(json_equal(json_object_get(l2, "profile"), want));
	json_decref(want);
	assert_true(json_is_true(json_object_get(l2, "repeat")));
	assert_string_equal(json_string_value(json_object_get(l2, "period")), "20s");
	json_decref(j);
	topo_free(t);
}

/* A profile step written by hand: properties not named stay unmasked. */
static void test_from_json(void **state)
{
	static const char text[] =
		"{\"name\": \"n\", \"protocol\": \"none\", \"prefixes\": [\"10.0.0.0/8\"],"
		" \"routers\": [{\"name\": \"a\"}, {\"name\": \"b\"}],"
		" \"links\": [{\"name\": \"a-b\", \"ends\": [\"a\", \"b\"],"
		"   \"profile\": [{\"at\": \"0s\"},"
		"                 {\"at\": \"1s\", \"forward\": {\"delay\": \"10ms\"}}],"
		"   \"repeat\": true, \"period\": \"2s\"}]}";
	json_t *j = json_loads(text, 0, NULL);
	struct topo_net n;
	struct vnet_err err;
	const struct topo_link *l;

	(void)state;
	assert_non_null(j);
	if (spec_from_json(j, &n, &err))
		fail_msg("%s", err.msg);
	l = &n.links[0];
	assert_int_equal(l->nprofile, 2);
	assert_int_equal(l->profile[0].mask[0], 0);
	assert_int_equal(l->profile[1].mask[0], LINKP_BIT(LINKP_DELAY));
	assert_int_equal(l->profile[1].mask[1], 0);
	assert_true(l->profile[1].p[0].delay_ns == 10000000);
	assert_true(l->period_ns == 2000000000ULL);
	topo_net_clear(&n);
	json_decref(j);
}

/* A spec of network n with routers a and b (their JSON objects' insides
 * given) and the given links must be refused with an error starting with
 * want. */
static void expect_err(const char *a, const char *b, const char *links, const char *want)
{
	char text[4096];
	json_t *j;
	struct topo_net n;
	struct vnet_err err;

	snprintf(text, sizeof(text),
		 "{\"name\": \"n\", \"protocol\": \"none\", \"prefixes\": [\"10.0.0.0/8\"],"
		 " \"routers\": [{\"name\": \"a\"%s}, {\"name\": \"b\"%s}], \"links\": [%s]}",
		 a, b, links);
	j = json_loads(text, 0, NULL);
	if (!j)
		fail_msg("bad test JSON: %s", text);
	memset(&n, 0x5a, sizeof(n));
	err.msg[0] = '\0';
	if (!spec_from_json(j, &n, &err))
		fail_msg("accepted: %s", text);
	if (strncmp(err.msg, want, strlen(want)))
		fail_msg("got      \"%s\"\nexpected \"%s...\"", err.msg, want);
	json_decref(j);
}

static void expect_spec_err(const char *links, const char *want)
{
	expect_err("", "", links, want);
}

#define L "{\"ends\": [\"a\", \"b\"], "

static void test_errors(void **state)
{
	(void)state;
	expect_spec_err(L "\"profile\": \"fast\"}",
			"spec.links[0].profile: expected a list of 1 to 1024 steps");
	expect_spec_err(L "\"profile\": []}",
			"spec.links[0].profile: expected a list of 1 to 1024 steps");
	expect_spec_err(L "\"profile\": [5]}",
			"spec.links[0].profile[0]: expected an object such as");
	expect_spec_err(L "\"profile\": [{\"at\": 0}]}",
			"spec.links[0].profile[0].at: expected a time such as 5ms");
	expect_spec_err(L "\"profile\": [{\"at\": \"0s\", \"delay\": \"1ms\"}]}",
			"spec.links[0].profile[0]: unknown key 'delay'");
	expect_spec_err(L "\"profile\": [{\"at\": \"0s\", \"forward\": {\"dealy\": \"1ms\"}}]}",
			"spec.links[0].profile[0].forward: unknown link property 'dealy'");
	expect_spec_err(L "\"profile\": [{\"at\": \"0s\"}], \"repeat\": \"yes\"}",
			"spec.links[0].repeat: expected true or false");
	expect_spec_err(L "\"profile\": [{\"at\": \"0s\"}], \"repeat\": true, \"period\": 5}",
			"spec.links[0].period: expected a time such as 5ms");
	/* what the topology checker refuses, it refuses here too */
	expect_spec_err(L "\"profile\": [{\"at\": \"1s\"}]}",
			"spec: the profile of link 'a-b' starts at 1s; expected its first "
			"step at: 0s");
	expect_spec_err(L "\"profile\": [{\"at\": \"0s\"}, {\"at\": \"10ms\"}]}",
			"spec: step 2 of the profile of link 'a-b' is at 10ms, less than "
			"100ms after step 1");
	expect_spec_err(L "\"profile\": [{\"at\": \"0s\", \"forward\": {\"mtu\": \"1400\"}}]}",
			"spec: step 1 of the profile of link 'a-b' sets mtu");
	expect_spec_err(L "\"profile\": [{\"at\": \"0s\"}], \"repeat\": true}",
			"spec: the profile of link 'a-b' repeats with a period of 0");
	expect_spec_err(L "\"profile\": [{\"at\": \"0s\"}], \"period\": \"1s\"}",
			"spec: link 'a-b' has a period but its profile does not repeat");
	expect_spec_err(L "\"repeat\": true}",
			"spec: link 'a-b' has repeat but no profile steps");
	/* numbers given by the state store must not repeat */
	expect_err(", \"slot\": 3", ", \"slot\": 3", L "\"slot\": 1}",
		   "spec: network 'n': two routers have slot 3");
	expect_err("", "", L "\"slot\": 4}, " L "\"name\": \"a-b-2\", \"slot\": 4, \"ifs\": [1, 1]}",
		   "spec: network 'n': two links have slot 4");
}

/* Too many steps: per link, and in the whole network. */
static void test_limits(void **state)
{
	json_t *steps = json_array(), *link, *links = json_array(), *j;
	struct topo_net n;
	struct vnet_err err;
	char at[32];

	(void)state;
	for (int i = 0; i < 1025; i++) {
		snprintf(at, sizeof(at), "%ds", i);
		json_array_append_new(steps, json_pack("{s:s}", "at", at));
	}
	link = json_pack("{s:[s,s], s:o}", "ends", "a", "b", "profile", steps);
	json_array_append_new(links, link);
	j = json_pack("{s:s, s:s, s:[s], s:[{s:s}, {s:s}], s:o}", "name", "n", "protocol",
		      "none", "prefixes", "10.0.0.0/8", "routers", "name", "a", "name", "b",
		      "links", links);
	assert_int_equal(spec_from_json(j, &n, &err), -1);
	assert_string_equal(err.msg, "spec.links[0].profile: expected a list of 1 to 1024 "
			    "steps");
	/* 1024 steps in each of 64 links fit; a 65th link with a step does not */
	json_array_remove(steps, 1024);
	for (int k = 1; k < 64; k++) {
		char name[16];

		snprintf(name, sizeof(name), "l%d", k);
		json_array_append_new(links, json_pack("{s:s, s:[s,s], s:O}", "name", name,
						       "ends", "a", "b", "profile", steps));
	}
	assert_int_equal(spec_from_json(j, &n, &err), 0);
	topo_net_clear(&n);
	json_array_append_new(links, json_pack("{s:s, s:[s,s], s:[{s:s}]}", "name", "x",
					       "ends", "a", "b", "profile", "at", "0s"));
	assert_int_equal(spec_from_json(j, &n, &err), -1);
	assert_string_equal(err.msg, "spec.links[64].profile: too many profile steps in the "
			    "network; expected at most 65536 in all");
	json_decref(j);
}

/* A removed router's and link's slots are not given again, also after the
 * trip through JSON (a restart of vnetd, an image). */
static void test_next_slots(void **state)
{
	struct topo *t = parse("networks:\n  red:\n    protocol: ospf\n"
			       "    prefix: 10.1.0.0/16\n    routers: [r1, r2, r3]\n"
			       "    links: [[r1, r2], [r2, r3]]\n");
	struct topo_net *n = &t->nets[0], back;
	struct topo_node nd = { .name = "r4", .kind = TOPO_ROUTER };
	struct topo_link nl = { .name = "r3-r4" };
	struct vnet_err err;
	json_t *j, *want;
	int r4, l;

	(void)state;
	topo_net_number(n);	/* as vnetd does to a network it creates */
	assert_int_equal(n->next_slot[0], 3);
	assert_int_equal(n->next_slot[1], 2);
	j = spec_to_json(n);
	assert_null(json_object_get(j, "next_slots"));	/* the default: not written */
	json_decref(j);
	r4 = topo_net_add_node(n, &nd);
	topo_net_add_link(n, &nl, 2, r4);
	topo_net_del_link(n, 2);
	topo_net_del_node(n, r4);
	j = spec_to_json(n);
	want = json_pack("[i,i]", 4, 3);
	assert_true(json_equal(json_object_get(j, "next_slots"), want));
	json_decref(want);
	assert_int_equal(spec_from_json(j, &back, &err), 0);
	snprintf(nd.name, sizeof(nd.name), "r5");
	r4 = topo_net_add_node(&back, &nd);
	assert_int_equal(back.nodes[r4].slot, 4);	/* not r4's 3 */
	l = topo_net_add_link(&back, &nl, 2, r4);
	assert_int_equal(back.links[l].slot, 3);	/* not r3-r4's 2 */
	topo_net_clear(&back);
	/* below the slots in use: refused */
	json_object_set_new(j, "next_slots", json_pack("[i,i]", 2, 3));
	assert_int_equal(spec_from_json(j, &back, &err), -1);
	assert_non_null(strstr(err.msg, "spec.next_slots: expected [routers, links]"));
	json_decref(j);
	topo_free(t);
}

/* slot and ifs are written only where they differ from topo_net_number()'s,
 * and read back as they were. */
static void test_numbers_written(void **state)
{
	struct topo *t = parse("networks:\n  red:\n    protocol: ospf\n"
			       "    prefix: 10.1.0.0/16\n    routers: [r1, r2, r3]\n"
			       "    links: [[r1, r2], [r2, r3], [r3, r1]]\n");
	struct topo_net *n = &t->nets[0], back;
	struct vnet_err err;
	json_t *j, *v;
	size_t k;

	(void)state;
	topo_net_number(n);
	j = spec_to_json(n);
	json_array_foreach(json_object_get(j, "routers"), k, v)
		assert_null(json_object_get(v, "slot"));
	json_array_foreach(json_object_get(j, "links"), k, v) {
		assert_null(json_object_get(v, "slot"));
		assert_null(json_object_get(v, "ifs"));
	}
	json_decref(j);
	/* r1 and its links gone: r2, r3 and r2-r3 keep their numbers */
	topo_net_del_link(n, 2);
	topo_net_del_link(n, 0);
	topo_net_del_node(n, 0);
	j = spec_to_json(n);
	assert_int_equal(json_integer_value(json_object_get(
		json_array_get(json_object_get(j, "routers"), 0), "slot")), 1);
	v = json_array_get(json_object_get(j, "links"), 0);	/* r2-r3 */
	assert_int_equal(json_integer_value(json_object_get(v, "slot")), 1);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(v, "ifs"), 0)), 1);
	if (spec_from_json(j, &back, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(back.nodes[0].slot, n->nodes[0].slot);
	for (int l = 0; l < n->nlinks; l++) {
		assert_int_equal(back.links[l].slot, n->links[l].slot);
		assert_int_equal(back.links[l].ifn[0], n->links[l].ifn[0]);
		assert_int_equal(back.links[l].ifn[1], n->links[l].ifn[1]);
	}
	topo_net_clear(&back);
	json_decref(j);
	topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_slots),
		cmocka_unit_test(test_numbers_written),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_from_json),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
