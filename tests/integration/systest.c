/*
 * systest.c - system test of vnetd's kernel-facing modules (container.c,
 * cgroup.c, nl.c) on the real kernel: run as root.
 *
 * It starts a container and checks what a user would check from inside
 * (hostname, its own /proc, /etc/hosts, lo up, forwarding on inside and
 * untouched outside), runs programs in it as direct children, configures
 * an interface, addresses and routes through netlink and reads them back,
 * writes cgroup limits and reads the files back, stops containers that are
 * and are not its children, and cleans up a crashed daemon's leftovers.
 * Everything lives under the prefix "ts<pid>" and a temporary directory,
 * removed on every path. Like vnetd, the binary doubles as the container
 * init when started as "vnet-init".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "nl.h"

struct systest {
	char prefix[32];
	char where[64];			/* "red/r1" */
	char label[96];
	char dir[64];			/* temporary directory */
	char hosts[128], bird[128], log[128];
	struct cgroup *cg, *cg2, *cg3, *old;
	pid_t init, init2, sleeper, planted;
	int netns, tap;
	struct nl *nl, *hostnl;
	char mnts[8][256];		/* the cgroup hierarchies used */
	int nmnts;
};

static int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		failures++;						\
		return -1;						\
	}								\
} while (0)

static void note(const char *fmt, ...)
{
	va_list ap;

	fputs("ok   ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* ---- helpers ---------------------------------------------------------- */

static int write_text(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(s, f);
	return fclose(f);
}

/* Whole file into buf; "" when unreadable. */
static char *read_text(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t got = 0;

	buf[0] = '\0';
	if (!f)
		return buf;
	got = fread(buf, 1, n - 1, f);
	buf[got] = '\0';
	fclose(f);
	return buf;
}

static long read_long(const char *path)
{
	char buf[64];

	read_text(path, buf, sizeof(buf));
	return buf[0] ? strtol(buf, NULL, 0) : -999;
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* dir of a cgroup.procs path, in buf */
static const char *procs_dir(const char *procs, char *buf, size_t n)
{
	snprintf(buf, n, "%s", procs);
	*strrchr(buf, '/') = '\0';
	return buf;
}

/* The directory of cg that holds file (a controller's), or NULL. */
static const char *cg_dir_with(const struct cgroup *cg, const char *file, char *buf,
			       size_t n)
{
	for (const char *const *p = cgroup_procs_files(cg); *p; p++) {
		char path[512];

		procs_dir(*p, buf, n);
		if (snprintf(path, sizeof(path), "%s/%s", buf, file) < (int)sizeof(path) &&
		    exists(path))
			return buf;
	}
	return NULL;
}

static int pid_listed(const char *procs, pid_t pid)
{
	char buf[8192], *p, *end;

	read_text(procs, buf, sizeof(buf));
	for (p = buf;; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			return 0;
		if (v == pid)
			return 1;
	}
}

static int all_procs_empty(const struct cgroup *cg)
{
	char buf[64];

	for (const char *const *p = cgroup_procs_files(cg); *p; p++)
		if (read_text(*p, buf, sizeof(buf))[0])
			return 0;
	return 1;
}

/* value of "key=" in text, in buf */
static const char *kv(const char *text, const char *key, char *buf, size_t n)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, key, kl) == 0 && l[kl] == '=') {
			const char *e = strchr(l, '\n');
			size_t len = e ? (size_t)(e - l - kl - 1) : strlen(l + kl + 1);

			snprintf(buf, n, "%.*s", (int)len, l + kl + 1);
			return buf;
		}
	}
	snprintf(buf, n, "(missing)");
	return buf;
}

/* Does the main table of family list a static route to dst (via gw, out of
 * dev; NULL: any)? */
static int has_route(struct nl *nl, int family, const char *dst, const char *gw,
		     const char *dev)
{
	struct nl_route *r = NULL;
	struct vnet_addr d, g;
	int n = 0, found = 0;

	if (addr_parse(dst, &d, 1) || (gw && addr_parse(gw, &g, 0)) ||
	    nl_route_list(nl, family, &r, &n))
		return 0;
	for (int k = 0; k < n && !found; k++)
		found = addr_equal(&r[k].dst, &d) && (!gw || addr_equal(&r[k].gw, &g)) &&
			(!dev || !strcmp(r[k].dev, dev)) && r[k].protocol == 4;	/* static */
	free(r);
	return found;
}

