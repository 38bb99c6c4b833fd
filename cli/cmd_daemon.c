/*
 * cmd_daemon.c - the commands about vnetd itself: `vnet daemon status`,
 * `vnet events`, `vnet shutdown`, `vnet cleanup` and `vnet version`.
 *
 * shutdown, cleanup and version never start a daemon. `cleanup` is for the
 * leftovers of a crashed vnetd (namespaces, interfaces, cgroups,
 * processes): it runs `vnetd --cleanup` with the same socket, state
 * directory and prefix, and refuses while a vnetd answers on the socket.
 */
#include "cli.h"
#include "sys.h"
#include "vnet.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#define SHUTDOWN_WAIT_MS 30000

static void status_text(json_t *st, const char *ctx)
{
	json_t *eng = json_object_get(st, "engine");
	json_int_t pid = json_integer_value(json_object_get(st, "pid"));
	struct sbuf b = { 0 };

	printf("vnetd %s: running", jstr(st, "version") ?: "-");
	if (pid > 0)
		printf(", pid %" JSON_INTEGER_FORMAT, pid);
	putchar('\n');
	print_kv(2, "socket", "%s", jstr(st, "socket") ?: ctx);
	print_kv(2, "state dir", "%s", jtext(st, "state_dir", &b));
	print_kv(2, "prefix", "%s", jtext(st, "prefix", &b));
	if (json_is_object(eng)) {
		json_t *run = json_object_get(eng, "running");

		sbuf_reset(&b);
		sbuf_puts(&b, json_is_boolean(run) ? (json_is_true(run) ? "running" : "stopped") : "-");
		if (json_integer_value(json_object_get(eng, "pid")) > 0)
			sbuf_printf(&b, ", pid %" JSON_INTEGER_FORMAT,
				    json_integer_value(json_object_get(eng, "pid")));
		print_kv(2, "engine", "%s", sbuf_str(&b));
	} else {
		print_kv(2, "engine", "-");
	}
	sbuf_free(&b);
}

int cmd_daemon_status(struct cli *cli, int argc, char **argv)
{
	json_t *resp;
	int rc;

	if ((rc = cli_expect_args(cli, argc, argv, 0)))
		return rc;
	if (client_call(cli, "GET", "/v1/status", NULL, &resp) < 0)
		return CLI_EXIT_FAIL;
	print_result(cli, resp, status_text, cli->socket);
	json_decref(resp);
	return CLI_EXIT_OK;
}

/* One event: a line of text, or an object with a message and whatever of
 * time, type and subject it has. */
static void print_event(json_t *ev, struct sbuf *b)
{
	static const char *const front[] = { "time", "type", "network", "node", "link" };
	const char *msg = jstr(ev, "message");
	size_t i;

	sbuf_reset(b);
	if (json_is_object(ev) && msg) {
		for (i = 0; i < ARRAY_SIZE(front); i++) {
			json_t *v = json_object_get(ev, front[i]);

			if (v && json_is_number(v) && i == 0) {
				/* Unix seconds, as local time */
				time_t t = (time_t)json_number_value(v);
				char when[32];
				struct tm tm;

				strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
					 localtime_r(&t, &tm));
				sbuf_printf(b, "%s  ", when);
			} else if (v && !json_is_null(v)) {
				fmt_value(b, v);
				sbuf_puts(b, "  ");
			}
		}
		sbuf_puts(b, msg);
	} else {
		fmt_value(b, ev);
	}
	puts(sbuf_str(b));
}

static void events_text(json_t *resp, const char *ctx)
{
	json_t *list = jlist(resp, "events"), *ev;
	struct sbuf b = { 0 };
	size_t i;

	if (!list)
		list = jlist(resp, "lines");
	json_array_foreach(list, i, ev)
		print_event(ev, &b);
	sbuf_free(&b);
}

int cmd_events(struct cli *cli, int argc, char **argv)
{
	unsigned long lines;
	char path[64];
	json_t *resp;
	int rc;

	if ((rc = cli_lines_opt(cli, &argc, argv, &lines)) ||
	    (rc = cli_expect_args(cli, argc, argv, 0)))
		return rc;
	if (lines)
		snprintf(path, sizeof(path), "/v1/events?lines=%lu", lines);
	else
		snprintf(path, sizeof(path), "/v1/events");
	if (client_call(cli, "GET", path, NULL, &resp) < 0)
		return CLI_EXIT_FAIL;
	print_result(cli, resp, events_text, NULL);
	json_decref(resp);
	return CLI_EXIT_OK;
}

