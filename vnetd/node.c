/*
 * router.c - the life of one node (router or host): its files (hosts, BIRD
 * config), its cgroup, its container, its ports on the links it ends, its
 * addresses and, for routers, the supervised BIRD.
 *
 *     STOPPED --router_start()--> RUNNING --router_stop()--> STOPPED
 *
 * router_start() undoes every step already made when a later one fails.
 * BIRD runs as a direct child of vnetd inside the container, so its exit is
 * seen at once (SIGCHLD) and it is restarted with a backoff; every exit and
 * restart is an event shown by `vnet logs` and `vnet status`.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bird.h"
#include "container.h"
#include "log.h"
#include "nl.h"
#include "units.h"
#include "vnetd.h"

const char *node_state_name(enum node_state s)
{
	static const char *names[] = {
#define X(e, str) str,
		NODE_STATES(X)
#undef X
	};
	return names[s];
}

const char *bird_state_name(enum bird_state s)
{
	static const char *names[] = {
#define X(e, str) str,
		BIRD_STATES(X)
#undef X
	};
	return names[s];
}

static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[512];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Overwrite path's contents in place (0 or -errno): /etc/hosts is
 * bind-mounted into the node by inode, so a rename would not reach it. */
static int write_in_place(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		rc = -EIO;
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

/* Replace path with a new file holding text (write, then rename). */
static int write_file(const char *path, const char *text)
{
	char tmp[600];
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	rc = write_in_place(tmp, text);
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

/* Every node of the network by name: routers at their loopback, hosts at
 * their first address. */
static char *hosts_text(const struct vnet_network *n)
{
	size_t cap = 256 + (size_t)n->spec.nnodes * 160, len = 0;
	char *s = malloc(cap), buf[VNET_ADDRSTRLEN];

	if (!s)
		return NULL;
	len += snprintf(s + len, cap - len, "# written by vnetd: network %s\n"
			"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n", n->spec.name);
	for (int i = 0; i < n->spec.nnodes; i++) {
		const struct plan_node *pn = &n->plan->nodes[i];
		const struct vnet_addr *a[2] = { NULL, NULL };
		int na = 0;

		if (pn->nlo) {
			for (int k = 0; k < pn->nlo && na < 2; k++)
				a[na++] = &pn->lo[k];
		} else if (pn->nifs) {
			for (int k = 0; k < pn->ifs[0].naddr && na < 2; k++)
				a[na++] = &pn->ifs[0].addr[k];
		}
		for (int k = 0; k < na; k++)
			len += snprintf(s + len, cap - len, "%s\t%s\n",
					addr_fmt(a[k], buf, sizeof(buf), 0), n->spec.nodes[i].name);
	}
	return s;
}

/* Does path hold exactly text? */
static bool same_text(const char *path, const char *text)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool same = false;

	if (buf && fd >= 0)
		same = read(fd, buf, len + 1) == (ssize_t)len && !memcmp(buf, text, len);
	if (fd >= 0)
		close(fd);
	free(buf);
	return same;
}

/*
 * Write node i's /etc/hosts (the network's `hosts` text) and, for a router
 * with BIRD, its bird.conf, returned in *bird_conf (NULL: no BIRD). *changed
 * (may be NULL) tells whether bird.conf differs from what was there.
 */
static int node_files(struct vnet_network *n, int i, const char *hosts, char **bird_conf,
		      bool *changed, struct vnet_err *err)
{
	struct node_rt *nr = &n->nodes[i];
	char path[512];
	int rc;

	*bird_conf = NULL;
	if (changed)
		*changed = false;
	if ((rc = mkdir_p(nr->dir, 0755)) < 0)
		return vnet_errf(err, "cannot create %s: %s", nr->dir, strerror(-rc));
	snprintf(path, sizeof(path), "%s/hosts", nr->dir);
	/* in place: a running node has it bind-mounted by inode */
	if ((rc = write_in_place(path, hosts)) < 0)
		return vnet_errf(err, "cannot write %s: %s", path, strerror(-rc));
	if (n->spec.nodes[i].kind != TOPO_ROUTER)
		return 0;
	if (bird_config(&n->spec, n->plan, i, bird_conf, err))
		return -1;
	if (!*bird_conf)
		return 0;
	snprintf(path, sizeof(path), "%s/bird", nr->dir);
	if ((rc = mkdir_p(path, 0755)) < 0)
		return vnet_errf(err, "cannot create %s: %s", path, strerror(-rc));
	snprintf(path, sizeof(path), "%s/bird/bird.conf", nr->dir);
	if (same_text(path, *bird_conf))
		return 0;
	if ((rc = write_file(path, *bird_conf)) < 0)
		return vnet_errf(err, "cannot write %s: %s", path, strerror(-rc));
	if (changed)
		*changed = true;
	return 0;
}

static int bird_spawn(struct vnetd *d, struct vnet_network *n, int i, struct vnet_err *err)
{
	struct node_rt *nr = &n->nodes[i];
	const char *argv[] = { "bird", "-f", "-c", "/etc/bird/bird.conf", "-s",
			       "/run/bird/bird.ctl", NULL, NULL };
	char log[512];

	if (nr->bird_gr)	/* restored FIB: keep it until BIRD re-converges */
		argv[6] = "-R";
	nr->bird_gr = 0;

	snprintf(log, sizeof(log), "%s/bird.stderr", nr->dir);
	if (container_spawn(nr->init_pid, cgroup_procs_files(nr->cg), argv, log,
			    &nr->bird_pid, err))
		return -1;
	nr->bird = BIRD_RUNNING;
	nr->bird_started_at = now_ms();
	return 0;
}

static void bird_kill(struct node_rt *nr)
{
	if (nr->bird_pid <= 0)
		return;
	kill(nr->bird_pid, SIGTERM);
	for (int t = 0; t < 200; t++) {
		pid_t r = waitpid(nr->bird_pid, NULL, WNOHANG);

		/* an adopted BIRD is not our child: wait until it is gone */
		if (r > 0 || (r < 0 && kill(nr->bird_pid, 0) < 0 && errno == ESRCH))
			goto done;
		usleep(10000);
	}
	kill(nr->bird_pid, SIGKILL);
	waitpid(nr->bird_pid, NULL, 0);
done:
	nr->bird_pid = 0;
}

static int lo_configure(struct vnet_network *n, int i, struct vnet_err *err)
{
	const struct plan_node *pn = &n->plan->nodes[i];
	struct nl *nl;
	char buf[VNET_ADDRSTRLEN];
	int rc = 0;

	if (!pn->nlo)
		return 0;
	if (!(nl = nl_open(n->nodes[i].netns_fd)))
		return vnet_errf(err, "netlink in %s/%s: %s", n->spec.name,
				 n->spec.nodes[i].name, strerror(errno));
	for (int k = 0; k < pn->nlo && rc == 0; k++)
		if ((rc = nl_addr_add(nl, 1, &pn->lo[k])) < 0)
			vnet_errf(err, "cannot add %s to lo in %s/%s: %s",
				  addr_fmt(&pn->lo[k], buf, sizeof(buf), 1), n->spec.name,
				  n->spec.nodes[i].name, strerror(-rc));
	nl_close(nl);
	return rc < 0 ? -1 : 0;
}

/* Detach ports, stop the container, remove the cgroup: shared by stop and
 * by the failure path of start. */
static void node_teardown(struct vnetd *d, struct vnet_network *n, int i)
{
	struct node_rt *nr = &n->nodes[i];

	if (nr->paused && nr->cg)
		cgroup_freeze(nr->cg, 0);	/* frozen processes cannot die */
	nr->paused = 0;

	json_decref(nr->restore_neigh);	/* a restore that did not get that far */
	nr->restore_neigh = NULL;
	bird_kill(nr);
	nr->bird = BIRD_NONE;
	nr->bird_restart_at = 0;
	for (int l = 0; l < n->spec.nlinks; l++)
		for (int s = 0; s < 2; s++)
			if (n->spec.links[l].end[s] == i)
				link_detach(d, n, l, s);
	if (nr->netns_fd >= 0)
		close(nr->netns_fd);
	nr->netns_fd = -1;
	if (nr->init_pid > 0)
		container_stop(nr->init_pid, 2000);
	nr->init_pid = 0;
	cgroup_free(nr->cg);
	nr->cg = NULL;
	nr->state = NODE_STOPPED;
}

/* Tests make a start fail half-way (after the container and its ports
 * exist) with VNETD_FAULT=router_start:NET/NODE, to prove the rollback. */
static int fault_injected(const char *net, const char *node)
{
	const char *f = getenv("VNETD_FAULT");
	char want[128];

	if (!f)
		return 0;
	snprintf(want, sizeof(want), "router_start:%s/%s", net, node);
	return !strcmp(f, want);
}

int router_start(struct vnetd *d, struct vnet_network *n, int i, struct vnet_err *err)
{
	struct topo_node *nd = &n->spec.nodes[i];
	struct node_rt *nr = &n->nodes[i];
	char cgpath[2 * VNET_NAME_MAX + 2], label[128], hosts[512], birddir[512], *hosts_txt;
	char *conf = NULL;
	int rc;
	struct container_spec cs;

	if (nr->state == NODE_RUNNING)
		return vnet_errf(err, "%s/%s is already running", n->spec.name, nd->name);
	snprintf(nr->dir, sizeof(nr->dir), "%s/nodes/%s/%s", d->state_dir, n->spec.name,
		 nd->name);
	nr->netns_fd = -1;
	if (!(hosts_txt = hosts_text(n))) {
		vnet_errf(err, "out of memory");
		goto fail;
	}
	rc = node_files(n, i, hosts_txt, &conf, NULL, err);
	free(hosts_txt);
	if (rc)
		goto fail;
	snprintf(cgpath, sizeof(cgpath), "%s/%s", n->spec.name, nd->name);
	if (!(nr->cg = cgroup_new(d->prefix, cgpath, err)))
		goto fail;
	if (cgroup_set_cpu(nr->cg, nd->cpu_pct, err) ||
	    cgroup_set_memory(nr->cg, nd->mem_bytes, err))
		goto fail;
	snprintf(label, sizeof(label), "%s:%s/%s", d->prefix, n->spec.name, nd->name);
	snprintf(hosts, sizeof(hosts), "%s/hosts", nr->dir);
	snprintf(birddir, sizeof(birddir), "%s/bird", nr->dir);
	cs = (struct container_spec){
		.hostname = nd->name, .hosts_file = hosts,
		.bird_dir = conf ? birddir : NULL,
		.forwarding = nd->kind == TOPO_ROUTER,
		.ecmp_seed = n->plan->nodes[i].ecmp_seed,
		.cgroup_procs = cgroup_procs_files(nr->cg), .label = label,
	};
	if (container_start(&cs, &nr->init_pid, err))
		goto fail;
	nr->netns_fd = container_netns_fd(nr->init_pid);
	if (nr->netns_fd < 0) {
		vnet_errf(err, "cannot open the network namespace of %s/%s: %s",
			  n->spec.name, nd->name, strerror(-nr->netns_fd));
		goto fail;
	}
	nr->state = NODE_RUNNING;
	if (lo_configure(n, i, err))
		goto fail;
	for (int l = 0; l < n->spec.nlinks; l++)
		for (int s = 0; s < 2; s++)
			if (n->spec.links[l].end[s] == i && link_attach(d, n, l, s, err))
				goto fail;
	if (nr->restore)
		restore_apply(d, n, i);
	if (conf && bird_spawn(d, n, i, err))
		goto fail;
	if (fault_injected(n->spec.name, nd->name)) {
		vnet_errf(err, "%s/%s: injected fault (VNETD_FAULT)", n->spec.name, nd->name);
		goto fail;
	}
	free(conf);
	vnetd_event(d, n->spec.name, nd->name, "started (init pid %d)", nr->init_pid);
	progress_step(d, "%s/%s started", n->spec.name, nd->name);
	return 0;
fail:
	free(conf);
	json_decref(nr->restore);
	nr->restore = NULL;
	node_teardown(d, n, i);
	return -1;
}

int router_stop(struct vnetd *d, struct vnet_network *n, int i)
{
	if (n->nodes[i].state != NODE_RUNNING)
		return 0;
	node_teardown(d, n, i);
	vnetd_event(d, n->spec.name, n->spec.nodes[i].name, "stopped");
	progress_step(d, "%s/%s stopped", n->spec.name, n->spec.nodes[i].name);
	return 0;
}

int router_set(struct vnetd *d, struct vnet_network *n, int i, const char *key,
	       const char *value, struct vnet_err *err)
{
	struct topo_node *nd = &n->spec.nodes[i];
	struct node_rt *nr = &n->nodes[i];

	if (!strcmp(key, "cpu")) {
		uint32_t pct = 0;

		if (strcmp(value, "none") && units_parse_cpu(value, &pct))
			return vnet_errf(err, "bad cpu '%s': expected %s, or none", value,
					 UNITS_CPU_FORM);
		if (nr->state == NODE_RUNNING && cgroup_set_cpu(nr->cg, pct, err))
			return -1;
		nd->cpu_pct = pct;
	} else if (!strcmp(key, "memory")) {
		uint64_t bytes = 0;

		if (strcmp(value, "none") && units_parse_size(value, &bytes))
			return vnet_errf(err, "bad memory '%s': expected %s, or none", value,
					 UNITS_SIZE_FORM);
		if (nr->state == NODE_RUNNING && cgroup_set_memory(nr->cg, bytes, err))
			return -1;
		nd->mem_bytes = bytes;
	} else {
		return vnet_errf(err, "unknown router property '%s' (known: cpu, memory)", key);
	}
	vnetd_event(d, n->spec.name, nd->name, "%s set to %s", key, value);
	return net_save_record(d, n);
}

const char *router_state_name(const struct node_rt *nr)
{
	if (nr->state == NODE_RUNNING && nr->paused)
		return "paused";
	return node_state_name(nr->state);
}

int router_pause(struct vnetd *d, struct vnet_network *n, int i, int pause,
		 struct vnet_err *err)
{
	struct node_rt *nr = &n->nodes[i];
	const char *name = n->spec.nodes[i].name;
	int rc;

	if (nr->state != NODE_RUNNING)
		return vnet_errf(err, "%s/%s is stopped", n->spec.name, name);
	if (nr->paused == pause)
		return vnet_errf(err, "%s/%s is %s", n->spec.name, name,
				 pause ? "already paused" : "not paused");
	if ((rc = cgroup_freeze(nr->cg, pause)) < 0)
		return vnet_errf(err, "cannot %s %s/%s: %s", pause ? "freeze" : "thaw",
				 n->spec.name, name, strerror(-rc));
	nr->paused = pause;
	vnetd_event(d, n->spec.name, name, pause ? "paused" : "resumed");
	return 0;
}

static int64_t backoff_ms(unsigned restarts)
{
	int64_t ms = 250;

	for (unsigned k = 1; k < restarts && ms < 8000; k++)
		ms *= 2;
	return ms;
}

int router_child_exited(struct vnetd *d, pid_t pid, int status)
{
	char how[64];

	if (status == -1)
		snprintf(how, sizeof(how), "exited");
	else if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "killed by signal %d", WTERMSIG(status));
	else
		snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(status));
	for (struct vnet_network *n = d->nets; n; n = n->next) {
		for (int i = 0; i < n->spec.nnodes; i++) {
			struct node_rt *nr = &n->nodes[i];

			if (nr->state == NODE_RUNNING && pid == nr->bird_pid) {
				/* A BIRD that ran a while starts the backoff afresh. */
				if (now_ms() - nr->bird_started_at > 30000)
					nr->bird_restarts = 0;
				nr->bird_pid = 0;
				nr->bird_restarts++;
				nr->bird = BIRD_RESTARTING;
				nr->bird_restart_at = now_ms() + backoff_ms(nr->bird_restarts);
				vnetd_event(d, n->spec.name, n->spec.nodes[i].name,
					    "bird %s; restarting in %lld ms", how,
					    (long long)backoff_ms(nr->bird_restarts));
				return 1;
			}
			if (nr->state == NODE_RUNNING && pid == nr->init_pid) {
				nr->init_pid = 0;
				vnetd_event(d, n->spec.name, n->spec.nodes[i].name,
					    "container init %s; node stopped", how);
				node_teardown(d, n, i);
				return 1;
			}
		}
	}
	return 0;
}

