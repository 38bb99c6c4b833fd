/*
 * watch.h - processes vnetd must hear of when they end but that are not its
 * children (an engine or a BIRD adopted from an earlier vnetd): a pidfd
 * each, in the daemon's epoll set. Their ends are reported like a child's,
 * with status -1.
 */
#ifndef VNETD_WATCH_H
#define VNETD_WATCH_H

#include <sys/types.h>

#include "vnetd.h"

/* Watch pid; 0 or -errno. */
int watch_pid(struct vnetd *d, pid_t pid);
/* fd from the epoll set: if it is a watch's, forget the watch and return
 * its pid (the process ended), else 0. */
pid_t watch_fired(struct vnetd *d, int fd);
void watch_free_all(struct vnetd *d);

#endif
