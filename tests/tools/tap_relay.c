/*
 * tap_relay.c - the least any user-space link can do: copy every frame from
 * one TAP to the other and back, nothing else. bench/links.sh measures it
 * next to the engine and a veth pair, so that the table shows how much of
 * the gap to veth is the engine's and how much is the price of moving
 * frames through user space at all on the machine at hand.
 *
 *   tap_relay --ns-a NS --if-a IF --ns-b NS --if-b IF [--queues N]
 *
 * Makes TAP IF in /run/netns/NS on each side exactly as vnetd makes a
 * link's ports (IFF_VNET_HDR, checksum and TSO offloads, up; lib/tap.c),
 * with N queues each (default 1; more makes them IFF_MULTI_QUEUE), and
 * runs one thread per queue pair: queue q of a <-> queue q of b. Each
 * thread sleeps in epoll_wait and, on a readable queue, reads up to 64
 * frames from it and writes each to the other side at once. Prints
 * "ready" once both TAPs are up, then relays until SIGTERM or SIGINT.
 * Exit status 0, 1 on a setup error, 2 on usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "tap.h"

#define RELAY_BUF (128 * 1024)
#define RELAY_BUDGET 64

struct relay {
	int fd[2];	/* queue q of side a and of side b */
	pthread_t thread;
};

static void usage(void)
{
	fprintf(stderr, "usage: tap_relay --ns-a NS --if-a IF --ns-b NS --if-b IF [--queues N]\n");
	exit(2);
}

static void *relay_main(void *arg)
{
	struct relay *r = arg;
	struct epoll_event ev = { .events = EPOLLIN }, evs[2];
	uint8_t *buf = malloc(RELAY_BUF);
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (!buf || ep < 0) {
		fprintf(stderr, "tap_relay: %s\n", strerror(buf ? errno : ENOMEM));
		exit(1);
	}
	for (int s = 0; s < 2; s++) {
		ev.data.u32 = (uint32_t)s;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, r->fd[s], &ev) < 0) {
			fprintf(stderr, "tap_relay: epoll_ctl: %s\n", strerror(errno));
			exit(1);
		}
	}
	for (;;) {
		int n = epoll_wait(ep, evs, 2, -1);

		for (int i = 0; i < n; i++) {
			int in = r->fd[evs[i].data.u32], out = r->fd[!evs[i].data.u32];

			for (int k = 0; k < RELAY_BUDGET; k++) {
				ssize_t len = read(in, buf, RELAY_BUF);

				if (len <= 0)
					break;
				/* A full TAP queue on the far side drops the
				 * frame, as the engine does. */
				(void)!write(out, buf, (size_t)len);
			}
		}
	}
	return NULL;
}

static int open_side(const char *ns, const char *ifname, unsigned nq, int fds[])
{
	char path[PATH_MAX];
	int nsfd, rc;

	if (snprintf(path, sizeof(path), "/run/netns/%s", ns) >= (int)sizeof(path) ||
	    (nsfd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "tap_relay: namespace %s: %s\n", ns, strerror(errno));
		return -1;
	}
	rc = tap_open_queues(nsfd, ifname, nq, fds);
	close(nsfd);
	if (rc < 0) {
		fprintf(stderr, "tap_relay: TAP %s in %s: %s\n", ifname, ns, strerror(-rc));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ns-a", required_argument, NULL, 'a' },
		{ "if-a", required_argument, NULL, 'A' },
		{ "ns-b", required_argument, NULL, 'b' },
		{ "if-b", required_argument, NULL, 'B' },
		{ "queues", required_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ns[2] = { NULL, NULL }, *ifn[2] = { NULL, NULL };
	int fds[2][TAP_MAX_QUEUES];
	struct relay r[TAP_MAX_QUEUES];
	unsigned nq = 1;
	sigset_t sigs;
	int c, sig;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'a': ns[0] = optarg; break;
		case 'A': ifn[0] = optarg; break;
		case 'b': ns[1] = optarg; break;
		case 'B': ifn[1] = optarg; break;
		case 'q':
			nq = (unsigned)strtoul(optarg, &end, 10);
			if (*end || nq < 1 || nq > TAP_MAX_QUEUES) {
				fprintf(stderr, "tap_relay: --queues needs 1..%d, not '%s'\n",
					TAP_MAX_QUEUES, optarg);
				return 2;
			}
			break;
		default: usage();
		}
	}
	if (optind != argc || !ns[0] || !ns[1] || !ifn[0] || !ifn[1])
		usage();

	/* Block the signals first: the threads inherit the mask and only
	 * main waits for them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	if (open_side(ns[0], ifn[0], nq, fds[0]) < 0)
		return 1;
	if (open_side(ns[1], ifn[1], nq, fds[1]) < 0)
		return 1;	/* exiting closes side a's queues: its TAP goes */
	for (unsigned q = 0; q < nq; q++) {
		r[q].fd[0] = fds[0][q];
		r[q].fd[1] = fds[1][q];
		if ((c = pthread_create(&r[q].thread, NULL, relay_main, &r[q])) != 0) {
			fprintf(stderr, "tap_relay: thread: %s\n", strerror(c));
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&sigs, &sig);
	return 0;	/* exit closes every queue: both TAPs go away */
}
