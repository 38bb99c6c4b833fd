/*
 * main.c - the vnet command: global options, the table of subcommands and
 * dispatch.
 *
 *   vnet [--socket PATH] [--json] [--state-dir DIR] [--prefix NAME] COMMAND ...
 *
 * cli_cmds[] is the only list of commands: dispatch, `vnet help`,
 * `vnet CMD --help` and `vnet completion bash` (help.c) are all generated
 * from it. A command is one word ("ls") or a group and a verb ("link set").
 * Before its handler runs, --json and --help are taken from the command's
 * arguments too, so `vnet ls --json` works like `vnet --json ls`.
 */
#include "cli.h"
#include "args.h"
#include "linkparams.h"
#include "vnet.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#define X(e, name, field, kind) " " name
#define LINK_PROP_NAMES LINKP_PROPS(X)

int cmd_capture(struct cli *cli, int argc, char **argv);	/* cmd_capture.c */

const struct cli_cmd cli_cmds[] = {
	{ "up", cmd_up, "create and start the networks of a topology file", "FILE", 0,
	  "Reads FILE, a YAML topology (docs/topology.md), and sends it to vnetd,\n"
	  "which validates it, creates every network it defines and starts their\n"
	  "routers, hosts and links. Paths inside FILE (BIRD configs) are relative\n"
	  "to FILE's directory." },
	{ "check", cmd_check, "validate a topology file without creating anything", "FILE",
	  0,
	  "Sends FILE to vnetd as `vnet up` does, but only to be checked: the\n"
	  "format, the graph and the address plan. Prints the networks it defines,\n"
	  "or the first error with its file, line and column." },
	{ "ls", cmd_ls, "list networks with their nodes and links", "", 0, NULL },
	{ "status", cmd_status, "show a network in detail", "NET", 0,
	  "Shows every node of NET with its addresses, interfaces, resources and\n"
	  "routing daemon (protocols and their state), and every link with its\n"
	  "properties in each direction and its state." },
	{ "down", cmd_down, "stop and remove networks", "NET... | -f FILE", 0,
	  "Stops each NET in turn and removes it with its record, reporting each.\n"
	  "A NET that vnetd refuses (one that does not exist) is reported and the\n"
	  "others are still taken down; the exit status is then 1.\n"
	  "-f FILE (also --file FILE) takes down the networks that the topology\n"
	  "FILE defines, as `vnet up FILE` made them. Those of them that are not up\n"
	  "are reported; it fails only when none of them is up, or vnetd refuses\n"
	  "one." },
	{ "net start", cmd_net_start, "start a stopped network (same addresses and MACs)",
	  "NET", 0, NULL },
	{ "net stop", cmd_net_stop, "stop every node and link of a network, keep its record",
	  "NET", 0, NULL },
	{ "net pause", cmd_net_pause, "freeze every node of a network together", "NET", 0,
	  NULL },
	{ "net resume", cmd_net_resume, "thaw a paused network", "NET", 0, NULL },
	{ "net save", cmd_net_save, "save a running network to an image file", "NET -o FILE",
	  0, "Freezes every node together for the capture, then thaws them (a paused\n"
	  "network stays paused). The image holds the spec, link states, and each\n"
	  "node's interfaces, routes and neighbours (docs/image-format.md)." },
	{ "net restore", cmd_net_restore, "create and start a network from an image file",
	  "FILE [--as NAME]", 0, "The saved routes and neighbours are installed before BIRD\n"
	  "starts, so forwarding works at once. --as NAME restores under another\n"
	  "name (new MACs; neighbours are then not restored)." },
	{ "net copy", cmd_net_copy, "run a copy of a network under a new name",
	  "NET NEW [--prefix P]", 0, "Saves NET in memory and restores it as NEW, isolated\n"
	  "from NET. --prefix gives the copy other addresses (same family); routing\n"
	  "then converges from scratch." },
	{ "exec", cmd_exec, "run a command inside a router or host",
	  "NODE -- CMD [ARGS...]", CMD_TAIL,
	  "Runs CMD inside NODE: in its network, mount, UTS, IPC, PID and cgroup\n"
	  "namespaces and in its cgroups (its CPU and memory limits apply), with\n"
	  "this environment and working directory /. Names of the network resolve\n"
	  "through the node's /etc/hosts. vnet exits with CMD's status (128+N when\n"
	  "CMD is killed by signal N, 127 when it is not found); SIGINT and SIGTERM\n"
	  "sent to vnet are passed on to CMD. Needs root." },
	{ "logs", cmd_logs, "show the log of a router or host", "NODE [-n N]", 0,
	  "Prints the last N lines (default: vnetd's choice) of the log vnetd\n"
	  "keeps for NODE, one per line." },
	{ "router show", cmd_router_show, "show a router or host", "NODE", 0, NULL },
	{ "router start", cmd_router_start, "start a stopped router or host", "NODE", 0, NULL },
	{ "router stop", cmd_router_stop, "stop a router or host (its links lose carrier)",
	  "NODE", 0, NULL },
	{ "router pause", cmd_router_pause, "freeze every process of a node (cgroup freezer)",
	  "NODE", 0, NULL },
	{ "router resume", cmd_router_resume, "thaw a paused node", "NODE", 0, NULL },
	{ "router set", cmd_router_set, "change the CPU share or memory limit of a node",
	  "NODE cpu=SHARE memory=SIZE", 0,
	  "Changes the resources of NODE while it runs: cpu=SHARE in percent of one\n"
	  "CPU (25%, 150%), memory=SIZE in bytes with K, M or G (64M). Give one or\n"
	  "both; vnetd checks the values." },
	{ "router add", cmd_router_add, "add a router or host to a running network",
	  "NET/NAME link=PEER... [cpu=SHARE] [memory=SIZE] [config=FILE] [host]", 0,
	  "Adds NAME to NET with a link to each PEER (at least one: a node must be\n"
	  "connected). Nothing else changes address, MAC or interface name; every\n"
	  "router's BIRD config is regenerated and reloaded (birdc configure).\n"
	  "'host' adds a host instead of a router." },
	{ "router del", cmd_router_del, "remove a router or host from a running network",
	  "NODE", 0, "Refused while links still use NODE: vnet link del them first." },
	{ "router save", cmd_router_save, "save a running router or host to an image file",
	  "NET/NODE -o FILE", 0,
	  "Freezes NODE alone for the capture. The image holds its spec entry, its\n"
	  "links (properties, state, peer names), its interfaces, routes and\n"
	  "neighbours (docs/image-format.md)." },
	{ "router restore", cmd_router_restore, "add a router or host from an image file",
	  "FILE [--as NET/NAME]", 0,
	  "Adds the node to its running network with its links, as router add\n"
	  "would; the peers must exist and the name must be free (vnet router del\n"
	  "it first). The saved routes and neighbours are installed before BIRD\n"
	  "starts. --as restores under another name or network (new MACs and\n"
	  "addresses; the routing tables are then not restored)." },
	{ "router copy", cmd_router_copy, "run a copy of a router under a new name",
	  "NET/NODE NET/NEW", 0,
	  "Saves NODE in memory and restores it as NEW, linked to the same peers." },
	{ "image show", cmd_image_show, "list the parts of an image file (read locally)",
	  "FILE [--part NAME]", CMD_NO_START,
	  "Checks the whole file (layout, checksums) and prints its kind, name,\n"
	  "creation time and each part's size and SHA-256; --json for JSON.\n"
	  "--part NAME writes that part's bytes to stdout instead." },
	{ "link show", cmd_link_show, "show a link's properties and state", "LINK", 0, NULL },
	{ "link stats", cmd_link_stats, "show a link's frame and drop counters",
	  "LINK [--watch]", 0,
	  "With --watch, shows the counters every second, with the rate each\n"
	  "direction delivered over the last second, until Ctrl-C (one block per\n"
	  "second when stdout is not a terminal; one JSON object per line with\n"
	  "--json)." },
	{ "link set", cmd_link_set, "change a link's properties at run time",
	  "LINK PROP=VALUE... ['dir=A>B']", 0,
	  "Changes properties of LINK without disturbing it: in both directions, or\n"
	  "only from end A to end B with dir=A>B (quote it: '>' is a shell\n"
	  "redirection). Values are written as in topology files (10mbit, 20ms,\n"
	  "0.1%, 64K); vnetd checks them.\n"
	  "Properties:" LINK_PROP_NAMES " profile (on, off) trace (FILE, none)" },
	{ "link add", cmd_link_add, "add a link to a running network",
	  "NET/A-B [PROP=VALUE...] [ends=A,B]", 0,
	  "Adds a link between A and B (its name, unless ends=A,B names them), with\n"
	  "the properties given, in both directions. Its ends get the next free\n"
	  "ethN and a new subnet; nothing else changes." },
	{ "link del", cmd_link_del, "remove a link from a running network", "LINK", 0,
	  "Refused when the network would no longer be connected." },
	{ "link up", cmd_link_up, "bring a link up (carrier on at both ends)", "LINK", 0, NULL },
	{ "link down", cmd_link_down, "take a link down (carrier off at both ends)", "LINK", 0,
	  NULL },
	{ "capture", cmd_capture, "write what a link delivers as pcapng (for tshark)",
	  "LINK [-w FILE] [-c COUNT] [--dir A>B]", 0,
	  "Captures the frames LINK delivers, in both directions or only from end A\n"
	  "to end B with --dir A>B (quote it), as pcapng: one interface per\n"
	  "direction named A>B, nanosecond timestamps. Writes to FILE, or to stdout\n"
	  "when it is not a terminal (vnet capture LINK | tshark -r -), until COUNT\n"
	  "frames, Ctrl-C, or the link goes away. Capturing never slows the link:\n"
	  "frames the reader is too slow for are left out and counted as\n"
	  "capture_dropped in vnet link stats." },
	{ "events", cmd_events, "show vnetd's recent events", "[-n N]", 0, NULL },
	{ "daemon status", cmd_daemon_status, "show vnetd's version, pid, paths and engine", "",
	  0, NULL },
	{ "shutdown", cmd_shutdown, "stop every network and vnetd itself", "", CMD_NO_START,
	  "Asks vnetd to stop all its networks (their records stay) and the engine,\n"
	  "and to exit; then waits until its socket stops answering. Does nothing\n"
	  "when no vnetd runs." },
	{ "cleanup", cmd_cleanup, "remove what a crashed vnetd left behind", "", CMD_NO_START,
	  "When no vnetd answers on the socket, runs `vnetd --cleanup` with the\n"
	  "same socket, state directory and prefix: it removes the namespaces,\n"
	  "interfaces, cgroups and processes that a crashed daemon left. Refuses\n"
	  "while a vnetd is running." },
	{ "version", cmd_version, "show the versions of vnet and of the running vnetd", "",
	  CMD_NO_START, NULL },
	{ "help", cmd_help, "show the commands, or the help of one", "[COMMAND]",
	  CMD_NO_START, NULL },
	{ "completion", cmd_completion, "print a bash completion script", "bash", CMD_NO_START,
	  "Load it with: source <(vnet completion bash)" },
	{ "__names", cmd_names, "names for shell completion", "networks|nodes|links",
	  CMD_HIDDEN | CMD_NO_START, NULL },
};
const size_t cli_ncmds = ARRAY_SIZE(cli_cmds);

