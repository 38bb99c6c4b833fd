/*
 * test_linkmodel.c - the link model of vnet-engine (engine/linkmodel.c)
 * driven by a fake clock: shaper timing to the nanosecond, rate changes
 * re-timing the queue, delay and jitter without reordering, loss
 * statistics, the Gilbert-Elliott model, CoDel, and frame checks (GSO
 * on-wire size, MTU, malformed headers).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "linkmodel.h"

#define MS 1000000ull
#define US 1000ull
#define T0 (5 * MODEL_NS_PER_S)	/* fake clock start: not 0 */

/* ---- shaper -------------------------------------------------------------- */

/* Frames all queued at t0 leave the shaper at these times (the queue as
 * direction.c runs it: only the head is timed, from the bucket). */
static void drain(struct model_tb *tb, const uint32_t *size, const uint64_t *arrival,
		  int n, uint64_t *dep)
{
	for (int i = 0; i < n; i++) {
		dep[i] = model_tb_ready(tb, size[i], arrival[i]);
		model_tb_take(tb, size[i], dep[i]);
	}
}

static void test_tb_10mbit_1ms_apart(void **state)
{
	struct model_tb tb;
	uint32_t size[10];
	uint64_t arr[10], dep[10];

	for (int i = 0; i < 10; i++) {
		size[i] = 1250;
		arr[i] = T0;
	}
	model_tb_init(&tb, 10000000, 1250, T0);
	drain(&tb, size, arr, 10, dep);
	for (int i = 0; i < 10; i++)
		assert_int_equal(dep[i], T0 + i * MS);
}

static void test_tb_idle_refills_to_burst_only(void **state)
{
	struct model_tb tb;

	model_tb_init(&tb, 10000000, 2500, T0);
	model_tb_take(&tb, 2500, T0);
	/* an hour later the bucket holds 2500 bytes, not more */
	uint64_t t = T0 + 3600 * MODEL_NS_PER_S;
	assert_int_equal(model_tb_ready(&tb, 2500, t), t);
	model_tb_take(&tb, 2500, t);
	assert_int_equal(model_tb_ready(&tb, 1250, t), t + 1 * MS);
}

static void test_tb_rate_change_retimes_queue(void **state)
{
	struct model_tb tb;
	uint64_t t;

	model_tb_init(&tb, 10000000, 1250, T0);
	/* three of ten queued frames leave at 0, 1, 2 ms */
	for (int i = 0; i < 3; i++) {
		t = model_tb_ready(&tb, 1250, T0);
		assert_int_equal(t, T0 + i * MS);
		model_tb_take(&tb, 1250, t);
	}
	/* the fourth would leave at 3 ms; at 2.5 ms the rate doubles */
	assert_int_equal(model_tb_ready(&tb, 1250, T0), T0 + 3 * MS);
	model_tb_set(&tb, 20000000, 1250, T0 + 2500 * US);
	/* 5000 bits earned at 10 Mbit/s, 5000 more at 20 Mbit/s: 2.75 ms */
	for (int i = 0; i < 7; i++) {
		t = model_tb_ready(&tb, 1250, T0);
		assert_int_equal(t, T0 + 2750 * US + i * 500 * US);
		model_tb_take(&tb, 1250, t);
	}
}

static void test_tb_rate_slowdown_retimes_queue(void **state)
{
	struct model_tb tb;
	uint64_t t;

	model_tb_init(&tb, 10000000, 1250, T0);
	model_tb_take(&tb, 1250, T0);
	/* at 0.5 ms the rate drops to 1 Mbit/s: the remaining 5000 bits
	 * take 5 ms */
	model_tb_set(&tb, 1000000, 1250, T0 + 500 * US);
	t = model_tb_ready(&tb, 1250, T0);
	assert_int_equal(t, T0 + 5500 * US);
}

static void test_tb_auto_burst(void **state)
{
	struct model_tb tb;

	assert_int_equal(model_burst_auto(10000000), MODEL_BURST_MIN);
	assert_int_equal(model_burst_auto(1000000000), 500000);
	assert_int_equal(model_burst_auto(10000000000ull), 5000000);
	model_tb_init(&tb, 10000000, 0, T0);
	assert_int_equal(tb.burst, MODEL_BURST_MIN);
	/* a full auto bucket lets one 64 KB super-frame through at once */
	assert_int_equal(model_tb_ready(&tb, 65536, T0), T0);
}

