/*
 * link.c - virtual links: each is a link in vnet-engine with two ports, the
 * TAP devices of its two ends. A link exists as long as its network does;
 * its ends come and go with their nodes (a missing end means carrier down
 * at the other), and its properties change in place (LINK_SET), keeping
 * the frames the engine has queued.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "log.h"
#include "nl.h"
#include "tap.h"
#include "trace.h"
#include "vnetd.h"

static void req_init(struct eng_req *r, int type, uint64_t id)
{
	memset(r, 0, sizeof(*r));
	r->h.type = type;
	r->id = id;
}

int link_create(struct vnetd *d, struct vnet_network *n, int i, struct vnet_err *err)
{
	struct topo_link *l = &n->spec.links[i];
	struct link_rt *lr = &n->links[i];
	struct eng_req req;
	struct eng_reply rep;
	int rc;

	if (!lr->id)
		lr->id = ++d->next_link_id;
	req_init(&req, ENG_LINK_ADD, lr->id);
	req.params[0] = l->dir[0];
	req.params[1] = l->dir[1];
	req.up = !l->down;
	snprintf(req.name, sizeof(req.name), "%.31s/%.31s", n->spec.name, l->name);
	if ((rc = engine_call(d->engine, &req, -1, &rep)) < 0)
		return vnet_errf(err, "cannot create link %s/%s in vnet-engine: %s",
				 n->spec.name, l->name, strerror(-rc));
	lr->attached[0] = lr->attached[1] = 0;
	lr->created = 1;
	trace_replay(d, n, i);
	return 0;
}

void link_destroy(struct vnetd *d, struct vnet_network *n, int i)
{
	struct link_rt *lr = &n->links[i];
	struct eng_req req;
	struct eng_reply rep;

	if (!lr->created)
		return;
	req_init(&req, ENG_LINK_DEL, lr->id);
	engine_call(d->engine, &req, -1, &rep);
	lr->attached[0] = lr->attached[1] = 0;
	lr->created = 0;
}

static unsigned link_mtu(const struct topo_link *l)
{
	return l->dir[0].mtu ? l->dir[0].mtu : LINKP_DEFAULT_MTU;
}

/* Addresses of the port and, on a host, the default routes through it. */
static int port_configure(struct vnet_network *n, int node, const struct plan_iface *pi,
			  int ifindex, struct vnet_err *err)
{
	const struct plan_node *pn = &n->plan->nodes[node];
	struct nl *nl = nl_open(n->nodes[node].netns_fd);
	char buf[VNET_ADDRSTRLEN];
	int rc = 0;

	if (!nl)
		return vnet_errf(err, "netlink in %s/%s: %s", n->spec.name,
				 n->spec.nodes[node].name, strerror(errno));
	for (int k = 0; k < pi->naddr && rc == 0; k++) {
		rc = nl_addr_add(nl, ifindex, &pi->addr[k]);
		if (rc < 0)
			vnet_errf(err, "cannot add %s to %s in %s/%s: %s",
				  addr_fmt(&pi->addr[k], buf, sizeof(buf), 1), pi->ifname,
				  n->spec.name, n->spec.nodes[node].name, strerror(-rc));
	}
	for (int g = 0; g < pn->ngw && rc == 0; g++) {
		for (int k = 0; k < pi->naddr; k++) {
			struct vnet_addr def = { .family = pn->gw[g].family };

			if (pi->addr[k].family != pn->gw[g].family ||
			    !addr_contains(&pi->addr[k], &pn->gw[g]))
				continue;
			rc = nl_route_add(nl, &def, &pn->gw[g]);
			if (rc < 0)
				vnet_errf(err, "cannot add default route via %s in %s/%s: %s",
					  addr_fmt(&pn->gw[g], buf, sizeof(buf), 0),
					  n->spec.name, n->spec.nodes[node].name, strerror(-rc));
		}
	}
	nl_close(nl);
	return rc < 0 ? -1 : 0;
}

int link_attach(struct vnetd *d, struct vnet_network *n, int i, int side,
		struct vnet_err *err)
{
	struct topo_link *l = &n->spec.links[i];
	struct link_rt *lr = &n->links[i];
	int node = l->end[side];
	const struct plan_iface *pi = plan_iface_of(n->plan, node, i);
	struct eng_req req;
	struct eng_reply rep;
	int fd, ifindex, rc;

