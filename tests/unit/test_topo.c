/*
 * test_topo.c - lib/topo.c: valid topology files give exactly the expected
 * networks, nodes (routers first, then hosts, in file order), links and
 * per-direction link properties; every kind of mistake gives one message
 * with the file, line and column a user must look at and the expected
 * form. Also: topo_net_check() on networks built in memory, deep copies,
 * and every ```yaml example of docs/topology.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "spec.h"
#include "topo.h"
#include "units.h"

#define DATA VNET_TEST_DATA "/topo"

static struct topo *parse_ok(const char *yaml)
{
	struct vnet_err err;
	struct topo *t = NULL;

	err.msg[0] = '\0';
	if (topo_parse_buf(yaml, strlen(yaml), "t.yaml", DATA, &t, &err))
		fail_msg("unexpected error: %s\n--- input:\n%s", err.msg, yaml);
	assert_non_null(t);
	return t;
}

/* The message must start with `start` ("t.yaml:L:C: ...") and contain each
 * of the further strings (NULL-terminated). */
static void expect_err_v(const char *yaml, size_t len, const char *start, va_list ap)
{
	struct vnet_err err;
	struct topo *t = (struct topo *)0x1;
	const char *word;

	err.msg[0] = '\0';
	if (topo_parse_buf(yaml, len, "t.yaml", DATA, &t, &err) != -1)
		fail_msg("accepted:\n%s", yaml);
	assert_null(t);
	if (strncmp(err.msg, start, strlen(start)))
		fail_msg("got      \"%s\"\nexpected \"%s...\"", err.msg, start);
	while ((word = va_arg(ap, const char *)))
		if (!strstr(err.msg, word))
			fail_msg("\"%s\" lacks \"%s\"", err.msg, word);
	assert_null(strchr(err.msg, '\n'));
}

static void expect_err(const char *yaml, const char *start, ...)
{
	va_list ap;

	va_start(ap, start);
	expect_err_v(yaml, strlen(yaml), start, ap);
	va_end(ap);
}

static void expect_err_len(const char *yaml, size_t len, const char *start, ...)
{
	va_list ap;

	va_start(ap, start);
	expect_err_v(yaml, len, start, ap);
	va_end(ap);
}

static const char *fmt_params(const struct link_params *p, char *buf, size_t n)
{
	uint32_t mask = 0;

	for (int i = 0; i < LINKP__COUNT; i++)
		if (linkp_is_set(p, i))
			mask |= LINKP_BIT(i);
	linkp_fmt_list(buf, n, p, mask);
	return buf;
}

static void assert_params(const struct link_params *p, const char *want)
{
	char buf[512];

	assert_string_equal(fmt_params(p, buf, sizeof(buf)), want);
}

/*
 * Valid files
 */

static const char FULL[] =
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
	"      - [r1, r2]\n"
	"      - {ends: [r2, r3], bandwidth: 100mbit, delay: 5ms, loss: 0.1%}\n"
	"      - {ends: [r3, h2], name: r3-h2b, down: true, forward: {bandwidth: 10mbit}, "
	"reverse: {delay: 1ms}}\n"
	"  blue:\n"
	"    protocol: rip\n"
	"    prefix: 10.1.0.0/16\n"
	"    routers: [a, b]\n"
	"    links: [[a, b]]\n";

