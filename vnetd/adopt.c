/*
 * adopt.c - a restarted vnetd takes over what its predecessor of the same
 * prefix left running, so that a crash or an upgrade of the control plane
 * does not interrupt the virtual networks.
 *
 * The store keeps, for every running node, its init and BIRD pids, and for
 * every link its engine id (net.c, runtime_json). At start-up:
 *   - a node whose init is alive and carries our label ("vnet-init
 *     PREFIX:NET/NODE") is adopted: its namespaces, cgroup and BIRD (watched
 *     through a pidfd, since it is no longer our child; restarted if gone);
 *   - a link the running engine still has (LINK_STATS answers) is adopted
 *     with its ports; with a fresh engine, the links of adopted nodes are
 *     re-created and their ports re-attached;
 *   - what cannot be adopted is removed: the cgroup (and processes) of a
 *     node that is not running right, engine links nobody knows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "engine.h"
#include "log.h"
#include "trace.h"
#include "vnetd.h"

static int read_cmdline(pid_t pid, char *buf, size_t n)
{
	char path[64];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	len = read(fd, buf, n - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	return (int)len;
}

int vnetd_is_our_init(struct vnetd *d, pid_t pid, const char *net, const char *node)
{
	char buf[256], want[256];
	int len, wlen;

	if (pid <= 1 || (len = read_cmdline(pid, buf, sizeof(buf))) < 0)
		return 0;
	wlen = snprintf(want, sizeof(want), "vnet-init%c%s:%s/%s", 0, d->prefix, net, node);
	return len >= wlen + 1 && !memcmp(buf, want, wlen + 1);
}

static int same_pidns(pid_t a, pid_t b)
{
	char pa[64], pb[64], la[64], lb[64];
	ssize_t na, nb;

	snprintf(pa, sizeof(pa), "/proc/%d/ns/pid", (int)a);
	snprintf(pb, sizeof(pb), "/proc/%d/ns/pid", (int)b);
	na = readlink(pa, la, sizeof(la));
	nb = readlink(pb, lb, sizeof(lb));
	return na > 0 && na == nb && !memcmp(la, lb, na);
}

static int bird_alive(pid_t bird, pid_t init)
{
	char buf[64];

	if (bird <= 1 || read_cmdline(bird, buf, sizeof(buf)) < 0 || strcmp(buf, "bird"))
		return 0;
	return same_pidns(bird, init);
}

static int adopt_node(struct vnetd *d, struct vnet_network *n, int i, json_t *rt)
{
	struct node_rt *nr = &n->nodes[i];
	const char *name = n->spec.nodes[i].name;
	pid_t init = (pid_t)json_integer_value(json_object_get(rt, "init_pid"));
	pid_t bird = (pid_t)json_integer_value(json_object_get(rt, "bird_pid"));
	char cgpath[2 * VNET_NAME_MAX + 2];
	struct vnet_err err;

	if (!vnetd_is_our_init(d, init, n->spec.name, name))
		return 0;
	snprintf(cgpath, sizeof(cgpath), "%s/%s", n->spec.name, name);
	snprintf(nr->dir, sizeof(nr->dir), "%s/nodes/%s/%s", d->state_dir, n->spec.name, name);
	nr->cg = cgroup_new(d->prefix, cgpath, &err);
	nr->netns_fd = container_netns_fd(init);
	if (!nr->cg || nr->netns_fd < 0) {
		log_warn("%s/%s: cannot adopt: %s", n->spec.name, name,
			 nr->cg ? "no network namespace" : err.msg);
		if (nr->netns_fd >= 0)
			close(nr->netns_fd);
		nr->netns_fd = -1;
		cgroup_free(nr->cg);
		nr->cg = NULL;
		return 0;
	}
	nr->init_pid = init;
	nr->state = NODE_RUNNING;
	nr->paused = json_is_true(json_object_get(rt, "paused"));
	nr->bird_restarts = (unsigned)json_integer_value(json_object_get(rt, "bird_restarts"));
	nr->bird = BIRD_NONE;
	if (bird_alive(bird, init)) {
		nr->bird_pid = bird;
		nr->bird = BIRD_RUNNING;
		nr->bird_started_at = now_ms();
		vnetd_watch_pid(d, bird);
	} else if (bird > 0) {
		nr->bird = BIRD_RESTARTING;
		nr->bird_restart_at = now_ms();
	}
	vnetd_event(d, n->spec.name, name, "adopted (init pid %d, bird %s)", (int)init,
		    nr->bird == BIRD_RUNNING ? "running" : bird > 0 ? "to restart" : "none");
	return 1;
}

/* Remove what a node that could not be adopted left in its cgroup. */
static void remove_remains(struct vnetd *d, struct vnet_network *n, int i)
{
	char cgpath[2 * VNET_NAME_MAX + 2];
	struct vnet_err err;
	struct cgroup *cg;

	snprintf(cgpath, sizeof(cgpath), "%s/%s", n->spec.name, n->spec.nodes[i].name);
	if ((cg = cgroup_new(d->prefix, cgpath, &err)))
		cgroup_free(cg);
}

