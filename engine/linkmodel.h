/*
 * linkmodel.h - the link model of one direction, as pure functions.
 *
 * Nothing here reads a clock, touches a file descriptor or allocates: every
 * function takes the time (`now`, nanoseconds on CLOCK_MONOTONIC in the
 * engine, a fake clock in tests/unit/test_linkmodel.c) and the state it
 * updates explicitly. The pipeline of a direction (direction.c) strings
 * these together; their prefix is model_:
 *
 *   model_frame_parse  ingress checks (malformed, MTU) and on-wire size
 *   model_tb_*         shaper: token bucket in bytes at rate_bps
 *   model_ts_*         or a delivery-opportunity trace (mahimahi) instead
 *   model_codel_drop   optional CoDel AQM at the head of the queue
 *   model_deliver_time delay line: delay + jitter, no reordering unless asked
 *   model_loss         random loss and Gilbert-Elliott burst loss
 *   model_rng_*        the random source of all of the above (xoshiro256**)
 */
#ifndef VNET_ENGINE_LINKMODEL_H
#define VNET_ENGINE_LINKMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "linkparams.h"

#define MODEL_NS_PER_S 1000000000ull
#define MODEL_PPB_ONE 1000000000u	/* 100 % in parts per billion */
#define MODEL_VNET_HDR_LEN 10		/* struct virtio_net_hdr before each frame */
#define MODEL_ETH_HLEN 14
#define MODEL_BURST_MIN 65536u		/* auto burst holds one 64 KB super-frame */
#define MODEL_CODEL_TARGET_NS 5000000ull
#define MODEL_CODEL_INTERVAL_NS 100000000ull

/* ---- random numbers ---------------------------------------------------- */

struct model_rng {
	uint64_t s[4];
};

void model_rng_seed(struct model_rng *r, uint64_t seed);
uint64_t model_rng_next(struct model_rng *r);
/* Uniform in [0, n), n > 0. */
uint64_t model_rng_below(struct model_rng *r, uint64_t n);
/* Uniform in (0, 1). */
double model_rng_unit(struct model_rng *r);
/* True with probability ppb / 1e9 (0: never, >= 1e9: always). */
bool model_rng_chance(struct model_rng *r, uint32_t ppb);

/* ---- frames -------------------------------------------------------------- */

enum model_verdict { MODEL_OK, MODEL_MALFORMED, MODEL_TOO_BIG };

struct model_frame {
	uint32_t len;		/* Ethernet frame bytes (after the virtio header) */
	uint32_t l2len;		/* Ethernet header incl. VLAN tags */
	uint32_t hdrs;		/* L2+L3+L4 header bytes; 0 when not parsed */
	uint32_t gso_size;	/* payload bytes per segment; 0 = not GSO */
	uint32_t segs;		/* frames this becomes on the wire */
	uint32_t wire;		/* bytes on the wire: segs * hdrs + payload */
};

/*
 * Check one frame as read from a TAP (virtio_net_hdr + Ethernet frame, n
 * bytes) against the effective MTU (largest L3 packet; 0 = 1500) and fill
 * *f. A GSO super-frame is checked segment by segment: its segments are all
 * hdrs + gso_size bytes except a shorter last one.
 */
enum model_verdict model_frame_parse(const uint8_t *buf, size_t n, uint32_t mtu,
				     struct model_frame *f);

/* ---- shaper ---------------------------------------------------------------- */

/*
 * Token bucket. Tokens are counted in bit-nanoseconds (bits x 1e9) so that
 * refilling at rate_bps adds exactly rate_bps per nanosecond and every
 * departure time is exact in integer arithmetic. A frame leaves once the
 * bucket holds min(size, burst) bytes; its whole size is then taken, so the
 * bucket may go negative when a frame is larger than the burst, and the
 * long-term rate stays exact.
 */
struct model_tb {
	uint64_t rate_bps;	/* 0 = unlimited */
	uint64_t burst;		/* bytes (resolved when burst_bytes was 0) */
	__int128 tokens;	/* bit-nanoseconds at last_ns */
	uint64_t last_ns;
};

/* Depth used when burst_bytes is 0: max(64 KB, one millisecond at rate). */
uint64_t model_burst_auto(uint64_t rate_bps);
/* Start full at now. */
void model_tb_init(struct model_tb *tb, uint64_t rate_bps, uint32_t burst_bytes,
		   uint64_t now);
/* Change rate/burst at now: the tokens earned until now are counted at the
 * old rate, later ones at the new rate; the level is clipped to the new
 * depth. Frames still waiting are re-timed by the next model_tb_ready(). */
void model_tb_set(struct model_tb *tb, uint64_t rate_bps, uint32_t burst_bytes,
		  uint64_t now);
/* Earliest time >= earliest at which a frame of `bytes` may leave (to the
 * nanosecond below the exact instant). */
uint64_t model_tb_ready(const struct model_tb *tb, uint32_t bytes, uint64_t earliest);
/* The frame leaves at t (t >= last departure): take its tokens. */
void model_tb_take(struct model_tb *tb, uint32_t bytes, uint64_t t);

