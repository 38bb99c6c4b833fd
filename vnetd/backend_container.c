/*
 * backend_container.c - the container node backend (backend.h): a node is
 * a set of Linux namespaces (network, mount, UTS, IPC, PID) around a small
 * init, made with clone (container.c), in a cgroup of its own (cgroup.c);
 * its interfaces are TAP devices in its network namespace, configured and
 * read over rtnetlink (nl.c, tap.c).
 *
 * The instance keeps the init's pid, an fd of the network namespace and
 * the cgroup. The init carries the label "vnet-init PREFIX:NET/NODE" in
 * its argv, which is how a restarted vnetd recognises (adopt) or removes
 * (forget, cleanup) the nodes of its prefix.
 */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "log.h"
#include "nl.h"
#include "sys.h"
#include "tables.h"
#include "tap.h"

struct node_inst {
	pid_t init_pid;
	int netns_fd;
	int paused;
	struct cgroup *cg;
	char what[2 * VNET_NAME_MAX + 2];	/* "red/r1", for messages */
};

static int ct_setup(const char *prefix, struct vnet_err *err)
{
	return cgroup_setup(prefix, err);
}

static int ct_cleanup(const char *prefix)
{
	return cgroup_cleanup_prefix(prefix);
}

static struct node_inst *inst_new(const struct node_boot *b, struct vnet_err *err)
{
	struct node_inst *in = calloc(1, sizeof(*in));

	if (!in) {
		vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
		return NULL;
	}
	in->netns_fd = -1;
	snprintf(in->what, sizeof(in->what), "%s/%s", b->net, b->name);
	return in;
}

/* Everything of the instance goes: processes, namespaces, cgroup. */
static void ct_stop(struct node_inst *in, int timeout_ms)
{
	if (!in)
		return;
	if (in->paused && in->cg)
		cgroup_freeze(in->cg, 0);	/* frozen processes cannot die */
	if (in->netns_fd >= 0)
		close(in->netns_fd);
	if (in->init_pid > 0)
		container_stop(in->init_pid, timeout_ms);
	cgroup_free(in->cg);
	free(in);
}

static int lo_configure(struct node_inst *in, const struct node_boot *b, struct vnet_err *err)
{
	char buf[VNET_ADDRSTRLEN];
	struct nl *nl;
	int rc = 0;

	if (!b->nlo)
		return 0;
	if (!(nl = nl_open(in->netns_fd)))
		return vnet_errf(err, "netlink in %s: %s", in->what, strerror(errno));
	for (int k = 0; k < b->nlo && rc == 0; k++)
		if ((rc = nl_addr_add(nl, 1, &b->lo[k])) < 0)
			vnet_errf(err, "cannot add %s to lo in %s: %s",
				  addr_fmt(&b->lo[k], buf, sizeof(buf), 1), in->what, strerror(-rc));
	nl_close(nl);
	return rc < 0 ? -1 : 0;
}

static int ct_start(const struct node_boot *b, struct node_inst **out, struct vnet_err *err)
{
	struct node_inst *in = inst_new(b, err);
	struct container_spec cs;
	char label[128];

	*out = NULL;
	if (!in)
		return -1;
	if (!(in->cg = cgroup_new(b->prefix, in->what, err)))
		goto fail;
	if (cgroup_set_cpu(in->cg, b->cpu_pct, err) || cgroup_set_memory(in->cg, b->mem_bytes, err))
		goto fail;
	snprintf(label, sizeof(label), "%s:%s", b->prefix, in->what);
	cs = (struct container_spec){
		.hostname = b->name, .hosts_file = b->hosts_file, .bird_dir = b->bird_dir,
		.forwarding = b->router, .ecmp_seed = b->ecmp_seed,
		.cgroup_procs = cgroup_procs_files(in->cg), .label = label,
	};
	if (container_start(&cs, &in->init_pid, err))
		goto fail;
	in->netns_fd = container_netns_fd(in->init_pid);
	if (in->netns_fd < 0) {
		vnet_errf(err, "cannot open the network namespace of %s: %s", in->what,
			  strerror(-in->netns_fd));
		goto fail;
	}
	if (lo_configure(in, b, err))
		goto fail;
	*out = in;
	return 0;
fail:
	ct_stop(in, 2000);
	return -1;
}

static json_t *ct_runtime(const struct node_inst *in)
{
	return json_pack("{s:i}", "init_pid", (int)in->init_pid);
}

