/*
 * tap.h - TAP devices for the ends of virtual links.
 *
 * A port of a virtual link is a TAP interface inside a router's network
 * namespace. vnetd (and the engine's test tool) create it here and hand the
 * file descriptor to vnet-engine, which reads and writes whole Ethernet
 * frames on it. Every TAP is opened with IFF_VNET_HDR and offloads
 * (checksum, TSO4, TSO6), so the engine moves 64 KB super-frames instead of
 * MTU-sized ones: each frame is preceded by a 10-byte struct virtio_net_hdr.
 */
#ifndef VNET_TAP_H
#define VNET_TAP_H

#include <stdint.h>

/* Size of the struct virtio_net_hdr before every frame. */
#define TAP_VNET_HDR_LEN 10
/* Most queues tap_open_queues makes. */
#define TAP_MAX_QUEUES 16

/*
 * Create TAP `ifname` in the network namespace netns_fd (-1: the caller's),
 * with IFF_TAP|IFF_NO_PI|IFF_VNET_HDR, offloads on, MAC `mac`, MTU `mtu`,
 * administratively up. The calling thread's namespace is restored before
 * returning, also on failure. The fd is O_NONBLOCK|O_CLOEXEC; the interface
 * disappears when its last fd is closed. Stores the ifindex in *ifindex_out
 * when non-NULL. Returns the fd or -errno.
 */
int tap_open(int netns_fd, const char *ifname, const uint8_t mac[6], unsigned mtu,
	     int *ifindex_out);
/*
 * Create TAP `ifname` in netns_fd with nq queues (1..TAP_MAX_QUEUES; more
 * than one makes it IFF_MULTI_QUEUE), flags and offloads as tap_open, up,
 * with the kernel's MAC and MTU. The kernel spreads the frames it sends
 * over the queues by flow, both directions of a flow on the same queue.
 * Stores one fd per queue in fds[0..nq-1]. Returns 0 or -errno (nothing
 * left open).
 */
int tap_open_queues(int netns_fd, const char *ifname, unsigned nq, int fds[]);
/* Carrier on/off (TUNSETCARRIER). Returns 0 or -errno. */
int tap_set_carrier(int fd, int on);
/* Offloads (checksum, TSO4, TSO6) on, or all off so that the kernel hands
 * over only MTU-sized frames with complete checksums. Returns 0 or -errno. */
int tap_set_offload(int fd, int on);

#endif
