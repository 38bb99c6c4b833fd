/*
 * worker.c - a worker thread: its epoll loop, its command queue and the
 * heap of its directions' next deadlines behind one timerfd.
 *
 * An idle worker sleeps in epoll_wait with no timeout and its timerfd
 * disarmed: links without traffic cost nothing. The timer is armed at the
 * earliest deadline of the heap, with an absolute time and a timer slack of
 * 1 ns (PR_SET_TIMERSLACK) so that delays are met to the microsecond, not
 * to the default 50 us slack.
 */
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define MAX_EVENTS 64

struct worker {
	unsigned idx;
	pthread_t thread;
	int epfd, evfd, tfd;
	pthread_mutex_t mu;	/* guards head/tail and every wcmd.done */
	pthread_cond_t cv;
	struct wcmd *head, *tail;
	struct link *links;
	struct direction **heap;
	size_t nheap, heapcap;
	uint64_t armed;		/* deadline the timerfd is set to, 0 = disarmed */
	bool stop;
	uint8_t tag_ev, tag_timer;	/* epoll tags of evfd and tfd */
	uint8_t *rxbuf;
};

uint64_t engine_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MODEL_NS_PER_S + (uint64_t)ts.tv_nsec;
}

uint8_t *worker_rxbuf(struct worker *w)
{
	return w->rxbuf;
}

/* ---- timer heap: min-heap of directions by deadline --------------------- */

static void heap_swap(struct worker *w, size_t a, size_t b)
{
	struct direction *t = w->heap[a];

	w->heap[a] = w->heap[b];
	w->heap[b] = t;
	w->heap[a]->heap_idx = (int)a;
	w->heap[b]->heap_idx = (int)b;
}

static void heap_up(struct worker *w, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (w->heap[p]->deadline <= w->heap[i]->deadline)
			break;
		heap_swap(w, i, p);
		i = p;
	}
}

static void heap_down(struct worker *w, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < w->nheap && w->heap[l]->deadline < w->heap[m]->deadline)
			m = l;
		if (r < w->nheap && w->heap[r]->deadline < w->heap[m]->deadline)
			m = r;
		if (m == i)
			break;
		heap_swap(w, i, m);
		i = m;
	}
}

static void heap_remove(struct worker *w, struct direction *d)
{
	size_t i = (size_t)d->heap_idx;

	d->heap_idx = -1;
	if (i != --w->nheap) {
		w->heap[i] = w->heap[w->nheap];
		w->heap[i]->heap_idx = (int)i;
		heap_down(w, i);
		heap_up(w, i);
	}
}

void worker_timer_set(struct worker *w, struct direction *d, uint64_t deadline)
{
	if (!deadline) {
		if (d->heap_idx >= 0)
			heap_remove(w, d);
		return;
	}
	if (d->heap_idx >= 0) {
		d->deadline = deadline;
		heap_down(w, (size_t)d->heap_idx);
		heap_up(w, (size_t)d->heap_idx);
		return;
	}
	if (w->nheap == w->heapcap) {
		size_t cap = w->heapcap ? w->heapcap * 2 : 64;
		struct direction **h = realloc(w->heap, cap * sizeof(*h));

		if (!h) {
			/* Cannot happen short of memory exhaustion; the frames
			 * wait until the next event of this direction. */
			log_error("worker %u: out of memory for timers", w->idx);
			return;
		}
		w->heap = h;
		w->heapcap = cap;
	}
	d->deadline = deadline;
	d->heap_idx = (int)w->nheap;
	w->heap[w->nheap++] = d;
	heap_up(w, w->nheap - 1);
}

static void run_timers(struct worker *w)
{
	uint64_t now;

	if (!w->nheap)
		return;
	now = engine_now();
	while (w->nheap && w->heap[0]->deadline <= now) {
		struct direction *d = w->heap[0];

		heap_remove(w, d);
		direction_run(d, now);	/* re-inserts d at its next event */
	}
}

static void arm_timer(struct worker *w)
{
	uint64_t next = w->nheap ? w->heap[0]->deadline : 0;
	struct itimerspec its = { 0 };

	if (next == w->armed)
		return;
	its.it_value.tv_sec = (time_t)(next / MODEL_NS_PER_S);
	its.it_value.tv_nsec = (long)(next % MODEL_NS_PER_S);
	if (timerfd_settime(w->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		log_error("worker %u: timerfd_settime: %s", w->idx, strerror(errno));
	w->armed = next;
}

/* ---- ports ------------------------------------------------------------- */

int worker_epoll_add(struct worker *w, struct port *pt)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = pt };

	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, pt->fd, &ev) < 0 ? -errno : 0;
}

void worker_epoll_del(struct worker *w, struct port *pt)
{
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, pt->fd, NULL);
}

/* Captures share the epoll data with ports: their pointer is tagged with
 * bit 0 (both structs are at least 4-byte aligned). */
#define CAPTURE_TAG ((uintptr_t)1)

