/*
 * port_tap.c - the TAP port: a TAP device in a router's network namespace,
 * made by vnetd (lib/tap.c) and handed over as a file descriptor. It must
 * speak the engine's framing (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR: a 10-byte
 * virtio_net_hdr before each frame), so frames go to and from the fd as
 * they are: one read and one write per frame, no copy. Carrier is
 * TUNSETCARRIER, offloads TUNSETOFFLOAD (lib/tap.c).
 *
 * The port owns the descriptor the engine received and closes it when the
 * port goes. A TAP whose last descriptor closes unregisters its device,
 * which takes the kernel some 50 ms (see reaper.c); a TAP of which vnetd
 * kept a copy of the descriptor outlives the engine's close, and can be
 * attached again, to this engine or to a restarted one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <net/if.h>

#include "engine.h"
#include "reaper.h"
#include "tap.h"

static int port_tap_open(struct port *pt, const struct eng_port *desc, int fd)
{
	struct eng_port tap = { .kind = ENG_PORT_TAP, .flags = desc->flags };
	struct ifreq ifr;
	int hdrsz = 0, fl;

	/* a TAP has no addresses, port or VNI; the flags are the link's */
	if (memcmp(desc, &tap, sizeof(tap)) != 0)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return errno == EBADFD ? -ENODEV : -EINVAL;
	if ((ifr.ifr_flags & (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)) !=
	    (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
		return -EINVAL;
	if (ioctl(fd, TUNGETVNETHDRSZ, &hdrsz) < 0 || hdrsz != MODEL_VNET_HDR_LEN)
		return -EINVAL;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	ifr.ifr_name[IFNAMSIZ - 1] = 0;
	pt->fd = fd;
	snprintf(pt->name, sizeof(pt->name), "tap %s", ifr.ifr_name);
	return 0;
}

static ssize_t port_tap_recv(struct port *pt, uint8_t *buf, size_t size)
{
	ssize_t n = read(pt->fd, buf, size);

	return n < 0 ? -errno : n;
}

static int port_tap_send(struct port *pt, const uint8_t *buf, size_t n)
{
	ssize_t w;

	do
		w = write(pt->fd, buf, n);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	return (size_t)w == n ? 0 : -EIO;
}

static int port_tap_set_carrier(struct port *pt, bool on)
{
	return tap_set_carrier(pt->fd, on);
}

static int port_tap_set_offload(struct port *pt, bool on)
{
	return tap_set_offload(pt->fd, on);
}

static void port_tap_close(struct port *pt, bool later)
{
	if (pt->fd < 0)
		return;
	if (later)
		reaper_close(pt->fd);
	else
		close(pt->fd);
	pt->fd = -1;
}

const struct port_class port_tap_class = {
	.kind = ENG_PORT_TAP,
	.open = port_tap_open,
	.recv = port_tap_recv,
	.send = port_tap_send,
	.set_carrier = port_tap_set_carrier,
	.set_offload = port_tap_set_offload,
	.close = port_tap_close,
};
