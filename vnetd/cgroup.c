/*
 * cgroup.c - resource control of containers (see cgroup.h).
 *
 * The layout is read once from /proc/self/mountinfo. Hybrid (v1): each of
 * the controllers cpu, cpuacct, memory, pids and freezer is a hierarchy of
 * its own (or shares one with others, "cpu,cpuacct"); a group is one
 * directory per hierarchy, and a process joins it by writing to every
 * cgroup.procs. cpu and memory are required, the others are used when
 * mounted. Pure v2: one hierarchy; <prefix> and every directory between it
 * and a group delegate +cpu +memory +pids to their children; freezing and
 * killing use cgroup.freeze and cgroup.kill.
 *
 * The detected layout is module state (set by cgroup_setup() or the first
 * call that needs it): it is a fact of the machine, the same for every
 * caller. Nothing is ever written outside <mount>/<prefix>.
 */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sys.h"
#include "units.h"

enum {
	CG_CPU = 1 << 0,
	CG_CPUACCT = 1 << 1,
	CG_MEMORY = 1 << 2,
	CG_PIDS = 1 << 3,
	CG_FREEZER = 1 << 4,
};

static const struct {
	const char *name;
	unsigned bit;
} cg_ctrls[] = {
	{ "cpu", CG_CPU },
	{ "cpuacct", CG_CPUACCT },
	{ "memory", CG_MEMORY },
	{ "pids", CG_PIDS },
	{ "freezer", CG_FREEZER },
};

#define CG_HIER_MAX 5
#define CG_CPU_PERIOD 100000	/* us */

struct cg_hier {
	char mnt[PATH_MAX];
	unsigned ctrls;
};

static struct {
	int detected;
	int v2;
	int n;
	struct cg_hier h[CG_HIER_MAX];
	char unified[PATH_MAX];	/* hybrid: the v2 mount (cleanup only), or "" */
} layout;

struct cgroup {
	char *prefix;
	char *path;			/* "red/r1": for messages */
	int n;				/* one directory per hierarchy */
	char *dir[CG_HIER_MAX];
	char *procs[CG_HIER_MAX + 1];	/* NULL-terminated */
};

/* ---- files ------------------------------------------------------------ */


/* Write s to dir/file in one write(2). Returns 0 or -errno. */
static int cg_write(const char *dir, const char *file, const char *s)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_sysfs(path, s);
}

/* Read dir/file into buf (NUL-terminated). Returns 0 or -errno. */
static int cg_read(const char *dir, const char *file, char *buf, size_t n)
{
	char path[PATH_MAX];
	size_t got = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got + 1 < n) {
		ssize_t r = read(fd, buf + got, n - 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	close(fd);
	return 0;
}

static int cg_read_u64(const char *dir, const char *file, uint64_t *v)
{
	char buf[64];
	int rc = cg_read(dir, file, buf, sizeof(buf));

	if (rc < 0)
		return rc;
	*v = strtoull(buf, NULL, 10);
	return 0;
}

/* The value of "key N" in a flat-keyed file (cpu.stat, cgroup.events). */
static int cg_read_key(const char *dir, const char *file, const char *key, uint64_t *v)
{
	char buf[4096], *line, *save = NULL;
	size_t kl = strlen(key);
	int rc = cg_read(dir, file, buf, sizeof(buf));

	if (rc < 0)
		return rc;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
			*v = strtoull(line + kl + 1, NULL, 10);
			return 0;
		}
	return -ENOENT;
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* One path component: not empty, no '/', not "." or "..". */
static int component_valid(const char *s, size_t n)
{
	if (n == 0 || n >= NAME_MAX)
		return 0;
	if (memchr(s, '/', n))
		return 0;
	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	return 1;
}

static int path_valid(const char *path)
{
	const char *p = path, *slash;

	if (!path || !*path)
		return 0;
	for (;;) {
		slash = strchr(p, '/');
		if (!component_valid(p, slash ? (size_t)(slash - p) : strlen(p)))
			return 0;
		if (!slash)
			return 1;
		p = slash + 1;
	}
}

/* ---- layout ----------------------------------------------------------- */

static unsigned parse_ctrls(const char *opts)
{
	char buf[512], *tok, *save = NULL;
	unsigned bits = 0;

	snprintf(buf, sizeof(buf), "%s", opts);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		for (size_t i = 0; i < ARRAY_SIZE(cg_ctrls); i++)
			if (strcmp(tok, cg_ctrls[i].name) == 0)
				bits |= cg_ctrls[i].bit;
	return bits;
}

static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ' || p[-1] == '\n') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return 1;
		p += n;
	}
	return 0;
}

