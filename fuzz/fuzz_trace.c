/*
 * fuzz_trace.c - libFuzzer target for vnetd's reader of mahimahi trace
 * files (trace_parse in vnetd/trace.c, included here with the daemon calls
 * stubbed, as tests/unit/test_trace_parse.c does).
 *
 * An accepted input must be a valid trace for the engine too
 * (model_trace_init's rules: at least one value, never decreasing, the
 * last > 0, at most TRACE_MAX_LINES); a refusal must be one line that
 * names the input. Any crash, leak or sanitizer report is a bug.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vnetd/trace.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int engine_link_trace(struct engine *e, uint64_t id, int dirmask, const uint32_t *ms, size_t n)
{
	(void)e;
	(void)id;
	(void)dirmask;
	(void)ms;
	(void)n;
	return -ENOTCONN;
}

void event_add(struct vnetd *d, const char *net, const char *node, const char *fmt, ...)
{
	(void)d;
	(void)net;
	(void)node;
	(void)fmt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vnet_err err = { "" };
	FILE *f = fmemopen(size ? (void *)data : (void *)"", size, "r");
	uint32_t *ms;
	size_t n;

	if (!f)
		return 0;
	if (trace_parse(f, "in.trace", &ms, &n, &err) == 0) {
		if (!n || n > TRACE_MAX_LINES || !ms[n - 1])
			abort();
		for (size_t i = 1; i < n; i++)
			if (ms[i] < ms[i - 1])
				abort();
		free(ms);
	} else if (ms || n || strncmp(err.msg, "in.trace", 8) || strchr(err.msg, '\n')) {
		abort();
	}
	fclose(f);
	return 0;
}