int router_tick(struct vnetd *d)
{
	int64_t now = now_ms(), next = -1;
	struct vnet_err err;

	for (struct vnet_network *n = d->nets; n; n = n->next) {
		for (int i = 0; i < n->spec.nnodes; i++) {
			struct node_rt *nr = &n->nodes[i];

			if (!nr->bird_restart_at)
				continue;
			if (nr->bird_restart_at > now) {
				if (next < 0 || nr->bird_restart_at - now < next)
					next = nr->bird_restart_at - now;
				continue;
			}
			nr->bird_restart_at = 0;
			if (bird_spawn(d, n, i, &err)) {
				nr->bird = BIRD_FAILED;
				vnetd_event(d, n->spec.name, n->spec.nodes[i].name,
					    "cannot restart bird: %s", err.msg);
			} else {
				vnetd_event(d, n->spec.name, n->spec.nodes[i].name,
					    "bird restarted (pid %d, restart %u)", nr->bird_pid,
					    nr->bird_restarts);
				net_save_record(d, n);
			}
		}
	}
	return (int)next;
}


int router_birdc(struct vnet_network *n, int i, const char *cmd, const char *arg,
		 int timeout_ms, char *out, size_t outlen, struct vnet_err *err)
{
	struct node_rt *nr = &n->nodes[i];
	const char *argv[] = { "birdc", "-s", "/run/bird/bird.ctl", cmd, arg, NULL };
	pid_t pid;
	int status;

	if (nr->state != NODE_RUNNING || nr->paused)
		return vnet_errf(err, "%s/%s is %s", n->spec.name, n->spec.nodes[i].name,
				 router_state_name(nr));
	snprintf(out, outlen, "%s/birdc.out", nr->dir);
	unlink(out);
	if (container_spawn(nr->init_pid, cgroup_procs_files(nr->cg), argv, out, &pid, err))
		return -1;
	for (int t = 0; t < timeout_ms / 10; t++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return vnet_errf(err, "birdc %s timed out in %s/%s", cmd, n->spec.name,
			 n->spec.nodes[i].name);
}

/* `birdc configure` inside node i (live.c). */
static int bird_reconfigure(struct vnet_network *n, int i, struct vnet_err *err)
{
	char out[600];
	int rc = router_birdc(n, i, "configure", NULL, 5000, out, sizeof(out), err);

	if (rc > 0)
		return vnet_errf(err, "birdc configure failed in %s/%s (see %s)", n->spec.name,
				 n->spec.nodes[i].name, out);
	return rc;
}

/* Node i, running, after a live change: see router_refresh_all(). */
static int router_refresh(struct vnet_network *n, int i, const char *hosts,
			  struct vnet_err *err)
{
	struct node_rt *nr = &n->nodes[i];
	char *conf = NULL;
	bool changed;

	if (node_files(n, i, hosts, &conf, &changed, err))
		return -1;
	free(conf);
	if (!changed || nr->bird != BIRD_RUNNING || nr->paused)
		return 0;	/* a restart or thaw reads the new file */
	return bird_reconfigure(n, i, err);
}

int router_refresh_all(struct vnet_network *n, const char *skip, struct vnet_err *err)
{
	char *hosts = hosts_text(n);
	int rc = 0;

	if (!hosts)
		return vnet_errf(err, "out of memory");
	for (int i = 0; i < n->spec.nnodes && !rc; i++)
		if (!skip[i] && n->nodes[i].state == NODE_RUNNING)
			rc = router_refresh(n, i, hosts, err);
	free(hosts);
	return rc;
}
