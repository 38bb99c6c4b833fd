/*
 * link.c - virtual links: each is a link in vnet-engine with two ports, the
 * interfaces of its two ends (made by their nodes' backends: TAP devices
 * for containers). A link exists as long as its network does;
 * its ends come and go with their nodes (a missing end means carrier down
 * at the other), and its properties change in place (LINK_SET), keeping
 * the frames the engine has queued.
 */
#include "link.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "engine.h"
#include "event.h"
#include "log.h"
#include "trace.h"

void link_forget_port(struct vnet_network *n, int i, int side)
{
	struct link_rt *lr = &n->links[i];

	if (lr->attached[side] && lr->port_fd[side] >= 0)
		close(lr->port_fd[side]);
	lr->port_fd[side] = -1;
	lr->attached[side] = 0;
}

int link_create(struct vnetd *d, struct vnet_network *n, int i, struct vnet_err *err)
{
	struct topo_link *l = &n->spec.links[i];
	struct link_rt *lr = &n->links[i];
	char name[64];
	int rc;

	if (!lr->id)
		lr->id = ++d->next_link_id;
	snprintf(name, sizeof(name), "%.31s/%.31s", n->spec.name, l->name);
	if ((rc = engine_link_add(d->engine, lr->id, name, l->dir, !l->down)) < 0)
		return vnet_errf(err, "cannot create link %s/%s in vnet-engine: %s",
				 n->spec.name, l->name, strerror(-rc));
	link_path_update(d, n, i);
	lr->created = 1;
	trace_replay(d, n, i);
	return 0;
}

void link_destroy(struct vnetd *d, struct vnet_network *n, int i)
{
	struct link_rt *lr = &n->links[i];

	if (!lr->created)
		return;
	engine_link_del(d->engine, lr->id);
	for (int s = 0; s < 2; s++)
		link_forget_port(n, i, s);
	lr->created = 0;
}

static unsigned link_mtu(const struct topo_link *l)
{
	return l->dir[0].mtu ? l->dir[0].mtu : LINKP_DEFAULT_MTU;
}

int link_attach(struct vnetd *d, struct vnet_network *n, int i, int side,
		struct vnet_err *err)
{
	struct topo_link *l = &n->spec.links[i];
	struct link_rt *lr = &n->links[i];
	int node = l->end[side];
	const struct plan_iface *pi = plan_iface_of(n->plan, node, i);
	const struct plan_node *pn = &n->plan->nodes[node];
	struct node_rt *nr = &n->nodes[node];
	struct node_iface ifc;
	struct node_port port;
	int rc;

	if (!pi)
		return vnet_errf(err, "internal error: no interface for link %s", l->name);
	if (nr->state != NODE_RUNNING || !nr->inst)
		return vnet_errc(err, VNET_ERR_CONFLICT, "%s/%s is not running", n->spec.name,
				 n->spec.nodes[node].name);
	ifc = (struct node_iface){
		.ifname = pi->ifname, .mac = pi->mac, .mtu = link_mtu(l),
		.addr = pi->addr, .naddr = pi->naddr, .gw = pn->gw, .ngw = pn->ngw,
	};
	if (nr->cls->iface_add(nr->inst, &ifc, &port, err))
		return -1;
	rc = engine_port_attach(d->engine, lr->id, side, &port, 0);
	if (rc < 0) {
		close(port.fd);	/* a TAP goes with its last fd */
		return vnet_errf(err, "cannot attach %s of %s/%s to vnet-engine: %s", pi->ifname,
				 n->spec.name, n->spec.nodes[node].name, strerror(-rc));
	}
	/* the engine has its copy; ours keeps the device if the engine dies */
	lr->port_fd[side] = port.fd;
	lr->attached[side] = 1;
	return 0;
}

void link_detach(struct vnetd *d, struct vnet_network *n, int i, int side)
{
	struct link_rt *lr = &n->links[i];

	if (!lr->attached[side])
		return;
	engine_port_detach(d->engine, lr->id, side);
	link_forget_port(n, i, side);
}

int link_set_state(struct vnetd *d, struct vnet_network *n, int i, int up,
		   struct vnet_err *err)
{
	struct topo_link *l = &n->spec.links[i];
	int rc;

	if (n->links[i].created && (rc = engine_link_state(d->engine, n->links[i].id, up)) < 0)
		return vnet_errf(err, "cannot set link %s/%s %s: %s", n->spec.name,
				 l->name, up ? "up" : "down", strerror(-rc));
	l->down = !up;
	event_add(d, n->spec.name, NULL, "link %s %s", l->name, up ? "up" : "down");
	n->dirty = 1;
	return 0;
}

