/*
 * progress.h - progress of long requests as HTTP/1.1 102 interim responses
 * (progress.c, docs/api.md "Progress").
 */
#ifndef VNETD_PROGRESS_H
#define VNETD_PROGRESS_H

#include <stdint.h>

struct vnetd;

struct progress {
	int fd;			/* the client's connection, -1 when it did not ask */
	int done, total;	/* steps of the request so far; total 0 = unknown */
	int64_t last_ms;	/* when the last message went out */
};

/* Around one request: fd is its connection, or -1. */
void progress_begin(struct vnetd *d, int fd);
void progress_end(struct vnetd *d);
/* The number of steps the request will take; the first caller sets it (a
 * whole `vnet up` counts every network's nodes before starting any). */
void progress_expect(struct vnetd *d, int total);
/* One step done, described as printf(fmt, ...). */
void progress_step(struct vnetd *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