static void test_tb_frame_larger_than_burst(void **state)
{
	struct model_tb tb;
	uint64_t t = T0;

	/* 64 KB frames through a 1500-byte bucket keep the exact rate: each
	 * one waits for 1500 bytes, then the bucket goes negative. */
	model_tb_init(&tb, 100000000, 1500, T0);
	for (int i = 0; i < 100; i++) {
		t = model_tb_ready(&tb, 65536, T0);
		model_tb_take(&tb, 65536, t);
	}
	/* the first leaves at once; each later one waits for its whole size
	 * (65536 bytes at 100 Mbit/s = 5242880 ns) */
	assert_int_equal(t, T0 + 99 * 5242880ull);
}

static void test_tb_unlimited(void **state)
{
	struct model_tb tb;

	model_tb_init(&tb, 0, 0, T0);
	assert_int_equal(model_tb_ready(&tb, 65536, T0 + 7), T0 + 7);
	model_tb_take(&tb, 65536, T0 + 7);
	assert_int_equal(model_tb_ready(&tb, 65536, T0 + 7), T0 + 7);
	/* limited later: starts full */
	model_tb_set(&tb, 8000000, 1000, T0 + 10);
	assert_int_equal(model_tb_ready(&tb, 1000, T0 + 10), T0 + 10);
	model_tb_take(&tb, 1000, T0 + 10);
	assert_int_equal(model_tb_ready(&tb, 1000, T0 + 10), T0 + 10 + MS);
}

static void test_tb_high_rate_exact(void **state)
{
	struct model_tb tb;
	uint64_t t = 0;

	/* 10 Gbit/s, 1514-byte frames, burst of one frame: 1211.2 ns each;
	 * the fractions are not lost, 1000 frames take exactly 1211200 ns */
	model_tb_init(&tb, 10000000000ull, 1514, T0);
	model_tb_take(&tb, 1514, T0);
	for (int i = 0; i < 1000; i++) {
		t = model_tb_ready(&tb, 1514, T0);
		model_tb_take(&tb, 1514, t);
	}
	assert_int_equal(t, T0 + 1211200);
}

/* ---- delay line ---------------------------------------------------------- */

static void test_delay_exact(void **state)
{
	struct link_params p;
	struct model_rng r;
	uint64_t last = 0;
	bool skip;

	linkp_init(&p);
	p.delay_ns = 10 * MS;
	model_rng_seed(&r, 1);
	for (int i = 0; i < 100; i++) {
		uint64_t dep = T0 + (uint64_t)i * 37 * US;

		assert_int_equal(model_deliver_time(&p, &r, &last, dep, &skip), dep + 10 * MS);
		assert_false(skip);
	}
}

static void check_no_reorder(uint8_t dist)
{
	struct link_params p;
	struct model_rng r;
	uint64_t last = 0, prev = 0;
	bool skip;
	int later = 0, earlier = 0;

	linkp_init(&p);
	p.delay_ns = 10 * MS;
	p.jitter_ns = 5 * MS;
	p.jitter_dist = dist;
	model_rng_seed(&r, 42 + dist);
	/* dense traffic (100 us apart, jitter 5 ms): order is kept */
	for (int i = 0; i < 100000; i++) {
		uint64_t dep = T0 + (uint64_t)i * 100 * US;
		uint64_t t = model_deliver_time(&p, &r, &last, dep, &skip);

		assert_false(skip);
		assert_true(t >= prev);		/* never reordered */
		assert_true(t >= dep);		/* never before it left */
		prev = t;
	}
	/* sparse traffic (1 s apart): the jitter spreads delivery times both
	 * ways around the delay */
	last = 0;
	for (int i = 0; i < 10000; i++) {
		uint64_t dep = T0 + (uint64_t)i * MODEL_NS_PER_S;
		uint64_t t = model_deliver_time(&p, &r, &last, dep, &skip);

		later += t > dep + 10 * MS;
		earlier += t < dep + 10 * MS;
	}
	assert_true(later > 2000 && earlier > 2000);
}

static void test_jitter_uniform_no_reorder(void **state)
{
	check_no_reorder(LINKP_JITTER_UNIFORM);
}

static void test_jitter_normal_no_reorder(void **state)
{
	check_no_reorder(LINKP_JITTER_NORMAL);
}