static void shutdown_text(json_t *resp, const char *socket)
{
	if (json_is_false(json_object_get(resp, "was_running")))
		printf("no vnetd is running on %s\n", socket);
	else
		printf("vnetd on %s has shut down\n", socket);
}

int cmd_shutdown(struct cli *cli, int argc, char **argv)
{
	json_t *resp = NULL;
	long waited;
	int rc;

	if ((rc = cli_expect_args(cli, argc, argv, 0)))
		return rc;
	rc = client_call_quiet(cli, "POST", "/v1/shutdown", NULL, &resp);
	if (rc < 0)
		return CLI_EXIT_FAIL;
	if (rc == 1) {
		resp = json_pack("{s:b, s:s}", "was_running", 0, "socket", cli->socket);
	} else {
		/* It answers, then removes everything and exits: wait for that,
		 * without holding a connection open. */
		client_close(cli);
		for (waited = 0; client_socket_answers(cli->socket) == 0; waited += 50) {
			if (waited >= SHUTDOWN_WAIT_MS) {
				json_decref(resp);
				return cli_fail(cli, "vnetd on %s still answers after %d s",
						cli->socket, SHUTDOWN_WAIT_MS / 1000);
			}
			sleep_ms(50);
		}
	}
	print_result(cli, resp, shutdown_text, cli->socket);
	json_decref(resp);
	return CLI_EXIT_OK;
}

static void cleanup_text(json_t *resp, const char *socket)
{
	printf("cleaned up after vnetd on %s\n", socket);
}

int cmd_cleanup(struct cli *cli, int argc, char **argv)
{
	json_t *resp;
	int rc, st;

	if ((rc = cli_expect_args(cli, argc, argv, 0)))
		return rc;
	rc = client_socket_answers(cli->socket);
	if (rc == 0)
		return cli_fail(cli, "vnetd is running on %s; use 'vnet shutdown' or "
				"'vnet down NET'", cli->socket);
	if (rc != -ENOENT && rc != -ECONNREFUSED)
		return cli_fail(cli, "cannot check %s: %s", cli->socket, strerror(-rc));
	st = client_run_vnetd(cli, "--cleanup");
	if (st < 0)
		return CLI_EXIT_FAIL;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return CLI_EXIT_FAIL;	/* vnetd not found; the child said so */
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		if (WIFSIGNALED(st))
			return cli_fail(cli, "vnetd --cleanup was killed by signal %d",
					WTERMSIG(st));
		return cli_fail(cli, "vnetd --cleanup failed (exit status %d)", WEXITSTATUS(st));
	}
	resp = json_pack("{s:s, s:s, s:s*, s:s*}", "cleanup", "done", "socket", cli->socket,
			 "state_dir", cli->state_dir, "prefix", cli->prefix);
	print_result(cli, resp, cleanup_text, cli->socket);
	json_decref(resp);
	return CLI_EXIT_OK;
}

static void version_text(json_t *v, const char *socket)
{
	json_t *d = json_object_get(v, "vnetd");

	printf("vnet %s\n", jstr(v, "vnet"));
	if (json_is_object(d)) {
		printf("vnetd %s", jstr(d, "version") ?: "-");
		if (json_integer_value(json_object_get(d, "pid")) > 0)
			printf(" (pid %" JSON_INTEGER_FORMAT ", socket %s)",
			       json_integer_value(json_object_get(d, "pid")), socket);
		putchar('\n');
	} else {
		printf("vnetd not running (socket %s)\n", socket);
	}
}

int cmd_version(struct cli *cli, int argc, char **argv)
{
	json_t *st = NULL, *v;
	int rc;

	if ((rc = cli_expect_args(cli, argc, argv, 0)))
		return rc;
	if (client_call_quiet(cli, "GET", "/v1/status", NULL, &st) != 0)
		st = NULL;
	v = json_pack("{s:s, s:o*}", "vnet", VNET_VERSION, "vnetd", st);
	if (!st)
		json_object_set_new(v, "vnetd", json_null());
	print_result(cli, v, version_text, cli->socket);
	json_decref(v);
	return CLI_EXIT_OK;
}
