/*
 * cmd_link.c - the commands on one virtual link: `vnet link show`,
 * `stats`, `set`, `up` and `down`, and print_link(), the detail view of a
 * link that `vnet status` reuses.
 *
 * A link has two directions, "forward" (ends[0] -> ends[1]) and "reverse",
 * each with its own properties and counters; they are labelled "r1>r2" and
 * "r2>r1" as in `vnet link set LINK ... dir=r1>r2`. Property names come
 * from LINKP_PROPS (lib/linkparams.h); their values are sent as strings
 * and vnetd checks them.
 */
#include "cli.h"
#include "args.h"
#include "linkparams.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The properties of LINKP_PROPS, plus the two that are not a number:
 * profile=on|off (topology profiles) and trace=FILE|none (delivery traces). */
static const char *const link_props[] = {
#define X(e, name, field, kind) name,
	LINKP_PROPS(X)
#undef X
	"profile", "trace", NULL
};

void link_dir_labels(json_t *link, struct sbuf *fwd, struct sbuf *rev)
{
	json_t *ends = json_object_get(link, "ends");
	const char *a = json_string_value(json_array_get(ends, 0));
	const char *b = json_string_value(json_array_get(ends, 1));

	if (a && b) {
		sbuf_printf(fwd, "%s>%s", a, b);
		sbuf_printf(rev, "%s>%s", b, a);
	} else {
		sbuf_puts(fwd, "forward");
		sbuf_puts(rev, "reverse");
	}
}

static int props_empty(json_t *p)
{
	return !json_is_object(p) || json_object_size(p) == 0;
}

void fmt_link_props(struct sbuf *b, json_t *link)
{
	json_t *fwd = json_object_get(link, "forward"), *rev = json_object_get(link, "reverse");
	struct sbuf lf = { 0 }, lr = { 0 };

	if (props_empty(fwd) && props_empty(rev)) {
		sbuf_puts(b, "-");
		return;
	}
	if (json_equal(fwd, rev)) {
		fmt_props(b, fwd);
		return;
	}
	link_dir_labels(link, &lf, &lr);
	sbuf_printf(b, "%s: ", sbuf_str(&lf));
	fmt_props(b, fwd);
	sbuf_printf(b, "; %s: ", sbuf_str(&lr));
	fmt_props(b, rev);
	sbuf_free(&lf);
	sbuf_free(&lr);
}

static void link_label(struct sbuf *b, json_t *link, const char *given, int full)
{
	const char *net = jstr(link, "network"), *name = jstr(link, "name");

	if (!name)
		sbuf_puts(b, given ? given : "-");
	else if (full && net)
		sbuf_printf(b, "%s/%s", net, name);
	else
		sbuf_puts(b, name);
}

void print_link(json_t *link, int indent, int full_name)
{
	json_t *ends = json_object_get(link, "ends");
	const char *state = jstr(link, "state");
	struct sbuf b = { 0 }, lf = { 0 }, lr = { 0 };

	link_label(&b, link, NULL, full_name);
	printf("%*slink %s: %s", indent, "", sbuf_str(&b), state ? state : "-");
	if (json_is_false(json_object_get(link, "carrier")))
		printf(", no carrier");
	if (json_array_size(ends) == 2) {
		sbuf_reset(&b);
		fmt_value(&b, json_array_get(ends, 0));
		sbuf_puts(&b, "<->");
		fmt_value(&b, json_array_get(ends, 1));
		printf(" (%s)", sbuf_str(&b));
	}
	putchar('\n');
	if (json_array_size(json_object_get(link, "path"))) {
		json_t *hop;
		size_t k;

		sbuf_reset(&b);
		json_array_foreach(json_object_get(link, "path"), k, hop)
			sbuf_printf(&b, "%s%s", k ? " -> " : "", json_string_value(hop) ?: "?");
		print_kv(indent + 2, "path", "%s", sbuf_str(&b));
	}
	link_dir_labels(link, &lf, &lr);
	sbuf_reset(&b);
	fmt_props(&b, json_object_get(link, "forward"));
	print_kv(indent + 2, sbuf_str(&lf), "%s", sbuf_str(&b));
	sbuf_reset(&b);
	fmt_props(&b, json_object_get(link, "reverse"));
	print_kv(indent + 2, sbuf_str(&lr), "%s", sbuf_str(&b));
	if (json_is_object(json_object_get(link, "profile"))) {
		json_t *p = json_object_get(link, "profile");
		json_t *step = json_object_get(p, "step"), *steps = json_object_get(p, "steps");
		json_t *next = json_object_get(p, "next_in_ms");

		sbuf_reset(&b);
		sbuf_puts(&b, jstr(p, "state") ?: "-");
		if (json_is_integer(step) && json_is_integer(steps))
			sbuf_printf(&b, ", step %" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT,
				    json_integer_value(step) + 1, json_integer_value(steps));
		if (json_is_true(json_object_get(p, "repeat")))
			sbuf_printf(&b, ", repeating every %s", jstr(p, "period") ?: "-");
		if (json_is_integer(next))
			sbuf_printf(&b, ", next step in %.1fs",
				    (double)json_integer_value(next) / 1000);
		print_kv(indent + 2, "profile", "%s", sbuf_str(&b));
	}
	sbuf_free(&b);
	sbuf_free(&lf);
	sbuf_free(&lr);
}

