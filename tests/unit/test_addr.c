/*
 * test_addr.c - lib/addr.c: prefixes and addresses parse only in their
 * standard forms, print back the same way, and the arithmetic (mask, add,
 * contains) behaves at byte boundaries and at the ends of the space.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "addr.h"
#include "vnet.h"

static struct vnet_addr A(const char *s)
{
	struct vnet_addr a;

	if (addr_parse(s, &a, 0))
		fail_msg("cannot parse '%s'", s);
	return a;
}

static const char *F(const struct vnet_addr *a, int with_plen)
{
	static char buf[4][VNET_ADDRSTRLEN];
	static int k;

	k = (k + 1) % 4;
	return addr_fmt(a, buf[k], sizeof(buf[k]), with_plen);
}

static void test_parse_good(void **state)
{
	struct vnet_addr a;
	static const uint8_t v4[4] = { 10, 1, 0, 0 };

	(void)state;
	assert_int_equal(addr_parse("10.1.0.0/16", &a, 1), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.plen, 16);
	assert_memory_equal(a.a, v4, 4);
	assert_int_equal(addr_len(&a), 4);

	assert_int_equal(addr_parse("fd00:1::/48", &a, 1), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.plen, 48);
	assert_int_equal(a.a[0], 0xfd);
	assert_int_equal(a.a[3], 0x01);
	assert_int_equal(addr_len(&a), 16);

	assert_int_equal(addr_parse("10.1.0.1", &a, 0), 0);
	assert_int_equal(a.plen, 32);
	assert_int_equal(addr_parse("::1", &a, 0), 0);
	assert_int_equal(a.plen, 128);
	assert_int_equal(addr_parse("0.0.0.0/0", &a, 1), 0);
	assert_int_equal(a.plen, 0);
	assert_int_equal(addr_parse("::/0", &a, 1), 0);
	assert_int_equal(addr_parse("10.1.64.1/30", &a, 1), 0);
	assert_int_equal(a.plen, 30);
	assert_int_equal(addr_parse("::ffff:10.1.2.3/128", &a, 1), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(addr_parse("255.255.255.255/32", &a, 1), 0);
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"10.1.0.0/33", "10.1.0.0/", "1.2.3", "1.2.3/8", "10.1.0.0/16x",
		"10.1.0.0/16 ", " 10.1.0.0/16", "10.1.0.0//16", "10.1.0.0/-1",
		"10.1.0.0/+16", "10.1.0.0/016", "10.1.0.0/1000", "fd00::/129", "",
		"/16", "1.2.3.4.5", "256.1.1.1", "fe80::1%eth0/64", "abc", "10.1.0.0/16/8",
		"0x0a.1.0.0/8", "1.2.3.4 ", "fd00:::1/64", "10.1.0.0/1 6",
		"1111111111111111111111111111111111111111111111111111111111111111111111/8",
	};
	struct vnet_addr a, before;

	(void)state;
	memset(&a, 0x5a, sizeof(a));
	before = a;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (addr_parse(bad[i], &a, 0) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_memory_equal(&a, &before, sizeof(a));
	}
	/* a bare address is not a prefix */
	assert_int_equal(addr_parse("10.1.0.0", &a, 1), -1);
	assert_int_equal(addr_parse("fd00::", &a, 1), -1);
	assert_int_equal(addr_parse(NULL, &a, 0), -1);
}

static void test_fmt(void **state)
{
	struct vnet_addr a = A("10.1.64.1/30"), none;
	char small[6];

	(void)state;
	assert_string_equal(F(&a, 1), "10.1.64.1/30");
	assert_string_equal(F(&a, 0), "10.1.64.1");
	a = A("fd00:0001:0000::/48");
	assert_string_equal(F(&a, 1), "fd00:1::/48");
	memset(&none, 0, sizeof(none));
	assert_string_equal(F(&none, 1), "none");
	a = A("10.1.64.1/30");
	assert_string_equal(addr_fmt(&a, small, sizeof(small), 1), "10.1.");
}

static void test_mask(void **state)
{
	struct vnet_addr a;

	(void)state;
	a = A("10.1.2.3/16");
	addr_mask(&a);
	assert_string_equal(F(&a, 1), "10.1.0.0/16");
	a = A("10.1.64.7/30");
	addr_mask(&a);
	assert_string_equal(F(&a, 1), "10.1.64.4/30");
	a = A("10.15.255.255/13");
	addr_mask(&a);
	assert_string_equal(F(&a, 1), "10.8.0.0/13");
	a = A("10.1.2.3/32");
	addr_mask(&a);
	assert_string_equal(F(&a, 1), "10.1.2.3/32");
	a = A("10.1.2.3/0");
	addr_mask(&a);
	assert_string_equal(F(&a, 1), "0.0.0.0/0");
	a = A("fd00:1:2:3::1/48");
	addr_mask(&a);
	assert_string_equal(F(&a, 1), "fd00:1:2::/48");
	a = A("fd00:1:2:3::1/63");
	addr_mask(&a);
	assert_string_equal(F(&a, 1), "fd00:1:2:2::/63");
}