int link_set_params(struct vnetd *d, struct vnet_network *n, int i,
		    const struct link_params next[2], uint32_t mask, int dirmask,
		    struct vnet_err *err)
{
	struct topo_link *l = &n->spec.links[i];
	int rc;

	if ((mask & LINKP_BIT(LINKP_MTU)) && dirmask != 3)
		return vnet_errc(err, VNET_ERR_INVALID,
				 "mtu applies to both directions of a link; drop dir=");
	if (n->links[i].created &&
	    (rc = engine_link_set(d->engine, n->links[i].id, dirmask, mask, next)) < 0)
		return vnet_errf(err, "cannot change link %s/%s: %s", n->spec.name, l->name,
				 strerror(-rc));
	if (mask & LINKP_BIT(LINKP_MTU)) {
		for (int s = 0; s < 2; s++) {
			int node = l->end[s];
			const struct plan_iface *pi = plan_iface_of(n->plan, node, i);
			struct node_rt *nr = &n->nodes[node];

			if (nr->state == NODE_RUNNING && nr->inst && pi)
				nr->cls->iface_mtu(nr->inst, pi->ifname,
						   next[0].mtu ? next[0].mtu : LINKP_DEFAULT_MTU);
		}
	}
	for (int k = 0; k < 2; k++)
		if (dirmask & (1 << k))
			l->dir[k] = next[k];
	return 0;
}

int link_change(struct vnetd *d, struct vnet_network *n, int i,
		const struct link_params *p, uint32_t mask, int dirmask,
		struct vnet_err *err)
{
	struct topo_link *l = &n->spec.links[i];
	struct link_params next[2] = { l->dir[0], l->dir[1] };

	for (int k = 0; k < 2; k++)
		if (dirmask & (1 << k))
			linkp_apply(&next[k], p, mask);
	if (link_set_params(d, n, i, next, mask, dirmask, err))
		return -1;
	n->dirty = 1;
	return 0;
}

/*
 * A new engine after the old one died: every link again, with the ports
 * vnetd kept, so the devices are the same (no interface of a node goes or
 * flaps, no route moves) and their carrier stays as it is while the other
 * side comes back (ENG_PORT_F_RESUME). A side whose fd vnetd does not have
 * (adopted from an engine without PORT_GET) gets a new interface.
 */
int link_replay_all(struct vnetd *d)
{
	struct vnet_err err;
	int failed = 0;

	for (struct vnet_network *n = d->nets; n; n = n->next) {
		for (int i = 0; i < n->spec.nlinks; i++) {
			struct link_rt *lr = &n->links[i];

			if (!lr->created)
				continue;
			if (link_create(d, n, i, &err)) {
				log_error("%s", err.msg);
				failed++;
				continue;
			}
			for (int s = 0; s < 2; s++) {
				int node = n->spec.links[i].end[s], rc;

				if (lr->attached[s] && lr->port_fd[s] >= 0) {
					struct node_port port = { .kind = 0, .fd = lr->port_fd[s] };

					if ((rc = engine_port_attach(d->engine, lr->id, s, &port,
								     ENG_PORT_F_RESUME)) == 0)
						continue;
					log_error("%s/%s: cannot attach side %d again: %s",
						  n->spec.name, n->spec.links[i].name, s,
						  strerror(-rc));
				}
				link_forget_port(n, i, s);
				if (n->nodes[node].state != NODE_RUNNING)
					continue;
				if (link_attach(d, n, i, s, &err)) {
					log_error("%s", err.msg);
					failed++;
				}
			}
		}
	}
	return failed ? -1 : 0;
}

void link_path_update(struct vnetd *d, struct vnet_network *n, int i)
{
	struct link_rt *lr = &n->links[i];
	const struct topo_link *l = &n->spec.links[i];
	const char *a = n->nodes[l->end[0]].host, *b = n->nodes[l->end[1]].host;

	if (!a[0])
		a = d->host;
	if (!b[0])
		b = d->host;
	snprintf(lr->path[0], sizeof(lr->path[0]), "%s", a);
	lr->npath = 1;
	if (strcmp(a, b)) {
		snprintf(lr->path[1], sizeof(lr->path[1]), "%s", b);
		lr->npath = 2;
	}
}
