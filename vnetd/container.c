/*
 * container.c - a node's container (see container.h): namespaces made with
 * clone3(2), a private mount tree, and "vnet-init", PID 1 inside.
 *
 * container_start() clones a child into new mount, UTS, IPC, network and PID
 * namespaces. The child joins the node's cgroups before anything else, builds
 * its mount tree, brings up lo, writes the routing sysctls and re-executes
 * vnetd's own binary as "vnet-init LABEL", which becomes the container's init
 * (container_init_main). A pipe carries the outcome back: the child writes
 * "E<error text>" when a step fails; the init writes "K" once its signal
 * handling is in place. Anything else (EOF) means the child died.
 *
 * container_spawn() runs a program inside as a direct child of the caller,
 * so that vnetd supervises BIRD with waitpid(): the caller switches its
 * pid_for_children into the container's PID namespace around fork(), and
 * the child enters the other namespaces with setns().
 */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sys.h"

#define INIT_SYNC_ENV "VNET_INIT_SYNC"
#define INIT_SYNC_FD 3
#define SETUP_TIMEOUT_MS 10000	/* container setup, exec of a spawned program */
#define SAFE_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---- small helpers ---------------------------------------------------- */


/* Read until EOF into buf (NUL-terminated, truncated), for at most
 * timeout_ms. Returns the bytes read, or -ETIMEDOUT. */
static int read_all(int fd, char *buf, size_t n, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	size_t got = 0;

	buf[0] = '\0';
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		char sink[256];
		ssize_t r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		/* past n, drain the rest so the writer never blocks */
		if (got + 1 < n)
			r = read(fd, buf + got, n - 1 - got);
		else
			r = read(fd, sink, sizeof(sink));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (got + 1 < n)
			got += (size_t)r;
	}
	buf[got] = '\0';
	return (int)got;
}

