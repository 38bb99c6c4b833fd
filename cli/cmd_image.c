/*
 * cmd_image.c - network images: `vnet net save NET -o FILE`,
 * `vnet net restore FILE [--as NAME]`, `vnet net copy NET NEW [--prefix P]`;
 * router images: `vnet router save NODE -o FILE`, `vnet router restore FILE
 * [--as NET/NAME]`, `vnet router copy NODE NET/NEW`; and `vnet image show
 * FILE`, which reads an image locally (no daemon) and lists its parts.
 *
 * vnetd reads and writes the image file itself, so a relative FILE is made
 * absolute here (against the current directory) before it is sent.
 */
#include "cli.h"
#include "args.h"
#include "image.h"
#include "sha256.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Take "OPT VALUE" or "OPT=VALUE" (opt is "-o", "--as", ...) out of argv.
 * 0 (value in *val, NULL when absent) or 2 after a usage error. */
static int take_opt(const struct cli *cli, int *argc, char **argv, const char *opt,
		    const char *alt, const char **val)
{
	size_t ol = strlen(opt), al = alt ? strlen(alt) : 0;

	*val = NULL;
	for (int i = 0; i < *argc; i++) {
		const char *a = argv[i];
		int take = 1;

		if (!strcmp(a, opt) || (alt && !strcmp(a, alt))) {
			if (i + 1 >= *argc)
				return cli_usage_error(cli, "%s needs a value", a);
			*val = argv[i + 1];
			take = 2;
		} else if (!strncmp(a, opt, ol) && a[ol] == '=') {
			*val = a + ol + 1;
		} else if (alt && !strncmp(a, alt, al) && a[al] == '=') {
			*val = a + al + 1;
		} else {
			continue;
		}
		memmove(&argv[i], &argv[i + take], (size_t)(*argc - i - take + 1) * sizeof(*argv));
		*argc -= take;
		return 0;
	}
	return 0;
}

/* POST body (consumed) to path. */
static int post(struct cli *cli, const char *path, json_t *body, json_t **resp)
{
	int rc = client_call(cli, "POST", path, body, resp);

	json_decref(body);
	return rc;
}

/* FILE as an absolute path; NULL when the current directory is unknown. */
static char *abs_path(const char *file)
{
	char cwd[PATH_MAX];
	struct sbuf b = { 0 };

	if (file[0] == '/')
		return xstrdup(file);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	sbuf_printf(&b, "%s/%s", cwd, file);
	return b.s;
}

static void save_text(json_t *resp, const char *net)
{
	json_t *b = json_object_get(resp, "bytes"), *f = json_object_get(resp, "frozen_ms");

	printf("network %s saved to %s (%lld bytes, %lld nodes, frozen %lld ms)\n", net,
	       jstr(resp, "path") ?: "-", (long long)json_integer_value(b),
	       (long long)json_integer_value(json_object_get(resp, "nodes")),
	       (long long)json_integer_value(f));
}

/* vnet net save / vnet router save: POST BASE/REF/save {"path": abs(FILE)}. */
static int save_cmd(struct cli *cli, int argc, char **argv, int kind, const char *base,
		    void (*text)(json_t *, const char *))
{
	const char *file;
	char path[512], *abs;
	json_t *resp;
	int rc;

	if ((rc = take_opt(cli, &argc, argv, "-o", "--output", &file)) ||
	    (rc = cli_expect_args(cli, argc, argv, 1)) ||
	    (rc = cli_ref_path(cli, kind, argv[0], base, "/save", path, sizeof(path))))
		return rc;
	if (!file)
		return cli_usage_error(cli, "missing -o FILE");
	if (!(abs = abs_path(file)))
		return cli_fail(cli, "cannot resolve %s: %s", file, strerror(errno));
	rc = post(cli, path, json_pack("{s:s}", "path", abs), &resp);
	free(abs);
	if (rc < 0)
		return CLI_EXIT_FAIL;
	print_result(cli, resp, text, argv[0]);
	json_decref(resp);
	return CLI_EXIT_OK;
}

