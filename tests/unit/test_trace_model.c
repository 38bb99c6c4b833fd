/*
 * test_trace_model.c - the delivery-opportunity shaper of vnet-engine
 * (model_ts_* in engine/linkmodel.c, mahimahi's trace semantics) driven by a
 * fake clock: one opportunity per millisecond, frames smaller and larger
 * than an opportunity, opportunities lost while the queue is empty, the
 * trace repeating, long idle periods, and trace validation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "linkmodel.h"

#define MS 1000000ull
#define T0 (5 * MODEL_NS_PER_S)	/* fake clock start: not 0 */

static struct model_trace *trace(const uint32_t *ms, uint32_t n)
{
	struct model_trace *tr = malloc(sizeof(*tr) + n * sizeof(uint32_t));

	assert_non_null(tr);
	memcpy(tr->ms, ms, n * sizeof(uint32_t));
	assert_true(model_trace_init(tr, n));
	return tr;
}

/* The queue as direction.c runs it: the head departs at model_ts_take(). */
static uint64_t depart(struct model_ts *s, const struct model_trace *tr, uint32_t bytes,
		       uint64_t arrival)
{
	uint64_t t = model_ts_ready(s, tr, bytes, arrival);

	assert_int_equal(model_ts_take(s, tr, bytes, arrival), t);
	return t;
}

static void test_one_per_ms_full_frames(void **state)
{
	static const uint32_t ms[] = { 1 };
	struct model_trace *tr = trace(ms, 1);
	struct model_ts s;

	assert_int_equal(tr->period_ns, 1 * MS);
	model_ts_init(&s, T0);
	/* ten 1500-byte packets queued at T0: one per opportunity */
	for (int i = 0; i < 10; i++)
		assert_int_equal(depart(&s, tr, 1500, T0), T0 + (uint64_t)(i + 1) * MS);
	/* 1000 packets: one second, i.e. 12 Mbit/s of 1500-byte packets */
	for (int i = 10; i < 1000; i++)
		depart(&s, tr, 1500, T0);
	assert_int_equal(s.t_last, T0 + 1000 * MS);
	free(tr);
}

static void test_small_frames_share_an_opportunity(void **state)
{
	static const uint32_t ms[] = { 1 };
	struct model_trace *tr = trace(ms, 1);
	struct model_ts s;

	model_ts_init(&s, T0);
	/* 1000-byte frames: 3 in every 2 opportunities */
	assert_int_equal(depart(&s, tr, 1000, T0), T0 + 1 * MS);	/* 500 left */
	assert_int_equal(depart(&s, tr, 1000, T0), T0 + 2 * MS);	/* 500 + 500 */
	assert_int_equal(depart(&s, tr, 1000, T0), T0 + 2 * MS);	/* the rest */
	assert_int_equal(depart(&s, tr, 1000, T0), T0 + 3 * MS);
	assert_int_equal(depart(&s, tr, 1000, T0), T0 + 4 * MS);
	assert_int_equal(depart(&s, tr, 1000, T0), T0 + 4 * MS);
	/* 100 tiny frames: 15 fit in one opportunity */
	for (int i = 0; i < 15; i++)
		assert_int_equal(depart(&s, tr, 100, T0), T0 + 5 * MS);
	assert_int_equal(depart(&s, tr, 100, T0), T0 + 6 * MS);
	free(tr);
}

static void test_big_frame_takes_several(void **state)
{
	static const uint32_t ms[] = { 1 };
	struct model_trace *tr = trace(ms, 1);
	struct model_ts s;

	model_ts_init(&s, T0);
	/* a 64000-byte GSO frame needs 43 opportunities and leaves 500 */
	assert_int_equal(depart(&s, tr, 64000, T0), T0 + 43 * MS);
	assert_int_equal(s.left, 500);
	/* which the next queued frame uses */
	assert_int_equal(depart(&s, tr, 400, T0), T0 + 43 * MS);
	assert_int_equal(depart(&s, tr, 400, T0), T0 + 44 * MS);
	free(tr);
}

