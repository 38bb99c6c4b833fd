/*
 * direction.c - one direction of a link, run on its worker: the pipeline a
 * frame read on one side goes through on its way to the other side.
 *
 *   direction_input  fast path  -> write to the egress port at once
 *                    rate set   -> queue (drop-tail: queue, queue_bytes)
 *                    otherwise  -> delay line (or straight to egress when
 *                                  there is no delay either)
 *   direction_run    queue -> shaper (token bucket or trace, optional
 *                    CoDel) -> delay line;
 *                    delay line / express line -> egress
 *   egress           link down / far port missing -> drop; loss, burst
 *                    loss; duplicate; corrupt one bit; send (and a copy to
 *                    the capture, if any)
 *
 * The shaper only ever times the frame at the head of the queue, from the
 * bucket's state, so a rate change re-times every frame still waiting. A
 * frame leaves the queue at its computed departure time even when the timer
 * fires late, so lateness never lowers the rate. Delivery times in the delay
 * line never decrease (model_deliver_time), so the line is a FIFO; frames
 * that skip the delay (reorder) go to a second FIFO, and egress merges the
 * two by time. Memory is held only for frames that wait.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "log.h"
#include "vnet.h"

static void fifo_push(struct fifo *q, struct frame *f)
{
	f->next = NULL;
	if (q->tail)
		q->tail->next = f;
	else
		q->head = f;
	q->tail = f;
	q->frames++;
	q->bytes += f->n - MODEL_VNET_HDR_LEN;
}

static struct frame *fifo_pop(struct fifo *q)
{
	struct frame *f = q->head;

	if (!f)
		return NULL;
	q->head = f->next;
	if (!q->head)
		q->tail = NULL;
	q->frames--;
	q->bytes -= f->n - MODEL_VNET_HDR_LEN;
	return f;
}

static inline void drop(struct direction *d, enum eng_drop_cause cause)
{
	d->st.drops[cause]++;
}

static void update_fast(struct direction *d)
{
	d->fast = d->transparent && !d->queue.head && !d->line.head && !d->express.head;
}

/* No property and no trace: frames pass at once (the fast path). */
static void update_transparent(struct direction *d)
{
	d->transparent = model_transparent(&d->p) && !d->trace;
}

void direction_init(struct direction *d, struct link *l, int idx, const struct link_params *p)
{
	uint64_t now = engine_now();

	memset(d, 0, sizeof(*d));
	d->link = l;
	d->idx = (uint8_t)idx;
	d->p = *p;
	d->heap_idx = -1;
	update_transparent(d);
	model_tb_init(&d->tb, p->rate_bps, p->burst_bytes, now);
	model_ts_init(&d->ts, now);
	model_rng_seed(&d->rng, l->id * 2 + (uint64_t)idx + now);
	update_fast(d);
}

/* Send a frame to the egress port, count it and capture it; 0 or -1 (a
 * write drop, counted). */
static int emit(struct direction *d, struct port *out, const uint8_t *buf, size_t n)
{
	size_t len = n - MODEL_VNET_HDR_LEN;

	if (port_send(out, buf, n) < 0) {
		drop(d, ENG_DROP_WRITE);
		return -1;
	}
	d->st.tx_frames++;
	d->st.tx_bytes += len;
	if (d->link->cap)
		capture_frame(d->link, d->idx, buf + MODEL_VNET_HDR_LEN, len);
	return 0;
}