static int adopt_link(struct vnetd *d, struct vnet_network *n, int i, json_t *rt)
{
	struct link_rt *lr = &n->links[i];
	struct eng_req req = { .h.type = ENG_LINK_STATS };
	struct eng_reply rep;

	lr->id = (uint64_t)json_integer_value(json_object_get(rt, "id"));
	profile_adopt(n, i, json_object_get(rt, "profile"));
	trace_adopt(n, i, json_object_get(rt, "trace"));
	if (lr->id > d->next_link_id)
		d->next_link_id = lr->id;
	if (!d->engine_adopted || !lr->id)
		return 0;
	req.id = lr->id;
	if (engine_call(d->engine, &req, -1, &rep) < 0)
		return 0;
	lr->created = 1;
	for (int s = 0; s < 2; s++) {
		int running = n->nodes[n->spec.links[i].end[s]].state == NODE_RUNNING;

		lr->attached[s] = rep.attached[s];
		if (lr->attached[s] && !running)
			link_detach(d, n, i, s);	/* its node is gone */
	}
	return 1;
}

static int link_known(struct vnetd *d, uint64_t id)
{
	for (struct vnet_network *n = d->nets; n; n = n->next)
		for (int i = 0; i < n->spec.nlinks; i++)
			if (n->links[i].created && n->links[i].id == id)
				return 1;
	return 0;
}

/* Delete the engine's links that no network claims. */
static void drop_unknown_links(struct vnetd *d)
{
	uint64_t stale[256];
	int nstale = 0;

	for (uint64_t off = 0;;) {
		struct eng_req req = { .h.type = ENG_LINK_LIST, .id = off };
		struct eng_reply rep;

		if (engine_call(d->engine, &req, -1, &rep) < 0 || rep.count == 0)
			break;
		for (uint32_t k = 0; k < rep.count && nstale < (int)ARRAY_SIZE(stale); k++)
			if (!link_known(d, rep.ids[k]))
				stale[nstale++] = rep.ids[k];
		off += rep.count;
	}
	for (int k = 0; k < nstale; k++) {
		struct eng_req req = { .h.type = ENG_LINK_DEL, .id = stale[k] };
		struct eng_reply rep;

		engine_call(d->engine, &req, -1, &rep);
		log_info("engine link %llu belongs to no network: deleted",
			 (unsigned long long)stale[k]);
	}
}

int vnetd_adopt(struct vnetd *d)
{
	int adopted = 0;

	for (struct vnet_network *n = d->nets; n; n = n->next) {
		json_t *nodes = json_object_get(n->adopt, "nodes");
		json_t *links = json_object_get(n->adopt, "links");
		int here = 0;

		for (int i = 0; i < n->spec.nnodes; i++) {
			json_t *rt = json_object_get(nodes, n->spec.nodes[i].name);

			if (rt && adopt_node(d, n, i, rt))
				here++;
			else if (rt)
				remove_remains(d, n, i);
		}
		for (int i = 0; i < n->spec.nlinks; i++) {
			json_t *rt = json_object_get(links, n->spec.links[i].name);

			if (rt)
				adopt_link(d, n, i, rt);
		}
		json_decref(n->adopt);
		n->adopt = NULL;
		adopted += here;
	}
	for (struct vnet_network *n = d->nets; n; n = n->next) {
		struct vnet_err err;
		int running = 0;

		for (int i = 0; i < n->spec.nnodes; i++)
			running += n->nodes[i].state == NODE_RUNNING;
		if (!running)
			continue;
		/* links missing from the engine: make them, attach running ends */
		for (int i = 0; i < n->spec.nlinks; i++) {
			struct link_rt *lr = &n->links[i];

			if (!lr->created && link_create(d, n, i, &err)) {
				log_error("%s", err.msg);
				continue;
			}
			for (int s = 0; s < 2; s++) {
				int node = n->spec.links[i].end[s];

				if (!lr->attached[s] && n->nodes[node].state == NODE_RUNNING &&
				    link_attach(d, n, i, s, &err))
					log_error("%s", err.msg);
			}
		}
	}
	if (d->engine_adopted)
		drop_unknown_links(d);
	for (struct vnet_network *n = d->nets; n; n = n->next)
		net_save_record(d, n);
	return adopted;
}
