/*
 * cli.h - what the files of the vnet command share.
 *
 * vnet is a thin client of vnetd's HTTP+JSON API. main.c holds the one table
 * of subcommands (struct cli_cmd) from which dispatch, help and the bash
 * completion script are generated (help.c). Each cmd_*.c file implements the
 * handlers of one object (networks, nodes, links, the daemon); a handler
 * checks its arguments (args.c), calls the API through client.c and hands
 * the answer to the print layer (print.c), which emits either text or, with
 * --json, the API's JSON. exec.c runs a command inside a node's namespaces.
 *
 * Exit codes: 0 success, 1 failure (the daemon's error, no daemon...), 2 a
 * usage error found before anything was sent. `vnet exec` exits with the
 * status of the command it ran.
 */
#ifndef VNET_CLI_H
#define VNET_CLI_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

#define CLI_DEFAULT_SOCKET "/run/vnet/vnetd.sock"

struct client;

/* The run context: global options and the lazily made API client. */
struct cli {
	const char *socket;
	const char *state_dir;	/* NULL: vnetd's default */
	const char *prefix;	/* NULL: vnetd's default */
	int json;		/* --json */
	const struct cli_cmd *cmd;	/* the command being run */
	struct client *client;
};

enum cli_cmd_flags {
	CMD_HIDDEN = 1 << 0,	/* not in help (used by the completion script) */
	CMD_NO_START = 1 << 1,	/* never starts vnetd when none answers */
	CMD_TAIL = 1 << 2,	/* options end at the first argument after NODE */
};

/*
 * One subcommand. name is one word ("ls") or a group and a verb
 * ("link set"); usage lists its arguments, and its first word (FILE, NET,
 * NODE, LINK, COMMAND) tells the completion script what to offer.
 */
struct cli_cmd {
	const char *name;
	int (*handler)(struct cli *cli, int argc, char **argv);
	const char *summary;
	const char *usage;
	unsigned flags;
	const char *details;	/* more help text, or NULL */
};