/* A kernel file (procfs, cgroupfs): 0, or -1 with errno. */
static int write_knob(const char *path, const char *s)
{
	int rc = write_sysfs(path, s);

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

/* "PREFIX:NET/NODE" -> "NET/NODE" for messages. */
static const char *label_where(const char *label)
{
	const char *c = label ? strchr(label, ':') : NULL;

	return c ? c + 1 : (label ? label : "?");
}

/* Move fd to 10 or above (close-on-exec), out of the way of dup2() onto
 * 0..3. Returns the new fd, or fd itself when that fails. */
static int fd_high(int fd)
{
	int n;

	if (fd < 0 || fd >= 10)
		return fd;
	n = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	if (n < 0)
		return fd;
	close(fd);
	return n;
}

static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* ---- the cloned child, before it becomes the init --------------------- */

struct setup {
	const struct container_spec *spec;
	const char *where;
	int exe_fd;
	int sync_fd;
};

/* Report a failed step to the parent and die. errno is the cause. */
static void __attribute__((noreturn, format(printf, 2, 3)))
child_fail(struct setup *s, const char *fmt, ...)
{
	char msg[sizeof(((struct vnet_err *)0)->msg)];
	int e = errno;
	int n;
	va_list ap;

	msg[0] = 'E';
	va_start(ap, fmt);
	n = vsnprintf(msg + 1, sizeof(msg) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(msg) - 1)
		snprintf(msg + 1 + n, sizeof(msg) - 1 - (size_t)n, " in %s: %s",
			 s->where, strerror(e));
	write_all(s->sync_fd, msg, strlen(msg));
	_exit(127);
}

static void child_mount(struct setup *s, const char *src, const char *dst,
			const char *type, unsigned long flags, const char *data)
{
	if (mount(src, dst, type, flags, data) < 0) {
		if (flags & MS_BIND)
			child_fail(s, "bind-mounting %s on %s", src, dst);
		child_fail(s, "mounting %s", dst);
	}
}

static void child_sysctl(struct setup *s, const char *key, const char *val,
			 int optional)
{
	char path[256];

	snprintf(path, sizeof(path), "/proc/sys/net/%s", key);
	if (write_knob(path, val) < 0) {
		if (optional && errno == ENOENT)
			return;
		child_fail(s, "setting net/%s=%s", key, val);
	}
}

static int child_main(struct setup *s)
{
	const struct container_spec *spec = s->spec;
	const char *const *cp;
	char envsync[64];
	const char *envp[8];
	const char *argv[3];
	struct ifreq ifr;
	sigset_t set;
	int fd, ipv6, n = 0;

	s->sync_fd = fd_high(s->sync_fd);
	s->exe_fd = fd_high(s->exe_fd);

	/* First of all, join the cgroups: everything made from here on is
	 * accounted to the container. "0" is the writer itself. */
	for (cp = spec->cgroup_procs; cp && *cp; cp++)
		if (write_knob(*cp, "0") < 0)
			child_fail(s, "joining cgroup %s", *cp);

	/* Signals meant for the init are queued (blocked) from now on, so a
	 * SIGTERM that arrives before it runs is not lost. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);

	if (sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		child_fail(s, "setting hostname %s", spec->hostname);

	child_mount(s, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);

	/* Bind the files of the host first: they may live under /run or /tmp,
	 * which get a tmpfs below. */
	child_mount(s, spec->hosts_file, "/etc/hosts", NULL, MS_BIND, NULL);
	if (spec->bird_dir) {
		struct stat st;

		errno = 0;
		if (stat("/etc/bird", &st) == 0 && !S_ISDIR(st.st_mode))
			errno = ENOTDIR;
		if (errno == ENOTDIR || errno == ENOENT)
			child_fail(s, "bind-mounting %s on /etc/bird (/etc/bird is missing: is bird2 installed?)",
				   spec->bird_dir);
		child_mount(s, spec->bird_dir, "/etc/bird", NULL, MS_BIND, NULL);
	}

	child_mount(s, "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
	child_mount(s, "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	if (mkdir("/run/bird", 0755) < 0)
		child_fail(s, "creating /run/bird");

	fd = open("/run/vnet-hostname", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, spec->hostname, strlen(spec->hostname)) < 0 ||
	    write_all(fd, "\n", 1) < 0 || close(fd) < 0)
		child_fail(s, "writing /run/vnet-hostname");
	child_mount(s, "/run/vnet-hostname", "/etc/hostname", NULL, MS_BIND, NULL);

	child_mount(s, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 &&
	    mount("/sys", "/sys", NULL, MS_BIND | MS_REC, NULL) < 0)
		child_fail(s, "mounting /sys");

	/* lo up */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		child_fail(s, "opening a socket");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		child_fail(s, "reading the flags of lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		child_fail(s, "setting lo up");
	close(fd);

	/* sysctls of the new network namespace */
	ipv6 = access("/proc/sys/net/ipv6", F_OK) == 0;
	child_sysctl(s, "ipv4/ip_forward", spec->forwarding ? "1" : "0", 0);
	child_sysctl(s, "ipv4/conf/all/rp_filter", "0", 0);
	child_sysctl(s, "ipv4/conf/default/rp_filter", "0", 0);
	if (spec->ecmp_seed) {
		char seed[16];

		/* The IPv6 hash uses it too. Kernels before 6.11 lack the
		 * knob (their seed is one random value per boot): skipped. */
		snprintf(seed, sizeof(seed), "%u", spec->ecmp_seed);
		child_sysctl(s, "ipv4/fib_multipath_hash_seed", seed, 1);
	}
	if (ipv6) {
		child_sysctl(s, "ipv6/conf/all/forwarding", spec->forwarding ? "1" : "0", 0);
		child_sysctl(s, "ipv6/conf/default/accept_dad", "0", 0);
		child_sysctl(s, "ipv6/conf/all/accept_dad", "0", 0);
		child_sysctl(s, "ipv6/conf/default/accept_ra", "0", 0);
		child_sysctl(s, "ipv6/conf/all/accept_ra", "0", 0);
	}

	if (chdir("/") < 0)
		child_fail(s, "changing to /");

	/* stdio on /dev/null, the sync pipe on fd 3 for the init, every other
	 * descriptor of vnetd closed at exec. */
	fd = fd_high(open("/dev/null", O_RDWR | O_CLOEXEC));
	if (fd < 0)
		child_fail(s, "opening /dev/null");
	if (dup2(s->sync_fd, INIT_SYNC_FD) < 0 || dup2(fd, 0) < 0 ||
	    dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		child_fail(s, "setting up descriptors");
	close(fd);
	/* from here on failures go to the duplicate on fd 3 */
	close(s->sync_fd);
	s->sync_fd = INIT_SYNC_FD;
	if (syscall(SYS_close_range, INIT_SYNC_FD + 1, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (fd = INIT_SYNC_FD + 1; fd < 1024; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);

	snprintf(envsync, sizeof(envsync), INIT_SYNC_ENV "=%d", INIT_SYNC_FD);
	envp[n++] = SAFE_PATH;
	envp[n++] = envsync;
	{
		static const char *const keep[] = {
			"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
		};
		static char kept[ARRAY_SIZE(keep)][512];

		for (size_t i = 0; i < ARRAY_SIZE(keep); i++) {
			const char *v = getenv(keep[i]);

			if (v && snprintf(kept[i], sizeof(kept[i]), "%s=%s", keep[i], v) <
					 (int)sizeof(kept[i]))
				envp[n++] = kept[i];
		}
	}
	envp[n] = NULL;
	argv[0] = "vnet-init";
	argv[1] = spec->label;
	argv[2] = NULL;
	fexecve(s->exe_fd, (char *const *)argv, (char *const *)envp);
	child_fail(s, "executing vnet-init");
}

/* clone3 with fork semantics (no new stack): returns 0 in the child. */
static pid_t clone_ns(unsigned long flags)
{
	struct clone_args ca;
	pid_t pid;

	memset(&ca, 0, sizeof(ca));
	ca.flags = flags;
	ca.exit_signal = SIGCHLD;
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0 && errno == ENOSYS)
		pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	return pid;
}

int container_start(const struct container_spec *spec, pid_t *init_pid,
		    struct vnet_err *err)
{
	const char *where = label_where(spec->label);
	struct setup s;
	char msg[sizeof(err->msg) + 8];
	int p[2], exe, rc;
	pid_t pid;

	if (!spec->hostname || !spec->hosts_file || !spec->label)
		return vnet_errf(err, "container of %s: hostname, hosts file and label are required",
				 where);
	if (!spec->hostname[0] || strlen(spec->hostname) > HOST_NAME_MAX)
		return vnet_errf(err, "container of %s: invalid hostname \"%s\"", where,
				 spec->hostname);

	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return vnet_errf(err, "opening /proc/self/exe for %s: %s", where,
				 strerror(errno));
	if (pipe2(p, O_CLOEXEC) < 0) {
		int e = errno;

		close(exe);
		return vnet_errf(err, "creating a pipe for %s: %s", where, strerror(e));
	}

	pid = clone_ns(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
		       CLONE_NEWPID);
	if (pid < 0) {
		int e = errno;

		close(exe);
		close(p[0]);
		close(p[1]);
		return vnet_errf(err, "creating the namespaces of %s: %s", where,
				 strerror(e));
	}
	if (pid == 0) {
		close(p[0]);
		s.spec = spec;
		s.where = where;
		s.exe_fd = exe;
		s.sync_fd = p[1];
		child_main(&s);
		_exit(127);
	}

	close(exe);
	close(p[1]);
	rc = read_all(p[0], msg, sizeof(msg), SETUP_TIMEOUT_MS);
	close(p[0]);

	if (msg[0] == 'K') {
		*init_pid = pid;
		return 0;
	}
	kill(pid, SIGKILL);
	reap(pid);
	if (rc < 0)
		return vnet_errf(err, "the setup of %s did not finish in %d s", where,
				 SETUP_TIMEOUT_MS / 1000);
	if (msg[0] == 'E')
		return vnet_errf(err, "%s", msg + 1);
	return vnet_errf(err, "the init of %s died during its setup", where);
}

/* ---- the init --------------------------------------------------------- */

static void init_nop(int sig)
{
	(void)sig;
}

static void init_reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* Kill every other process of the namespace: SIGTERM, 1 s, SIGKILL. */
static void init_shutdown(int sfd)
{
	int64_t deadline = now_ms() + 1000;
	struct signalfd_siginfo si;

	kill(-1, SIGTERM);
	for (;;) {
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		pid_t r;

		while ((r = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (r < 0 && errno == ECHILD)
			break;	/* no child left; orphans are ours, so done */
		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)left) > 0)
			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				;
	}
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

int container_init_main(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t set;
	const char *e;
	int sfd, sync_fd = -1;

	(void)argc;
	(void)argv;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_SETMASK, &set, NULL);
	/* PID 1 only gets signals it has a handler for: install no-op ones,
	 * the signals stay blocked and are read from the signalfd. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = init_nop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);

	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);

	e = getenv(INIT_SYNC_ENV);
	if (e)
		sync_fd = atoi(e);
	if (sync_fd > 2) {
		if (sfd < 0) {
			char msg[128];

			snprintf(msg, sizeof(msg), "Einit: creating a signalfd: %s",
				 strerror(errno));
			write_all(sync_fd, msg, strlen(msg));
			return 1;
		}
		write_all(sync_fd, "K", 1);
		close(sync_fd);
	} else if (sfd < 0) {
		return 1;
	}
	unsetenv(INIT_SYNC_ENV);

	for (;;) {
		struct signalfd_siginfo si;
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };
		ssize_t r;

		init_reap();
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return 1;
		while ((r = read(sfd, &si, sizeof(si))) == sizeof(si)) {
			if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
				init_shutdown(sfd);
				return 0;
			}
		}
	}
}

/* ---- stop ------------------------------------------------------------- */

/*
 * Our own children inside the container (the BIRD that container_spawn()
 * started): when the init exits, the kernel holds it until every process of
 * its PID namespace has been reaped, and those are ours to reap. They are
 * found while still alive, by their PID namespace; a child that is already
 * a zombie has lost that link and is left to the caller's SIGCHLD handling.
 */
#define STOP_KIDS_MAX 64

static int ns_link(pid_t pid, const char *ns, char *buf, size_t n)
{
	char path[64];
	ssize_t r;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
	r = readlink(path, buf, n - 1);
	if (r < 0)
		return -1;
	buf[r] = '\0';
	return 0;
}

static int own_children_in(pid_t init_pid, pid_t *kids, int max)
{
	char path[64], want[64], have[64], buf[4096], *p, *end;
	int fd, n = 0;
	ssize_t r;

	if (ns_link(init_pid, "pid", want, sizeof(want)) < 0)
		return 0;
	/* vnetd is single-threaded: its children hang off its main thread */
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = '\0';
	for (p = buf; n < max; p = end) {
		long c = strtol(p, &end, 10);

		if (end == p)
			break;
		if (c != init_pid && ns_link((pid_t)c, "pid", have, sizeof(have)) == 0 &&
		    strcmp(have, want) == 0)
			kids[n++] = (pid_t)c;
	}
	return n;
}

static void reap_kids(pid_t *kids, int *n)
{
	for (int i = 0; i < *n;) {
		if (waitpid(kids[i], NULL, WNOHANG) != 0)
			kids[i] = kids[--*n];	/* reaped (or not ours any more) */
		else
			i++;
	}
}

/* Wait until pid is gone (reaping it when it is our child) or timeout_ms
 * passes, reaping our children of the container meanwhile. Returns 0 when
 * gone, -ETIMEDOUT otherwise. */
static int wait_gone(pid_t pid, int pidfd, pid_t *kids, int *nkids, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		int64_t left;
		pid_t r;

		reap_kids(kids, nkids);
		r = waitpid(pid, NULL, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno == ECHILD) {
			/* not our child: gone when kill() says so */
			if (kill(pid, 0) < 0 && errno == ESRCH)
				return 0;
			if (pidfd >= 0) {
				struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

				if (poll(&pfd, 1, 0) > 0)
					return 0;	/* exited: a zombie of someone else */
			}
		}
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		if (pidfd >= 0 && *nkids == 0) {
			struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

			poll(&pfd, 1, left < 1000 ? (int)left : 1000);
		} else {
			struct timespec ts = { 0, 5 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
}

int container_stop(pid_t init_pid, int timeout_ms)
{
	pid_t kids[STOP_KIDS_MAX];
	int pidfd, rc, nkids;

	if (init_pid <= 1)
		return -EINVAL;
	pidfd = (int)syscall(SYS_pidfd_open, init_pid, 0);
	if (pidfd < 0 && errno == ESRCH) {
		waitpid(init_pid, NULL, WNOHANG);
		return 0;
	}
	nkids = own_children_in(init_pid, kids, STOP_KIDS_MAX);
	if (kill(init_pid, SIGTERM) < 0 && errno == ESRCH) {
		waitpid(init_pid, NULL, WNOHANG);
		rc = 0;
		goto out;
	}
	rc = wait_gone(init_pid, pidfd, kids, &nkids, timeout_ms > 0 ? timeout_ms : 0);
	if (rc == 0)
		goto out;
	kill(init_pid, SIGKILL);
	rc = wait_gone(init_pid, pidfd, kids, &nkids, 5000);
out:
	reap_kids(kids, &nkids);
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

/* ---- spawn ------------------------------------------------------------ */

/* The "NET/NODE" part of the init's label, for messages. */
static void init_where(pid_t init_pid, char *buf, size_t n)
{
	char path[64], cmd[256];
	int fd;
	ssize_t r;

	snprintf(buf, n, "the container of pid %d", (int)init_pid);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)init_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	r = read(fd, cmd, sizeof(cmd) - 1);
	close(fd);
	if (r <= 0)
		return;
	cmd[r] = '\0';
	if (strcmp(cmd, "vnet-init") != 0 || (size_t)r <= strlen(cmd) + 1)
		return;
	snprintf(buf, n, "%s", label_where(cmd + strlen(cmd) + 1));
}

static const char *const spawn_ns[] = { "ipc", "uts", "net", "mnt" };
static const int spawn_nstype[] = { CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET,
				    CLONE_NEWNS };

static void __attribute__((noreturn, format(printf, 2, 3)))
spawn_fail(int fd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int e = errno;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", strerror(e));
	write_all(fd, msg, strlen(msg));
	_exit(127);
}

int container_spawn(pid_t init_pid, const char *const *cgroup_procs,
		    const char *const argv[], const char *log_path, pid_t *pid,
		    struct vnet_err *err)
{
	char where[128], path[64], msg[512];
	int nsfd[ARRAY_SIZE(spawn_ns)];
	int self_pidns = -1, init_pidns = -1, out = -1, null = -1, p[2] = { -1, -1 };
	size_t i;
	pid_t child;
	int rc = -1, e;

	for (i = 0; i < ARRAY_SIZE(nsfd); i++)
		nsfd[i] = -1;
	init_where(init_pid, where, sizeof(where));
	if (!argv || !argv[0])
		return vnet_errf(err, "nothing to run in %s", where);

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)init_pid);
	init_pidns = open(path, O_RDONLY | O_CLOEXEC);
	if (init_pidns < 0) {
		vnet_errf(err, "cannot run %s: the container's init (pid %d) is gone",
			  argv[0], (int)init_pid);
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(nsfd); i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)init_pid, spawn_ns[i]);
		nsfd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd[i] < 0) {
			vnet_errf(err, "cannot run %s in %s: opening %s: %s", argv[0],
				  where, path, strerror(errno));
			goto out;
		}
	}
	self_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (self_pidns < 0) {
		vnet_errf(err, "cannot run %s in %s: opening /proc/self/ns/pid: %s",
			  argv[0], where, strerror(errno));
		goto out;
	}
	/* Opened here, in the caller's mount namespace, where the path means
	 * what the caller meant. */
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0) {
		vnet_errf(err, "cannot run %s in %s: opening /dev/null: %s", argv[0],
			  where, strerror(errno));
		goto out;
	}
	if (log_path) {
		out = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (out < 0) {
			vnet_errf(err, "cannot run %s in %s: opening its log %s: %s",
				  argv[0], where, log_path, strerror(errno));
			goto out;
		}
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		vnet_errf(err, "cannot run %s in %s: creating a pipe: %s", argv[0],
			  where, strerror(errno));
		goto out;
	}

	if (setns(init_pidns, CLONE_NEWPID) < 0) {
		vnet_errf(err, "cannot run %s in %s: entering its PID namespace: %s",
			  argv[0], where, strerror(errno));
		goto out;
	}
	child = fork();
	e = errno;
	if (child != 0 && setns(self_pidns, CLONE_NEWPID) < 0) {
		/* Our own PID namespace is always allowed; failing here means
		 * every later fork would land in the container. */
		fprintf(stderr, "container_spawn: cannot return to own PID namespace: %s\n",
			strerror(errno));
		abort();
	}
	if (child < 0) {
		vnet_errf(err, "cannot run %s in %s: fork: %s", argv[0], where,
			  strerror(e));
		goto out;
	}

	if (child == 0) {
		const char *const *cp;
		sigset_t none;
		int fd = fd_high(p[1]), sig;

		null = fd_high(null);
		out = fd_high(out);

		for (cp = cgroup_procs; cp && *cp; cp++)
			if (write_knob(*cp, "0") < 0)
				spawn_fail(fd, "cannot run %s in %s: joining cgroup %s",
					   argv[0], where, *cp);
		for (i = 0; i < ARRAY_SIZE(nsfd); i++)
			if (setns(nsfd[i], spawn_nstype[i]) < 0)
				spawn_fail(fd, "cannot run %s in %s: entering its %s namespace",
					   argv[0], where, spawn_ns[i]);
		if (chdir("/") < 0)
			spawn_fail(fd, "cannot run %s in %s: changing to /", argv[0], where);
		if (dup2(null, 0) < 0 || dup2(out >= 0 ? out : null, 1) < 0 ||
		    dup2(out >= 0 ? out : null, 2) < 0)
			spawn_fail(fd, "cannot run %s in %s: redirecting its output",
				   argv[0], where);
		if (fd != 3) {
			if (dup3(fd, 3, O_CLOEXEC) < 0)
				spawn_fail(fd, "cannot run %s in %s: dup", argv[0], where);
			fd = 3;
		}
		syscall(SYS_close_range, 4, ~0U, 0);

		for (sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);

		clearenv();
		putenv((char *)SAFE_PATH);
		putenv((char *)"HOME=/");
		execvp(argv[0], (char *const *)argv);
		spawn_fail(fd, "cannot run %s in %s", argv[0], where);
	}

	close(p[1]);
	p[1] = -1;
	e = read_all(p[0], msg, sizeof(msg), SETUP_TIMEOUT_MS);
	if (e != 0) {
		if (e < 0) {
			kill(child, SIGKILL);
			snprintf(msg, sizeof(msg), "cannot run %s in %s: it did not start in %d s",
				 argv[0], where, SETUP_TIMEOUT_MS / 1000);
		}
		reap(child);
		vnet_errf(err, "%s", msg);
		goto out;
	}
	*pid = child;
	rc = 0;
out:
	for (i = 0; i < ARRAY_SIZE(nsfd); i++)
		if (nsfd[i] >= 0)
			close(nsfd[i]);
	if (init_pidns >= 0)
		close(init_pidns);
	if (self_pidns >= 0)
		close(self_pidns);
	if (null >= 0)
		close(null);
	if (out >= 0)
		close(out);
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	return rc;
}

int container_netns_fd(pid_t init_pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)init_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}
