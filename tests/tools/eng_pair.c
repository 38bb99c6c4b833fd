/*
 * eng_pair.c - drive vnet-engine directly, without vnetd: build one link
 * between two network namespaces, change it, read its counters. Used by
 * tests/integration/t_engine_*.sh and for benchmarks. Every request goes
 * through the typed calls of lib/engine_client.h.
 *
 *   eng_pair --engine-socket PATH --ns-a NS --if-a IF --ns-b NS --if-b IF
 *            [--id N] [--mtu N] [prop=value ...]
 *       Create TAP IF in /run/netns/NS on each side (random locally
 *       administered MACs, up, MTU --mtu or 1500), LINK_ADD link N (default
 *       1) with the properties on both directions, attach side 0 = a,
 *       side 1 = b, LINK_STATE up, print "ready", then wait for SIGTERM,
 *       SIGINT or EOF on stdin (stdin is watched only when it is a pipe or
 *       a terminal: background jobs get /dev/null), LINK_DEL and exit. The
 *       control connection is closed while waiting, so other eng_pair
 *       calls can talk to the engine.
 *   eng_pair --engine-socket PATH --set ID [dir=0|1|both] prop=value ...
 *   eng_pair --engine-socket PATH --state ID up|down
 *   eng_pair --engine-socket PATH --detach ID SIDE
 *   eng_pair --engine-socket PATH --attach ID SIDE KIND
 *       PORT_ATTACH of a port of kind KIND ("tap", "vxlan", ...) without a
 *       descriptor: shows how the engine answers a kind it does not
 *       implement, or a TAP without its fd.
 *   eng_pair --engine-socket PATH --stats ID
 *       One JSON object per line: {"dir":0,"rx_frames":...} for each
 *       direction, then {"up":1,"attached":[1,1]}.
 *   eng_pair --engine-socket PATH --list | --hello | --shutdown
 *   eng_pair --engine-socket PATH --trace ID FILE|none [dir=0|1|both]
 *       Direction(s) follow the mahimahi trace FILE (one integer ms per
 *       line), or the token bucket again with "none".
 *   eng_pair --engine-socket PATH --capture ID [dir=0|1|both] [count=N]
 *       Write the link's pcapng capture to stdout until the engine ends it
 *       (count reached) or SIGINT/SIGTERM.
 *
 * Properties are those of linkparams.h ("bandwidth=10mbit delay=5ms
 * loss=1%"). Exit status 0 on success, 1 on an engine error, 2 on usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine_client.h"
#include "linkparams.h"
#include "tap.h"

static const char *sock_path;

static void usage(void)
{
	fprintf(stderr,
		"usage: eng_pair --engine-socket PATH --ns-a NS --if-a IF --ns-b NS --if-b IF\n"
		"                [--id N] [--mtu N] [prop=value ...]\n"
		"       eng_pair --engine-socket PATH --set ID [dir=0|1|both] prop=value ...\n"
		"       eng_pair --engine-socket PATH --state ID up|down\n"
		"       eng_pair --engine-socket PATH --detach ID SIDE\n"
		"       eng_pair --engine-socket PATH --attach ID SIDE KIND\n"
		"       eng_pair --engine-socket PATH --stats ID | --list | --hello | --shutdown\n"
		"       eng_pair --engine-socket PATH --trace ID FILE|none [dir=0|1|both]\n"
		"       eng_pair --engine-socket PATH --capture ID [dir=0|1|both] [count=N]\n");
	exit(2);
}

static int connect_engine(void)
{
	int fd = engc_connect(sock_path);

	if (fd < 0) {
		fprintf(stderr, "eng_pair: cannot connect to %s: %s\n", sock_path,
			strerror(-fd));
		exit(1);
	}
	return fd;
}

/* Report rc (0 or -errno) of request `what`; returns rc. */
static int check(int rc, const char *what)
{
	if (rc < 0)
		fprintf(stderr, "eng_pair: %s: %s\n", what, strerror(-rc));
	return rc;
}

static uint64_t parse_u64(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || !*s)
		usage();
	return v;
}

/* prop=value arguments (and dir=... when dirmask is non-NULL). */
static void parse_props(int argc, char **argv, struct link_params *p, uint32_t *mask,
			uint8_t *dirmask)
{
	char err[256];

	for (int i = 0; i < argc; i++) {
		char key[64], *eq = strchr(argv[i], '=');

		if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof(key))
			usage();
		memcpy(key, argv[i], (size_t)(eq - argv[i]));
		key[eq - argv[i]] = 0;
		if (dirmask && strcmp(key, "dir") == 0) {
			if (strcmp(eq + 1, "0") == 0)
				*dirmask = 1;
			else if (strcmp(eq + 1, "1") == 0)
				*dirmask = 2;
			else if (strcmp(eq + 1, "both") == 0)
				*dirmask = 3;
			else
				usage();
			continue;
		}
		if (linkp_set(p, mask, key, eq + 1, err, sizeof(err)) < 0) {
			fprintf(stderr, "eng_pair: %s\n", err);
			exit(2);
		}
	}
}

