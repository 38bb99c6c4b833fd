/*
 * reaper.c - closes TAP descriptors on a thread of their own.
 *
 * Closing the last descriptor of a TAP unregisters its net device, and the
 * kernel waits for RCU grace periods before close() returns: 40 to 55 ms
 * per TAP on these machines, measured with strace -T. A port detached on a
 * worker would hold that worker's links for as long, and vnetd's stop of a
 * network (one detach per link end, answered only when done) would take
 * 100 ms per node. Detaching therefore hands the descriptor to this thread:
 * the port is gone from the worker at once, the device a little later.
 *
 * The queue is a pipe of ints: a write of one int is atomic, and the
 * thread's blocking read needs no lock or condition variable.
 */
#include "reaper.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

static int reaper_pipe[2] = { -1, -1 };
static pthread_t reaper_thread;

static void *reaper_main(void *arg)
{
	int fd;

	(void)arg;
	for (;;) {
		ssize_t r = read(reaper_pipe[0], &fd, sizeof(fd));

		if (r == (ssize_t)sizeof(fd))
			close(fd);
		else if (r == 0 || (r < 0 && errno != EINTR))
			break;		/* reaper_stop() closed the write end */
	}
	return NULL;
}

int reaper_start(void)
{
	int rc;

	if (pipe2(reaper_pipe, O_CLOEXEC) < 0)
		return -errno;
	if ((rc = pthread_create(&reaper_thread, NULL, reaper_main, NULL)) != 0) {
		close(reaper_pipe[0]);
		close(reaper_pipe[1]);
		reaper_pipe[0] = reaper_pipe[1] = -1;
		return -rc;
	}
	return 0;
}

void reaper_close(int fd)
{
	if (fd < 0)
		return;
	if (reaper_pipe[1] < 0 || write(reaper_pipe[1], &fd, sizeof(fd)) != (ssize_t)sizeof(fd))
		close(fd);
}

void reaper_stop(void)
{
	if (reaper_pipe[1] < 0)
		return;
	close(reaper_pipe[1]);
	reaper_pipe[1] = -1;
	pthread_join(reaper_thread, NULL);
	close(reaper_pipe[0]);
	reaper_pipe[0] = -1;
}
