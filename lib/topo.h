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
};

struct topo_link {
	char name[VNET_LINK_NAME_MAX];	/* "a-b" unless given with name: */
	int end[2];			/* indices into topo_net.nodes */
	struct link_params dir[2];	/* dir[0]: end[0] -> end[1] */
	int down;			/* initial state: 1 = administratively down */
	struct topo_pos pos;
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

/* Deep copy of one network (for live edits: change a copy, check, swap). */
int topo_net_dup(const struct topo_net *src, struct topo_net *dst);
void topo_net_clear(struct topo_net *n);

#endif
