/*
 * cmd_router.c - the commands on one router or host: `vnet router show`,
 * `start`, `stop`, `pause`, `resume`, `set` and `vnet logs`, and
 * print_node(), the detail view of a router or host that `vnet status`
 * reuses. Hosts are managed with the same `vnet router` commands; the API
 * calls both nodes (/v1/nodes).
 *
 * NODE is NET/NAME or a bare NAME; it goes into the URL path as given
 * (each segment percent-encoded) and vnetd resolves it (404 unknown, 409
 * ambiguous). `router set` sends its values as strings; vnetd checks them.
 * `router add` and `del` are in cmd_live.c, `save`, `restore` and `copy` in
 * cmd_image.c, and `vnet exec` in exec.c.
 */
#include "cli.h"
#include "args.h"

#include <string.h>

static const char *const node_props[] = { "cpu", "memory", NULL };

/* "red/r1" from the node's own fields, else what the user typed. */
static void node_label(struct sbuf *b, json_t *node, const char *given)
{
	const char *net = jstr(node, "network"), *name = jstr(node, "name");

	if (name)
		sbuf_printf(b, "%s%s%s", net ? net : "", net ? "/" : "", name);
	else
		sbuf_puts(b, given ? given : "-");
}

static void print_resources(json_t *node, int indent)
{
	json_t *usage = json_object_get(node, "usage");
	json_t *cpu_ns = json_object_get(usage, "cpu_ns");
	json_t *mem = json_object_get(usage, "memory_bytes");
	struct sbuf b = { 0 };

	sbuf_puts(&b, jstr(node, "cpu") ? jstr(node, "cpu") : "no limit");
	if (json_is_number(cpu_ns)) {
		sbuf_puts(&b, " (used ");
		fmt_seconds(&b, json_number_value(cpu_ns));
		sbuf_puts(&b, ")");
	}
	print_kv(indent, "cpu", "%s", sbuf_str(&b));
	sbuf_reset(&b);
	sbuf_puts(&b, jstr(node, "memory") ? jstr(node, "memory") : "no limit");
	if (json_is_number(mem)) {
		sbuf_puts(&b, " (using ");
		fmt_bytes(&b, json_number_value(mem));
		sbuf_puts(&b, ")");
	}
	print_kv(indent, "memory", "%s", sbuf_str(&b));
	sbuf_free(&b);
}

static void print_routing(json_t *node, int indent)
{
	json_t *r = json_object_get(node, "routing");
	json_t *protos = json_object_get(r, "protocols"), *p;
	struct sbuf b = { 0 };
	struct table *t;
	size_t i;

	if (!json_is_object(r) || !jstr(r, "daemon")) {
		print_kv(indent, "routing", "%s", json_is_object(r) ? "none" : "-");
		return;
	}
	sbuf_printf(&b, "%s %s", jstr(r, "daemon"), jstr(r, "state") ?: "-");
	if (json_integer_value(json_object_get(r, "pid")) > 0)
		sbuf_printf(&b, ", pid %" JSON_INTEGER_FORMAT,
			    json_integer_value(json_object_get(r, "pid")));
	if (json_is_integer(json_object_get(r, "restarts")))
		sbuf_printf(&b, ", %" JSON_INTEGER_FORMAT " restart%s",
			    json_integer_value(json_object_get(r, "restarts")),
			    json_integer_value(json_object_get(r, "restarts")) == 1 ? "" : "s");
	print_kv(indent, "routing", "%s", sbuf_str(&b));
	if (json_array_size(protos)) {
		t = table_new(4, "PROTOCOL", "TYPE", "STATE", "INFO");
		json_array_foreach(protos, i, p) {
			table_add(t, jstr(p, "name"));
			table_add(t, jstr(p, "proto"));
			table_add(t, jstr(p, "state"));
			table_add(t, jstr(p, "info"));
		}
		table_print(t, stdout, indent + 2);
		table_free(t);
	}
	sbuf_free(&b);
}

static void print_interfaces(json_t *node, int indent)
{
	json_t *ifs = json_object_get(node, "interfaces"), *ifc;
	struct sbuf b = { 0 };
	struct table *t;
	size_t i;

	if (!json_is_array(ifs)) {
		print_kv(indent, "interfaces", "-");
		return;
	}
	if (!json_array_size(ifs)) {
		print_kv(indent, "interfaces", "none");
		return;
	}
	printf("%*sinterfaces\n", indent, "");
	t = table_new(5, "NAME", "MAC", "ADDRESSES", "LINK", "PEER");
	json_array_foreach(ifs, i, ifc) {
		table_add(t, jstr(ifc, "name"));
		table_add(t, jstr(ifc, "mac"));
		table_add(t, jtext(ifc, "addresses", &b));
		table_add(t, jstr(ifc, "link"));
		table_add(t, jstr(ifc, "peer"));
	}
	table_print(t, stdout, indent + 2);
	table_free(t);
	sbuf_free(&b);
}

