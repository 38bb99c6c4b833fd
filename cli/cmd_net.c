/*
 * cmd_net.c - the commands on whole virtual networks: `vnet up FILE`,
 * `vnet ls`, `vnet status NET`, `vnet down NET...|-f FILE`, `vnet net
 * start|stop|pause|resume NET`, and the hidden `vnet __names` that feeds
 * shell completion.
 *
 * `up` sends the topology file's text with its name and absolute directory
 * (paths inside the file are relative to it); vnetd parses and validates.
 * `down -f FILE` is the one command that reads a topology itself (with
 * lib/topo.c, as vnetd does): only for the names of its networks.
 * `ls` prints a table of networks, then each network's nodes and links;
 * `status` prints one network in full using the node and link views of
 * cmd_router.c and cmd_link.c.
 */
#include "cli.h"
#include "args.h"
#include "topo.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The address to show for a node: loopback, else its first interface
 * address, else its router id. */
static void node_address(struct sbuf *b, json_t *node)
{
	json_t *lo = json_object_get(node, "loopback");
	json_t *ifs = json_object_get(node, "interfaces"), *ifc;
	size_t i;

	if (json_is_array(lo) && json_is_string(json_array_get(lo, 0))) {
		sbuf_puts(b, json_string_value(json_array_get(lo, 0)));
		return;
	}
	json_array_foreach(ifs, i, ifc) {
		json_t *a = json_array_get(json_object_get(ifc, "addresses"), 0);

		if (json_is_string(a)) {
			sbuf_puts(b, json_string_value(a));
			return;
		}
	}
	sbuf_puts(b, jstr(node, "router_id") ? jstr(node, "router_id") : "-");
}

static void count_nodes(json_t *net, int *routers, int *hosts)
{
	json_t *node;
	size_t i;

	*routers = *hosts = 0;
	json_array_foreach(json_object_get(net, "nodes"), i, node) {
		const char *kind = jstr(node, "kind");

		if (kind && strcmp(kind, "host") == 0)
			(*hosts)++;
		else
			(*routers)++;
	}
}

/* "up", or "up, no carrier" when the link is up but an end is missing. */
static void link_state(struct sbuf *b, json_t *link)
{
	const char *st = jstr(link, "state");

	sbuf_puts(b, st ? st : "-");
	if (json_is_false(json_object_get(link, "carrier")) && st && strcmp(st, "up") == 0)
		sbuf_puts(b, ", no carrier");
}

/* An array member's size as text, "-" when it is missing. */
static void count_text(struct sbuf *b, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_array(v))
		sbuf_printf(b, "%zu", json_array_size(v));
	else
		fmt_value(b, v);
}

static void print_net_members(json_t *net)
{
	json_t *nodes = json_object_get(net, "nodes"), *links = json_object_get(net, "links");
	struct sbuf b = { 0 };
	struct table *t;
	json_t *e;
	size_t i;

	if (json_array_size(nodes)) {
		t = table_new(4, "NODE", "KIND", "STATE", "ADDRESS");
		json_array_foreach(nodes, i, e) {
			table_add(t, jstr(e, "name"));
			table_add(t, jstr(e, "kind"));
			table_add(t, jstr(e, "state"));
			sbuf_reset(&b);
			node_address(&b, e);
			table_add(t, sbuf_str(&b));
		}
		table_print(t, stdout, 2);
		table_free(t);
	}
	if (json_array_size(links)) {
		if (json_array_size(nodes))
			putchar('\n');
		t = table_new(4, "LINK", "ENDS", "STATE", "PROPERTIES");
		json_array_foreach(links, i, e) {
			json_t *ends = json_object_get(e, "ends");

			table_add(t, jstr(e, "name"));
			sbuf_reset(&b);
			if (json_array_size(ends) == 2) {
				fmt_value(&b, json_array_get(ends, 0));
				sbuf_puts(&b, "<->");
				fmt_value(&b, json_array_get(ends, 1));
			}
			table_add(t, sbuf_str(&b));
			sbuf_reset(&b);
			link_state(&b, e);
			table_add(t, sbuf_str(&b));
			sbuf_reset(&b);
			fmt_link_props(&b, e);
			table_add(t, sbuf_str(&b));
		}
		table_print(t, stdout, 2);
		table_free(t);
	}
	sbuf_free(&b);
}