/* main.c */
extern const struct cli_cmd cli_cmds[];
extern const size_t cli_ncmds;
/* Print "vnet NAME: message" and the usage line to stderr; returns 2. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print "vnet NAME: message" to stderr; returns 1. */
int cli_fail(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Check that there are exactly n plain arguments (names, not options);
 * prints the usage error naming what is missing or extra. 0 or 2. */
int cli_expect_args(const struct cli *cli, int argc, char **argv, int n);
/* Take the "-n N" option of logs and events (also -nN, --lines N,
 * --lines=N) out of argv; *lines stays 0 when absent. 0 or 2. */
int cli_lines_opt(const struct cli *cli, int *argc, char **argv, unsigned long *lines);
/* Check a reference given as argument (args_ref_check) and build its API
 * path base/REF[suffix] into path. 0, or 2 after a usage error. */
int cli_ref_path(const struct cli *cli, int kind, const char *ref, const char *base,
		 const char *suffix, char *path, size_t n);
/* Find a command by one or two words; *nwords says how many it took. */
const struct cli_cmd *cli_cmd_find(int argc, char **argv, int *nwords);
const struct cli_cmd *cli_cmd_named(const char *name);
/* Is word a group of commands ("link", "router", "daemon")? */
int cli_is_group(const char *word);

/* help.c */
int cli_help(const struct cli *cli, FILE *f, int argc, char **argv);
int cmd_help(struct cli *cli, int argc, char **argv);
int cmd_completion(struct cli *cli, int argc, char **argv);
void cli_print_cmd_help(FILE *f, const struct cli_cmd *c);
void cli_print_usage(FILE *f, const struct cli_cmd *c);

/* client.c */
/* Send one request (body may be NULL). On a 2xx answer *resp gets its body
 * ({} when empty) and 0 is returned. Otherwise the reason is printed as
 * "vnet: ..." and -1 returned. Starts vnetd when none answers, unless the
 * command has CMD_NO_START. */
int client_call(struct cli *cli, const char *method, const char *path,
		json_t *body, json_t **resp);
/* Like client_call, but never starts vnetd and prints nothing when no
 * daemon answers: returns 1 then. */
int client_call_quiet(struct cli *cli, const char *method, const char *path,
		      json_t *body, json_t **resp);
/* 0 when something accepts connections on the socket, else -errno. */
int client_socket_answers(const char *path);
/* Run vnetd with the global options and mode ("--cleanup", "--daemon");
 * its stdout goes to our stderr. Returns its wait status, or -1. */
int client_run_vnetd(const struct cli *cli, const char *mode);
/* Free the client and libcurl's global state (the process is then
 * single-threaded again). Idempotent. */
void client_close(struct cli *cli);

/* print.c: a growable string */
struct sbuf {
	char *s;
	size_t len, cap;
};
void sbuf_add(struct sbuf *b, const char *p, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *sbuf_str(const struct sbuf *b);
void sbuf_reset(struct sbuf *b);
void sbuf_free(struct sbuf *b);
/* The whole file, NUL-terminated, its length in *len (may be NULL); free()
 * it. NULL with errno set. */
char *sbuf_read_file(const char *path, size_t *len);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* print.c: the output of every command goes through print_result */
/* With --json print obj, else call text(obj, ctx) (ctx: the name the
 * user gave, for messages when the answer lacks one). */
void print_result(const struct cli *cli, json_t *obj,
		  void (*text)(json_t *obj, const char *ctx), const char *ctx);
void print_json(json_t *obj);
/* The string member key of obj, or NULL. */
const char *jstr(json_t *obj, const char *key);
/* Member key as text ("-" when missing or null); valid until the next call
 * with the same buf. */
const char *jtext(json_t *obj, const char *key, struct sbuf *buf);
/* Append a JSON value as text: strings as is, arrays joined with ",",
 * null as "-". */
void fmt_value(struct sbuf *b, json_t *v);
/* "bandwidth=10mbit delay=20ms" from an object of properties; "-" when
 * empty. */
void fmt_props(struct sbuf *b, json_t *props);
void fmt_bytes(struct sbuf *b, double bytes);
void fmt_seconds(struct sbuf *b, double ns);
/* The items of a list answer: resp itself when it is an array, else its
 * member key when that is an array, else NULL. Borrowed. */
json_t *jlist(json_t *resp, const char *key);

/* A text table: columns sized to their widest cell, "-" for empty cells. */
struct table;
struct table *table_new(int ncols, ...);
void table_add(struct table *t, const char *cell);
void table_addf(struct table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void table_print(struct table *t, FILE *f, int indent);
size_t table_rows(const struct table *t);
void table_free(struct table *t);

/* "  key         value" lines of a detail view */
void print_kv(int indent, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* cmd_router.c, cmd_link.c: detail views reused by `vnet status` */
void print_node(json_t *node, int indent, int full_name);
void print_link(json_t *link, int indent, int full_name);
/* "r1>r2" / "r2>r1" labels of a link's directions */
void link_dir_labels(json_t *link, struct sbuf *fwd, struct sbuf *rev);
void fmt_link_props(struct sbuf *b, json_t *link);

/* handlers */
int cmd_up(struct cli *cli, int argc, char **argv);
int cmd_ls(struct cli *cli, int argc, char **argv);
int cmd_check(struct cli *cli, int argc, char **argv);
int cmd_net_start(struct cli *cli, int argc, char **argv);
int cmd_net_stop(struct cli *cli, int argc, char **argv);
int cmd_net_pause(struct cli *cli, int argc, char **argv);
int cmd_net_resume(struct cli *cli, int argc, char **argv);
int cmd_router_pause(struct cli *cli, int argc, char **argv);
int cmd_router_resume(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_down(struct cli *cli, int argc, char **argv);
int cmd_names(struct cli *cli, int argc, char **argv);
int cmd_exec(struct cli *cli, int argc, char **argv);
int cmd_logs(struct cli *cli, int argc, char **argv);
int cmd_router_show(struct cli *cli, int argc, char **argv);
int cmd_router_start(struct cli *cli, int argc, char **argv);
int cmd_router_stop(struct cli *cli, int argc, char **argv);
int cmd_router_set(struct cli *cli, int argc, char **argv);
int cmd_link_show(struct cli *cli, int argc, char **argv);
int cmd_link_stats(struct cli *cli, int argc, char **argv);
int cmd_link_set(struct cli *cli, int argc, char **argv);
int cmd_link_up(struct cli *cli, int argc, char **argv);
int cmd_link_down(struct cli *cli, int argc, char **argv);
int cmd_events(struct cli *cli, int argc, char **argv);
int cmd_daemon_status(struct cli *cli, int argc, char **argv);
int cmd_shutdown(struct cli *cli, int argc, char **argv);
int cmd_cleanup(struct cli *cli, int argc, char **argv);
int cmd_version(struct cli *cli, int argc, char **argv);
/* cmd_live.c */
int cmd_router_add(struct cli *cli, int argc, char **argv);
int cmd_router_del(struct cli *cli, int argc, char **argv);
int cmd_link_add(struct cli *cli, int argc, char **argv);
int cmd_link_del(struct cli *cli, int argc, char **argv);
/* cmd_image.c */
int cmd_net_save(struct cli *cli, int argc, char **argv);
int cmd_net_restore(struct cli *cli, int argc, char **argv);
int cmd_net_copy(struct cli *cli, int argc, char **argv);
int cmd_router_save(struct cli *cli, int argc, char **argv);
int cmd_router_restore(struct cli *cli, int argc, char **argv);
int cmd_router_copy(struct cli *cli, int argc, char **argv);
int cmd_image_show(struct cli *cli, int argc, char **argv);

#endif
