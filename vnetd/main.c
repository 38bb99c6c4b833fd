/*
 * main.c - vnetd: options, start-up, the single-threaded event loop and an
 * orderly shutdown.
 *
 * The loop waits on one epoll set: a signalfd (SIGTERM/SIGINT end the
 * daemon, SIGCHLD reports a BIRD, an init or the engine exiting) and the API
 * server's fd. Timers (BIRD restarts, HTTP timeouts, link profile steps)
 * become the epoll timeout. Shutdown stops every network (their records
 * stay in the store), stops the engine and removes every kernel object the
 * daemon made.
 *
 * Started as "vnet-init LABEL" (argv[0]) the binary is a container's init.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "adopt.h"
#include "api.h"
#include "backend.h"
#include "capture.h"
#include "cgroup.h"
#include "container.h"
#include "engine.h"
#include "event.h"
#include "job.h"
#include "link.h"
#include "log.h"
#include "net.h"
#include "node.h"
#include "profile.h"
#include "reap.h"
#include "store.h"
#include "sys.h"
#include "watch.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vnetd [--socket PATH] [--state-dir DIR] [--prefix NAME] [--daemon]\n"
		"             [--host-name NAME]\n"
		"             [--log FILE] [--debug]\n"
		"       vnetd --cleanup [--state-dir DIR] [--prefix NAME]\n"
		"\n"
		"  --socket PATH     API socket (default /run/vnet/vnetd.sock)\n"
		"  --state-dir DIR   state database, node files, logs (default /var/lib/vnet)\n"
		"  --host-name NAME  this physical host's name in the state (default: the\n"
		"                    system's host name up to its first dot)\n"
		"  --prefix NAME     name of this daemon's kernel objects (cgroups); several\n"
		"                    daemons on one machine need distinct prefixes (default vnet)\n"
		"  --daemon          detach; return once the API answers\n"
		"  --cleanup         remove the leftovers of a crashed daemon and exit\n");
}

static int prefix_valid(const char *p)
{
	size_t n = strlen(p);

	if (n < 1 || n > 16)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') ||
		      p[i] == '-' || p[i] == '_'))
			return 0;
	return 1;
}

/* A process ended (status -1: a watched one, not our child): whose was it? */
static void process_ended(struct vnetd *d, pid_t pid, int status)
{
	int64_t t0 = now_ms();
	int rc = engine_child_exited(d, pid, status);

	if (rc > 0) {
		link_replay_all(d);
		event_add(d, NULL, NULL, "vnet-engine restarted; links back after %lld ms",
			  (long long)(now_ms() - t0));
		return;
	}
	if (rc == 0)
		node_child_exited(d, pid, status);
}

static void handle_children(struct vnetd *d)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (!reap_store(pid, status))	/* a job waits for it itself */
			process_ended(d, pid, status);
}

static void shutdown_all(struct vnetd *d)
{
	d->quit = 1;
	while (d->nets) {
		struct vnet_network *n = d->nets;

		net_stop(d, n);
		net_destroy(d, n, 0);
	}
	engine_stop(d->engine);
	d->engine = NULL;
	api_free(d->api);
	d->api = NULL;
	container_class.cleanup(d->prefix);
	store_close(d->store);
	d->store = NULL;
	jobs_free(d);
	watch_free_all(d);
}

/* How often the engine is asked whether it still answers, and how long it
 * may take: a hung engine is replaced within ENGINE_CHECK_MS +
 * ENGINE_ANSWER_MS. */
#define ENGINE_CHECK_MS 200
#define ENGINE_ANSWER_MS 600

static int run_loop(struct vnetd *d)
{
	struct epoll_event ev[8];
	int64_t quit_at = 0, check_at = 0;
	int t_prof;

	for (;;) {
		int t_api = api_run(d->api), t_jobs = jobs_run(d), t_bird = node_tick(d);
		int timeout = -1, n;

		if (t_api >= 0)
			timeout = t_api;
		if (t_jobs >= 0 && (timeout < 0 || t_jobs < timeout))
			timeout = t_jobs;
		if (t_bird >= 0 && (timeout < 0 || t_bird < timeout))
			timeout = t_bird;
		if ((t_prof = profile_tick(d, jobs_busy)) >= 0 && (timeout < 0 || t_prof < timeout))
			timeout = t_prof;
		net_save_dirty(d);
		if (!d->quit && now_ms() >= check_at) {
			engine_check(d, ENGINE_ANSWER_MS);
			check_at = now_ms() + ENGINE_CHECK_MS;
		}
		if (timeout < 0 || timeout > ENGINE_CHECK_MS)
			timeout = ENGINE_CHECK_MS;
		if (d->quit) {
			/* let the jobs end (their networks stay consistent) and the
			 * reply to POST /v1/shutdown go out first */
			if (!quit_at)
				quit_at = now_ms() + 100;
			if (now_ms() >= quit_at && !jobs_active(d))
				return 0;
			if (timeout < 0 || timeout > 10)
				timeout = 10;
		}
		n = epoll_wait(d->epfd, ev, ARRAY_SIZE(ev), timeout);
		if (n < 0 && errno != EINTR) {
			log_error("epoll_wait: %s", strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			if (ev[i].data.fd != d->sigfd) {
				pid_t pid;

				if (ev[i].data.fd != api_fd(d->api) &&
				    !capture_event(d, ev[i].data.fd) &&
				    (pid = watch_fired(d, ev[i].data.fd)) > 0)
					process_ended(d, pid, -1);
				continue;
			}
			struct signalfd_siginfo si;

			while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGCHLD)
					handle_children(d);
				else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
					log_info("signal %d: shutting down", si.ssi_signo);
					d->quit = 1;
				}
			}
		}
	}
}