void print_node(json_t *node, int indent, int full_name)
{
	const char *kind = jstr(node, "kind"), *state = jstr(node, "state");
	json_int_t pid = json_integer_value(json_object_get(node, "pid"));
	json_t *gw = json_object_get(node, "gateway");
	struct sbuf b = { 0 };

	if (full_name)
		node_label(&b, node, NULL);
	else
		sbuf_puts(&b, jstr(node, "name") ?: "-");
	printf("%*s%s %s: %s", indent, "", kind ? kind : "node", sbuf_str(&b),
	       state ? state : "-");
	if (pid > 0)
		printf(", pid %" JSON_INTEGER_FORMAT, pid);
	putchar('\n');
	indent += 2;
	if (jstr(node, "host"))
		print_kv(indent, "runs on", "%s", jstr(node, "host"));
	if (!kind || strcmp(kind, "host") != 0)
		print_kv(indent, "router id", "%s", jtext(node, "router_id", &b));
	if (json_array_size(json_object_get(node, "loopback")))
		print_kv(indent, "loopback", "%s", jtext(node, "loopback", &b));
	if (json_array_size(gw) || (kind && strcmp(kind, "host") == 0))
		print_kv(indent, "gateway", "%s", jtext(node, "gateway", &b));
	print_resources(node, indent);
	if (!kind || strcmp(kind, "host") != 0 || json_is_object(json_object_get(node, "routing")))
		print_routing(node, indent);
	print_interfaces(node, indent);
	sbuf_free(&b);
}

static void node_text(json_t *node, const char *given)
{
	print_node(node, 0, 1);
}

/* "red/r1: running, pid 1234", without the end of the line. */
static void node_state_line(json_t *node, const char *given)
{
	struct sbuf b = { 0 };
	json_int_t pid = json_integer_value(json_object_get(node, "pid"));

	node_label(&b, node, given);
	printf("%s: %s", sbuf_str(&b), jstr(node, "state") ?: "ok");
	if (pid > 0)
		printf(", pid %" JSON_INTEGER_FORMAT, pid);
	sbuf_free(&b);
}

/* "red/r1: running" after start, stop or set. */
static void node_state_text(json_t *node, const char *given)
{
	node_state_line(node, given);
	putchar('\n');
}

/* "red/r1: running, pid 1234, cpu 25%, memory 64M" after set. */
static void node_set_text(json_t *node, const char *given)
{
	node_state_line(node, given);
	printf(", cpu %s, memory %s\n", jstr(node, "cpu") ?: "no limit",
	       jstr(node, "memory") ?: "no limit");
}

/* One request about NODE (argv[0], the only argument). */
static int node_request(struct cli *cli, int argc, char **argv, const char *method,
			const char *suffix, void (*text)(json_t *, const char *))
{
	char path[512];
	json_t *resp;
	int rc;

	if ((rc = cli_expect_args(cli, argc, argv, 1)) ||
	    (rc = cli_ref_path(cli, ARGS_NODE, argv[0], "/v1/nodes", suffix, path, sizeof(path))))
		return rc;
	if (client_call(cli, method, path, NULL, &resp) < 0)
		return CLI_EXIT_FAIL;
	print_result(cli, resp, text, argv[0]);
	json_decref(resp);
	return CLI_EXIT_OK;
}

int cmd_router_show(struct cli *cli, int argc, char **argv)
{
	return node_request(cli, argc, argv, "GET", NULL, node_text);
}

int cmd_router_start(struct cli *cli, int argc, char **argv)
{
	return node_request(cli, argc, argv, "POST", "/start", node_state_text);
}

int cmd_router_stop(struct cli *cli, int argc, char **argv)
{
	return node_request(cli, argc, argv, "POST", "/stop", node_state_text);
}

int cmd_router_pause(struct cli *cli, int argc, char **argv)
{
	return node_request(cli, argc, argv, "POST", "/pause", node_state_text);
}

int cmd_router_resume(struct cli *cli, int argc, char **argv)
{
	return node_request(cli, argc, argv, "POST", "/resume", node_state_text);
}

int cmd_router_set(struct cli *cli, int argc, char **argv)
{
	struct args_prop props[ARGS_PROPS_MAX];
	char path[512], err[512];
	json_t *set, *body, *resp;
	int rc, n, i;

	if (argc < 1 || argv[0][0] == '-')
		return cli_expect_args(cli, argc > 1 ? 1 : argc, argv, 1);
	if ((rc = cli_ref_path(cli, ARGS_NODE, argv[0], "/v1/nodes", NULL, path, sizeof(path))))
		return rc;
	n = args_props_parse(argc - 1, argv + 1, node_props, NULL, props, ARGS_PROPS_MAX,
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
	body = json_pack("{s:o}", "set", set);
	rc = client_call(cli, "PATCH", path, body, &resp);
	json_decref(body);
	if (rc < 0)
		return CLI_EXIT_FAIL;
	print_result(cli, resp, node_set_text, argv[0]);
	json_decref(resp);
	return CLI_EXIT_OK;
}

static void logs_text(json_t *resp, const char *given)
{
	json_t *lines = jlist(resp, "lines"), *l;
	struct sbuf b = { 0 };
	size_t i;

	json_array_foreach(lines, i, l) {
		sbuf_reset(&b);
		if (json_is_string(l))
			sbuf_puts(&b, json_string_value(l));
		else
			fmt_value(&b, l);
		puts(sbuf_str(&b));
	}
	sbuf_free(&b);
}

int cmd_logs(struct cli *cli, int argc, char **argv)
{
	unsigned long lines;
	char path[512], suffix[64];
	json_t *resp;
	int rc;

	if ((rc = cli_lines_opt(cli, &argc, argv, &lines)) ||
	    (rc = cli_expect_args(cli, argc, argv, 1)))
		return rc;
	if (lines)
		snprintf(suffix, sizeof(suffix), "/logs?lines=%lu", lines);
	else
		snprintf(suffix, sizeof(suffix), "/logs");
	if ((rc = cli_ref_path(cli, ARGS_NODE, argv[0], "/v1/nodes", suffix, path, sizeof(path))))
		return rc;
	if (client_call(cli, "GET", path, NULL, &resp) < 0)
		return CLI_EXIT_FAIL;
	print_result(cli, resp, logs_text, argv[0]);
	json_decref(resp);
	return CLI_EXIT_OK;
}
