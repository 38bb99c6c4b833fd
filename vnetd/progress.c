/*
 * progress.c - progress of long work, recorded in the progress of the
 * current coroutine (coro_data(): its job's struct progress) and, where the
 * client asked, sent on its connection.
 *
 * A client that wants to see the work advance without polling its job
 * sends the request header `Vnet-Progress: 1`; vnetd then writes, on the
 * request's own connection and before the final response, HTTP/1.1 interim
 * responses:
 *
 *     HTTP/1.1 102 Processing
 *     Vnet-Progress: {"done":37,"total":100,"what":"red/r37 started"}
 *
 * Every HTTP/1.1 client must accept 1xx responses before the final one
 * (RFC 9110, 15.2), so a client that asked and then ignores them still
 * works. libmicrohttpd writes nothing on a connection it holds suspended
 * for a job until the job's final response is queued, which is what makes
 * writing on its socket meanwhile safe. Clients that do not show 1xx
 * responses (curl, Python requests) follow the job instead (GET
 * /v1/jobs/ID).
 *
 * A message is written whole or not at all: a Unix stream socket takes a
 * small send() entirely or fails with EAGAIN, and a client that does not
 * read simply misses messages (at most one per PROGRESS_MIN_MS, the last
 * step always goes out).
 */
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>

#include "coro.h"
#include "sys.h"

#define PROGRESS_MIN_MS 50

static struct progress *current(void)
{
	return coro_data(coro_current());
}

void progress_expect(int total)
{
	struct progress *p = current();

	if (p && !p->total)
		p->total = total;
}

static void send_interim(struct progress *p)
{
	char msg[512];
	int64_t now = now_ms();
	json_t *j;
	char *text;
	int len;

	if (p->fd < 0 || (now - p->last_ms < PROGRESS_MIN_MS && p->done < p->total))
		return;
	j = json_pack("{s:i, s:i, s:s}", "done", p->done, "total",
		      p->total > p->done ? p->total : p->done, "what", p->what);
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

void progress_step(const char *fmt, ...)
{
	struct progress *p = current();
	va_list ap;

	if (!p)
		return;
	p->done++;
	va_start(ap, fmt);
	vsnprintf(p->what, sizeof(p->what), fmt, ap);
	va_end(ap);
	send_interim(p);
	if (p->changed)
		p->changed(p->arg);
	coro_yield_maybe();
}
