/*
 * engine_client.c - see engine_client.h. Replies that do not carry the seq
 * of the current request (the late answer to a call that timed out) are
 * skipped, so a slow engine never shifts every later answer by one. The
 * request builders below are the only code outside the engine that fills
 * a struct eng_req.
 */
#include "engine_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static atomic_uint engc_seq;

int engc_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, rc;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_req(int fd, const struct eng_req *req, int fd_to_pass)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov = { (void *)req, sizeof(*req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd_to_pass >= 0) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = sizeof(cm.buf);
		cm.h.cmsg_level = SOL_SOCKET;
		cm.h.cmsg_type = SCM_RIGHTS;
		cm.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&cm.h), &fd_to_pass, sizeof(int));
	}
	do
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == sizeof(*req) ? 0 : -EPROTO;
}

/* One reply into rep; a descriptor that comes with it into *fd_in (or is
 * closed when fd_in is NULL). The recv's result. */
static ssize_t recv_reply(int fd, struct eng_reply *rep, int *fd_in)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov = { rep, sizeof(*rep) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
			      .msg_controllen = sizeof(cm.buf) };
	ssize_t n = recvmsg(fd, &msg, MSG_TRUNC | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (n < 0)
		return n;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		int got;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(sizeof(int)))
			continue;
		memcpy(&got, CMSG_DATA(c), sizeof(int));
		if (fd_in && *fd_in < 0)
			*fd_in = got;
		else
			close(got);
	}
	return n;	/* with MSG_TRUNC: the real length, so a long one is refused */
}

int engc_call_full(int fd, struct eng_req *req, int fd_to_pass, struct eng_reply *rep,
		   int *fd_in, int timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	int rc;

	if (fd_in)
		*fd_in = -1;
	if (fd < 0)
		return -ENOTCONN;
	req->h.version = ENG_PROTO_VERSION;
	req->h.seq = atomic_fetch_add(&engc_seq, 1) + 1;
	if ((rc = send_req(fd, req, fd_to_pass)) < 0)
		return rc;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - mono_ms();
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		rc = poll(&p, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -errno;
		if (rc == 0)
			return -ETIMEDOUT;
		n = recv_reply(fd, rep, fd_in);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		if (n != sizeof(*rep) || rep->h.version != ENG_PROTO_VERSION)
			goto proto;
		if (rep->h.seq != req->h.seq) {
			/* late reply to an earlier call: its descriptor is not ours */
			if (fd_in && *fd_in >= 0) {
				close(*fd_in);
				*fd_in = -1;
			}
			continue;
		}
		return rep->status;
	}
proto:
	if (fd_in && *fd_in >= 0) {
		close(*fd_in);
		*fd_in = -1;
	}
	return -EPROTO;
}

int engc_call(int fd, struct eng_req *req, int fd_to_pass, struct eng_reply *rep)
{
	return engc_call_full(fd, req, fd_to_pass, rep, NULL, ENGC_TIMEOUT_MS);
}

/* ---- one function per request ------------------------------------------ */

static void req_init(struct eng_req *req, enum eng_msg_type type, uint64_t id)
{
	memset(req, 0, sizeof(*req));
	req->h.type = (uint16_t)type;
	req->id = id;
}

/* A request whose reply carries nothing but its status. */
static int call_status(int fd, struct eng_req *req, int fd_to_pass)
{
	struct eng_reply rep;

	return engc_call(fd, req, fd_to_pass, &rep);
}

static void stats_of(struct engc_stats *st, const struct eng_reply *rep)
{
	if (!st)
		return;
	memset(st, 0, sizeof(*st));
	for (int d = 0; d < 2; d++) {
		st->dir[d] = rep->stats[d];
		st->capture_frames[d] = rep->more.capture_frames[d];
		st->capture_dropped[d] = rep->more.capture_dropped[d];
		st->trace_len[d] = rep->more.trace_len[d];
		st->attached[d] = rep->attached[d] != 0;
	}
	st->capture_dirmask = rep->more.capture_dirmask;
	st->up = rep->up != 0;
}

int engc_hello(int fd, int32_t *pid, uint32_t *nlinks)
{
	struct eng_req req;
	struct eng_reply rep;
	int rc;

	req_init(&req, ENG_HELLO, 0);
	if ((rc = engc_call(fd, &req, -1, &rep)) < 0)
		return rc;
	if (pid)
		*pid = rep.pid;
	if (nlinks)
		*nlinks = rep.count;
	return 0;
}

int engc_link_add(int fd, uint64_t id, const char *name, const struct link_params p[2],
		  bool up)
{
	struct eng_req req;

	req_init(&req, ENG_LINK_ADD, id);
	req.params[0] = p[0];
	req.params[1] = p[1];
	req.up = up;
	snprintf(req.name, sizeof(req.name), "%s", name ? name : "");
	return call_status(fd, &req, -1);
}

int engc_link_del(int fd, uint64_t id)
{
	struct eng_req req;

	req_init(&req, ENG_LINK_DEL, id);
	return call_status(fd, &req, -1);
}

int engc_port_attach(int fd, uint64_t id, int side, const struct eng_port *desc,
		     int port_fd)
{
	struct eng_req req;

	if (side < 0 || side > 1)
		return -EINVAL;
	req_init(&req, ENG_PORT_ATTACH, id);
	req.side = (uint8_t)side;
	if (desc)
		req.port = *desc;	/* else zero: a TAP */
	return call_status(fd, &req, port_fd);
}

