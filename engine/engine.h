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
 *   struct port       one end, side 0 or 1: a device of some kind (a TAP),
 *                     read and written through its struct port_class
 *                     (port.c; the TAP in port_tap.c)
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
#include <sys/types.h>

#include "engine_proto.h"
#include "linkparams.h"
#include "linkmodel.h"

/* Largest frame read from a port: virtio header + 64 KB GSO super-frame +
 * room to notice truncation. */
#define ENGINE_RXBUF (128 * 1024)
/* Frames a port may read per wakeup before the worker turns to others. */
#define ENGINE_RX_BUDGET 64
/* Frames a direction may hold in its delay line (memory safety net: the
 * shaper's queue has its own limit, the delay line holds rate x delay). */
#define ENGINE_LINE_MAX 131072

struct worker;
struct link;
struct port;

struct frame {
	struct frame *next;
	uint64_t arrival;	/* read from the ingress port */
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

/*
 * A kind of port, in the way of Open vSwitch's netdev_class: how frames
 * enter and leave one end of a link. port.c finds the class of a
 * descriptor's kind (enum eng_port_kind, which also gives its name); the
 * code of a link and its directions calls only these. Frames are always
 * a struct virtio_net_hdr (MODEL_VNET_HDR_LEN bytes) and an Ethernet
 * frame, as a TAP with IFF_VNET_HDR has them; a kind without that header
 * adds and strips it. Every function runs on the link's worker.
 */
struct port_class {
	enum eng_port_kind kind;
	/* Make pt the port desc describes, with fd (-1: none came with the
	 * request): check both, set pt->fd (the descriptor the worker polls
	 * for input, -1: none), pt->name and pt->priv. pt is moved into
	 * place after this returns: keep no pointer to it. 0, or -errno with
	 * nothing kept: fd is still the caller's. */
	int (*open)(struct port *pt, const struct eng_port *desc, int fd);
	/* Read one frame into buf (size bytes). Its length (size or more:
	 * too long, dropped as malformed), or -errno: -EAGAIN when there is
	 * none waiting. */
	ssize_t (*recv)(struct port *pt, uint8_t *buf, size_t size);
	/* Write one frame of n bytes. 0 or -errno. */
	int (*send)(struct port *pt, const uint8_t *buf, size_t n);
	/* Carrier on or off, as the device on the other side sees it. 0 or
	 * -errno. NULL: the kind has no carrier. */
	int (*set_carrier)(struct port *pt, bool on);
	/* Offloads on: the port may hand over GSO super-frames with partial
	 * checksums; off: only MTU-sized frames with complete checksums.
	 * 0 or -errno. NULL: the kind never hands over super-frames. */
	int (*set_offload)(struct port *pt, bool on);
	/* Release pt->fd (when >= 0) and pt->priv. later: the descriptor may
	 * be closed on the closing thread (reaper.c), after this returns. */
	void (*close)(struct port *pt, bool later);
};

struct port {
	struct link *link;
	const struct port_class *cls;	/* NULL: nothing attached */
	void *priv;		/* the kind's own state, owned by cls */
	int fd;			/* polled for input; -1: none */
	uint8_t side;
	bool dead;		/* read error or hangup: out of epoll, acts detached */
	int8_t carrier;		/* last carrier set; -1 unknown */
	int8_t offload;		/* last offload setting; -1 unknown */
	char name[48];		/* for the log: "tap r1-eth0" */
};

/* Attached and working: frames may be sent to it. */
static inline bool port_attached(const struct port *pt)
{
	return pt->cls && !pt->dead;
}

struct direction {
	struct link *link;
	uint8_t idx;		/* 0: side 0 -> side 1; 1: side 1 -> side 0 */
	bool transparent;	/* model_transparent(&p) */
	bool fast;		/* transparent and nothing held: send straight through */
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
	bool resuming;			/* re-attached after an engine restart: the
					 * carrier stays as it is until both sides are */
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
/* The port desc describes (with fd, -1 none) becomes side `side`,
 * replacing the one there. On success the port owns fd. */
int link_attach(struct link *l, int side, const struct eng_port *desc, int fd);
int link_detach(struct link *l, int side);
/* A copy of the fd of side's port (-ENOENT none, -EOPNOTSUPP no fd). */
int link_port_fd(const struct link *l, int side);
int link_set(struct link *l, uint8_t dirmask, uint32_t mask,
	     const struct link_params p[2]);
void link_set_up(struct link *l, bool up);
void link_stats(const struct link *l, struct eng_reply *rep);
/* Follow trace tr (NULL: the token bucket again) in the directions of
 * dirmask, from now on. Takes a reference for each direction. */
void link_set_trace(struct link *l, uint8_t dirmask, struct model_trace *tr);
/* Make carrier and offloads of both ports match the link's state. */
void link_sync_ports(struct link *l);

/* ---- port.c: one end of a link, of any kind ---------------------------- */

/* Can this engine make a port of desc? 0, -EOPNOTSUPP for a kind (or a
 * flag) it does not know or implement, -EINVAL for reserved bytes set. */
int port_check(const struct eng_port *desc);
void port_init(struct port *pt, struct link *l, int side);
/* Make pt the port desc describes, with fd (-1: none), in place of the
 * port it had, and poll it. 0, or -errno with fd still the caller's: pt
 * is as it was when the kind refuses desc or fd, and detached when the
 * new port cannot be polled. */
int port_open(struct port *pt, const struct eng_port *desc, int fd);
/* Stop polling pt and release its device (none attached: no-op). later:
 * see struct port_class. */
void port_close(struct port *pt, bool later);
/* Set carrier and offloads to on/off unless they are so already; a
 * failure is logged. */
void port_set_carrier(struct port *pt, bool on);
void port_set_offload(struct port *pt, bool on);
/* Send a frame of n bytes; 0 or -errno. */
static inline int port_send(struct port *pt, const uint8_t *buf, size_t n)
{
	return pt->cls->send(pt, buf, n);
}
/* pt is readable (events from epoll): feed its frames to the direction
 * it is the ingress of. */
void port_event(struct port *pt, uint32_t events);

/* ---- port_tap.c --------------------------------------------------------- */

extern const struct port_class port_tap_class;

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
/* Direction d of l sent frame (Ethernet bytes, no virtio header) to its
 * egress port; called only while l->cap is set. */
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
