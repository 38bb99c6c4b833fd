/*
 * test_vnetd_verbs.c - the domain verbs (vnetd/verbs.h) driven directly,
 * without a daemon process or HTTP: a daemon context with a state store in
 * a temporary directory and no engine, networks that are defined but not
 * started. Checks the class of each refusal, that a refused request
 * changes nothing (the link as it was, in memory and in the store), and
 * that accepted changes reach the store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "net.h"
#include "spec.h"
#include "store.h"
#include "topo.h"
#include "verbs.h"
#include "vnetd.h"

static const char *const topology =
	"networks:\n"
	"  red:\n"
	"    protocol: ospf\n"
	"    prefix: 10.1.0.0/16\n"
	"    routers: [r1, r2, r3]\n"
	"    links:\n"
	"      - [r1, r2]\n"
	"      - [r2, r3]\n"
	"      - {ends: [r3, r1], bandwidth: 10mbit,\n"
	"         profile: [{at: 0s}, {at: 1s, bandwidth: 5mbit}]}\n";

struct fixture {
	struct vnetd d;
	char dir[64];
};

static struct topo *parse(const char *text)
{
	struct vnet_err err;
	struct topo *t = NULL;

	if (topo_parse_buf(text, strlen(text), "test.yaml", "/", &t, &err))
		fail_msg("%s", err.msg);
	return t;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct vnet_err err;
	char path[128];

	snprintf(f->dir, sizeof(f->dir), "/tmp/vnet-verbs.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/vnetd.db", f->dir);
	f->d.store = store_open(path, &err);
	assert_non_null(f->d.store);
	f->d.state_dir = f->dir;
	f->d.prefix = "tverbs";
	f->d.host = "here";
	f->d.epfd = -1;
	f->d.sigfd = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	while (f->d.nets)
		net_destroy(&f->d, f->d.nets, 0);
	store_close(f->d.store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* A defined, stopped network red from the topology above. */
static struct vnet_network *define_red(struct fixture *f)
{
	struct topo *t = parse(topology);
	struct vnet_network *n = NULL;
	struct vnet_err err;

	assert_int_equal(net_create_from_spec(&f->d, &t->nets[0], "test.yaml", &n, &err), 0);
	topo_free(t);
	return n;
}

/* The stored spec of network name, as JSON text. */
struct stored {
	const char *name;
	char *spec;
};

static int find_stored(void *arg, const char *name, const char *file, const char *spec,
		       const char *state, const char *runtime)
{
	struct stored *s = arg;

	(void)file;
	(void)state;
	(void)runtime;
	if (!strcmp(name, s->name))
		s->spec = strdup(spec);
	return 0;
}

static char *stored_spec(struct fixture *f, const char *name)
{
	struct stored s = { name, NULL };

	assert_int_equal(store_net_each(f->d.store, find_stored, &s), 0);
	return s.spec;
}

static void test_refused_link_change_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct vnet_network *n = define_red(f);
	struct link_params before[2];
	struct link_set s;
	struct vnet_err err;
	char *spec0 = stored_spec(f, "red"), *spec1;
	int l = topo_link_find(&n->spec, "r3-r1");

	assert_true(l >= 0);
	memcpy(before, n->spec.links[l].dir, sizeof(before));

	/* a bandwidth (valid) with an mtu in one direction (refused) */
	memset(&s, 0, sizeof(s));
	linkp_init(&s.p);
	s.p.rate_bps = 1000000;
	s.p.mtu = 1000;
	s.mask = LINKP_BIT(LINKP_BANDWIDTH) | LINKP_BIT(LINKP_MTU);
	s.dir = "forward";
	assert_int_equal(verb_link_set(&f->d, "red/r3-r1", &s, &err), -1);
	assert_int_equal(err.cls, VNET_ERR_INVALID);
	assert_non_null(strstr(err.msg, "mtu"));

	/* a bandwidth and a profile command the link takes, with a bad dir */
	memset(&s, 0, sizeof(s));
	linkp_init(&s.p);
	s.p.rate_bps = 1000000;
	s.mask = LINKP_BIT(LINKP_BANDWIDTH);
	s.profile = "off";
	s.dir = "r1>r9";
	assert_int_equal(verb_link_set(&f->d, "red/r3-r1", &s, &err), -1);
	assert_int_equal(err.cls, VNET_ERR_INVALID);
	assert_non_null(strstr(err.msg, "bad dir"));

	/* a bandwidth, and a trace file that does not exist */
	s.dir = NULL;
	s.profile = NULL;
	s.trace = "/nonexistent/vnet.trace";
	assert_int_equal(verb_link_set(&f->d, "red/r3-r1", &s, &err), -1);
	assert_int_equal(err.cls, VNET_ERR_INVALID);

	/* a bandwidth, and a profile on a link without one */
	s.trace = NULL;
	s.profile = "off";
	assert_int_equal(verb_link_set(&f->d, "red/r1-r2", &s, &err), -1);
	assert_int_equal(err.cls, VNET_ERR_INVALID);
	assert_non_null(strstr(err.msg, "no profile"));

	/* nothing moved, in memory or in the store */
	assert_memory_equal(before, n->spec.links[l].dir, sizeof(before));
	assert_int_equal(n->links[l].prof.state, PROFILE_OFF);
	spec1 = stored_spec(f, "red");
	assert_string_equal(spec0, spec1);
	free(spec0);
	free(spec1);
}

