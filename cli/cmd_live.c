/*
 * cmd_live.c - live topology changes of a network that exists:
 * `vnet router add|del`, `vnet link add|del` (vnetd/live.c). vnetd checks
 * everything (names, connectivity, the address plan) on a copy before it
 * changes anything; the answer lists what changed.
 */
#include "cli.h"
#include "args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* "red: added router r5" per change. */
static void changed_text(json_t *resp, const char *given)
{
	json_t *c;
	size_t i;

	(void)given;
	json_array_foreach(json_object_get(resp, "changed"), i, c)
		printf("%s: %s\n", jstr(resp, "network") ?: "-", json_string_value(c) ?: "-");
}

/* "NET/NAME" into net and name; -1 when it is not of that form. */
static int split_net(const char *ref, char *net, size_t nn, char *name, size_t n)
{
	const char *slash = strchr(ref, '/');

	if (!slash || slash == ref || !slash[1] || strchr(slash + 1, '/') ||
	    (size_t)(slash - ref) >= nn || strlen(slash + 1) >= n)
		return -1;
	memcpy(net, ref, (size_t)(slash - ref));
	net[slash - ref] = 0;
	snprintf(name, n, "%s", slash + 1);
	return 0;
}

static int send(struct cli *cli, const char *method, const char *path, json_t *body,
		const char *given)
{
	json_t *resp;
	int rc = client_call(cli, method, path, body, &resp);

	json_decref(body);
	if (rc < 0)
		return CLI_EXIT_FAIL;
	print_result(cli, resp, changed_text, given);
	json_decref(resp);
	return CLI_EXIT_OK;
}

int cmd_router_add(struct cli *cli, int argc, char **argv)
{
	char net[128], name[128], path[512];
	json_t *body, *links;

	if (argc < 1 || argv[0][0] == '-')
		return cli_usage_error(cli, "missing NET/NAME");
	if (split_net(argv[0], net, sizeof(net), name, sizeof(name)))
		return cli_usage_error(cli, "'%s': expected NET/NAME such as red/r5", argv[0]);
	body = json_pack("{s:s, s:s}", "name", name, "kind", "router");
	links = json_array();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');

		if (!strcmp(a, "host") || !strcmp(a, "kind=host")) {
			json_object_set_new(body, "kind", json_string("host"));
		} else if (!strcmp(a, "router") || !strcmp(a, "kind=router")) {
			continue;
		} else if (!strncmp(a, "cpu=", 4) || !strncmp(a, "memory=", 7)) {
			char key[16];

			snprintf(key, sizeof(key), "%.*s", (int)(eq - a), a);
			json_object_set_new(body, key, json_string(eq + 1));
		} else if (!strncmp(a, "config=", 7)) {
			char *text = sbuf_read_file(eq + 1, NULL);

			if (!text) {
				json_decref(body);
				json_decref(links);
				return cli_fail(cli, "cannot read '%s': %s", eq + 1, strerror(errno));
			}
			json_object_set_new(body, "config", json_string(text));
			free(text);
		} else if (!strncmp(a, "link=", 5) && a[5]) {
			json_array_append_new(links, json_string(eq + 1));
		} else {
			json_decref(body);
			json_decref(links);
			return cli_usage_error(cli, "unknown option '%s' (expected cpu=, memory=, "
					       "config=FILE, link=PEER or host)", a);
		}
	}
	json_object_set_new(body, "links", links);
	snprintf(path, sizeof(path), "/v1/networks/%s/nodes", net);
	return send(cli, "POST", path, body, argv[0]);
}

/* `router del REF` and `link del REF`: DELETE of the object at base/REF. */
static int del_cmd(struct cli *cli, int argc, char **argv, int kind, const char *base)
{
	char path[512];
	int rc;

	if ((rc = cli_expect_args(cli, argc, argv, 1)) ||
	    (rc = cli_ref_path(cli, kind, argv[0], base, NULL, path, sizeof(path))))
		return rc;
	return send(cli, "DELETE", path, NULL, argv[0]);
}

int cmd_router_del(struct cli *cli, int argc, char **argv)
{
	return del_cmd(cli, argc, argv, ARGS_NODE, "/v1/nodes");
}

int cmd_link_add(struct cli *cli, int argc, char **argv)
{
	char net[128], name[128], path[512], a[128], b[128];
	const char *ends = NULL;
	json_t *body, *set = json_object();
	char *dash;

	if (argc < 1 || argv[0][0] == '-') {
		json_decref(set);
		return cli_usage_error(cli, "missing NET/A-B");
	}
	if (split_net(argv[0], net, sizeof(net), name, sizeof(name))) {
		json_decref(set);
		return cli_usage_error(cli, "'%s': expected NET/A-B such as red/r4-r5", argv[0]);
	}
	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (!eq || eq == argv[i]) {
			json_decref(set);
			return cli_usage_error(cli, "'%s': expected PROP=VALUE or ends=A,B",
					       argv[i]);
		}
		if (!strncmp(argv[i], "ends=", 5)) {
			ends = eq + 1;
			continue;
		}
		char key[64];

		snprintf(key, sizeof(key), "%.*s", (int)(eq - argv[i]), argv[i]);
		json_object_set_new(set, key, json_string(eq + 1));
	}
	snprintf(a, sizeof(a), "%s", ends ? ends : name);
	dash = strchr(a, ends ? ',' : '-');
	if (!dash || dash == a || !dash[1] || strchr(dash + 1, ends ? ',' : '-')) {
		json_decref(set);
		return cli_usage_error(cli, "cannot tell the ends of '%s': name it A-B or give "
				       "ends=A,B", name);
	}
	*dash = 0;
	snprintf(b, sizeof(b), "%s", dash + 1);
	body = json_pack("{s:[s,s], s:s, s:o}", "ends", a, b, "name", name, "set", set);
	snprintf(path, sizeof(path), "/v1/networks/%s/links", net);
	return send(cli, "POST", path, body, argv[0]);
}

int cmd_link_del(struct cli *cli, int argc, char **argv)
{
	return del_cmd(cli, argc, argv, ARGS_LINK, "/v1/links");
}
