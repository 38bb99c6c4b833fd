/*
 * capture.c - the capture stream of a link (see capture.h).
 *
 * vnetd makes a pipe, hands its write end to vnet-engine
 * (ENG_CAPTURE_START), and answers the HTTP request with a response of
 * unknown length (chunked) whose content reader reads the pipe's read end,
 * non-blocking. The engine writes the pcapng blocks from its worker and
 * never waits (a full pipe costs a frame, counted as capture_dropped).
 *
 * libmicrohttpd runs in vnetd's loop (external epoll). Its content reader
 * may not block, and returning 0 bytes would only make it ask again, so
 * when the pipe is empty the reader suspends the connection
 * (MHD_suspend_connection) and arms two one-shot watches in vnetd's epoll
 * set: the pipe (data, or EOF when the engine ends the capture) and the
 * client's socket (EPOLLRDHUP: a suspended connection does not notice its
 * client going away). Either resumes the connection; the reader then
 * returns data, the end of the stream (EOF: count reached, link removed)
 * or an error (the client went away). When libmicrohttpd is done with the
 * response, its free callback stops the engine's capture, closes the pipe
 * and records an event with the frame counts.
 */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "engine.h"
#include "event.h"
#include "log.h"

#define CAPTURE_PIPE_SIZE (1 << 20)	/* absorbs bursts while the client reads */
#define CAPTURE_BLOCK (32 * 1024)

struct capture {
	struct vnetd *d;
	struct MHD_Connection *conn;
	uint64_t link_id;
	char net[VNET_NAME_MAX];
	char link[VNET_LINK_NAME_MAX];
	int rfd;		/* read end of the pipe */
	int sock;		/* the client's socket, -1 once not watched */
	int suspended;
	int gone;		/* the client hung up */
	int ending;		/* vnetd stops: end at the first empty pipe */
	uint64_t frames0[2], dropped0[2];	/* engine counters at the start */
	struct capture *next;
};

static void watch(struct capture *c, int fd, uint32_t events, int op)
{
	struct epoll_event ev = { .events = events | EPOLLONESHOT, .data.fd = fd };

	if (epoll_ctl(c->d->epfd, op, fd, &ev) < 0 && op != EPOLL_CTL_DEL)
		log_warn("capture of %s/%s: epoll: %s", c->net, c->link, strerror(errno));
}

static void unwatch_sock(struct capture *c)
{
	if (c->sock < 0)
		return;
	epoll_ctl(c->d->epfd, EPOLL_CTL_DEL, c->sock, NULL);
	c->sock = -1;
}