	if (!pi)
		return vnet_errf(err, "internal error: no interface for link %s", l->name);
	fd = tap_open(n->nodes[node].netns_fd, pi->ifname, pi->mac, link_mtu(l), &ifindex);
	if (fd < 0)
		return vnet_errf(err, "cannot create %s in %s/%s: %s", pi->ifname,
				 n->spec.name, n->spec.nodes[node].name, strerror(-fd));
	if (port_configure(n, node, pi, ifindex, err))
		goto fail;
	req_init(&req, ENG_PORT_ATTACH, lr->id);
	req.side = side;
	rc = engine_call(d->engine, &req, fd, &rep);
	if (rc < 0) {
		vnet_errf(err, "cannot attach %s of %s/%s to vnet-engine: %s", pi->ifname,
			  n->spec.name, n->spec.nodes[node].name, strerror(-rc));
		goto fail;
	}
	close(fd);
	lr->attached[side] = 1;
	return 0;
fail:
	close(fd);	/* the TAP goes away with its last descriptor */
	return -1;
}

void link_detach(struct vnetd *d, struct vnet_network *n, int i, int side)
{
	struct link_rt *lr = &n->links[i];
	struct eng_req req;
	struct eng_reply rep;

	if (!lr->attached[side])
		return;
	req_init(&req, ENG_PORT_DETACH, lr->id);
	req.side = side;
	engine_call(d->engine, &req, -1, &rep);
	lr->attached[side] = 0;
}

int link_set_state(struct vnetd *d, struct vnet_network *n, int i, int up,
		   struct vnet_err *err)
{
	struct topo_link *l = &n->spec.links[i];
	struct eng_req req;
	struct eng_reply rep;
	int rc;

	req_init(&req, ENG_LINK_STATE, n->links[i].id);
	req.up = up;
	if (n->links[i].created && (rc = engine_call(d->engine, &req, -1, &rep)) < 0)
		return vnet_errf(err, "cannot set link %s/%s %s: %s", n->spec.name,
				 l->name, up ? "up" : "down", strerror(-rc));
	l->down = !up;
	vnetd_event(d, n->spec.name, NULL, "link %s %s", l->name, up ? "up" : "down");
	net_save_record(d, n);
	return 0;
}

int link_set_params(struct vnetd *d, struct vnet_network *n, int i,
		    const struct link_params next[2], uint32_t mask, int dirmask,
		    struct vnet_err *err)
{
	struct topo_link *l = &n->spec.links[i];
	struct eng_req req;
	struct eng_reply rep;
	int rc;

	if ((mask & LINKP_BIT(LINKP_MTU)) && dirmask != 3)
		return vnet_errf(err, "mtu applies to both directions of a link; drop dir=");
	req_init(&req, ENG_LINK_SET, n->links[i].id);
	req.dirmask = dirmask;
	req.mask = mask;
	req.params[0] = next[0];
	req.params[1] = next[1];
	if (n->links[i].created && (rc = engine_call(d->engine, &req, -1, &rep)) < 0)
		return vnet_errf(err, "cannot change link %s/%s: %s", n->spec.name, l->name,
				 strerror(-rc));
	if (mask & LINKP_BIT(LINKP_MTU)) {
		for (int s = 0; s < 2; s++) {
			int node = l->end[s];
			const struct plan_iface *pi = plan_iface_of(n->plan, node, i);
			struct nl *nl;
			int ifindex;

			if (n->nodes[node].state != NODE_RUNNING || !pi)
				continue;
			if (!(nl = nl_open(n->nodes[node].netns_fd)))
				continue;
			ifindex = nl_ifindex(nl, pi->ifname);
			if (ifindex > 0)
				nl_link_set_mtu(nl, ifindex, next[0].mtu ? next[0].mtu
								: LINKP_DEFAULT_MTU);
			nl_close(nl);
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
	net_save_record(d, n);
	return 0;
}

int link_replay_all(struct vnetd *d)
{
	struct vnet_err err;
	int failed = 0;

	for (struct vnet_network *n = d->nets; n; n = n->next) {
		for (int i = 0; i < n->spec.nlinks; i++) {
			if (!n->links[i].created)
				continue;
			n->links[i].attached[0] = n->links[i].attached[1] = 0;
			if (link_create(d, n, i, &err)) {
				log_error("%s", err.msg);
				failed++;
				continue;
			}
			for (int s = 0; s < 2; s++) {
				int node = n->spec.links[i].end[s];

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
