/*
 * main.c - vnet-engine: the data plane of vnet.
 *
 *   vnet-engine --socket PATH [--threads N] [--log FILE] [--foreground]
 *
 * Moves the frames of every virtual link of this host between the ports of
 * its two ends (TAP devices: port.c, port_tap.c), through each direction's
 * link model. vnetd starts it, hands it TAP fds and link settings over
 * PATH (engine_proto.h), and may restart and reconnect without the links
 * noticing. The main thread runs the control socket (ctl.c); N worker
 * threads (default: one per CPU) carry the links (worker.c). Exits 0 on
 * ENG_SHUTDOWN, SIGTERM or SIGINT, after closing every port.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "ctl.h"
#include "engine.h"
#include "log.h"
#include "reaper.h"
#include "sys.h"
#include "vnet.h"
#include "worker.h"

#define MAX_THREADS 256

static void usage(FILE *f)
{
	fprintf(f, "usage: vnet-engine --socket PATH [--threads N] [--log FILE] "
		   "[--foreground]\n");
}

/* Detach from the terminal once the socket listens, so that whoever
 * started us can connect as soon as we return. */
static int daemonize(bool keep_stderr)
{
	pid_t pid = fork();
	int null;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/") < 0)
		return -errno;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (!keep_stderr)
			dup2(null, 2);
		close(null);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "log", required_argument, NULL, 'l' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *logfile = NULL;
	long nthreads = sysconf(_SC_NPROCESSORS_ONLN);
	bool foreground = false;
	struct ctl ctl = { 0 };
	sigset_t sigs;
	int o, rc, status = 0;
	char *end;

	while ((o = getopt_long(argc, argv, "s:t:l:fh", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			path = optarg;
			break;
		case 't':
			nthreads = strtol(optarg, &end, 10);
			if (*end || nthreads < 1 || nthreads > MAX_THREADS) {
				fprintf(stderr, "vnet-engine: --threads: expected 1 to %d\n",
					MAX_THREADS);
				return 2;
			}
			break;
		case 'l':
			logfile = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!path || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	log_init("vnet-engine", logfile, LOG_LVL_INFO);
	if ((rc = (int)raise_nofile()) < 0)
		log_warn("cannot raise the open-file limit: %s", strerror(-rc));

	/* Signals reach only the control loop, through signalfd; workers
	 * inherit the blocked mask. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);

	if ((rc = ctl_listen(&ctl, path)) < 0) {
		log_error("cannot listen on %s: %s", path, strerror(-rc));
		return 1;
	}
	if (!foreground && (rc = daemonize(!logfile)) < 0) {
		log_error("cannot daemonize: %s", strerror(-rc));
		return 1;
	}
	ctl.sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (ctl.sigfd < 0) {
		log_error("signalfd: %s", strerror(errno));
		ctl_close(&ctl);
		return 1;
	}
	if ((rc = reaper_start()) < 0)
		log_warn("cannot start the closing thread (%s): TAPs are closed inline",
			 strerror(-rc));
	ctl.workers = calloc((size_t)nthreads, sizeof(*ctl.workers));
	if (!ctl.workers) {
		log_error("out of memory");
		ctl_close(&ctl);
		return 1;
	}
	for (long i = 0; i < nthreads; i++) {
		if (!(ctl.workers[i] = worker_start((unsigned)i, &rc))) {
			log_error("cannot start worker %ld: %s", i, strerror(-rc));
			status = 1;
			goto out;
		}
		ctl.nworkers++;
	}
	log_info("listening on %s, %u workers, pid %d", path, ctl.nworkers, getpid());

	if ((rc = ctl_run(&ctl)) < 0) {
		log_error("control loop: %s", strerror(-rc));
		status = 1;
	}
out:
	ctl_close(&ctl);
	for (unsigned i = 0; i < ctl.nworkers; i++)
		worker_stop(ctl.workers[i]);
	free(ctl.workers);
	reaper_stop();
	close(ctl.sigfd);
	log_info("exiting");
	return status;
}