static int mkaddr(const char *s, int plen, struct vnet_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = strchr(s, ':') ? AF_INET6 : AF_INET;
	a->plen = (uint8_t)plen;
	return inet_pton(a->family, s, a->a) == 1 ? 0 : -1;
}

/* A TAP named name inside netns: the way vnetd makes router ports. */
static int make_tap(int netns, const char *name)
{
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	struct ifreq ifr;
	int fd = -1;

	if (self < 0)
		return -1;
	if (setns(netns, CLONE_NEWNET) == 0) {
		fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
		memset(&ifr, 0, sizeof(ifr));
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		if (fd >= 0 && ioctl(fd, TUNSETIFF, &ifr) < 0) {
			close(fd);
			fd = -1;
		}
		if (setns(self, CLONE_NEWNET) < 0)
			abort();
	}
	close(self);
	return fd;
}

static int wait_exit(pid_t pid, int *status)
{
	pid_t r;

	while ((r = waitpid(pid, status, 0)) < 0 && errno == EINTR)
		;
	return r == pid ? 0 : -1;
}

/* gone, or a zombie waiting for its (other) parent */
static int pid_gone(pid_t pid)
{
	char path[64], buf[512], *p;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	read_text(path, buf, sizeof(buf));
	p = strrchr(buf, ')');
	return !buf[0] || (p && p[1] == ' ' && p[2] == 'Z');
}

static void spec_init(struct systest *t, struct container_spec *s, const char *node,
		      const struct cgroup *cg, char *label, size_t n)
{
	memset(s, 0, sizeof(*s));
	snprintf(label, n, "%s:red/%s", t->prefix, node);
	s->hostname = node;
	s->hosts_file = t->hosts;
	s->bird_dir = t->bird;
	s->forwarding = 1;
	s->cgroup_procs = cgroup_procs_files(cg);
	s->label = label;
}

/* ---- steps ------------------------------------------------------------ */