static void test_accepted_link_change_is_stored(void **state)
{
	struct fixture *f = *state;
	struct vnet_network *n = define_red(f);
	struct link_set s;
	struct vnet_err err;
	char *spec;
	int l = topo_link_find(&n->spec, "r1-r2");

	memset(&s, 0, sizeof(s));
	linkp_init(&s.p);
	s.p.delay_ns = 5000000;
	s.mask = LINKP_BIT(LINKP_DELAY);
	s.dir = "r2>r1";
	assert_int_equal(verb_link_set(&f->d, "r1-r2", &s, &err), 0);
	assert_int_equal(n->spec.links[l].dir[1].delay_ns, 5000000);
	assert_int_equal(n->spec.links[l].dir[0].delay_ns, 0);
	spec = stored_spec(f, "red");
	assert_non_null(strstr(spec, "\"delay\":\"5ms\""));
	free(spec);

	assert_int_equal(verb_link_state(&f->d, "red/r1-r2", 0, &err), 0);
	assert_true(n->spec.links[l].down);
}

static void test_classes(void **state)
{
	struct fixture *f = *state;
	struct node_set ns = { .cpu_set = 1, .cpu_pct = 50 };
	struct strv changes = { 0 };
	struct vnet_err err;

	define_red(f);
	assert_int_equal(verb_net_start(&f->d, "blue", &err), -1);
	assert_int_equal(err.cls, VNET_ERR_NOT_FOUND);
	assert_int_equal(verb_net_stop(&f->d, "red", &err), -1);
	assert_int_equal(err.cls, VNET_ERR_CONFLICT);
	assert_int_equal(verb_node_stop(&f->d, "red/r1", &err), -1);
	assert_int_equal(err.cls, VNET_ERR_CONFLICT);
	assert_int_equal(verb_node_pause(&f->d, "r1", 1, &err), -1);
	assert_int_equal(err.cls, VNET_ERR_CONFLICT);
	assert_int_equal(verb_link_set(&f->d, "red/r9-r1", &(struct link_set){ 0 }, &err), -1);
	assert_int_equal(err.cls, VNET_ERR_NOT_FOUND);
	assert_int_equal(verb_net_save(&f->d, "red", "relative.vnimg", &(struct save_result){ 0 },
				       &err), -1);
	assert_int_equal(err.cls, VNET_ERR_INVALID);
	/* removing a link that would cut r2 off */
	assert_int_equal(verb_link_del(&f->d, "red/r2-r3", &changes, &err), 0);
	strv_clear(&changes);
	assert_int_equal(verb_link_del(&f->d, "red/r1-r2", &changes, &err), -1);
	assert_int_equal(err.cls, VNET_ERR_CONFLICT);
	strv_clear(&changes);

	/* a defined node takes its resources, kept for its start */
	assert_int_equal(verb_node_set(&f->d, "red/r1", &ns, &err), 0);
	assert_int_equal(net_find(&f->d, "red")->spec.nodes[0].cpu_pct, 50);
}

static void test_up_checks_everything_first(void **state)
{
	struct fixture *f = *state;
	struct up_result res;
	struct vnet_err err;
	static const char *const pinned =
		"networks:\n"
		"  green:\n"
		"    protocol: static\n"
		"    prefix: 10.9.0.0/16\n"
		"    routers: {g1: {host: elsewhere}, g2: null}\n"
		"    links: [[g1, g2]]\n";
	static const char *const small =
		"networks:\n"
		"  tiny:\n"
		"    protocol: static\n"
		"    prefix: 10.9.0.0/30\n"
		"    routers: [a, b, c]\n"
		"    links: [[a, b], [b, c]]\n";

	/* a dry run plans and makes nothing */
	assert_int_equal(verb_up(&f->d, parse(topology), 1, &res, &err), 0);
	assert_int_equal(res.checked.n, 1);
	assert_string_equal(res.checked.v[0], "red");
	assert_null(net_find(&f->d, "red"));
	up_result_clear(&res);

	/* pinned to a host this vnetd is not */
	assert_int_equal(verb_up(&f->d, parse(pinned), 0, &res, &err), -1);
	assert_int_equal(err.cls, VNET_ERR_INVALID);
	assert_non_null(strstr(err.msg, "test.yaml:5:"));
	assert_non_null(strstr(err.msg, "elsewhere"));
	assert_null(net_find(&f->d, "green"));

	/* an address space too small for the plan */
	assert_int_equal(verb_up(&f->d, parse(small), 0, &res, &err), -1);
	assert_int_equal(err.cls, VNET_ERR_INVALID);
	assert_null(net_find(&f->d, "tiny"));
	assert_null(stored_spec(f, "tiny"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_link_change_changes_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_accepted_link_change_is_stored, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_classes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_up_checks_everything_first, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