static int do_cleanup(struct vnetd *d)
{
	int n = container_class.cleanup(d->prefix);
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/engine.sock", d->run_dir);
	unlink(path);
	printf("removed %d control groups of prefix '%s' (and every process in them)\n",
	       n < 0 ? 0 : n, d->prefix);
	return n < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "host-name", required_argument, NULL, 'H' },
		{ "daemon", no_argument, NULL, 'D' },
		{ "cleanup", no_argument, NULL, 'C' },
		{ "log", required_argument, NULL, 'l' },
		{ "debug", no_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct vnetd d = { .socket_path = "/run/vnet/vnetd.sock",
			   .state_dir = "/var/lib/vnet", .prefix = "vnet", .epfd = -1,
			   .sigfd = -1 };
	char host[VNET_NAME_MAX];
	char run_dir[PATH_MAX], exe[PATH_MAX], engine_bin[PATH_MAX + 16], path[PATH_MAX];
	char sockdir[PATH_MAX], state_abs[PATH_MAX], sock_abs[PATH_MAX];
	const char *logfile = NULL;
	int daemonize = 0, cleanup = 0, debug = 0, c, lockfd, ready[2] = { -1, -1 };
	struct vnet_err err = { "" };
	struct epoll_event ev;
	sigset_t mask;
	ssize_t len;

	if (!strcmp(basename(argv[0]), "vnet-init"))
		return container_init_main(argc, argv);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': d.socket_path = optarg; break;
		case 'd': d.state_dir = optarg; break;
		case 'p': d.prefix = optarg; break;
		case 'H': d.host = optarg; break;
		case 'D': daemonize = 1; break;
		case 'C': cleanup = 1; break;
		case 'l': logfile = optarg; break;
		case 'g': debug = 1; break;
		case 'V': printf("vnetd %s\n", VNET_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vnetd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!prefix_valid(d.prefix)) {
		fprintf(stderr, "vnetd: bad prefix '%s': 1 to 16 of a-z, 0-9, '-', '_'\n",
			d.prefix);
		return 2;
	}
	if (!d.host) {
		/* the system's name up to its first dot, as a vnet name */
		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = 0;
		host[strcspn(host, ".")] = 0;
		if (!vnet_name_valid(host))
			snprintf(host, sizeof(host), "localhost");
		d.host = host;
	} else if (!vnet_name_valid(d.host)) {
		fprintf(stderr, "vnetd: bad host name '%s': 1 to %d of letters, digits, '_', "
			"and '.' or '-' inside\n", d.host, VNET_NAME_MAX - 1);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "vnetd: must run as root (namespaces, TAP devices, cgroups)\n");
		return 1;
	}
	if (mkdir_p(d.state_dir, 0755) || !realpath(d.state_dir, state_abs)) {
		fprintf(stderr, "vnetd: cannot create state directory %s: %s\n", d.state_dir,
			strerror(errno));
		return 1;
	}
	d.state_dir = state_abs;
	snprintf(sockdir, sizeof(sockdir), "%s", d.socket_path);
	if (mkdir_p(dirname(sockdir), 0755) || !realpath(sockdir, sock_abs)) {
		fprintf(stderr, "vnetd: cannot create the directory of %s: %s\n",
			d.socket_path, strerror(errno));
		return 1;
	}
	snprintf(sock_abs + strlen(sock_abs), sizeof(sock_abs) - strlen(sock_abs), "/%s",
		 basename((char *)d.socket_path));
	d.socket_path = sock_abs;
	snprintf(run_dir, sizeof(run_dir), "%s/run", d.state_dir);
	if (mkdir_p(run_dir, 0755)) {
		fprintf(stderr, "vnetd: cannot create %s: %s\n", run_dir, strerror(errno));
		return 1;
	}
	d.run_dir = run_dir;
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[len > 0 ? len : 0] = 0;
	d.self_exe = exe;
	snprintf(path, sizeof(path), "%s", exe);
	snprintf(engine_bin, sizeof(engine_bin), "%s/vnet-engine", dirname(path));
	if (access(engine_bin, X_OK))
		snprintf(engine_bin, sizeof(engine_bin), "vnet-engine");
	d.engine_bin = engine_bin;

	snprintf(path, sizeof(path), "%s/vnetd.lock", d.state_dir);
	lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lockfd < 0 || flock(lockfd, LOCK_EX | LOCK_NB)) {
		fprintf(stderr, "vnetd: another vnetd uses state directory %s\n", d.state_dir);
		return 1;
	}
	if (cleanup)
		return do_cleanup(&d);

	if (daemonize) {
		pid_t pid;

		if (pipe2(ready, O_CLOEXEC) || (pid = fork()) < 0) {
			perror("vnetd: fork");
			return 1;
		}
		if (pid > 0) {
			char msg[600];
			ssize_t n;

			close(ready[1]);
			n = read(ready[0], msg, sizeof(msg) - 1);
			if (n <= 0) {
				fprintf(stderr, "vnetd: the daemon exited during start-up (see %s/vnetd.log)\n",
					d.state_dir);
				return 1;
			}
			msg[n] = 0;
			if (strcmp(msg, "ok")) {
				fprintf(stderr, "vnetd: %s\n", msg);
				return 1;
			}
			return 0;
		}
		close(ready[0]);
		setsid();
		/* the lock is held by the parent's fd too: re-take it in the child */
		flock(lockfd, LOCK_EX | LOCK_NB);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			close(null);
		}
		snprintf(path, sizeof(path), "%s/vnetd.log", d.state_dir);
		if (!logfile)
			logfile = path;
	}
	log_init("vnetd", logfile, debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	/* vnetd holds a copy of every TAP descriptor (see link.h), so the
	 * usual 1024 would end a network at about 500 links. */
	if ((len = raise_nofile()) < 0)
		log_warn("cannot raise the open-file limit: %s", strerror((int)-len));
	if (daemonize && logfile) {
		int fd = open(logfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

		if (fd >= 0) {
			dup2(fd, 2);
			close(fd);
		}
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d.epfd = epoll_create1(EPOLL_CLOEXEC);

	snprintf(path, sizeof(path), "%s/vnetd.db", d.state_dir);
	if (!(d.store = store_open(path, &err)))
		goto fail;
	if (net_load_all(&d, &err))
		goto fail;
	if (store_host_put(d.store, d.host, NULL, VNET_VERSION)) {
		vnet_errf(&err, "cannot record host %s in the state store", d.host);
		goto fail;
	}
	if (!adopt_anything(&d)) {
		/* nothing of an earlier vnetd runs right: remove all it left */
		c = container_class.cleanup(d.prefix);
		if (c > 0)
			log_warn("removed %d control groups left by an earlier vnetd of "
				 "prefix '%s'", c, d.prefix);
	}
	if (container_class.setup(d.prefix, &err))
		goto fail;
	if (jobs_init(&d)) {
		vnet_errf(&err, "out of memory");
		goto fail;
	}
	if (!(d.engine = engine_start(&d, &err)))
		goto fail;
	c = adopt_all(&d);
	if (c > 0)
		log_info("adopted %d running nodes%s", c,
			 d.engine_adopted ? " and the running engine" : "");
	if (!(d.api = api_new(&d, d.socket_path, &err)))
		goto fail;
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = d.sigfd };
	epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.sigfd, &ev);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = api_fd(d.api) };
	epoll_ctl(d.epfd, EPOLL_CTL_ADD, api_fd(d.api), &ev);
	log_info("vnetd %s ready: host %s, socket %s, state %s, prefix %s, cgroups %s",
		 VNET_VERSION, d.host, d.socket_path, d.state_dir, d.prefix, cgroup_layout());
	if (ready[1] >= 0) {
		if (write(ready[1], "ok", 2) != 2) {
			/* the parent is gone: nothing to tell */
		}
		close(ready[1]);
	}
	c = run_loop(&d);
	shutdown_all(&d);
	log_info("vnetd stopped");
	return c ? 1 : 0;
fail:
	log_error("%s", err.msg);
	if (ready[1] >= 0) {
		if (write(ready[1], err.msg, strlen(err.msg)) < 0) {
			/* the parent is gone */
		}
	} else if (daemonize == 0 && logfile) {
		fprintf(stderr, "vnetd: %s\n", err.msg);
	}
	shutdown_all(&d);
	return 1;
}
