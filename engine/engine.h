/*
 * engine.h - the objects of vnet-engine and how they fit.
 *
 * The control thread (ctl.c) owns the table of links by id and the socket
 * to vnetd. Each link lives on one worker thread (worker.c), chosen by id;
 * after LINK_ADD only that worker touches the link's ports and directions
 * (link.c, direction.c), so the per-packet path takes no lock. The control
 * thread changes a link by posting a command to its worker and waiting for
 * the ack.
 *
 *   struct link       a virtual link: two ports, two directions, up/down
 *   struct port       one end: the TAP fd of side 0 or 1
 *   struct direction  one direction: its link_params and pipeline state
 *                     (queue -> shaper -> delay line -> loss/dup/corrupt)
 *   struct frame      a frame held by a direction (copied out of the
 *                     worker's read buffer only when it must wait)
 *   struct capture    a pcapng stream of what the link delivers, written
 *                     to a pipe vnetd reads (capture.c)
 */
#ifndef VNET_ENGINE_ENGINE_H
#define VNET_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine_proto.h"
#include "linkparams.h"
#include "linkmodel.h"

/* Largest frame read from a TAP: virtio header + 64 KB GSO super-frame +
 * room to notice truncation. */
#define ENGINE_RXBUF (128 * 1024)
/* Frames a port may read per wakeup before the worker turns to others. */
#define ENGINE_RX_BUDGET 64
/* Frames a direction may hold in its delay line (memory safety net: the
 * shaper's queue has its own limit, the delay line holds rate x delay). */
#define ENGINE_LINE_MAX 131072

struct worker;
struct link;

struct frame {
	struct frame *next;
	uint64_t arrival;	/* read from the ingress TAP */
	uint64_t t;		/* delivery time, once in the delay line */
	uint32_t n;		/* bytes in data: virtio header + Ethernet frame */
	uint32_t wire;		/* size charged by the shaper */
	uint32_t tbytes;	/* size charged by a trace (IP bytes) */
	uint8_t data[];
};

struct fifo {
	struct frame *head, *tail;
	uint32_t frames;
	uint64_t bytes;		/* Ethernet bytes */
};

struct port {
	struct link *link;
	int fd;			/* -1: no TAP attached */
	uint8_t side;
	bool dead;		/* read error or hangup: out of epoll, acts detached */
	int8_t carrier;		/* last TUNSETCARRIER sent; -1 unknown */
	int8_t offload;		/* last TUNSETOFFLOAD sent; -1 unknown */
	char ifname[16];
};

struct direction {
	struct link *link;
	uint8_t idx;		/* 0: side 0 -> side 1; 1: side 1 -> side 0 */
	bool transparent;	/* model_transparent(&p) */
	bool fast;		/* transparent and nothing held: write straight through */
	struct link_params p;
	struct fifo queue;	/* waiting for the shaper (rate_bps set) */
	struct fifo line;	/* delay line, delivery times non-decreasing */
	struct fifo express;	/* frames skipping the delay line (reorder) */
	struct model_tb tb;
	struct model_trace *trace;	/* replaces tb when set (shared, refcounted) */
	struct model_ts ts;
	struct model_codel codel;
	struct model_ge ge;
	struct model_rng rng;
	uint64_t last_deliver;
	uint64_t deadline;	/* next event; valid while heap_idx >= 0 */
	int heap_idx;		/* position in the worker's timer heap, -1 none */
	struct eng_dir_stats st;
	uint64_t cap_frames, cap_dropped;	/* see struct eng_link_more */
};

struct link {
	uint64_t id;
	char name[64];
	bool up;
	struct worker *w;
	struct port port[2];
	struct direction dir[2];
	struct capture *cap;		/* pcapng capture in progress, or NULL */
	struct link *prev, *next;	/* the worker's list */
};

/* ---- link.c: a link on its worker --------------------------------------- */

