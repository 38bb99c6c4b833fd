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

#include <string.h>

static const char *const link_props[] = {
#define X(e, name, field, kind) name,
	LINKP_PROPS(X)
#undef X
	NULL
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
		fmt_value(&b, ends);
		printf(" (%s)", sbuf_str(&b));
	}
	putchar('\n');
	link_dir_labels(link, &lf, &lr);
	sbuf_reset(&b);
	fmt_props(&b, json_object_get(link, "forward"));
	print_kv(indent + 2, sbuf_str(&lf), "%s", sbuf_str(&b));
	sbuf_reset(&b);
	fmt_props(&b, json_object_get(link, "reverse"));
	print_kv(indent + 2, sbuf_str(&lr), "%s", sbuf_str(&b));
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

int cmd_link_stats(struct cli *cli, int argc, char **argv)
{
	return link_request(cli, argc, argv, "GET", "/stats", stats_text);
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
		if (json_object_set_new(set, props[i].key, json_string(props[i].value)) < 0) {
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
