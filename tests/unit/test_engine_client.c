/*
 * test_engine_client.c - the typed calls of lib/engine_client.c against a
 * fake engine: a thread on the other end of a SOCK_SEQPACKET socketpair
 * that records every request (and the descriptor that came with it) and
 * answers as vnet-engine would. Checks that each call builds its request
 * (type, version, ids, fields, a zeroed port descriptor meaning a TAP),
 * passes its descriptor, reads its reply, pages through LINK_LIST, hands a
 * trace over in a sealed memfd, and reports the engine's and the
 * exchange's errors; the real engine is driven by the t_engine_* tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine_client.h"

#define MAXREQ 16

enum fake_mode {
	FAKE_NORMAL,
	FAKE_LATE,	/* a stale reply (an earlier seq) before the real one */
	FAKE_SHORT,	/* a reply of the wrong size */
};

struct fake {
	int client, engine;	/* the two ends of the socketpair */
	pthread_t thread;
	pthread_mutex_t mu;
	enum fake_mode mode;
	int32_t status;		/* answered to every request but HELLO */
	uint64_t nids;		/* LINK_LIST: ids 1000, 1001, ... */
	struct eng_req req[MAXREQ];
	int fd[MAXREQ];		/* descriptor that came with req[i], -1 none */
	size_t nreq;
};

static void fill_stats(struct eng_reply *rep)
{
	rep->stats[0].rx_frames = 11;
	rep->stats[1].tx_bytes = 22;
	rep->stats[1].drops[ENG_DROP_MTU] = 3;
	rep->stats[0].queue_frames = 4;
	rep->more.capture_frames[0] = 5;
	rep->more.capture_frames[1] = 6;
	rep->more.capture_dropped[0] = 7;
	rep->more.capture_dropped[1] = 8;
	rep->more.trace_len[1] = 9;
	rep->more.capture_dirmask = 2;
	rep->up = 1;
	rep->attached[0] = 1;
}