int worker_epoll_capture(struct worker *w, int fd, struct capture *c, int on)
{
	struct epoll_event ev = { .events = EPOLLOUT,
				  .data.ptr = (void *)((uintptr_t)c | CAPTURE_TAG) };

	if (!on)
		return epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0;
	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* ---- commands ---------------------------------------------------------- */

static void list_add(struct worker *w, struct link *l)
{
	l->prev = NULL;
	l->next = w->links;
	if (w->links)
		w->links->prev = l;
	w->links = l;
}

static void list_del(struct worker *w, struct link *l)
{
	if (l->prev)
		l->prev->next = l->next;
	else
		w->links = l->next;
	if (l->next)
		l->next->prev = l->prev;
	l->prev = l->next = NULL;
}

static int exec_cmd(struct worker *w, struct wcmd *c)
{
	struct link *l = c->link;

	switch (c->type) {
	case WCMD_ADD:
		list_add(w, l);
		link_start(l, w);
		return 0;
	case WCMD_DEL:
		link_stop(l);
		list_del(w, l);
		return 0;
	case WCMD_ATTACH:
		return link_attach(l, c->req->side, &c->req->port, c->fd);
	case WCMD_DETACH:
		return link_detach(l, c->req->side);
	case WCMD_SET:
		return link_set(l, c->req->dirmask, c->req->mask, c->req->params);
	case WCMD_STATE:
		link_set_up(l, c->req->up);
		return 0;
	case WCMD_STATS:
		link_stats(l, c->rep);
		return 0;
	case WCMD_STOP:
		w->stop = true;
		return 0;
	case WCMD_CAPTURE_START: {
		char label[sizeof(c->req->name) + 1];

		int rc;

		memcpy(label, c->req->name, sizeof(c->req->name));
		label[sizeof(c->req->name)] = 0;
		rc = capture_start(l, c->fd, c->req->dirmask, c->req->count, label);
		if (rc == 0 && c->rep)	/* the counters the capture starts from */
			link_stats(l, c->rep);
		return rc;
	}
	case WCMD_CAPTURE_STOP:
		capture_stop(l);
		if (c->rep)
			link_stats(l, c->rep);
		return 0;
	case WCMD_TRACE:
		link_set_trace(l, c->req->dirmask, c->trace);
		return 0;
	case WCMD_PORT_FD: {
		int fd = link_port_fd(l, c->req->side);

		if (fd < 0)
			return fd;
		c->fd = fd;
		return 0;
	}
	}
	return -EINVAL;
}

static void run_commands(struct worker *w)
{
	struct wcmd *c, *next;
	uint64_t v;

	if (read(w->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_error("worker %u: eventfd: %s", w->idx, strerror(errno));
	pthread_mutex_lock(&w->mu);
	c = w->head;
	w->head = w->tail = NULL;
	pthread_mutex_unlock(&w->mu);
	for (; c; c = next) {
		int status;

		next = c->next;
		status = exec_cmd(w, c);
		pthread_mutex_lock(&w->mu);
		c->status = status;
		c->done = true;	/* c may be gone once the lock is released */
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
	}
}

int worker_call(struct worker *w, struct wcmd *c)
{
	uint64_t one = 1;
	int status;

	c->next = NULL;
	c->done = false;
	pthread_mutex_lock(&w->mu);
	if (w->tail)
		w->tail->next = c;
	else
		w->head = c;
	w->tail = c;
	pthread_mutex_unlock(&w->mu);
	if (write(w->evfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_error("worker %u: eventfd: %s", w->idx, strerror(errno));
	pthread_mutex_lock(&w->mu);
	while (!c->done)
		pthread_cond_wait(&w->cv, &w->mu);
	status = c->status;
	pthread_mutex_unlock(&w->mu);
	return status;
}

/* ---- the loop ---------------------------------------------------------- */

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[MAX_EVENTS];
	char name[16];

	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	snprintf(name, sizeof(name), "vnet-worker%u", w->idx);
	pthread_setname_np(pthread_self(), name);

	while (!w->stop) {
		bool cmds = false, timer = false;
		int n = epoll_wait(w->epfd, evs, MAX_EVENTS, -1);

		if (n < 0) {
			if (errno != EINTR)
				log_error("worker %u: epoll_wait: %s", w->idx, strerror(errno));
			continue;
		}
		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &w->tag_ev)
				cmds = true;
			else if (p == &w->tag_timer)
				timer = true;
			else if ((uintptr_t)p & CAPTURE_TAG)
				capture_event((struct capture *)((uintptr_t)p & ~CAPTURE_TAG));
			else
				port_event(p, evs[i].events);
		}
		if (timer) {
			uint64_t ticks;

			if (read(w->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
				log_error("worker %u: timerfd: %s", w->idx, strerror(errno));
		}
		run_timers(w);
		/* Commands last: they may free links that events above point to. */
		if (cmds)
			run_commands(w);
		arm_timer(w);
	}
	return NULL;
}

static void worker_free(struct worker *w)
{
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->evfd >= 0)
		close(w->evfd);
	if (w->tfd >= 0)
		close(w->tfd);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w->heap);
	free(w->rxbuf);
	free(w);
}

struct worker *worker_start(unsigned idx, int *err)
{
	struct worker *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = EPOLLIN };
	int rc;

	if (!w) {
		*err = -ENOMEM;
		return NULL;
	}
	w->idx = idx;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	w->rxbuf = malloc(ENGINE_RXBUF);
	if (w->epfd < 0 || w->evfd < 0 || w->tfd < 0) {
		rc = -errno;
		goto fail;
	}
	if (!w->rxbuf) {
		rc = -ENOMEM;
		goto fail;
	}
	ev.data.ptr = &w->tag_ev;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->evfd, &ev) < 0) {
		rc = -errno;
		goto fail;
	}
	ev.data.ptr = &w->tag_timer;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->tfd, &ev) < 0) {
		rc = -errno;
		goto fail;
	}
	if ((rc = pthread_create(&w->thread, NULL, worker_main, w)) != 0) {
		rc = -rc;
		goto fail;
	}
	return w;
fail:
	*err = rc;
	worker_free(w);
	return NULL;
}

void worker_stop(struct worker *w)
{
	struct wcmd c = { .type = WCMD_STOP };

	if (!w)
		return;
	worker_call(w, &c);
	pthread_join(w->thread, NULL);
	worker_free(w);
}