int cmd_net_save(struct cli *cli, int argc, char **argv)
{
	return save_cmd(cli, argc, argv, ARGS_NET, "/v1/networks", save_text);
}

static void restore_text(json_t *resp, const char *ctx)
{
	(void)ctx;
	printf("network %s restored from %s: %lld nodes, %lld routes, %lld neighbours "
	       "(started in %lld ms)\n", jstr(resp, "name") ?: "-", jstr(resp, "from") ?: "-",
	       (long long)json_integer_value(json_object_get(resp, "nodes")),
	       (long long)json_integer_value(json_object_get(resp, "routes")),
	       (long long)json_integer_value(json_object_get(resp, "neighbours")),
	       (long long)json_integer_value(json_object_get(resp, "start_ms")));
}

/* vnet net|router restore FILE [--as REF]: POST path to url. */
static int restore_cmd(struct cli *cli, int argc, char **argv, enum args_ref_kind kind,
		       const char *url, void (*text)(json_t *, const char *),
		       const char *ctx)
{
	const char *as;
	char err[256], *abs;
	json_t *resp;
	int rc;

	if ((rc = take_opt(cli, &argc, argv, "--as", NULL, &as)) ||
	    (rc = cli_expect_args(cli, argc, argv, 1)))
		return rc;
	if (as && args_ref_check(as, kind, err, sizeof(err)) < 0)
		return cli_usage_error(cli, "%s", err);
	if (!(abs = abs_path(argv[0])))
		return cli_fail(cli, "cannot resolve %s: %s", argv[0], strerror(errno));
	rc = post(cli, url, json_pack("{s:s, s:s?}", "path", abs, "as", as), &resp);
	free(abs);
	if (rc < 0)
		return CLI_EXIT_FAIL;
	print_result(cli, resp, text, ctx);
	json_decref(resp);
	return CLI_EXIT_OK;
}

int cmd_net_restore(struct cli *cli, int argc, char **argv)
{
	return restore_cmd(cli, argc, argv, ARGS_NET, "/v1/networks/restore", restore_text,
			   NULL);
}

static void copy_text(json_t *resp, const char *net)
{
	printf("network %s copied to %s: %lld nodes (started in %lld ms)\n", net,
	       jstr(resp, "name") ?: "-",
	       (long long)json_integer_value(json_object_get(resp, "nodes")),
	       (long long)json_integer_value(json_object_get(resp, "start_ms")));
}

int cmd_net_copy(struct cli *cli, int argc, char **argv)
{
	const char *prefix;
	char path[512], err[256];
	json_t *resp;
	int rc;

	if ((rc = take_opt(cli, &argc, argv, "--prefix", NULL, &prefix)) ||
	    (rc = cli_expect_args(cli, argc, argv, 2)) ||
	    (rc = cli_ref_path(cli, ARGS_NET, argv[0], "/v1/networks", "/copy", path,
			       sizeof(path))))
		return rc;
	if (args_ref_check(argv[1], ARGS_NET, err, sizeof(err)) < 0)
		return cli_usage_error(cli, "%s", err);
	if (post(cli, path, json_pack("{s:s, s:s?}", "as", argv[1], "prefix", prefix),
		 &resp) < 0)
		return CLI_EXIT_FAIL;
	print_result(cli, resp, copy_text, argv[0]);
	json_decref(resp);
	return CLI_EXIT_OK;
}

/* ---- router images: vnet router save / restore / copy -------------------- */

static void router_save_text(json_t *resp, const char *node)
{
	(void)node;
	printf("router %s/%s saved to %s (%lld bytes, frozen %lld ms)\n",
	       jstr(resp, "network") ?: "-", jstr(resp, "node") ?: "-",
	       jstr(resp, "path") ?: "-",
	       (long long)json_integer_value(json_object_get(resp, "bytes")),
	       (long long)json_integer_value(json_object_get(resp, "frozen_ms")));
}

int cmd_router_save(struct cli *cli, int argc, char **argv)
{
	return save_cmd(cli, argc, argv, ARGS_NODE, "/v1/nodes", router_save_text);
}

