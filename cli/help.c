/*
 * help.c - `vnet help`, `vnet CMD --help` and `vnet completion bash`, all
 * generated from the command table in main.c.
 *
 * The completion script reads each command's usage: its first word says
 * what the first argument is (FILE, NET, NODE, LINK, COMMAND), and with
 * "..." (NET...) what every argument is, "PROP=VALUE" offers the link
 * properties (from LINKP_PROPS), "key=VALUE" words offer "key=", "--"
 * offers "--" and then command names, "-n" offers "-n", and an option
 * followed by FILE ("-o FILE") file names after it.
 * Names of networks, nodes and links come from the running vnetd through
 * the hidden command `vnet __names`, which never starts a daemon.
 */
#include "cli.h"
#include "linkparams.h"
#include "vnet.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char global_usage[] =
	"usage: vnet [--socket PATH] [--json] [--state-dir DIR] [--prefix NAME] COMMAND [ARGS]\n";

static const char global_help[] =
	"Global options:\n"
	"  --socket PATH    vnetd's API socket (default: $VNET_SOCKET, else " CLI_DEFAULT_SOCKET ")\n"
	"  --json, -j       print JSON (the API's objects) instead of text\n"
	"  --state-dir DIR  state directory for a vnetd that vnet starts or cleans up\n"
	"  --prefix NAME    kernel object prefix for a vnetd that vnet starts or cleans up\n"
	"  --help, -h       show this help; 'vnet help COMMAND' shows one command\n"
	"  --version, -V    show the versions of vnet and vnetd\n"
	"\n"
	"NODE and LINK are NET/NAME, or NAME alone when no other network has that name.\n"
	"When no vnetd answers on the socket, vnet starts one (except for help,\n"
	"completion, version, cleanup and shutdown).\n"
	"Exit status: 0 success, 1 failure, 2 bad usage; vnet exec: the command's.\n";

void cli_print_usage(FILE *f, const struct cli_cmd *c)
{
	fprintf(f, "usage: vnet %s%s%s\n", c->name, *c->usage ? " " : "", c->usage);
}

/* Text with its lines wrapped at 78 columns; continuations indented. */
static void print_wrapped(FILE *f, const char *text)
{
	while (*text) {
		size_t len = strcspn(text, "\n"), col = 0, w;
		const char *p = text, *end = text + len;

		while (p < end) {
			w = strcspn(p, " \n");
			if (col && col + 1 + w > 78) {
				fputs("\n  ", f);
				col = 2;
			} else if (col) {
				fputc(' ', f);
				col++;
			}
			fwrite(p, 1, w, f);
			col += w;
			p += w;
			p += strspn(p, " ");
		}
		fputc('\n', f);
		text = *end ? end + 1 : end;
	}
}

void cli_print_cmd_help(FILE *f, const struct cli_cmd *c)
{
	cli_print_usage(f, c);
	fprintf(f, "\n%c%s.\n", toupper((unsigned char)c->summary[0]), c->summary + 1);
	if (c->details) {
		fputc('\n', f);
		print_wrapped(f, c->details);
	}
}

#define HELP_LEFT_MAX 32	/* longer usages put their summary on the next line */

static void print_list(FILE *f, const char *group)
{
	size_t i, w = 0, glen = group ? strlen(group) : 0;
	char left[128];

	for (i = 0; i < cli_ncmds; i++) {
		const struct cli_cmd *c = &cli_cmds[i];
		size_t n = strlen(c->name) + 1 + strlen(c->usage);

		if (!(c->flags & CMD_HIDDEN) && n > w && n <= HELP_LEFT_MAX)
			w = n;
	}
	for (i = 0; i < cli_ncmds; i++) {
		const struct cli_cmd *c = &cli_cmds[i];

		if (c->flags & CMD_HIDDEN)
			continue;
		if (group && (strncmp(c->name, group, glen) != 0 || c->name[glen] != ' '))
			continue;
		snprintf(left, sizeof(left), "%s %s", c->name, c->usage);
		if (strlen(left) > w)
			fprintf(f, "  %s\n  %-*s  %s\n", left, (int)w, "", c->summary);
		else
			fprintf(f, "  %-*s  %s\n", (int)w, left, c->summary);
	}
}

