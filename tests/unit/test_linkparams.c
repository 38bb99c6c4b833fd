/*
 * test_linkparams.c - lib/linkparams.c: every property of LINKP_PROPS is
 * found by name, parses its unit into its field and sets its mask bit,
 * refuses bad values with a message naming the property and the expected
 * form, prints back in a form that parses to the same value, and partial
 * changes (linkp_apply) touch only the masked fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "linkparams.h"
#include "vnet.h"

#define ALL_PROPS "bandwidth, burst, delay, jitter, jitter_dist, queue, queue_bytes, " \
		  "mtu, loss, loss_p, loss_r, loss_k, loss_h, duplicate, corrupt, " \
		  "reorder, codel"

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(LINKP__COUNT, 17);
	for (int i = 0; i < LINKP__COUNT; i++)
		assert_int_equal(linkp_lookup(linkp_name(i)), i);
	assert_int_equal(linkp_lookup("delay"), LINKP_DELAY);
	assert_int_equal(linkp_lookup("loss_p"), LINKP_GE_P);
	assert_int_equal(linkp_lookup("dealy"), -1);
	assert_int_equal(linkp_lookup("Delay"), -1);
	assert_int_equal(linkp_lookup(""), -1);
	assert_int_equal(linkp_lookup(NULL), -1);
	assert_string_equal(linkp_name(LINKP_BANDWIDTH), "bandwidth");
	assert_string_equal(linkp_name(LINKP__COUNT), "?");
}

struct set_case {
	const char *key, *value;
	size_t off, size;
	uint64_t want;
};

#define F(field) offsetof(struct link_params, field), sizeof(((struct link_params *)0)->field)

static void test_set_good(void **state)
{
	static const struct set_case cases[] = {
		{ "bandwidth", "100mbit", F(rate_bps), 100000000ULL },
		{ "bandwidth", "0", F(rate_bps), 0 },
		{ "burst", "32K", F(burst_bytes), 32768 },
		{ "burst", "4294967295", F(burst_bytes), 4294967295ULL },
		{ "delay", "5ms", F(delay_ns), 5000000ULL },
		{ "delay", "2.5ms", F(delay_ns), 2500000ULL },
		{ "jitter", "250us", F(jitter_ns), 250000ULL },
		{ "jitter_dist", "uniform", F(jitter_dist), LINKP_JITTER_UNIFORM },
		{ "jitter_dist", "normal", F(jitter_dist), LINKP_JITTER_NORMAL },
		{ "jitter_dist", "pareto", F(jitter_dist), LINKP_JITTER_PARETO },
		{ "queue", "1", F(queue_pkts), 1 },
		{ "queue", "1000000", F(queue_pkts), 1000000 },
		{ "queue_bytes", "64K", F(queue_bytes), 65536 },
		{ "mtu", "68", F(mtu), 68 },
		{ "mtu", "65535", F(mtu), 65535 },
		{ "loss", "0.1%", F(loss_ppb), 1000000 },
		{ "loss", "100%", F(loss_ppb), 1000000000 },
		{ "loss_p", "1%", F(ge_p_ppb), 10000000 },
		{ "loss_r", "10%", F(ge_r_ppb), 100000000 },
		{ "loss_k", "99.9%", F(ge_k_ppb), 999000000 },
		{ "loss_h", "50%", F(ge_h_ppb), 500000000 },
		{ "duplicate", "0.01%", F(dup_ppb), 100000 },
		{ "corrupt", "0.001%", F(corrupt_ppb), 10000 },
		{ "reorder", "25%", F(reorder_ppb), 250000000 },
		{ "codel", "on", F(codel), 1 }, { "codel", "off", F(codel), 0 },
		{ "codel", "true", F(codel), 1 }, { "codel", "false", F(codel), 0 },
		{ "codel", "yes", F(codel), 1 }, { "codel", "no", F(codel), 0 },
		{ "codel", "1", F(codel), 1 }, { "codel", "0", F(codel), 0 },
		{ "codel", "ON", F(codel), 1 },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct set_case *c = &cases[i];
		struct link_params p;
		uint64_t got = 0;
		uint32_t mask = 0, u32;
		uint8_t u8;
		int prop = linkp_lookup(c->key);

		memset(&p, 0xee, sizeof(p));
		if (linkp_set(&p, &mask, c->key, c->value, err, sizeof(err)))
			fail_msg("%s=%s refused: %s", c->key, c->value, err);
		assert_int_equal(mask, LINKP_BIT(prop));
		if (c->size == 8)
			memcpy(&got, (char *)&p + c->off, 8);
		else if (c->size == 4)
			memcpy(&u32, (char *)&p + c->off, 4), got = u32;
		else
			memcpy(&u8, (char *)&p + c->off, 1), got = u8;
		if (got != c->want)
			fail_msg("%s=%s gave %llu", c->key, c->value, (unsigned long long)got);
	}
}

static void test_set_bad(void **state)
{
	static const struct { const char *key, *value, *msg; } cases[] = {
		{ "delay", "5 ms", "bad delay '5 ms': expected a time such as 5ms (units ns, "
				   "us, ms, s)" },
		{ "bandwidth", "100mbits", "bad bandwidth '100mbits': expected a rate such as "
					   "100mbit (units bit, kbit, mbit, gbit, tbit)" },
		{ "dealy", "5ms", "unknown link property 'dealy' (known: " ALL_PROPS ")" },
		{ "loss", "101%", "bad loss '101%': expected a percentage such as 0.1% "
				  "(0% to 100%)" },
		{ "loss", "0.1", "bad loss '0.1': expected a percentage such as 0.1% "
				 "(0% to 100%)" },
		{ "mtu", "67", "bad mtu '67': expected a whole number from 68 to 65535" },
		{ "mtu", "65536", "bad mtu '65536': expected a whole number from 68 to 65535" },
		{ "mtu", "0", "bad mtu '0': expected a whole number from 68 to 65535" },
		{ "mtu", "1500B", "bad mtu '1500B': expected a whole number from 68 to 65535" },
		{ "queue", "0", "bad queue '0': expected a whole number from 1 to 1000000" },
		{ "queue", "1000001", "bad queue '1000001': expected a whole number from 1 to "
				      "1000000" },
		{ "burst", "4G", "bad burst '4G': expected a size such as 64M (bytes; suffixes "
				 "K, M, G), at most 4294967295 bytes" },
		{ "jitter_dist", "gaussian", "bad jitter_dist 'gaussian': expected one of "
					     "uniform, normal, pareto" },
		{ "codel", "maybe", "bad codel 'maybe': expected on or off (or true/false, "
				    "yes/no, 1/0)" },
		{ "delay", "", "bad delay '': expected a time such as 5ms (units ns, us, ms, s)" },
		{ "delay", "-1ms", "bad delay '-1ms'" },
		{ "jitter", "1.5.3ms", "bad jitter '1.5.3ms'" },
		{ "bandwidth", "ms", "bad bandwidth 'ms'" },
	};
	char err[512];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct link_params p, before;
		uint32_t mask = 0x8000;

		memset(&p, 0x11, sizeof(p));
		before = p;
		assert_int_equal(linkp_set(&p, &mask, cases[i].key, cases[i].value, err,
					   sizeof(err)), -1);
		if (strncmp(err, cases[i].msg, strlen(cases[i].msg)))
			fail_msg("%s=%s: got \"%s\"", cases[i].key, cases[i].value, err);
		assert_int_equal(mask, 0x8000);
		assert_memory_equal(&p, &before, sizeof(p));
	}
	/* a long value is shown cut, and the expected form still fits */
	{
		struct link_params p;
		uint32_t mask = 0;
		char value[600];

		memset(value, '9', sizeof(value) - 1);
		value[sizeof(value) - 1] = '\0';
		linkp_init(&p);
		assert_int_equal(linkp_set(&p, &mask, "loss", value, err, sizeof(err)), -1);
		assert_int_equal(strncmp(err, "bad loss '999", 13), 0);
		assert_non_null(strstr(err, "9...': expected a percentage such as 0.1% "
					    "(0% to 100%)"));
		assert_true(strlen(err) < 160);
	}
	/* no error buffer, or a tiny one: still refused, nothing overrun */
	{
		struct link_params p;
		uint32_t mask = 0;
		char tiny[8];

		linkp_init(&p);
		assert_int_equal(linkp_set(&p, &mask, "delay", "x", NULL, 0), -1);
		memset(tiny, 'z', sizeof(tiny));
		assert_int_equal(linkp_set(&p, &mask, "delay", "x", tiny, 4), -1);
		assert_string_equal(tiny, "bad");
		assert_int_equal(tiny[4], 'z');
	}
}