static void test_jitter_pareto_no_reorder(void **state)
{
	check_no_reorder(LINKP_JITTER_PARETO);
}

static void test_jitter_distributions(void **state)
{
	const double j = 1e6;	/* 1 ms */
	const int n = 1000000;

	for (uint8_t dist = 0; dist <= LINKP_JITTER_PARETO; dist++) {
		struct link_params p;
		struct model_rng r;
		double sum = 0, sq = 0;
		int64_t lo = INT64_MAX, hi = INT64_MIN;

		linkp_init(&p);
		p.jitter_ns = (uint64_t)j;
		p.jitter_dist = dist;
		model_rng_seed(&r, 7);
		for (int i = 0; i < n; i++) {
			int64_t x = model_jitter(&p, &r);

			sum += (double)x;
			sq += (double)x * (double)x;
			lo = x < lo ? x : lo;
			hi = x > hi ? x : hi;
		}
		double mean = sum / n, sd = sqrt(sq / n - mean * mean);

		switch (dist) {
		case LINKP_JITTER_UNIFORM:
			assert_true(lo >= -(int64_t)j && hi <= (int64_t)j);
			assert_true(fabs(mean) < j * 0.005);
			assert_true(fabs(sd - j / sqrt(3.0)) < j * 0.01);
			break;
		case LINKP_JITTER_NORMAL:
			assert_true(fabs(mean) < j * 0.01);
			assert_true(fabs(sd - j) < j * 0.01);
			break;
		default:
			/* one-sided heavy tail: never much earlier, sometimes
			 * far later */
			assert_true(lo > -(int64_t)(0.6 * j));
			assert_true(hi > (int64_t)(10 * j));
			assert_true(fabs(mean) < j * 0.05);
			assert_true(fabs(sd - j) < j * 0.2);
			break;
		}
	}
}

static void test_reorder_skips_delay(void **state)
{
	struct link_params p;
	struct model_rng r;
	uint64_t last = 0, prev = 0;
	int skips = 0;
	const int n = 100000;

	linkp_init(&p);
	p.delay_ns = 10 * MS;
	p.reorder_ppb = 250000000;	/* 25 % */
	model_rng_seed(&r, 3);
	for (int i = 0; i < n; i++) {
		uint64_t dep = T0 + (uint64_t)i * US;
		bool skip;
		uint64_t t = model_deliver_time(&p, &r, &last, dep, &skip);

		if (skip) {
			skips++;
			assert_int_equal(t, dep);
		} else {
			assert_int_equal(t, dep + 10 * MS);
			assert_true(t >= prev);
			prev = t;
		}
	}
	/* binomial(1e5, 0.25): sd 137 */
	assert_true(abs(skips - 25000) < 600);

	/* without a delay there is nothing to skip */
	p.delay_ns = 0;
	for (int i = 0; i < 1000; i++) {
		bool skip;

		model_deliver_time(&p, &r, &last, T0, &skip);
		assert_false(skip);
	}
}

/* ---- loss ---------------------------------------------------------------- */

static void test_loss_binomial(void **state)
{
	struct link_params p;
	struct model_ge ge = { 0 };
	struct model_rng r;
	const int n = 1000000;
	int lost = 0;

	linkp_init(&p);
	p.loss_ppb = 10000000;	/* 1 % */
	model_rng_seed(&r, 12345);
	for (int i = 0; i < n; i++)
		if (model_loss(&p, &ge, &r) == MODEL_LOST)
			lost++;
	/* 99.9 % interval of binomial(1e6, 0.01): 10000 +- 3.29 * 99.5 */
	assert_true(lost >= 10000 - 328 && lost <= 10000 + 328);
}

static void test_loss_extremes(void **state)
{
	struct link_params p;
	struct model_ge ge = { 0 };
	struct model_rng r;

	linkp_init(&p);
	model_rng_seed(&r, 1);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(model_loss(&p, &ge, &r), MODEL_DELIVER);
	p.loss_ppb = MODEL_PPB_ONE;
	for (int i = 0; i < 10000; i++)
		assert_int_equal(model_loss(&p, &ge, &r), MODEL_LOST);
	for (int i = 0; i < 1000; i++) {
		assert_false(model_rng_chance(&r, 0));
		assert_true(model_rng_chance(&r, MODEL_PPB_ONE));
	}
}

