/*
 * ctl.c - see ctl.h. Every request is checked here for what needs no
 * link state (sizes, version, ranges, existence of the id); the rest is
 * checked by the worker before anything changes.
 */
#include "ctl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine.h"
#include "log.h"
#include "worker.h"

int ctl_listen(struct ctl *c, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	c->path = path;
	c->lfd = c->cfd = c->sigfd = c->epfd = -1;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			rc = -EEXIST;
			goto fail;
		}
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			rc = -EADDRINUSE;	/* a live engine owns it */
			goto fail;
		}
		close(fd);
		unlink(path);
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 8) < 0) {
		rc = -errno;
		goto fail;
	}
	chmod(path, 0600);
	c->lfd = fd;
	return 0;
fail:
	close(fd);
	return rc;
}

/* ---- link table ---------------------------------------------------------- */

/* Index of id, or of where it would go (*found = false). */
static size_t find_idx(const struct ctl *c, uint64_t id, bool *found)
{
	size_t lo = 0, hi = c->nlinks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->links[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < c->nlinks && c->links[lo]->id == id;
	return lo;
}

static struct link *find(const struct ctl *c, uint64_t id)
{
	bool found;
	size_t i = find_idx(c, id, &found);

	return found ? c->links[i] : NULL;
}

static struct worker *worker_of(const struct ctl *c, uint64_t id)
{
	return c->workers[id % c->nworkers];
}

static int call(struct ctl *c, enum wcmd_type type, struct link *l,
		const struct eng_req *req, int fd, struct eng_reply *rep)
{
	struct wcmd cmd = { .type = type, .link = l, .req = req, .fd = fd, .rep = rep };

	return worker_call(worker_of(c, l->id), &cmd);
}

/* PORT_GET: a copy of the port's fd, to go with the reply. */
static int req_port_get(struct ctl *c, struct link *l, const struct eng_req *req, int *out)
{
	struct wcmd cmd = { .type = WCMD_PORT_FD, .link = l, .req = req, .fd = -1 };
	int rc;

	if (req->side > 1)
		return -EINVAL;
	if ((rc = worker_call(worker_of(c, l->id), &cmd)) == 0)
		*out = cmd.fd;
	return rc;
}

/* ---- requests -------------------------------------------------------------- */

static void log_params(const struct link *l, const struct eng_req *req)
{
	for (int d = 0; d < 2; d++) {
		char line[768];

		if (!(req->dirmask & (1u << d)))
			continue;
		if (!linkp_fmt_list(line, sizeof(line), &req->params[d], req->mask))
			snprintf(line, sizeof(line), "nothing");
		log_info("link %s: direction %d set: %s", l->name, d, line);
	}
}

static int req_link_add(struct ctl *c, const struct eng_req *req)
{
	struct link **links, *l;
	char name[sizeof(req->name) + 1];
	bool found;
	size_t i = find_idx(c, req->id, &found);
	int rc;

	if (found)
		return -EEXIST;
	if (!model_params_valid(&req->params[0]) || !model_params_valid(&req->params[1]))
		return -EINVAL;
	if (c->nlinks == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;

		if (!(links = realloc(c->links, cap * sizeof(*links))))
			return -ENOMEM;
		c->links = links;
		c->cap = cap;
	}
	memcpy(name, req->name, sizeof(req->name));
	name[sizeof(req->name)] = 0;
	if (!name[0])
		snprintf(name, sizeof(name), "%" PRIu64, req->id);
	if (!(l = link_new(req->id, name, req->params, req->up)))
		return -ENOMEM;
	if ((rc = call(c, WCMD_ADD, l, req, -1, NULL)) < 0) {
		link_free(l);
		return rc;
	}
	memmove(&c->links[i + 1], &c->links[i], (c->nlinks - i) * sizeof(*c->links));
	c->links[i] = l;
	c->nlinks++;
	log_info("link %s: added, id %" PRIu64 ", %s, worker %" PRIu64, l->name,
		 l->id, l->up ? "up" : "down", l->id % c->nworkers);
	return 0;
}

static void link_remove(struct ctl *c, size_t i)
{
	struct link *l = c->links[i];

	call(c, WCMD_DEL, l, NULL, -1, NULL);
	memmove(&c->links[i], &c->links[i + 1], (c->nlinks - i - 1) * sizeof(*c->links));
	c->nlinks--;
	link_free(l);
}

static int req_link_del(struct ctl *c, const struct eng_req *req)
{
	bool found;
	size_t i = find_idx(c, req->id, &found);

	if (!found)
		return -ENOENT;
	log_info("link %s: deleted", c->links[i]->name);
	link_remove(c, i);
	return 0;
}

static int req_link_list(struct ctl *c, const struct eng_req *req, struct eng_reply *rep)
{
	uint64_t off = req->id;

	rep->count = 0;
	for (uint64_t i = off; i < c->nlinks && rep->count < ENG_LIST_MAX; i++)
		rep->ids[rep->count++] = c->links[i]->id;
	return 0;
}

/* The trace of a LINK_TRACE request: n uint32 milliseconds in memfd fd. */
static int trace_read(int fd, struct model_trace **out)
{
	struct model_trace *tr;
	struct stat st;
	size_t n, got = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size <= 0 || st.st_size % sizeof(uint32_t))
		return -EINVAL;
	n = (size_t)st.st_size / sizeof(uint32_t);
	if (n > ENG_TRACE_MAX)
		return -E2BIG;
	if (!(tr = malloc(sizeof(*tr) + n * sizeof(uint32_t))))
		return -ENOMEM;
	while (got < n * sizeof(uint32_t)) {
		ssize_t r = pread(fd, (char *)tr->ms + got, n * sizeof(uint32_t) - got,
				  (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(tr);
			return r < 0 ? -errno : -EIO;
		}
		got += (size_t)r;
	}
	tr->refs = 0;
	if (!model_trace_init(tr, (uint32_t)n)) {
		free(tr);
		return -EINVAL;
	}
	*out = tr;
	return 0;
}

static int req_link_trace(struct ctl *c, struct link *l, const struct eng_req *req, int fd)
{
	struct model_trace *tr = NULL;
	struct wcmd cmd = { .type = WCMD_TRACE, .link = l, .req = req, .fd = -1 };
	int rc;

	if (!req->dirmask || (req->dirmask & ~3u))
		return -EINVAL;
	if (fd >= 0 && (rc = trace_read(fd, &tr)) < 0)
		return rc;
	cmd.trace = tr;
	rc = worker_call(worker_of(c, l->id), &cmd);
	if (tr && tr->refs == 0)
		free(tr);	/* no direction took it */
	if (rc == 0 && tr)
		log_info("link %s: direction%s %s follow%s a trace of %u opportunities, "
			 "period %llu ms", l->name, req->dirmask == 3 ? "s" : "",
			 req->dirmask == 3 ? "0 and 1" : req->dirmask == 1 ? "0" : "1",
			 req->dirmask == 3 ? "" : "s", tr->n,
			 (unsigned long long)(tr->period_ns / 1000000));
	else if (rc == 0)
		log_info("link %s: trace cleared (dirmask %u)", l->name, req->dirmask);
	return rc;
}

/* Run req; *fd is the descriptor that came with it (-1 none): set to -1
 * when its ownership passed to a link. *out: a descriptor to send with the
 * reply (PORT_GET), closed once sent. */
static int handle(struct ctl *c, const struct eng_req *req, int *fd, struct eng_reply *rep,
		  int *out)
{
	struct link *l = NULL;
	int rc;

	if (req->h.type >= ENG__COUNT)
		return -EOPNOTSUPP;
	if (*fd >= 0 && req->h.type != ENG_PORT_ATTACH && req->h.type != ENG_CAPTURE_START &&
	    req->h.type != ENG_LINK_TRACE)
		return -EINVAL;
	switch (req->h.type) {
	case ENG_HELLO:
		rep->pid = getpid();
		rep->count = (uint32_t)c->nlinks;
		return 0;
	case ENG_LINK_ADD:
		return req_link_add(c, req);
	case ENG_LINK_DEL:
		return req_link_del(c, req);
	case ENG_LINK_LIST:
		return req_link_list(c, req, rep);
	case ENG_SHUTDOWN:
		c->quit = true;
		return 0;
	default:
		break;
	}
	if (!(l = find(c, req->id)))
		return -ENOENT;
	switch (req->h.type) {
	case ENG_PORT_ATTACH:
		if (req->side > 1)
			return -EINVAL;
		if ((rc = port_check(&req->port)) < 0) {
			log_warn("link %s: side %d: a port of kind %s (%u), flags %#x: %s",
				 l->name, req->side, eng_port_kind_name(req->port.kind),
				 req->port.kind, req->port.flags, strerror(-rc));
			return rc;
		}
		rc = call(c, WCMD_ATTACH, l, req, *fd, NULL);
		if (rc == 0)
			*fd = -1;
		return rc;
	case ENG_PORT_DETACH:
		if (req->side > 1)
			return -EINVAL;
		return call(c, WCMD_DETACH, l, req, -1, NULL);
	case ENG_LINK_SET:
		if ((req->dirmask & ~3u) || (req->mask & ~(LINKP_BIT(LINKP__COUNT) - 1)))
			return -EINVAL;
		rc = call(c, WCMD_SET, l, req, -1, NULL);
		if (rc == 0)
			log_params(l, req);
		return rc;
	case ENG_LINK_STATE:
		rc = call(c, WCMD_STATE, l, req, -1, NULL);
		log_info("link %s: %s", l->name, req->up ? "up" : "down");
		return rc;
	case ENG_LINK_STATS:
		return call(c, WCMD_STATS, l, req, -1, rep);
	case ENG_CAPTURE_START:
		if (*fd < 0)
			return -EBADF;
		/* capture_start() checks the rest and owns fd from here */
		rc = call(c, WCMD_CAPTURE_START, l, req, *fd, rep);
		*fd = -1;	/* the capture owns it, or closed it */
		return rc;
	case ENG_CAPTURE_STOP:
		return call(c, WCMD_CAPTURE_STOP, l, req, -1, rep);
	case ENG_LINK_TRACE:
		return req_link_trace(c, l, req, *fd);
	case ENG_PORT_GET:
		return req_port_get(c, l, req, out);
	default:
		return -EOPNOTSUPP;
	}
}

/* ---- the controller socket ------------------------------------------------ */

static void drop_controller(struct ctl *c, const char *why)
{
	if (c->cfd < 0)
		return;
	epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->cfd, NULL);
	close(c->cfd);
	c->cfd = -1;
	log_info("controller %s; %zu links keep forwarding", why, c->nlinks);
}