/* The last stage: link state, loss, duplication, corruption, write. */
static void egress(struct direction *d, uint8_t *buf, size_t n)
{
	struct link *l = d->link;
	struct port *out = &l->port[!d->idx];
	size_t len = n - MODEL_VNET_HDR_LEN;

	if (!l->up) {
		drop(d, ENG_DROP_DOWN);
		return;
	}
	if (!port_attached(out)) {
		drop(d, ENG_DROP_CARRIER);
		return;
	}
	switch (model_loss(&d->p, &d->ge, &d->rng)) {
	case MODEL_LOST:
		drop(d, ENG_DROP_LOSS);
		return;
	case MODEL_BURST_LOST:
		drop(d, ENG_DROP_BURST_LOSS);
		return;
	case MODEL_DELIVER:
		break;
	}
	if (d->p.dup_ppb && model_rng_chance(&d->rng, d->p.dup_ppb) &&
	    emit(d, out, buf, n) == 0)
		d->st.duplicated++;
	if (d->p.corrupt_ppb && len > MODEL_ETH_HLEN &&
	    model_rng_chance(&d->rng, d->p.corrupt_ppb)) {
		size_t off = MODEL_VNET_HDR_LEN + MODEL_ETH_HLEN +
			     model_rng_below(&d->rng, len - MODEL_ETH_HLEN);

		buf[off] ^= (uint8_t)(1u << model_rng_below(&d->rng, 8));
		buf[0] &= (uint8_t)~2u;	/* no VIRTIO_NET_HDR_F_DATA_VALID */
		d->st.corrupted++;
	}
	emit(d, out, buf, n);
}

static struct frame *frame_new(const uint8_t *buf, size_t n, uint64_t now,
			       const struct model_frame *mf)
{
	struct frame *f = malloc(sizeof(*f) + n);

	if (!f)
		return NULL;
	memcpy(f->data, buf, n);
	f->n = (uint32_t)n;
	f->arrival = now;
	f->t = now;
	f->wire = mf->wire;
	f->tbytes = model_trace_bytes(mf);
	return f;
}

/* A frame leaves the shaper at t: into the delay line or the express line. */
static void to_line(struct direction *d, struct frame *f, uint64_t t)
{
	bool skip;

	f->t = model_deliver_time(&d->p, &d->rng, &d->last_deliver, t, &skip);
	if (skip) {
		d->st.reordered++;
		fifo_push(&d->express, f);
	} else {
		fifo_push(&d->line, f);
	}
}

static bool lines_full(const struct direction *d)
{
	return d->line.frames + d->express.frames + d->queue.frames >= ENGINE_LINE_MAX;
}

void direction_input(struct direction *d, uint8_t *buf, size_t n, const struct model_frame *mf)
{
	struct link *l = d->link;
	uint64_t now;
	struct frame *f;

	if (d->fast) {
		egress(d, buf, n);	/* no model: only the link checks */
		return;
	}
	if (!l->up) {
		drop(d, ENG_DROP_DOWN);
		return;
	}
	now = engine_now();
	if (d->p.rate_bps || d->trace) {
		uint32_t qp = d->p.queue_pkts ? d->p.queue_pkts : LINKP_DEFAULT_QUEUE_PKTS;

		if (d->queue.frames >= qp ||
		    (d->p.queue_bytes && d->queue.bytes + mf->len > d->p.queue_bytes) ||
		    lines_full(d)) {
			drop(d, ENG_DROP_QUEUE);
			return;
		}
		if (!(f = frame_new(buf, n, now, mf))) {
			drop(d, ENG_DROP_QUEUE);
			return;
		}
		fifo_push(&d->queue, f);
		direction_run(d, now);
		return;
	}
	if (!d->p.delay_ns && !d->p.jitter_ns && !d->line.head && !d->express.head &&
	    !d->queue.head) {
		/* Loss, duplication or corruption only: no need to hold it. */
		egress(d, buf, n);
		return;
	}
	if (lines_full(d) || !(f = frame_new(buf, n, now, mf))) {
		drop(d, ENG_DROP_QUEUE);
		return;
	}
	to_line(d, f, now);
	direction_run(d, now);
}