static void print_stats(const struct engc_stats *st)
{
	for (int d = 0; d < 2; d++) {
		const struct eng_dir_stats *s = &st->dir[d];

		printf("{\"dir\":%d,\"rx_frames\":%" PRIu64 ",\"rx_bytes\":%" PRIu64
		       ",\"tx_frames\":%" PRIu64 ",\"tx_bytes\":%" PRIu64, d,
		       s->rx_frames, s->rx_bytes, s->tx_frames, s->tx_bytes);
		for (int i = 0; i < ENG_DROP__COUNT; i++)
			printf(",\"drop_%s\":%" PRIu64, eng_drop_name(i), s->drops[i]);
		printf(",\"duplicated\":%" PRIu64 ",\"corrupted\":%" PRIu64
		       ",\"reordered\":%" PRIu64 ",\"queue_frames\":%u,\"queue_bytes\":%u",
		       s->duplicated, s->corrupted, s->reordered, s->queue_frames,
		       s->queue_bytes);
		printf(",\"capture_frames\":%" PRIu64 ",\"capture_dropped\":%" PRIu64
		       ",\"trace_len\":%u}\n", st->capture_frames[d],
		       st->capture_dropped[d], st->trace_len[d]);
	}
	printf("{\"up\":%d,\"attached\":[%d,%d]}\n", st->up, st->attached[0],
	       st->attached[1]);
}

static int open_netns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "eng_pair: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static void random_mac(uint8_t mac[6])
{
	if (getrandom(mac, 6, 0) != 6) {
		for (int i = 0; i < 6; i++)
			mac[i] = (uint8_t)rand();
	}
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);	/* unicast, local */
}

/* Wait for SIGTERM/SIGINT, or EOF on stdin when it is a pipe or a tty. */
static void wait_for_end(void)
{
	struct pollfd p[2];
	struct stat st;
	sigset_t sigs;
	int n = 1;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	p[0].fd = signalfd(-1, &sigs, SFD_CLOEXEC);
	p[0].events = POLLIN;
	if (fstat(0, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(0))) {
		p[1].fd = 0;
		p[1].events = POLLIN;
		n = 2;
	}
	for (;;) {
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[0].revents)
			return;
		if (n == 2 && p[1].revents) {
			char buf[256];
			ssize_t r = read(0, buf, sizeof(buf));

			if (r <= 0)
				return;
		}
	}
}

static int run_pair(const char *ns[2], const char *ifn[2], uint64_t id, unsigned mtu,
		    int argc, char **argv)
{
	struct link_params p[2];
	uint32_t mask = 0;
	char name[64];
	int tap[2] = { -1, -1 }, efd, rc = 1;

	linkp_init(&p[0]);
	parse_props(argc, argv, &p[0], &mask, NULL);
	p[1] = p[0];
	if (!mtu)
		mtu = p[0].mtu ? p[0].mtu : LINKP_DEFAULT_MTU;

	for (int s = 0; s < 2; s++) {
		uint8_t mac[6];
		int nsfd = open_netns(ns[s]);

		random_mac(mac);
		tap[s] = tap_open(nsfd, ifn[s], mac, mtu, NULL);
		close(nsfd);
		if (tap[s] < 0) {
			fprintf(stderr, "eng_pair: cannot create %s in %s: %s\n", ifn[s],
				ns[s], strerror(-tap[s]));
			goto out;
		}
	}

	efd = connect_engine();
	snprintf(name, sizeof(name), "%s:%s-%s:%s", ns[0], ifn[0], ns[1], ifn[1]);
	if (check(engc_link_add(efd, id, name, p, false), "LINK_ADD") < 0)
		goto out_close;
	for (int s = 0; s < 2; s++) {
		if (check(engc_port_attach(efd, id, s, NULL, tap[s]), "PORT_ATTACH") < 0)
			goto out_del;
		close(tap[s]);	/* the engine holds the TAP now */
		tap[s] = -1;
	}
	if (check(engc_link_state(efd, id, true), "LINK_STATE") < 0)
		goto out_del;
	close(efd);

	printf("ready\n");
	fflush(stdout);
	wait_for_end();
	rc = 0;
	efd = connect_engine();
out_del:
	if (check(engc_link_del(efd, id), "LINK_DEL") < 0)
		rc = 1;
out_close:
	close(efd);
out:
	for (int s = 0; s < 2; s++)
		if (tap[s] >= 0)
			close(tap[s]);
	return rc;
}