static void accept_controller(struct ctl *c)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_error("accept: %s", strerror(errno));
		return;
	}
	if (c->cfd >= 0)
		drop_controller(c, "replaced by a new connection");
	ev.data.fd = fd;
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_error("epoll_ctl: %s", strerror(errno));
		close(fd);
		return;
	}
	c->cfd = fd;
	log_info("controller connected");
}

/* Receive one message with its descriptors; keep the first, close others. */
static ssize_t recv_req(int fd, struct eng_req *req, int *passed, bool *trunc)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(8 * sizeof(int))];
	} cm;
	struct iovec iov = { req, sizeof(*req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
	ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_TRUNC);

	*passed = -1;
	if (n < 0)
		return -1;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&msg); h; h = CMSG_NXTHDR(&msg, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfd = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		for (size_t i = 0; i < nfd; i++) {
			int f;

			memcpy(&f, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
			if (*passed < 0)
				*passed = f;
			else
				close(f);
		}
	}
	*trunc = (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
	return n;
}

/* The reply, with fd (>= 0) as SCM_RIGHTS. */
static ssize_t send_reply(int sock, const struct eng_reply *rep, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov = { (void *)rep, sizeof(*rep) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = sizeof(cm.buf);
		cm.h.cmsg_level = SOL_SOCKET;
		cm.h.cmsg_type = SCM_RIGHTS;
		cm.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&cm.h), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void serve_controller(struct ctl *c)
{
	for (;;) {
		struct eng_req req;
		struct eng_reply rep;
		bool trunc = false;
		int fd, out = -1;
		ssize_t n;

		memset(&req, 0, sizeof(req));
		n = recv_req(c->cfd, &req, &fd, &trunc);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			drop_controller(c, strerror(errno));
			return;
		}
		if (n == 0) {
			drop_controller(c, "disconnected");
			return;
		}
		memset(&rep, 0, sizeof(rep));
		rep.h.version = ENG_PROTO_VERSION;
		rep.h.type = req.h.type;
		rep.h.seq = req.h.seq;
		if (n != sizeof(req) || trunc)
			rep.status = -EPROTO;
		else if (req.h.version != ENG_PROTO_VERSION)
			rep.status = -EPROTONOSUPPORT;
		else
			rep.status = handle(c, &req, &fd, &rep, &out);
		if (rep.status < 0 && rep.status != -ENOENT)
			log_warn("request %s for link %" PRIu64 " failed: %s",
				 eng_msg_name(req.h.type), req.id, strerror(-rep.status));
		if (fd >= 0)
			close(fd);
		n = send_reply(c->cfd, &rep, out);
		if (out >= 0)
			close(out);
		if (n < 0) {
			drop_controller(c, strerror(errno));
			return;
		}
		if (c->quit)
			return;
	}
}

int ctl_run(struct ctl *c)
{
	struct epoll_event ev = { .events = EPOLLIN };

	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epfd < 0)
		return -errno;
	ev.data.fd = c->lfd;
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->lfd, &ev) < 0)
		return -errno;
	ev.data.fd = c->sigfd;
	if (c->sigfd >= 0 && epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->sigfd, &ev) < 0)
		return -errno;

	while (!c->quit) {
		struct epoll_event evs[4];
		int n = epoll_wait(c->epfd, evs, 4, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !c->quit; i++) {
			int fd = evs[i].data.fd;

			if (fd == c->sigfd) {
				struct signalfd_siginfo si;

				if (read(c->sigfd, &si, sizeof(si)) == sizeof(si)) {
					log_info("signal %u: shutting down", si.ssi_signo);
					c->quit = true;
				}
			} else if (fd == c->lfd) {
				accept_controller(c);
			} else if (fd == c->cfd) {
				serve_controller(c);
			}
		}
	}
	return 0;
}

void ctl_close(struct ctl *c)
{
	while (c->nlinks)
		link_remove(c, c->nlinks - 1);
	free(c->links);
	c->links = NULL;
	c->cap = 0;
	if (c->cfd >= 0)
		close(c->cfd);
	if (c->lfd >= 0) {
		close(c->lfd);
		unlink(c->path);
	}
	if (c->epfd >= 0)
		close(c->epfd);
	c->cfd = c->lfd = c->epfd = -1;
}
