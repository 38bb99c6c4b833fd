/*
 * tap.c - see tap.h. The TAP is created from inside the target namespace:
 * /dev/net/tun and the ioctl socket are opened after setns(), so the device
 * and the socket belong to that namespace; both keep it after the thread
 * switches back.
 */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>

#define TAP_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)

int tap_set_carrier(int fd, int on)
{
	int v = !!on;

	return ioctl(fd, TUNSETCARRIER, &v) < 0 ? -errno : 0;
}

int tap_set_offload(int fd, int on)
{
	return ioctl(fd, TUNSETOFFLOAD, on ? TAP_OFFLOADS : 0) < 0 ? -errno : 0;
}

/* Steps that need the device's namespace: open the tun fd and, when sfd is
 * not NULL, an ioctl socket there. Returns 0, or -errno with nothing left
 * open. */
static int open_in_ns(int netns_fd, int *tfd, int *sfd)
{
	int self = -1, rc = 0;

	*tfd = -1;
	if (netns_fd >= 0) {
		self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0)
			return -errno;
		if (setns(netns_fd, CLONE_NEWNET) < 0) {
			rc = -errno;
			close(self);
			return rc;
		}
	}
	*tfd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (*tfd < 0)
		rc = -errno;
	else if (sfd && (*sfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		rc = -errno;
	if (self >= 0) {
		if (setns(self, CLONE_NEWNET) < 0 && rc == 0)
			rc = -errno;	/* should not happen; refuse to go on */
		close(self);
	}
	if (rc < 0) {
		if (sfd && *sfd >= 0) {
			close(*sfd);
			*sfd = -1;
		}
		if (*tfd >= 0)
			close(*tfd);
		*tfd = -1;
	}
	return rc;
}

/*
 * Create TAP `ifname` with nq queues (IFF_MULTI_QUEUE when nq > 1), one fd
 * per queue in fds[], offloads on, MAC/MTU when given, up. On failure every
 * fd opened is closed, which deletes the device.
 */
static int tap_make(int netns_fd, const char *ifname, unsigned nq, int fds[],
		    const uint8_t mac[6], unsigned mtu, int *ifindex_out)
{
	struct ifreq ifr;
	int sfd = -1, hdrsz = TAP_VNET_HDR_LEN, rc;
	unsigned q, opened = 0;

	if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ || nq < 1 ||
	    nq > TAP_MAX_QUEUES)
		return -EINVAL;
	for (q = 0; q < nq; q++) {
		int *sp = q == 0 ? &sfd : NULL;

		if ((rc = open_in_ns(netns_fd, &fds[q], sp)) < 0)
			goto fail;
		opened = q + 1;
		memset(&ifr, 0, sizeof(ifr));
		memcpy(ifr.ifr_name, ifname, strlen(ifname));
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
		if (nq > 1)
			ifr.ifr_flags |= IFF_MULTI_QUEUE;
		/* Each later queue joins the device the first one made. */
		if (ioctl(fds[q], TUNSETIFF, &ifr) < 0)
			goto fail_errno;
		/* TUNSETIFF may not rename; insist on the exact name. */
		if (strncmp(ifr.ifr_name, ifname, IFNAMSIZ) != 0) {
			rc = -EEXIST;
			goto fail;
		}
		if (ioctl(fds[q], TUNSETVNETHDRSZ, &hdrsz) < 0)
			goto fail_errno;
	}
	if (ioctl(fds[0], TUNSETOFFLOAD, TAP_OFFLOADS) < 0)
		goto fail_errno;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (mac) {
		ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
		memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
		if (ioctl(sfd, SIOCSIFHWADDR, &ifr) < 0)
			goto fail_errno;
	}
	if (mtu) {
		ifr.ifr_mtu = (int)mtu;
		if (ioctl(sfd, SIOCSIFMTU, &ifr) < 0)
			goto fail_errno;
	}
	if (ioctl(sfd, SIOCGIFFLAGS, &ifr) < 0)
		goto fail_errno;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sfd, SIOCSIFFLAGS, &ifr) < 0)
		goto fail_errno;
	if (ifindex_out) {
		if (ioctl(sfd, SIOCGIFINDEX, &ifr) < 0)
			goto fail_errno;
		*ifindex_out = ifr.ifr_ifindex;
	}
	close(sfd);
	return 0;

fail_errno:
	rc = -errno;
fail:
	/* Closing the last fd of a non-persistent TAP deletes the device. */
	if (sfd >= 0)
		close(sfd);
	for (q = 0; q < opened; q++)
		close(fds[q]);
	return rc;
}

int tap_open(int netns_fd, const char *ifname, const uint8_t mac[6], unsigned mtu,
	     int *ifindex_out)
{
	int fd = -1, rc = tap_make(netns_fd, ifname, 1, &fd, mac, mtu, ifindex_out);

	return rc < 0 ? rc : fd;
}

int tap_open_queues(int netns_fd, const char *ifname, unsigned nq, int fds[])
{
	return tap_make(netns_fd, ifname, nq, fds, NULL, 0, NULL);
}