static int detect(struct vnet_err *err)
{
	char line[4096], v2mnt[PATH_MAX] = "";
	unsigned have = 0;
	FILE *f;

	if (layout.detected)
		return 0;
	memset(&layout, 0, sizeof(layout));
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return vnet_errf(err, "reading /proc/self/mountinfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char mnt[PATH_MAX], fstype[64], opts[512];
		char *sep = strstr(line, " - ");
		unsigned bits;

		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s %*s %511s", fstype, opts) != 2)
			continue;
		if (strcmp(fstype, "cgroup2") == 0) {
			/* prefer /sys/fs/cgroup(/unified) over other mounts */
			if (!v2mnt[0] || strncmp(mnt, "/sys/fs/cgroup", 14) == 0)
				snprintf(v2mnt, sizeof(v2mnt), "%s", mnt);
			continue;
		}
		if (strcmp(fstype, "cgroup") != 0)
			continue;
		bits = parse_ctrls(opts) & ~have;
		if (!bits || layout.n == CG_HIER_MAX)
			continue;
		snprintf(layout.h[layout.n].mnt, sizeof(layout.h[0].mnt), "%s", mnt);
		layout.h[layout.n].ctrls = bits;
		layout.n++;
		have |= bits;
	}
	fclose(f);

	if (have & (CG_CPU | CG_MEMORY)) {
		if (!(have & CG_CPU) || !(have & CG_MEMORY))
			return vnet_errf(err, "cgroup v1: the %s controller is not mounted under /sys/fs/cgroup",
					 have & CG_CPU ? "memory" : "cpu");
		snprintf(layout.unified, sizeof(layout.unified), "%s", v2mnt);
	} else if (v2mnt[0]) {
		char ctl[512];
		int rc = cg_read(v2mnt, "cgroup.controllers", ctl, sizeof(ctl));

		if (rc < 0)
			return vnet_errf(err, "reading %s/cgroup.controllers: %s", v2mnt,
					 strerror(-rc));
		if (!has_word(ctl, "cpu") || !has_word(ctl, "memory"))
			return vnet_errf(err, "cgroup v2 at %s has no %s controller", v2mnt,
					 has_word(ctl, "cpu") ? "memory" : "cpu");
		layout.v2 = 1;
		layout.n = 1;
		snprintf(layout.h[0].mnt, sizeof(layout.h[0].mnt), "%s", v2mnt);
		layout.h[0].ctrls = CG_CPU | CG_CPUACCT | CG_MEMORY | CG_FREEZER |
				    (has_word(ctl, "pids") ? CG_PIDS : 0);
	} else {
		return vnet_errf(err, "no cgroup hierarchy with the cpu and memory controllers is mounted");
	}
	layout.detected = 1;
	return 0;
}

const char *cgroup_layout(void)
{
	if (!layout.detected)
		return "none";
	return layout.v2 ? "v2" : "v1";
}

/* v2: let the children of dir use cpu, memory (required) and pids. */
static int v2_delegate(const char *dir, struct vnet_err *err)
{
	static const char *const need[] = { "cpu", "memory", "pids" };
	char ctl[512], tok[16];
	int rc;

	rc = cg_read(dir, "cgroup.controllers", ctl, sizeof(ctl));
	if (rc < 0)
		return vnet_errf(err, "reading %s/cgroup.controllers: %s", dir, strerror(-rc));
	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		if (!has_word(ctl, need[i])) {
			if (i == 2)
				continue;	/* pids is optional */
			return vnet_errf(err, "cgroup v2: the %s controller is not available in %s (enable it in the parent's cgroup.subtree_control)",
					 need[i], dir);
		}
		snprintf(tok, sizeof(tok), "+%s", need[i]);
		rc = cg_write(dir, "cgroup.subtree_control", tok);
		if (rc < 0 && i < 2)
			return vnet_errf(err, "enabling %s in %s/cgroup.subtree_control: %s",
					 need[i], dir, strerror(-rc));
	}
	return 0;
}