static json_t *cmd_json(const struct cli_cmd *c)
{
	return json_pack("{s:s, s:s, s:s, s:s*}", "name", c->name, "usage", c->usage,
			 "summary", c->summary, "details", c->details);
}

/* Help for the words in argv (none: everything) to f. */
int cli_help(const struct cli *cli, FILE *f, int argc, char **argv)
{
	const struct cli_cmd *c = NULL;
	int nwords = 0;
	size_t i;

	if (argc > 0) {
		c = cli_cmd_find(argc, argv, &nwords);
		if ((!c && !(argc == 1 && cli_is_group(argv[0]))) || (c && nwords < argc)) {
			fprintf(stderr, "vnet help: unknown command '%s%s%s' (see vnet help)\n",
				argv[0], argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
			return CLI_EXIT_USAGE;
		}
	}
	if (cli->json && f == stdout) {
		json_t *arr = json_array();

		for (i = 0; i < cli_ncmds; i++) {
			const struct cli_cmd *e = &cli_cmds[i];
			size_t glen = argc ? strlen(argv[0]) : 0;

			if (e->flags & CMD_HIDDEN)
				continue;
			if (c ? e != c : argc && (strncmp(e->name, argv[0], glen) != 0 ||
						  e->name[glen] != ' '))
				continue;
			json_array_append_new(arr, cmd_json(e));
		}
		print_json(c ? json_array_get(arr, 0) : arr);
		json_decref(arr);
		return CLI_EXIT_OK;
	}
	if (c) {
		cli_print_cmd_help(f, c);
		return CLI_EXIT_OK;
	}
	if (argc == 1) {
		fprintf(f, "usage: vnet %s COMMAND [ARGS]\n\nCommands:\n", argv[0]);
		print_list(f, argv[0]);
		return CLI_EXIT_OK;
	}
	fputs(global_usage, f);
	fputs("\nvnet runs virtual networks -- routers, hosts and the links between them --\n"
	      "through the vnetd daemon.\n\nCommands:\n", f);
	print_list(f, NULL);
	fputc('\n', f);
	fputs(global_help, f);
	return CLI_EXIT_OK;
}

int cmd_help(struct cli *cli, int argc, char **argv)
{
	return cli_help(cli, stdout, argc, argv);
}

/* The words of the completion script. */

static void add_word(struct sbuf *b, const char *w, size_t n)
{
	char key[64];
	const char *p = b->s;

	snprintf(key, sizeof(key), " %.*s ", (int)n, w);
	if (p && strstr(p, key))
		return;
	if (b->len == 0)
		sbuf_puts(b, " ");
	sbuf_add(b, w, n);
	sbuf_puts(b, " ");
}

static void top_words(struct sbuf *b)
{
	size_t i;

	for (i = 0; i < cli_ncmds; i++)
		if (!(cli_cmds[i].flags & CMD_HIDDEN))
			add_word(b, cli_cmds[i].name, strcspn(cli_cmds[i].name, " "));
}

static void group_words(struct sbuf *b, const char *group)
{
	size_t i, n = strlen(group);

	for (i = 0; i < cli_ncmds; i++) {
		const char *name = cli_cmds[i].name;

		if (strncmp(name, group, n) == 0 && name[n] == ' ')
			add_word(b, name + n + 1, strlen(name + n + 1));
	}
}

/* What the completion offers for a command's arguments, from its usage. */
static void complete_case(struct sbuf *s, const struct cli_cmd *c)
{
	static const char *const kinds[][2] = {
		{ "FILE", "_vnet_files" },
		{ "NET", "COMPREPLY=($(compgen -W \"$(_vnet_names networks)\" -- \"$cur\"))" },
		{ "NODE", "COMPREPLY=($(compgen -W \"$(_vnet_names nodes)\" -- \"$cur\"))" },
		{ "LINK", "COMPREPLY=($(compgen -W \"$(_vnet_names links)\" -- \"$cur\"))" },
	};
	struct sbuf keys = { 0 }, first = { 0 }, opts = { 0 }, fileopts = { 0 };
	const char *u = c->usage;
	size_t w, i;
	int tail = 0, lines = 0, repeat = 0;

	w = strcspn(u, " ");
	if (w > 3 && strncmp(u + w - 3, "...", 3) == 0) {
		repeat = 1;
		w -= 3;
	}
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (strlen(kinds[i][0]) == w && strncmp(u, kinds[i][0], w) == 0)
			sbuf_puts(&first, kinds[i][1]);
	if (strcmp(c->name, "help") == 0) {
		struct sbuf top = { 0 };

		top_words(&top);
		sbuf_printf(&first, "COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))",
			    sbuf_str(&top));
		sbuf_free(&top);
	} else if (w && islower((unsigned char)u[0])) {
		sbuf_printf(&first, "COMPREPLY=($(compgen -W \"%.*s\" -- \"$cur\"))",
			    (int)strcspn(u, " |"), u);
	}
	for (; *u; u += w) {
		const char *eq;

		u += strspn(u, " [']");
		w = strcspn(u, " ");
		eq = memchr(u, '=', w);
		if (w == 2 && strncmp(u, "--", 2) == 0)
			tail = 1;
		else if (w >= 2 && strncmp(u, "-n", 2) == 0)
			lines = 1;
		else if (w >= 2 && u[0] == '-') {
			size_t ow = strcspn(u, " ]");
			const char *v = u + w + strspn(u + w, " ");

			add_word(&opts, u, ow);
			if (strncmp(v, "FILE", 4) == 0 && strchr(" ]", v[4]))
				sbuf_printf(&fileopts, "%s%.*s", fileopts.len ? "|" : "",
					    (int)ow, u);
		}
		else if (eq && strncmp(u, "PROP=", 5) == 0) {
#define X(e, name, field, kind) add_word(&keys, name "=", strlen(name) + 1);
			LINKP_PROPS(X)
#undef X
			add_word(&keys, "profile=", 8);
			add_word(&keys, "trace=", 6);
		} else if (eq && islower((unsigned char)u[0]))
			add_word(&keys, u, (size_t)(eq - u) + 1);
	}

	sbuf_printf(s, "\t\"%s\")\n", c->name);
	if (fileopts.len)
		sbuf_printf(s, "\t\tcase $prev in %s) _vnet_files; return ;; esac\n",
			    sbuf_str(&fileopts));
	if (first.len && !repeat)
		sbuf_printf(s, "\t\tif [ $n -eq 0 ]; then %s; return; fi\n", sbuf_str(&first));
	if (first.len && repeat)
		sbuf_printf(s, "\t\tcase $cur in -*) COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")) ;;"
			    " *) %s ;; esac ;;\n", sbuf_str(&opts), sbuf_str(&first));
	else if (tail)
		sbuf_puts(s, "\t\t_vnet_tail; return ;;\n");
	else if (keys.len)
		sbuf_printf(s, "\t\t[ \"$prev\" = = ] || { compopt -o nospace 2>/dev/null; "
			    "COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); } ;;\n",
			    sbuf_str(&keys));
	else if (lines)
		sbuf_puts(s, "\t\t[ \"$prev\" = -n ] || COMPREPLY=($(compgen -W \"-n\" -- \"$cur\")) ;;\n");
	else if (strcmp(c->name, "help") == 0)
		sbuf_puts(s, "\t\t[ $n -eq 1 ] && COMPREPLY=($(compgen -W \"$(_vnet_group "
			  "\"${COMP_WORDS[COMP_CWORD-1]}\")\" -- \"$cur\")) ;;\n");
	else
		sbuf_puts(s, "\t\t;;\n");
	sbuf_free(&keys);
	sbuf_free(&first);
	sbuf_free(&opts);
	sbuf_free(&fileopts);
}