int engc_port_detach(int fd, uint64_t id, int side)
{
	struct eng_req req;

	if (side < 0 || side > 1)
		return -EINVAL;
	req_init(&req, ENG_PORT_DETACH, id);
	req.side = (uint8_t)side;
	return call_status(fd, &req, -1);
}

int engc_link_set(int fd, uint64_t id, uint8_t dirmask, uint32_t mask,
		  const struct link_params p[2])
{
	struct eng_req req;

	req_init(&req, ENG_LINK_SET, id);
	req.dirmask = dirmask;
	req.mask = mask;
	for (int d = 0; d < 2; d++)
		if (dirmask & (1u << d))
			req.params[d] = p[d];
	return call_status(fd, &req, -1);
}

int engc_link_state(int fd, uint64_t id, bool up)
{
	struct eng_req req;

	req_init(&req, ENG_LINK_STATE, id);
	req.up = up;
	return call_status(fd, &req, -1);
}

int engc_link_stats(int fd, uint64_t id, struct engc_stats *st)
{
	struct eng_req req;
	struct eng_reply rep;
	int rc;

	req_init(&req, ENG_LINK_STATS, id);
	if ((rc = engc_call(fd, &req, -1, &rep)) < 0)
		return rc;
	stats_of(st, &rep);
	return 0;
}

int engc_link_list(int fd, uint64_t **ids, size_t *n)
{
	uint64_t *all = NULL;
	size_t cnt = 0;
	int rc;

	for (;;) {
		struct eng_req req;
		struct eng_reply rep;
		uint64_t *more;

		req_init(&req, ENG_LINK_LIST, cnt);	/* the offset */
		if ((rc = engc_call(fd, &req, -1, &rep)) < 0)
			goto fail;
		if (rep.count > ENG_LIST_MAX) {
			rc = -EPROTO;
			goto fail;
		}
		if (rep.count) {
			if (!(more = realloc(all, (cnt + rep.count) * sizeof(*all)))) {
				rc = -ENOMEM;
				goto fail;
			}
			all = more;
			memcpy(all + cnt, rep.ids, rep.count * sizeof(*all));
			cnt += rep.count;
		}
		if (rep.count < ENG_LIST_MAX)
			break;
	}
	*ids = all;
	*n = cnt;
	return 0;
fail:
	free(all);
	return rc;
}

int engc_capture_start(int fd, uint64_t id, uint8_t dirmask, uint32_t count,
		       const char *label, int pipe_fd, struct engc_stats *st)
{
	struct eng_req req;
	struct eng_reply rep;
	int rc;

	req_init(&req, ENG_CAPTURE_START, id);
	req.dirmask = dirmask;
	req.count = count;
	snprintf(req.name, sizeof(req.name), "%s", label ? label : "");
	if ((rc = engc_call(fd, &req, pipe_fd, &rep)) < 0)
		return rc;
	stats_of(st, &rep);
	return 0;
}

int engc_capture_stop(int fd, uint64_t id, struct engc_stats *st)
{
	struct eng_req req;
	struct eng_reply rep;
	int rc;

	req_init(&req, ENG_CAPTURE_STOP, id);
	if ((rc = engc_call(fd, &req, -1, &rep)) < 0)
		return rc;
	stats_of(st, &rep);
	return 0;
}

/* A sealed memfd holding ms[0..n): the engine reads what was checked. */
static int trace_memfd(const uint32_t *ms, size_t n)
{
	size_t len = n * sizeof(*ms), off = 0;
	int fd, rc;

	if (n == 0)
		return -EINVAL;
	if (n > SIZE_MAX / sizeof(*ms))
		return -E2BIG;
	fd = memfd_create("vnet-trace", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w = write(fd, (const char *)ms + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = w < 0 ? -errno : -EIO;
			close(fd);
			return rc;
		}
		off += (size_t)w;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int engc_link_trace(int fd, uint64_t id, uint8_t dirmask, const uint32_t *ms, size_t n)
{
	struct eng_req req;
	int tfd = -1, rc;

	if (fd < 0)
		return -ENOTCONN;
	if (ms && (tfd = trace_memfd(ms, n)) < 0)
		return tfd;
	req_init(&req, ENG_LINK_TRACE, id);
	req.dirmask = dirmask;
	rc = call_status(fd, &req, tfd);
	if (tfd >= 0)
		close(tfd);
	return rc;
}

int engc_shutdown(int fd)
{
	struct eng_req req;

	req_init(&req, ENG_SHUTDOWN, 0);
	return call_status(fd, &req, -1);
}

int engc_ping(int fd, int timeout_ms)
{
	struct eng_req req;
	struct eng_reply rep;

	req_init(&req, ENG_HELLO, 0);
	return engc_call_full(fd, &req, -1, &rep, NULL, timeout_ms);
}

int engc_port_get(int fd, uint64_t id, int side, int *port_fd)
{
	struct eng_req req;
	struct eng_reply rep;
	int got = -1, rc;

	req_init(&req, ENG_PORT_GET, id);
	req.side = (uint8_t)side;
	rc = engc_call_full(fd, &req, -1, &rep, &got, ENGC_TIMEOUT_MS);
	if (rc == 0 && got < 0)
		rc = -EPROTO;
	if (rc < 0) {
		if (got >= 0)
			close(got);
		return rc;
	}
	*port_fd = got;
	return 0;
}
