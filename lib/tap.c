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

/* Steps that need the device's namespace: open the tun fd and an ioctl
 * socket there. Returns 0 or -errno. */
static int open_in_ns(int netns_fd, int *tfd, int *sfd)
{
	int self = -1, rc = 0;

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
	else if ((*sfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		rc = -errno;
	if (self >= 0) {
		if (setns(self, CLONE_NEWNET) < 0 && rc == 0)
			rc = -errno;	/* should not happen; refuse to go on */
		close(self);
	}
	return rc;
}

int tap_open(int netns_fd, const char *ifname, const uint8_t mac[6], unsigned mtu,
	     int *ifindex_out)
{
	struct ifreq ifr;
	int tfd = -1, sfd = -1, hdrsz = TAP_VNET_HDR_LEN, rc;

	if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ)
		return -EINVAL;
	rc = open_in_ns(netns_fd, &tfd, &sfd);
	if (rc < 0)
		goto fail;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(tfd, TUNSETIFF, &ifr) < 0)
		goto fail_errno;
	/* TUNSETIFF may not rename; insist on the exact name. */
	if (strncmp(ifr.ifr_name, ifname, IFNAMSIZ) != 0) {
		rc = -EEXIST;
		goto fail;
	}
	if (ioctl(tfd, TUNSETVNETHDRSZ, &hdrsz) < 0)
		goto fail_errno;
	if (ioctl(tfd, TUNSETOFFLOAD, TAP_OFFLOADS) < 0)
		goto fail_errno;

	if (mac) {
		memset(&ifr.ifr_hwaddr, 0, sizeof(ifr.ifr_hwaddr));
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
	return tfd;

fail_errno:
	rc = -errno;
fail:
	/* Closing the only fd of a non-persistent TAP deletes the device. */
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	return rc;
}