static void test_full(void **state)
{
	struct topo *t = parse_ok(FULL);
	const struct topo_net *n;
	char buf[VNET_ADDRSTRLEN], *want;
	FILE *f;
	long sz;

	(void)state;
	assert_string_equal(t->file, "t.yaml");
	assert_int_equal(t->nnets, 2);
	n = &t->nets[0];
	assert_string_equal(n->name, "red");
	assert_int_equal(n->proto, TOPO_PROTO_OSPF);
	assert_int_equal(n->pos.line, 2);
	assert_int_equal(n->pos.col, 3);
	assert_int_equal(n->nprefix, 2);
	assert_string_equal(addr_fmt(&n->prefix[0], buf, sizeof(buf), 1), "10.1.0.0/16");
	assert_string_equal(addr_fmt(&n->prefix[1], buf, sizeof(buf), 1), "fd00:1::/48");
	assert_int_equal(n->nnodes, 5);
	{
		static const char *const names[] = { "r1", "r2", "r3", "h1", "h2" };
		static const int lines[] = { 6, 7, 8, 9, 9 }, cols[] = { 7, 7, 7, 13, 17 };

		for (int i = 0; i < 5; i++) {
			assert_string_equal(n->nodes[i].name, names[i]);
			assert_int_equal(n->nodes[i].kind, i < 3 ? TOPO_ROUTER : TOPO_HOST);
			assert_int_equal(n->nodes[i].pos.line, lines[i]);
			assert_int_equal(n->nodes[i].pos.col, cols[i]);
		}
	}
	assert_int_equal(n->nodes[0].cpu_pct, 0);
	assert_true(n->nodes[0].mem_bytes == 0);
	assert_null(n->nodes[0].config);
	assert_int_equal(n->nodes[1].cpu_pct, 50);
	assert_true(n->nodes[1].mem_bytes == 64ULL << 20);
	/* r3's config: read at parse time, path made absolute */
	assert_non_null(n->nodes[2].config_path);
	assert_string_equal(n->nodes[2].config_path, DATA "/r3.bird.conf");
	f = fopen(DATA "/r3.bird.conf", "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	want = calloc(1, (size_t)sz + 1);
	assert_int_equal(fread(want, 1, (size_t)sz, f), sz);
	fclose(f);
	assert_string_equal(n->nodes[2].config, want);
	free(want);

	assert_int_equal(n->nlinks, 4);
	assert_string_equal(n->links[0].name, "h1-r1");
	assert_int_equal(n->links[0].end[0], 3);
	assert_int_equal(n->links[0].end[1], 0);
	assert_int_equal(n->links[0].pos.line, 11);
	assert_int_equal(n->links[0].pos.col, 9);
	assert_params(&n->links[0].dir[0], "");
	assert_params(&n->links[0].dir[1], "");
	assert_int_equal(n->links[0].down, 0);
	assert_string_equal(n->links[1].name, "r1-r2");
	assert_string_equal(n->links[2].name, "r2-r3");
	assert_int_equal(n->links[2].end[0], 1);
	assert_int_equal(n->links[2].end[1], 2);
	assert_params(&n->links[2].dir[0], "bandwidth=100mbit delay=5ms loss=0.1%");
	assert_params(&n->links[2].dir[1], "bandwidth=100mbit delay=5ms loss=0.1%");
	assert_true(n->links[2].dir[0].rate_bps == 100000000ULL);
	assert_true(n->links[2].dir[0].delay_ns == 5000000ULL);
	assert_int_equal(n->links[2].dir[1].loss_ppb, 1000000);
	assert_string_equal(n->links[3].name, "r3-h2b");
	assert_int_equal(n->links[3].end[0], 2);
	assert_int_equal(n->links[3].end[1], 4);
	assert_int_equal(n->links[3].down, 1);
	assert_params(&n->links[3].dir[0], "bandwidth=10mbit");
	assert_params(&n->links[3].dir[1], "delay=1ms");

	n = &t->nets[1];
	assert_string_equal(n->name, "blue");
	assert_int_equal(n->proto, TOPO_PROTO_RIP);
	assert_int_equal(n->nprefix, 1);
	assert_string_equal(addr_fmt(&n->prefix[0], buf, sizeof(buf), 1), "10.1.0.0/16");
	assert_int_equal(n->nnodes, 2);
	assert_int_equal(n->nlinks, 1);
	assert_string_equal(n->links[0].name, "a-b");
	assert_int_equal(topo_node_find(n, "b"), 1);
	assert_int_equal(topo_node_find(n, "r1"), -1);
	assert_int_equal(topo_link_find(n, "a-b"), 0);
	assert_int_equal(topo_link_find(n, "b-a"), -1);
	assert_int_equal(topo_node_find(&t->nets[0], "h2"), 4);
	assert_int_equal(topo_link_find(&t->nets[0], "r3-h2b"), 3);
	topo_free(t);
}

static void test_order_and_defaults(void **state)
{
	/* keys in any order; hosts before routers in the file; routers map
	 * with null settings; protocol defaults to ospf */
	struct topo *t = parse_ok(
		"networks:\n"
		"  n1:\n"
		"    links:\n"
		"      - [h9, z]\n"
		"      - [z, a]\n"
		"      - ends: [a, h1]\n"
		"        delay: 5ms\n"
		"        forward: {delay: 1ms, loss: 1%}\n"
		"        reverse:\n"
		"          jitter: 1ms\n"
		"    hosts: {h9: {cpu: 10%}, h1: null}\n"
		"    routers:\n"
		"      z:\n"
		"      a: {memory: 1G}\n"
		"    prefix: fd00:1::/48\n");
	const struct topo_net *n = &t->nets[0];

	(void)state;
	assert_int_equal(n->proto, TOPO_PROTO_OSPF);
	assert_int_equal(n->nprefix, 1);
	assert_int_equal(n->prefix[0].family, AF_INET6);
	assert_int_equal(n->nnodes, 4);
	assert_string_equal(n->nodes[0].name, "z");
	assert_string_equal(n->nodes[1].name, "a");
	assert_string_equal(n->nodes[2].name, "h9");
	assert_string_equal(n->nodes[3].name, "h1");
	assert_int_equal(n->nodes[2].kind, TOPO_HOST);
	assert_int_equal(n->nodes[2].cpu_pct, 10);
	assert_true(n->nodes[1].mem_bytes == 1ULL << 30);
	assert_string_equal(n->links[0].name, "h9-z");
	assert_int_equal(n->links[0].end[0], 2);
	assert_int_equal(n->links[0].end[1], 0);
	/* both-direction properties, then the per-direction ones on top */
	assert_params(&n->links[2].dir[0], "delay=1ms loss=1%");
	assert_params(&n->links[2].dir[1], "delay=5ms jitter=1ms");
	topo_free(t);
}

static void test_variants(void **state)
{
	static const struct { const char *proto; enum topo_proto want; } protos[] = {
		{ "ospf", TOPO_PROTO_OSPF }, { "rip", TOPO_PROTO_RIP },
		{ "static", TOPO_PROTO_STATIC }, { "babel", TOPO_PROTO_BABEL },
		{ "none", TOPO_PROTO_NONE }, { "OSPF", TOPO_PROTO_OSPF },
	};
	struct topo *t;
	char yaml[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
		snprintf(yaml, sizeof(yaml), "networks: {n: {protocol: %s, prefix: 10.0.0.0/8, "
			 "routers: [r]}}\n", protos[i].proto);
		t = parse_ok(yaml);
		assert_int_equal(t->nets[0].proto, protos[i].want);
		topo_free(t);
	}
	assert_string_equal(topo_proto_name(TOPO_PROTO_BABEL), "babel");
	assert_string_equal(topo_proto_name(TOPO_PROTO__COUNT), "?");
	assert_int_equal(topo_proto_lookup("static"), TOPO_PROTO_STATIC);
	assert_int_equal(topo_proto_lookup("bgp"), -1);

	/* hosts only, routers null; a single prefix in a list; quoted strings */
	t = parse_ok("networks:\n  n:\n    prefix: ['10.9.0.0/24']\n    routers:\n"
		     "    hosts: [\"h1\", h2]\n    links: [[h1, h2]]\n");
	assert_int_equal(t->nets[0].nnodes, 2);
	assert_int_equal(t->nets[0].nodes[0].kind, TOPO_HOST);
	topo_free(t);

	/* empty maps and lists; links null; one node needs no link */
	t = parse_ok("networks:\n  n:\n    prefix: 10.0.0.0/8\n    routers: {r: {}}\n"
		     "    hosts: []\n    links:\n");
	assert_int_equal(t->nets[0].nnodes, 1);
	assert_int_equal(t->nets[0].nlinks, 0);
	topo_free(t);

	/* parallel links with a name of their own; down in its spellings */
	t = parse_ok("networks:\n  n:\n    prefix: 10.0.0.0/8\n    routers: [a, b]\n"
		     "    links:\n      - [a, b]\n      - {ends: [b, a], name: b-a-2, down: yes}\n"
		     "      - {ends: [a, b], name: third, down: off}\n");
	assert_int_equal(t->nets[0].nlinks, 3);
	assert_string_equal(t->nets[0].links[1].name, "b-a-2");
	assert_int_equal(t->nets[0].links[1].down, 1);
	assert_int_equal(t->nets[0].links[2].down, 0);
	topo_free(t);

	/* the same address space in two networks; a comment-only header; CRLF */
	t = parse_ok("# two\r\nnetworks:\r\n  a: {prefix: 10.0.0.0/8, routers: [r]}\r\n"
		     "  b: {prefix: 10.0.0.0/8, routers: [r]}\r\n");
	assert_int_equal(t->nnets, 2);
	assert_string_equal(t->nets[1].name, "b");
	topo_free(t);

	/* anchors are harmless as long as nothing refers to them */
	t = parse_ok("networks:\n  n: &x {prefix: 10.0.0.0/8, routers: [r]}\n");
	topo_free(t);

	/* every link property in one link */
	t = parse_ok("networks:\n  n:\n    prefix: 10.0.0.0/8\n    routers: [a, b]\n"
		     "    links:\n      - ends: [a, b]\n        bandwidth: 1gbit\n"
		     "        burst: 64K\n        delay: 10ms\n        jitter: 1ms\n"
		     "        jitter_dist: normal\n        queue: 100\n"
		     "        queue_bytes: 1M\n        mtu: 9000\n        loss: 1%\n"
		     "        loss_p: 2%\n        loss_r: 3%\n        loss_k: 4%\n"
		     "        loss_h: 5%\n        duplicate: 6%\n        corrupt: 7%\n"
		     "        reorder: 8%\n        codel: true\n");
	assert_params(&t->nets[0].links[0].dir[1],
		      "bandwidth=1gbit burst=64K delay=10ms jitter=1ms jitter_dist=normal "
		      "queue=100 queue_bytes=1M mtu=9000 loss=1% loss_p=2% loss_r=3% loss_k=4% "
		      "loss_h=5% duplicate=6% corrupt=7% reorder=8% codel=on");
	topo_free(t);
}

static void test_parse_file(void **state)
{
	struct vnet_err err;
	struct topo *t = NULL;
	char cwd[4096];

	(void)state;
	assert_int_equal(topo_parse_file(DATA "/full.yaml", &t, &err), 0);
	assert_string_equal(t->file, DATA "/full.yaml");
	assert_int_equal(t->nnets, 2);
	assert_string_equal(t->nets[0].nodes[2].config_path, DATA "/r3.bird.conf");
	assert_non_null(strstr(t->nets[0].nodes[2].config, "router id 10.255.0.3;"));
	topo_free(t);

	/* a relative path: configs still resolve next to the file, absolute */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(VNET_TEST_DATA), 0);
	assert_int_equal(topo_parse_file("topo/full.yaml", &t, &err), 0);
	assert_string_equal(t->file, "topo/full.yaml");
	assert_string_equal(t->nets[0].nodes[2].config_path, DATA "/r3.bird.conf");
	topo_free(t);
	assert_int_equal(chdir(DATA), 0);
	assert_int_equal(topo_parse_file("full.yaml", &t, &err), 0);
	assert_string_equal(t->nets[0].nodes[2].config_path, DATA "/r3.bird.conf");
	topo_free(t);
	assert_int_equal(chdir(cwd), 0);

	t = (struct topo *)0x1;
	assert_int_equal(topo_parse_file(DATA "/no-such.yaml", &t, &err), -1);
	assert_null(t);
	assert_string_equal(err.msg, DATA "/no-such.yaml: cannot read the topology: "
			    "No such file or directory");
	assert_int_equal(topo_parse_file(DATA, &t, &err), -1);
	assert_non_null(strstr(err.msg, "Is a directory"));

	/* the project's example topology */
	assert_int_equal(topo_parse_file(VNET_TEST_DATA "/../../examples/seed.yaml", &t,
					 &err), 0);
	assert_true(t->nnets >= 1);
	topo_free(t);
	topo_free(NULL);
}