struct link *link_new(uint64_t id, const char *name, const struct link_params p[2],
		      bool up);
/* Close the ports, drop every held frame, free. NULL is a no-op. */
void link_free(struct link *l);
/* The commands, run on the link's worker. Return 0 or -errno. */
void link_start(struct link *l, struct worker *w);
void link_stop(struct link *l);
int link_attach(struct link *l, int side, int fd);
int link_detach(struct link *l, int side);
int link_set(struct link *l, uint8_t dirmask, uint32_t mask,
	     const struct link_params p[2]);
void link_set_up(struct link *l, bool up);
void link_stats(const struct link *l, struct eng_reply *rep);
/* Follow trace tr (NULL: the token bucket again) in the directions of
 * dirmask, from now on. Takes a reference for each direction. */
void link_set_trace(struct link *l, uint8_t dirmask, struct model_trace *tr);
/* The TAP of port pt is readable (events from epoll). */
void port_event(struct port *pt, uint32_t events);

/* ---- direction.c: the pipeline of one direction ------------------------ */

void direction_init(struct direction *d, struct link *l, int idx, const struct link_params *p);
/* A frame (n bytes at buf, parsed into *f) entered at now. buf is the
 * worker's read buffer: it is copied only if the frame must wait. */
void direction_input(struct direction *d, uint8_t *buf, size_t n, const struct model_frame *f);
/* Move every frame due by now one stage on, then re-arm the direction's
 * timer. Called on timer expiry and after any change. */
void direction_run(struct direction *d, uint64_t now);
/* Parameters changed (d->p already updated) at now. */
void direction_params_changed(struct direction *d, const struct link_params *old, uint64_t now);
/* Switch to trace tr (NULL: none) at now; queued frames are re-timed. */
void direction_set_trace(struct direction *d, struct model_trace *tr, uint64_t now);
/* Drop every held frame, counted as `cause`. */
void direction_flush(struct direction *d, enum eng_drop_cause cause);
uint32_t direction_held_frames(const struct direction *d);
uint64_t direction_held_bytes(const struct direction *d);

/* ---- capture.c: pcapng of delivered frames -------------------------------- */

/*
 * Start capturing link l into fd (the write end of a pipe, made
 * non-blocking here; owned by the capture from then on, also on failure):
 * the section and interface headers are written at once, then one
 * Enhanced Packet Block per frame the directions in dirmask deliver, until
 * count frames (0: no limit) or capture_stop. label0 names direction 0
 * ("r1>r2"; direction 1 gets the reverse). -EBUSY when a capture whose
 * reader is still there runs.
 */
int capture_start(struct link *l, int fd, uint8_t dirmask, uint32_t count,
		  const char *label0);
/* End the capture of l (none: no-op): close the pipe once what was
 * written is complete, so the reader sees a well-formed stream and EOF. */
void capture_stop(struct link *l);
/* Direction d of l wrote frame (Ethernet bytes, no virtio header) to its
 * egress TAP; called only while l->cap is set. */
void capture_frame(struct link *l, int d, const uint8_t *frame, size_t len);
/* The capture pipe became writable. */
void capture_event(struct capture *c);
/* Directions being captured now (0: none). */
uint8_t capture_dirmask(const struct link *l);

/* ---- worker.c ----------------------------------------------------------- */

uint64_t engine_now(void);	/* CLOCK_MONOTONIC, ns */
/* Next event of d at deadline (0: none). */
void worker_timer_set(struct worker *w, struct direction *d, uint64_t deadline);
int worker_epoll_add(struct worker *w, struct port *pt);
/* The worker's read buffer, ENGINE_RXBUF bytes. */
uint8_t *worker_rxbuf(struct worker *w);
void worker_epoll_del(struct worker *w, struct port *pt);
/* Watch fd of capture c for EPOLLOUT (on = 1) or stop (on = 0). */
int worker_epoll_capture(struct worker *w, int fd, struct capture *c, int on);

#endif