int cgroup_setup(const char *prefix, struct vnet_err *err)
{
	char made[CG_HIER_MAX][PATH_MAX];
	int nmade = 0;

	if (!path_valid(prefix) || strchr(prefix, '/'))
		return vnet_errf(err, "invalid cgroup prefix \"%s\"", prefix ? prefix : "");
	if (detect(err) < 0)
		return -1;
	for (int i = 0; i < layout.n; i++) {
		char dir[PATH_MAX];

		if (snprintf(dir, sizeof(dir), "%s/%s", layout.h[i].mnt, prefix) >=
		    (int)sizeof(dir)) {
			vnet_errf(err, "cgroup path too long under %s", layout.h[i].mnt);
			goto fail;
		}
		if (mkdir(dir, 0755) == 0)
			snprintf(made[nmade++], PATH_MAX, "%s", dir);
		else if (errno != EEXIST) {
			vnet_errf(err, "creating cgroup %s: %s", dir, strerror(errno));
			goto fail;
		}
		if (layout.v2 && v2_delegate(dir, err) < 0)
			goto fail;
	}
	return 0;
fail:
	while (nmade > 0)
		rmdir(made[--nmade]);
	return -1;
}

/* ---- groups ----------------------------------------------------------- */

/* Read the pids of dir/cgroup.procs into pids (up to n). Returns the count
 * (which may exceed n) or -errno. */
static int read_pids(const char *dir, pid_t *pids, int n)
{
	char buf[65536], *p, *end;
	int rc, count = 0;

	rc = cg_read(dir, "cgroup.procs", buf, sizeof(buf));
	if (rc < 0)
		return rc;
	for (p = buf;; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (count < n)
			pids[count] = (pid_t)v;
		count++;
	}
	return count;
}

static int kill_listed(const char *dir)
{
	pid_t pids[1024];
	int n = read_pids(dir, pids, (int)ARRAY_SIZE(pids));

	for (int i = 0; i < n && i < (int)ARRAY_SIZE(pids); i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	return n;
}

/* Kill everything in dir (one hierarchy) and wait, up to timeout_ms. */
static int kill_dir(const char *dir, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	/* v2: cgroup.kill (Linux 5.14+) kills the whole subtree at once;
	 * v1 has no such file: the loop below does the work. */
	cg_write(dir, "cgroup.kill", "1");
	for (;;) {
		int n = kill_listed(dir);

		if (n <= 0)
			return n == -ENOENT ? 0 : n;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		sleep_ms(10);
	}
}

/* rmdir, waiting a little for dying tasks to leave. */
static int rmdir_wait(const char *dir, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	while (rmdir(dir) < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno != EBUSY || now_ms() >= deadline)
			return -errno;
		sleep_ms(10);
	}
	return 1;
}

/* Depth-first: kill what is inside (when kill), remove every directory.
 * Returns the number of directories removed, or -errno of the first
 * failure. */
static int rm_tree(const char *dir, int dokill)
{
	struct dirent *de;
	int count = 0, first_err = 0, rc;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char sub[PATH_MAX];

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= (int)sizeof(sub))
			continue;
		rc = rm_tree(sub, dokill);
		if (rc < 0 && !first_err)
			first_err = rc;
		else if (rc > 0)
			count += rc;
	}
	closedir(d);
	if (dokill)
		kill_dir(dir, 2000);
	rc = rmdir_wait(dir, 2000);
	if (rc < 0 && !first_err)
		first_err = rc;
	if (rc > 0)
		count += rc;
	return first_err ? first_err : count;
}

