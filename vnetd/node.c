/*
 * node.c - the life of one node (router or host): its files (hosts, BIRD
 * config), its backend instance (backend.h: for a container, namespaces
 * and a cgroup), its ports on the links it ends and, for routers, the
 * supervised BIRD.
 *
 *     STOPPED --node_start()--> RUNNING --node_stop()--> STOPPED
 *
 * node_start() undoes every step already made when a later one fails.
 * BIRD runs as a direct child of vnetd inside the node (the backend's
 * exec), so its exit is seen at once (SIGCHLD) and it is restarted with a
 * backoff; every exit and restart is an event shown by `vnet logs` and
 * `vnet status`.
 */
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "bird.h"
#include "coro.h"
#include "event.h"
#include "link.h"
#include "log.h"
#include "progress.h"
#include "reap.h"
#include "save.h"
#include "sys.h"
#include "units.h"
#include "watch.h"

#define NAME(e, str) str,
static const char *const node_states[] = { NODE_STATES(NAME) };
static const char *const bird_states[] = { BIRD_STATES(NAME) };
#undef NAME

const char *node_state_name(enum node_state s)
{
	return (unsigned)s < ARRAY_SIZE(node_states) ? node_states[s] : "?";
}

const char *bird_state_name(enum bird_state s)
{
	return (unsigned)s < ARRAY_SIZE(bird_states) ? bird_states[s] : "?";
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
		return vnet_errc(err, vnet_err_class_of_errno(rc), "cannot create %s: %s",
				 nr->dir, strerror(-rc));
	snprintf(path, sizeof(path), "%s/hosts", nr->dir);
	/* in place: a running node has it bind-mounted by inode */
	if ((rc = write_in_place(path, hosts, strlen(hosts))) < 0)
		return vnet_errc(err, vnet_err_class_of_errno(rc), "cannot write %s: %s", path,
				 strerror(-rc));
	if (n->spec.nodes[i].kind != TOPO_ROUTER)
		return 0;
	if (bird_config(&n->spec, n->plan, i, bird_conf, err))
		return -1;
	if (!*bird_conf)
		return 0;
	snprintf(path, sizeof(path), "%s/bird", nr->dir);
	if ((rc = mkdir_p(path, 0755)) < 0)
		return vnet_errc(err, vnet_err_class_of_errno(rc), "cannot create %s: %s", path,
				 strerror(-rc));
	snprintf(path, sizeof(path), "%s/bird/bird.conf", nr->dir);
	if (same_text(path, *bird_conf))
		return 0;
	if ((rc = write_file(path, *bird_conf)) < 0)
		return vnet_errc(err, vnet_err_class_of_errno(rc), "cannot write %s: %s", path,
				 strerror(-rc));
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

	(void)d;
	if (nr->bird_gr)	/* restored FIB: keep it until BIRD re-converges */
		argv[6] = "-R";
	nr->bird_gr = 0;

	snprintf(log, sizeof(log), "%s/bird.stderr", nr->dir);
	if (nr->cls->exec(nr->inst, argv, log, &nr->bird_pid, err))
		return -1;
	nr->bird = BIRD_RUNNING;
	nr->bird_started_at = now_ms();
	return 0;
}

/*
 * Stop the BIRD of a node: claimed first (reap.h), so that its end is not
 * taken for a crash to restart from. Our child, or one adopted from an
 * earlier vnetd (then it is gone when kill(0) says so). Inside a job the
 * loop runs while BIRD withdraws its routes.
 */
static void bird_kill(struct node_rt *nr)
{
	pid_t pid = nr->bird_pid;

	if (pid <= 0)
		return;
	reap_claim(pid);
	kill(pid, SIGTERM);
	for (int t = 0; t < 400; t++) {
		if (reap_wait(pid, NULL, 0) || (kill(pid, 0) < 0 && errno == ESRCH))
			goto done;
		coro_sleep_ms(t < 20 ? 1 : 5);
	}
	kill(pid, SIGKILL);
	reap_wait(pid, NULL, 1000);
done:
	reap_unclaim(pid);
	nr->bird_pid = 0;
}

void node_stop_soon(struct vnet_network *n, int i)
{
	pid_t pid = n->nodes[i].bird_pid;

	if (n->nodes[i].state == NODE_RUNNING && pid > 0) {
		reap_claim(pid);
		kill(pid, SIGTERM);
	}
}

/* Detach ports, stop the instance: shared by stop and by the failure path
 * of start. */