static void test_ge_all_lost_after_transition(void **state)
{
	struct link_params p;
	struct model_ge ge = { 0 };
	struct model_rng r;

	linkp_init(&p);
	p.ge_p_ppb = MODEL_PPB_ONE;	/* good -> bad at once */
	p.ge_r_ppb = 0;			/* never back */
	p.ge_h_ppb = 0;			/* nothing gets through in bad */
	model_rng_seed(&r, 9);
	/* the first frame is judged in the good state, then the state moves */
	assert_int_equal(model_loss(&p, &ge, &r), MODEL_DELIVER);
	assert_int_equal(ge.bad, 1);
	for (int i = 0; i < 100000; i++)
		assert_int_equal(model_loss(&p, &ge, &r), MODEL_BURST_LOST);
}

static void test_ge_bursts(void **state)
{
	struct link_params p;
	struct model_ge ge = { 0 };
	struct model_rng r;
	const int n = 2000000;
	int lost = 0, bursts = 0;
	bool prev = false;

	/* Gilbert model: p = 1 %, r = 10 %, h = 0, k = 1 (0):
	 * stationary loss p / (p + r) = 9.09 %, mean burst 1 / r = 10 */
	linkp_init(&p);
	p.ge_p_ppb = 10000000;
	p.ge_r_ppb = 100000000;
	model_rng_seed(&r, 77);
	for (int i = 0; i < n; i++) {
		bool l = model_loss(&p, &ge, &r) == MODEL_BURST_LOST;

		lost += l;
		bursts += l && !prev;
		prev = l;
	}
	double ratio = (double)lost / n, mean_burst = (double)lost / bursts;

	assert_true(fabs(ratio - 1.0 / 11.0) < 0.003);
	assert_true(fabs(mean_burst - 10.0) < 0.5);
}

/* ---- CoDel --------------------------------------------------------------- */

static void test_codel(void **state)
{
	struct model_codel c = { 0 };
	uint64_t t = T0;
	int drops = 0;

	/* below target: never */
	for (int i = 0; i < 1000; i++, t += MS)
		assert_false(model_codel_drop(&c, t, 4 * MS, 100000, 1500));
	/* 20 ms standing queue: nothing for one interval, then drops at an
	 * increasing pace */
	for (int i = 0; i < 99; i++, t += MS)
		assert_false(model_codel_drop(&c, t, 20 * MS, 100000, 1500));
	for (int i = 0; i < 1000; i++, t += MS)
		drops += model_codel_drop(&c, t, 20 * MS, 100000, 1500);
	assert_true(drops > 10 && drops < 200);
	/* the queue drains: dropping stops */
	assert_false(model_codel_drop(&c, t, 1 * MS, 100000, 1500));
	assert_false(c.dropping);
	/* a backlog of one frame is never dropped */
	for (int i = 0; i < 300; i++, t += MS)
		assert_false(model_codel_drop(&c, t, 50 * MS, 1500, 1500));
}

/* ---- frames -------------------------------------------------------------- */

/* virtio header + Ethernet (+ VLAN) + IPv4/IPv6 + TCP(+options) or UDP,
 * payload zeros. Returns bytes written. */
static size_t build(uint8_t *b, int ipv6, int vlan, int udp, int tcpopt, uint32_t payload,
		    uint8_t gso_type, uint16_t gso_size)
{
	size_t off = MODEL_VNET_HDR_LEN;
	uint32_t l4 = udp ? 8 : 20u + (uint32_t)tcpopt;

	memset(b, 0, 70000);
	b[1] = gso_type;
	b[4] = (uint8_t)gso_size;
	b[5] = (uint8_t)(gso_size >> 8);
	off += 12;
	if (vlan) {
		b[off] = 0x81;
		b[off + 1] = 0x00;
		off += 4;
	}
	b[off] = ipv6 ? 0x86 : 0x08;
	b[off + 1] = ipv6 ? 0xdd : 0x00;
	off += 2;
	if (ipv6) {
		b[off] = 0x60;
		b[off + 6] = udp ? 17 : 6;
		off += 40;
	} else {
		b[off] = 0x45;
		b[off + 9] = udp ? 17 : 6;
		off += 20;
	}
	if (!udp)
		b[off + 12] = (uint8_t)((l4 / 4) << 4);
	off += l4;
	return off + payload;
}