static int t_setup(struct systest *t)
{
	struct vnet_err err = { "" };
	char buf[600], d[512];
	const char *dir;

	snprintf(t->dir, sizeof(t->dir), "/tmp/vnet-systest-XXXXXX");
	if (!mkdtemp(t->dir)) {
		t->dir[0] = '\0';
		CHECK(0, "mkdtemp: %s", strerror(errno));
	}
	snprintf(t->hosts, sizeof(t->hosts), "%s/hosts", t->dir);
	snprintf(t->bird, sizeof(t->bird), "%s/bird", t->dir);
	snprintf(t->log, sizeof(t->log), "%s/spawn.log", t->dir);
	snprintf(buf, sizeof(buf), "127.0.0.1 localhost\n10.0.0.1 r1 marker-%s\n", t->prefix);
	CHECK(write_text(t->hosts, buf) == 0, "%s", strerror(errno));
	CHECK(mkdir(t->bird, 0755) == 0, "%s", strerror(errno));
	snprintf(d, sizeof(d), "%s/marker", t->bird);
	CHECK(write_text(d, t->prefix) == 0, "%s", strerror(errno));

	CHECK(cgroup_cleanup_prefix(t->prefix) == 0, "nothing to clean yet");
	CHECK(cgroup_setup(t->prefix, &err) == 0, "%s", err.msg);
	note("cgroup layout %s", cgroup_layout());
	CHECK(cgroup_setup("a/b", &err) < 0, "a prefix with '/' is refused");
	CHECK(cgroup_new(t->prefix, "../x", &err) == NULL, "'..' is refused");

	t->cg = cgroup_new(t->prefix, "red/r1", &err);
	CHECK(t->cg, "%s", err.msg);
	for (const char *const *p = cgroup_procs_files(t->cg); *p && t->nmnts < 8; p++) {
		char *m = t->mnts[t->nmnts++];

		CHECK(exists(*p), "%s exists", *p);
		snprintf(m, sizeof(t->mnts[0]), "%s", *p);
		*strstr(m, "/red/r1/cgroup.procs") = '\0';
	}

	/* CPU: quota per 100 ms period */
	CHECK(cgroup_set_cpu(t->cg, 50, &err) == 0, "%s", err.msg);
	if ((dir = cg_dir_with(t->cg, "cpu.cfs_quota_us", d, sizeof(d)))) {
		snprintf(buf, sizeof(buf), "%s/cpu.cfs_quota_us", dir);
		CHECK(read_long(buf) == 50000, "quota %ld", read_long(buf));
		snprintf(buf, sizeof(buf), "%s/cpu.cfs_period_us", dir);
		CHECK(read_long(buf) == 100000, "period %ld", read_long(buf));
		CHECK(cgroup_set_cpu(t->cg, 150, &err) == 0, "%s", err.msg);
		snprintf(buf, sizeof(buf), "%s/cpu.cfs_quota_us", dir);
		CHECK(read_long(buf) == 150000, "quota %ld", read_long(buf));
		CHECK(cgroup_set_cpu(t->cg, 0, &err) == 0, "%s", err.msg);
		CHECK(read_long(buf) == -1, "no quota: %ld", read_long(buf));
	} else {
		char v[64];

		dir = cg_dir_with(t->cg, "cpu.max", d, sizeof(d));
		CHECK(dir, "a cpu.max or cpu.cfs_quota_us file");
		snprintf(buf, sizeof(buf), "%s/cpu.max", dir);
		CHECK(strcmp(read_text(buf, v, sizeof(v)), "50000 100000\n") == 0, "cpu.max %s", v);
		CHECK(cgroup_set_cpu(t->cg, 0, &err) == 0, "%s", err.msg);
		CHECK(strcmp(read_text(buf, v, sizeof(v)), "max 100000\n") == 0, "cpu.max %s", v);
	}
	CHECK(cgroup_set_cpu(t->cg, 25, &err) == 0, "%s", err.msg);
	note("cpu limit written and read back");

	CHECK(cgroup_set_memory(t->cg, 64 << 20, &err) == 0, "%s", err.msg);
	dir = cg_dir_with(t->cg, "memory.limit_in_bytes", d, sizeof(d));
	if (dir)
		snprintf(buf, sizeof(buf), "%s/memory.limit_in_bytes", dir);
	else if ((dir = cg_dir_with(t->cg, "memory.max", d, sizeof(d))))
		snprintf(buf, sizeof(buf), "%s/memory.max", dir);
	CHECK(dir, "a memory limit file");
	CHECK(read_long(buf) == 64 << 20, "memory limit %ld", read_long(buf));
	note("memory limit written and read back");
	return 0;
}

static int t_start(struct systest *t)
{
	struct vnet_err err = { "" };
	struct container_spec spec;
	char path[128], buf[256], want[128];
	long fwd = read_long("/proc/sys/net/ipv4/ip_forward");
	int n;

	spec_init(t, &spec, "r1", t->cg, t->label, sizeof(t->label));
	CHECK(container_start(&spec, &t->init, &err) == 0, "%s", err.msg);
	CHECK(t->init > 0 && kill(t->init, 0) == 0, "init %d alive", (int)t->init);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)t->init);
	n = (int)strlen(read_text(path, buf, sizeof(buf)));
	CHECK(strcmp(buf, "vnet-init") == 0 && strcmp(buf + n + 1, t->label) == 0,
	      "init cmdline %s %s", buf, buf + n + 1);
	for (const char *const *p = cgroup_procs_files(t->cg); *p; p++)
		CHECK(pid_listed(*p, t->init), "init in %s", *p);
	CHECK(read_long("/proc/sys/net/ipv4/ip_forward") == fwd, "host forwarding untouched");
	snprintf(want, sizeof(want), "/%s/red/r1", t->prefix);
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)t->init);
	CHECK(strstr(read_text(path, buf, sizeof(buf)), want), "init cgroups: %s", buf);
	note("container started: init %d", (int)t->init);
	return 0;
}

