/*
 * progress.h - progress of long work (progress.c, docs/api.md "Jobs"): the
 * steps of the work the current coroutine (coro.h) does, which its job
 * (job.c) shows, and, for a client that asked with `Vnet-Progress: 1`,
 * HTTP/1.1 102 interim responses on its connection.
 */
#ifndef VNETD_PROGRESS_H
#define VNETD_PROGRESS_H

#include <stdint.h>

struct progress {
	int fd;			/* the client's connection for 102s, -1 none */
	int done, total;	/* steps of the work so far; total 0 = unknown */
	char what[160];		/* the last step */
	int64_t last_ms;	/* when the last 102 went out */
	void (*changed)(void *arg);	/* called after each step */
	void *arg;
};

/* The number of steps the work will take; the first caller sets it (a
 * whole `vnet up` counts every network's nodes before starting any). */
void progress_expect(int total);
/* One step done, described as printf(fmt, ...); then the coroutine gives
 * the loop back if it has held it long enough. Outside a coroutine
 * (start-up, shutdown) nothing is recorded. */
void progress_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