static void node_teardown(struct vnetd *d, struct vnet_network *n, int i)
{
	struct node_rt *nr = &n->nodes[i];

	if (nr->paused && nr->inst)
		nr->cls->pause(nr->inst, 0, NULL);	/* frozen processes cannot die */
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
	if (nr->inst)
		nr->cls->stop(nr->inst, 2000);
	nr->inst = NULL;
	nr->state = NODE_STOPPED;
}

/* Tests make a start fail half-way (after the node and its ports exist)
 * with VNETD_FAULT=router_start:NET/NODE, to prove the rollback. */
static int fault_injected(const char *net, const char *node)
{
	const char *f = getenv("VNETD_FAULT");
	char want[128];

	if (!f)
		return 0;
	snprintf(want, sizeof(want), "router_start:%s/%s", net, node);
	return !strcmp(f, want);
}

/* The boot description of node i; paths go to the caller's buffers. */
static void node_boot_of(struct vnetd *d, struct vnet_network *n, int i, struct node_boot *b,
			 char *hosts, size_t hlen, char *birddir, size_t blen, int bird)
{
	const struct topo_node *nd = &n->spec.nodes[i];
	const struct plan_node *pn = &n->plan->nodes[i];

	snprintf(hosts, hlen, "%s/hosts", n->nodes[i].dir);
	snprintf(birddir, blen, "%s/bird", n->nodes[i].dir);
	*b = (struct node_boot){
		.prefix = d->prefix, .net = n->spec.name, .name = nd->name,
		.dir = n->nodes[i].dir, .router = nd->kind == TOPO_ROUTER,
		.ecmp_seed = pn->ecmp_seed, .cpu_pct = nd->cpu_pct, .mem_bytes = nd->mem_bytes,
		.lo = pn->lo, .nlo = pn->nlo, .hosts_file = hosts,
		.bird_dir = bird ? birddir : NULL,
	};
}

static void node_dir(struct vnetd *d, struct vnet_network *n, int i)
{
	snprintf(n->nodes[i].dir, sizeof(n->nodes[i].dir), "%s/nodes/%s/%s", d->state_dir,
		 n->spec.name, n->spec.nodes[i].name);
}

int node_start(struct vnetd *d, struct vnet_network *n, int i, struct vnet_err *err)
{
	struct topo_node *nd = &n->spec.nodes[i];
	struct node_rt *nr = &n->nodes[i];
	char hosts[512], birddir[512], *hosts_txt, *conf = NULL;
	struct node_boot b;
	int rc;

	if (nr->state == NODE_RUNNING)
		return vnet_errc(err, VNET_ERR_CONFLICT, "%s/%s is already running",
				 n->spec.name, nd->name);
	if (!nr->cls)
		nr->cls = &container_class;
	node_dir(d, n, i);
	if (!(hosts_txt = hosts_text(n))) {
		vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
		goto fail;
	}
	rc = node_files(n, i, hosts_txt, &conf, NULL, err);
	free(hosts_txt);
	if (rc)
		goto fail;
	node_boot_of(d, n, i, &b, hosts, sizeof(hosts), birddir, sizeof(birddir), conf != NULL);
	if (nr->cls->start(&b, &nr->inst, err))
		goto fail;
	nr->state = NODE_RUNNING;
	snprintf(nr->host, sizeof(nr->host), "%s", d->host);
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
	event_add(d, n->spec.name, nd->name, "started (%s, pid %d)", nr->cls->name,
		  (int)nr->cls->pid(nr->inst));
	progress_step("%s/%s started", n->spec.name, nd->name);
	return 0;
fail:
	free(conf);
	json_decref(nr->restore);
	nr->restore = NULL;
	node_teardown(d, n, i);
	return -1;
}

void node_stop(struct vnetd *d, struct vnet_network *n, int i)
{
	if (n->nodes[i].state != NODE_RUNNING)
		return;
	node_teardown(d, n, i);
	event_add(d, n->spec.name, n->spec.nodes[i].name, "stopped");
	progress_step("%s/%s stopped", n->spec.name, n->spec.nodes[i].name);
}

int node_limits(struct vnet_network *n, int i, struct vnet_err *err)
{
	struct node_rt *nr = &n->nodes[i];
	const struct topo_node *nd = &n->spec.nodes[i];

	if (nr->state != NODE_RUNNING || !nr->inst)
		return 0;
	return nr->cls->limits(nr->inst, nd->cpu_pct, nd->mem_bytes, err);
}

const char *node_state_str(const struct node_rt *nr)
{
	if (nr->state == NODE_RUNNING && nr->paused)
		return "paused";
	return node_state_name(nr->state);
}