static void test_frame_gso_wire_size(void **state)
{
	static uint8_t b[70000];
	struct model_frame f;
	size_t n;

	/* IPv4 TCP with timestamps (32-byte header): headers 66 bytes,
	 * 10 full segments of 1448 and one of 100 */
	n = build(b, 0, 0, 0, 12, 10 * 1448 + 100, 1 /* TCPV4 */, 1448);
	assert_int_equal(model_frame_parse(b, n, 1500, &f), MODEL_OK);
	assert_int_equal(f.hdrs, 66);
	assert_int_equal(f.segs, 11);
	assert_int_equal(f.wire, 11 * 66 + 10 * 1448 + 100);
	assert_int_equal(f.len, n - MODEL_VNET_HDR_LEN);

	/* the largest super-frame: 45 segments of 1448 + one of 160 */
	n = build(b, 0, 0, 0, 12, 65160 + 160, 1, 1448);
	assert_int_equal(model_frame_parse(b, n, 0, &f), MODEL_OK);
	assert_int_equal(f.segs, 46);
	assert_int_equal(f.wire, 46 * 66 + 65320);

	/* IPv6 TCP: 14 + 40 + 20 */
	n = build(b, 1, 0, 0, 0, 4 * 1440, 4 /* TCPV6 */, 1440);
	assert_int_equal(model_frame_parse(b, n, 1500, &f), MODEL_OK);
	assert_int_equal(f.hdrs, 74);
	assert_int_equal(f.segs, 4);
	assert_int_equal(f.wire, 4 * 74 + 4 * 1440);

	/* UDP GSO with a VLAN tag: 18 + 20 + 8 */
	n = build(b, 0, 1, 1, 0, 3 * 1000 + 1, 5 /* UDP_L4 */, 1000);
	assert_int_equal(model_frame_parse(b, n, 1500, &f), MODEL_OK);
	assert_int_equal(f.l2len, 18);
	assert_int_equal(f.hdrs, 46);
	assert_int_equal(f.segs, 4);
	assert_int_equal(f.wire, 4 * 46 + 3001);

	/* a plain frame is charged its length */
	n = build(b, 0, 0, 0, 0, 1000, 0, 0);
	assert_int_equal(model_frame_parse(b, n, 1500, &f), MODEL_OK);
	assert_int_equal(f.segs, 1);
	assert_int_equal(f.wire, 1054);
}

static void test_frame_mtu(void **state)
{
	static uint8_t b[70000];
	struct model_frame f;
	size_t n;

	/* plain: 1500-byte IP packet passes MTU 1500, 1501 does not */
	n = build(b, 0, 0, 0, 0, 1460, 0, 0);
	assert_int_equal(model_frame_parse(b, n, 1500, &f), MODEL_OK);
	n = build(b, 0, 0, 0, 0, 1461, 0, 0);
	assert_int_equal(model_frame_parse(b, n, 1500, &f), MODEL_TOO_BIG);
	assert_int_equal(model_frame_parse(b, n, 0, &f), MODEL_TOO_BIG);	/* default */
	/* a VLAN tag is not part of the MTU */
	n = build(b, 0, 1, 0, 0, 1460, 0, 0);
	assert_int_equal(model_frame_parse(b, n, 1500, &f), MODEL_OK);
	/* GSO: the segment size counts, not the super-frame's */
	n = build(b, 0, 0, 0, 12, 40000, 1, 1448);	/* 20 + 32 + 1448 = 1500 */
	assert_int_equal(model_frame_parse(b, n, 1500, &f), MODEL_OK);
	assert_int_equal(model_frame_parse(b, n, 1499, &f), MODEL_TOO_BIG);
	n = build(b, 0, 0, 0, 12, 1000, 1, 1448);	/* one short segment */
	assert_int_equal(model_frame_parse(b, n, 1100, &f), MODEL_OK);
	/* 9000-byte jumbo link */
	n = build(b, 0, 0, 0, 0, 8960, 0, 0);
	assert_int_equal(model_frame_parse(b, n, 9000, &f), MODEL_OK);
	assert_int_equal(model_frame_parse(b, n, 1500, &f), MODEL_TOO_BIG);
}