static void test_add(void **state)
{
	struct vnet_addr a;

	(void)state;
	a = A("10.1.0.0/16");
	assert_int_equal(addr_add(&a, 5), 0);
	assert_string_equal(F(&a, 1), "10.1.0.5/16");
	a = A("10.1.0.255");
	assert_int_equal(addr_add(&a, 1), 0);
	assert_string_equal(F(&a, 0), "10.1.1.0");
	a = A("10.1.255.255");
	assert_int_equal(addr_add(&a, 0x10001), 0);
	assert_string_equal(F(&a, 0), "10.3.0.0");
	a = A("0.0.0.0");
	assert_int_equal(addr_add(&a, 0xffffffffULL), 0);
	assert_string_equal(F(&a, 0), "255.255.255.255");
	/* past the top: refused and left alone */
	assert_int_equal(addr_add(&a, 1), -1);
	assert_string_equal(F(&a, 0), "255.255.255.255");
	a = A("0.0.0.1");
	assert_int_equal(addr_add(&a, 1ULL << 40), -1);
	assert_string_equal(F(&a, 0), "0.0.0.1");

	a = A("fd00::ffff:ffff:ffff:ffff");
	assert_int_equal(addr_add(&a, 1), 0);
	assert_string_equal(F(&a, 0), "fd00:0:0:1::");
	a = A("fd00::");
	assert_int_equal(addr_add(&a, UINT64_MAX), 0);
	assert_string_equal(F(&a, 0), "fd00::ffff:ffff:ffff:ffff");
	a = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	assert_int_equal(addr_add(&a, 1), 0);
	assert_int_equal(addr_add(&a, 1), -1);
	assert_string_equal(F(&a, 0), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_int_equal(addr_add(&a, 0), 0);
}

static void test_contains_equal(void **state)
{
	struct vnet_addr p = A("10.1.0.0/16"), q;

	(void)state;
	q = A("10.1.5.5");
	assert_true(addr_contains(&p, &q));
	q = A("10.2.0.0");
	assert_false(addr_contains(&p, &q));
	q = A("fd00::1");
	assert_false(addr_contains(&p, &q));
	p = A("0.0.0.0/0");
	q = A("203.0.113.9");
	assert_true(addr_contains(&p, &q));
	/* an interface address (host bits set) as the prefix */
	p = A("10.1.64.1/30");
	q = A("10.1.64.2");
	assert_true(addr_contains(&p, &q));
	q = A("10.1.64.4");
	assert_false(addr_contains(&p, &q));
	p = A("10.8.0.0/13");
	q = A("10.15.1.1");
	assert_true(addr_contains(&p, &q));
	q = A("10.16.0.0");
	assert_false(addr_contains(&p, &q));
	p = A("fd00:1::/48");
	q = A("fd00:1:0:ffff::1");
	assert_true(addr_contains(&p, &q));
	q = A("fd00:2::1");
	assert_false(addr_contains(&p, &q));

	p = A("10.1.0.0/16");
	q = A("10.1.0.0/16");
	assert_true(addr_equal(&p, &q));
	q = A("10.1.0.0/17");
	assert_false(addr_equal(&p, &q));
	q = A("10.1.0.1/16");
	assert_false(addr_equal(&p, &q));
	q = A("::/16");
	assert_false(addr_equal(&p, &q));
}

static void test_mac(void **state)
{
	uint8_t m[6], want[6] = { 0x02, 0x00, 0x0a, 0xff, 0x00, 0x01 };
	char buf[18];

	(void)state;
	assert_string_equal(addr_mac_fmt(want, buf, sizeof(buf)), "02:00:0a:ff:00:01");
	assert_int_equal(addr_mac_parse("02:00:0A:ff:0:1", m), 0);
	assert_memory_equal(m, want, 6);
	assert_int_equal(addr_mac_parse("02:00:0a:ff:00", m), -1);
	assert_int_equal(addr_mac_parse("02:00:0a:ff:00:01x", m), -1);
	assert_int_equal(addr_mac_parse("02:00:0a:ff:00:100", m), -1);
	assert_int_equal(addr_mac_parse(NULL, m), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_fmt),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_contains_equal),
		cmocka_unit_test(test_mac),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
