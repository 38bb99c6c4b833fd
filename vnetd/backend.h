/*
 * backend.h - the node backend interface: how a node (a router or a host)
 * is made, started, paused, entered and taken apart, as one table of
 * operations, in the style of Open vSwitch's netdev_class or iproute2's
 * link kinds. node.c drives the life of a node through this table and
 * nothing else; it never assumes that a node is a set of namespaces.
 *
 * The first implementation is the container (backend_container.c: Linux
 * namespaces made with clone, a cgroup, TAP ports, rtnetlink); a QEMU
 * virtual machine is meant to be the second (its ports would be the
 * sockets of its NICs, its tables read by a guest agent). So the interface
 * speaks of files, interfaces, addresses, processes and tables, never of
 * namespaces, cgroups or TAP devices; what a backend needs to keep is in
 * its own opaque struct node_inst.
 *
 * The life of one instance (docs/design.md, "Node backends"):
 *
 *              start()                        pause(1)
 *   (none) -------------> RUNNING -----------------------> PAUSED
 *      ^   <-------------    |    <-----------------------   |
 *      |      stop()         |           pause(0)            |
 *      |                     | iface_add(), exec(),          |
 *      |                     | limits(), tables_*(), ...     |
 *      +---------------------+---------------- stop() -------+
 *
 *   adopt() makes the instance of a node that an earlier vnetd of the
 *   same prefix left running (state RUNNING or PAUSED, as recorded),
 *   from what runtime() returned then; forget() removes the remains of a
 *   node that could not be adopted.
 *
 * start() either returns a running instance or leaves nothing behind.
 * stop() always succeeds and frees the instance; the interfaces go with
 * it (the engine sees their ports close). Operations other than start,
 * adopt, probe and forget take a live instance.
 */
#ifndef VNETD_BACKEND_H
#define VNETD_BACKEND_H

#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "addr.h"
#include "vnet.h"

struct node_inst;

/* What a node is started with. */
struct node_boot {
	const char *prefix;		/* the daemon's name for its objects */
	const char *net, *name;		/* "red", "r1"; the hostname is name */
	const char *dir;		/* the node's directory under the state dir */
	int router;			/* forwards IPv4 and IPv6 */
	uint32_t ecmp_seed;		/* multipath hash seed; 0: the platform's */
	uint32_t cpu_pct;		/* percent of one CPU; 0: no limit */
	uint64_t mem_bytes;		/* 0: no limit */
	const struct vnet_addr *lo;	/* loopback addresses (routers) */
	int nlo;
	const char *hosts_file;		/* becomes /etc/hosts inside */
	const char *bird_dir;		/* becomes /etc/bird inside, or NULL */
};

/* One interface of a node: its end of a link. */
struct node_iface {
	const char *ifname;		/* "eth0" */
	const uint8_t *mac;		/* 6 bytes */
	unsigned mtu;
	const struct vnet_addr *addr;	/* with prefix lengths */
	int naddr;
	const struct vnet_addr *gw;	/* default routes via these, where an */
	int ngw;			/* address of the interface holds them */
};

/* What the engine carries for an interface: a port of kind `kind` whose
 * frames travel through fd. The fd is the caller's to pass on and close. */
struct node_port {
	int kind;			/* the engine's port kind; 0 is a TAP */
	int fd;
};

struct node_stats {
	uint64_t cpu_ns;		/* CPU time used since start */
	uint64_t mem_bytes;		/* memory in use now */
};

/* Tables a node can give back and be given: its routes (main table, as
 * in an image's nodes/NAME.json) and its neighbours. */
enum node_table {
	NODE_TABLE_ROUTES,
	NODE_TABLE_NEIGHBOURS,
};

/* How a tables_put() went: entries in, in but on an interface without
 * carrier (yet), refused. */
struct node_put_count {
	int ok, nocarrier, failed;
	char first_error[160];		/* the first refusal, for the log */
};

struct node_class {
	const char *name;		/* "container" */

	/* Once per daemon: make what every node of prefix needs. */
	int (*setup)(const char *prefix, struct vnet_err *err);
	/* Remove everything of prefix (a crashed daemon's leftovers): how
	 * many objects went, or -1. */
	int (*cleanup)(const char *prefix);

	int (*start)(const struct node_boot *b, struct node_inst **out, struct vnet_err *err);
	void (*stop)(struct node_inst *in, int timeout_ms);
	/* A running node's record for its adoption by a later vnetd, and the
	 * adoption; probe() tells whether the recorded node still runs. */
	json_t *(*runtime)(const struct node_inst *in);
	int (*probe)(const struct node_boot *b, const json_t *rt);
	int (*adopt)(const struct node_boot *b, const json_t *rt, struct node_inst **out,
		     struct vnet_err *err);
	void (*forget)(const struct node_boot *b);

	/* The process whose end is the node's end (its init, its emulator):
	 * vnetd watches it. */
	pid_t (*pid)(const struct node_inst *in);
	int (*pause)(struct node_inst *in, int pause, struct vnet_err *err);
	/* Run argv inside the node as a child of the caller, so that its exit
	 * is seen like any child's; stdout and stderr to log (NULL: none). */
	int (*exec)(struct node_inst *in, const char *const argv[], const char *log,
		    pid_t *pid, struct vnet_err *err);
	/* What a client needs to enter the node itself (`vnet exec`), as
	 * fields of the node's API object. */
	json_t *(*exec_info)(const struct node_inst *in);
	/* A file inside the node, read whole (malloc'ed, NUL-terminated);
	 * 0 or -errno. */
	int (*read_file)(const struct node_inst *in, const char *path, char **text);

	/* Make interface ifc, up, with its addresses (and default routes),
	 * and give its port to the caller. */
	int (*iface_add)(struct node_inst *in, const struct node_iface *ifc,
			 struct node_port *port, struct vnet_err *err);
	int (*iface_mtu)(struct node_inst *in, const char *ifname, unsigned mtu);
	/* 1 when ifname has carrier as the node sees it, 0 not yet, -errno. */
	int (*iface_carrier)(struct node_inst *in, const char *ifname);

	int (*limits)(struct node_inst *in, uint32_t cpu_pct, uint64_t mem_bytes,
		      struct vnet_err *err);
	int (*stats)(const struct node_inst *in, struct node_stats *st);

	/* The node's table of the address families in fam[] as a JSON array
	 * (the image format's entries, in a stable order), or NULL with err. */
	json_t *(*tables_get)(struct node_inst *in, enum node_table t, const int *fam,
			      int nfam, struct vnet_err *err);
	/* Install the entries of a JSON array from tables_get(). Neighbours
	 * wait, per interface, until it has carrier or deadline (monotonic
	 * ms) passes. 0, or -1 when nothing could be done at all. */
	int (*tables_put)(struct node_inst *in, enum node_table t, const json_t *entries,
			  int64_t deadline, struct node_put_count *c);
};

extern const struct node_class container_class;

/* The backend of a name ("container"), or NULL. */
const struct node_class *node_class_find(const char *name);

#endif
