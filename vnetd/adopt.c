/*
 * adopt.c - a restarted vnetd takes over what its predecessor of the same
 * prefix left running, so that a crash or an upgrade of the control plane
 * does not interrupt the virtual networks.
 *
 * The store keeps, for every running node, what its backend needs to find
 * it again (for a container: its init's pid) and its BIRD's pid, and for
 * every link its engine id (net.c, runtime_json). At start-up:
 *   - a node its backend still finds (a container whose init is alive and
 *     carries our label, "vnet-init PREFIX:NET/NODE") is adopted with its
 *     BIRD (watched through a pidfd, since it is no longer our child;
 *     restarted if gone);
 *   - a link the running engine still has (LINK_STATS answers) is adopted
 *     with its ports; with a fresh engine, the links of adopted nodes are
 *     re-created and their ports re-attached;
 *   - what cannot be adopted is removed: the cgroup (and processes) of a
 *     node that is not running right, engine links nobody knows.
 */
#include "adopt.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "engine_client.h"
#include "link.h"
#include "log.h"
#include "net.h"
#include "node.h"
#include "profile.h"
#include "trace.h"

int adopt_anything(struct vnetd *d)
{
	char sock[PATH_MAX];
	int fd;

	snprintf(sock, sizeof(sock), "%s/engine.sock", d->run_dir);
	if ((fd = engc_connect(sock)) >= 0) {
		close(fd);
		return 1;
	}
	for (struct vnet_network *n = d->nets; n; n = n->next) {
		json_t *nodes = json_object_get(n->adopt, "nodes");

		for (int i = 0; i < n->spec.nnodes; i++) {
			json_t *rt = json_object_get(nodes, n->spec.nodes[i].name);

			if (rt && node_probe(d, n, i, rt))
				return 1;
		}
	}
	return 0;
}

static int adopt_link(struct vnetd *d, struct vnet_network *n, int i, json_t *rt)
{
	struct link_rt *lr = &n->links[i];
	struct engc_stats st;

	lr->id = (uint64_t)json_integer_value(json_object_get(rt, "id"));
	profile_adopt(n, i, json_object_get(rt, "profile"));
	trace_adopt(n, i, json_object_get(rt, "trace"));
	if (lr->id > d->next_link_id)
		d->next_link_id = lr->id;
	if (!d->engine_adopted || !lr->id)
		return 0;
	if (engine_link_stats(d->engine, lr->id, &st) < 0)
		return 0;
	lr->created = 1;
	link_path_update(d, n, i);
	for (int s = 0; s < 2; s++) {
		int running = n->nodes[n->spec.links[i].end[s]].state == NODE_RUNNING;

		lr->attached[s] = st.attached[s];
		lr->port_fd[s] = -1;
		/* vnetd's copy of the port, for the next restart of the engine */
		if (lr->attached[s] && running &&
		    engine_port_get(d->engine, lr->id, s, &lr->port_fd[s]) < 0)
			lr->port_fd[s] = -1;
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
	uint64_t *ids = NULL;
	size_t n = 0;

	if (engine_link_list(d->engine, &ids, &n) < 0)
		return;
	for (size_t k = 0; k < n; k++) {
		if (link_known(d, ids[k]))
			continue;
		engine_link_del(d->engine, ids[k]);
		log_info("engine link %llu belongs to no network: deleted",
			 (unsigned long long)ids[k]);
	}
	free(ids);
}

int adopt_all(struct vnetd *d)
{
	int adopted = 0;

	for (struct vnet_network *n = d->nets; n; n = n->next) {
		json_t *nodes = json_object_get(n->adopt, "nodes");
		json_t *links = json_object_get(n->adopt, "links");
		int here = 0;

		for (int i = 0; i < n->spec.nnodes; i++) {
			json_t *rt = json_object_get(nodes, n->spec.nodes[i].name);

			if (rt && node_adopt(d, n, i, rt))
				here++;
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