/* ---- trace shaper ---------------------------------------------------------- */

/*
 * A delivery-opportunity trace in mahimahi's format replaces the token
 * bucket of a direction: opportunity i comes ms[i] milliseconds after the
 * trace starts and may carry MODEL_TRACE_OPP_BYTES; the trace repeats every
 * ms[n-1] ms. As in mahimahi's LinkQueue, a frame may take the rest of the
 * opportunity that finished the frame before it (if it had arrived by
 * then) and several opportunities when it is bigger than one; it departs at
 * the opportunity that carries its last byte. Opportunities that find the
 * queue empty are lost. The bytes charged are the frame's IP bytes (on-wire
 * size less its Ethernet headers), so a 1500-byte packet takes exactly one
 * opportunity, as mahimahi's 1500-byte MTU packets do: a trace of one
 * opportunity per millisecond is 12 Mbit/s of IP packets.
 */
#define MODEL_TRACE_OPP_BYTES 1500u

struct model_trace {
	int refs;		/* directions using it (the engine's bookkeeping) */
	uint32_t n;		/* opportunities, >= 1 */
	uint64_t period_ns;	/* ms[n-1] ms, > 0 */
	uint32_t ms[];		/* non-decreasing */
};

/* Check ms[0..n) (non-decreasing, at least one, last > 0) and fill
 * tr->n and tr->period_ns. Returns false when the trace is not valid. */
bool model_trace_init(struct model_trace *tr, uint32_t n);

/* Where a direction is in its trace. */
struct model_ts {
	uint64_t base;		/* start of the current repetition */
	uint32_t idx;		/* next unused opportunity: base + ms[idx] ms */
	uint32_t left;		/* bytes left of the opportunity at t_last */
	uint64_t t_last;	/* the opportunity the last frame departed at */
};

/* The trace starts at now (its first opportunity is at now + ms[0] ms). */
void model_ts_init(struct model_ts *s, uint64_t now);
/* Departure time of a frame of `bytes` that arrived at `arrival` and is
 * now at the head of the queue. */
uint64_t model_ts_ready(const struct model_ts *s, const struct model_trace *tr,
			uint32_t bytes, uint64_t arrival);
/* The same frame departs: use its opportunities. Returns its departure. */
uint64_t model_ts_take(struct model_ts *s, const struct model_trace *tr,
		       uint32_t bytes, uint64_t arrival);
/* Bytes a trace charges for a frame (IP bytes of all its segments). */
uint32_t model_trace_bytes(const struct model_frame *f);

/* ---- CoDel (RFC 8289) ------------------------------------------------------ */

struct model_codel {
	uint64_t first_above;
	uint64_t drop_next;
	uint32_t count, lastcount;
	bool dropping;
};

/* The head frame leaves the queue at now after waiting sojourn ns, with
 * backlog bytes in the queue (itself included). True: drop it. */
bool model_codel_drop(struct model_codel *c, uint64_t now, uint64_t sojourn,
		      uint64_t backlog, uint32_t mtu);

/* ---- delay line -------------------------------------------------------------- */

/* Signed jitter sample (ns) of p->jitter_dist with spread p->jitter_ns:
 * uniform in [-j, j]; normal with sigma j; pareto (shape 3) with standard
 * deviation j, shifted to mean 0 (rare long delays). */
int64_t model_jitter(const struct link_params *p, struct model_rng *r);
/*
 * Delivery time of a frame leaving the shaper at `depart`: depart + delay +
 * jitter, never before depart and never before *last (the previous
 * delivery), so the delay line never reorders; *last is updated. With
 * reorder_ppb and a delay set, a frame may instead skip the delay line
 * (delivered at depart, ahead of the frames in it): *skip is set and *last
 * kept.
 */
uint64_t model_deliver_time(const struct link_params *p, struct model_rng *r,
			    uint64_t *last, uint64_t depart, bool *skip);

/* ---- loss -------------------------------------------------------------------- */

/* Gilbert-Elliott state: good (0) or bad (1). */
struct model_ge {
	uint8_t bad;
};

enum model_fate { MODEL_DELIVER, MODEL_LOST, MODEL_BURST_LOST };

/* Is the Gilbert-Elliott model on (loss_p or loss_k set)? */
bool model_ge_on(const struct link_params *p);
/*
 * Fate of one frame: random loss (loss_ppb), then Gilbert-Elliott: the frame
 * is delivered with probability k (good state; 0 means 1) or h (bad state),
 * then the state moves good->bad with p, bad->good with r (the order of
 * netem's gemodel).
 */
enum model_fate model_loss(const struct link_params *p, struct model_ge *ge,
			   struct model_rng *r);

/* ---- what a parameter set needs ------------------------------------------------ */

/* No shaping, delay, loss or other effect: frames may go straight through. */
bool model_transparent(const struct link_params *p);
/* Effects that act on each segment of a super-frame (loss, burst loss,
 * duplication, corruption): the ingress TAP must hand over single segments. */
bool model_per_segment(const struct link_params *p);
/* Is the parameter set valid (enum ranges, percentages <= 100 %)? */
bool model_params_valid(const struct link_params *p);

#endif