static void ls_text(json_t *resp, const char *ctx)
{
	json_t *nets = jlist(resp, "networks"), *net;
	struct sbuf b = { 0 };
	struct table *t;
	size_t i;

	if (!json_array_size(nets)) {
		puts("no networks");
		return;
	}
	t = table_new(6, "NAME", "PROTOCOL", "PREFIXES", "STATE", "NODES", "LINKS");
	json_array_foreach(nets, i, net) {
		table_add(t, jstr(net, "name"));
		table_add(t, jtext(net, "protocol", &b));
		table_add(t, jtext(net, "prefixes", &b));
		table_add(t, jstr(net, "state"));
		sbuf_reset(&b);
		count_text(&b, net, "nodes");
		table_add(t, sbuf_str(&b));
		sbuf_reset(&b);
		count_text(&b, net, "links");
		table_add(t, sbuf_str(&b));
	}
	table_print(t, stdout, 0);
	table_free(t);
	json_array_foreach(nets, i, net) {
		if (!json_array_size(json_object_get(net, "nodes")) &&
		    !json_array_size(json_object_get(net, "links")))
			continue;
		printf("\nnetwork %s\n", jstr(net, "name") ?: "-");
		print_net_members(net);
	}
	sbuf_free(&b);
}

static void status_text(json_t *net, const char *ctx)
{
	json_t *nodes = json_object_get(net, "nodes"), *links = json_object_get(net, "links");
	struct sbuf b = { 0 };
	int routers, hosts, up = 0;
	json_t *e;
	size_t i;

	count_nodes(net, &routers, &hosts);
	json_array_foreach(links, i, e)
		up += jstr(e, "state") && strcmp(jstr(e, "state"), "up") == 0;
	printf("network %s: %s\n", jstr(net, "name") ?: "-", jstr(net, "state") ?: "-");
	print_kv(2, "protocol", "%s", jtext(net, "protocol", &b));
	print_kv(2, "prefixes", "%s", jtext(net, "prefixes", &b));
	if (json_is_array(nodes))
		print_kv(2, "nodes", "%d router%s, %d host%s", routers, routers == 1 ? "" : "s",
			 hosts, hosts == 1 ? "" : "s");
	if (json_is_array(links))
		print_kv(2, "links", "%zu (%d up)", json_array_size(links), up);
	json_array_foreach(nodes, i, e) {
		putchar('\n');
		print_node(e, 0, 0);
	}
	json_array_foreach(links, i, e) {
		putchar('\n');
		print_link(e, 0, 0);
	}
	sbuf_free(&b);
}

/* "network red: added router r5" per change of networks that existed
 * ({"changed": {"red": [...]}}), or "network red: unchanged". */
static void print_changed(json_t *changed)
{
	const char *name;
	json_t *list, *c;
	size_t i;

	json_object_foreach(changed, name, list) {
		if (!json_array_size(list))
			printf("network %s: unchanged\n", name);
		json_array_foreach(list, i, c)
			printf("network %s: %s\n", name, json_string_value(c) ?: "-");
	}
}

/* The networks of an answer to `up`: an array, {"networks": [...]} or one
 * network object. */
static void up_text(json_t *resp, const char *ctx)
{
	json_t *nets = jlist(resp, "networks"), *net;
	size_t i, n = nets ? json_array_size(nets) : 1;

	for (i = 0; i < n; i++) {
		int routers, hosts;

		net = nets ? json_array_get(nets, i) : resp;
		count_nodes(net, &routers, &hosts);
		printf("network %s: %s", jstr(net, "name") ?: "-", jstr(net, "state") ?: "created");
		if (json_is_array(json_object_get(net, "nodes")))
			printf(", %d router%s, %d host%s", routers, routers == 1 ? "" : "s",
			       hosts, hosts == 1 ? "" : "s");
		if (json_is_array(json_object_get(net, "links")))
			printf(", %zu link%s", json_array_size(json_object_get(net, "links")),
			       json_array_size(json_object_get(net, "links")) == 1 ? "" : "s");
		putchar('\n');
	}
	print_changed(json_object_get(resp, "changed"));
}

