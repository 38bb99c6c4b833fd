/*
 * trace.h - trace-driven links: a direction of a link follows a delivery
 * opportunity trace in mahimahi's format (docs/engine.md, "Traces") instead
 * of its token bucket. vnetd reads and checks the file, hands the engine
 * its values in a sealed memfd (ENG_LINK_TRACE) and remembers the path per
 * direction (struct link_rt.trace), so `vnet link show` shows it and a
 * re-created engine link (engine restart, network start) gets it again.
 */
#ifndef VNETD_TRACE_H
#define VNETD_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "engine_proto.h"
#include "vnetd.h"

/* Longest trace file, in lines (= delivery opportunities): what the engine
 * takes. */
#define TRACE_MAX_LINES ENG_TRACE_MAX

/*
 * Read a mahimahi trace: one whole number of milliseconds per line, never
 * decreasing, at least one line, the last one > 0 (the trace repeats
 * after that many ms). Strict: anything else is an error naming
 * "file:line". On success *ms (malloc'd, the caller frees) holds *n values.
 */
int trace_load(const char *path, uint32_t **ms, size_t *n, struct vnet_err *err);

/*
 * A link follows a trace, in two steps so that a request checks all its
 * parts before it changes anything: parse value ("/abs/path", or "none" to
 * go back to the token bucket) and load the file into tc; then apply it to
 * the directions of dirmask (bit 0 forward, bit 1 reverse) of link `link`
 * from now on (a stopped network's link gets it when it starts), which
 * frees what parse took.
 */
struct trace_change {
	int set;		/* a change was parsed */
	char path[256];		/* "" = none */
	uint32_t *ms;
	size_t n;
};

int trace_change_parse(struct trace_change *tc, const char *value, struct vnet_err *err);
int trace_change_apply(struct vnetd *d, struct vnet_network *n, int link, int dirmask,
		       struct trace_change *tc, struct vnet_err *err);
void trace_change_free(struct trace_change *tc);

/* The link was (re-)created in the engine: give it its traces again. */
void trace_replay(struct vnetd *d, struct vnet_network *n, int link);

/* The trace paths of a link for the stored run-time state (NULL when it
 * has none), and back when a restarted vnetd adopts the link. */
json_t *trace_runtime_json(const struct vnet_network *n, int link);
void trace_adopt(struct vnet_network *n, int link, const json_t *rt);

#endif