int node_pause(struct vnetd *d, struct vnet_network *n, int i, int pause,
	       struct vnet_err *err)
{
	struct node_rt *nr = &n->nodes[i];
	const char *name = n->spec.nodes[i].name;

	if (nr->state != NODE_RUNNING)
		return vnet_errc(err, VNET_ERR_CONFLICT, "%s/%s is stopped", n->spec.name, name);
	if (nr->paused == pause)
		return vnet_errc(err, VNET_ERR_CONFLICT, "%s/%s is %s", n->spec.name, name,
				 pause ? "already paused" : "not paused");
	if (nr->cls->pause(nr->inst, pause, err))
		return -1;
	nr->paused = pause;
	event_add(d, n->spec.name, name, pause ? "paused" : "resumed");
	return 0;
}

static int64_t backoff_ms(unsigned restarts)
{
	int64_t ms = 250;

	for (unsigned k = 1; k < restarts && ms < 8000; k++)
		ms *= 2;
	return ms;
}

int node_child_exited(struct vnetd *d, pid_t pid, int status)
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

			if (nr->state != NODE_RUNNING)
				continue;
			if (pid == nr->bird_pid) {
				/* A BIRD that ran a while starts the backoff afresh. */
				if (now_ms() - nr->bird_started_at > 30000)
					nr->bird_restarts = 0;
				nr->bird_pid = 0;
				nr->bird_restarts++;
				nr->bird = BIRD_RESTARTING;
				nr->bird_restart_at = now_ms() + backoff_ms(nr->bird_restarts);
				event_add(d, n->spec.name, n->spec.nodes[i].name,
					  "bird %s; restarting in %lld ms", how,
					  (long long)backoff_ms(nr->bird_restarts));
				return 1;
			}
			if (nr->inst && pid == nr->cls->pid(nr->inst)) {
				event_add(d, n->spec.name, n->spec.nodes[i].name,
					  "%s %s; node stopped",
					  nr->cls == &container_class ? "container init" : "node",
					  how);
				node_teardown(d, n, i);
				n->dirty = 1;
				return 1;
			}
		}
	}
	return 0;
}

int node_tick(struct vnetd *d)
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
				event_add(d, n->spec.name, n->spec.nodes[i].name,
					  "cannot restart bird: %s", err.msg);
			} else {
				event_add(d, n->spec.name, n->spec.nodes[i].name,
					  "bird restarted (pid %d, restart %u)", nr->bird_pid,
					  nr->bird_restarts);
				n->dirty = 1;
			}
		}
	}
	return (int)next;
}


int node_birdc(struct vnet_network *n, int i, const char *cmd, const char *arg,
	       int timeout_ms, char *out, size_t outlen, struct vnet_err *err)
{
	struct node_rt *nr = &n->nodes[i];
	const char *argv[] = { "birdc", "-s", "/run/bird/bird.ctl", cmd, arg, NULL };
	pid_t pid;
	int status;

	if (nr->state != NODE_RUNNING || nr->paused)
		return vnet_errc(err, VNET_ERR_CONFLICT, "%s/%s is %s", n->spec.name,
				 n->spec.nodes[i].name, node_state_str(nr));
	snprintf(out, outlen, "%s/birdc.out", nr->dir);
	unlink(out);
	if (nr->cls->exec(nr->inst, argv, out, &pid, err))
		return -1;
	reap_claim(pid);
	if (reap_wait(pid, &status, timeout_ms))
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	kill(pid, SIGKILL);
	reap_wait(pid, &status, -1);
	return vnet_errf(err, "birdc %s timed out in %s/%s", cmd, n->spec.name,
			 n->spec.nodes[i].name);
}

/* `birdc configure` inside node i (live.c). */
static int bird_reconfigure(struct vnet_network *n, int i, struct vnet_err *err)
{
	char out[600];
	int rc = node_birdc(n, i, "configure", NULL, 5000, out, sizeof(out), err);

	if (rc > 0)
		return vnet_errf(err, "birdc configure failed in %s/%s (see %s)", n->spec.name,
				 n->spec.nodes[i].name, out);
	return rc;
}