static int read_cmdline(pid_t pid, char *buf, size_t n)
{
	char path[64];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	len = read(fd, buf, n - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	return (int)len;
}

/* Is pid the container init of b, labelled "vnet-init PREFIX:NET/NODE"? */
static int is_our_init(const struct node_boot *b, pid_t pid)
{
	char buf[256], want[256];
	int len, wlen;

	if (pid <= 1 || (len = read_cmdline(pid, buf, sizeof(buf))) < 0)
		return 0;
	wlen = snprintf(want, sizeof(want), "vnet-init%c%s:%s/%s", 0, b->prefix, b->net,
			b->name);
	return len >= wlen + 1 && !memcmp(buf, want, (size_t)wlen + 1);
}

static pid_t rt_init(const json_t *rt)
{
	return (pid_t)json_integer_value(json_object_get(rt, "init_pid"));
}

static int ct_probe(const struct node_boot *b, const json_t *rt)
{
	return is_our_init(b, rt_init(rt));
}

static int ct_adopt(const struct node_boot *b, const json_t *rt, struct node_inst **out,
		    struct vnet_err *err)
{
	struct node_inst *in;
	pid_t init = rt_init(rt);

	*out = NULL;
	if (!is_our_init(b, init))
		return vnet_errc(err, VNET_ERR_NOT_FOUND, "%s/%s: its init (pid %d) is gone",
				 b->net, b->name, (int)init);
	if (!(in = inst_new(b, err)))
		return -1;
	if (!(in->cg = cgroup_new(b->prefix, in->what, err)))
		goto fail;
	if ((in->netns_fd = container_netns_fd(init)) < 0) {
		vnet_errf(err, "%s: no network namespace", in->what);
		goto fail;
	}
	in->init_pid = init;
	in->paused = json_is_true(json_object_get(rt, "paused"));
	*out = in;
	return 0;
fail:
	cgroup_free(in->cg);	/* not ct_stop(): the node is not ours to stop */
	if (in->netns_fd >= 0)
		close(in->netns_fd);
	free(in);
	return -1;
}

static void ct_forget(const struct node_boot *b)
{
	char path[2 * VNET_NAME_MAX + 2];
	struct vnet_err err;
	struct cgroup *cg;

	snprintf(path, sizeof(path), "%s/%s", b->net, b->name);
	if ((cg = cgroup_new(b->prefix, path, &err)))
		cgroup_free(cg);	/* kills what is inside, removes the group */
}

static pid_t ct_pid(const struct node_inst *in)
{
	return in->init_pid;
}

static int ct_pause(struct node_inst *in, int pause, struct vnet_err *err)
{
	int rc = cgroup_freeze(in->cg, pause);

	if (rc < 0)
		return vnet_errf(err, "cannot %s %s: %s", pause ? "freeze" : "thaw", in->what,
				 strerror(-rc));
	in->paused = pause;
	return 0;
}

static int ct_exec(struct node_inst *in, const char *const argv[], const char *log, pid_t *pid,
		   struct vnet_err *err)
{
	return container_spawn(in->init_pid, cgroup_procs_files(in->cg), argv, log, pid, err);
}

static json_t *ct_exec_info(const struct node_inst *in)
{
	const char *const *files = cgroup_procs_files(in->cg);
	json_t *procs = json_array();

	for (int k = 0; files && files[k]; k++)
		json_array_append_new(procs, json_string(files[k]));
	return json_pack("{s:i, s:o}", "pid", (int)in->init_pid, "cgroup_procs", procs);
}

static int ct_read_file(const struct node_inst *in, const char *path, char **text)
{
	char full[512];
	size_t len = 0, cap = 4096;
	char *buf;
	ssize_t r;
	int fd;

	*text = NULL;
	snprintf(full, sizeof(full), "/proc/%d/root%s", (int)in->init_pid, path);
	if ((fd = open(full, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (!(buf = malloc(cap))) {
		close(fd);
		return -ENOMEM;
	}
	while ((r = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)r;
		if (len + 1 == cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = 0;
	*text = buf;
	return 0;
}

/* Addresses of the interface and, through it, the default routes. */
static int iface_configure(struct node_inst *in, const struct node_iface *ifc, int ifindex,
			   struct vnet_err *err)
{
	struct nl *nl = nl_open(in->netns_fd);
	char buf[VNET_ADDRSTRLEN];
	int rc = 0;

	if (!nl)
		return vnet_errf(err, "netlink in %s: %s", in->what, strerror(errno));
	for (int k = 0; k < ifc->naddr && rc == 0; k++)
		if ((rc = nl_addr_add(nl, ifindex, &ifc->addr[k])) < 0)
			vnet_errf(err, "cannot add %s to %s in %s: %s",
				  addr_fmt(&ifc->addr[k], buf, sizeof(buf), 1), ifc->ifname,
				  in->what, strerror(-rc));
	for (int g = 0; g < ifc->ngw && rc == 0; g++) {
		for (int k = 0; k < ifc->naddr && rc == 0; k++) {
			struct vnet_addr def = { .family = ifc->gw[g].family };

			if (ifc->addr[k].family != ifc->gw[g].family ||
			    !addr_contains(&ifc->addr[k], &ifc->gw[g]))
				continue;
			if ((rc = nl_route_add(nl, &def, &ifc->gw[g])) < 0)
				vnet_errf(err, "cannot add default route via %s in %s: %s",
					  addr_fmt(&ifc->gw[g], buf, sizeof(buf), 0), in->what,
					  strerror(-rc));
		}
	}
	nl_close(nl);
	return rc < 0 ? -1 : 0;
}

static int ct_iface_add(struct node_inst *in, const struct node_iface *ifc,
			struct node_port *port, struct vnet_err *err)
{
	int ifindex, fd;

	fd = tap_open(in->netns_fd, ifc->ifname, ifc->mac, ifc->mtu, &ifindex);
	if (fd < 0)
		return vnet_errc(err, vnet_err_class_of_errno(fd), "cannot create %s in %s: %s",
				 ifc->ifname, in->what, strerror(-fd));
	if (iface_configure(in, ifc, ifindex, err)) {
		close(fd);	/* the TAP goes with its last descriptor */
		return -1;
	}
	port->kind = 0;		/* a TAP */
	port->fd = fd;
	return 0;
}

static int ct_iface_mtu(struct node_inst *in, const char *ifname, unsigned mtu)
{
	struct nl *nl = nl_open(in->netns_fd);
	int ifindex, rc;

	if (!nl)
		return -errno;
	ifindex = nl_ifindex(nl, ifname);
	rc = ifindex > 0 ? nl_link_set_mtu(nl, ifindex, mtu) : ifindex;
	nl_close(nl);
	return rc;
}

static int ct_iface_carrier(struct node_inst *in, const char *ifname)
{
	struct nl *nl = nl_open(in->netns_fd);
	int rc;

	if (!nl)
		return -errno;
	rc = nl_link_carrier(nl, ifname);
	nl_close(nl);
	return rc;
}

static int ct_limits(struct node_inst *in, uint32_t cpu_pct, uint64_t mem_bytes,
		     struct vnet_err *err)
{
	if (cgroup_set_cpu(in->cg, cpu_pct, err) || cgroup_set_memory(in->cg, mem_bytes, err))
		return -1;
	return 0;
}

static int ct_stats(const struct node_inst *in, struct node_stats *st)
{
	*st = (struct node_stats){ 0 };
	return cgroup_usage(in->cg, &st->cpu_ns, &st->mem_bytes);
}

/* Routes in the kernel's order (that of its prefix trees, so the same
 * routes always come in the same order; the order of a route's next hops
 * decides which flow takes which, so it is kept), neighbours sorted. */
static json_t *ct_tables_get(struct node_inst *in, enum node_table t, const int *fam, int nfam,
			     struct vnet_err *err)
{
	struct nl *nl = nl_open(in->netns_fd);
	json_t *arr = json_array();
	struct nl_neigh *all = NULL;
	int nall = 0, rc = 0;

	if (!nl) {
		vnet_errf(err, "netlink in %s: %s", in->what, strerror(errno));
		json_decref(arr);
		return NULL;
	}
	for (int p = 0; p < nfam && rc == 0; p++) {
		struct nl_route *r = NULL;
		struct nl_neigh *ne = NULL;
		int cnt = 0;

		if (t == NODE_TABLE_ROUTES) {
			if ((rc = nl_route_list(nl, fam[p], &r, &cnt)) == 0)
				for (int k = 0; k < cnt; k++)
					json_array_append_new(arr, tables_route_json(&r[k]));
			free(r);
		} else {
			if ((rc = nl_neigh_list(nl, fam[p], &ne, &cnt)) == 0)
				rc = tables_neigh_append(&all, &nall, ne, cnt);
			free(ne);
		}
	}
	nl_close(nl);
	if (rc < 0) {
		vnet_errf(err, "cannot read the %s of %s: %s",
			  t == NODE_TABLE_ROUTES ? "routes" : "neighbours", in->what, strerror(-rc));
		free(all);
		json_decref(arr);
		return NULL;
	}
	if (nall)
		qsort(all, (size_t)nall, sizeof(*all), tables_neigh_cmp);
	for (int k = 0; k < nall; k++)
		json_array_append_new(arr, tables_neigh_json(&all[k]));
	free(all);
	return arr;
}

/* 1 once dev has carrier as the kernel sees it, 0 when it has not by the
 * deadline, or -errno. */
static int carrier_wait(struct nl *nl, const char *dev, int64_t deadline)
{
	int rc;

	while ((rc = nl_link_carrier(nl, dev)) == 0 && now_ms() < deadline)
		sleep_ms(5);
	return rc;
}

static void count_failure(struct node_put_count *c, const char *what, int rc)
{
	if (c->failed++ == 0)
		snprintf(c->first_error, sizeof(c->first_error), "%s: %s", what ? what : "?",
			 strerror(-rc));
}

/*
 * Neighbours come sorted by device: the carrier of each device is waited
 * for once, at its first neighbour. A TAP has carrier only while the
 * engine has both ends of its link, and the kernel handles a carrier-down
 * after the fact (linkwatch), flushing the dynamic neighbours of the
 * device then: an entry installed before the carrier is seen up may vanish.
 */
static int ct_tables_put(struct node_inst *in, enum node_table t, const json_t *entries,
			 int64_t deadline, struct node_put_count *c)
{
	struct nl *nl = nl_open(in->netns_fd);
	char dev[VNET_IFNAME_MAX] = "";
	int carrier = 0;
	json_t *v;
	size_t k;

	*c = (struct node_put_count){ 0 };
	if (!nl) {
		snprintf(c->first_error, sizeof(c->first_error), "netlink: %s", strerror(errno));
		return -1;
	}
	json_array_foreach(entries, k, v) {
		int rc;

		if (t == NODE_TABLE_ROUTES) {
			struct nl_route r;

			if (tables_route_from_json(v, &r)) {
				count_failure(c, json_string_value(json_object_get(v, "dst")), -EINVAL);
				continue;
			}
			if ((rc = nl_route_add_full(nl, &r)) < 0) {
				count_failure(c, json_string_value(json_object_get(v, "dst")), rc);
				continue;
			}
			c->ok++;
			continue;
		}
		struct nl_neigh ne;

		if (tables_neigh_from_json(v, &ne)) {
			count_failure(c, json_string_value(json_object_get(v, "ip")), -EINVAL);
			continue;
		}
		if (strcmp(ne.dev, dev)) {
			snprintf(dev, sizeof(dev), "%s", ne.dev);
			carrier = carrier_wait(nl, ne.dev, deadline);
		}
		if (carrier < 0 || (rc = nl_neigh_add(nl, &ne)) < 0) {
			count_failure(c, json_string_value(json_object_get(v, "ip")),
				      carrier < 0 ? carrier : rc);
			continue;
		}
		c->ok++;
		c->nocarrier += carrier == 0;
	}
	nl_close(nl);
	return 0;
}

const struct node_class container_class = {
	.name = "container",
	.setup = ct_setup,
	.cleanup = ct_cleanup,
	.start = ct_start,
	.stop = ct_stop,
	.runtime = ct_runtime,
	.probe = ct_probe,
	.adopt = ct_adopt,
	.forget = ct_forget,
	.pid = ct_pid,
	.pause = ct_pause,
	.exec = ct_exec,
	.exec_info = ct_exec_info,
	.read_file = ct_read_file,
	.iface_add = ct_iface_add,
	.iface_mtu = ct_iface_mtu,
	.iface_carrier = ct_iface_carrier,
	.limits = ct_limits,
	.stats = ct_stats,
	.tables_get = ct_tables_get,
	.tables_put = ct_tables_put,
};

const struct node_class *node_class_find(const char *name)
{
	static const struct node_class *const classes[] = { &container_class };

	for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
		if (!strcmp(classes[i]->name, name))
			return classes[i];
	return NULL;
}