#undef X

static void vmsg(const struct cli *cli, const char *fmt, va_list ap)
{
	fprintf(stderr, "vnet%s%s: ", cli->cmd ? " " : "", cli->cmd ? cli->cmd->name : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cli, fmt, ap);
	va_end(ap);
	if (cli->cmd)
		cli_print_usage(stderr, cli->cmd);
	return CLI_EXIT_USAGE;
}

int cli_fail(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cli, fmt, ap);
	va_end(ap);
	return CLI_EXIT_FAIL;
}

/* The n-th (0-based) required argument named in the usage, e.g. "NODE". */
static void usage_word(const struct cli_cmd *c, int n, char *buf, size_t len)
{
	const char *p = c->usage;

	snprintf(buf, len, "argument");
	while (*p) {
		size_t w;

		p += strspn(p, " ");
		w = strcspn(p, " ");
		if (w && *p != '[' && *p != '-' && n-- == 0) {
			snprintf(buf, len, "%.*s", (int)w, p);
			return;
		}
		p += w;
	}
}

int cli_expect_args(const struct cli *cli, int argc, char **argv, int n)
{
	char what[64];
	int i;

	for (i = 0; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage_error(cli, "unknown option '%s'", argv[i]);
	if (argc < n) {
		usage_word(cli->cmd, argc, what, sizeof(what));
		return cli_usage_error(cli, "missing %s", what);
	}
	if (argc > n)
		return cli_usage_error(cli, "unexpected argument '%s'", argv[n]);
	return 0;
}

int cli_ref_path(const struct cli *cli, int kind, const char *ref, const char *base,
		 const char *suffix, char *path, size_t n)
{
	char err[256];

	if (args_ref_check(ref, (enum args_ref_kind)kind, err, sizeof(err)) < 0)
		return cli_usage_error(cli, "%s", err);
	if (args_path(path, n, base, ref, suffix) < 0)
		return cli_usage_error(cli, "name too long: '%s'", ref);
	return 0;
}

int cli_lines_opt(const struct cli *cli, int *argc, char **argv, unsigned long *lines)
{
	int i, j = 0;

	*lines = 0;
	for (i = 0; i < *argc; i++) {
		const char *a = argv[i], *v = NULL;

		if (strcmp(a, "-n") == 0 || strcmp(a, "--lines") == 0) {
			if (i + 1 == *argc)
				return cli_usage_error(cli, "%s needs a number of lines: %s N", a, a);
			v = argv[++i];
		} else if (strncmp(a, "-n", 2) == 0) {
			v = a + 2;
		} else if (strncmp(a, "--lines=", 8) == 0) {
			v = a + 8;
		} else {
			argv[j++] = argv[i];
			continue;
		}
		if (args_count_parse(v, 1000000, lines) < 0)
			return cli_usage_error(cli, "-n needs a number of lines (1 to 1000000), "
					       "not '%s'", v);
	}
	*argc = j;
	return 0;
}

const struct cli_cmd *cli_cmd_named(const char *name)
{
	size_t i;

	for (i = 0; i < cli_ncmds; i++)
		if (strcmp(cli_cmds[i].name, name) == 0)
			return &cli_cmds[i];
	return NULL;
}

int cli_is_group(const char *word)
{
	size_t i, n = strlen(word);

	for (i = 0; i < cli_ncmds; i++)
		if (strncmp(cli_cmds[i].name, word, n) == 0 && cli_cmds[i].name[n] == ' ')
			return 1;
	return 0;
}

const struct cli_cmd *cli_cmd_find(int argc, char **argv, int *nwords)
{
	const struct cli_cmd *c;
	char two[128];

	if (argc >= 2 && cli_is_group(argv[0])) {
		snprintf(two, sizeof(two), "%s %s", argv[0], argv[1]);
		if ((c = cli_cmd_named(two))) {
			*nwords = 2;
			return c;
		}
		return NULL;
	}
	*nwords = 1;
	return argc >= 1 && !cli_is_group(argv[0]) ? cli_cmd_named(argv[0]) : NULL;
}

/* The command's words were not found: say why. */
static int unknown_command(struct cli *cli, int argc, char **argv)
{
	if (cli_is_group(argv[0])) {
		if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
			FILE *f = argc < 2 ? stderr : stdout;

			if (argc < 2)
				fprintf(stderr, "vnet %s: missing subcommand\n", argv[0]);
			cli_help(cli, f, 1, argv);
			return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
		}
		fprintf(stderr, "vnet: unknown command '%s %s' (see vnet help %s)\n",
			argv[0], argv[1], argv[0]);
		return CLI_EXIT_USAGE;
	}
	fprintf(stderr, "vnet: unknown command '%s' (see vnet help)\n", argv[0]);
	return CLI_EXIT_USAGE;
}

