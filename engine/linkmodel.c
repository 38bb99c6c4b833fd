/*
 * linkmodel.c - see linkmodel.h. Pure arithmetic on explicit state and time; the
 * engine and the unit tests call the same code.
 */
#include "linkmodel.h"

#include <math.h>
#include <string.h>

typedef __int128 i128;

/* ---- random numbers: xoshiro256**, seeded by splitmix64 ---------------- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void model_rng_seed(struct model_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

uint64_t model_rng_next(struct model_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

uint64_t model_rng_below(struct model_rng *r, uint64_t n)
{
	/* Lemire's multiply-shift; the bias (n / 2^64) is far below anything
	 * a link model can observe. */
	return (uint64_t)(((unsigned __int128)model_rng_next(r) * n) >> 64);
}

double model_rng_unit(struct model_rng *r)
{
	return ((double)(model_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

bool model_rng_chance(struct model_rng *r, uint32_t ppb)
{
	if (ppb == 0)
		return false;
	if (ppb >= MODEL_PPB_ONE)
		return true;
	return model_rng_below(r, MODEL_PPB_ONE) < ppb;
}

/* ---- frames -------------------------------------------------------------- */

/* struct virtio_net_hdr, little-endian fields (TAPs here are not set to
 * big-endian with TUNSETVNETBE). */
#define VH_F_NEEDS_CSUM 1
#define VH_F_DATA_VALID 2
#define VH_GSO_NONE 0
#define VH_GSO_TCPV4 1
#define VH_GSO_UDP 3
#define VH_GSO_TCPV6 4
#define VH_GSO_UDP_L4 5
#define VH_GSO_ECN 0x80

static inline uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Header bytes (L2+L3+L4) of an Ethernet frame, 0 when they cannot be
 * parsed; *l2len gets the Ethernet header length including VLAN tags. */
static uint32_t parse_hdrs(const uint8_t *p, uint32_t len, uint32_t *l2len)
{
	uint32_t off = MODEL_ETH_HLEN;
	uint16_t et = be16(p + 12);
	uint8_t proto;

	for (int i = 0; i < 2 && (et == 0x8100 || et == 0x88a8); i++) {
		if (len < off + 4)
			return 0;
		et = be16(p + off + 2);
		off += 4;
	}
	*l2len = off;
	if (et == 0x0800) {
		uint32_t ihl;

		if (len < off + 20 || p[off] >> 4 != 4)
			return 0;
		ihl = (p[off] & 0xfu) * 4;
		if (ihl < 20 || len < off + ihl)
			return 0;
		proto = p[off + 9];
		if (be16(p + off + 6) & 0x1fff)
			return off + ihl;	/* later fragment: no L4 header */
		off += ihl;
	} else if (et == 0x86dd) {
		int i;

		if (len < off + 40)
			return 0;
		proto = p[off + 6];
		off += 40;
		for (i = 0; i < 8; i++) {
			if (proto == 0 || proto == 43 || proto == 60) {
				if (len < off + 8)
					return 0;
				proto = p[off];
				off += (p[off + 1] + 1u) * 8;
			} else if (proto == 44) {
				if (len < off + 8)
					return 0;
				if (be16(p + off + 2) & 0xfff8)
					return off + 8;
				proto = p[off];
				off += 8;
			} else {
				break;
			}
		}
		if (i == 8 || len < off)
			return 0;
	} else {
		return off;
	}
	if (proto == 6) {
		uint32_t doff;

		if (len < off + 20)
			return 0;
		doff = (p[off + 12] >> 4) * 4u;
		if (doff < 20 || len < off + doff)
			return 0;
		return off + doff;
	}
	if (proto == 17) {
		if (len < off + 8)
			return 0;
		return off + 8;
	}
	return off;
}

enum model_verdict model_frame_parse(const uint8_t *buf, size_t n, uint32_t mtu,
				     struct model_frame *f)
{
	const uint8_t *eth = buf + MODEL_VNET_HDR_LEN;
	uint8_t flags, gso_type;
	uint32_t len, payload;

	memset(f, 0, sizeof(*f));
	if (n < MODEL_VNET_HDR_LEN + MODEL_ETH_HLEN || n > UINT32_MAX)
		return MODEL_MALFORMED;
	len = (uint32_t)(n - MODEL_VNET_HDR_LEN);
	flags = buf[0];
	gso_type = buf[1] & ~VH_GSO_ECN;
	if (flags & ~(VH_F_NEEDS_CSUM | VH_F_DATA_VALID))
		return MODEL_MALFORMED;
	if ((flags & VH_F_NEEDS_CSUM) &&
	    (uint32_t)le16(buf + 6) + le16(buf + 8) + 2 > len)
		return MODEL_MALFORMED;
	if (mtu == 0)
		mtu = LINKP_DEFAULT_MTU;

	f->len = len;
	f->l2len = MODEL_ETH_HLEN;
	f->hdrs = parse_hdrs(eth, len, &f->l2len);
	f->segs = 1;
	f->wire = len;

	switch (gso_type) {
	case VH_GSO_NONE:
		return len - f->l2len > mtu ? MODEL_TOO_BIG : MODEL_OK;
	case VH_GSO_TCPV4:
	case VH_GSO_TCPV6:
	case VH_GSO_UDP:
	case VH_GSO_UDP_L4:
		break;
	default:
		return MODEL_MALFORMED;
	}
	f->gso_size = le16(buf + 4);
	if (f->gso_size == 0)
		return MODEL_MALFORMED;
	if (f->hdrs == 0) {
		/* Unparsed: trust the header length the kernel gave, which
		 * may include some payload; the charge errs slightly high. */
		uint32_t hl = le16(buf + 2);

		f->hdrs = hl > f->l2len && hl < len ? hl : f->l2len;
	}
	payload = len > f->hdrs ? len - f->hdrs : 0;
	if (payload > f->gso_size) {
		f->segs = (payload + f->gso_size - 1) / f->gso_size;
		f->wire = f->segs * f->hdrs + payload;
	}
	if (f->hdrs - f->l2len + (payload < f->gso_size ? payload : f->gso_size) > mtu)
		return MODEL_TOO_BIG;
	return MODEL_OK;
}

/* ---- shaper -------------------------------------------------------------- */

#define BITNS_PER_BYTE ((i128)8 * MODEL_NS_PER_S)

/* 4 ms at the rate: a worker preempted for a few milliseconds (2 vCPUs
 * shared with the senders) must not lose the link's capacity meanwhile. */
uint64_t model_burst_auto(uint64_t rate_bps)
{
	uint64_t b = rate_bps / 8 / 1000 * 4;

	return b > MODEL_BURST_MIN ? b : MODEL_BURST_MIN;
}

static i128 tb_cap(const struct model_tb *tb)
{
	return (i128)tb->burst * BITNS_PER_BYTE;
}

/* Bucket level at t >= last_ns. */
static i128 tb_level(const struct model_tb *tb, uint64_t t)
{
	i128 cap = tb_cap(tb);
	uint64_t dt;

	if (t <= tb->last_ns || tb->tokens >= cap)
		return tb->tokens < cap ? tb->tokens : cap;
	dt = t - tb->last_ns;
	/* Full before t? (also keeps dt * rate from overflowing) */
	if ((i128)dt >= (cap - tb->tokens) / tb->rate_bps + 1)
		return cap;
	return tb->tokens + (i128)dt * tb->rate_bps;
}

void model_tb_init(struct model_tb *tb, uint64_t rate_bps, uint32_t burst_bytes,
		   uint64_t now)
{
	tb->rate_bps = rate_bps;
	tb->burst = burst_bytes ? burst_bytes : model_burst_auto(rate_bps);
	tb->tokens = tb_cap(tb);
	tb->last_ns = now;
}

void model_tb_set(struct model_tb *tb, uint64_t rate_bps, uint32_t burst_bytes,
		  uint64_t now)
{
	i128 cap;

	if (tb->rate_bps == 0) {
		model_tb_init(tb, rate_bps, burst_bytes, now);
		return;
	}
	if (now > tb->last_ns) {
		tb->tokens = tb_level(tb, now);
		tb->last_ns = now;
	}
	tb->rate_bps = rate_bps;
	tb->burst = burst_bytes ? burst_bytes : model_burst_auto(rate_bps);
	cap = tb_cap(tb);
	if (tb->tokens > cap)
		tb->tokens = cap;
}

uint64_t model_tb_ready(const struct model_tb *tb, uint32_t bytes, uint64_t earliest)
{
	uint64_t t0 = earliest > tb->last_ns ? earliest : tb->last_ns;
	i128 need, level;

	if (tb->rate_bps == 0)
		return earliest;
	need = (i128)(bytes < tb->burst ? bytes : tb->burst) * BITNS_PER_BYTE;
	level = tb_level(tb, t0);
	if (level >= need)
		return t0;
	/* Rounded down: the frame leaves up to 1 ns early and the bucket goes
	 * that little bit negative, which the next frame pays back. Rounding
	 * up would lose the fraction whenever the bucket is at its cap, and
	 * the rate would fall short (0.07 % at 10 Gbit/s with 1514-byte frames
	 * and burst). */
	return t0 + (uint64_t)((need - level) / tb->rate_bps);
}

void model_tb_take(struct model_tb *tb, uint32_t bytes, uint64_t t)
{
	if (tb->rate_bps == 0)
		return;
	if (t > tb->last_ns) {
		tb->tokens = tb_level(tb, t);
		tb->last_ns = t;
	}
	tb->tokens -= (i128)bytes * BITNS_PER_BYTE;
}

/* ---- trace shaper -------------------------------------------------------- */

#define NS_PER_MS 1000000ull

bool model_trace_init(struct model_trace *tr, uint32_t n)
{
	if (n == 0)
		return false;
	for (uint32_t i = 1; i < n; i++)
		if (tr->ms[i] < tr->ms[i - 1])
			return false;
	if (tr->ms[n - 1] == 0)
		return false;
	tr->n = n;
	tr->period_ns = (uint64_t)tr->ms[n - 1] * NS_PER_MS;
	return true;
}

void model_ts_init(struct model_ts *s, uint64_t now)
{
	memset(s, 0, sizeof(*s));
	s->base = now;
}

static inline uint64_t opp_time(const struct model_ts *s, const struct model_trace *tr)
{
	return s->base + (uint64_t)tr->ms[s->idx] * NS_PER_MS;
}

static inline void opp_next(struct model_ts *s, const struct model_trace *tr)
{
	if (++s->idx == tr->n) {
		s->idx = 0;
		s->base += tr->period_ns;
	}
}

/* Move to the first opportunity at or after t: those before are lost.
 * Repetition r holds opportunities in [base + r P, base + (r + 1) P], so
 * the one sought is in the repetition that t falls in or in the one before
 * (whose last opportunity may coincide with the start of the next). */
static void opp_skip_to(struct model_ts *s, const struct model_trace *tr, uint64_t t)
{
	if (opp_time(s, tr) >= t)
		return;
	if (t - s->base >= 2 * tr->period_ns) {
		s->base += ((t - s->base) / tr->period_ns - 1) * tr->period_ns;
		s->idx = 0;
	}
	for (;;) {
		uint32_t lo = s->idx, hi = tr->n;

		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;

			if (s->base + (uint64_t)tr->ms[mid] * NS_PER_MS < t)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < tr->n) {
			s->idx = lo;
			return;
		}
		s->idx = 0;
		s->base += tr->period_ns;
	}
}

uint64_t model_ts_take(struct model_ts *s, const struct model_trace *tr,
		       uint32_t bytes, uint64_t arrival)
{
	uint32_t need = bytes ? bytes : 1;

	/* the rest of the opportunity that carried the frame before */
	if (s->left && arrival <= s->t_last) {
		uint32_t use = need < s->left ? need : s->left;

		s->left -= use;
		need -= use;
		if (!need)
			return s->t_last;
	}
	s->left = 0;
	opp_skip_to(s, tr, arrival);
	for (;;) {
		uint64_t t = opp_time(s, tr);
		uint32_t use = need < MODEL_TRACE_OPP_BYTES ? need : MODEL_TRACE_OPP_BYTES;

		opp_next(s, tr);
		need -= use;
		if (!need) {
			s->left = MODEL_TRACE_OPP_BYTES - use;
			s->t_last = t;
			return t;
		}
	}
}

uint64_t model_ts_ready(const struct model_ts *s, const struct model_trace *tr,
			uint32_t bytes, uint64_t arrival)
{
	struct model_ts tmp = *s;

	return model_ts_take(&tmp, tr, bytes, arrival);
}

uint32_t model_trace_bytes(const struct model_frame *f)
{
	uint32_t l2 = f->segs * f->l2len;

	return f->wire > l2 ? f->wire - l2 : f->wire;
}

/* ---- CoDel --------------------------------------------------------------- */

static uint64_t codel_control_law(uint64_t t, uint32_t count)
{
	return t + (uint64_t)((double)MODEL_CODEL_INTERVAL_NS / sqrt((double)count));
}

bool model_codel_drop(struct model_codel *c, uint64_t now, uint64_t sojourn,
		      uint64_t backlog, uint32_t mtu)
{
	bool ok_to_drop = false;

	if (mtu == 0)
		mtu = LINKP_DEFAULT_MTU;
	if (sojourn < MODEL_CODEL_TARGET_NS || backlog <= mtu) {
		c->first_above = 0;
	} else if (c->first_above == 0) {
		c->first_above = now + MODEL_CODEL_INTERVAL_NS;
	} else if (now >= c->first_above) {
		ok_to_drop = true;
	}

	if (c->dropping) {
		if (!ok_to_drop) {
			c->dropping = false;
			return false;
		}
		if (now >= c->drop_next) {
			c->count++;
			c->drop_next = codel_control_law(c->drop_next, c->count);
			return true;
		}
		return false;
	}
	if (ok_to_drop) {
		uint32_t delta = c->count - c->lastcount;

		c->dropping = true;
		if (delta > 1 && now - c->drop_next < 16 * MODEL_CODEL_INTERVAL_NS)
			c->count = delta;
		else
			c->count = 1;
		c->drop_next = codel_control_law(now, c->count);
		c->lastcount = c->count;
		return true;
	}
	return false;
}

/* ---- delay line ---------------------------------------------------------- */

int64_t model_jitter(const struct link_params *p, struct model_rng *r)
{
	double j = (double)p->jitter_ns, x;

	if (p->jitter_ns == 0)
		return 0;
	switch (p->jitter_dist) {
	case LINKP_JITTER_NORMAL:
		x = j * sqrt(-2.0 * log(model_rng_unit(r))) *
		    cos(2.0 * M_PI * model_rng_unit(r));
		break;
	case LINKP_JITTER_PARETO: {
		/* shape 3: mean 1.5 xm, standard deviation xm * sqrt(3) / 2 */
		double xm = 2.0 * j / sqrt(3.0);

		x = xm * pow(model_rng_unit(r), -1.0 / 3.0) - 1.5 * xm;
		break;
	}
	default:
		return (int64_t)model_rng_below(r, 2 * p->jitter_ns + 1) - (int64_t)p->jitter_ns;
	}
	/* keep far tails finite */
	if (x > 1000.0 * j)
		x = 1000.0 * j;
	if (x < -1000.0 * j)
		x = -1000.0 * j;
	return (int64_t)llround(x);
}

uint64_t model_deliver_time(const struct link_params *p, struct model_rng *r,
			    uint64_t *last, uint64_t depart, bool *skip)
{
	int64_t d;
	uint64_t t;

	*skip = false;
	if (p->reorder_ppb && (p->delay_ns || p->jitter_ns) &&
	    model_rng_chance(r, p->reorder_ppb)) {
		*skip = true;
		return depart;
	}
	d = (int64_t)p->delay_ns + model_jitter(p, r);
	t = depart + (d > 0 ? (uint64_t)d : 0);
	if (t < *last)
		t = *last;
	*last = t;
	return t;
}

/* ---- loss ---------------------------------------------------------------- */

bool model_ge_on(const struct link_params *p)
{
	return p->ge_p_ppb || p->ge_k_ppb;
}

enum model_fate model_loss(const struct link_params *p, struct model_ge *ge,
			   struct model_rng *r)
{
	enum model_fate fate = MODEL_DELIVER;

	if (p->loss_ppb && model_rng_chance(r, p->loss_ppb))
		return MODEL_LOST;
	if (!model_ge_on(p))
		return MODEL_DELIVER;
	if (ge->bad) {
		if (!model_rng_chance(r, p->ge_h_ppb))
			fate = MODEL_BURST_LOST;
		if (model_rng_chance(r, p->ge_r_ppb))
			ge->bad = 0;
	} else {
		if (p->ge_k_ppb && !model_rng_chance(r, p->ge_k_ppb))
			fate = MODEL_BURST_LOST;
		if (model_rng_chance(r, p->ge_p_ppb))
			ge->bad = 1;
	}
	return fate;
}

/* ---- what a parameter set needs ------------------------------------------ */

bool model_transparent(const struct link_params *p)
{
	return !p->rate_bps && !p->delay_ns && !p->jitter_ns && !p->loss_ppb &&
	       !model_ge_on(p) && !p->dup_ppb && !p->corrupt_ppb && !p->reorder_ppb;
}

bool model_per_segment(const struct link_params *p)
{
	return p->loss_ppb || model_ge_on(p) || p->dup_ppb || p->corrupt_ppb;
}

bool model_params_valid(const struct link_params *p)
{
	const uint32_t ppb[] = { p->loss_ppb, p->ge_p_ppb, p->ge_r_ppb, p->ge_k_ppb,
				 p->ge_h_ppb, p->dup_ppb, p->corrupt_ppb, p->reorder_ppb };

	for (size_t i = 0; i < sizeof(ppb) / sizeof(ppb[0]); i++)
		if (ppb[i] > MODEL_PPB_ONE)
			return false;
	if (p->jitter_dist > LINKP_JITTER_PARETO || p->codel > 1)
		return false;
	if (p->mtu && (p->mtu < 68 || p->mtu > 65535))
		return false;
	return true;
}