/* Time of the next event of d, 0 if none. */
static uint64_t next_event(const struct direction *d)
{
	uint64_t t = 0;

	if (d->queue.head && d->trace)
		t = model_ts_ready(&d->ts, d->trace, d->queue.head->tbytes,
				   d->queue.head->arrival);
	else if (d->queue.head)
		t = model_tb_ready(&d->tb, d->queue.head->wire, d->queue.head->arrival);
	if (d->line.head && (!t || d->line.head->t < t))
		t = d->line.head->t;
	if (d->express.head && (!t || d->express.head->t < t))
		t = d->express.head->t;
	return t;
}

void direction_run(struct direction *d, uint64_t now)
{
	struct frame *f;
	uint32_t mtu = d->p.mtu ? d->p.mtu : LINKP_DEFAULT_MTU;

	while ((f = d->queue.head)) {
		uint64_t t;

		if (d->trace) {
			struct model_ts ts = d->ts;

			if ((t = model_ts_take(&ts, d->trace, f->tbytes, f->arrival)) > now)
				break;
			d->ts = ts;
		} else {
			if ((t = model_tb_ready(&d->tb, f->wire, f->arrival)) > now)
				break;
			model_tb_take(&d->tb, f->wire, t);
		}
		fifo_pop(&d->queue);
		if (d->p.codel &&
		    model_codel_drop(&d->codel, t, t - f->arrival,
				     d->queue.bytes + f->n - MODEL_VNET_HDR_LEN, mtu)) {
			drop(d, ENG_DROP_QUEUE);
			free(f);
			continue;
		}
		to_line(d, f, t);
	}
	if (!d->queue.head)
		d->codel.first_above = 0;

	for (;;) {
		struct fifo *q = &d->line;

		if (d->express.head && (!q->head || d->express.head->t < q->head->t))
			q = &d->express;
		if (!q->head || q->head->t > now)
			break;
		f = fifo_pop(q);
		egress(d, f->data, f->n);
		free(f);
	}
	update_fast(d);
	worker_timer_set(d->link->w, d, next_event(d));
}

void direction_params_changed(struct direction *d, const struct link_params *old, uint64_t now)
{
	if (d->p.rate_bps != old->rate_bps || d->p.burst_bytes != old->burst_bytes) {
		if (d->p.rate_bps)
			model_tb_set(&d->tb, d->p.rate_bps, d->p.burst_bytes, now);
		else
			d->tb.rate_bps = 0;
	}
	if (!model_ge_on(&d->p))
		d->ge.bad = 0;
	if (!d->p.codel)
		memset(&d->codel, 0, sizeof(d->codel));
	update_transparent(d);
	/* Frames already in the delay line keep their delivery time: they are
	 * on the wire. Frames in the queue are re-timed by direction_run. */
	direction_run(d, now);
}

static void trace_put(struct model_trace *tr)
{
	if (tr && --tr->refs == 0)
		free(tr);
}

void direction_set_trace(struct direction *d, struct model_trace *tr, uint64_t now)
{
	struct model_trace *old = d->trace;

	if (tr)
		tr->refs++;
	d->trace = tr;
	trace_put(old);
	/* A new trace starts now; queued frames wait for its opportunities.
	 * Without one the token bucket (or nothing) times them again. */
	model_ts_init(&d->ts, now);
	update_transparent(d);
	if (d->link->w)
		direction_run(d, now);
}

void direction_flush(struct direction *d, enum eng_drop_cause cause)
{
	struct fifo *qs[] = { &d->queue, &d->line, &d->express };
	struct frame *f;

	for (size_t i = 0; i < ARRAY_SIZE(qs); i++) {
		while ((f = fifo_pop(qs[i]))) {
			drop(d, cause);
			free(f);
		}
	}
	update_fast(d);
	if (d->link->w)
		worker_timer_set(d->link->w, d, 0);
}

uint32_t direction_held_frames(const struct direction *d)
{
	return d->queue.frames + d->line.frames + d->express.frames;
}

uint64_t direction_held_bytes(const struct direction *d)
{
	return d->queue.bytes + d->line.bytes + d->express.bytes;
}