static void answer(struct fake *f, const struct eng_req *req, struct eng_reply *rep)
{
	rep->status = f->status;
	switch (req->h.type) {
	case ENG_HELLO:
		rep->status = 0;
		rep->pid = 4242;
		rep->count = 7;
		break;
	case ENG_LINK_LIST:
		for (uint64_t i = req->id; i < f->nids && rep->count < ENG_LIST_MAX; i++)
			rep->ids[rep->count++] = 1000 + i;
		break;
	case ENG_LINK_STATS:
	case ENG_CAPTURE_START:
	case ENG_CAPTURE_STOP:
		if (f->status == 0)
			fill_stats(rep);
		break;
	}
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;

	for (;;) {
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(int))];
		} cm;
		struct eng_req req;
		struct eng_reply rep;
		struct iovec iov = { &req, sizeof(req) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
		struct cmsghdr *h;
		int fd = -1;
		ssize_t n = recvmsg(f->engine, &msg, MSG_CMSG_CLOEXEC);

		if (n <= 0)
			return NULL;
		if ((h = CMSG_FIRSTHDR(&msg)) && h->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(h), sizeof(int));
		pthread_mutex_lock(&f->mu);
		if (f->nreq < MAXREQ) {
			f->req[f->nreq] = req;
			f->fd[f->nreq++] = fd;
		} else if (fd >= 0) {
			close(fd);
		}
		pthread_mutex_unlock(&f->mu);

		memset(&rep, 0, sizeof(rep));
		rep.h.version = ENG_PROTO_VERSION;
		rep.h.type = req.h.type;
		rep.h.seq = req.h.seq;
		if (n != sizeof(req)) {
			rep.status = -EPROTO;
		} else {
			answer(f, &req, &rep);
		}
		if (f->mode == FAKE_SHORT) {
			send(f->engine, &rep, 10, MSG_NOSIGNAL);
			continue;
		}
		if (f->mode == FAKE_LATE) {
			struct eng_reply stale = rep;

			stale.h.seq = req.h.seq - 1;
			stale.status = -EIO;
			send(f->engine, &stale, sizeof(stale), MSG_NOSIGNAL);
		}
		send(f->engine, &rep, sizeof(rep), MSG_NOSIGNAL);
	}
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	int sv[2];

	if (!f || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	f->client = sv[0];
	f->engine = sv[1];
	pthread_mutex_init(&f->mu, NULL);
	if (pthread_create(&f->thread, NULL, fake_main, f) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;

	close(f->client);	/* the fake sees EOF and ends */
	pthread_join(f->thread, NULL);
	close(f->engine);
	for (size_t i = 0; i < f->nreq; i++)
		if (f->fd[i] >= 0)
			close(f->fd[i]);
	pthread_mutex_destroy(&f->mu);
	free(f);
	return 0;
}

/* The i-th request the fake received, checked for what every one has. */
static struct eng_req *req_at(struct fake *f, size_t i, enum eng_msg_type type)
{
	struct eng_req *r;

	pthread_mutex_lock(&f->mu);
	assert_true(i < f->nreq);
	r = &f->req[i];
	pthread_mutex_unlock(&f->mu);
	assert_int_equal(r->h.version, ENG_PROTO_VERSION);
	assert_int_equal(r->h.type, type);
	return r;
}

static size_t nreq_of(struct fake *f)
{
	size_t n;

	pthread_mutex_lock(&f->mu);
	n = f->nreq;
	pthread_mutex_unlock(&f->mu);
	return n;
}

/* The descriptor that came with the i-th request, -1 none. */
static int fd_at(struct fake *f, size_t i)
{
	int fd;

	pthread_mutex_lock(&f->mu);
	assert_true(i < f->nreq);
	fd = f->fd[i];
	pthread_mutex_unlock(&f->mu);
	return fd;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Do a and b name the same open file? */
static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static void test_hello(void **state)
{
	struct fake *f = *state;
	int32_t pid = 0;
	uint32_t nlinks = 0;
	struct eng_req *r;

	assert_int_equal(engc_hello(f->client, &pid, &nlinks), 0);
	assert_int_equal(pid, 4242);
	assert_int_equal(nlinks, 7);
	assert_int_equal(engc_hello(f->client, NULL, NULL), 0);
	r = req_at(f, 0, ENG_HELLO);
	assert_int_equal(r->id, 0);
	assert_int_not_equal(req_at(f, 1, ENG_HELLO)->h.seq, r->h.seq);
}

static void test_link_add(void **state)
{
	struct fake *f = *state;
	struct link_params p[2];
	char longname[100];
	struct eng_req *r;

	linkp_init(&p[0]);
	linkp_init(&p[1]);
	p[0].rate_bps = 10000000;
	p[1].delay_ns = 5000000;
	assert_int_equal(engc_link_add(f->client, 77, "red/r1-r2", p, true), 0);
	r = req_at(f, 0, ENG_LINK_ADD);
	assert_int_equal(r->id, 77);
	assert_int_equal(r->up, 1);
	assert_memory_equal(&r->params[0], &p[0], sizeof(p[0]));
	assert_memory_equal(&r->params[1], &p[1], sizeof(p[1]));
	assert_string_equal(r->name, "red/r1-r2");
	assert_true(all_zero(&r->port, sizeof(r->port)));

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	assert_int_equal(engc_link_add(f->client, 78, longname, p, false), 0);
	r = req_at(f, 1, ENG_LINK_ADD);
	assert_int_equal(r->up, 0);
	assert_int_equal(strnlen(r->name, sizeof(r->name)), sizeof(r->name) - 1);
}

static void test_port_attach_tap(void **state)
{
	struct fake *f = *state;
	struct eng_req *r;
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(engc_port_attach(f->client, 5, 1, NULL, p[0]), 0);
	r = req_at(f, 0, ENG_PORT_ATTACH);
	assert_int_equal(r->id, 5);
	assert_int_equal(r->side, 1);
	/* a zeroed descriptor: kind 0, a TAP */
	assert_int_equal(r->port.kind, ENG_PORT_TAP);
	assert_true(all_zero(&r->port, sizeof(r->port)));
	assert_true(fd_at(f, 0) >= 0);
	assert_true(same_file(fd_at(f, 0), p[0]));
	/* the caller's copy stays open */
	assert_int_equal(fcntl(p[0], F_GETFD) >= 0, 1);
	close(p[0]);
	close(p[1]);
}

static void test_port_attach_vxlan(void **state)
{
	struct fake *f = *state;
	struct eng_port d = { .kind = ENG_PORT_VXLAN, .family = 2, .udp_port = 4789,
			      .vni = 4242, .remote = { 192, 0, 2, 1 },
			      .local = { 192, 0, 2, 2 } };
	struct eng_req *r;

	f->status = -EOPNOTSUPP;
	assert_int_equal(engc_port_attach(f->client, 6, 0, &d, -1), -EOPNOTSUPP);
	r = req_at(f, 0, ENG_PORT_ATTACH);
	assert_int_equal(r->side, 0);
	assert_memory_equal(&r->port, &d, sizeof(d));
	assert_int_equal(fd_at(f, 0), -1);
	assert_string_equal(eng_port_kind_name(r->port.kind), "vxlan");

	/* a side that does not exist never reaches the engine */
	assert_int_equal(engc_port_attach(f->client, 6, 2, NULL, -1), -EINVAL);
	assert_int_equal(engc_port_detach(f->client, 6, -1), -EINVAL);
	assert_int_equal(nreq_of(f), 1);
}

static void test_link_set(void **state)
{
	struct fake *f = *state;
	struct link_params p[2];
	struct eng_req *r;
	uint32_t mask = LINKP_BIT(LINKP_DELAY) | LINKP_BIT(LINKP_LOSS);

	memset(p, 0, sizeof(p));
	p[0].delay_ns = 1;	/* direction 0 is not in the mask: not sent */
	p[1].delay_ns = 20000000;
	p[1].loss_ppb = 10000000;
	assert_int_equal(engc_link_set(f->client, 9, 2, mask, p), 0);
	r = req_at(f, 0, ENG_LINK_SET);
	assert_int_equal(r->id, 9);
	assert_int_equal(r->dirmask, 2);
	assert_int_equal(r->mask, mask);
	assert_true(all_zero(&r->params[0], sizeof(r->params[0])));
	assert_memory_equal(&r->params[1], &p[1], sizeof(p[1]));
}

static void test_small_requests(void **state)
{
	struct fake *f = *state;

	assert_int_equal(engc_link_state(f->client, 3, true), 0);
	assert_int_equal(engc_link_state(f->client, 3, false), 0);
	assert_int_equal(engc_port_detach(f->client, 3, 1), 0);
	assert_int_equal(engc_link_del(f->client, 3), 0);
	assert_int_equal(engc_shutdown(f->client), 0);
	assert_int_equal(req_at(f, 0, ENG_LINK_STATE)->up, 1);
	assert_int_equal(req_at(f, 0, ENG_LINK_STATE)->id, 3);
	assert_int_equal(req_at(f, 1, ENG_LINK_STATE)->up, 0);
	assert_int_equal(req_at(f, 2, ENG_PORT_DETACH)->side, 1);
	assert_int_equal(req_at(f, 3, ENG_LINK_DEL)->id, 3);
	req_at(f, 4, ENG_SHUTDOWN);
}

static void test_link_stats(void **state)
{
	struct fake *f = *state;
	struct engc_stats st;

	assert_int_equal(engc_link_stats(f->client, 12, &st), 0);
	assert_int_equal(req_at(f, 0, ENG_LINK_STATS)->id, 12);
	assert_int_equal(st.dir[0].rx_frames, 11);
	assert_int_equal(st.dir[1].tx_bytes, 22);
	assert_int_equal(st.dir[1].drops[ENG_DROP_MTU], 3);
	assert_int_equal(st.dir[0].queue_frames, 4);
	assert_int_equal(st.capture_frames[1], 6);
	assert_int_equal(st.capture_dropped[0], 7);
	assert_int_equal(st.trace_len[1], 9);
	assert_int_equal(st.capture_dirmask, 2);
	assert_true(st.up);
	assert_true(st.attached[0]);
	assert_false(st.attached[1]);

	/* the engine's error comes back, and the output is left alone */
	f->status = -ENOENT;
	memset(&st, 0xab, sizeof(st));
	assert_int_equal(engc_link_stats(f->client, 13, &st), -ENOENT);
	assert_int_equal(st.dir[0].rx_frames, 0xababababababababull);
}

static void list_of(struct fake *f, uint64_t nids, size_t calls)
{
	uint64_t *ids = (uint64_t *)1;
	size_t n = 99, before = nreq_of(f);

	f->nids = nids;
	assert_int_equal(engc_link_list(f->client, &ids, &n), 0);
	assert_int_equal(n, nids);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ids[i], 1000 + i);
	if (!nids)
		assert_null(ids);
	free(ids);
	assert_int_equal(nreq_of(f) - before, calls);
	for (size_t k = 0; k < calls; k++)	/* the offsets */
		assert_int_equal(req_at(f, before + k, ENG_LINK_LIST)->id, k * ENG_LIST_MAX);
}

static void test_link_list(void **state)
{
	struct fake *f = *state;

	list_of(f, 150, 3);
	list_of(f, ENG_LIST_MAX, 2);
	list_of(f, 0, 1);
}

static void test_capture(void **state)
{
	struct fake *f = *state;
	struct engc_stats st;
	struct eng_req *r;
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(engc_capture_start(f->client, 21, 1, 6, "r1>r2", p[1], &st), 0);
	r = req_at(f, 0, ENG_CAPTURE_START);
	assert_int_equal(r->id, 21);
	assert_int_equal(r->dirmask, 1);
	assert_int_equal(r->count, 6);
	assert_string_equal(r->name, "r1>r2");
	assert_true(same_file(fd_at(f, 0), p[1]));
	assert_int_equal(st.capture_frames[0], 5);
	assert_int_equal(engc_capture_stop(f->client, 21, NULL), 0);
	assert_int_equal(req_at(f, 1, ENG_CAPTURE_STOP)->id, 21);
	assert_int_equal(fd_at(f, 1), -1);
	close(p[0]);
	close(p[1]);
}

static void test_link_trace(void **state)
{
	struct fake *f = *state;
	const uint32_t ms[] = { 1, 1, 3, 10 };
	uint32_t got[4];
	int seals;

	assert_int_equal(engc_link_trace(f->client, 30, 3, ms, 4), 0);
	assert_int_equal(req_at(f, 0, ENG_LINK_TRACE)->dirmask, 3);
	assert_true(fd_at(f, 0) >= 0);
	assert_int_equal(pread(fd_at(f, 0), got, sizeof(got), 0), sizeof(got));
	assert_memory_equal(got, ms, sizeof(ms));
	seals = fcntl(fd_at(f, 0), F_GET_SEALS);
	assert_true(seals >= 0);
	assert_true(seals & F_SEAL_WRITE);
	assert_true(seals & F_SEAL_SHRINK);
	assert_true(seals & F_SEAL_GROW);
	/* none: no descriptor, back to the token bucket */
	assert_int_equal(engc_link_trace(f->client, 30, 1, NULL, 0), 0);
	assert_int_equal(req_at(f, 1, ENG_LINK_TRACE)->dirmask, 1);
	assert_int_equal(fd_at(f, 1), -1);
	/* an empty trace is refused before it is sent */
	assert_int_equal(engc_link_trace(f->client, 30, 1, ms, 0), -EINVAL);
	assert_int_equal(nreq_of(f), 2);
}

static void test_late_reply_skipped(void **state)
{
	struct fake *f = *state;

	f->mode = FAKE_LATE;
	assert_int_equal(engc_link_del(f->client, 40), 0);
	assert_int_equal(engc_link_del(f->client, 41), 0);
}

static void test_short_reply(void **state)
{
	struct fake *f = *state;

	f->mode = FAKE_SHORT;
	assert_int_equal(engc_link_del(f->client, 50), -EPROTO);
}

static void test_not_connected(void **state)
{
	struct link_params p[2];
	uint64_t *ids;
	size_t n;

	(void)state;
	memset(p, 0, sizeof(p));
	assert_int_equal(engc_hello(-1, NULL, NULL), -ENOTCONN);
	assert_int_equal(engc_link_add(-1, 1, "x", p, true), -ENOTCONN);
	assert_int_equal(engc_link_list(-1, &ids, &n), -ENOTCONN);
	assert_int_equal(engc_link_trace(-1, 1, 3, (const uint32_t[]){ 1 }, 1), -ENOTCONN);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(eng_msg_name(ENG_PORT_ATTACH), "PORT_ATTACH");
	assert_string_equal(eng_msg_name(ENG__COUNT), "?");
	assert_string_equal(eng_port_kind_name(ENG_PORT_TAP), "tap");
	assert_string_equal(eng_port_kind_name(ENG_PORT_QEMU_SOCKET), "qemu_socket");
	assert_string_equal(eng_port_kind_name(ENG_PORT__COUNT), "?");
	assert_int_equal(eng_port_kind_parse("vxlan"), ENG_PORT_VXLAN);
	assert_int_equal(eng_port_kind_parse("veth"), -1);
	assert_string_equal(eng_drop_name(ENG_DROP_BURST_LOSS), "burst_loss");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hello, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_attach_tap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_attach_vxlan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_trace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_reply_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_reply, setup, teardown),
		cmocka_unit_test(test_not_connected),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