static ssize_t capture_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct capture *c = cls;
	ssize_t r;

	(void)pos;
	if (c->gone) {
		unwatch_sock(c);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	do
		r = read(c->rfd, buf, max);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		return r;
	if (r < 0 && errno == EAGAIN && c->ending) {
		unwatch_sock(c);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	if (r < 0 && errno == EAGAIN) {
		/* nothing yet: wait for the pipe or the client, in our loop */
		MHD_suspend_connection(c->conn);
		c->suspended = 1;
		watch(c, c->rfd, EPOLLIN, EPOLL_CTL_MOD);
		if (c->sock >= 0)
			watch(c, c->sock, EPOLLRDHUP, EPOLL_CTL_MOD);
		return 0;
	}
	unwatch_sock(c);
	return r == 0 ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
}

/* libmicrohttpd is done with the response: end the capture. */
static void capture_free(void *cls)
{
	struct capture *c = cls;
	struct vnetd *d = c->d;
	struct engc_stats rep;

	for (struct capture **pp = &d->captures; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	unwatch_sock(c);
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->rfd, NULL);
	close(c->rfd);
	if (engine_capture_stop(d->engine, c->link_id, &rep) == 0) {
		uint64_t f = 0, dr = 0;

		for (int k = 0; k < 2; k++) {
			f += rep.capture_frames[k] - c->frames0[k];
			dr += rep.capture_dropped[k] - c->dropped0[k];
		}
		if (dr)
			event_add(d, c->net, NULL, "capture of link %s ended%s: %llu frames, "
				    "%llu left out (the client read too slowly)", c->link,
				    c->gone ? " (client gone)" : "", (unsigned long long)f,
				    (unsigned long long)dr);
		else
			event_add(d, c->net, NULL, "capture of link %s ended%s: %llu frames",
				    c->link, c->gone ? " (client gone)" : "",
				    (unsigned long long)f);
	}
	free(c);
}

int capture_event(struct vnetd *d, int fd)
{
	for (struct capture *c = d->captures; c; c = c->next) {
		if (fd != c->rfd && fd != c->sock)
			continue;
		if (fd == c->sock)
			c->gone = 1;
		if (c->suspended) {
			c->suspended = 0;
			MHD_resume_connection(c->conn);
		}
		return 1;
	}
	return 0;
}

void capture_end_all(struct vnetd *d, struct MHD_Daemon *mhd)
{
	for (struct capture *c = d->captures; c; c = c->next) {
		c->ending = 1;
		if (c->suspended) {
			c->suspended = 0;
			MHD_resume_connection(c->conn);
		}
	}
	/* Let the streams end properly (what the pipes hold, then the last
	 * chunk) for at most 200 ms; libmicrohttpd closes the rest. */
	for (int i = 0; d->captures && mhd && i < 100; i++) {
		MHD_run(mhd);
		if (d->captures)
			usleep(2000);
	}
}

int capture_serve(struct vnetd *d, struct MHD_Connection *conn, struct vnet_network *n,
		  int link, int dirmask, uint32_t count, struct vnet_err *err)
{
	const struct topo_link *l = &n->spec.links[link];
	const union MHD_ConnectionInfo *ci;
	struct engc_stats rep;
	struct MHD_Response *resp;
	char label[64];
	struct capture *c;
	int p[2], rc;

	if (!n->links[link].created) {
		vnet_errc(err, VNET_ERR_CONFLICT, "link %s/%s is not running: start network %s "
			  "first", n->spec.name, l->name, n->spec.name);
		return -ENOTCONN;
	}
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		rc = -errno;
		vnet_errf(err, "pipe: %s", strerror(-rc));
		return rc;
	}
	if (fcntl(p[1], F_SETPIPE_SZ, CAPTURE_PIPE_SIZE) < 0)
		log_debug("capture: F_SETPIPE_SZ: %s", strerror(errno));
	snprintf(label, sizeof(label), "%s>%s", n->spec.nodes[l->end[0]].name,
		 n->spec.nodes[l->end[1]].name);
	rc = engine_capture_start(d->engine, n->links[link].id, dirmask, count, label, p[1], &rep);
	close(p[1]);		/* the engine's copy is the only writer now */
	if (rc < 0) {
		close(p[0]);
		if (rc == -EBUSY)
			vnet_errc(err, VNET_ERR_CONFLICT, "link %s/%s is being captured already",
				  n->spec.name, l->name);
		else if (rc == -EOPNOTSUPP)
			vnet_errf(err, "the running vnet-engine cannot capture (an older "
				  "version): restart it");
		else
			vnet_errf(err, "cannot capture link %s/%s: vnet-engine: %s",
				  n->spec.name, l->name, strerror(-rc));
		return rc;
	}
	if (!(c = calloc(1, sizeof(*c)))) {
		engine_capture_stop(d->engine, n->links[link].id, &rep);
		close(p[0]);
		vnet_errf(err, "out of memory");
		return -ENOMEM;
	}
	c->d = d;
	c->conn = conn;
	c->link_id = n->links[link].id;
	snprintf(c->net, sizeof(c->net), "%s", n->spec.name);
	snprintf(c->link, sizeof(c->link), "%s", l->name);
	c->rfd = p[0];
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	c->sock = ci ? ci->connect_fd : -1;
	for (int k = 0; k < 2; k++) {
		c->frames0[k] = rep.capture_frames[k];
		c->dropped0[k] = rep.capture_dropped[k];
	}
	/* both watches start disarmed-after-one-shot: armed when suspending */
	watch(c, c->rfd, EPOLLIN, EPOLL_CTL_ADD);
	if (c->sock >= 0)
		watch(c, c->sock, EPOLLRDHUP, EPOLL_CTL_ADD);
	c->next = d->captures;
	d->captures = c;

	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, CAPTURE_BLOCK,
						 capture_read, c, capture_free);
	if (!resp) {
		capture_free(c);
		vnet_errf(err, "cannot create the HTTP response");
		return -ENOMEM;
	}
	MHD_add_response_header(resp, "Content-Type", "application/x-pcapng");
	rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);	/* frees c through capture_free if not queued */
	if (rc != MHD_YES) {
		vnet_errf(err, "cannot queue the HTTP response");
		return -EIO;
	}
	if (dirmask == 3)
		snprintf(label, sizeof(label), "both directions");
	else if (dirmask == 2)
		snprintf(label, sizeof(label), "%s>%s", n->spec.nodes[l->end[1]].name,
			 n->spec.nodes[l->end[0]].name);
	if (count)
		event_add(d, n->spec.name, NULL, "capture of link %s started (%s, %u frames)",
			    l->name, label, count);
	else
		event_add(d, n->spec.name, NULL, "capture of link %s started (%s)", l->name,
			    label);
	return 0;
}