static void test_empty_queue_loses_opportunities(void **state)
{
	static const uint32_t ms[] = { 1 };
	struct model_trace *tr = trace(ms, 1);
	struct model_ts s;

	model_ts_init(&s, T0);
	/* idle until 5.5 ms: the opportunities at 1..5 ms are lost */
	assert_int_equal(depart(&s, tr, 100, T0 + 5500000), T0 + 6 * MS);
	/* the rest of the 6 ms opportunity is lost too for a frame that
	 * arrives after it */
	assert_int_equal(depart(&s, tr, 100, T0 + 6200000), T0 + 7 * MS);
	/* a frame that arrives exactly at an opportunity may use it */
	assert_int_equal(depart(&s, tr, 1500, T0 + 9 * MS), T0 + 9 * MS);
	free(tr);
}

static void test_trace_repeats(void **state)
{
	static const uint32_t ms[] = { 2, 3, 10 };
	struct model_trace *tr = trace(ms, 3);
	struct model_ts s;
	const uint64_t want[] = { 2, 3, 10, 12, 13, 20, 22, 23, 30 };

	assert_int_equal(tr->period_ns, 10 * MS);
	model_ts_init(&s, T0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(depart(&s, tr, 1500, T0), T0 + want[i] * MS);
	free(tr);
}

static void test_long_idle(void **state)
{
	static const uint32_t ms[] = { 2, 3, 10 };
	struct model_trace *tr = trace(ms, 3);
	struct model_ts s;
	uint64_t hour = 3600 * MODEL_NS_PER_S;

	model_ts_init(&s, T0);
	depart(&s, tr, 1500, T0);
	/* an hour later (a whole number of periods) + 4 ms: next is +10 ms */
	assert_int_equal(depart(&s, tr, 1500, T0 + hour + 4 * MS), T0 + hour + 10 * MS);
	assert_int_equal(depart(&s, tr, 1500, T0 + hour + 4 * MS), T0 + hour + 12 * MS);
	/* + 2.5 ms into a period: the 3 ms opportunity */
	assert_int_equal(depart(&s, tr, 1500, T0 + 2 * hour + 2500000),
			 T0 + 2 * hour + 3 * MS);
	free(tr);
}

static void test_same_millisecond(void **state)
{
	static const uint32_t ms[] = { 0, 0, 1 };	/* 3 per ms, mahimahi style */
	struct model_trace *tr = trace(ms, 3);
	struct model_ts s;
	int at[4] = { 0 };

	model_ts_init(&s, T0);
	/* opportunities at 0, 0, 1, 1 (next period's 0), 1, 2, 2, ... */
	for (int i = 0; i < 9; i++) {
		uint64_t t = depart(&s, tr, 1500, T0);

		assert_true(t >= T0 && t <= T0 + 3 * MS && (t - T0) % MS == 0);
		at[(t - T0) / MS]++;
	}
	assert_int_equal(at[0], 2);
	assert_int_equal(at[1], 3);
	assert_int_equal(at[2], 3);
	assert_int_equal(at[3], 1);
	free(tr);
}

static void test_ready_is_pure(void **state)
{
	static const uint32_t ms[] = { 1, 1, 4 };
	struct model_trace *tr = trace(ms, 3);
	struct model_ts s, before;

	model_ts_init(&s, T0);
	depart(&s, tr, 700, T0);
	before = s;
	assert_int_equal(model_ts_ready(&s, tr, 5000, T0), model_ts_ready(&s, tr, 5000, T0));
	assert_memory_equal(&s, &before, sizeof(s));
	free(tr);
}

/* mahimahi's LinkQueue::rationalize, stepping through every opportunity:
 * the reference the fast model must match. */
static void reference(const struct model_trace *tr, const uint32_t *size,
		      const uint64_t *arrival, int n, uint64_t *dep)
{
	uint64_t base = T0;
	uint32_t idx = 0, left = 0;
	int next = 0, cur = -1;

	while (next < n || cur >= 0) {
		uint64_t t = base + (uint64_t)tr->ms[idx] * MS;
		uint32_t budget = MODEL_TRACE_OPP_BYTES;

		if (++idx == tr->n) {
			idx = 0;
			base += tr->period_ns;
		}
		while (budget) {
			uint32_t use;

			if (cur < 0) {
				if (next == n || arrival[next] > t)
					break;
				cur = next++;
				left = size[cur];
			}
			use = budget < left ? budget : left;
			budget -= use;
			left -= use;
			if (!left) {
				dep[cur] = t;
				cur = -1;
			}
		}
	}
}

static void test_matches_mahimahi(void **state)
{
	struct model_rng r;

	model_rng_seed(&r, 42);
	for (int round = 0; round < 200; round++) {
		uint32_t n = 1 + (uint32_t)model_rng_below(&r, 20), ms[20], size[300];
		uint64_t arrival[300], want[300], t = T0;
		struct model_trace *tr;
		struct model_ts s;

		for (uint32_t i = 0; i < n; i++)
			ms[i] = (i ? ms[i - 1] : 0) + (uint32_t)model_rng_below(&r, 4);
		if (ms[n - 1] == 0)
			ms[n - 1] = 1;
		tr = trace(ms, n);
		for (int i = 0; i < 300; i++) {
			uint64_t gap = model_rng_below(&r, 10) == 0
				? model_rng_below(&r, 50 * tr->period_ns)
				: model_rng_below(&r, 2 * MS);

			t += gap;
			arrival[i] = t;
			size[i] = 40 + (uint32_t)model_rng_below(&r, 4000);
		}
		reference(tr, size, arrival, 300, want);
		model_ts_init(&s, T0);
		for (int i = 0; i < 300; i++) {
			uint64_t got = depart(&s, tr, size[i], arrival[i]);

			if (got != want[i])
				fail_msg("round %d frame %d: %llu, mahimahi %llu", round, i,
					 (unsigned long long)got, (unsigned long long)want[i]);
		}
		free(tr);
	}
}

static void test_trace_init_checks(void **state)
{
	struct model_trace *tr = malloc(sizeof(*tr) + 4 * sizeof(uint32_t));

	assert_non_null(tr);
	assert_false(model_trace_init(tr, 0));
	tr->ms[0] = 5;
	tr->ms[1] = 4;
	assert_false(model_trace_init(tr, 2));	/* decreasing */
	tr->ms[0] = 0;
	tr->ms[1] = 0;
	assert_false(model_trace_init(tr, 2));	/* lasts 0 ms */
	tr->ms[1] = 7;
	assert_true(model_trace_init(tr, 2));
	assert_int_equal(tr->n, 2);
	assert_int_equal(tr->period_ns, 7 * MS);
	free(tr);
}

static void test_trace_bytes(void **state)
{
	struct model_frame f = { .len = 1514, .l2len = 14, .segs = 1, .wire = 1514 };
	struct model_frame g = { .len = 65000, .l2len = 18, .hdrs = 70, .segs = 45,
				 .wire = 45 * 70 + 64930 };

	assert_int_equal(model_trace_bytes(&f), 1500);
	assert_int_equal(model_trace_bytes(&g), 45 * 52 + 64930);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_per_ms_full_frames),
		cmocka_unit_test(test_small_frames_share_an_opportunity),
		cmocka_unit_test(test_big_frame_takes_several),
		cmocka_unit_test(test_empty_queue_loses_opportunities),
		cmocka_unit_test(test_trace_repeats),
		cmocka_unit_test(test_long_idle),
		cmocka_unit_test(test_same_millisecond),
		cmocka_unit_test(test_ready_is_pure),
		cmocka_unit_test(test_matches_mahimahi),
		cmocka_unit_test(test_trace_init_checks),
		cmocka_unit_test(test_trace_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
