/*
 * progress.c - progress of long requests, sent to the client while the
 * request is served.
 *
 * vnetd serves a request inside its event loop, so a `vnet up` of a hundred
 * routers holds the loop for a second or more and its final answer comes
 * only at the end. A client that wants to see the work advance sends the
 * request header `Vnet-Progress: 1`; vnetd then writes, on the request's own
 * connection and before the final response, HTTP/1.1 interim responses:
 *
 *     HTTP/1.1 102 Processing
 *     Vnet-Progress: {"done":37,"total":100,"what":"red/r37 started"}
 *
 * Every HTTP/1.1 client must accept 1xx responses before the final one
 * (RFC 9110, 15.2), so a client that asked and then ignores them still
 * works. libmicrohttpd writes nothing on the connection until the handler
 * queues the final response, which is what makes writing on its socket from
 * inside the handler safe.
 *
 * A message is written whole or not at all: a Unix stream socket takes a
 * small send() entirely or fails with EAGAIN, and a client that does not
 * read simply misses messages (at most one per PROGRESS_MIN_MS, the last
 * step always goes out).
 */
#include "progress.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>

#include "vnetd.h"

#define PROGRESS_MIN_MS 50

void progress_begin(struct vnetd *d, int fd)
{
	d->progress = (struct progress){ .fd = fd };
}

void progress_end(struct vnetd *d)
{
	d->progress = (struct progress){ .fd = -1 };
}

void progress_expect(struct vnetd *d, int total)
{
	if (!d->progress.total)
		d->progress.total = total;
}

void progress_step(struct vnetd *d, const char *fmt, ...)
{
	struct progress *p = &d->progress;
	char what[256], msg[512];
	int64_t now = now_ms();
	json_t *j;
	char *text;
	va_list ap;
	int len;

	p->done++;
	if (p->fd < 0 || (now - p->last_ms < PROGRESS_MIN_MS && p->done < p->total))
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	j = json_pack("{s:i, s:i, s:s}", "done", p->done, "total",
		      p->total > p->done ? p->total : p->done, "what", what);
	text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!text)
		return;
	len = snprintf(msg, sizeof(msg), "HTTP/1.1 102 Processing\r\nVnet-Progress: %s\r\n\r\n",
		       text);
	free(text);
	if (len <= 0 || len >= (int)sizeof(msg))
		return;
	if (send(p->fd, msg, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL) == len)
		p->last_ms = now;
}