/*
 * Errors
 */

static void test_err_yaml(void **state)
{
	(void)state;
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1]\n    - x\n",
		   "t.yaml:5:5: invalid YAML: did not find expected key (while parsing a "
		   "block mapping at 3:5)", NULL);
	expect_err("networks:\n  red: {prefix: 10.0.0.0/8\n", "t.yaml:3:1: invalid YAML: "
		   "did not find expected ',' or '}' (while parsing a flow mapping at 2:8)",
		   NULL);
	expect_err("networks:\n\tred: {}\n", "t.yaml:2:1: invalid YAML: found character "
		   "that cannot start any token", "tabs are not allowed", NULL);
	expect_err("networks: \"a\n", "t.yaml:2:1: invalid YAML: found unexpected end of "
		   "stream", NULL);
	expect_err_len("networks:\n  r\xff: {}\n", 17, "t.yaml:2:4: invalid YAML: invalid "
		       "leading UTF-8 octet", "expected printable UTF-8 text", NULL);
	expect_err_len("networks: {}\n\0\0", 15, "t.yaml:2:1: invalid YAML: control "
		       "characters are not allowed", NULL);
	expect_err("", "t.yaml:1:1: the topology is empty", "expected a map", NULL);
	expect_err("# nothing\n", "t.yaml:1:1: the topology is empty", NULL);
	expect_err("---\n...\n", "t.yaml:", "the topology is empty", NULL);
	expect_err("networks: {a: {prefix: 10.0.0.0/8, routers: [r]}}\n---\nx: 1\n",
		   "t.yaml:2:1: a second YAML document; expected one topology per file", NULL);
	/* aliases are refused where they appear: no alias bombs */
	expect_err("networks:\n  a: &A {prefix: 10.0.0.0/8, routers: [r]}\n  b: *A\n",
		   "t.yaml:3:6: YAML aliases (*A) are not supported", NULL);
	expect_err("x: &a [1, 2]\nnetworks: *a\n", "t.yaml:1:1: unknown key 'x' at the "
		   "top level (known: networks)", NULL);
	/* text with a NUL (via an escape) is not a name */
	expect_err("networks:\n  \"r\\0x\": {}\n", "t.yaml:2:3: text with a NUL character",
		   NULL);
}

static void test_host_pin(void **state)
{
	struct topo *t = parse_ok("networks:\n  red:\n    prefix: 10.0.0.0/8\n"
				  "    routers: {r1: {host: hostA}, r2: null}\n"
				  "    hosts: {h1: {host: hostB, cpu: 10%}}\n"
				  "    links: [[r1, r2], [r2, h1]]\n");
	struct topo_net back;
	struct vnet_err err;
	json_t *j;

	(void)state;
	assert_string_equal(t->nets[0].nodes[topo_node_find(&t->nets[0], "r1")].host, "hostA");
	assert_string_equal(t->nets[0].nodes[topo_node_find(&t->nets[0], "r2")].host, "");
	assert_string_equal(t->nets[0].nodes[topo_node_find(&t->nets[0], "h1")].host, "hostB");
	/* the pin is part of the spec the store keeps */
	j = spec_to_json(&t->nets[0]);
	assert_int_equal(spec_from_json(j, &back, &err), 0);
	assert_string_equal(back.nodes[topo_node_find(&back, "r1")].host, "hostA");
	assert_string_equal(back.nodes[topo_node_find(&back, "h1")].host, "hostB");
	json_decref(j);
	topo_net_clear(&back);
	topo_free(t);
}

static void test_err_structure(void **state)
{
	(void)state;
	expect_err("- a\n- b\n", "t.yaml:1:1: the top level must be a map; expected a map "
		   "with the key networks", NULL);
	expect_err("just text\n", "t.yaml:1:1: the top level must be a map", NULL);
	expect_err("{}\n", "t.yaml:1:1: missing key 'networks'; expected networks: followed "
		   "by a map of network name -> settings", NULL);
	expect_err("netwrks: {}\n", "t.yaml:1:1: unknown key 'netwrks' at the top level "
		   "(known: networks)", NULL);
	expect_err("networks: {}\n", "t.yaml:1:1: no networks defined", NULL);
	expect_err("networks:\n", "t.yaml:1:1: no networks defined", NULL);
	expect_err("networks: [red]\n", "t.yaml:1:11: networks must be a map of network "
		   "name -> settings", NULL);
	expect_err("networks: {a: {prefix: 10.0.0.0/8, routers: [r]}}\nnetworks: {}\n",
		   "t.yaml:2:1: duplicate key 'networks' at the top level", NULL);
	expect_err("networks:\n  red: [r1]\n", "t.yaml:2:8: network 'red' must be a map of "
		   "settings (known: protocol, prefix, routers, hosts, links)", NULL);
	expect_err("networks:\n  red:\n", "t.yaml:", "network 'red' must be a map", NULL);
	expect_err("networks:\n  red:\n    prefx: 10.0.0.0/8\n",
		   "t.yaml:3:5: unknown key 'prefx' in network 'red' (known: protocol, "
		   "prefix, routers, hosts, links)", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    prefix: 10.0.0.0/8\n",
		   "t.yaml:4:5: duplicate key 'prefix' in network 'red'", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: r1\n",
		   "t.yaml:4:14: routers of network 'red' must be a list of names or a map "
		   "of name -> settings", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1, [r2]]\n",
		   "t.yaml:4:19: routers of network 'red' must be a list of names", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    hosts: {h1: 5}\n",
		   "t.yaml:4:17: settings of host 'h1' must be a map such as {cpu: 50%, "
		   "memory: 64M}", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: {r1: {host: -x}}\n",
		   "t.yaml:4:26: bad host '-x' for router 'r1': expected the name of a "
		   "physical host", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: {r1: {cpus: 1}}\n",
		   "t.yaml:4:20: unknown key 'cpus' in router 'r1' (known: cpu, memory, host, "
		   "config)", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1]\n"
		   "    links: {a: b}\n", "t.yaml:5:12: links of network 'red' must be a "
		   "list of links, each [a, b] or a map such as {ends: [a, b], delay: 5ms}",
		   NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1, r2]\n"
		   "    links: [r1-r2]\n", "t.yaml:5:13: a link must be [a, b] or a map",
		   NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1, r2]\n"
		   "    links: [[r1]]\n", "t.yaml:5:13: a link has only one end; expected "
		   "exactly two node names such as [r1, r2]", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1, r2, r3]\n"
		   "    links: [[r1, r2, r3]]\n", "t.yaml:5:22: a link has more than two "
		   "ends", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1, r2]\n"
		   "    links: [{ends: r1}]\n", "t.yaml:5:20: ends of a link must be a list "
		   "of two node names such as [r1, r2]", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1, r2]\n"
		   "    links: [{delay: 5ms}]\n", "t.yaml:5:13: a link without ends; "
		   "expected ends: [a, b] in it", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1, r2]\n"
		   "    links: [{ends: [r1, r2], ends: [r1, r2]}]\n",
		   "t.yaml:5:30: duplicate key 'ends' in a link", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1, r2]\n"
		   "    links: [{ends: [r1, r2], delay: 1ms, delay: 2ms}]\n",
		   "t.yaml:5:42: duplicate key 'delay' in a link", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1, r2]\n"
		   "    links: [{ends: [r1, r2], dealy: 1ms}]\n",
		   "t.yaml:5:30: unknown key 'dealy' in a link (known: ends, name, down, "
		   "forward, reverse, bandwidth, burst, delay,", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1, r2]\n"
		   "    links: [{ends: [r1, r2], forward: {dealy: 1ms}}]\n",
		   "t.yaml:5:40: unknown link property 'dealy' (known: bandwidth, burst, "
		   "delay,", "in forward", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1, r2]\n"
		   "    links: [{ends: [r1, r2], reverse: 5ms}]\n",
		   "t.yaml:5:39: reverse of a link must be a map of link properties such as "
		   "{delay: 5ms}", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1, r2]\n"
		   "    links: [{ends: [r1, r2], forward: {loss: 1%, loss: 2%}}]\n",
		   "t.yaml:5:50: duplicate key 'loss' in forward", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1, r2]\n"
		   "    links: [{ends: [r1, r2], down: maybe}]\n",
		   "t.yaml:5:36: bad down 'maybe': expected true or false", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1, r2]\n"
		   "    links: [{ends: [r1, r2], name: 'a b'}]\n",
		   "t.yaml:5:36: bad link name 'a b': expected 1 to 31 letters", NULL);
	expect_err("networks:\n  red:\n    protocol: bgp\n",
		   "t.yaml:3:15: unknown protocol 'bgp' in network 'red'; expected one of "
		   "none, static, ospf, rip, babel", NULL);
	expect_err("networks:\n  red:\n    protocol: [ospf]\n",
		   "t.yaml:3:15: protocol of network 'red' must be one of", NULL);
	expect_err("networks:\n  {a: b}: {}\n", "t.yaml:2:3: a map as a map key; expected "
		   "a plain name", NULL);
}

