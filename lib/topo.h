/*
 * topo.h - the topology model: virtual networks, their nodes and links, as
 * read from a YAML topology file (see docs/topology.md).
 *
 * topo_parse() reads and validates a whole file. Validation is complete
 * before anything is returned: unknown keys, wrong types, bad units,
 * duplicate names, links to undefined nodes, self-loops, a disconnected
 * overlay, an unreadable BIRD config file. Every error names the file, line
 * and column and the expected form, e.g.
 *   seed.yaml:12:18: bad bandwidth '100mbits': expected a rate such as 100mbit ...
 * The address plan (and "prefix too small") is checked by plan_make().
 */
#ifndef VNET_TOPO_H
#define VNET_TOPO_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "linkparams.h"
#include "vnet.h"

#define TOPO_PROTOS(X) \
	X(NONE, "none") \
	X(STATIC, "static") \
	X(OSPF, "ospf") \
	X(RIP, "rip") \
	X(BABEL, "babel")

enum topo_proto {
#define X(e, s) TOPO_PROTO_##e,
	TOPO_PROTOS(X)
#undef X
	TOPO_PROTO__COUNT
};

const char *topo_proto_name(enum topo_proto p);
int topo_proto_lookup(const char *s);	/* -1 when unknown */

enum topo_kind { TOPO_ROUTER, TOPO_HOST };

struct topo_pos {
	int line, col;		/* 1-based; 0 = unknown */
};

struct topo_node {
	char name[VNET_NAME_MAX];
	enum topo_kind kind;
	uint32_t cpu_pct;	/* percent of one CPU; 0 = no limit */
	uint64_t mem_bytes;	/* 0 = no limit */
	char *config_path;	/* user's BIRD config (absolute), or NULL */
	char *config;		/* its contents, read at parse time, or NULL */
	struct topo_pos pos;
	uint32_t slot;		/* routers: loopback number (topo_net.numbered) */
	char host[VNET_NAME_MAX];	/* pinned to this physical host; "" anywhere */
};

/*
 * A link's profile is a list of timed steps (docs/topology.md, "Profiles").
 * Step k is in force from at_ns after the profile starts (in every period
 * when it repeats) until the next step: it sets the properties in mask[d]
 * of direction d to their values in p[d] and leaves every other property
 * alone. The reader resolves each step completely: mask[d] is every
 * property some step of the profile names in direction d, and a property
 * the step itself does not name takes the link's own value, so a step never
 * depends on the steps before it. Fields of p[d] outside mask[d] hold the
 * defaults.
 */
#define TOPO_PROFILE_MAX_STEPS 1024		/* per link */
#define TOPO_PROFILE_MAX_TOTAL 65536		/* per topology */
#define TOPO_PROFILE_MIN_GAP_NS 100000000ull	/* 100 ms between steps */
#define TOPO_PROFILE_MAX_NS (365ull * 86400 * 1000000000)	/* at, period */

struct topo_step {
	uint64_t at_ns;			/* since the start of the (current) period */
	struct link_params p[2];
	uint32_t mask[2];		/* LINKP_BIT()s set by the step */
};

struct topo_link {
	char name[VNET_LINK_NAME_MAX];	/* "a-b" unless given with name: */
	int end[2];			/* indices into topo_net.nodes */
	struct link_params dir[2];	/* dir[0]: end[0] -> end[1] */
	int down;			/* initial state: 1 = administratively down */
	struct topo_pos pos;
	struct topo_step *profile;	/* owned; NULL when the link has none */
	int nprofile;
	uint64_t period_ns;		/* with repeat: length of one cycle, else 0 */
	int repeat;			/* 1 = start over every period_ns */
	uint32_t slot;			/* link subnet number (topo_net.numbered) */
	int ifn[2];			/* interface ethN of each end (numbered) */
};

struct topo_net {
	char name[VNET_NAME_MAX];
	enum topo_proto proto;
	struct vnet_addr prefix[2];	/* at most one IPv4 and one IPv6 */
	int nprefix;
	struct topo_node *nodes;	/* routers first (file order), then hosts */
	int nnodes;
	struct topo_link *links;	/* file order */
	int nlinks;
	struct topo_pos pos;
	/* 1: the slots and ifn of nodes and links are set and the plan uses
	 * them, so that live edits (vnetd/live.c) keep every other address and
	 * interface name. 0 (networks built by hand): the plan numbers by
	 * order, as topo_net_number() would. */
	int numbered;
	/* numbered: the lowest slot a new router ([0]) or link ([1]) may take.
	 * A removed item's slot is not given again while the network exists,
	 * so a new router never takes a departed one's loopback, which is also
	 * its OSPF router ID: the others still hold the departed router's LSAs
	 * with higher sequence numbers, and BIRD takes several MinLSIntervals
	 * to outbid them. */
	uint32_t next_slot[2];
};

struct topo {
	char *file;			/* as given, for messages */
	struct topo_net *nets;		/* file order */
	int nnets;
};

/* Parse and validate a topology. `name` is used in messages, `basedir`
 * resolves relative config paths. Returns 0 and *out, or -1 and err. */
int topo_parse_buf(const char *buf, size_t len, const char *name,
		   const char *basedir, struct topo **out, struct vnet_err *err);
int topo_parse_file(const char *path, struct topo **out, struct vnet_err *err);
void topo_free(struct topo *t);

/* Lookups; -1 when absent. */
int topo_node_find(const struct topo_net *n, const char *name);
int topo_link_find(const struct topo_net *n, const char *name);

/* Validate one network on its own (names, ends, self-loops, duplicates,
 * connectivity). Used by topo_parse_*() and after live edits. */
int topo_net_check(const struct topo_net *n, const char *file, struct vnet_err *err);

/* Check one link's profile (steps, times, period); used by topo_net_check().
 * Fills msg (without a position) and returns -1 when it is not valid. */
int topo_profile_check(const struct topo_link *l, char *msg, size_t n);

/* *dst = *src with copies of its own of what src points to (a node's
 * config strings, a link's profile). 0, or -1 when out of memory with
 * nothing in *dst to free. */
int topo_node_copy(struct topo_node *dst, const struct topo_node *src);
int topo_link_copy(struct topo_link *dst, const struct topo_link *src);
/* Deep copy of one network (for live edits: change a copy, check, swap). */
int topo_net_dup(const struct topo_net *src, struct topo_net *dst);
void topo_net_clear(struct topo_net *n);

/* topo_edit.c: stable numbering and live edits of one network. */
/* Give every router and link its default slot (router ordinal, link index)
 * and every link end its ethN by link order; sets numbered. */
void topo_net_number(struct topo_net *n);
/* The lowest slot above every router (k = 0) or link (k = 1) slot in use. */
uint32_t topo_net_slots_above(const struct topo_net *n, int k);
/* Slots unique, ifn unique per node (numbered networks); 0 or -1 + err. */
int topo_net_check_numbers(const struct topo_net *n, const char *file,
			   struct vnet_err *err);
/* Add a node (routers before hosts; link ends are re-indexed) with the
 * next slot never given (next_slot); its index or -1 (no memory). nd is
 * copied, its strings taken over. */
int topo_net_add_node(struct topo_net *n, const struct topo_node *nd);
/* Add a link between nodes a and b with the next slot never given and the next
 * free ethN at each end; its index or -1. l is copied (ends, slot and ifn
 * are set here), its profile taken over. */
int topo_net_add_link(struct topo_net *n, const struct topo_link *l, int a, int b);
void topo_net_del_link(struct topo_net *n, int j);
/* Remove node i; it must end no link. */
void topo_net_del_node(struct topo_net *n, int i);

#endif