static void test_apply(void **state)
{
	struct link_params a, b;
	uint32_t mask = 0;
	char err[256];

	(void)state;
	linkp_init(&a);
	linkp_init(&b);
	assert_int_equal(linkp_set(&a, &mask, "delay", "20ms", err, sizeof(err)), 0);
	assert_int_equal(linkp_set(&a, &mask, "codel", "on", err, sizeof(err)), 0);
	a.rate_bps = 5;			/* not in the mask: must not be copied */
	b.rate_bps = 7;
	b.loss_ppb = 9;
	linkp_apply(&b, &a, mask);
	assert_true(b.delay_ns == 20000000ULL);
	assert_int_equal(b.codel, 1);
	assert_true(b.rate_bps == 7);
	assert_int_equal(b.loss_ppb, 9);
	linkp_apply(&b, &a, 0);
	assert_true(b.rate_bps == 7);
}

static void test_fmt_is_set(void **state)
{
	struct link_params p;
	uint32_t mask = 0;
	char buf[64], err[256];

	(void)state;
	linkp_init(&p);
	for (int i = 0; i < LINKP__COUNT; i++)
		assert_false(linkp_is_set(&p, i));
	assert_string_equal(linkp_fmt(&p, LINKP_BANDWIDTH, buf, sizeof(buf)), "0bit");
	assert_string_equal(linkp_fmt(&p, LINKP_DELAY, buf, sizeof(buf)), "0");
	assert_string_equal(linkp_fmt(&p, LINKP_CODEL, buf, sizeof(buf)), "off");
	assert_string_equal(linkp_fmt(&p, LINKP_JITTER_DIST, buf, sizeof(buf)), "uniform");
	assert_string_equal(linkp_fmt(&p, LINKP__COUNT, buf, sizeof(buf)), "?");
	assert_false(linkp_is_set(&p, LINKP__COUNT));

	assert_int_equal(linkp_set(&p, &mask, "bandwidth", "1.5mbit", err, sizeof(err)), 0);
	assert_int_equal(linkp_set(&p, &mask, "delay", "2500us", err, sizeof(err)), 0);
	assert_int_equal(linkp_set(&p, &mask, "loss", "0.1%", err, sizeof(err)), 0);
	assert_int_equal(linkp_set(&p, &mask, "queue_bytes", "64K", err, sizeof(err)), 0);
	assert_int_equal(linkp_set(&p, &mask, "mtu", "9000", err, sizeof(err)), 0);
	assert_int_equal(linkp_set(&p, &mask, "jitter_dist", "pareto", err, sizeof(err)), 0);
	assert_int_equal(linkp_set(&p, &mask, "codel", "yes", err, sizeof(err)), 0);
	assert_string_equal(linkp_fmt(&p, LINKP_BANDWIDTH, buf, sizeof(buf)), "1.5mbit");
	assert_string_equal(linkp_fmt(&p, LINKP_DELAY, buf, sizeof(buf)), "2.5ms");
	assert_string_equal(linkp_fmt(&p, LINKP_LOSS, buf, sizeof(buf)), "0.1%");
	assert_string_equal(linkp_fmt(&p, LINKP_QUEUE_BYTES, buf, sizeof(buf)), "64K");
	assert_string_equal(linkp_fmt(&p, LINKP_MTU, buf, sizeof(buf)), "9000");
	assert_string_equal(linkp_fmt(&p, LINKP_JITTER_DIST, buf, sizeof(buf)), "pareto");
	assert_string_equal(linkp_fmt(&p, LINKP_CODEL, buf, sizeof(buf)), "on");
	assert_true(linkp_is_set(&p, LINKP_BANDWIDTH));
	assert_true(linkp_is_set(&p, LINKP_JITTER_DIST));
	assert_false(linkp_is_set(&p, LINKP_JITTER));
	/* the list of the properties in a mask, in table order; cut to fit */
	assert_int_equal(linkp_fmt_list(buf, sizeof(buf), &p,
					 LINKP_BIT(LINKP_LOSS) | LINKP_BIT(LINKP_DELAY)),
			 strlen("delay=2.5ms loss=0.1%"));
	assert_string_equal(buf, "delay=2.5ms loss=0.1%");
	assert_int_equal(linkp_fmt_list(buf, 8, &p, mask), 7);
	assert_string_equal(buf, "bandwid");
	assert_int_equal(linkp_fmt_list(buf, sizeof(buf), &p, 0), 0);
	assert_string_equal(buf, "");
}