static void test_err_units(void **state)
{
	(void)state;
	/* the example of the brief: line 7, column 30 */
	expect_err("networks:\n"
		   "  red:\n"
		   "    prefix: 10.1.0.0/16\n"
		   "    routers: [r1, r2]\n"
		   "    links:\n"
		   "      - ends: [r1, r2]\n"
		   "        forward: {bandwidth: 100mbits}\n",
		   "t.yaml:7:30: bad bandwidth '100mbits': expected a rate such as 100mbit "
		   "(units bit, kbit, mbit, gbit, tbit)", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: [r1, r2]\n"
		   "    links:\n      - ends: [r1, r2]\n        delay: 5 ms\n",
		   "t.yaml:7:16: bad delay '5 ms': expected a time such as 5ms (units ns, "
		   "us, ms, s)", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: [r1, r2]\n"
		   "    links:\n      - ends: [r1, r2]\n        delay: 5\n",
		   "t.yaml:7:16: bad delay '5': expected a time", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: [r1, r2]\n"
		   "    links:\n      - ends: [r1, r2]\n        loss: [1%]\n",
		   "t.yaml:7:15: bad loss '[...]': expected a percentage such as 0.1%", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: [r1, r2]\n"
		   "    links:\n      - ends: [r1, r2]\n        loss:\n",
		   "t.yaml:", "bad loss '': expected a percentage", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: [r1, r2]\n"
		   "    links:\n      - ends: [r1, r2]\n        reverse: {mtu: 40}\n",
		   "t.yaml:7:24: bad mtu '40': expected a whole number from 68 to 65535", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: [r1, r2]\n"
		   "    links:\n      - ends: [r1, r2]\n        loss: 101%\n",
		   "t.yaml:7:15: bad loss '101%': expected a percentage such as 0.1% "
		   "(0% to 100%)", NULL);
	/* long values and keys are shown cut, the expected form still shows */
	{
		char yaml[2048], want[128];

		snprintf(yaml, sizeof(yaml), "networks:\n  red:\n    prefix: 10.1.0.0/16\n"
			 "    routers: [r1, r2]\n    links:\n      - ends: [r1, r2]\n"
			 "        delay: %01000d\n", 5);
		snprintf(want, sizeof(want), "t.yaml:7:16: bad delay '%060d...': expected "
			 "a time such as 5ms", 0);
		expect_err(yaml, want, NULL);
		snprintf(yaml, sizeof(yaml), "networks:\n  red:\n    prefix: 10.1.0.0/16\n"
			 "    %0500d: 1\n", 7);
		snprintf(want, sizeof(want), "t.yaml:4:5: unknown key '%060d...' in network "
			 "'red' (known: protocol,", 0);
		expect_err(yaml, want, NULL);
		snprintf(yaml, sizeof(yaml), "networks:\n  red:\n    prefix: 10.1.0.0/16\n"
			 "    routers: [r%0300d]\n", 7);
		snprintf(want, sizeof(want), "t.yaml:4:15: bad router name 'r%059d...' in "
			 "network 'red': expected", 0);
		expect_err(yaml, want, NULL);
	}
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers:\n"
		   "      r1: {cpu: 50}\n", "t.yaml:5:17: bad cpu '50': expected a CPU share "
		   "such as 50% (percent of one CPU, 1% to 6400%)", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers:\n"
		   "      r1: {cpu: 6401%}\n", "t.yaml:5:17: bad cpu '6401%'", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    hosts:\n"
		   "      h1: {memory: 64MB}\n", "t.yaml:5:20: bad memory '64MB': expected a "
		   "size such as 64M (bytes; suffixes K, M, G)", NULL);
}

static void test_err_prefix(void **state)
{
	(void)state;
	expect_err("networks:\n  red:\n    routers: [r1]\n",
		   "t.yaml:2:3: network 'red' has no prefix; expected prefix: followed by a "
		   "CIDR prefix such as 10.1.0.0/16", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/33\n",
		   "t.yaml:3:13: bad prefix '10.1.0.0/33' in network 'red': expected a CIDR "
		   "prefix such as 10.1.0.0/16 or fd00:1::/48", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0\n",
		   "t.yaml:3:13: bad prefix '10.1.0.0'", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/\n",
		   "t.yaml:3:13: bad prefix '10.1.0.0/'", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.1/16\n",
		   "t.yaml:3:13: prefix '10.1.0.1/16' of network 'red' has host bits set; "
		   "expected 10.1.0.0/16", NULL);
	expect_err("networks:\n  red:\n    prefix: [10.1.0.0/16, 10.2.0.0/16]\n",
		   "t.yaml:3:27: network 'red' has two IPv4 prefixes; expected at most one "
		   "IPv4 and one IPv6 prefix", NULL);
	expect_err("networks:\n  red:\n    prefix: ['fd00::/48', 'fd01::/48']\n",
		   "t.yaml:3:27: network 'red' has two IPv6 prefixes", NULL);
	expect_err("networks:\n  red:\n    prefix: [10.1.0.0/16, 'fd00::/48', 10.2.0.0/16]\n",
		   "t.yaml:3:40: network 'red' has more than two prefixes", NULL);
	expect_err("networks:\n  red:\n    prefix: []\n",
		   "t.yaml:3:13: prefix list of network 'red' is empty", NULL);
	expect_err("networks:\n  red:\n    prefix:\n    routers: [r]\n",
		   "t.yaml:", "prefix of network 'red' must be a CIDR prefix", NULL);
	expect_err("networks:\n  red:\n    prefix: {a: 1}\n",
		   "t.yaml:3:13: prefix of network 'red' must be a CIDR prefix", NULL);
}

static void test_err_names(void **state)
{
	(void)state;
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: [r1, r2, r1]\n",
		   "t.yaml:4:23: duplicate node name 'r1' in network 'red' (already a router "
		   "at 4:15); expected names unique across routers and hosts", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    hosts: [x]\n"
		   "    routers: {x: {}}\n", "t.yaml:5:15: duplicate node name 'x' in network "
		   "'red' (already a host at 4:13)", NULL);
	expect_err("networks:\n  red: {prefix: 10.1.0.0/16, routers: [r]}\n"
		   "  red: {prefix: 10.1.0.0/16, routers: [r]}\n",
		   "t.yaml:3:3: duplicate network name 'red' (first defined at 2:3)", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: [r1, r2, r3]\n"
		   "    links:\n      - [r1, r2]\n      - {ends: [r2, r3], name: r1-r2}\n",
		   "t.yaml:7:9: duplicate link name 'r1-r2' in network 'red' (first used at "
		   "6:9)", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: ['r 1']\n",
		   "t.yaml:4:15: bad router name 'r 1' in network 'red': expected 1 to 31 "
		   "letters, digits or '_', '.', '-'", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    hosts: [h-]\n",
		   "t.yaml:4:13: bad host name 'h-'", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n"
		   "    routers: [abcdefghijabcdefghijabcdefghij12]\n",
		   "t.yaml:4:15: bad router name 'abcdefghijabcdefghijabcdefghij12'", NULL);
	expect_err("networks:\n  -red: {}\n", "t.yaml:2:3: bad network name '-red'", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: ['']\n",
		   "t.yaml:4:15: bad router name ''", NULL);
}

