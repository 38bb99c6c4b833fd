/*
 * worker.h - the worker threads, as the control thread sees them.
 *
 * Each worker owns a set of links (sharded by id) and runs one epoll loop
 * over their ports' fds, one timerfd (absolute CLOCK_MONOTONIC deadlines; the
 * earliest event of all its directions, kept in a heap) and one eventfd on
 * which the control thread posts commands. The command queue is the only
 * shared state and the only lock; worker_call() returns once the worker
 * has executed the command, so the reply to vnetd is sent after the change
 * is in force.
 */
#ifndef VNET_ENGINE_WORKER_H
#define VNET_ENGINE_WORKER_H

#include <stdbool.h>

#include "engine.h"

enum wcmd_type {
	WCMD_ADD,	/* take link (start polling, timers) */
	WCMD_DEL,	/* release link: close its ports, drop held frames */
	WCMD_ATTACH,	/* req->port (with fd) becomes side req->side; on success
			   the port owns fd */
	WCMD_DETACH,
	WCMD_SET,
	WCMD_STATE,
	WCMD_STATS,
	WCMD_STOP,	/* leave the loop */
	WCMD_CAPTURE_START,	/* fd: the capture pipe, owned by the link from then on */
	WCMD_CAPTURE_STOP,
	WCMD_TRACE,	/* trace (NULL: none) for req->dirmask */
	WCMD_PORT_FD,	/* fd = a copy of the fd of req->side's port */
};

struct wcmd {
	enum wcmd_type type;
	struct link *link;
	const struct eng_req *req;
	int fd;
	struct eng_reply *rep;
	struct model_trace *trace;	/* WCMD_TRACE */
	int status;		/* set by the worker: 0 or -errno */
	bool done;
	struct wcmd *next;
};

/* Start worker number idx. Returns NULL and sets *err (-errno) on failure. */
struct worker *worker_start(unsigned idx, int *err);
/* Stop the thread and free the worker (its links must be gone). NULL: no-op. */
void worker_stop(struct worker *w);
/* Run c on w and wait for it. Returns c->status. */
int worker_call(struct worker *w, struct wcmd *c);

#endif