/* Send topology FILE to vnetd: create it, or only check it (dry_run). */
static int send_topology(struct cli *cli, int argc, char **argv, int dry_run,
			 json_t **resp)
{
	char abs[PATH_MAX], *text;
	json_t *topo, *body;
	size_t len;
	int rc;

	if ((rc = cli_expect_args(cli, argc, argv, 1)))
		return rc;
	if (!(text = sbuf_read_file(argv[0], &len)))
		return cli_fail(cli, "cannot read '%s': %s", argv[0], strerror(errno));
	if (!realpath(argv[0], abs)) {
		free(text);
		return cli_fail(cli, "cannot resolve '%s': %s", argv[0], strerror(errno));
	}
	topo = json_stringn(text, len);
	free(text);
	if (!topo)
		return cli_fail(cli, "'%s' is not a text file (it must be UTF-8 YAML)", argv[0]);
	body = json_pack("{s:o, s:s, s:s, s:b}", "topology", topo, "file", argv[0],
			 "dir", dirname(abs), "dry_run", dry_run);
	rc = client_call(cli, "POST", "/v1/networks", body, resp);
	json_decref(body);
	return rc < 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

int cmd_up(struct cli *cli, int argc, char **argv)
{
	json_t *resp;
	int rc;

	if ((rc = send_topology(cli, argc, argv, 0, &resp)))
		return rc;
	print_result(cli, resp, up_text, NULL);
	json_decref(resp);
	return CLI_EXIT_OK;
}

static void check_text(json_t *resp, const char *file)
{
	json_t *nets = json_object_get(resp, "networks"), *e;
	size_t i;

	printf("%s: valid:", file);
	json_array_foreach(nets, i, e)
		printf(" %s", json_string_value(e));
	putchar('\n');
}

int cmd_check(struct cli *cli, int argc, char **argv)
{
	json_t *resp;
	int rc;

	if ((rc = send_topology(cli, argc, argv, 1, &resp)))
		return rc;
	print_result(cli, resp, check_text, argv[0]);
	json_decref(resp);
	return CLI_EXIT_OK;
}

int cmd_ls(struct cli *cli, int argc, char **argv)
{
	json_t *resp;
	int rc;

	if ((rc = cli_expect_args(cli, argc, argv, 0)))
		return rc;
	if (client_call(cli, "GET", "/v1/networks", NULL, &resp) < 0)
		return CLI_EXIT_FAIL;
	print_result(cli, resp, ls_text, NULL);
	json_decref(resp);
	return CLI_EXIT_OK;
}

/* Check NET and build its path. 0 or 2. */
static int net_path(struct cli *cli, const char *net, char *path, size_t n)
{
	return cli_ref_path(cli, ARGS_NET, net, "/v1/networks", NULL, path, n);
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	char path[512];
	json_t *resp;
	int rc;

	if ((rc = cli_expect_args(cli, argc, argv, 1)) || (rc = net_path(cli, argv[0], path,
									 sizeof(path))))
		return rc;
	if (client_call(cli, "GET", path, NULL, &resp) < 0)
		return CLI_EXIT_FAIL;
	print_result(cli, resp, status_text, argv[0]);
	json_decref(resp);
	return CLI_EXIT_OK;
}

static void down_text(json_t *resp, const char *net)
{
	printf("network %s removed\n", jstr(resp, "deleted") ?: jstr(resp, "name") ?: net);
}

/* DELETE network NET (its name checked already). Its name goes into
 * deleted or, when vnetd refused (client_call printed why), into failed. */
static void down_one(struct cli *cli, const char *net, json_t *deleted, json_t *failed)
{
	char path[512];
	json_t *resp;

	if (args_path(path, sizeof(path), "/v1/networks", net, NULL) < 0 ||
	    client_call(cli, "DELETE", path, NULL, &resp) < 0) {
		json_array_append_new(failed, json_string(net));
		return;
	}
	if (!cli->json) {
		down_text(resp, net);
		fflush(stdout);
	}
	json_array_append_new(deleted, json_string(net));
	json_decref(resp);
}

/* Is there a network named name in the answer to GET /v1/networks? */
static int net_listed(json_t *nets, const char *name)
{
	json_t *net;
	size_t i;

	json_array_foreach(nets, i, net)
		if (jstr(net, "name") && strcmp(jstr(net, "name"), name) == 0)
			return 1;
	return 0;
}

/*
 * `vnet down -f FILE`: the networks FILE defines (read with the daemon's
 * own parser, so a bad file gets the same file:line:col message as from
 * `vnet up`), those of them that exist taken down in file order, the others
 * reported as not up. Fails when none of them is up or vnetd refused one.
 */
static int down_file(struct cli *cli, const char *file, json_t *sum)
{
	json_t *deleted = json_object_get(sum, "deleted");
	json_t *failed = json_object_get(sum, "failed");
	json_t *not_up, *resp, *nets;
	struct vnet_err err;
	struct topo *t;
	int i, rc = CLI_EXIT_OK;

	if (topo_parse_file(file, &t, &err) < 0)
		return cli_fail(cli, "%s", err.msg);
	if (client_call(cli, "GET", "/v1/networks", NULL, &resp) < 0) {
		topo_free(t);
		return CLI_EXIT_FAIL;
	}
	/* From here on there is a summary to print (--json). */
	json_object_set_new(sum, "file", json_string(file));
	json_object_set_new(sum, "not_up", not_up = json_array());
	nets = jlist(resp, "networks");
	for (i = 0; i < t->nnets; i++)
		if (!net_listed(nets, t->nets[i].name))
			json_array_append_new(not_up, json_string(t->nets[i].name));
	if (json_array_size(not_up) == (size_t)t->nnets) {
		struct sbuf names = { 0 };

		for (i = 0; i < t->nnets; i++)
			sbuf_printf(&names, "%s%s", i ? ", " : "", t->nets[i].name);
		rc = cli_fail(cli, "no network of %s is up (%s)", file, sbuf_str(&names));
		sbuf_free(&names);
		goto out;
	}
	for (i = 0; i < t->nnets; i++) {
		if (net_listed(nets, t->nets[i].name))
			down_one(cli, t->nets[i].name, deleted, failed);
		else if (!cli->json)
			printf("network %s: not up\n", t->nets[i].name);
	}
	if (json_array_size(failed))
		rc = CLI_EXIT_FAIL;
out:
	json_decref(resp);
	topo_free(t);
	return rc;
}

/*
 * `vnet down NET...` takes each network down in turn, as `docker rm a b`
 * does: one that vnetd refuses (it does not exist...) is reported and the
 * others are still taken down; the status is then 1. `vnet down -f FILE`:
 * down_file(). With --json, one summary of what was done:
 * {"deleted": [...], "failed": [...]} (and "file", "not_up" with -f).
 */
int cmd_down(struct cli *cli, int argc, char **argv)
{
	json_t *sum = json_pack("{s:[], s:[]}", "deleted", "failed");
	const char *file;
	char err[256];
	int i, n, rc = CLI_EXIT_OK;

	if (args_down_parse(argc, argv, &file, &n, err, sizeof(err)) < 0) {
		json_decref(sum);
		return cli_usage_error(cli, "%s", err);
	}
	if (file) {
		rc = down_file(cli, file, sum);
	} else {
		for (i = 0; i < n; i++)
			down_one(cli, argv[i], json_object_get(sum, "deleted"),
				 json_object_get(sum, "failed"));
		if (json_array_size(json_object_get(sum, "failed")))
			rc = CLI_EXIT_FAIL;
	}
	if (cli->json && (!file || json_object_get(sum, "not_up")))
		print_json(sum);
	json_decref(sum);
	return rc;
}

/* Names for completion: "networks", "nodes" or "links", one per line, as
 * NET/NAME and, for nodes and links, the bare NAME. Silent on any error. */
int cmd_names(struct cli *cli, int argc, char **argv)
{
	json_t *resp, *nets, *net, *e;
	size_t i, j;
	const char *kind;

	if (argc != 1 || (strcmp(argv[0], "networks") && strcmp(argv[0], "nodes") &&
			  strcmp(argv[0], "links")))
		return cli_usage_error(cli, "expected networks, nodes or links");
	kind = argv[0];
	if (client_call_quiet(cli, "GET", "/v1/networks", NULL, &resp) != 0)
		return CLI_EXIT_FAIL;
	nets = jlist(resp, "networks");
	json_array_foreach(nets, i, net) {
		const char *nn = jstr(net, "name");

		if (!nn)
			continue;
		if (strcmp(kind, "networks") == 0) {
			puts(nn);
			continue;
		}
		json_array_foreach(json_object_get(net, kind), j, e) {
			if (jstr(e, "name"))
				printf("%s/%s\n%s\n", nn, jstr(e, "name"), jstr(e, "name"));
		}
	}
	json_decref(resp);
	return CLI_EXIT_OK;
}

static void net_state_text(json_t *resp, const char *net)
{
	printf("network %s: %s\n", jstr(resp, "name") ?: net, jstr(resp, "state") ?: "-");
}

static int net_action(struct cli *cli, int argc, char **argv, const char *action)
{
	char path[512];
	json_t *resp;
	int rc;

	if ((rc = cli_expect_args(cli, argc, argv, 1)) ||
	    (rc = cli_ref_path(cli, ARGS_NET, argv[0], "/v1/networks", action, path,
			       sizeof(path))))
		return rc;
	if (client_call(cli, "POST", path, NULL, &resp) < 0)
		return CLI_EXIT_FAIL;
	print_result(cli, resp, net_state_text, argv[0]);
	json_decref(resp);
	return CLI_EXIT_OK;
}

int cmd_net_start(struct cli *cli, int argc, char **argv)
{
	return net_action(cli, argc, argv, "/start");
}

int cmd_net_stop(struct cli *cli, int argc, char **argv)
{
	return net_action(cli, argc, argv, "/stop");
}

int cmd_net_pause(struct cli *cli, int argc, char **argv)
{
	return net_action(cli, argc, argv, "/pause");
}

int cmd_net_resume(struct cli *cli, int argc, char **argv)
{
	return net_action(cli, argc, argv, "/resume");
}