/* dir=0|1|both and count=N arguments of --trace and --capture. */
static void dir_count_args(int argc, char **argv, uint8_t *dirmask, uint32_t *count)
{
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "dir=0") == 0)
			*dirmask = 1;
		else if (strcmp(argv[i], "dir=1") == 0)
			*dirmask = 2;
		else if (strcmp(argv[i], "dir=both") == 0)
			*dirmask = 3;
		else if (count && strncmp(argv[i], "count=", 6) == 0)
			*count = (uint32_t)parse_u64(argv[i] + 6);
		else
			usage();
	}
}

static int run_trace(uint64_t id, int argc, char **argv)
{
	uint8_t dirmask = 3;
	uint32_t *ms = NULL;
	size_t n = 0, cap = 0;
	int efd, rc;

	if (argc < 1)
		usage();
	dir_count_args(argc - 1, argv + 1, &dirmask, NULL);
	if (strcmp(argv[0], "none") != 0) {
		FILE *f = fopen(argv[0], "r");
		unsigned long v;

		if (!f) {
			fprintf(stderr, "eng_pair: %s: %s\n", argv[0], strerror(errno));
			return 1;
		}
		while (fscanf(f, "%lu", &v) == 1) {
			if (n == cap && !(ms = realloc(ms, (cap = cap ? cap * 2 : 1024) * 4)))
				return 1;
			ms[n++] = (uint32_t)v;
		}
		fclose(f);
		if (!n) {
			fprintf(stderr, "eng_pair: %s: no delivery opportunity\n", argv[0]);
			return 1;
		}
	}
	efd = connect_engine();
	rc = check(engc_link_trace(efd, id, dirmask, ms, n), "LINK_TRACE");
	close(efd);
	free(ms);
	return rc < 0 ? 1 : 0;
}

static int run_capture(uint64_t id, int argc, char **argv)
{
	uint8_t dirmask = 3;
	uint32_t count = 0;
	int pfd[2], efd, sfd, rc;
	sigset_t sigs;
	char buf[65536];

	dir_count_args(argc, argv, &dirmask, &count);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return 1;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	efd = connect_engine();
	rc = check(engc_capture_start(efd, id, dirmask, count, "a>b", pfd[1], NULL),
		   "CAPTURE_START");
	close(pfd[1]);
	if (rc < 0)
		return 1;
	for (;;) {
		struct pollfd p[2] = { { pfd[0], POLLIN, 0 }, { sfd, POLLIN, 0 } };
		ssize_t r;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents) {
			check(engc_capture_stop(efd, id, NULL), "CAPTURE_STOP");
			/* the engine closed its end: drain to EOF */
			sfd = -1;
		}
		if (!p[0].revents && sfd >= 0)
			continue;
		r = read(pfd[0], buf, sizeof(buf));
		if (r <= 0)
			break;
		if (fwrite(buf, 1, (size_t)r, stdout) != (size_t)r)
			break;
	}
	fflush(stdout);
	close(efd);
	return 0;
}

static int run_set(int efd, uint64_t id, int argc, char **argv)
{
	struct link_params p[2];
	uint8_t dirmask = 3;
	uint32_t mask = 0;

	memset(p, 0, sizeof(p));
	parse_props(argc, argv, &p[0], &mask, &dirmask);
	p[1] = p[0];
	return check(engc_link_set(efd, id, dirmask, mask, p), "LINK_SET");
}

static int run_state(int efd, uint64_t id, int argc, char **argv)
{
	if (argc != 1 || (strcmp(argv[0], "up") && strcmp(argv[0], "down")))
		usage();
	return check(engc_link_state(efd, id, strcmp(argv[0], "up") == 0), "LINK_STATE");
}

static int run_detach(int efd, uint64_t id, int argc, char **argv)
{
	if (argc != 1 || (strcmp(argv[0], "0") && strcmp(argv[0], "1")))
		usage();
	return check(engc_port_detach(efd, id, argv[0][0] - '0'), "PORT_DETACH");
}

/* A port of kind KIND on side SIDE, without a descriptor: what the engine
 * answers a kind it does not implement, or a TAP without its fd. */
static int run_attach(int efd, uint64_t id, int argc, char **argv)
{
	struct eng_port desc = { 0 };
	int kind;

	if (argc != 2 || (strcmp(argv[0], "0") && strcmp(argv[0], "1")))
		usage();
	if ((kind = eng_port_kind_parse(argv[1])) < 0) {
		fprintf(stderr, "eng_pair: unknown port kind '%s'\n", argv[1]);
		exit(2);
	}
	desc.kind = (uint8_t)kind;
	return check(engc_port_attach(efd, id, argv[0][0] - '0', &desc, -1), "PORT_ATTACH");
}