static void router_restore_text(json_t *resp, const char *verb)
{
	printf("router %s/%s %s from %s: ", jstr(resp, "network") ?: "-",
	       jstr(resp, "node") ?: "-", verb, jstr(resp, "from") ?: "-");
	if (json_is_true(json_object_get(resp, "tables_restored")))
		printf("%lld routes, %lld neighbours", (long long)json_integer_value(
			       json_object_get(resp, "routes")),
		       (long long)json_integer_value(json_object_get(resp, "neighbours")));
	else
		printf("routing tables not restored (%s)", jstr(resp, "tables_note") ?: "-");
	printf(" (started in %lld ms)\n",
	       (long long)json_integer_value(json_object_get(resp, "start_ms")));
}

int cmd_router_restore(struct cli *cli, int argc, char **argv)
{
	return restore_cmd(cli, argc, argv, ARGS_NODE, "/v1/nodes/restore",
			   router_restore_text, "restored");
}

int cmd_router_copy(struct cli *cli, int argc, char **argv)
{
	char path[512], err[256];
	json_t *resp;
	int rc;

	if ((rc = cli_expect_args(cli, argc, argv, 2)) ||
	    (rc = cli_ref_path(cli, ARGS_NODE, argv[0], "/v1/nodes", "/copy", path,
			       sizeof(path))))
		return rc;
	if (args_ref_check(argv[1], ARGS_NODE, err, sizeof(err)) < 0)
		return cli_usage_error(cli, "%s", err);
	if (post(cli, path, json_pack("{s:s}", "as", argv[1]), &resp) < 0)
		return CLI_EXIT_FAIL;
	print_result(cli, resp, router_restore_text, "copied");
	json_decref(resp);
	return CLI_EXIT_OK;
}

/* ---- vnet image show FILE: read locally, no daemon ----------------------- */

int cmd_image_show(struct cli *cli, int argc, char **argv)
{
	struct vnet_err err;
	struct image *img;
	json_t *parts, *o;
	const char *want;
	int rc;

	if ((rc = take_opt(cli, &argc, argv, "--part", NULL, &want)) ||
	    (rc = cli_expect_args(cli, argc, argv, 1)))
		return rc;
	if (!(img = image_read(argv[0], &err)))
		return cli_fail(cli, "%s", err.msg);
	if (want) {		/* one part's bytes as they are */
		size_t len = 0;
		const void *data = image_part(img, want, &len);

		if (!data) {
			rc = cli_fail(cli, "%s: no part '%s'", argv[0], want);
			image_free(img);
			return rc;
		}
		rc = fwrite(data, 1, len, stdout) == len ? CLI_EXIT_OK : CLI_EXIT_FAIL;
		image_free(img);
		return rc;
	}
	parts = json_array();
	for (size_t i = 0; i < image_nparts(img); i++) {
		const char *name = image_part_name(img, i);
		size_t len = 0;
		const void *data = image_part(img, name, &len);
		uint8_t d[SHA256_LEN];
		char hex[SHA256_HEX_LEN + 1];

		sha256(data, len, d);
		json_array_append_new(parts, json_pack("{s:s, s:I, s:s}", "name", name, "bytes",
						       (json_int_t)len, "sha256",
						       sha256_hex(d, hex)));
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "kind", image_kind(img), "name",
		      image_name(img), "created", image_created(img), "vnet_version",
		      image_vnet_version(img), "parts", parts);
	image_free(img);
	if (cli->json) {
		print_json(o);
	} else {
		json_t *p;
		size_t k;

		printf("%s image '%s', created %s by vnet %s\n", jstr(o, "kind"), jstr(o, "name"),
		       jstr(o, "created"), jstr(o, "vnet_version"));
		json_array_foreach(json_object_get(o, "parts"), k, p)
			printf("  %-32s %10lld  sha256 %s\n", jstr(p, "name"),
			       (long long)json_integer_value(json_object_get(p, "bytes")),
			       jstr(p, "sha256"));
	}
	json_decref(o);
	return CLI_EXIT_OK;
}
