/*
 * engine_proto.h - the control protocol between vnetd and vnet-engine.
 *
 * vnetd talks to its engine over a Unix SOCK_SEQPACKET socket: one request
 * message, one reply message, in order. Messages are fixed-size C structs
 * (both processes are built from the same tree and run on the same host);
 * every message starts with struct eng_hdr whose version must match.
 * Port descriptors (a TAP) travel with ENG_PORT_ATTACH as SCM_RIGHTS, and
 * so do the capture pipe of ENG_CAPTURE_START and the trace memfd of
 * ENG_LINK_TRACE. Message types are only ever appended, so an engine
 * answers a type it does not know with -EOPNOTSUPP. The sizes of the
 * messages are pinned below: changing one changes ENG_PROTO_VERSION, and
 * the two sides then refuse each other's messages (-EPROTO for a size,
 * -EPROTONOSUPPORT for a version) instead of misreading them.
 *
 * Versions: 1 the first; 2 adds struct eng_port to the request (ports of
 * other kinds than a TAP: see ENG_PORT_KINDS).
 *
 * A link is identified by a 64-bit id chosen by vnetd (unique per daemon).
 * Side 0 and side 1 are its two ends; direction 0 carries frames read on
 * side 0 and written to side 1, direction 1 the reverse.
 *
 * engine_proto.c holds the printable names of the enums below;
 * engine_client.h builds the requests.
 */
#ifndef VNET_ENGINE_PROTO_H
#define VNET_ENGINE_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "linkparams.h"

#define ENG_PROTO_VERSION 2

#define ENG_MSG_TYPES(X) \
	X(HELLO)	/* -> reply carries engine pid, nlinks */ \
	X(LINK_ADD)	/* create link `id` with params for both directions, state down */ \
	X(LINK_DEL)	/* remove link, close its ports' fds */ \
	X(PORT_ATTACH)	/* `port` becomes `side` (replacing what was there); a TAP: its \
			   fd (IFF_TAP|IFF_NO_PI|IFF_VNET_HDR) as SCM_RIGHTS */ \
	X(PORT_DETACH)	/* close the port of `side`; peer sees carrier down */ \
	X(LINK_SET)	/* apply params[d] to direction d where dirmask has bit d, fields in `mask` */ \
	X(LINK_STATE)	/* up = 1 / 0: administrative state; down drops frames, carrier off on both */ \
	X(LINK_STATS)	/* -> reply carries stats of both directions */ \
	X(LINK_LIST)	/* -> reply: ids of links, in chunks (offset in `id`) */ \
	X(SHUTDOWN)	/* close everything and exit 0 */ \
	X(CAPTURE_START) /* SCM_RIGHTS: write end of a pipe; pcapng of the frames the \
			    directions in dirmask deliver, `count` frames (0: until \
			    CAPTURE_STOP); name = label of direction 0 ("r1>r2") */ \
	X(CAPTURE_STOP)	/* end the link's capture, close the pipe (reader sees EOF) */ \
	X(LINK_TRACE)	/* SCM_RIGHTS: memfd of uint32 ms delivery opportunities \
			   (mahimahi trace) for the directions in dirmask; no fd: \
			   back to the token bucket */ \
	X(PORT_GET)	/* -> reply carries, as SCM_RIGHTS, a copy of the fd of the \
			   port of `side` (a restarted vnetd takes its copies back); \
			   -ENOENT no port there, -EOPNOTSUPP a kind without an fd */

enum eng_msg_type {
#define X(e) ENG_##e,
	ENG_MSG_TYPES(X)
#undef X
	ENG__COUNT
};

struct eng_hdr {
	uint16_t version;	/* ENG_PROTO_VERSION */
	uint16_t type;		/* enum eng_msg_type */
	uint32_t seq;		/* echoed in the reply */
};

/*
 * PORT_ATTACH: what the port is. A kind whose device comes as a file
 * descriptor (TAP, QEMU socket) needs nothing more; a tunnel end (VXLAN)
 * has its addresses here. Kind 0 is a TAP, so a zeroed descriptor (every
 * request built before version 2) still means a TAP. Fields a kind does
 * not use, `flags` and `reserved` must be 0. The engine answers a kind it
 * does not implement with -EOPNOTSUPP.
 */
#define ENG_PORT_KINDS(X) \
	X(TAP, "tap")		/* a TAP device, its fd passed with the request \
				   (IFF_TAP|IFF_NO_PI|IFF_VNET_HDR: frames after a \
				   10-byte virtio_net_hdr) */ \
	X(VXLAN, "vxlan")	/* planned: a VXLAN tunnel end (RFC 7348): frames \
				   in VNI `vni` to and from `remote`:`udp_port`, \
				   sent from `local` */ \
	X(QEMU_SOCKET, "qemu_socket")	/* planned: the socket of a QEMU NIC, its \
				   fd passed with the request (-netdev stream: \
				   4-byte length before each frame; dgram: a \
				   frame per datagram) */

enum eng_port_kind {
#define X(e, s) ENG_PORT_##e,
	ENG_PORT_KINDS(X)
#undef X
	ENG_PORT__COUNT
};

/* The device was a port of this link before: the engine restarted and its
 * controller attaches the same device again. Its carrier is left as the
 * device has it while the link waits for its other side, so that the
 * node at that end sees no flap. */
#define ENG_PORT_F_RESUME 1u

#define ENG_VXLAN_PORT 4789	/* IANA's VXLAN port: udp_port 0 means this */