static void test_err_graph(void **state)
{
	(void)state;
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: [r1, r2]\n"
		   "    links:\n      - [r1, r2]\n      - [r2, r9]\n",
		   "t.yaml:7:14: link end 'r9' is not a router or host of network 'red'", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: [r1, r2]\n"
		   "    links:\n      - {ends: [r1, 'r 9']}\n",
		   "t.yaml:6:21: link end 'r 9' is not a router or host of network 'red'", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: [r1, r2]\n"
		   "    links:\n      - [r1, r2]\n      - [r2, r2]\n",
		   "t.yaml:7:9: link 'r2-r2' connects r2 to itself; expected two different "
		   "nodes", NULL);
	/* a second link between the same pair needs its own name */
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: [r1, r2]\n"
		   "    links:\n      - [r1, r2]\n      - [r1, r2]\n",
		   "t.yaml:7:9: second link between r1 and r2 in network 'red' (the first is "
		   "'r1-r2' at 6:9); expected a distinct name for it, e.g. name: r1-r2-2",
		   NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: [r1, r2]\n"
		   "    links:\n      - {ends: [r1, r2], name: core}\n      - [r2, r1]\n",
		   "t.yaml:7:9: second link between r2 and r1 in network 'red' (the first is "
		   "'core' at 6:9)", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: [r1, r2]\n"
		   "    links:\n      - [r1, r2]\n      - {ends: [r2, r1], name: r1-r2}\n",
		   "t.yaml:7:9: duplicate link name 'r1-r2'", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: {r1: {}}\n"
		   "    hosts: {h1: {config: h1.conf}}\n",
		   "t.yaml:5:18: host 'h1' cannot have a config: hosts run no routing daemon; "
		   "expected only cpu, memory and host", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: {r1: {config: "
		   "nope.conf}}\n", "t.yaml:4:28: cannot read BIRD config '" DATA "/nope.conf' "
		   "of router 'r1': No such file or directory", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: {r1: {config: "
		   "/}}\n", "t.yaml:4:28: cannot read BIRD config '/' of router 'r1': Is a "
		   "directory", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: {r1: {config: "
		   "/dev/null}}\n", "t.yaml:4:28: cannot read BIRD config '/dev/null' of "
		   "router 'r1': not a regular file", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: {r1: {config: "
		   "''}}\n", "t.yaml:4:28: config of router 'r1' is empty", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n",
		   "t.yaml:2:3: network 'red' has no routers and no hosts; expected at least "
		   "one router", NULL);
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: {}\n"
		   "    hosts: []\n", "t.yaml:2:3: network 'red' has no routers and no hosts",
		   NULL);
	/* the example of the brief: unreachable nodes sorted by name */
	expect_err("networks:\n"
		   "  blue: {prefix: 10.2.0.0/16, routers: [a]}\n"
		   "  red:\n"
		   "    prefix: 10.1.0.0/16\n"
		   "    routers: [r1, r2, r3]\n"
		   "    hosts: [h1, h2]\n"
		   "    links:\n"
		   "      - [h1, r1]\n"
		   "      - [r1, r2]\n"
		   "      - [r3, h2]\n",
		   "t.yaml:3:3: network 'red' is not connected: h2, r3 cannot be reached from "
		   "r1; expected every node linked to the others", NULL);
	/* graph errors come after errors found while reading */
	expect_err("networks:\n  red:\n    prefix: 10.1.0.0/16\n    routers: [r1, r2]\n"
		   "    links: [[r1, r9]]\n    protocol: bgp\n",
		   "t.yaml:6:15: unknown protocol 'bgp'", NULL);
}

/* Generated inputs at and past the limits. */
static char *gen(size_t cap)
{
	char *s = malloc(cap);

	assert_non_null(s);
	s[0] = '\0';
	return s;
}

#define APPEND(s, len, cap, ...) \
	((len) += (size_t)snprintf((s) + (len), (cap) - (len), __VA_ARGS__))

static void test_limits(void **state)
{
	size_t cap = 1 << 20, len = 0;
	char *s = gen(cap);
	struct topo *t;

	(void)state;
	/* 64 networks fit, 65 do not */
	APPEND(s, len, cap, "networks:\n");
	for (int i = 0; i < 64; i++)
		APPEND(s, len, cap, "  n%d: {prefix: 10.0.0.0/8, routers: [r]}\n", i);
	t = parse_ok(s);
	assert_int_equal(t->nnets, 64);
	topo_free(t);
	APPEND(s, len, cap, "  n64: {prefix: 10.0.0.0/8, routers: [r]}\n");
	expect_err(s, "t.yaml:66:3: too many networks; expected at most 64", NULL);

	/* 4096 nodes fit (a chain), 4097 do not */
	len = 0;
	APPEND(s, len, cap, "networks:\n  n:\n    prefix: 10.0.0.0/8\n    routers: [");
	for (int i = 0; i < 4096; i++)
		APPEND(s, len, cap, "%sr%d", i ? ", " : "", i);
	APPEND(s, len, cap, "]\n    links:\n");
	for (int i = 1; i < 4096; i++)
		APPEND(s, len, cap, "      - [r%d, r%d]\n", i - 1, i);
	t = parse_ok(s);
	assert_int_equal(t->nets[0].nnodes, 4096);
	assert_int_equal(t->nets[0].nlinks, 4095);
	topo_free(t);
	APPEND(s, len, cap, "    hosts: [h]\n");
	expect_err(s, "t.yaml:", "network 'n' has too many nodes; expected at most 4096",
		   NULL);

	/* 16384 links fit (distinct names), 16385 do not */
	len = 0;
	APPEND(s, len, cap, "networks:\n  n:\n    prefix: 10.0.0.0/8\n    routers: [a, b]\n"
	       "    links:\n");
	for (int i = 0; i < 16384; i++)
		APPEND(s, len, cap, "      - {ends: [a, b], name: l%d}\n", i);
	t = parse_ok(s);
	assert_int_equal(t->nets[0].nlinks, 16384);
	topo_free(t);
	APPEND(s, len, cap, "      - {ends: [a, b], name: l16384}\n");
	expect_err(s, "t.yaml:16390:9: network 'n' has too many links; expected at most "
		   "16384", NULL);

	/* deep nesting is refused at the first level the schema does not expect */
	len = 0;
	APPEND(s, len, cap, "networks:\n  n:\n    routers: ");
	for (int i = 0; i < 100000; i++)
		APPEND(s, len, cap, "[");
	expect_err(s, "t.yaml:3:15: routers of network 'n' must be a list of names", NULL);

	/* a disconnected network lists a few names, then counts */
	len = 0;
	APPEND(s, len, cap, "networks:\n  n:\n    prefix: 10.0.0.0/8\n    routers: [");
	for (int i = 0; i < 20; i++)
		APPEND(s, len, cap, "%sr%02d", i ? ", " : "", i);
	APPEND(s, len, cap, "]\n");
	expect_err(s, "t.yaml:2:3: network 'n' is not connected: r01, r02, r03, r04, r05, "
		   "r06, r07, r08 and 11 more cannot be reached from r00", NULL);
	free(s);
}

static void test_config_files(void **state)
{
	char dir[] = "/tmp/vnet-test-topo-XXXXXX", path[256], yaml[512];
	struct vnet_err err;
	struct topo *t;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* exactly 1 MiB is fine, one byte more is not */
	snprintf(path, sizeof(path), "%s/big.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < (1 << 20); i++)
		fputc(i % 64 == 63 ? '\n' : '#', f);
	fclose(f);
	snprintf(yaml, sizeof(yaml), "networks:\n  n:\n    prefix: 10.0.0.0/8\n"
		 "    routers: {r: {config: big.conf}}\n");
	assert_int_equal(topo_parse_buf(yaml, strlen(yaml), "t.yaml", dir, &t, &err), 0);
	assert_int_equal(strlen(t->nets[0].nodes[0].config), 1 << 20);
	topo_free(t);
	f = fopen(path, "a");
	fputc('\n', f);
	fclose(f);
	assert_int_equal(topo_parse_buf(yaml, strlen(yaml), "t.yaml", dir, &t, &err), -1);
	assert_non_null(strstr(err.msg, "t.yaml:4:27: BIRD config '"));
	assert_non_null(strstr(err.msg, "big.conf' of router 'r' is larger than 1 MiB"));
	unlink(path);

	/* a binary file is not a config */
	snprintf(path, sizeof(path), "%s/bin.conf", dir);
	f = fopen(path, "w");
	fwrite("ab\0cd", 1, 5, f);
	fclose(f);
	snprintf(yaml, sizeof(yaml), "networks:\n  n:\n    prefix: 10.0.0.0/8\n"
		 "    routers: {r: {config: ./bin.conf}}\n");
	assert_int_equal(topo_parse_buf(yaml, strlen(yaml), "t.yaml", dir, &t, &err), -1);
	assert_non_null(strstr(err.msg, "contains NUL bytes"));
	/* "./" and "//" are tidied, the path is absolute */
	snprintf(path, sizeof(path), "%s/ok.conf", dir);
	f = fopen(path, "w");
	fputs("router id 1.1.1.1;\n", f);
	fclose(f);
	snprintf(yaml, sizeof(yaml), "networks:\n  n:\n    prefix: 10.0.0.0/8\n"
		 "    routers: {r: {config: .//ok.conf}}\n");
	assert_int_equal(topo_parse_buf(yaml, strlen(yaml), "t.yaml", dir, &t, &err), 0);
	assert_string_equal(t->nets[0].nodes[0].config_path, path);
	assert_string_equal(t->nets[0].nodes[0].config, "router id 1.1.1.1;\n");
	topo_free(t);
	/* absolute paths stay as written */
	snprintf(yaml, sizeof(yaml), "networks:\n  n:\n    prefix: 10.0.0.0/8\n"
		 "    routers: {r: {config: %s}}\n", path);
	assert_int_equal(topo_parse_buf(yaml, strlen(yaml), "t.yaml", "/nonexistent", &t,
					 &err), 0);
	assert_string_equal(t->nets[0].nodes[0].config_path, path);
	topo_free(t);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bin.conf", dir);
	unlink(path);
	rmdir(dir);
}

/*
 * topo_net_check, dup, clear
 */

/* red: r1 - r2 - h1, built in memory as spec.c or a live edit would. */
static void mknet(struct topo_net *n)
{
	static const char *const names[] = { "r1", "r2", "h1" };

	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "red");
	n->proto = TOPO_PROTO_OSPF;
	assert_int_equal(addr_parse("10.1.0.0/16", &n->prefix[0], 1), 0);
	n->nprefix = 1;
	n->nnodes = 3;
	n->nodes = calloc(3, sizeof(*n->nodes));
	for (int i = 0; i < 3; i++) {
		snprintf(n->nodes[i].name, sizeof(n->nodes[i].name), "%s", names[i]);
		n->nodes[i].kind = i < 2 ? TOPO_ROUTER : TOPO_HOST;
	}
	n->nodes[0].config = strdup("router id 1.1.1.1;\n");
	n->nodes[0].config_path = strdup("/etc/r1.conf");
	n->nlinks = 2;
	n->links = calloc(2, sizeof(*n->links));
	n->links[0] = (struct topo_link){ .name = "r1-r2", .end = { 0, 1 } };
	n->links[1] = (struct topo_link){ .name = "r2-h1", .end = { 1, 2 } };
	n->links[1].dir[0].delay_ns = 5000000;
}

static void check_fails(const struct topo_net *n, const char *msg)
{
	struct vnet_err err;

	assert_int_equal(topo_net_check(n, "spec", &err), -1);
	if (strncmp(err.msg, msg, strlen(msg)))
		fail_msg("got \"%s\"\nexpected \"%s...\"", err.msg, msg);
}

static void test_net_check(void **state)
{
	struct topo_net n;
	struct vnet_err err;

	(void)state;
	mknet(&n);
	assert_int_equal(topo_net_check(&n, "spec", &err), 0);
	assert_int_equal(topo_net_check(&n, NULL, NULL), 0);

	n.links[1].end[1] = 1;
	check_fails(&n, "spec: link 'r2-h1' connects r2 to itself");
	n.links[1].end[1] = 3;
	check_fails(&n, "spec: link 1 of network 'red' names no node");
	n.links[1].end[1] = 2;

	/* a second r1-r2 link: fine with a name of its own, not with "r1-r2" or
	 * "r2-r1" (the default names) */
	n.links[1].end[0] = 0;
	n.links[1].end[1] = 1;
	snprintf(n.links[1].name, sizeof(n.links[1].name), "r1-r2");
	check_fails(&n, "spec: second link between r1 and r2 in network 'red' (the first "
		    "is 'r1-r2')");
	n.links[1].end[0] = 1;
	n.links[1].end[1] = 0;
	snprintf(n.links[1].name, sizeof(n.links[1].name), "r2-r1");
	check_fails(&n, "spec: second link between r2 and r1");
	n.links[1].end[0] = 0;
	n.links[1].end[1] = 1;
	snprintf(n.links[1].name, sizeof(n.links[1].name), "backup");
	check_fails(&n, "spec: network 'red' is not connected: h1 cannot be reached "
		     "from r1");
	n.links[1].end[1] = 2;
	assert_int_equal(topo_net_check(&n, "spec", &err), 0);
	snprintf(n.links[1].name, sizeof(n.links[1].name), "r1-r2");
	check_fails(&n, "spec: duplicate link name 'r1-r2' in network 'red'");
	snprintf(n.links[1].name, sizeof(n.links[1].name), "r2-h1");
	n.links[1].end[0] = 1;

	/* positions, when known, lead the message */
	snprintf(n.nodes[2].name, sizeof(n.nodes[2].name), "r1");
	n.nodes[2].pos = (struct topo_pos){ 9, 4 };
	n.nodes[0].pos = (struct topo_pos){ 8, 4 };
	check_fails(&n, "spec:9:4: duplicate node name 'r1' in network 'red' (first "
		     "defined at 8:4)");
	snprintf(n.nodes[2].name, sizeof(n.nodes[2].name), "h 1");
	check_fails(&n, "spec:9:4: bad node name 'h 1'");
	snprintf(n.nodes[2].name, sizeof(n.nodes[2].name), "h1");
	n.nodes[2].config = strdup("x");
	check_fails(&n, "spec:9:4: host 'h1' cannot have a config");
	free(n.nodes[2].config);
	n.nodes[2].config = NULL;

	n.nprefix = 0;
	check_fails(&n, "spec: network 'red' has no prefix");
	n.nprefix = 2;
	n.prefix[1] = n.prefix[0];
	check_fails(&n, "spec: network 'red' has two IPv4 prefixes");
	n.nprefix = 1;
	snprintf(n.name, sizeof(n.name), "r e d");
	check_fails(&n, "spec: bad network name 'r e d'");
	snprintf(n.name, sizeof(n.name), "red");
	{
		int keep = n.nnodes;

		n.nnodes = 0;
		check_fails(&n, "spec: network 'red' has no routers and no hosts");
		n.nnodes = keep;
	}
	/* a default link name of two long node names is fine */
	snprintf(n.nodes[0].name, sizeof(n.nodes[0].name), "abcdefghijabcdefghijabcdefghij1");
	snprintf(n.nodes[1].name, sizeof(n.nodes[1].name), "abcdefghijabcdefghijabcdefghij2");
	snprintf(n.links[0].name, sizeof(n.links[0].name), "%s-%s", n.nodes[0].name,
		 n.nodes[1].name);
	assert_int_equal(topo_net_check(&n, "spec", &err), 0);
	strcpy(n.links[0].name, "abcdefghijabcdefghijabcdefghijabcdefghi-");
	check_fails(&n, "spec: bad link name 'abcdefghijabcdefghijabcdefghijabcdefghi-'");
	strcpy(n.links[0].name, "abcdefghijabcdefghijabcdefghij abcdefghi");
	check_fails(&n, "spec: bad link name");
	strcpy(n.links[0].name, "");
	check_fails(&n, "spec: bad link name ''");
	topo_net_clear(&n);
	assert_null(n.nodes);
	assert_int_equal(n.nnodes, 0);
	topo_net_clear(&n);	/* twice is fine */
	topo_net_clear(NULL);
}

static void test_dup(void **state)
{
	struct topo_net a, b;
	struct vnet_err err;

	(void)state;
	mknet(&a);
	assert_int_equal(topo_net_dup(&a, &b), 0);
	assert_string_equal(b.name, "red");
	assert_int_equal(b.nnodes, 3);
	assert_int_equal(b.nlinks, 2);
	assert_ptr_not_equal(b.nodes, a.nodes);
	assert_ptr_not_equal(b.links, a.links);
	assert_ptr_not_equal(b.nodes[0].config, a.nodes[0].config);
	assert_string_equal(b.nodes[0].config, a.nodes[0].config);
	assert_string_equal(b.nodes[0].config_path, "/etc/r1.conf");
	assert_null(b.nodes[1].config);
	assert_true(b.links[1].dir[0].delay_ns == 5000000);
	assert_true(addr_equal(&a.prefix[0], &b.prefix[0]));
	/* change the copy: the original stays */
	b.links[1].dir[0].delay_ns = 1;
	b.nodes[0].config[0] = 'X';
	assert_true(a.links[1].dir[0].delay_ns == 5000000);
	assert_int_equal(a.nodes[0].config[0], 'r');
	assert_int_equal(topo_net_check(&b, "spec", &err), 0);
	topo_net_clear(&a);
	topo_net_clear(&b);

	/* an empty network copies too */
	memset(&a, 0, sizeof(a));
	assert_int_equal(topo_net_dup(&a, &b), 0);
	assert_null(b.nodes);
	topo_net_clear(&b);
}

/*
 * The documentation
 */

static void test_docs_examples(void **state)
{
	const char *path = VNET_TEST_DATA "/../../docs/topology.md";
	char *doc, *p, *end;
	struct vnet_err err;
	int count = 0;
	FILE *f;
	long sz;

	(void)state;
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	doc = calloc(1, (size_t)sz + 1);
	assert_int_equal(fread(doc, 1, (size_t)sz, f), sz);
	fclose(f);
	for (p = doc; (p = strstr(p, "\n```yaml\n")); p = end + 4) {
		struct topo *t;
		int line = 2;

		p += strlen("\n```yaml\n");
		end = strstr(p, "\n```");
		assert_non_null(end);
		for (const char *q = doc; q < p; q++)
			line += *q == '\n';
		if (topo_parse_buf(p, (size_t)(end - p) + 1, "example", DATA, &t, &err))
			fail_msg("docs/topology.md: the example at line %d does not parse: %s",
				 line - 1, err.msg);
		topo_free(t);
		count++;
	}
	free(doc);
	if (count < 5)
		fail_msg("only %d yaml examples found in docs/topology.md", count);
}

/*
 * Profiles (time-varying links)
 */

static void assert_step(const struct topo_step *st, int d, const char *want)
{
	char buf[512];

	linkp_fmt_list(buf, sizeof(buf), &st->p[d], st->mask[d]);
	assert_string_equal(buf, want);
}

#define NET2 "networks:\n  red:\n    prefix: 10.0.0.0/8\n    routers: [r1, r2]\n" \
	     "    links:\n"

static void test_profile(void **state)
{
	struct topo *t;
	const struct topo_link *l;

	(void)state;
	/* the example of the issue: step 0 brings the loss back to the link's 0 */
	t = parse_ok(NET2
		"      - {ends: [r1, r2], bandwidth: 100mbit, profile: [{at: 0s, bandwidth: "
		"100mbit}, {at: 10s, bandwidth: 5mbit, loss: 2%}], repeat: true, period: 20s}\n");
	l = &t->nets[0].links[0];
	assert_params(&l->dir[0], "bandwidth=100mbit");
	assert_int_equal(l->nprofile, 2);
	assert_int_equal(l->repeat, 1);
	assert_true(l->period_ns == 20000000000ULL);
	assert_true(l->profile[0].at_ns == 0);
	assert_true(l->profile[1].at_ns == 10000000000ULL);
	for (int d = 0; d < 2; d++) {
		assert_step(&l->profile[0], d, "bandwidth=100mbit loss=0%");
		assert_step(&l->profile[1], d, "bandwidth=5mbit loss=2%");
	}
	topo_free(t);

	/* block style, one direction per step, link properties in any order
	 * (after the profile), a property the link does not set takes its
	 * default; queue's default is written out */
	t = parse_ok(NET2
		"      - ends: [r1, r2]\n"
		"        profile:\n"
		"          - at: 0\n"
		"          - at: 1.5s\n"
		"            delay: 30ms\n"
		"            forward: {loss: 1%, queue: 50}\n"
		"          - {at: 2s, reverse: {delay: 1ms}}\n"
		"        delay: 5ms\n"
		"        reverse: {jitter: 1ms}\n");
	l = &t->nets[0].links[0];
	assert_int_equal(l->nprofile, 3);
	assert_int_equal(l->repeat, 0);
	assert_true(l->period_ns == 0);
	assert_params(&l->dir[0], "delay=5ms");
	assert_params(&l->dir[1], "delay=5ms jitter=1ms");
	assert_step(&l->profile[0], 0, "delay=5ms queue=1000 loss=0%");
	assert_step(&l->profile[0], 1, "delay=5ms");
	assert_step(&l->profile[1], 0, "delay=30ms queue=50 loss=1%");
	assert_step(&l->profile[1], 1, "delay=30ms");
	assert_step(&l->profile[2], 0, "delay=5ms queue=1000 loss=0%");
	assert_step(&l->profile[2], 1, "delay=1ms");
	assert_true(l->profile[1].at_ns == 1500000000ULL);
	/* outside the mask: defaults */
	assert_true(l->profile[1].p[1].jitter_ns == 0);
	assert_int_equal(topo_net_check(&t->nets[0], "t.yaml", NULL), 0);
	topo_free(t);

	/* repeat: false needs no period; the smallest gaps are accepted */
	t = parse_ok(NET2 "      - {ends: [r1, r2], profile: [{at: 0s}, {at: 100ms, delay: 1ms}], "
		     "repeat: off}\n"
		     "      - {ends: [r1, r2], name: b, profile: [{at: 0s, delay: 1ms}], "
		     "repeat: yes, period: 100ms}\n");
	assert_int_equal(t->nets[0].links[0].repeat, 0);
	assert_step(&t->nets[0].links[0].profile[0], 0, "delay=0");
	assert_int_equal(t->nets[0].links[1].repeat, 1);
	assert_int_equal(t->nets[0].links[1].nprofile, 1);
	topo_free(t);
}

static void test_profile_errors(void **state)
{
	(void)state;
	expect_err(NET2 "      - {ends: [r1, r2], profile: 5s}\n",
		   "t.yaml:6:35: profile of a link must be a list of steps such as", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: []}\n",
		   "t.yaml:6:35: profile of a link is empty", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [5s]}\n",
		   "t.yaml:6:36: a profile step must be a map such as {at: 10s", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{delay: 5ms}]}\n",
		   "t.yaml:6:36: a profile step without at; expected at: followed by a time",
		   NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 1s}]}\n",
		   "t.yaml:6:41: the first step of a profile is at 1s; expected at: 0s", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 5}]}\n",
		   "t.yaml:6:41: bad at '5': expected a time such as 5ms", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s}, {at: 2s}, {at: 2s}]}\n",
		   "t.yaml:6:61: a profile step at 2s comes less than 100ms after the step "
		   "before it (at 2s); expected steps in increasing time", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s}, {at: 50ms}]}\n",
		   "t.yaml:6:51: a profile step at 50ms comes less than 100ms", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s, dealy: 5ms}]}\n",
		   "t.yaml:6:45: unknown key 'dealy' in a profile step (known: at, forward, "
		   "reverse, bandwidth,", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s, mtu: 1400}]}\n",
		   "t.yaml:6:45: mtu cannot change in a profile; expected mtu on the link "
		   "itself", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s, forward: {mtu: 1400}}]}\n",
		   "t.yaml:6:55: mtu cannot change in a profile", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s, at: 1s}]}\n",
		   "t.yaml:6:45: duplicate key 'at' in a profile step", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s, delay: 1ms, delay: 2ms}]}\n",
		   "t.yaml:6:57: duplicate key 'delay' in a profile step", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s, loss: 200%}]}\n",
		   "t.yaml:6:51: bad loss '200%': expected a percentage", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s, reverse: {dealy: 1ms}}]}\n",
		   "t.yaml:6:55: unknown link property 'dealy'", "in reverse", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s}], repeat: true}\n",
		   "t.yaml:6:55: a repeating profile needs a period; expected period: "
		   "followed by a time at least 100ms longer than the last step's at (0)", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s}, {at: 10s}], repeat: true, "
		   "period: 10s}\n",
		   "t.yaml:6:80: period 10s is not at least 100ms longer than the last step's "
		   "at (10s)", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s}], period: 10s}\n",
		   "t.yaml:6:55: period of a profile that does not repeat; expected repeat: "
		   "true with it", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], repeat: true}\n",
		   "t.yaml:6:34: repeat of a link without a profile; expected profile:", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], period: 1s}\n",
		   "t.yaml:6:34: period of a link without a profile", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s}], repeat: sometimes}\n",
		   "t.yaml:6:55: bad repeat 'sometimes': expected true or false", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s}], repeat: true, "
		   "period: 400d}\n",
		   "t.yaml:6:69: bad period '400d': expected a time", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s}, {at: 31536001s}]}\n",
		   "t.yaml:6:51: at '31536001s' is too long; expected at most 365 days", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s}], profile: [{at: 0s}]}\n",
		   "t.yaml:6:47: duplicate key 'profile' in a link", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [{at: 0s}], speed: 1}\n",
		   "t.yaml:6:47: unknown key 'speed' in a link (known: ends, name, down, "
		   "forward, reverse, bandwidth,", "codel, profile, repeat, period)", NULL);
	expect_err(NET2 "      - {ends: [r1, r2], profile: [*x]}\n",
		   "t.yaml:6:36: YAML aliases (*x) are not supported", NULL);
}