static void link_text(json_t *link, const char *given)
{
	if (!jstr(link, "name") && given)
		printf("link %s: updated\n", given);
	else
		print_link(link, 0, 1);
}

/* Flatten nested counters: {"drops": {"queue": 1}} -> "drops.queue": 1. */
static void flatten(json_t *out, const char *prefix, json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		struct sbuf k = { 0 };

		sbuf_printf(&k, "%s%s%s", prefix, *prefix ? "." : "", key);
		if (json_is_object(v))
			flatten(out, sbuf_str(&k), v);
		else
			json_object_set(out, sbuf_str(&k), v);
		sbuf_free(&k);
	}
}

static void stats_text(json_t *resp, const char *given)
{
	json_t *stats = json_object_get(resp, "stats");
	json_t *fwd, *rev, *ff = json_object(), *fr = json_object(), *keys = json_object(), *v;
	struct sbuf b = { 0 }, lf = { 0 }, lr = { 0 };
	struct table *t;
	const char *key;

	if (!json_is_object(stats))
		stats = resp;
	fwd = json_object_get(stats, "forward");
	rev = json_object_get(stats, "reverse");
	flatten(ff, "", fwd);
	flatten(fr, "", rev);
	json_object_update(keys, ff);
	json_object_update_missing(keys, fr);

	link_label(&b, resp, given, 1);
	printf("link %s", sbuf_str(&b));
	if (jstr(resp, "state"))
		printf(": %s", jstr(resp, "state"));
	putchar('\n');
	if (!json_object_size(keys)) {
		puts("  no counters");
		goto out;
	}
	link_dir_labels(resp, &lf, &lr);
	t = table_new(3, "COUNTER", sbuf_str(&lf), sbuf_str(&lr));
	json_object_foreach(keys, key, v) {
		table_add(t, key);
		sbuf_reset(&b);
		fmt_value(&b, json_object_get(ff, key));
		table_add(t, sbuf_str(&b));
		sbuf_reset(&b);
		fmt_value(&b, json_object_get(fr, key));
		table_add(t, sbuf_str(&b));
	}
	table_print(t, stdout, 2);
	table_free(t);
out:
	json_decref(ff);
	json_decref(fr);
	json_decref(keys);
	sbuf_free(&b);
	sbuf_free(&lf);
	sbuf_free(&lr);
}

static void link_state_text(json_t *link, const char *given)
{
	struct sbuf b = { 0 };

	link_label(&b, link, given, 1);
	printf("link %s: %s", sbuf_str(&b), jstr(link, "state") ?: "ok");
	if (json_is_false(json_object_get(link, "carrier")) && jstr(link, "state") &&
	    strcmp(jstr(link, "state"), "up") == 0)
		printf(", no carrier");
	putchar('\n');
	sbuf_free(&b);
}

static int link_request(struct cli *cli, int argc, char **argv, const char *method,
			const char *suffix, void (*text)(json_t *, const char *))
{
	char path[512];
	json_t *resp;
	int rc;

	if ((rc = cli_expect_args(cli, argc, argv, 1)) ||
	    (rc = cli_ref_path(cli, ARGS_LINK, argv[0], "/v1/links", suffix, path, sizeof(path))))
		return rc;
	if (client_call(cli, method, path, NULL, &resp) < 0)
		return CLI_EXIT_FAIL;
	print_result(cli, resp, text, argv[0]);
	json_decref(resp);
	return CLI_EXIT_OK;
}

int cmd_link_show(struct cli *cli, int argc, char **argv)
{
	return link_request(cli, argc, argv, "GET", NULL, link_text);
}

/* ---- vnet link stats LINK --watch ---------------------------------------- */

static volatile sig_atomic_t watch_stop;

static void watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fmt_bps(struct sbuf *b, double bps)
{
	if (bps < 0)
		sbuf_puts(b, "-");
	else if (bps >= 1e9)
		sbuf_printf(b, "%.2f Gbit/s", bps / 1e9);
	else if (bps >= 1e6)
		sbuf_printf(b, "%.2f Mbit/s", bps / 1e6);
	else if (bps >= 1e3)
		sbuf_printf(b, "%.1f kbit/s", bps / 1e3);
	else
		sbuf_printf(b, "%.0f bit/s", bps);
}

