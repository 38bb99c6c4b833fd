/*
 * linkparams.h - the model of one direction of a virtual link.
 *
 * The same struct travels from the topology file through vnetd's state store
 * to vnet-engine (it is part of the engine's wire protocol, so it holds only
 * fixed-size fields). Properties are named once, in LINKP_PROPS: the topology
 * parser, the API ("vnet link set ... delay=20ms") and the printers all use
 * that table, so the names and units never drift apart.
 *
 * A change is partial: linkp_set() parses "key=value" into a struct and sets
 * the key's bit in a mask; linkp_apply() copies only the masked fields.
 */
#ifndef VNET_LINKPARAMS_H
#define VNET_LINKPARAMS_H

#include <stddef.h>
#include <stdint.h>

#define LINKP_DEFAULT_QUEUE_PKTS 1000
#define LINKP_DEFAULT_MTU 1500

#define LINKP_JITTER_DISTS(X) \
	X(UNIFORM, "uniform") \
	X(NORMAL, "normal") \
	X(PARETO, "pareto")

enum linkp_jitter_dist {
#define X(e, s) LINKP_JITTER_##e,
	LINKP_JITTER_DISTS(X)
#undef X
};

struct link_params {
	uint64_t rate_bps;	/* bandwidth; 0 = unlimited */
	uint64_t delay_ns;	/* one-way delay */
	uint64_t jitter_ns;	/* delay variation */
	uint32_t burst_bytes;	/* token bucket depth; 0 = automatic */
	uint32_t queue_pkts;	/* drop-tail limit in frames; 0 = default */
	uint32_t queue_bytes;	/* drop-tail limit in bytes; 0 = none */
	uint32_t mtu;		/* largest L3 packet; 0 = default 1500 */
	uint32_t loss_ppb;	/* random loss, parts per billion */
	uint32_t ge_p_ppb;	/* Gilbert-Elliott: P(good -> bad) per frame */
	uint32_t ge_r_ppb;	/* Gilbert-Elliott: P(bad -> good) per frame */
	uint32_t ge_k_ppb;	/* Gilbert-Elliott: P(deliver | good), 0 = 1 */
	uint32_t ge_h_ppb;	/* Gilbert-Elliott: P(deliver | bad) */
	uint32_t dup_ppb;	/* duplication */
	uint32_t corrupt_ppb;	/* single bit flip in the payload */
	uint32_t reorder_ppb;	/* frames sent ahead of the delay line */
	uint8_t jitter_dist;	/* enum linkp_jitter_dist */
	uint8_t codel;		/* 1 = CoDel AQM on the queue */
	uint8_t pad[6];
};

/* X(ENUM, name, field, kind): the user-visible properties of a direction. */
#define LINKP_PROPS(X) \
	X(BANDWIDTH, "bandwidth", rate_bps, LINKP_RATE) \
	X(BURST, "burst", burst_bytes, LINKP_SIZE) \
	X(DELAY, "delay", delay_ns, LINKP_TIME) \
	X(JITTER, "jitter", jitter_ns, LINKP_TIME) \
	X(JITTER_DIST, "jitter_dist", jitter_dist, LINKP_DIST) \
	X(QUEUE, "queue", queue_pkts, LINKP_COUNT) \
	X(QUEUE_BYTES, "queue_bytes", queue_bytes, LINKP_SIZE) \
	X(MTU, "mtu", mtu, LINKP_COUNT) \
	X(LOSS, "loss", loss_ppb, LINKP_PERCENT) \
	X(GE_P, "loss_p", ge_p_ppb, LINKP_PERCENT) \
	X(GE_R, "loss_r", ge_r_ppb, LINKP_PERCENT) \
	X(GE_K, "loss_k", ge_k_ppb, LINKP_PERCENT) \
	X(GE_H, "loss_h", ge_h_ppb, LINKP_PERCENT) \
	X(DUPLICATE, "duplicate", dup_ppb, LINKP_PERCENT) \
	X(CORRUPT, "corrupt", corrupt_ppb, LINKP_PERCENT) \
	X(REORDER, "reorder", reorder_ppb, LINKP_PERCENT) \
	X(CODEL, "codel", codel, LINKP_BOOL)

enum linkp_kind { LINKP_RATE, LINKP_SIZE, LINKP_TIME, LINKP_DIST, LINKP_COUNT,
		  LINKP_PERCENT, LINKP_BOOL };

enum linkp_prop {
#define X(e, name, field, kind) LINKP_##e,
	LINKP_PROPS(X)
#undef X
	LINKP__COUNT
};

#define LINKP_BIT(p) (1u << (p))

/* Property by name, or -1. */
int linkp_lookup(const char *name);
const char *linkp_name(enum linkp_prop p);
/* Parse value for property key into p and set its bit in *mask. On error
 * fills err ("unknown link property 'x' (known: ...)" or "bad delay '5 ms':
 * expected ...") and returns -1. */
int linkp_set(struct link_params *p, uint32_t *mask, const char *key,
	      const char *value, char *err, size_t errlen);
/* Copy the fields whose bits are in mask from src to dst. */
void linkp_apply(struct link_params *dst, const struct link_params *src, uint32_t mask);
/* Print property p of params in its unit ("100mbit"); returns buf. */
const char *linkp_fmt(const struct link_params *params, enum linkp_prop p,
		      char *buf, size_t n);
/* "delay=30ms loss=1%" of the properties in mask (LINKP_BIT()s) into buf;
 * returns the length written (at most n - 1). */
size_t linkp_fmt_list(char *buf, size_t n, const struct link_params *params, uint32_t mask);
/* Is property p different from its default (zero)? */
int linkp_is_set(const struct link_params *params, enum linkp_prop p);
/* Initialise to defaults (unlimited, no delay, no loss). */
void linkp_init(struct link_params *p);

#endif
