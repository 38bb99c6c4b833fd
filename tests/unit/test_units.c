/*
 * test_units.c - lib/units.c: the quantities users write ("100mbit", "5ms",
 * "0.1%", "64M", "50%") parse to exact integers, everything else is refused,
 * and the printers give the shortest exact form that parses back to the
 * same value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "units.h"
#include "vnet.h"

struct u64_case {
	const char *s;
	uint64_t v;
};

/* A deterministic pseudo-random sequence (splitmix64). */
static uint64_t rnd(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void test_rate_parse(void **state)
{
	static const struct u64_case good[] = {
		{ "100mbit", 100000000ULL }, { "1gbit", 1000000000ULL },
		{ "500kbit", 500000ULL }, { "64000bit", 64000ULL }, { "0", 0 },
		{ "0bit", 0 }, { "1.5mbit", 1500000ULL }, { "100Mbit", 100000000ULL },
		{ "10GBIT", 10000000000ULL }, { "2tbit", 2000000000000ULL },
		{ "0.001kbit", 1 }, { "1.2345678gbit", 1234567800ULL },
		{ "18446744073709551615bit", UINT64_MAX },
		{ "18446744.073709551615tbit", UINT64_MAX }, { "007mbit", 7000000ULL },
		{ "1.50000000000000000000000mbit", 1500000ULL },
	};
	static const char *const bad[] = {
		"", "mbit", "100mbits", "100 mbit", " 100mbit", "100mbit ", "-1mbit",
		"+1mbit", "1.5.3mbit", "1.mbit", ".5mbit", "1e6bit", "100", "5",
		"100bps", "0x10mbit", "18446744073709551616bit", "18446745tbit",
		"1,5mbit", "inf", "nan", "100mbit\n", "0.1234567890123456789mbit",
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		v = 42;
		assert_int_equal(units_parse_rate(good[i].s, &v), 0);
		assert_true(v == good[i].v);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 42;
		if (units_parse_rate(bad[i], &v) != -1)
			fail_msg("rate '%s' accepted", bad[i]);
		assert_true(v == 42);	/* untouched on error */
	}
	assert_int_equal(units_parse_rate(NULL, &v), -1);
}

static void test_time_parse(void **state)
{
	static const struct u64_case good[] = {
		{ "5ms", 5000000ULL }, { "250us", 250000ULL }, { "1s", 1000000000ULL },
		{ "100ns", 100 }, { "0", 0 }, { "0ms", 0 }, { "2.5ms", 2500000ULL },
		{ "0.5ns", 1 } /* rounded half up */, { "0.4ns", 0 },
		{ "1\xc2\xb5s", 1000 } /* µs */, { "1.000001s", 1000001000ULL },
		{ "18446744073.709551615s", UINT64_MAX },
	};
	static const char *const bad[] = {
		"", "ms", "5 ms", "-1ms", "1.5.3ms", "5", "5MS", "5sec", "5msec",
		"5m", "1h", "18446744074s", "5ms5", "ms5", "5.ms", "\t5ms",
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		assert_int_equal(units_parse_time(good[i].s, &v), 0);
		assert_true(v == good[i].v);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (units_parse_time(bad[i], &v) != -1)
			fail_msg("time '%s' accepted", bad[i]);
}

static void test_percent_parse(void **state)
{
	static const struct { const char *s; uint32_t v; } good[] = {
		{ "0.1%", 1000000 }, { "1%", 10000000 }, { "100%", 1000000000 },
		{ "0", 0 }, { "0%", 0 }, { "0.0000001%", 1 }, { "99.9999999%", 999999999 },
		{ "100.0%", 1000000000 }, { "12.5%", 125000000 },
	};
	static const char *const bad[] = {
		"", "%", "0.1", "1", "100.1%", "101%", "100.0000001%", "-1%", "1 %",
		"1e2%", "1%%", "50 %", "1.5.3%", "1000000000000000000000%",
	};
	uint32_t v;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		assert_int_equal(units_parse_percent(good[i].s, &v), 0);
		assert_int_equal(v, good[i].v);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (units_parse_percent(bad[i], &v) != -1)
			fail_msg("percent '%s' accepted", bad[i]);
}

static void test_size_parse(void **state)
{
	static const struct u64_case good[] = {
		{ "64M", 64ULL << 20 }, { "1G", 1ULL << 30 }, { "512K", 512ULL << 10 },
		{ "1500", 1500 }, { "1500B", 1500 }, { "0", 0 }, { "1.5M", 3ULL << 19 },
		{ "64m", 64ULL << 20 }, { "1MiB", 1ULL << 20 }, { "2T", 2ULL << 40 },
		{ "0.5K", 512 }, { "16777215T", 16777215ULL << 40 },
	};
	static const char *const bad[] = {
		"", "M", "64MB", "64 M", "-1", "-64M", "1.5.3M", "64X", "16777216T",
		"99999999999G", "18446744073709551616", "1e3", "64Mi", "K64",
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		assert_int_equal(units_parse_size(good[i].s, &v), 0);
		assert_true(v == good[i].v);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (units_parse_size(bad[i], &v) != -1)
			fail_msg("size '%s' accepted", bad[i]);
}

static void test_cpu_count_parse(void **state)
{
	static const char *const bad_cpu[] = {
		"", "%", "0%", "0", "50", "6401%", "12.5%", "-5%", "50 %", "1e2%",
		"99999999999999999999%",
	};
	static const char *const bad_count[] = {
		"", "1.5", "1k", "-1", "+1", " 1", "1 ", "0x10", "18446744073709551616",
	};
	uint32_t pct;
	uint64_t n;

	(void)state;
	assert_int_equal(units_parse_cpu("50%", &pct), 0);
	assert_int_equal(pct, 50);
	assert_int_equal(units_parse_cpu("1%", &pct), 0);
	assert_int_equal(pct, 1);
	assert_int_equal(units_parse_cpu("6400%", &pct), 0);
	assert_int_equal(pct, 6400);
	for (size_t i = 0; i < ARRAY_SIZE(bad_cpu); i++)
		if (units_parse_cpu(bad_cpu[i], &pct) != -1)
			fail_msg("cpu '%s' accepted", bad_cpu[i]);

	assert_int_equal(units_parse_count("0", &n), 0);
	assert_true(n == 0);
	assert_int_equal(units_parse_count("1000", &n), 0);
	assert_true(n == 1000);
	assert_int_equal(units_parse_count("18446744073709551615", &n), 0);
	assert_true(n == UINT64_MAX);
	for (size_t i = 0; i < ARRAY_SIZE(bad_count); i++)
		if (units_parse_count(bad_count[i], &n) != -1)
			fail_msg("count '%s' accepted", bad_count[i]);
}

static void test_fmt(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(units_fmt_rate(100000000ULL, buf, sizeof(buf)), "100mbit");
	assert_string_equal(units_fmt_rate(1500000ULL, buf, sizeof(buf)), "1.5mbit");
	assert_string_equal(units_fmt_rate(1000000000ULL, buf, sizeof(buf)), "1gbit");
	assert_string_equal(units_fmt_rate(64000ULL, buf, sizeof(buf)), "64kbit");
	assert_string_equal(units_fmt_rate(1, buf, sizeof(buf)), "1bit");
	assert_string_equal(units_fmt_rate(0, buf, sizeof(buf)), "0bit");
	assert_string_equal(units_fmt_rate(1234567ULL, buf, sizeof(buf)), "1234567bit");
	assert_string_equal(units_fmt_rate(1250000ULL, buf, sizeof(buf)), "1250kbit");
	assert_string_equal(units_fmt_rate(2500000000ULL, buf, sizeof(buf)), "2.5gbit");
	assert_string_equal(units_fmt_rate(UINT64_MAX, buf, sizeof(buf)),
			    "18446744073709551615bit");

	assert_string_equal(units_fmt_time(5000000ULL, buf, sizeof(buf)), "5ms");
	assert_string_equal(units_fmt_time(250000ULL, buf, sizeof(buf)), "250us");
	assert_string_equal(units_fmt_time(1000000000ULL, buf, sizeof(buf)), "1s");
	assert_string_equal(units_fmt_time(100, buf, sizeof(buf)), "100ns");
	assert_string_equal(units_fmt_time(0, buf, sizeof(buf)), "0");
	assert_string_equal(units_fmt_time(1500000ULL, buf, sizeof(buf)), "1.5ms");
	assert_string_equal(units_fmt_time(2500000ULL, buf, sizeof(buf)), "2.5ms");
	assert_string_equal(units_fmt_time(10000ULL, buf, sizeof(buf)), "10us");
	assert_string_equal(units_fmt_time(60000000000ULL, buf, sizeof(buf)), "60s");

	assert_string_equal(units_fmt_percent(1000000, buf, sizeof(buf)), "0.1%");
	assert_string_equal(units_fmt_percent(10000000, buf, sizeof(buf)), "1%");
	assert_string_equal(units_fmt_percent(1000000000, buf, sizeof(buf)), "100%");
	assert_string_equal(units_fmt_percent(0, buf, sizeof(buf)), "0%");
	assert_string_equal(units_fmt_percent(1, buf, sizeof(buf)), "0.0000001%");
	assert_string_equal(units_fmt_percent(125000000, buf, sizeof(buf)), "12.5%");

	assert_string_equal(units_fmt_size(64ULL << 20, buf, sizeof(buf)), "64M");
	assert_string_equal(units_fmt_size(1ULL << 30, buf, sizeof(buf)), "1G");
	assert_string_equal(units_fmt_size(512ULL << 10, buf, sizeof(buf)), "512K");
	assert_string_equal(units_fmt_size(1500, buf, sizeof(buf)), "1500");
	assert_string_equal(units_fmt_size(0, buf, sizeof(buf)), "0");
	assert_string_equal(units_fmt_size(3ULL << 19, buf, sizeof(buf)), "1.5M");
	assert_string_equal(units_fmt_size(3ULL << 29, buf, sizeof(buf)), "1.5G");
	assert_string_equal(units_fmt_size(1536, buf, sizeof(buf)), "1536");

	/* a short buffer is cut, never overrun */
	assert_string_equal(units_fmt_rate(100000000ULL, buf, 4), "100");
	buf[0] = 'x';
	units_fmt_size(1500, buf, 0);
	assert_int_equal(buf[0], 'x');
}

/* fmt then parse gives the value back, for hand-picked and random values. */
static void test_round_trip(void **state)
{
	static const uint64_t picked[] = {
		0, 1, 2, 9, 10, 999, 1000, 1001, 1023, 1024, 1025, 1500, 65536,
		1000000, 1048576, 1500000, 123456789, 1000000000, 1073741824,
		999999999999ULL, 1000000000000ULL, 1099511627776ULL,
		0xffffffffULL, 0x100000000ULL, UINT64_MAX / 1000, UINT64_MAX - 1, UINT64_MAX,
	};
	uint64_t seed = 1, v, back;
	uint32_t p32, b32;
	char buf[64];

	(void)state;
	for (int i = 0; i < 20000; i++) {
		v = i < (int)ARRAY_SIZE(picked) ? picked[i] : rnd(&seed) >> (rnd(&seed) % 64);

		units_fmt_rate(v, buf, sizeof(buf));
		if (units_parse_rate(buf, &back) || back != v)
			fail_msg("rate %llu -> '%s' does not parse back", (unsigned long long)v, buf);
		units_fmt_time(v, buf, sizeof(buf));
		if (units_parse_time(buf, &back) || back != v)
			fail_msg("time %llu -> '%s' does not parse back", (unsigned long long)v, buf);
		units_fmt_size(v, buf, sizeof(buf));
		if (units_parse_size(buf, &back) || back != v)
			fail_msg("size %llu -> '%s' does not parse back", (unsigned long long)v, buf);
		p32 = (uint32_t)(v % 1000000001ULL);
		units_fmt_percent(p32, buf, sizeof(buf));
		if (units_parse_percent(buf, &b32) || b32 != p32)
			fail_msg("percent %u -> '%s' does not parse back", p32, buf);
	}
}

/* What the parser accepts prints back in a form that parses to the same. */
static void test_parse_fmt_parse(void **state)
{
	static const char *const rates[] = { "1.5mbit", "0.001kbit", "7.77gbit", "1tbit" };
	static const char *const times[] = { "2.5ms", "0.5ns", "1.000001s", "250us" };
	static const char *const sizes[] = { "1.1M", "0.3K", "1.5G", "3.25T" };
	uint64_t v, back;
	char buf[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rates); i++) {
		assert_int_equal(units_parse_rate(rates[i], &v), 0);
		assert_int_equal(units_parse_rate(units_fmt_rate(v, buf, sizeof(buf)), &back), 0);
		assert_true(back == v);
	}
	for (size_t i = 0; i < ARRAY_SIZE(times); i++) {
		assert_int_equal(units_parse_time(times[i], &v), 0);
		assert_int_equal(units_parse_time(units_fmt_time(v, buf, sizeof(buf)), &back), 0);
		assert_true(back == v);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		assert_int_equal(units_parse_size(sizes[i], &v), 0);
		assert_int_equal(units_parse_size(units_fmt_size(v, buf, sizeof(buf)), &back), 0);
		assert_true(back == v);
	}
	/* "1.1M" is 1153433.6 bytes: rounded to the nearest byte */
	assert_int_equal(units_parse_size("1.1M", &v), 0);
	assert_true(v == 1153434);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_parse),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_percent_parse),
		cmocka_unit_test(test_size_parse),
		cmocka_unit_test(test_cpu_count_parse),
		cmocka_unit_test(test_fmt),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse_fmt_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