static void test_profile_limits(void **state)
{
	size_t cap = 4 << 20, len = 0;
	char *s = gen(cap);
	struct topo *t;

	(void)state;
	/* 1024 steps fit in a link, 1025 do not */
	APPEND(s, len, cap, NET2 "      - ends: [r1, r2]\n        profile:\n");
	for (int i = 0; i < 1024; i++)
		APPEND(s, len, cap, "          - {at: %ds, delay: %dms}\n", i, i % 50);
	t = parse_ok(s);
	assert_int_equal(t->nets[0].links[0].nprofile, 1024);
	topo_free(t);
	APPEND(s, len, cap, "          - {at: 1024s}\n");
	expect_err(s, "t.yaml:1032:13: a profile has too many steps; expected at most 1024",
		   NULL);

	/* 65536 steps in all: 64 links of 1024 fit, one more step does not */
	len = 0;
	APPEND(s, len, cap, "networks:\n  n:\n    prefix: 10.0.0.0/8\n    routers: [a, b]\n"
	       "    links:\n");
	for (int j = 0; j < 64; j++) {
		APPEND(s, len, cap, "      - {ends: [a, b], name: l%d, profile: [", j);
		for (int i = 0; i < 1024; i++)
			APPEND(s, len, cap, "%s{at: %ds}", i ? ", " : "", i);
		APPEND(s, len, cap, "]}\n");
	}
	t = parse_ok(s);
	assert_int_equal(t->nets[0].nlinks, 64);
	topo_free(t);
	APPEND(s, len, cap, "      - {ends: [a, b], name: x, profile: [{at: 0s}]}\n");
	expect_err(s, "t.yaml:70:43: the profiles of this topology have too many steps; "
		   "expected at most 65536 in all", NULL);
	free(s);
}