static char *completion_script(void)
{
	struct sbuf s = { 0 }, w = { 0 };
	size_t i;

	sbuf_puts(&s,
		"# bash completion for vnet, generated by 'vnet completion bash'.\n"
		"# Load it with: source <(vnet completion bash)\n"
		"\n"
		"_vnet_names()\n"
		"{\n"
		"\t\"$_vnet_bin\" \"${_vnet_global[@]}\" __names \"$1\" 2>/dev/null\n"
		"}\n"
		"\n"
		"_vnet_files()\n"
		"{\n"
		"\tcompopt -o filenames 2>/dev/null\n"
		"\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
		"}\n"
		"\n"
		"# After NODE: \"--\", then a command and its files.\n"
		"_vnet_tail()\n"
		"{\n"
		"\tif [ $n -eq 1 ]; then\n"
		"\t\tCOMPREPLY=($(compgen -W \"--\" -- \"$cur\"))\n"
		"\telif [ $n -eq 2 ] && [ \"$prev\" = -- ]; then\n"
		"\t\tCOMPREPLY=($(compgen -c -- \"$cur\"))\n"
		"\telse\n"
		"\t\t_vnet_files\n"
		"\tfi\n"
		"}\n"
		"\n"
		"_vnet_group()\n"
		"{\n"
		"\tcase $1 in\n");
	top_words(&w);
	{
		const char *p = sbuf_str(&w);

		while (*p) {
			size_t n;
			char word[32];
			struct sbuf g = { 0 };

			p += strspn(p, " ");
			n = strcspn(p, " ");
			if (!n)
				break;
			snprintf(word, sizeof(word), "%.*s", (int)n, p);
			p += n;
			if (!cli_is_group(word))
				continue;
			group_words(&g, word);
			sbuf_printf(&s, "\t%s) echo \"%s\" ;;\n", word, sbuf_str(&g));
			sbuf_free(&g);
		}
	}
	sbuf_printf(&s,
		"\tesac\n"
		"}\n"
		"\n"
		"_vnet()\n"
		"{\n"
		"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
		"\tlocal _vnet_bin=${COMP_WORDS[0]} i=1 cmd n subs\n"
		"\tlocal -a _vnet_global=()\n"
		"\tCOMPREPLY=()\n"
		"\tcase $prev in\n"
		"\t--socket|--state-dir) _vnet_files; return ;;\n"
		"\t--prefix) return ;;\n"
		"\tesac\n"
		"\twhile [ $i -lt $COMP_CWORD ]; do\n"
		"\t\tcase ${COMP_WORDS[i]} in\n"
		"\t\t--socket|--state-dir|--prefix)\n"
		"\t\t\t_vnet_global+=(\"${COMP_WORDS[i]}\" \"${COMP_WORDS[i+1]}\")\n"
		"\t\t\ti=$((i + 2)) ;;\n"
		"\t\t-*) i=$((i + 1)) ;;\n"
		"\t\t*) break ;;\n"
		"\t\tesac\n"
		"\tdone\n"
		"\tif [ $i -ge $COMP_CWORD ]; then\n"
		"\t\tCOMPREPLY=($(compgen -W \"%s --socket --json --state-dir --prefix --help "
		"--version\" -- \"$cur\"))\n"
		"\t\treturn\n"
		"\tfi\n"
		"\tcmd=${COMP_WORDS[i]}\n"
		"\ti=$((i + 1))\n"
		"\tsubs=$(_vnet_group \"$cmd\")\n"
		"\tif [ -n \"$subs\" ]; then\n"
		"\t\tif [ $i -ge $COMP_CWORD ]; then\n"
		"\t\t\tCOMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
		"\t\t\treturn\n"
		"\t\tfi\n"
		"\t\tcmd=\"$cmd ${COMP_WORDS[i]}\"\n"
		"\t\ti=$((i + 1))\n"
		"\tfi\n"
		"\tn=$((COMP_CWORD - i))\n"
		"\tcase $cmd in\n", sbuf_str(&w));
	for (i = 0; i < cli_ncmds; i++)
		if (!(cli_cmds[i].flags & CMD_HIDDEN))
			complete_case(&s, &cli_cmds[i]);
	sbuf_puts(&s,
		"\tesac\n"
		"}\n"
		"\n"
		"complete -F _vnet vnet\n");
	sbuf_free(&w);
	return s.s;
}

int cmd_completion(struct cli *cli, int argc, char **argv)
{
	char *script;

	if (argc < 1)
		return cli_usage_error(cli, "missing shell (only bash is supported)");
	if (strcmp(argv[0], "bash") != 0)
		return cli_usage_error(cli, "unsupported shell '%s' (only bash is supported)",
				       argv[0]);
	if (argc > 1)
		return cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
	script = completion_script();
	if (cli->json) {
		json_t *j = json_pack("{s:s, s:s}", "shell", "bash", "script", script);

		print_json(j);
		json_decref(j);
	} else {
		fputs(script, stdout);
	}
	free(script);
	return CLI_EXIT_OK;
}