/* set -> fmt -> set on a fresh struct gives the same struct, for every
 * property and several values each. */
static void test_round_trip(void **state)
{
	static const struct { const char *key, *value; } cases[] = {
		{ "bandwidth", "100mbit" }, { "bandwidth", "1.234567mbit" },
		{ "bandwidth", "18446744073709551615bit" }, { "burst", "1.5K" },
		{ "burst", "4294967295" }, { "delay", "0.5ns" }, { "delay", "1.000001s" },
		{ "jitter", "3.3ms" }, { "jitter_dist", "normal" }, { "queue", "77" },
		{ "queue_bytes", "3M" }, { "mtu", "1280" }, { "loss", "0.0000001%" },
		{ "loss_p", "33.3333333%" }, { "loss_r", "100%" }, { "loss_k", "1%" },
		{ "loss_h", "0.5%" }, { "duplicate", "2%" }, { "corrupt", "0.02%" },
		{ "reorder", "7%" }, { "codel", "on" },
	};
	char buf[64], err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct link_params a, b;
		uint32_t ma = 0, mb = 0;
		int prop = linkp_lookup(cases[i].key);

		linkp_init(&a);
		linkp_init(&b);
		assert_int_equal(linkp_set(&a, &ma, cases[i].key, cases[i].value, err,
					   sizeof(err)), 0);
		linkp_fmt(&a, prop, buf, sizeof(buf));
		if (linkp_set(&b, &mb, cases[i].key, buf, err, sizeof(err)))
			fail_msg("%s: printed '%s' refused: %s", cases[i].key, buf, err);
		assert_int_equal(ma, mb);
		assert_memory_equal(&a, &b, sizeof(a));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_set_good),
		cmocka_unit_test(test_set_bad),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_fmt_is_set),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