/* Node i, running, after a live change: see node_refresh_all(). */
static int node_refresh(struct vnet_network *n, int i, const char *hosts,
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

int node_refresh_all(struct vnet_network *n, const char *skip, struct vnet_err *err)
{
	char *hosts = hosts_text(n);
	int rc = 0;

	if (!hosts)
		return vnet_errf(err, "out of memory");
	for (int i = 0; i < n->spec.nnodes && !rc; i++)
		if (!skip[i] && n->nodes[i].state == NODE_RUNNING)
			rc = node_refresh(n, i, hosts, err);
	free(hosts);
	return rc;
}

/* ---- adoption by a restarted vnetd --------------------------------------- */

json_t *node_runtime_json(const struct vnet_network *n, int i)
{
	const struct node_rt *nr = &n->nodes[i];
	json_t *rt;

	if (nr->state != NODE_RUNNING || !nr->inst)
		return NULL;
	rt = nr->cls->runtime(nr->inst);
	json_object_set_new(rt, "backend", json_string(nr->cls->name));
	json_object_set_new(rt, "host", json_string(nr->host));
	json_object_set_new(rt, "bird_pid", json_integer(nr->bird_pid));
	json_object_set_new(rt, "bird_restarts", json_integer(nr->bird_restarts));
	json_object_set_new(rt, "paused", json_boolean(nr->paused));
	return rt;
}

/* The backend a record names; records of older versions name none. */
static const struct node_class *class_of(const json_t *rt)
{
	const char *name = json_string_value(json_object_get(rt, "backend"));

	return node_class_find(name ? name : "container");
}

static int same_pidns(pid_t a, pid_t b)
{
	char pa[64], pb[64], la[64], lb[64];
	ssize_t na, nb;

	snprintf(pa, sizeof(pa), "/proc/%d/ns/pid", (int)a);
	snprintf(pb, sizeof(pb), "/proc/%d/ns/pid", (int)b);
	na = readlink(pa, la, sizeof(la));
	nb = readlink(pb, lb, sizeof(lb));
	return na > 0 && na == nb && !memcmp(la, lb, (size_t)na);
}

/* Is bird a BIRD of the node whose own process is pid? */
static int bird_alive(pid_t bird, pid_t pid)
{
	char path[64], buf[64];
	ssize_t len;
	int fd;

	if (bird <= 1)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)bird);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = 0;
	return !strcmp(buf, "bird") && same_pidns(bird, pid);
}

int node_probe(struct vnetd *d, struct vnet_network *n, int i, const json_t *rt)
{
	const struct node_class *cls = class_of(rt);
	char hosts[512], birddir[512];
	struct node_boot b;

	if (!cls)
		return 0;
	node_dir(d, n, i);
	node_boot_of(d, n, i, &b, hosts, sizeof(hosts), birddir, sizeof(birddir), 0);
	return cls->probe(&b, rt);
}

int node_adopt(struct vnetd *d, struct vnet_network *n, int i, const json_t *rt)
{
	const struct node_class *cls = class_of(rt);
	struct node_rt *nr = &n->nodes[i];
	const char *name = n->spec.nodes[i].name;
	pid_t bird = (pid_t)json_integer_value(json_object_get(rt, "bird_pid"));
	char hosts[512], birddir[512];
	struct node_boot b;
	struct vnet_err err;

	if (!cls) {
		log_warn("%s/%s: cannot adopt: unknown backend '%s'", n->spec.name, name,
			 json_string_value(json_object_get(rt, "backend")));
		return 0;
	}
	node_dir(d, n, i);
	node_boot_of(d, n, i, &b, hosts, sizeof(hosts), birddir, sizeof(birddir), 0);
	if (cls->adopt(&b, rt, &nr->inst, &err)) {
		if (err.cls != VNET_ERR_NOT_FOUND)
			log_warn("%s/%s: cannot adopt: %s", n->spec.name, name, err.msg);
		cls->forget(&b);
		return 0;
	}
	nr->cls = cls;
	nr->state = NODE_RUNNING;
	snprintf(nr->host, sizeof(nr->host), "%s", d->host);
	nr->paused = json_is_true(json_object_get(rt, "paused"));
	nr->bird_restarts = (unsigned)json_integer_value(json_object_get(rt, "bird_restarts"));
	nr->bird = BIRD_NONE;
	if (bird_alive(bird, cls->pid(nr->inst))) {
		nr->bird_pid = bird;
		nr->bird = BIRD_RUNNING;
		nr->bird_started_at = now_ms();
		watch_pid(d, bird);
	} else if (bird > 0) {
		nr->bird = BIRD_RESTARTING;
		nr->bird_restart_at = now_ms();
	}
	event_add(d, n->spec.name, name, "adopted (%s, pid %d, bird %s)", cls->name,
		  (int)cls->pid(nr->inst),
		  nr->bird == BIRD_RUNNING ? "running" : bird > 0 ? "to restart" : "none");
	return 1;
}
