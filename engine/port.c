/*
 * port.c - one end of a link, whatever its kind: the table of kinds, the
 * attach and release of a port, its carrier and offloads as last set, and
 * the read loop that hands the frames of a readable port to the direction
 * it is the ingress of. What differs between kinds sits behind struct
 * port_class (engine.h): the TAP in port_tap.c. A kind of ENG_PORT_KINDS
 * without a class here is answered -EOPNOTSUPP.
 *
 * Everything here runs on the link's worker, except port_check, which the
 * control thread calls before it posts an attach.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "engine.h"
#include "log.h"

static const struct port_class *const classes[ENG_PORT__COUNT] = {
	[ENG_PORT_TAP] = &port_tap_class,
	/* ENG_PORT_VXLAN, ENG_PORT_QEMU_SOCKET: not yet */
};

int port_check(const struct eng_port *desc)
{
	if (desc->kind >= ENG_PORT__COUNT || !classes[desc->kind] ||
	    (desc->flags & ~ENG_PORT_F_RESUME))
		return -EOPNOTSUPP;
	for (size_t i = 0; i < sizeof(desc->reserved); i++)
		if (desc->reserved[i])
			return -EINVAL;
	return 0;
}

void port_init(struct port *pt, struct link *l, int side)
{
	memset(pt, 0, sizeof(*pt));
	pt->link = l;
	pt->side = (uint8_t)side;
	pt->fd = -1;
	pt->carrier = -1;
	pt->offload = -1;
}

void port_close(struct port *pt, bool later)
{
	if (!pt->cls)
		return;
	if (pt->fd >= 0 && !pt->dead && pt->link->w)
		worker_epoll_del(pt->link->w, pt);
	pt->cls->close(pt, later);
	port_init(pt, pt->link, pt->side);
}

/*
 * The new port is made aside and moved into place only once its class
 * accepted it, so a bad request leaves the side as it was; re-attaching a
 * side replaces its port.
 */
int port_open(struct port *pt, const struct eng_port *desc, int fd)
{
	const struct port_class *cls;
	struct port next;
	int rc;

	if ((rc = port_check(desc)) < 0)
		return rc;
	cls = classes[desc->kind];
	port_init(&next, pt->link, pt->side);
	if ((rc = cls->open(&next, desc, fd)) < 0)
		return rc;
	next.cls = cls;
	port_close(pt, false);
	*pt = next;
	if (pt->fd >= 0 && (rc = worker_epoll_add(pt->link->w, pt)) < 0) {
		if (pt->fd == fd)
			pt->fd = -1;	/* the caller's still */
		port_close(pt, false);
		return rc;
	}
	return 0;
}

void port_set_carrier(struct port *pt, bool on)
{
	int rc;

	if (!port_attached(pt) || pt->carrier == on)
		return;
	if (pt->cls->set_carrier && (rc = pt->cls->set_carrier(pt, on)) < 0)
		log_warn("link %s: carrier %s on %s: %s", pt->link->name, on ? "on" : "off",
			 pt->name, strerror(-rc));
	pt->carrier = on;
}

void port_set_offload(struct port *pt, bool on)
{
	int rc;

	if (!port_attached(pt) || pt->offload == on)
		return;
	if (pt->cls->set_offload) {
		if ((rc = pt->cls->set_offload(pt, on)) < 0)
			log_warn("link %s: offloads %s on %s: %s", pt->link->name,
				 on ? "on" : "off", pt->name, strerror(-rc));
		else if (pt->offload != -1 || !on)
			log_info("link %s: offloads %s on %s", pt->link->name,
				 on ? "on" : "off", pt->name);
	}
	pt->offload = on;
}

/* The device is gone (its namespace was deleted) or broken: stop polling
 * it and treat the side as detached until vnetd detaches or re-binds it. */
static void port_fail(struct port *pt, const char *why)
{
	struct link *l = pt->link;

	log_warn("link %s: side %d (%s): %s; side treated as detached", l->name,
		 pt->side, pt->name, why);
	if (pt->fd >= 0)
		worker_epoll_del(l->w, pt);
	pt->dead = true;
	link_sync_ports(l);
}

void port_event(struct port *pt, uint32_t events)
{
	struct link *l = pt->link;
	struct direction *d = &l->dir[pt->side];
	uint8_t *buf = worker_rxbuf(l->w);

	if (!port_attached(pt))
		return;
	for (int i = 0; i < ENGINE_RX_BUDGET; i++) {
		struct model_frame mf;
		ssize_t n = pt->cls->recv(pt, buf, ENGINE_RXBUF);

		if (n < 0) {
			if (n == -EINTR)
				continue;
			if (n != -EAGAIN)
				port_fail(pt, strerror((int)-n));
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
