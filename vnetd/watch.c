/*
 * watch.c - see watch.h.
 */
#include "watch.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

struct pidwatch {
	pid_t pid;
	int fd;
	struct pidwatch *next;
};

int watch_pid(struct vnetd *d, pid_t pid)
{
	struct pidwatch *w = calloc(1, sizeof(*w));
	struct epoll_event ev;

	if (!w)
		return -ENOMEM;
	w->pid = pid;
	w->fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (w->fd < 0) {
		free(w);
		return -errno;
	}
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = w->fd };
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, w->fd, &ev);
	w->next = d->watches;
	d->watches = w;
	return 0;
}

pid_t watch_fired(struct vnetd *d, int fd)
{
	for (struct pidwatch **pp = &d->watches; *pp; pp = &(*pp)->next) {
		struct pidwatch *w = *pp;
		pid_t pid = w->pid;

		if (w->fd != fd)
			continue;
		*pp = w->next;
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, w->fd, NULL);
		close(w->fd);
		free(w);
		return pid;
	}
	return 0;
}

void watch_free_all(struct vnetd *d)
{
	while (d->watches) {
		struct pidwatch *w = d->watches;

		d->watches = w->next;
		close(w->fd);
		free(w);
	}
}