/* One row: label, then the value of key (in stats[dir]) for both directions. */
static void watch_row(struct table *t, const char *label, json_t *dirs[2], const char *key,
		      int bytes)
{
	table_add(t, label);
	for (int k = 0; k < 2; k++) {
		json_t *v = json_object_get(dirs[k], key);
		struct sbuf b = { 0 };

		if (!json_is_integer(v))
			sbuf_puts(&b, "-");
		else if (bytes)
			fmt_bytes(&b, (double)json_integer_value(v));
		else
			sbuf_printf(&b, "%lld", (long long)json_integer_value(v));
		table_add(t, sbuf_str(&b));
		sbuf_free(&b);
	}
}

static void watch_text(json_t *resp, const char *name, const char *lab[2],
		       const double rate[2], int tty)
{
	json_t *stats = json_object_get(resp, "stats"), *dirs[2], *drops[2], *v;
	char when[32];
	time_t now = time(NULL);
	struct table *t;
	const char *key;

	dirs[0] = json_object_get(stats, "forward");
	dirs[1] = json_object_get(stats, "reverse");
	drops[0] = json_object_get(dirs[0], "drops");
	drops[1] = json_object_get(dirs[1], "drops");
	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	if (tty)
		fputs("\033[H\033[2J", stdout);
	else
		putchar('\n');
	printf("link %s  %s%s\n", name, when, tty ? "  (every second; Ctrl-C stops)" : "");
	t = table_new(3, "COUNTER", lab[0], lab[1]);
	table_add(t, "rate");
	for (int k = 0; k < 2; k++) {
		struct sbuf b = { 0 };

		fmt_bps(&b, rate[k]);
		table_add(t, sbuf_str(&b));
		sbuf_free(&b);
	}
	watch_row(t, "frames in", dirs, "rx_frames", 0);
	watch_row(t, "bytes in", dirs, "rx_bytes", 1);
	watch_row(t, "frames out", dirs, "tx_frames", 0);
	watch_row(t, "bytes out", dirs, "tx_bytes", 1);
	watch_row(t, "queue frames", dirs, "queue_frames", 0);
	watch_row(t, "queue bytes", dirs, "queue_bytes", 1);
	json_object_foreach(drops[0] ? drops[0] : drops[1], key, v) {
		struct sbuf l = { 0 };

		sbuf_printf(&l, "drops %s", key);
		watch_row(t, sbuf_str(&l), drops, key, 0);
		sbuf_free(&l);
	}
	watch_row(t, "duplicated", dirs, "duplicated", 0);
	watch_row(t, "corrupted", dirs, "corrupted", 0);
	watch_row(t, "reordered", dirs, "reordered", 0);
	watch_row(t, "capture_dropped", dirs, "capture_dropped", 0);
	table_print(t, stdout, 2);
	table_free(t);
	fflush(stdout);
}

/*
 * Every second: the counters of both directions and the rate each delivered
 * over the last second (from tx_bytes, measured here). On a terminal the
 * screen is redrawn; otherwise one block follows another (with --json, one
 * object per line). Ends on Ctrl-C or SIGTERM.
 */