struct eng_port {
	uint8_t kind;		/* enum eng_port_kind; 0 = TAP */
	uint8_t family;		/* VXLAN: AF_INET or AF_INET6 of remote and local */
	uint16_t udp_port;	/* VXLAN: UDP port sent to and received on (as
				   Linux's vxlan dstport), host order; 0 =
				   ENG_VXLAN_PORT */
	uint32_t vni;		/* VXLAN: network identifier, 24 bits (< 1 << 24) */
	uint8_t remote[16];	/* VXLAN: the remote end's address, network order
				   (AF_INET: the first 4 bytes, the rest 0) */
	uint8_t local[16];	/* VXLAN: the address to send from, as remote;
				   all 0: the kernel chooses */
	uint32_t flags;		/* ENG_PORT_F_*, the others 0 */
	uint8_t reserved[20];	/* room for later fields: 0 */
};

struct eng_req {
	struct eng_hdr h;
	uint64_t id;		/* link id */
	uint8_t side;		/* 0 or 1 (PORT_*) */
	uint8_t dirmask;	/* LINK_SET, CAPTURE_START, LINK_TRACE: bit 0 = direction
				   0, bit 1 = direction 1 */
	uint8_t up;		/* LINK_STATE, and initial state of LINK_ADD */
	uint8_t pad;
	union {
		uint32_t mask;	/* LINK_SET: LINKP_BIT()s of the fields to change */
		uint32_t count;	/* CAPTURE_START: frames to capture, 0 = no limit */
	};
	struct link_params params[2];	/* LINK_ADD, LINK_SET: per direction */
	char name[64];		/* LINK_ADD: for the engine's log ("red/r1-r2");
				   CAPTURE_START: label of direction 0 ("r1>r2");
				   need not end in a NUL */
	struct eng_port port;	/* PORT_ATTACH (version 2) */
};

/* Counters of one direction, monotonically increasing since LINK_ADD. */
#define ENG_DROP_CAUSES(X) \
	X(QUEUE, "queue") \
	X(LOSS, "loss") \
	X(BURST_LOSS, "burst_loss") \
	X(MTU, "mtu") \
	X(CARRIER, "carrier") \
	X(DOWN, "down") \
	X(MALFORMED, "malformed") \
	X(WRITE, "write")

enum eng_drop_cause {
#define X(e, s) ENG_DROP_##e,
	ENG_DROP_CAUSES(X)
#undef X
	ENG_DROP__COUNT
};

struct eng_dir_stats {
	uint64_t rx_frames, rx_bytes;	/* read from the ingress TAP */
	uint64_t tx_frames, tx_bytes;	/* written to the egress TAP */
	uint64_t drops[ENG_DROP__COUNT];
	uint64_t duplicated, corrupted, reordered;
	uint32_t queue_frames;		/* now waiting in queue + delay line */
	uint32_t queue_bytes;
};

#define ENG_LIST_MAX 64
/* Longest trace of LINK_TRACE, in delivery opportunities. */
#define ENG_TRACE_MAX 10000000u

/*
 * LINK_STATS, CAPTURE_START and CAPTURE_STOP: what struct eng_dir_stats
 * does not hold (kept out of it so that its size, and the protocol, stay
 * as they were). Counters per direction, monotonic since LINK_ADD.
 */
struct eng_link_more {
	uint64_t capture_frames[2];	/* written to a capture pipe */
	uint64_t capture_dropped[2];	/* delivered but not captured: pipe full */
	uint32_t trace_len[2];		/* opportunities of the direction's trace, 0 none */
	uint8_t capture_dirmask;	/* directions being captured now */
	uint8_t pad[7];
};

struct eng_reply {
	struct eng_hdr h;
	int32_t status;		/* 0 or -errno */
	uint32_t count;		/* LINK_LIST: ids in this chunk; HELLO: nlinks */
	int32_t pid;		/* HELLO */
	uint8_t attached[2];	/* LINK_STATS: is side 0/1 bound to a TAP */
	uint8_t up;		/* LINK_STATS */
	uint8_t pad;
	struct eng_dir_stats stats[2];
	union {
		uint64_t ids[ENG_LIST_MAX];	/* LINK_LIST */
		struct eng_link_more more;	/* LINK_STATS, CAPTURE_* */
	};
};

/* The sizes on the wire; a change here is a new ENG_PROTO_VERSION. */
_Static_assert(sizeof(struct eng_hdr) == 8, "eng_hdr is 8 bytes");
_Static_assert(sizeof(struct eng_port) == 64, "eng_port is 64 bytes");
_Static_assert(sizeof(struct link_params) == 80, "link_params is 80 bytes");
_Static_assert(sizeof(struct eng_req) == 312, "eng_req is 312 bytes (version 2)");
_Static_assert(offsetof(struct eng_req, port) == 248, "version 2 appended eng_port");
_Static_assert(sizeof(struct eng_dir_stats) == 128, "eng_dir_stats is 128 bytes");
_Static_assert(sizeof(struct eng_link_more) == 48, "eng_link_more is 48 bytes");
_Static_assert(sizeof(struct eng_reply) == 792, "eng_reply is 792 bytes");

/* Printable names ("PORT_ATTACH", "tap", "queue"); "?" out of range. */
const char *eng_msg_name(unsigned type);
const char *eng_port_kind_name(unsigned kind);
const char *eng_drop_name(unsigned cause);
/* The kind named s ("tap"), or -1. */
int eng_port_kind_parse(const char *s);

#endif
