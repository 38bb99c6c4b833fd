/*
 * test_trace_parse.c - vnetd's reader of mahimahi trace files and the
 * hand-over of a trace to the engine (vnetd/trace.c, included here with
 * the engine call stubbed): accepted forms, every error naming file:line,
 * the 10 M line limit, and the values the engine gets (the engine client
 * seals them in a memfd: tests/unit/test_engine_client.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../vnetd/trace.c"

/* ---- stubs of the daemon ------------------------------------------------- */

static struct {
	uint64_t id;
	int dirmask;
} last_req;
static uint32_t got_ms[16];
static size_t got_n;
static int calls;

int engine_link_trace(struct engine *e, uint64_t id, int dirmask, const uint32_t *ms, size_t n)
{
	(void)e;
	last_req.id = id;
	last_req.dirmask = dirmask;
	calls++;
	got_n = ms ? n : 0;
	if (ms && n <= 16)
		memcpy(got_ms, ms, n * sizeof(*ms));
	return 0;
}

void event_add(struct vnetd *d, const char *net, const char *node, const char *fmt, ...)
{
	(void)d;
	(void)net;
	(void)node;
	(void)fmt;
}

/* ---- helpers ----------------------------------------------------------------- */

static char path[64];

static const char *file_with(const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/test_trace.%d", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* trace_load must fail with a message containing want (after "PATH"). */
static void load_fails(const char *text, const char *want)
{
	struct vnet_err err = { "" };
	uint32_t *ms = (uint32_t *)1;
	size_t n = 99;

	assert_int_equal(trace_load(file_with(text), &ms, &n, &err), -1);
	assert_null(ms);
	assert_int_equal(n, 0);
	if (!strstr(err.msg, want) || strncmp(err.msg, path, strlen(path)))
		fail_msg("for %s: got \"%s\", want \"%s\"", text, err.msg, want);
	unlink(path);
}

/* ---- tests ------------------------------------------------------------------- */

static void test_load_ok(void **state)
{
	static const struct {
		const char *text;
		size_t n;
		uint32_t last;
	} cases[] = {
		{ "1\n", 1, 1 },
		{ "0\n5\n5\n10\n", 4, 10 },
		{ "3\n7", 2, 7 },			/* no final newline */
		{ "3\r\n7\r\n", 2, 7 },			/* CRLF */
		{ "  3\t\n 7 \n", 2, 7 },		/* blanks around */
		{ "0\n4294967295\n", 2, 4294967295u },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vnet_err err = { "" };
		uint32_t *ms;
		size_t n;

		if (trace_load(file_with(cases[i].text), &ms, &n, &err))
			fail_msg("case %zu: %s", i, err.msg);
		assert_int_equal(n, cases[i].n);
		assert_int_equal(ms[n - 1], cases[i].last);
		free(ms);
		unlink(path);
	}
}

static void test_load_errors(void **state)
{
	load_fails("1\nabc\n", ":2: expected a time in milliseconds (a whole number such "
		   "as 42), got 'abc'");
	load_fails("1\n2.5\n", ":2: expected a time in milliseconds");
	load_fails("-1\n", ":1: expected a time in milliseconds");
	load_fails("1 2\n", ":1: expected");
	load_fails("1\n\n2\n", ":2: expected a time in milliseconds (a whole number such "
		   "as 42), got an empty line");
	load_fails("5\n7\n6\n", ":3: 6 ms comes after 7 ms on line 2: times must not decrease");
	load_fails("4294967296\n", ":1: 4294967296 ms is too large");
	load_fails("", ": empty: a trace needs at least one delivery opportunity");
	load_fails("0\n0\n", ":2: the trace ends at 0 ms");
}

static void test_load_missing(void **state)
{
	struct vnet_err err = { "" };
	uint32_t *ms;
	size_t n;

	assert_int_equal(trace_load("/nonexistent/trace", &ms, &n, &err), -1);
	assert_string_equal(err.msg, "cannot read trace /nonexistent/trace: No such file or "
			    "directory");
}

static void test_load_line_limit(void **state)
{
	struct vnet_err err = { "" };
	uint32_t *ms;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/test_trace.%d", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	for (unsigned i = 0; i < TRACE_MAX_LINES; i++)
		fputs("1\n", f);
	fclose(f);
	assert_int_equal(trace_load(path, &ms, &n, &err), 0);
	assert_int_equal(n, TRACE_MAX_LINES);
	free(ms);
	f = fopen(path, "a");
	fputs("2\n", f);
	fclose(f);
	assert_int_equal(trace_load(path, &ms, &n, &err), -1);
	assert_non_null(strstr(err.msg, ":10000001: more than 10000000 lines"));
	unlink(path);
}

static void test_change_parse(void **state)
{
	struct trace_change tc = { 0 };
	struct vnet_err err = { "" };

	assert_int_equal(trace_change_parse(&tc, "none", &err), 0);
	assert_true(tc.set);
	assert_string_equal(tc.path, "");
	assert_int_equal(trace_change_parse(&tc, "traces/lte.up", &err), -1);
	assert_string_equal(err.msg, "bad trace 'traces/lte.up': expected the absolute path "
			    "of a mahimahi trace file, or none");
	assert_false(tc.set);
	assert_int_equal(trace_change_parse(&tc, file_with("2\n4\n"), &err), 0);
	assert_int_equal(tc.n, 2);
	assert_string_equal(tc.path, path);
	trace_change_free(&tc);
	assert_null(tc.ms);
	unlink(path);
}

/* Both steps of a trace change, as the API makes them. */
static int trace_apply(struct vnetd *d, struct vnet_network *n, int link, int dirmask,
		       const char *value, struct vnet_err *err)
{
	struct trace_change tc = { 0 };

	if (trace_change_parse(&tc, value, err))
		return -1;
	return trace_change_apply(d, n, link, dirmask, &tc, err);
}

static void test_apply_and_replay(void **state)
{
	struct topo_link tl = { .name = "r1-r2" };
	struct link_rt lr = { .id = 42, .created = 1 };
	struct vnet_network n = { 0 };
	struct vnetd d = { 0 };
	struct vnet_err err = { "" };

	snprintf(n.spec.name, sizeof(n.spec.name), "red");
	n.spec.links = &tl;
	n.spec.nlinks = 1;
	n.links = &lr;

	/* forward only: the engine gets the values */
	calls = 0;
	assert_int_equal(trace_apply(&d, &n, 0, 1, file_with("1\n2\n3\n"), &err), 0);
	assert_int_equal(calls, 1);
	assert_int_equal(last_req.id, 42);
	assert_int_equal(last_req.dirmask, 1);
	assert_int_equal(got_n, 3);
	assert_int_equal(got_ms[2], 3);
	assert_string_equal(lr.trace[0], path);
	assert_string_equal(lr.trace[1], "");

	/* a bad file changes nothing */
	assert_int_equal(trace_apply(&d, &n, 0, 3, file_with("3\n1\n"), &err), -1);
	assert_int_equal(calls, 1);
	assert_string_equal(lr.trace[1], "");

	/* replay after the engine link is re-made: both directions, one call */
	assert_int_equal(trace_apply(&d, &n, 0, 3, file_with("5\n"), &err), 0);
	calls = 0;
	trace_replay(&d, &n, 0);
	assert_int_equal(calls, 1);
	assert_int_equal(last_req.dirmask, 3);
	assert_int_equal(got_n, 1);

	/* a stopped network's link only remembers it */
	lr.created = 0;
	calls = 0;
	assert_int_equal(trace_apply(&d, &n, 0, 2, "none", &err), 0);
	assert_int_equal(calls, 0);
	assert_string_equal(lr.trace[1], "");
	assert_string_equal(lr.trace[0], path);

	/* none: no fd */
	lr.created = 1;
	assert_int_equal(trace_apply(&d, &n, 0, 1, "none", &err), 0);
	assert_int_equal(calls, 1);
	assert_int_equal(got_n, 0);
	assert_string_equal(lr.trace[0], "");

	/* a file gone by the time of a replay is dropped, with an event */
	assert_int_equal(trace_apply(&d, &n, 0, 1, file_with("5\n"), &err), 0);
	unlink(path);
	calls = 0;
	trace_replay(&d, &n, 0);
	assert_int_equal(calls, 0);
	assert_string_equal(lr.trace[0], "");

	/* the stored run-time state carries the paths to a restarted vnetd */
	assert_null(trace_runtime_json(&n, 0));
	snprintf(lr.trace[1], sizeof(lr.trace[1]), "/t/up");
	json_t *rt = trace_runtime_json(&n, 0);
	struct link_rt lr2 = { 0 };

	n.links = &lr2;
	trace_adopt(&n, 0, rt);
	assert_string_equal(lr2.trace[0], "");
	assert_string_equal(lr2.trace[1], "/t/up");
	json_decref(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_ok),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_load_line_limit),
		cmocka_unit_test(test_change_parse),
		cmocka_unit_test(test_apply_and_replay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
