/*
 * capture.h - `GET /v1/links/LINK/capture`: the pcapng stream of what a
 * link delivers, from vnet-engine's capture pipe to the HTTP client, inside
 * vnetd's single event loop (libmicrohttpd suspend/resume, the pipe in the
 * daemon's epoll set).
 */
#ifndef VNETD_CAPTURE_H
#define VNETD_CAPTURE_H

#include <stdint.h>

#include <microhttpd.h>

#include "vnetd.h"

/*
 * Start capturing link `link` of n in the directions of dirmask, count
 * frames (0: until the client goes away), and queue the streaming response
 * on conn. Returns 0 when the response is queued; otherwise -errno with
 * err: -ENOTCONN the link is not running, -EBUSY it is being captured
 * already, other values a failure of the machine.
 */
int capture_serve(struct vnetd *d, struct MHD_Connection *conn, struct vnet_network *n,
		  int link, int dirmask, uint32_t count, struct vnet_err *err);
/* fd from vnetd's epoll set: if it is a capture's pipe or client socket,
 * handle it and return 1; else 0. */
int capture_event(struct vnetd *d, int fd);
/* vnetd stops: end every capture stream after what its pipe holds, giving
 * mhd up to 200 ms to send it; none stays suspended (libmicrohttpd must not
 * be stopped with suspended connections). */
void capture_end_all(struct vnetd *d, struct MHD_Daemon *mhd);

#endif