static void test_frame_malformed(void **state)
{
	static uint8_t b[70000];
	struct model_frame f;
	size_t n = build(b, 0, 0, 0, 0, 100, 0, 0);

	for (size_t k = 0; k < MODEL_VNET_HDR_LEN + MODEL_ETH_HLEN; k++)
		assert_int_equal(model_frame_parse(b, k, 1500, &f), MODEL_MALFORMED);
	b[1] = 9;	/* unknown GSO type */
	assert_int_equal(model_frame_parse(b, n, 1500, &f), MODEL_MALFORMED);
	b[1] = 1;	/* GSO without a segment size */
	assert_int_equal(model_frame_parse(b, n, 1500, &f), MODEL_MALFORMED);
	b[1] = 0;
	b[0] = 0x10;	/* unknown flag */
	assert_int_equal(model_frame_parse(b, n, 1500, &f), MODEL_MALFORMED);
	b[0] = 1;	/* checksum offset beyond the frame */
	b[6] = 0xff;
	b[7] = 0xff;
	assert_int_equal(model_frame_parse(b, n, 1500, &f), MODEL_MALFORMED);
	b[6] = 34;	/* csum_start 34, offset 16: TCP checksum, fine */
	b[7] = 0;
	b[8] = 16;
	assert_int_equal(model_frame_parse(b, n, 1500, &f), MODEL_OK);
	/* truncated IP header: still a frame, headers unknown */
	b[0] = 0;
	assert_int_equal(model_frame_parse(b, MODEL_VNET_HDR_LEN + 20, 1500, &f), MODEL_OK);
	assert_int_equal(f.hdrs, 0);
	/* garbage of every length never crashes */
	struct model_rng r;

	model_rng_seed(&r, 5);
	for (int i = 0; i < 20000; i++) {
		size_t len = model_rng_below(&r, 200);

		for (size_t k = 0; k < len; k++)
			b[k] = (uint8_t)model_rng_next(&r);
		model_frame_parse(b, len, 1500, &f);
	}
}

/* ---- parameter sets ------------------------------------------------------- */

static void test_params(void **state)
{
	struct link_params p;

	linkp_init(&p);
	assert_true(model_transparent(&p));
	assert_false(model_per_segment(&p));
	assert_true(model_params_valid(&p));
	p.mtu = 1400;		/* checked at ingress on both paths */
	p.queue_pkts = 10;
	assert_true(model_transparent(&p));
	p.delay_ns = 1;
	assert_false(model_transparent(&p));
	assert_false(model_per_segment(&p));
	linkp_init(&p);
	p.corrupt_ppb = 1;
	assert_false(model_transparent(&p));
	assert_true(model_per_segment(&p));
	linkp_init(&p);
	p.ge_p_ppb = 1;
	assert_true(model_per_segment(&p));
	p.loss_ppb = MODEL_PPB_ONE + 1;
	assert_false(model_params_valid(&p));
	linkp_init(&p);
	p.jitter_dist = 3;
	assert_false(model_params_valid(&p));
	linkp_init(&p);
	p.mtu = 67;
	assert_false(model_params_valid(&p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tb_10mbit_1ms_apart),
		cmocka_unit_test(test_tb_idle_refills_to_burst_only),
		cmocka_unit_test(test_tb_rate_change_retimes_queue),
		cmocka_unit_test(test_tb_rate_slowdown_retimes_queue),
		cmocka_unit_test(test_tb_auto_burst),
		cmocka_unit_test(test_tb_frame_larger_than_burst),
		cmocka_unit_test(test_tb_unlimited),
		cmocka_unit_test(test_tb_high_rate_exact),
		cmocka_unit_test(test_delay_exact),
		cmocka_unit_test(test_jitter_uniform_no_reorder),
		cmocka_unit_test(test_jitter_normal_no_reorder),
		cmocka_unit_test(test_jitter_pareto_no_reorder),
		cmocka_unit_test(test_jitter_distributions),
		cmocka_unit_test(test_reorder_skips_delay),
		cmocka_unit_test(test_loss_binomial),
		cmocka_unit_test(test_loss_extremes),
		cmocka_unit_test(test_ge_all_lost_after_transition),
		cmocka_unit_test(test_ge_bursts),
		cmocka_unit_test(test_codel),
		cmocka_unit_test(test_frame_gso_wire_size),
		cmocka_unit_test(test_frame_mtu),
		cmocka_unit_test(test_frame_malformed),
		cmocka_unit_test(test_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