static int t_netlink(struct systest *t)
{
	struct vnet_addr a4, a6, d4, g4, def, gdef, d6, g6, bad;
	int lo, eth0, rc;

	t->netns = container_netns_fd(t->init);
	CHECK(t->netns >= 0, "netns fd: %s", strerror(-t->netns));
	t->nl = nl_open(t->netns);
	CHECK(t->nl, "nl_open: %s", strerror(errno));
	lo = nl_ifindex(t->nl, "lo");
	CHECK(lo == 1, "lo is 1 in a new netns: %d", lo);
	CHECK(nl_ifindex(t->nl, "nope0") == -ENODEV, "unknown name");

	t->tap = make_tap(t->netns, "eth0");
	CHECK(t->tap >= 0, "tap in netns: %s", strerror(errno));
	eth0 = nl_ifindex(t->nl, "eth0");
	CHECK(eth0 > 0, "eth0: %d", eth0);
	t->hostnl = nl_open(-1);
	CHECK(t->hostnl, "nl_open(-1): %s", strerror(errno));
	CHECK(nl_link_set_mtu(t->nl, eth0, 1400) == 0, "mtu");
	CHECK(nl_link_up(t->nl, eth0) == 0, "up");

	mkaddr("10.99.0.1", 24, &a4);
	mkaddr("fd00:99::1", 64, &a6);
	CHECK((rc = nl_addr_add(t->nl, eth0, &a4)) == 0, "addr v4: %s", strerror(-rc));
	CHECK((rc = nl_addr_add(t->nl, eth0, &a6)) == 0, "addr v6: %s", strerror(-rc));
	CHECK(nl_addr_add(t->nl, eth0, &a4) == 0, "EEXIST is ok");
	CHECK(nl_addr_add(t->nl, 9999, &a4) == -ENODEV, "bad ifindex");

	mkaddr("10.98.1.2", 16, &d4);	/* host bits are masked */
	mkaddr("10.99.0.2", 32, &g4);
	mkaddr("0.0.0.0", 0, &def);
	mkaddr("10.99.0.254", 32, &gdef);
	mkaddr("fd00:98::", 48, &d6);
	mkaddr("fd00:99::2", 128, &g6);
	mkaddr("192.0.2.1", 32, &bad);
	CHECK((rc = nl_route_add(t->nl, &d4, &g4)) == 0, "route v4: %s", strerror(-rc));
	CHECK((rc = nl_route_add(t->nl, &def, &gdef)) == 0, "default: %s", strerror(-rc));
	CHECK((rc = nl_route_add(t->nl, &d6, &g6)) == 0, "route v6: %s", strerror(-rc));
	CHECK(nl_route_add(t->nl, &d4, &g4) == 0, "EEXIST is ok");
	CHECK(nl_route_add(t->nl, &d6, &g4) == -EINVAL, "mixed families");
	rc = nl_route_add(t->nl, &bad, &bad);
	CHECK(rc == -ENETUNREACH, "unreachable gateway: %s", strerror(-rc));

	CHECK(has_route(t->nl, AF_INET, "10.98.0.0/16", "10.99.0.2", "eth0"), "route v4 listed");
	CHECK(has_route(t->nl, AF_INET, "0.0.0.0/0", "10.99.0.254", "eth0"), "default listed");
	CHECK(!has_route(t->nl, AF_INET, "10.99.0.0/24", NULL, "eth0"),
	      "the kernel's connected route is not listed");
	CHECK(has_route(t->nl, AF_INET6, "fd00:98::/48", "fd00:99::2", "eth0"), "route v6 listed");
	CHECK(!has_route(t->nl, AF_INET6, "fd00:99::/64", NULL, "eth0"),
	      "the kernel's connected v6 route is not listed");
	CHECK(!has_route(t->hostnl, AF_INET, "10.98.0.0/16", "10.99.0.2", NULL),
	      "the host does not see the container's routes");
	note("netlink: link, addresses and routes inside, dumped back");
	return 0;
}