/*
 * Take --json and --help out of the command's arguments, up to "--" (which
 * is dropped, except for CMD_TAIL commands whose handler wants it) or, for
 * CMD_TAIL, up to the second plain argument. Returns 1 for --help.
 */
static int command_options(struct cli *cli, int *argc, char **argv)
{
	int i, j = 0, plain = 0, help = 0, tail = cli->cmd->flags & CMD_TAIL;

	for (i = 0; i < *argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			if (tail)
				argv[j++] = argv[i];
			i++;
			break;
		}
		if (tail && a[0] != '-' && ++plain == 2)
			break;
		if (strcmp(a, "--json") == 0 || strcmp(a, "-j") == 0)
			cli->json = 1;
		else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			help = 1;
		else
			argv[j++] = argv[i];
	}
	for (; i < *argc; i++)
		argv[j++] = argv[i];
	argv[j] = NULL;
	*argc = j;
	return help;
}

static const struct option global_opts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ "state-dir", required_argument, NULL, 'd' },
	{ "prefix", required_argument, NULL, 'p' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	const char *env = getenv("VNET_SOCKET");
	int c, nwords, rc, want_help = 0, want_version = 0;

	cli.socket = env && *env ? env : CLI_DEFAULT_SOCKET;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:jhV", global_opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cli.socket = optarg;
			break;
		case 'j':
			cli.json = 1;
			break;
		case 'd':
			cli.state_dir = optarg;
			break;
		case 'p':
			cli.prefix = optarg;
			break;
		case 'h':
			want_help = 1;
			break;
		case 'V':
			want_version = 1;
			break;
		case ':':
			fprintf(stderr, "vnet: option '%s' needs a value (see vnet help)\n",
				argv[optind - 1]);
			return CLI_EXIT_USAGE;
		default:
			fprintf(stderr, "vnet: unknown option '%s' (see vnet help)\n",
				argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
	}
	if (*cli.socket == '\0' ||
	    strlen(cli.socket) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		fprintf(stderr, "vnet: bad socket path '%s' (1 to %zu characters)\n", cli.socket,
			sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		return CLI_EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;

	if (want_version || want_help || argc == 0) {
		cli.cmd = cli_cmd_named(want_version ? "version" : "help");
		if (argc == 0 && !want_version && !want_help) {
			cli_help(&cli, stderr, 0, argv);
			return CLI_EXIT_USAGE;
		}
		if (want_version)
			rc = cli.cmd->handler(&cli, 0, argv + argc);
		else
			rc = cli_help(&cli, stdout, argc, argv);
		client_close(&cli);
		return rc;
	}

	cli.cmd = cli_cmd_find(argc, argv, &nwords);
	if (!cli.cmd)
		return unknown_command(&cli, argc, argv);
	argc -= nwords;
	argv += nwords;
	if (command_options(&cli, &argc, argv)) {
		cli_print_cmd_help(stdout, cli.cmd);
		return CLI_EXIT_OK;
	}
	rc = cli.cmd->handler(&cli, argc, argv);
	client_close(&cli);
	return rc;
}
