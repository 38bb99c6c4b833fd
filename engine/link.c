/*
 * link.c - a link on its worker thread: its two ports, administrative
 * state, carrier, offloads, parameter changes and counters. The ports
 * (port.c) read frames and hand them to the link's directions
 * (direction.c); this file decides what the ports show.
 *
 * Carrier: a port shows carrier only while the link is up and both of its
 * sides are attached; otherwise the routers see NO-CARRIER, as with a
 * cable pulled out.
 *
 * Offloads: with IFF_VNET_HDR and TSO on, the kernel hands the engine 64 KB
 * super-frames, which is where the engine's throughput comes from (12 vs
 * 1 Gbit/s measured). The shaper charges a super-frame its on-wire size and
 * the MTU check looks at its segment size, so rate, delay, jitter, reorder
 * and MTU work on super-frames exactly. Loss, burst loss, duplication and
 * corruption do not: they must hit single segments (a lost super-frame
 * would be 45 lost TCP segments, and a flipped bit in a frame whose
 * checksum the receiver completes would go unnoticed). Rather than
 * re-segmenting in user space, the engine turns offloads off on the
 * direction's ingress port while such an effect is set, so the kernel
 * segments and checksums before handing frames over, and turns them back
 * on when the effect is cleared. Offloads of the other direction stay on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"
#include "log.h"

struct link *link_new(uint64_t id, const char *name, const struct link_params p[2],
		      bool up)
{
	struct link *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->id = id;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->up = up;
	for (int s = 0; s < 2; s++) {
		port_init(&l->port[s], l, s);
		direction_init(&l->dir[s], l, s, &p[s]);
	}
	return l;
}

void link_free(struct link *l)
{
	if (!l)
		return;
	capture_stop(l);
	for (int s = 0; s < 2; s++) {
		port_close(&l->port[s], false);
		direction_flush(&l->dir[s], ENG_DROP_CARRIER);
		direction_set_trace(&l->dir[s], NULL, 0);
	}
	free(l);
}

void link_sync_ports(struct link *l)
{
	bool on = l->up && port_attached(&l->port[0]) && port_attached(&l->port[1]);

	if (on)
		l->resuming = false;
	for (int s = 0; s < 2; s++) {
		if (!l->resuming)
			port_set_carrier(&l->port[s], on);
		port_set_offload(&l->port[s], !model_per_segment(&l->dir[s].p));
	}
}

void link_start(struct link *l, struct worker *w)
{
	l->w = w;
	link_sync_ports(l);
}

void link_stop(struct link *l)
{
	capture_stop(l);
	for (int s = 0; s < 2; s++) {
		port_close(&l->port[s], false);
		direction_flush(&l->dir[s], ENG_DROP_CARRIER);
	}
	l->w = NULL;
}

int link_attach(struct link *l, int side, const struct eng_port *desc, int fd)
{
	struct port *pt = &l->port[side];
	int rc = port_open(pt, desc, fd);

	if (rc == 0)
		log_info("link %s: side %d attached (%s)%s", l->name, side, pt->name,
			 desc->flags & ENG_PORT_F_RESUME ? ", resumed" : "");
	/* a side resumed after a restart of the engine: its carrier is what it
	 * was, leave it so until the other side is back too */
	if (rc == 0 && (desc->flags & ENG_PORT_F_RESUME) && l->up &&
	    !port_attached(&l->port[!side]))
		l->resuming = true;
	link_sync_ports(l);
	return rc;
}

/*
 * A detached port is closed later, on the closing thread (reaper.c): its
 * node is going away, and vnetd's stop of a node need not wait for its
 * TAPs to unregister. A link deleted between running nodes (link_stop)
 * closes inline, because its interface name may be taken again at once in
 * the same namespace (a router restored with its links); so does a side
 * attached again.
 */
int link_detach(struct link *l, int side)
{
	if (l->port[side].cls)
		log_info("link %s: side %d detached (%s)", l->name, side,
			 l->port[side].name);
	port_close(&l->port[side], true);
	l->resuming = false;
	link_sync_ports(l);
	return 0;
}

int link_port_fd(const struct link *l, int side)
{
	const struct port *pt = &l->port[side];
	int fd;

	if (!port_attached(pt))
		return -ENOENT;
	if (pt->fd < 0)
		return -EOPNOTSUPP;
	fd = fcntl(pt->fd, F_DUPFD_CLOEXEC, 3);
	return fd < 0 ? -errno : fd;
}

int link_set(struct link *l, uint8_t dirmask, uint32_t mask,
	     const struct link_params p[2])
{
	struct link_params next[2], old[2];
	uint64_t now;

	/* Check both directions before changing either. */
	for (int s = 0; s < 2; s++) {
		next[s] = old[s] = l->dir[s].p;
		if (dirmask & (1u << s))
			linkp_apply(&next[s], &p[s], mask);
		if (!model_params_valid(&next[s]))
			return -EINVAL;
	}
	now = engine_now();
	for (int s = 0; s < 2; s++) {
		if (!(dirmask & (1u << s)))
			continue;
		l->dir[s].p = next[s];
		direction_params_changed(&l->dir[s], &old[s], now);
	}
	link_sync_ports(l);
	return 0;
}

void link_set_up(struct link *l, bool up)
{
	if (l->up && !up)
		for (int s = 0; s < 2; s++)
			direction_flush(&l->dir[s], ENG_DROP_DOWN);
	l->up = up;
	if (!up)
		l->resuming = false;
	link_sync_ports(l);
}

void link_stats(const struct link *l, struct eng_reply *rep)
{
	for (int s = 0; s < 2; s++) {
		const struct direction *d = &l->dir[s];
		uint64_t b = direction_held_bytes(d);

		rep->stats[s] = d->st;
		rep->stats[s].queue_frames = direction_held_frames(d);
		rep->stats[s].queue_bytes = b > UINT32_MAX ? UINT32_MAX : (uint32_t)b;
		rep->attached[s] = port_attached(&l->port[s]);
		rep->more.capture_frames[s] = d->cap_frames;
		rep->more.capture_dropped[s] = d->cap_dropped;
		rep->more.trace_len[s] = d->trace ? d->trace->n : 0;
	}
	rep->more.capture_dirmask = capture_dirmask(l);
	rep->up = l->up;
}

void link_set_trace(struct link *l, uint8_t dirmask, struct model_trace *tr)
{
	uint64_t now = engine_now();

	for (int s = 0; s < 2; s++)
		if (dirmask & (1u << s))
			direction_set_trace(&l->dir[s], tr, now);
}