static int t_spawn(struct systest *t)
{
	static const char script[] =
		"echo pid=$$; echo hostname=$(hostname); "
		"echo kernel_hostname=$(cat /proc/sys/kernel/hostname); "
		"echo etc_hostname=$(cat /etc/hostname); "
		"echo hosts=$(grep marker /etc/hosts); "
		"echo procs=$(ls /proc | grep '^[0-9]' | tr '\\n' ' '); "
		"echo init=$(tr '\\0' ' ' </proc/1/cmdline); "
		"echo fwd=$(cat /proc/sys/net/ipv4/ip_forward); "
		"echo fwd6=$(cat /proc/sys/net/ipv6/conf/all/forwarding); "
		"echo dad=$(cat /proc/sys/net/ipv6/conf/default/accept_dad); "
		"echo rp=$(cat /proc/sys/net/ipv4/conf/all/rp_filter); "
		"echo netdevs=$(ls /sys/class/net | tr '\\n' ' '); "
		"echo lo=$(cat /sys/class/net/lo/flags); "
		"echo mtu=$(cat /sys/class/net/eth0/mtu); "
		"echo bird=$(cat /etc/bird/marker); "
		"echo run=$(stat -c %a /run) tmp=$(stat -c %a /tmp); "
		"echo runbird=$(test -d /run/bird && echo yes); "
		"echo cgroup=$(grep -c /red/r1 /proc/self/cgroup); "
		"echo env=$(env | grep -vc -e ^PATH= -e ^HOME= -e ^PWD= -e ^SHLVL= -e ^_=); "
		"echo fds=$(ls /proc/self/fd | wc -l); "
		"cat /etc/hosts";
	const char *argv[] = { "sh", "-c", script, NULL };
	const char *bad[] = { "/nonexistent/prog", NULL };
	const char *sleep_argv[] = { "sleep", "300", NULL };
	struct vnet_err err = { "" };
	char text[8192], v[256], want[256];
	pid_t pid;
	int status, rc;

	rc = container_spawn(t->init, cgroup_procs_files(t->cg), argv, t->log, &pid, &err);
	CHECK(rc == 0, "%s", err.msg);
	CHECK(wait_exit(pid, &status) == 0, "spawned shell is our child");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	read_text(t->log, text, sizeof(text));
	printf("--- spawned in red/r1:\n%s", text);

	CHECK(atoi(kv(text, "pid", v, sizeof(v))) > 1 && atoi(v) < 100 && atoi(v) != pid,
	      "pid inside %s, outside %d", v, (int)pid);
	CHECK(!strcmp(kv(text, "hostname", v, sizeof(v)), "r1"), "hostname %s", v);
	CHECK(!strcmp(kv(text, "kernel_hostname", v, sizeof(v)), "r1"), "%s", v);
	CHECK(!strcmp(kv(text, "etc_hostname", v, sizeof(v)), "r1"), "/etc/hostname %s", v);
	snprintf(want, sizeof(want), "10.0.0.1 r1 marker-%s", t->prefix);
	CHECK(!strcmp(kv(text, "hosts", v, sizeof(v)), want), "/etc/hosts %s", v);
	/* only the init, the shell and its command substitutions */
	kv(text, "procs", v, sizeof(v));
	CHECK(!strncmp(v, "1 ", 2), "init is 1: %s", v);
	for (char *p = v, *end;; p = end) {
		long n = strtol(p, &end, 10);

		if (end == p)
			break;
		CHECK(n < 100, "only the container's pids in /proc: %s", v);
	}
	snprintf(want, sizeof(want), "vnet-init %s", t->label);
	CHECK(!strcmp(kv(text, "init", v, sizeof(v)), want), "init cmdline %s", v);
	CHECK(!strcmp(kv(text, "fwd", v, sizeof(v)), "1"), "ip_forward %s", v);
	CHECK(!strcmp(kv(text, "fwd6", v, sizeof(v)), "1"), "ipv6 forwarding %s", v);
	CHECK(!strcmp(kv(text, "dad", v, sizeof(v)), "0"), "accept_dad %s", v);
	CHECK(!strcmp(kv(text, "rp", v, sizeof(v)), "0"), "rp_filter %s", v);
	CHECK(!strcmp(kv(text, "netdevs", v, sizeof(v)), "eth0 lo"), "fresh /sys: %s", v);
	CHECK(strtol(kv(text, "lo", v, sizeof(v)), NULL, 0) & IFF_UP, "lo up: %s", v);
	CHECK(!strcmp(kv(text, "mtu", v, sizeof(v)), "1400"), "mtu %s", v);
	CHECK(!strcmp(kv(text, "bird", v, sizeof(v)), t->prefix), "/etc/bird %s", v);
	CHECK(!strcmp(kv(text, "run", v, sizeof(v)), "755 tmp=1777"), "modes %s", v);
	CHECK(!strcmp(kv(text, "runbird", v, sizeof(v)), "yes"), "/run/bird %s", v);
	CHECK(atoi(kv(text, "cgroup", v, sizeof(v))) >= 1, "in the cgroups: %s", v);
	CHECK(!strcmp(kv(text, "env", v, sizeof(v)), "0"), "clean environment: %s", v);
	/* 0, 1, 2 and the one ls opens */
	CHECK(!strcmp(kv(text, "fds", v, sizeof(v)), "4"), "no inherited fds: %s", v);
	note("spawned shell saw its container");

	rc = container_spawn(t->init, cgroup_procs_files(t->cg), bad, NULL, &pid, &err);
	CHECK(rc < 0, "a missing program fails");
	CHECK(!strcmp(err.msg, "cannot run /nonexistent/prog in red/r1: No such file or directory"),
	      "message: %s", err.msg);
	note("error: %s", err.msg);
	CHECK(container_spawn(999999, NULL, sleep_argv, NULL, &pid, &err) < 0, "dead init");
	note("error: %s", err.msg);

	rc = container_spawn(t->init, cgroup_procs_files(t->cg), sleep_argv, NULL,
			     &t->sleeper, &err);
	CHECK(rc == 0, "%s", err.msg);
	return 0;
}