static int run_stats(int efd, uint64_t id)
{
	struct engc_stats st;
	int rc = check(engc_link_stats(efd, id, &st), "LINK_STATS");

	if (rc == 0)
		print_stats(&st);
	return rc;
}

static int run_list(int efd)
{
	uint64_t *ids;
	size_t n;
	int rc = check(engc_link_list(efd, &ids, &n), "LINK_LIST");

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		printf("%" PRIu64 "\n", ids[i]);
	free(ids);
	return 0;
}

static int run_hello(int efd)
{
	int32_t pid;
	uint32_t nlinks;
	int rc = check(engc_hello(efd, &pid, &nlinks), "HELLO");

	if (rc == 0)
		printf("{\"pid\":%d,\"links\":%u}\n", pid, nlinks);
	return rc;
}

int main(int argc, char **argv)
{
	enum { O_NSA = 256, O_NSB, O_IFA, O_IFB, O_ID, O_MTU, O_SET, O_STATS, O_STATE,
	       O_DETACH, O_ATTACH, O_LIST, O_HELLO, O_SHUTDOWN, O_TRACE, O_CAPTURE };
	static const struct option opts[] = {
		{ "engine-socket", required_argument, NULL, 's' },
		{ "ns-a", required_argument, NULL, O_NSA },
		{ "ns-b", required_argument, NULL, O_NSB },
		{ "if-a", required_argument, NULL, O_IFA },
		{ "if-b", required_argument, NULL, O_IFB },
		{ "id", required_argument, NULL, O_ID },
		{ "mtu", required_argument, NULL, O_MTU },
		{ "set", required_argument, NULL, O_SET },
		{ "stats", required_argument, NULL, O_STATS },
		{ "state", required_argument, NULL, O_STATE },
		{ "detach", required_argument, NULL, O_DETACH },
		{ "attach", required_argument, NULL, O_ATTACH },
		{ "list", no_argument, NULL, O_LIST },
		{ "hello", no_argument, NULL, O_HELLO },
		{ "shutdown", no_argument, NULL, O_SHUTDOWN },
		{ "trace", required_argument, NULL, O_TRACE },
		{ "capture", required_argument, NULL, O_CAPTURE },
		{ NULL, 0, NULL, 0 },
	};
	const char *ns[2] = { NULL, NULL }, *ifn[2] = { NULL, NULL };
	uint64_t id = 1;
	unsigned mtu = 0;
	int mode = 0, o, efd, rc;

	/* "+": stop at the first prop=value so values may start with '-'. */
	while ((o = getopt_long(argc, argv, "+s:", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			sock_path = optarg;
			break;
		case O_NSA:
			ns[0] = optarg;
			break;
		case O_NSB:
			ns[1] = optarg;
			break;
		case O_IFA:
			ifn[0] = optarg;
			break;
		case O_IFB:
			ifn[1] = optarg;
			break;
		case O_ID:
			id = parse_u64(optarg);
			break;
		case O_MTU:
			mtu = (unsigned)parse_u64(optarg);
			break;
		case O_SET:
		case O_STATS:
		case O_STATE:
		case O_DETACH:
		case O_ATTACH:
		case O_TRACE:
		case O_CAPTURE:
			id = parse_u64(optarg);
			/* fall through */
		case O_LIST:
		case O_HELLO:
		case O_SHUTDOWN:
			if (mode)
				usage();
			mode = o;
			break;
		default:
			usage();
		}
	}
	if (!sock_path)
		usage();
	argc -= optind;
	argv += optind;
	switch (mode) {
	case 0:
		if (!ns[0] || !ns[1] || !ifn[0] || !ifn[1])
			usage();
		return run_pair(ns, ifn, id, mtu, argc, argv);
	case O_TRACE:
		return run_trace(id, argc, argv);
	case O_CAPTURE:
		return run_capture(id, argc, argv);
	case O_STATS:
	case O_LIST:
	case O_HELLO:
	case O_SHUTDOWN:
		if (argc)
			usage();
		break;
	}
	efd = connect_engine();
	switch (mode) {
	case O_SET:
		rc = run_set(efd, id, argc, argv);
		break;
	case O_STATE:
		rc = run_state(efd, id, argc, argv);
		break;
	case O_DETACH:
		rc = run_detach(efd, id, argc, argv);
		break;
	case O_ATTACH:
		rc = run_attach(efd, id, argc, argv);
		break;
	case O_STATS:
		rc = run_stats(efd, id);
		break;
	case O_LIST:
		rc = run_list(efd);
		break;
	case O_HELLO:
		rc = run_hello(efd);
		break;
	default:
		rc = check(engc_shutdown(efd), "SHUTDOWN");
	}
	close(efd);
	return rc < 0 ? 1 : 0;
}