static int stats_watch(struct cli *cli, const char *ref)
{
	struct sigaction sa = { .sa_handler = watch_signal }, old_int, old_term;
	char path[512], spath[512];
	struct sbuf lf = { 0 }, lr = { 0 }, name = { 0 };
	const char *lab[2];
	double prev_t = 0, prev_b[2] = { 0, 0 };
	int rc, tty = isatty(STDOUT_FILENO), ret = CLI_EXIT_OK;
	json_t *link;

	if ((rc = cli_ref_path(cli, ARGS_LINK, ref, "/v1/links", NULL, path, sizeof(path))) ||
	    (rc = cli_ref_path(cli, ARGS_LINK, ref, "/v1/links", "/stats", spath,
			       sizeof(spath))))
		return rc;
	if (client_call(cli, "GET", path, NULL, &link) < 0)
		return CLI_EXIT_FAIL;
	link_dir_labels(link, &lf, &lr);
	link_label(&name, link, ref, 1);
	json_decref(link);
	lab[0] = sbuf_str(&lf);
	lab[1] = sbuf_str(&lr);

	sigemptyset(&sa.sa_mask);	/* no SA_RESTART: the sleep ends at once */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	for (double next = mono_s(); !watch_stop;) {
		double rate[2] = { -1, -1 }, t;
		json_t *resp, *dirs;

		if (client_call(cli, "GET", spath, NULL, &resp) < 0) {
			ret = CLI_EXIT_FAIL;
			break;
		}
		t = mono_s();
		dirs = json_object_get(resp, "stats");
		for (int k = 0; k < 2; k++) {
			json_t *d = json_object_get(dirs, k ? "reverse" : "forward");
			double b = (double)json_integer_value(json_object_get(d, "tx_bytes"));

			if (prev_t > 0 && t > prev_t && b >= prev_b[k])
				rate[k] = (b - prev_b[k]) * 8 / (t - prev_t);
			prev_b[k] = b;
		}
		prev_t = t;
		if (cli->json) {
			json_object_set_new(resp, "time", json_real((double)time(NULL)));
			json_object_set_new(resp, "rate_bps", json_pack("{s:o?, s:o?}",
				"forward", rate[0] >= 0 ? json_real(rate[0]) : NULL,
				"reverse", rate[1] >= 0 ? json_real(rate[1]) : NULL));
			json_dumpf(resp, stdout, JSON_COMPACT);
			putchar('\n');
			fflush(stdout);
		} else {
			watch_text(resp, sbuf_str(&name), lab, rate, tty);
		}
		json_decref(resp);
		next += 1.0;
		while (!watch_stop) {
			double left = next - mono_s();
			struct timespec ts;

			if (left <= 0)
				break;
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
			nanosleep(&ts, NULL);
		}
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sbuf_free(&lf);
	sbuf_free(&lr);
	sbuf_free(&name);
	return ret;
}

int cmd_link_stats(struct cli *cli, int argc, char **argv)
{
	char path[512];
	json_t *resp, *link;
	int i, j, rc, watch = 0;

	for (i = j = 0; i < argc; i++) {
		if (strcmp(argv[i], "--watch") == 0 || strcmp(argv[i], "-w") == 0)
			watch = 1;
		else
			argv[j++] = argv[i];
	}
	argc = j;
	if (watch) {
		rc = cli_expect_args(cli, argc, argv, 1);
		return rc ? rc : stats_watch(cli, argv[0]);
	}
	if ((rc = cli_expect_args(cli, argc, argv, 1)) ||
	    (rc = cli_ref_path(cli, ARGS_LINK, argv[0], "/v1/links", "/stats", path,
			       sizeof(path))))
		return rc;
	if (client_call(cli, "GET", path, NULL, &resp) < 0)
		return CLI_EXIT_FAIL;
	/* The counters come without the ends that name the directions. */
	if (!cli->json && !json_object_get(resp, "ends") &&
	    cli_ref_path(cli, ARGS_LINK, argv[0], "/v1/links", NULL, path, sizeof(path)) == 0 &&
	    client_call(cli, "GET", path, NULL, &link) == 0) {
		json_object_set(resp, "ends", json_object_get(link, "ends"));
		json_object_set(resp, "state", json_object_get(link, "state"));
		json_decref(link);
	}
	print_result(cli, resp, stats_text, argv[0]);
	json_decref(resp);
	return CLI_EXIT_OK;
}

int cmd_link_up(struct cli *cli, int argc, char **argv)
{
	return link_request(cli, argc, argv, "POST", "/up", link_state_text);
}

int cmd_link_down(struct cli *cli, int argc, char **argv)
{
	return link_request(cli, argc, argv, "POST", "/down", link_state_text);
}

int cmd_link_set(struct cli *cli, int argc, char **argv)
{
	struct args_prop props[ARGS_PROPS_MAX];
	char path[512], err[1024];
	const char *dir;
	json_t *set, *body, *resp;
	int rc, n, i;

	if (argc < 1 || argv[0][0] == '-')
		return cli_expect_args(cli, argc > 1 ? 1 : argc, argv, 1);
	if ((rc = cli_ref_path(cli, ARGS_LINK, argv[0], "/v1/links", NULL, path, sizeof(path))))
		return rc;
	n = args_props_parse(argc - 1, argv + 1, link_props, &dir, props, ARGS_PROPS_MAX,
			     err, sizeof(err));
	if (n < 0)
		return cli_usage_error(cli, "%s", err);
	set = json_object();
	for (i = 0; i < n; i++) {
		const char *value = props[i].value;
		char abs[PATH_MAX];

		/* vnetd reads trace files itself: send it an absolute path */
		if (!strcmp(props[i].key, "trace") && strcmp(value, "none") && value[0] != '/') {
			if (!realpath(value, abs)) {
				json_decref(set);
				return cli_fail(cli, "trace file '%s': %s", value, strerror(errno));
			}
			value = abs;
		}
		if (json_object_set_new(set, props[i].key, json_string(value)) < 0) {
			json_decref(set);
			return cli_usage_error(cli, "the value of '%s' is not UTF-8 text",
					       props[i].key);
		}
	}
	body = json_pack("{s:o, s:s*}", "set", set, "dir", dir);
	rc = client_call(cli, "PATCH", path, body, &resp);
	json_decref(body);
	if (rc < 0)
		return CLI_EXIT_FAIL;
	print_result(cli, resp, link_text, argv[0]);
	json_decref(resp);
	return CLI_EXIT_OK;
}