static int t_limits(struct systest *t)
{
	struct vnet_err err = { "" };
	uint64_t cpu = 0, mem = 0;
	char d[512], buf[600], v[64];
	const char *dir;

	CHECK(cgroup_usage(t->cg, &cpu, &mem) == 0, "usage");
	CHECK(cpu > 0 && mem > 0, "cpu %llu ns, memory %llu bytes",
	      (unsigned long long)cpu, (unsigned long long)mem);
	note("usage: cpu %llu ns, memory %llu bytes", (unsigned long long)cpu,
	     (unsigned long long)mem);

	CHECK(cgroup_set_memory(t->cg, 64 << 10, &err) < 0, "a limit below usage is refused");
	CHECK(!strcmp(err.msg, "cannot set memory limit 64K for red/r1: usage is above it (Device or resource busy)"),
	      "message: %s", err.msg);
	note("error: %s", err.msg);
	CHECK(cgroup_set_memory(t->cg, 0, &err) == 0, "%s", err.msg);
	CHECK(cgroup_set_memory(t->cg, 256 << 20, &err) == 0, "%s", err.msg);

	if ((dir = cg_dir_with(t->cg, "freezer.state", d, sizeof(d)))) {
		snprintf(buf, sizeof(buf), "%s/freezer.state", dir);
		CHECK(cgroup_freeze(t->cg, 1) == 0, "freeze");
		CHECK(!strcmp(read_text(buf, v, sizeof(v)), "FROZEN\n"), "state %s", v);
		CHECK(cgroup_freeze(t->cg, 0) == 0, "thaw");
		CHECK(!strcmp(read_text(buf, v, sizeof(v)), "THAWED\n"), "state %s", v);
	} else if ((dir = cg_dir_with(t->cg, "cgroup.freeze", d, sizeof(d)))) {
		snprintf(buf, sizeof(buf), "%s/cgroup.freeze", dir);
		CHECK(cgroup_freeze(t->cg, 1) == 0, "freeze");
		CHECK(read_long(buf) == 1, "frozen");
		CHECK(cgroup_freeze(t->cg, 0) == 0, "thaw");
		CHECK(read_long(buf) == 0, "thawed");
	}
	note("freeze and thaw");
	return 0;
}

static int t_stop(struct systest *t)
{
	struct timespec t0, t1;
	int rc;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = container_stop(t->init, 3000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(rc == 0, "stop: %s", strerror(-rc));
	CHECK(kill(t->init, 0) < 0 && errno == ESRCH, "init reaped");
	t->init = 0;
	/* the sleeper was our child inside: container_stop reaps it */
	CHECK(waitpid(t->sleeper, NULL, WNOHANG) < 0 && errno == ECHILD &&
	      kill(t->sleeper, 0) < 0 && errno == ESRCH, "the process inside is gone");
	t->sleeper = 0;
	CHECK(all_procs_empty(t->cg), "no process left in the cgroup");
	CHECK(ms < 1500, "stop took %ld ms", ms);
	note("container stopped in %ld ms, nothing left", ms);
	CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "no child left");
	return 0;
}