static void test_profile_check_dup(void **state)
{
	struct topo_net a, b;
	struct topo_link *l;
	struct vnet_err err;

	(void)state;
	mknet(&a);
	l = &a.links[0];
	l->profile = calloc(2, sizeof(*l->profile));
	l->nprofile = 2;
	l->profile[1].at_ns = 10000000000ULL;
	l->profile[1].mask[0] = LINKP_BIT(LINKP_DELAY);
	l->profile[1].p[0].delay_ns = 30000000;
	assert_int_equal(topo_net_check(&a, "spec", &err), 0);

	/* the deep copy owns its own steps */
	assert_int_equal(topo_net_dup(&a, &b), 0);
	assert_non_null(b.links[0].profile);
	assert_ptr_not_equal(b.links[0].profile, a.links[0].profile);
	assert_int_equal(b.links[0].nprofile, 2);
	b.links[0].profile[1].p[0].delay_ns = 1;
	assert_true(a.links[0].profile[1].p[0].delay_ns == 30000000);
	assert_null(b.links[1].profile);
	topo_net_clear(&b);

	/* what the checker refuses */
	l->profile[0].at_ns = 1;
	check_fails(&a, "spec: the profile of link 'r1-r2' starts at 1ns; expected its "
		    "first step at: 0s");
	l->profile[0].at_ns = 0;
	l->profile[1].at_ns = 99999999;
	check_fails(&a, "spec: step 2 of the profile of link 'r1-r2' is at 99999999ns, "
		    "less than 100ms after step 1 (at 0)");
	l->profile[1].at_ns = 10000000000ULL;
	l->profile[1].mask[1] = LINKP_BIT(LINKP_MTU);
	check_fails(&a, "spec: step 2 of the profile of link 'r1-r2' sets mtu");
	l->profile[1].mask[1] = 0;
	l->repeat = 1;
	l->period_ns = 10000000000ULL;
	check_fails(&a, "spec: the profile of link 'r1-r2' repeats with a period of 10s; "
		    "expected a period at least 100ms longer");
	l->period_ns = 10100000000ULL;
	assert_int_equal(topo_net_check(&a, "spec", &err), 0);
	l->repeat = 0;
	check_fails(&a, "spec: link 'r1-r2' has a period but its profile does not repeat");
	l->period_ns = 0;
	l->nprofile = 0;
	check_fails(&a, "spec: link 'r1-r2' has a profile but no profile steps");
	l->nprofile = 2000;
	check_fails(&a, "spec: link 'r1-r2' has a profile of 2000 steps; expected 1 to 1024");
	l->nprofile = 2;
	topo_net_clear(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_order_and_defaults),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_err_yaml),
		cmocka_unit_test(test_host_pin),
		cmocka_unit_test(test_err_structure),
		cmocka_unit_test(test_err_units),
		cmocka_unit_test(test_err_prefix),
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_err_graph),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_config_files),
		cmocka_unit_test(test_net_check),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_docs_examples),
		cmocka_unit_test(test_profile),
		cmocka_unit_test(test_profile_errors),
		cmocka_unit_test(test_profile_limits),
		cmocka_unit_test(test_profile_check_dup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