static void cgroup_destroy(struct cgroup *cg)
{
	for (int i = 0; i < cg->n; i++) {
		free(cg->dir[i]);
		free(cg->procs[i]);
	}
	free(cg->prefix);
	free(cg->path);
	free(cg);
}

/* mkdir dir, remembering it in made[] when it is new. */
static int mkdir_undo(const char *dir, char (*made)[PATH_MAX], int *nmade, int max,
		      struct vnet_err *err)
{
	if (mkdir(dir, 0755) < 0) {
		if (errno == EEXIST)
			return 0;
		return vnet_errf(err, "creating cgroup %s: %s", dir, strerror(errno));
	}
	if (*nmade == max) {
		rmdir(dir);
		return vnet_errf(err, "creating cgroup %s: path too deep", dir);
	}
	snprintf(made[(*nmade)++], PATH_MAX, "%s", dir);
	return 0;
}

struct cgroup *cgroup_new(const char *prefix, const char *path, struct vnet_err *err)
{
	char made[CG_HIER_MAX * 8][PATH_MAX];
	int nmade = 0;
	struct cgroup *cg;

	if (!path_valid(prefix) || strchr(prefix, '/') || !path_valid(path)) {
		vnet_errf(err, "invalid cgroup name \"%s/%s\"", prefix ? prefix : "",
			  path ? path : "");
		return NULL;
	}
	if (detect(err) < 0)
		return NULL;
	cg = calloc(1, sizeof(*cg));
	if (!cg || !(cg->prefix = strdup(prefix)) || !(cg->path = strdup(path))) {
		vnet_errf(err, "creating cgroup %s: out of memory", path);
		goto fail;
	}
	for (int i = 0; i < layout.n; i++) {
		char dir[PATH_MAX], rel[PATH_MAX], *comp, *save = NULL;

		/* <prefix>, then each component of path */
		if (snprintf(dir, sizeof(dir), "%s/%s", layout.h[i].mnt, prefix) >=
		    (int)sizeof(dir)) {
			vnet_errf(err, "cgroup path too long under %s", layout.h[i].mnt);
			goto fail;
		}
		if (mkdir_undo(dir, made, &nmade, (int)ARRAY_SIZE(made), err) < 0)
			goto fail;
		snprintf(rel, sizeof(rel), "%s", path);
		for (comp = strtok_r(rel, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
			size_t l = strlen(dir);

			if (layout.v2 && v2_delegate(dir, err) < 0)
				goto fail;
			snprintf(dir + l, sizeof(dir) - l, "/%s", comp);
			if (mkdir_undo(dir, made, &nmade, (int)ARRAY_SIZE(made), err) < 0)
				goto fail;
		}
		cg->dir[i] = strdup(dir);
		if (!cg->dir[i] || asprintf(&cg->procs[i], "%s/cgroup.procs", dir) < 0) {
			cg->procs[i] = NULL;
			vnet_errf(err, "creating cgroup %s: out of memory", path);
			cg->n = i + 1;
			goto fail;
		}
		cg->n = i + 1;
	}
	return cg;
fail:
	while (nmade > 0)
		rmdir(made[--nmade]);
	if (cg)
		cgroup_destroy(cg);
	return NULL;
}

void cgroup_free(struct cgroup *cg)
{
	if (!cg)
		return;
	cgroup_kill_all(cg, 2000);
	for (int i = 0; i < cg->n; i++) {
		char dir[PATH_MAX], *slash;

		rm_tree(cg->dir[i], 0);
		/* the parents between <prefix> and the group, when empty */
		snprintf(dir, sizeof(dir), "%s", cg->dir[i]);
		for (size_t depth = 0; depth < strlen(cg->path); depth++) {
			if (cg->path[depth] != '/')
				continue;
			slash = strrchr(dir, '/');
			if (!slash)
				break;
			*slash = '\0';
			if (rmdir(dir) < 0)
				break;	/* EBUSY / ENOTEMPTY: still in use */
		}
	}
	cgroup_destroy(cg);
}

const char *const *cgroup_procs_files(const struct cgroup *cg)
{
	return (const char *const *)cg->procs;
}

int cgroup_attach(struct cgroup *cg, pid_t pid)
{
	char s[32];

	snprintf(s, sizeof(s), "%d", (int)pid);
	for (int i = 0; i < cg->n; i++) {
		int rc = cg_write(cg->dir[i], "cgroup.procs", s);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The directory of the hierarchy holding controller bit, or NULL. */
static const char *ctrl_dir(const struct cgroup *cg, unsigned bit)
{
	for (int i = 0; i < cg->n; i++)
		if (layout.h[i].ctrls & bit)
			return cg->dir[i];
	return NULL;
}

int cgroup_set_cpu(struct cgroup *cg, uint32_t pct, struct vnet_err *err)
{
	const char *dir = ctrl_dir(cg, CG_CPU);
	uint64_t quota = (uint64_t)pct * CG_CPU_PERIOD / 100;
	char s[64];
	int rc;

	if (!dir)
		return vnet_errf(err, "cannot set the CPU limit of %s: no cpu controller", cg->path);
	if (layout.v2) {
		if (pct)
			snprintf(s, sizeof(s), "%" PRIu64 " %d", quota, CG_CPU_PERIOD);
		else
			snprintf(s, sizeof(s), "max %d", CG_CPU_PERIOD);
		rc = cg_write(dir, "cpu.max", s);
	} else {
		snprintf(s, sizeof(s), "%d", CG_CPU_PERIOD);
		rc = cg_write(dir, "cpu.cfs_period_us", s);
		if (rc == 0) {
			if (pct)
				snprintf(s, sizeof(s), "%" PRIu64, quota);
			else
				snprintf(s, sizeof(s), "-1");
			rc = cg_write(dir, "cpu.cfs_quota_us", s);
		}
	}
	if (rc < 0) {
		if (pct)
			vnet_errf(err, "cannot set CPU limit %u%% for %s: %s", pct, cg->path,
				  strerror(-rc));
		else
			vnet_errf(err, "cannot remove the CPU limit of %s: %s", cg->path,
				  strerror(-rc));
		return -1;
	}
	return 0;
}

int cgroup_set_memory(struct cgroup *cg, uint64_t bytes, struct vnet_err *err)
{
	const char *dir = ctrl_dir(cg, CG_MEMORY);
	char s[64], size[32];
	uint64_t cur;
	int rc;

	if (bytes)
		units_fmt_size(bytes, size, sizeof(size));
	else
		snprintf(size, sizeof(size), "none");
	if (!dir)
		return vnet_errf(err, "cannot set memory limit %s for %s: no memory controller",
				 size, cg->path);
	if (layout.v2) {
		/* v2 would OOM-kill rather than refuse: refuse ourselves */
		if (bytes && cg_read_u64(dir, "memory.current", &cur) == 0 && cur > bytes)
			rc = -EBUSY;
		else {
			if (bytes)
				snprintf(s, sizeof(s), "%" PRIu64, bytes);
			else
				snprintf(s, sizeof(s), "max");
			rc = cg_write(dir, "memory.max", s);
		}
	} else {
		if (bytes)
			snprintf(s, sizeof(s), "%" PRIu64, bytes);
		else
			snprintf(s, sizeof(s), "-1");
		rc = cg_write(dir, "memory.limit_in_bytes", s);
	}
	if (rc == -EBUSY)
		return vnet_errc(err, VNET_ERR_CONFLICT, "cannot set memory limit %s for %s: "
				 "usage is above it (%s)", size, cg->path, strerror(EBUSY));
	if (rc < 0)
		return vnet_errf(err, "cannot set memory limit %s for %s: %s", size, cg->path,
				 strerror(-rc));
	return 0;
}

int cgroup_usage(const struct cgroup *cg, uint64_t *cpu_ns, uint64_t *mem_bytes)
{
	const char *cdir = ctrl_dir(cg, layout.v2 ? CG_CPU : CG_CPUACCT);
	const char *mdir = ctrl_dir(cg, CG_MEMORY);
	uint64_t v;
	int rc;

	*cpu_ns = 0;
	*mem_bytes = 0;
	if (cdir) {
		if (layout.v2) {
			rc = cg_read_key(cdir, "cpu.stat", "usage_usec", &v);
			v *= 1000;
		} else {
			rc = cg_read_u64(cdir, "cpuacct.usage", &v);
		}
		if (rc < 0)
			return rc;
		*cpu_ns = v;
	}
	if (mdir) {
		rc = cg_read_u64(mdir, layout.v2 ? "memory.current" : "memory.usage_in_bytes", &v);
		if (rc < 0)
			return rc;
		*mem_bytes = v;
	}
	return 0;
}

/* Set the freezer and wait until the state is reached (timeout_ms). */
static int freeze(struct cgroup *cg, int frozen, int timeout_ms)
{
	const char *dir = ctrl_dir(cg, CG_FREEZER);
	int64_t deadline = now_ms() + timeout_ms;
	int rc;

	if (!dir)
		return -ENOTSUP;
	if (layout.v2)
		rc = cg_write(dir, "cgroup.freeze", frozen ? "1" : "0");
	else
		rc = cg_write(dir, "freezer.state", frozen ? "FROZEN" : "THAWED");
	if (rc < 0)
		return rc;
	for (;;) {
		char st[64];
		uint64_t v;

		if (layout.v2) {
			rc = cg_read_key(dir, "cgroup.events", "frozen", &v);
			if (rc < 0)
				return rc;
			if ((int)v == !!frozen)
				return 0;
		} else {
			rc = cg_read(dir, "freezer.state", st, sizeof(st));
			if (rc < 0)
				return rc;
			if (strncmp(st, frozen ? "FROZEN" : "THAWED", 6) == 0)
				return 0;
		}
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		sleep_ms(2);
		/* v1: FREEZING -> retry the write, a task may have been busy */
		if (!layout.v2 && frozen)
			cg_write(dir, "freezer.state", "FROZEN");
	}
}

int cgroup_freeze(struct cgroup *cg, int frozen)
{
	int rc = freeze(cg, frozen, 2000);

	if (rc < 0 && frozen)
		freeze(cg, 0, 1000);	/* never leave it half frozen */
	return rc;
}

static int all_empty(const struct cgroup *cg)
{
	pid_t pid;

	for (int i = 0; i < cg->n; i++) {
		int n = read_pids(cg->dir[i], &pid, 1);

		if (n > 0)
			return 0;
	}
	return 1;
}

int cgroup_kill_all(struct cgroup *cg, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	if (layout.v2 && cg_write(cg->dir[0], "cgroup.kill", "1") == 0) {
		while (!all_empty(cg)) {
			if (now_ms() >= deadline)
				return -ETIMEDOUT;
			sleep_ms(5);
		}
		return 0;
	}
	for (;;) {
		int killed = 0;

		if (all_empty(cg))
			return 0;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		/* Frozen tasks cannot fork while we kill them; SIGKILL takes
		 * effect once thawed. */
		freeze(cg, 1, 200);
		for (int i = 0; i < cg->n; i++)
			killed += kill_listed(cg->dir[i]) > 0;
		freeze(cg, 0, 1000);
		if (killed)
			sleep_ms(5);
	}
}

int cgroup_cleanup_prefix(const char *prefix)
{
	int most = 0, failed = 0;

	if (!path_valid(prefix) || strchr(prefix, '/'))
		return -1;
	if (detect(NULL) < 0)
		return -1;
	/* every hierarchy we use, and in hybrid mode the v2 one too */
	for (int i = 0; i <= layout.n; i++) {
		const char *mnt = i < layout.n ? layout.h[i].mnt : layout.unified;
		char dir[PATH_MAX];
		int rc;

		if (!mnt[0] || (i == layout.n && layout.v2))
			continue;
		if (snprintf(dir, sizeof(dir), "%s/%s", mnt, prefix) >= (int)sizeof(dir) ||
		    !exists(dir))
			continue;
		rc = rm_tree(dir, 1);
		if (rc < 0)
			failed = 1;
		else if (rc > most)
			most = rc;
	}
	return failed ? -1 : most;
}