/* After a vnetd restart the init is no longer our child. */
static int t_stop_adopted(struct systest *t)
{
	struct vnet_err err = { "" };
	struct container_spec spec;
	char label[96];
	int p[2], status;
	pid_t helper;

	t->cg2 = cgroup_new(t->prefix, "red/r2", &err);
	CHECK(t->cg2, "%s", err.msg);
	spec_init(t, &spec, "r2", t->cg2, label, sizeof(label));
	CHECK(pipe(p) == 0, "pipe");
	helper = fork();
	CHECK(helper >= 0, "fork");
	if (helper == 0) {
		const char *sleep_argv[] = { "sleep", "300", NULL };
		pid_t init = 0, sl;

		close(p[0]);
		if (container_start(&spec, &init, &err) == 0)
			container_spawn(init, spec.cgroup_procs, sleep_argv, NULL, &sl, &err);
		if (write(p[1], &init, sizeof(init)) != sizeof(init))
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &t->init2, sizeof(t->init2)) != sizeof(t->init2))
		t->init2 = 0;
	close(p[0]);
	wait_exit(helper, &status);
	CHECK(t->init2 > 0, "the helper started r2");
	CHECK(waitpid(t->init2, NULL, WNOHANG) < 0 && errno == ECHILD, "not our child");
	CHECK(!all_procs_empty(t->cg2), "init and sleeper inside r2");
	CHECK(container_stop(t->init2, 3000) == 0, "stop");
	CHECK(pid_gone(t->init2), "init gone");
	t->init2 = 0;
	for (int i = 0; i < 100 && !all_procs_empty(t->cg2); i++)
		usleep(10000);
	CHECK(all_procs_empty(t->cg2), "nothing left in r2");
	note("stopped an init that is not our child");
	return 0;
}

static int t_start_fails(struct systest *t)
{
	struct vnet_err err = { "" };
	struct container_spec spec;
	char label[96];
	pid_t init = 0;

	t->cg3 = cgroup_new(t->prefix, "red/r3", &err);
	CHECK(t->cg3, "%s", err.msg);
	spec_init(t, &spec, "r3", t->cg3, label, sizeof(label));
	spec.bird_dir = "/nonexistent-birddir";
	CHECK(container_start(&spec, &init, &err) < 0, "bad bird dir");
	CHECK(!strcmp(err.msg, "bind-mounting /nonexistent-birddir on /etc/bird in red/r3: No such file or directory"),
	      "message: %s", err.msg);
	note("error: %s", err.msg);
	spec.bird_dir = NULL;
	spec.hosts_file = "/nonexistent-hosts";
	CHECK(container_start(&spec, &init, &err) < 0, "bad hosts file");
	note("error: %s", err.msg);
	spec.hosts_file = t->hosts;
	spec.hostname = "";
	CHECK(container_start(&spec, &init, &err) < 0, "empty hostname");
	note("error: %s", err.msg);
	CHECK(all_procs_empty(t->cg3), "nothing left in r3");
	CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "no child left");
	return 0;
}

static int t_free(struct systest *t)
{
	char d1[512], d2[512], parent[512];

	int status;

	/* a process still inside is killed by cgroup_free */
	t->planted = fork();
	CHECK(t->planted >= 0, "fork");
	if (t->planted == 0) {
		int null = open("/dev/null", O_RDWR);

		/* join before the shell forks its background sleep, and keep the
		 * test's output pipe out of these processes */
		if (cgroup_attach(t->cg, getpid()) != 0)
			_exit(126);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execlp("sh", "sh", "-c", "sleep 300 & sleep 300", (char *)NULL);
		_exit(127);
	}
	CHECK(cgroup_attach(t->cg, t->planted) == 0, "attach");
	usleep(100000);		/* let the shell fork inside the group */
	procs_dir(cgroup_procs_files(t->cg)[0], d1, sizeof(d1));
	procs_dir(cgroup_procs_files(t->cg2)[0], d2, sizeof(d2));
	snprintf(parent, sizeof(parent), "%s", d1);
	*strrchr(parent, '/') = '\0';
	cgroup_free(t->cg);
	t->cg = NULL;
	CHECK(!exists(d1), "%s removed", d1);
	CHECK(wait_exit(t->planted, &status) == 0 && WIFSIGNALED(status) &&
	      WTERMSIG(status) == SIGKILL, "the process inside was killed");
	t->planted = 0;
	CHECK(exists(parent), "%s kept: r2 and r3 are in it", parent);
	cgroup_free(t->cg2);
	t->cg2 = NULL;
	cgroup_free(t->cg3);
	t->cg3 = NULL;
	CHECK(!exists(d2), "%s removed", d2);
	CHECK(!exists(parent), "%s removed once empty", parent);
	note("cgroup_free removed the groups and their empty parent");
	return 0;
}

