/*
 * link.c - a link on its worker thread: ports, administrative state,
 * carrier, offloads, parameter changes and counters, and the read loop of
 * a port that feeds the direction it is the ingress of.
 *
 * Carrier: a TAP shows carrier only while the link is up and both of its
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
 * direction's ingress TAP while such an effect is set, so the kernel
 * segments and checksums before handing frames over, and turns them back
 * on when the effect is cleared. Offloads of the other direction stay on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <net/if.h>

#include "engine.h"
#include "log.h"
#include "reaper.h"
#include "tap.h"

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
		l->port[s].link = l;
		l->port[s].side = (uint8_t)s;
		l->port[s].fd = -1;
		l->port[s].carrier = -1;
		l->port[s].offload = -1;
		direction_init(&l->dir[s], l, s, &p[s]);
	}
	return l;
}

/*
 * later: the closing thread closes the TAP (reaper.c), so its device goes
 * away some 50 ms after this returns. Only for a port whose node is going
 * away (PORT_DETACH): a link deleted between running nodes closes inline,
 * because its interface name may be taken again at once in the same
 * namespace (a router restored with its links).
 */
static void port_close(struct port *pt, bool later)
{
	if (pt->fd < 0)
		return;
	if (pt->link->w && !pt->dead)
		worker_epoll_del(pt->link->w, pt);
	if (later)
		reaper_close(pt->fd);
	else
		close(pt->fd);
	pt->fd = -1;
	pt->dead = false;
	pt->carrier = -1;
	pt->offload = -1;
	pt->ifname[0] = 0;
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

static bool port_ok(const struct port *pt)
{
	return pt->fd >= 0 && !pt->dead;
}

/* Make carrier and offloads of both TAPs match the link's state. */
static void link_sync_ports(struct link *l)
{
	int8_t on = l->up && port_ok(&l->port[0]) && port_ok(&l->port[1]);

	for (int s = 0; s < 2; s++) {
		struct port *pt = &l->port[s];
		int8_t off = !model_per_segment(&l->dir[s].p);
		int rc;

		if (!port_ok(pt))
			continue;
		if (pt->carrier != on) {
			if ((rc = tap_set_carrier(pt->fd, on)) < 0)
				log_warn("link %s: carrier %s on %s: %s", l->name,
					 on ? "on" : "off", pt->ifname, strerror(-rc));
			pt->carrier = on;
		}
		if (pt->offload != off) {
			if ((rc = tap_set_offload(pt->fd, off)) < 0)
				log_warn("link %s: offloads %s on %s: %s", l->name,
					 off ? "on" : "off", pt->ifname, strerror(-rc));
			else if (pt->offload != -1 || !off)
				log_info("link %s: offloads %s on %s", l->name,
					 off ? "on" : "off", pt->ifname);
			pt->offload = off;
		}
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

/* Is fd a TAP that speaks our framing? Fills its name. */
static int check_tap(int fd, char ifname[16])
{
	struct ifreq ifr;
	int hdrsz = 0;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return errno == EBADFD ? -ENODEV : -EINVAL;
	if ((ifr.ifr_flags & (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)) !=
	    (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
		return -EINVAL;
	if (ioctl(fd, TUNGETVNETHDRSZ, &hdrsz) < 0 || hdrsz != MODEL_VNET_HDR_LEN)
		return -EINVAL;
	memcpy(ifname, ifr.ifr_name, 16);
	ifname[15] = 0;
	return 0;
}

int link_attach(struct link *l, int side, int fd)
{
	struct port *pt = &l->port[side];
	char ifname[16];
	int rc, fl;

	if ((rc = check_tap(fd, ifname)) < 0)
		return rc;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	port_close(pt, false);	/* re-binding a side replaces its TAP */
	pt->fd = fd;
	memcpy(pt->ifname, ifname, sizeof(ifname));
	if ((rc = worker_epoll_add(l->w, pt)) < 0) {
		pt->fd = -1;	/* the caller closes fd */
		pt->ifname[0] = 0;
		link_sync_ports(l);
		return rc;
	}
	log_info("link %s: side %d attached (%s)", l->name, side, ifname);
	link_sync_ports(l);
	return 0;
}

int link_detach(struct link *l, int side)
{
	if (l->port[side].fd >= 0)
		log_info("link %s: side %d detached (%s)", l->name, side,
			 l->port[side].ifname);
	port_close(&l->port[side], true);
	link_sync_ports(l);
	return 0;
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
		rep->attached[s] = port_ok(&l->port[s]);
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

/* The TAP is gone (its namespace was deleted) or broken: stop polling it
 * and treat the side as detached until vnetd detaches or re-binds it. */
static void port_fail(struct port *pt, const char *why)
{
	struct link *l = pt->link;

	log_warn("link %s: side %d (%s): %s; side treated as detached", l->name,
		 pt->side, pt->ifname, why);
	worker_epoll_del(l->w, pt);
	pt->dead = true;
	link_sync_ports(l);
}

void port_event(struct port *pt, uint32_t events)
{
	struct link *l = pt->link;
	struct direction *d = &l->dir[pt->side];
	uint8_t *buf = worker_rxbuf(l->w);

	if (pt->fd < 0 || pt->dead)
		return;
	for (int i = 0; i < ENGINE_RX_BUDGET; i++) {
		struct model_frame mf;
		ssize_t n = read(pt->fd, buf, ENGINE_RXBUF);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				port_fail(pt, strerror(errno));
			else if (events & (EPOLLERR | EPOLLHUP))
				port_fail(pt, "hangup");
			return;
		}
		if (n >= ENGINE_RXBUF) {
			d->st.rx_frames++;
			d->st.drops[ENG_DROP_MALFORMED]++;
			continue;
		}
		d->st.rx_frames++;
		d->st.rx_bytes += n > MODEL_VNET_HDR_LEN ? n - MODEL_VNET_HDR_LEN : 0;
		switch (model_frame_parse(buf, (size_t)n, d->p.mtu, &mf)) {
		case MODEL_MALFORMED:
			d->st.drops[ENG_DROP_MALFORMED]++;
			continue;
		case MODEL_TOO_BIG:
			d->st.drops[ENG_DROP_MTU]++;
			continue;
		case MODEL_OK:
			break;
		}
		direction_input(d, buf, (size_t)n, &mf);
	}
}