static int t_cleanup_prefix(struct systest *t)
{
	struct vnet_err err = { "" };
	char dirs[8][512], top[512];
	int n = 0, status, removed;

	t->old = cgroup_new(t->prefix, "old/x", &err);
	CHECK(t->old, "%s", err.msg);
	for (const char *const *p = cgroup_procs_files(t->old); *p && n < 8; p++)
		procs_dir(*p, dirs[n++], sizeof(dirs[0]));
	t->planted = fork();
	CHECK(t->planted >= 0, "fork");
	if (t->planted == 0) {
		execlp("sleep", "sleep", "300", (char *)NULL);
		_exit(127);
	}
	CHECK(cgroup_attach(t->old, t->planted) == 0, "attach");
	/* a crashed daemon: cgroup_free never runs */
	removed = cgroup_cleanup_prefix(t->prefix);
	CHECK(removed == 3, "removed %d groups (old/x, old, the prefix)", removed);
	CHECK(wait_exit(t->planted, &status) == 0 && WIFSIGNALED(status) &&
	      WTERMSIG(status) == SIGKILL, "the planted process was killed");
	t->planted = 0;
	for (int i = 0; i < n; i++) {
		memcpy(top, dirs[i], sizeof(top));
		*strrchr(top, '/') = '\0';
		*strrchr(top, '/') = '\0';
		CHECK(!exists(dirs[i]) && !exists(top), "%s removed", top);
	}
	cgroup_free(t->old);	/* nothing left to remove: must not fail */
	t->old = NULL;
	note("cgroup_cleanup_prefix removed planted leftovers");
	return 0;
}

/* ---- main ------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static void cleanup(struct systest *t)
{
	if (t->nl)
		nl_close(t->nl);
	if (t->hostnl)
		nl_close(t->hostnl);
	if (t->tap >= 0)
		close(t->tap);
	if (t->netns >= 0)
		close(t->netns);
	if (t->init > 0)
		container_stop(t->init, 1000);
	if (t->init2 > 0)
		container_stop(t->init2, 1000);
	if (t->sleeper > 0) {
		kill(t->sleeper, SIGKILL);
		waitpid(t->sleeper, NULL, 0);
	}
	if (t->planted > 0) {
		kill(t->planted, SIGKILL);
		waitpid(t->planted, NULL, 0);
	}
	cgroup_free(t->cg);
	cgroup_free(t->cg2);
	cgroup_free(t->cg3);
	cgroup_free(t->old);
	if (cgroup_cleanup_prefix(t->prefix) < 0) {
		fprintf(stderr, "FAIL: cannot clean up prefix %s\n", t->prefix);
		failures++;
	}
	for (int i = 0; i < t->nmnts; i++)
		if (exists(t->mnts[i])) {
			fprintf(stderr, "FAIL: %s is left\n", t->mnts[i]);
			failures++;
		}
	if (t->dir[0])
		nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(int argc, char **argv)
{
	static int (*const steps[])(struct systest *) = {
		t_setup, t_start, t_netlink, t_spawn, t_limits, t_stop,
		t_stop_adopted, t_start_fails, t_free, t_cleanup_prefix,
	};
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	struct systest t;

	if (strcmp(prog, "vnet-init") == 0)
		return container_init_main(argc, argv);
	if (geteuid() != 0) {
		fprintf(stderr, "skipped: needs root\n");
		return 77;
	}
	memset(&t, 0, sizeof(t));
	t.netns = t.tap = -1;
	snprintf(t.prefix, sizeof(t.prefix), "ts%d", (int)getpid());
	alarm(100);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i](&t) < 0)
			break;
	cleanup(&t);
	printf("%s\n", failures ? "FAILED" : "PASSED");
	return failures ? 1 : 0;
}
