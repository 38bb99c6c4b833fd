/*
 * api.c - request routing and the JSON objects of the API (docs/api.md).
 *
 * Every handler gets the parsed request (method, path segments, query, JSON
 * body) and returns an HTTP status and a JSON body; errors are
 * {"error": "message"} with a 4xx for bad requests (nothing is changed by a
 * rejected request) and 5xx for failures of the machine.
 */
#include "api.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "capture.h"
#include "container.h"
#include "engine.h"
#include "live.h"
#include "log.h"
#include "spec.h"
#include "store.h"
#include "topo.h"
#include "trace.h"
#include "units.h"

#define API_MAX_BODY (16u << 20)

struct api {
	struct vnetd *d;
	struct MHD_Daemon *mhd;
	int listen_fd;
};

struct req {
	struct vnetd *d;
	struct MHD_Connection *conn;
	const char *method;
	char *path;		/* after /v1/, decoded */
	char *seg[8];		/* path split at '/' */
	int nseg;
	json_t *body;		/* NULL when there was none */
};

struct upload {
	char *buf;
	size_t len;
	int too_big;
};

typedef int (*handler_fn)(struct req *r, json_t **out);

static json_t *err_json(const char *msg)
{
	return json_pack("{s:s}", "error", msg);
}

static int fail(json_t **out, int status, const struct vnet_err *err)
{
	*out = err_json(err->msg);
	return status;
}

int api_failf(json_t **out, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*out = err_json(msg);
	return status;
}

/* ---- JSON views of the model --------------------------------------------- */

json_t *api_addr_list(const struct vnet_addr *a, int n, int with_plen)
{
	json_t *arr = json_array();
	char buf[VNET_ADDRSTRLEN];

	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_string(addr_fmt(&a[i], buf, sizeof(buf),
								with_plen)));
	return arr;
}

/* `birdc show protocols` inside the router, parsed; NULL when unavailable. */
static json_t *bird_protocols(struct vnet_network *n, int i)
{
	char out[600], line[512];
	struct vnet_err err;
	json_t *arr = NULL;
	FILE *f;
	int lineno = 0;

	if (n->nodes[i].bird != BIRD_RUNNING ||
	    router_birdc(n, i, "show", "protocols", 2000, out, sizeof(out), &err) < 0)
		return NULL;
	if (!(f = fopen(out, "r")))
		return NULL;
	arr = json_array();
	while (fgets(line, sizeof(line), f)) {
		char name[64], proto[32], table[32], state[16];
		int off = 0;

		if (++lineno <= 2)	/* banner and column titles */
			continue;
		if (sscanf(line, "%63s %31s %31s %15s %n", name, proto, table, state, &off) < 4)
			continue;
		line[strcspn(line, "\n")] = 0;
		/* the rest is "since [info]": skip the time stamp */
		char *rest = line + off;
		rest += strcspn(rest, " ");
		rest += strspn(rest, " ");
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "name", name,
						     "proto", proto, "state", state,
						     "info", rest));
	}
	fclose(f);
	unlink(out);
	return arr;
}

static json_t *node_json(struct vnetd *d, struct vnet_network *n, int i, int detail)
{
	struct topo_node *nd = &n->spec.nodes[i];
	struct node_rt *nr = &n->nodes[i];
	const struct plan_node *pn = &n->plan->nodes[i];
	json_t *o, *ifs = json_array(), *procs = json_array(), *routing;
	char buf[64], rid[32];
	uint64_t cpu_ns = 0, mem = 0;

	(void)d;
	for (int k = 0; k < pn->nifs; k++) {
		const struct plan_iface *pi = &pn->ifs[k];

		json_array_append_new(ifs, json_pack("{s:s, s:s, s:o, s:s, s:s}",
			"name", pi->ifname, "mac", addr_mac_fmt(pi->mac, buf, sizeof(buf)),
			"addresses", api_addr_list(pi->addr, pi->naddr, 1),
			"link", n->spec.links[pi->link].name,
			"peer", n->spec.nodes[pi->peer].name));
	}
	if (nr->state == NODE_RUNNING && nr->cg) {
		const char *const *files = cgroup_procs_files(nr->cg);

		for (int k = 0; files && files[k]; k++)
			json_array_append_new(procs, json_string(files[k]));
		cgroup_usage(nr->cg, &cpu_ns, &mem);
	}
	snprintf(rid, sizeof(rid), "%u.%u.%u.%u", pn->router_id >> 24,
		 (pn->router_id >> 16) & 255, (pn->router_id >> 8) & 255, pn->router_id & 255);
	o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:o}",
		"name", nd->name, "network", n->spec.name,
		"kind", nd->kind == TOPO_ROUTER ? "router" : "host",
		"state", router_state_name(nr), "pid", (int)nr->init_pid,
		"cgroup_procs", procs,
		"usage", json_pack("{s:I, s:I}", "cpu_ns", (json_int_t)cpu_ns,
				   "memory_bytes", (json_int_t)mem),
		"interfaces", ifs);
	if (nd->cpu_pct) {
		snprintf(buf, sizeof(buf), "%u%%", nd->cpu_pct);
		json_object_set_new(o, "cpu", json_string(buf));
	} else {
		json_object_set_new(o, "cpu", json_null());
	}
	json_object_set_new(o, "memory", nd->mem_bytes ?
			    json_string(units_fmt_size(nd->mem_bytes, buf, sizeof(buf))) :
			    json_null());
	if (nd->kind == TOPO_ROUTER) {
		json_object_set_new(o, "router_id", json_string(rid));
		json_object_set_new(o, "loopback", api_addr_list(pn->lo, pn->nlo, 1));
		routing = json_pack("{s:s?, s:s, s:i, s:i}",
			"daemon", nr->bird == BIRD_NONE && nr->state == NODE_RUNNING ? NULL : "bird",
			"state", bird_state_name(nr->bird), "pid", (int)nr->bird_pid,
			"restarts", (int)nr->bird_restarts);
		if (nd->config_path)
			json_object_set_new(routing, "config", json_string(nd->config_path));
		if (detail) {
			json_t *protos = bird_protocols(n, i);

			if (protos)
				json_object_set_new(routing, "protocols", protos);
		}
		json_object_set_new(o, "routing", routing);
	} else {
		json_object_set_new(o, "gateway", api_addr_list(pn->gw, pn->ngw, 0));
	}
	return o;
}

static json_t *link_json(struct vnetd *d, struct vnet_network *n, int i, int stats)
{
	struct topo_link *l = &n->spec.links[i];
	struct link_rt *lr = &n->links[i];
	int carrier = lr->created && lr->attached[0] && lr->attached[1] && !l->down;
	json_t *o = json_pack("{s:s, s:s, s:[s,s], s:s, s:b, s:o, s:o}",
		"name", l->name, "network", n->spec.name,
		"ends", n->spec.nodes[l->end[0]].name, n->spec.nodes[l->end[1]].name,
		"state", l->down ? "down" : "up", "carrier", carrier,
		"forward", spec_linkparams_json(&l->dir[0]),
		"reverse", spec_linkparams_json(&l->dir[1]));
	json_t *prof = profile_json(n, i);

	if (prof)
		json_object_set_new(o, "profile", prof);
	for (int k = 0; k < 2; k++)	/* trace.c */
		if (lr->trace[k][0])
			json_object_set_new(json_object_get(o, k ? "reverse" : "forward"),
					    "trace", json_string(lr->trace[k]));
	if (stats && lr->created) {
		struct eng_req req = { .h.type = ENG_LINK_STATS, .id = lr->id };
		struct eng_reply rep;
		static const char *causes[] = {
#define X(e, s) s,
			ENG_DROP_CAUSES(X)
#undef X
		};

		if (engine_call(d->engine, &req, -1, &rep) == 0) {
			json_t *st = json_object();

			for (int k = 0; k < 2; k++) {
				const struct eng_dir_stats *s = &rep.stats[k];
				json_t *drops = json_object();

				for (int c = 0; c < ENG_DROP__COUNT; c++)
					json_object_set_new(drops, causes[c],
							    json_integer(s->drops[c]));
				json_object_set_new(st, k ? "reverse" : "forward", json_pack(
					"{s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:i, s:i}",
					"rx_frames", (json_int_t)s->rx_frames,
					"rx_bytes", (json_int_t)s->rx_bytes,
					"tx_frames", (json_int_t)s->tx_frames,
					"tx_bytes", (json_int_t)s->tx_bytes, "drops", drops,
					"duplicated", (json_int_t)s->duplicated,
					"corrupted", (json_int_t)s->corrupted,
					"reordered", (json_int_t)s->reordered,
					"queue_frames", (int)s->queue_frames,
					"queue_bytes", (int)s->queue_bytes));
				json_object_set_new(json_object_get(st, k ? "reverse" : "forward"),
						    "capture_dropped",
						    json_integer((json_int_t)rep.more.capture_dropped[k]));
			}
			json_object_set_new(o, "stats", st);
		}
	}
	return o;
}

static json_t *net_json(struct vnetd *d, struct vnet_network *n, int detail)
{
	json_t *nodes = json_array(), *links = json_array(), *pf = json_array();
	char buf[VNET_ADDRSTRLEN];

	for (int i = 0; i < n->spec.nprefix; i++)
		json_array_append_new(pf, json_string(addr_fmt(&n->spec.prefix[i], buf,
							       sizeof(buf), 1)));
	for (int i = 0; i < n->spec.nnodes; i++)
		json_array_append_new(nodes, node_json(d, n, i, detail));
	for (int i = 0; i < n->spec.nlinks; i++)
		json_array_append_new(links, link_json(d, n, i, 0));
	return json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:o}", "name", n->spec.name,
			 "protocol", topo_proto_name(n->spec.proto), "prefixes", pf,
			 "state", net_state_name(n), "file", n->file, "nodes", nodes,
			 "links", links);
}

/* ---- handlers ------------------------------------------------------------ */

static int h_status(struct req *r, json_t **out)
{
	struct vnetd *d = r->d;

	*out = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:{s:i, s:b}}",
		"version", VNET_VERSION, "pid", (int)getpid(), "prefix", d->prefix,
		"socket", d->socket_path, "state_dir", d->state_dir,
		"cgroup_layout", cgroup_layout(),
		"engine", "pid", (int)engine_pid(d->engine), "running", engine_pid(d->engine) > 0);
	return 200;
}

static int h_networks(struct req *r, json_t **out)
{
	json_t *arr = json_array();

	for (struct vnet_network *n = r->d->nets; n; n = n->next)
		json_array_append_new(arr, net_json(r->d, n, 0));
	*out = json_pack("{s:o}", "networks", arr);
	return 200;
}

static const char *body_str(struct req *r, const char *key)
{
	json_t *v = r->body ? json_object_get(r->body, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int api_check_keys(const json_t *o, const char *const *known, json_t **out)
{
	const char *key;
	json_t *v;

	if (!json_is_object(o))
		return api_failf(out, 400, "expected a JSON object as the request body");
	json_object_foreach((json_t *)o, key, v) {
		int ok = 0;

		for (int i = 0; known[i]; i++)
			ok |= !strcmp(known[i], key);
		if (!ok)
			return api_failf(out, 400, "unknown key '%s' in the request body", key);
	}
	return 0;
}

static int h_networks_post(struct req *r, json_t **out)
{
	static const char *const known[] = { "topology", "file", "dir", "dry_run", NULL };
	const char *text, *file, *dir;
	struct topo *t = NULL;
	struct vnet_err err;
	char **names;
	int nnames, rc;

	if ((rc = api_check_keys(r->body, known, out)))
		return rc;
	text = body_str(r, "topology");
	file = body_str(r, "file");
	dir = body_str(r, "dir");
	if (!text)
		return api_failf(out, 400, "'topology' (the YAML text) is required");
	if (dir && dir[0] != '/')
		return api_failf(out, 400, "'dir' must be an absolute path");
	if (topo_parse_buf(text, strlen(text), file ? file : "topology", dir ? dir : "/",
			   &t, &err))
		return fail(out, 400, &err);
	if (json_is_true(json_object_get(r->body, "dry_run"))) {
		json_t *nets = json_array();

		for (int i = 0; i < t->nnets; i++) {
			struct plan *p;

			if (plan_make(&t->nets[i], t->file, &p, &err)) {
				json_decref(nets);
				topo_free(t);
				return fail(out, 400, &err);
			}
			plan_free(p);
			json_array_append_new(nets, json_string(t->nets[i].name));
		}
		topo_free(t);
		*out = json_pack("{s:b, s:o}", "valid", 1, "networks", nets);
		return 200;
	}
	/* networks that exist get only the difference (live.c) */
	struct live_up *lu = NULL;
	int nnew;

	/* a file that changes nothing answers 200 with every network unchanged */
	if ((rc = live_up_prepare(r->d, t, &lu, &err))) {
		topo_free(t);
		return fail(out, rc == -EINVAL ? 409 : 500, &err);
	}
	nnew = t->nnets;
	names = NULL;
	nnames = 0;
	rc = nnew ? net_up(r->d, t, &names, &nnames, &err) : 0;
	topo_free(t);
	if (rc == -EEXIST) {
		live_up_free(lu);
		return fail(out, 409, &err);
	}
	if (rc < 0) {
		live_up_free(lu);
		return fail(out, err.msg[0] && strstr(err.msg, "too small") ? 400 : 500, &err);
	}
	json_t *changed = json_object();

	if (live_up_apply(r->d, lu, changed, &err)) {
		json_decref(changed);
		for (int i = 0; i < nnames; i++)
			free(names[i]);
		free(names);
		return fail(out, 500, &err);
	}
	*out = json_pack("{s:[], s:[], s:o}", "created", "networks", "changed", changed);
	for (int i = 0; i < nnames; i++) {
		struct vnet_network *n = net_find(r->d, names[i]);

		json_array_append_new(json_object_get(*out, "created"), json_string(names[i]));
		if (n)
			json_array_append_new(json_object_get(*out, "networks"),
					      net_json(r->d, n, 0));
		free(names[i]);
	}
	free(names);
	return nnames ? 201 : 200;
}

static struct vnet_network *req_net(struct req *r, json_t **out, int *status)
{
	struct vnet_network *n = net_find(r->d, r->seg[1]);

	if (!n)
		*status = api_failf(out, 404, "no network '%s'", r->seg[1]);
	return n;
}

static int h_network(struct req *r, json_t **out)
{
	struct vnet_network *n;
	struct vnet_err err;
	int status;

	if (!(n = req_net(r, out, &status)))
		return status;
	if (!strcmp(r->method, "GET") && r->nseg == 2) {
		*out = net_json(r->d, n, 1);
		return 200;
	}
	if (!strcmp(r->method, "DELETE") && r->nseg == 2) {
		char name[VNET_NAME_MAX];

		snprintf(name, sizeof(name), "%s", n->spec.name);
		net_destroy(r->d, n, 1);
		*out = json_pack("{s:s}", "deleted", name);
		return 200;
	}
	if (!strcmp(r->method, "POST") && r->nseg == 3 && !strcmp(r->seg[2], "nodes"))
		return live_node_add(r->d, n, r->body, out);	/* live.c */
	if (!strcmp(r->method, "POST") && r->nseg == 3 && !strcmp(r->seg[2], "links"))
		return live_link_add(r->d, n, r->body, out);
	if (!strcmp(r->method, "POST") && r->nseg == 3 && !strcmp(r->seg[2], "start")) {
		if (!strcmp(net_state_name(n), "running"))
			return api_failf(out, 409, "network '%s' is already running", n->spec.name);
		if (net_start(r->d, n, &err))
			return fail(out, 500, &err);
		*out = net_json(r->d, n, 0);
		return 200;
	}
	if (!strcmp(r->method, "POST") && r->nseg == 3 && !strcmp(r->seg[2], "stop")) {
		if (!strcmp(net_state_name(n), "stopped"))
			return api_failf(out, 409, "network '%s' is already stopped", n->spec.name);
		net_stop(r->d, n);
		vnetd_event(r->d, n->spec.name, NULL, "network stopped");
		*out = net_json(r->d, n, 0);
		return 200;
	}
	if (!strcmp(r->method, "POST") && r->nseg == 3 &&
	    (!strcmp(r->seg[2], "pause") || !strcmp(r->seg[2], "resume"))) {
		if (net_pause(r->d, n, !strcmp(r->seg[2], "pause"), &err))
			return fail(out, 409, &err);
		*out = net_json(r->d, n, 0);
		return 200;
	}
	return api_failf(out, 404, "no such API call: %s /v1/%s", r->method, r->path);
}

/* Split "nodes/<ref...>[/action]" into a reference and an action; see
 * docs/api.md: NET/NAME/ACTION, NET/NAME, NAME/ACTION or NAME. */
static int split_target(struct req *r, const char *const *actions, char *ref,
			size_t reflen, const char **action, int is_node)
{
	int n = r->nseg - 1;
	char **s = r->seg + 1;

	*action = NULL;
	if (n == 3) {
		snprintf(ref, reflen, "%s/%s", s[0], s[1]);
		*action = s[2];
	} else if (n == 2) {
		struct vnet_network *net = net_find(r->d, s[0]);
		int is_action = 0;

		for (int i = 0; actions[i]; i++)
			is_action |= !strcmp(actions[i], s[1]);
		if (net && (is_node ? topo_node_find(&net->spec, s[1])
				    : topo_link_find(&net->spec, s[1])) >= 0)
			is_action = 0;
		else if (!net)
			is_action = 1;
		if (is_action) {
			snprintf(ref, reflen, "%s", s[0]);
			*action = s[1];
		} else {
			snprintf(ref, reflen, "%s/%s", s[0], s[1]);
		}
	} else if (n == 1) {
		snprintf(ref, reflen, "%s", s[0]);
	} else {
		return -1;
	}
	return 0;
}

static int resolve_status(int rc)
{
	return rc == -EEXIST ? 409 : 404;
}

static int h_node(struct req *r, json_t **out)
{
	static const char *const actions[] = { "start", "stop", "logs", "pause", "resume",
					       NULL };
	char ref[128];
	const char *action;
	struct vnet_network *n;
	struct vnet_err err;
	int i, rc;

	if (split_target(r, actions, ref, sizeof(ref), &action, 1))
		return api_failf(out, 404, "no such API call: %s /v1/%s", r->method, r->path);
	if ((rc = net_resolve_node(r->d, ref, &n, &i, &err)))
		return fail(out, resolve_status(rc), &err);
	const char *full = n->spec.nodes[i].name;

	if (!action && !strcmp(r->method, "GET")) {
		*out = node_json(r->d, n, i, 1);
		return 200;
	}
	if (!action && !strcmp(r->method, "DELETE"))
		return live_node_del(r->d, n, i, out);	/* live.c */
	if (!action && !strcmp(r->method, "PATCH")) {
		static const char *const known[] = { "set", NULL };
		json_t *set, *v;
		const char *key;

		if ((rc = api_check_keys(r->body, known, out)))
			return rc;
		set = json_object_get(r->body, "set");
		if (!json_is_object(set) || !json_object_size(set))
			return api_failf(out, 400, "'set' must be an object such as "
				     "{\"cpu\": \"25%%\", \"memory\": \"64M\"}");
		/* validate everything first: nothing changes on a bad request */
		json_object_foreach(set, key, v) {
			uint32_t pct;
			uint64_t bytes;
			const char *val = json_string_value(v);

			if (!val)
				return api_failf(out, 400, "value of '%s' must be a string", key);
			if (!strcmp(key, "cpu") ? strcmp(val, "none") && units_parse_cpu(val, &pct)
			    : !strcmp(key, "memory") ? strcmp(val, "none") &&
						       units_parse_size(val, &bytes)
			    : 1) {
				router_set(r->d, n, i, key, val, &err);	/* for the message */
				return fail(out, 400, &err);
			}
		}
		json_object_foreach(set, key, v)
			if (router_set(r->d, n, i, key, json_string_value(v), &err))
				return fail(out, 409, &err);
		*out = node_json(r->d, n, i, 0);
		return 200;
	}
	if (action && !strcmp(action, "start") && !strcmp(r->method, "POST")) {
		if (n->nodes[i].state == NODE_RUNNING)
			return api_failf(out, 409, "%s/%s is already running", n->spec.name, full);
		for (int l = 0; l < n->spec.nlinks; l++)
			if (!n->links[l].created && link_create(r->d, n, l, &err))
				return fail(out, 500, &err);
		if (router_start(r->d, n, i, &err))
			return fail(out, 500, &err);
		net_save_record(r->d, n);
		*out = node_json(r->d, n, i, 0);
		return 200;
	}
	if (action && !strcmp(action, "stop") && !strcmp(r->method, "POST")) {
		if (n->nodes[i].state != NODE_RUNNING)
			return api_failf(out, 409, "%s/%s is already stopped", n->spec.name, full);
		router_stop(r->d, n, i);
		net_save_record(r->d, n);
		*out = node_json(r->d, n, i, 0);
		return 200;
	}
	if (action && (!strcmp(action, "pause") || !strcmp(action, "resume")) &&
	    !strcmp(r->method, "POST")) {
		if (router_pause(r->d, n, i, !strcmp(action, "pause"), &err))
			return fail(out, 409, &err);
		net_save_record(r->d, n);
		*out = node_json(r->d, n, i, 0);
		return 200;
	}
	if (action && !strcmp(action, "logs") && !strcmp(r->method, "GET")) {
		const char *q = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "lines");
		int lines = q ? atoi(q) : 50;
		json_t *ev = store_events(r->d->store, n->spec.name, full, lines);
		json_t *arr = json_array(), *e;
		char path[128], line[1024];
		size_t k;
		FILE *f;

		json_array_foreach(ev, k, e) {
			char buf[1100];

			snprintf(buf, sizeof(buf), "vnetd: %s",
				 json_string_value(json_object_get(e, "message")));
			json_array_append_new(arr, json_string(buf));
		}
		json_decref(ev);
		if (n->nodes[i].state == NODE_RUNNING) {
			json_t *tail = json_array();

			snprintf(path, sizeof(path), "/proc/%d/root/run/bird/bird.log",
				 (int)n->nodes[i].init_pid);
			if ((f = fopen(path, "r"))) {
				while (fgets(line, sizeof(line), f)) {
					line[strcspn(line, "\n")] = 0;
					json_array_append_new(tail, json_string(line));
					if ((int)json_array_size(tail) > lines)
						json_array_remove(tail, 0);
				}
				fclose(f);
			}
			json_array_extend(arr, tail);
			json_decref(tail);
		}
		*out = json_pack("{s:s, s:o}", "node", full, "lines", arr);
		return 200;
	}
	return api_failf(out, 404, "no such API call: %s /v1/%s", r->method, r->path);
}

static int parse_dir(struct vnet_network *n, int l, const char *dir, int *dirmask,
		     json_t **out)
{
	const struct topo_link *lk = &n->spec.links[l];
	const char *a = n->spec.nodes[lk->end[0]].name, *b = n->spec.nodes[lk->end[1]].name;
	char fwd[80], rev[80];

	if (!dir) {
		*dirmask = 3;
		return 0;
	}
	snprintf(fwd, sizeof(fwd), "%s>%s", a, b);
	snprintf(rev, sizeof(rev), "%s>%s", b, a);
	if (!strcmp(dir, fwd) || !strcmp(dir, "forward"))
		*dirmask = 1;
	else if (!strcmp(dir, rev) || !strcmp(dir, "reverse"))
		*dirmask = 2;
	else
		return api_failf(out, 400, "bad dir '%s' for link %s: expected %s or %s", dir,
			     lk->name, fwd, rev);
	return 0;
}

static int h_link(struct req *r, json_t **out)
{
	static const char *const actions[] = { "up", "down", "stats", "capture", NULL };
	char ref[128];
	const char *action;
	struct vnet_network *n;
	struct vnet_err err;
	int i, rc;

	if (split_target(r, actions, ref, sizeof(ref), &action, 0))
		return api_failf(out, 404, "no such API call: %s /v1/%s", r->method, r->path);
	if ((rc = net_resolve_link(r->d, ref, &n, &i, &err)))
		return fail(out, resolve_status(rc), &err);
	if (!action && !strcmp(r->method, "GET")) {
		*out = link_json(r->d, n, i, 1);
		return 200;
	}
	if (!action && !strcmp(r->method, "DELETE"))
		return live_link_del(r->d, n, i, out);	/* live.c */
	if (action && !strcmp(action, "stats") && !strcmp(r->method, "GET")) {
		json_t *o = link_json(r->d, n, i, 1);

		*out = json_pack("{s:s, s:s, s:O}", "name", n->spec.links[i].name,
				 "network", n->spec.name, "stats",
				 json_object_get(o, "stats") ? json_object_get(o, "stats")
							     : json_object());
		json_decref(o);
		return 200;
	}
	if (action && !strcmp(action, "capture") && !strcmp(r->method, "GET")) {
		const char *q = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "count");
		unsigned long long count = 0;
		int dirmask;
		char *end;

		if (q && (!*q || *q == '-' || (count = strtoull(q, &end, 10), *end) ||
			  count > UINT32_MAX))
			return api_failf(out, 400, "bad count '%s': expected a number of frames "
				     "(0 = until the client goes away)", q);
		if ((rc = parse_dir(n, i, MHD_lookup_connection_value(r->conn,
				    MHD_GET_ARGUMENT_KIND, "dir"), &dirmask, out)))
			return rc;
		rc = capture_serve(r->d, r->conn, n, i, dirmask, (uint32_t)count, &err);
		if (rc == 0)
			return 0;	/* streaming: the response is queued */
		return fail(out, rc == -ENOTCONN || rc == -EBUSY ? 409 : 500, &err);
	}
	if (action && (!strcmp(action, "up") || !strcmp(action, "down")) &&
	    !strcmp(r->method, "POST")) {
		if (link_set_state(r->d, n, i, !strcmp(action, "up"), &err))
			return fail(out, 500, &err);
		*out = link_json(r->d, n, i, 0);
		return 200;
	}
	if (!action && !strcmp(r->method, "PATCH")) {
		static const char *const known[] = { "set", "dir", NULL };
		struct link_params p;
		uint32_t mask = 0;
		int dirmask = 3;
		json_t *set, *v;
		const char *key;
		char msg[256];
		struct trace_change tc = { 0 };

		if ((rc = api_check_keys(r->body, known, out)))
			return rc;
		set = json_object_get(r->body, "set");
		if (!json_is_object(set) || !json_object_size(set))
			return api_failf(out, 400, "'set' must be an object such as "
				     "{\"bandwidth\": \"10mbit\", \"delay\": \"20ms\"}");
		if ((rc = parse_dir(n, i, body_str(r, "dir"), &dirmask, out)))
			return rc;
		linkp_init(&p);
		json_object_foreach(set, key, v) {
			if (!json_is_string(v))
				return api_failf(out, 400, "value of '%s' must be a string such as "
					     "\"10mbit\"", key);
			if (!strcmp(key, "profile"))	/* "on" | "off": profile.c */
				continue;
			if (!strcmp(key, "trace"))	/* a file: trace.c */
				continue;
			if (linkp_set(&p, &mask, key, json_string_value(v), msg, sizeof(msg)))
				return api_failf(out, 400, "%s", msg);
		}
		if ((v = json_object_get(set, "trace")) &&
		    trace_change_parse(&tc, json_string_value(v), &err))
			return fail(out, 400, &err);
		if ((v = json_object_get(set, "profile")) &&
		    profile_set(r->d, n, i, json_string_value(v), &err)) {
			trace_change_free(&tc);
			return fail(out, 400, &err);
		}
		if (mask && link_change(r->d, n, i, &p, mask, dirmask, &err)) {
			trace_change_free(&tc);
			return fail(out, strstr(err.msg, "drop dir=") ? 400 : 500, &err);
		}
		if (trace_change_apply(r->d, n, i, dirmask, &tc, &err))
			return fail(out, 500, &err);
		vnetd_event(r->d, n->spec.name, NULL, "link %s changed", n->spec.links[i].name);
		*out = link_json(r->d, n, i, 0);
		return 200;
	}
	return api_failf(out, 404, "no such API call: %s /v1/%s", r->method, r->path);
}

static int h_events(struct req *r, json_t **out)
{
	const char *q = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "lines");
	const char *net = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "network");

	*out = json_pack("{s:o}", "events",
			 store_events(r->d->store, net, NULL, q ? atoi(q) : 100));
	return 200;
}

static int h_shutdown(struct req *r, json_t **out)
{
	r->d->quit = 1;
	*out = json_pack("{s:s}", "shutdown", "started");
	return 202;
}

/* save.c: POST networks/restore, networks/NET/save, networks/NET/copy. */
static int h_image(struct req *r, json_t **out)
{
	if (r->nseg == 2 && !strcmp(r->seg[1], "restore"))
		return save_api(r->d, "restore", NULL, r->body, out);
	if (r->nseg == 3 && (!strcmp(r->seg[2], "save") || !strcmp(r->seg[2], "copy")))
		return save_api(r->d, r->seg[2], r->seg[1], r->body, out);
	return h_network(r, out);
}

/* save.c: POST nodes/restore, nodes/[NET/]NODE/save, nodes/[NET/]NODE/copy. */
static int h_router_image(struct req *r, json_t **out)
{
	const char *last = r->seg[r->nseg - 1];
	char ref[128];

	if (r->nseg == 2 && !strcmp(last, "restore"))
		return router_image_api(r->d, "restore", NULL, r->body, out);
	if (r->nseg >= 3 && (!strcmp(last, "save") || !strcmp(last, "copy"))) {
		if (r->nseg == 4)
			snprintf(ref, sizeof(ref), "%s/%s", r->seg[1], r->seg[2]);
		else
			snprintf(ref, sizeof(ref), "%s", r->seg[1]);
		return router_image_api(r->d, last, ref, r->body, out);
	}
	return h_node(r, out);
}

struct route {
	const char *method;	/* NULL: any */
	const char *first;	/* first path segment */
	int min, max;		/* segments */
	handler_fn fn;
};

static const struct route routes[] = {
	{ "GET", "status", 1, 1, h_status },
	{ "GET", "networks", 1, 1, h_networks },
	{ "POST", "networks", 1, 1, h_networks_post },
	{ "POST", "networks", 2, 3, h_image },
	{ NULL, "networks", 2, 3, h_network },
	{ "POST", "nodes", 2, 4, h_router_image },
	{ NULL, "nodes", 2, 4, h_node },
	{ NULL, "links", 2, 4, h_link },
	{ "GET", "events", 1, 1, h_events },
	{ "POST", "shutdown", 1, 1, h_shutdown },
};

static int dispatch(struct req *r, json_t **out)
{
	int path_known = 0;

	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		const struct route *rt = &routes[i];

		if (r->nseg < rt->min || r->nseg > rt->max || strcmp(r->seg[0], rt->first))
			continue;
		path_known = 1;
		if (rt->method && strcmp(rt->method, r->method))
			continue;
		return rt->fn(r, out);
	}
	if (path_known)
		return api_failf(out, 405, "method %s is not allowed on /v1/%s", r->method, r->path);
	return api_failf(out, 404, "no such API call: %s /v1/%s", r->method, r->path);
}

/* ---- libmicrohttpd glue -------------------------------------------------- */

/* The connection's socket when the client asked for progress (progress.c). */
static int progress_fd(struct MHD_Connection *conn)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Vnet-Progress");
	const union MHD_ConnectionInfo *ci;

	if (!v || strcmp(v, "1"))
		return -1;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	return ci ? ci->connect_fd : -1;
}

static enum MHD_Result send_json(struct MHD_Connection *conn, int status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	size_t len = text ? strlen(text) : 0;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (text) {
		text = realloc(text, len + 2);
		text[len++] = '\n';
	}
	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct api *a = cls;
	struct upload *up = *con_cls;
	struct req r = { .d = a->d, .conn = conn, .method = method };
	json_t *out = NULL;
	int status;
	enum MHD_Result ret;

	(void)version;
	if (!up) {
		if (!(up = calloc(1, sizeof(*up))))
			return MHD_NO;
		*con_cls = up;
		return MHD_YES;
	}
	if (*upload_size) {
		if (up->len + *upload_size > API_MAX_BODY) {
			up->too_big = 1;
		} else {
			char *nb = realloc(up->buf, up->len + *upload_size + 1);

			if (!nb)
				return MHD_NO;
			up->buf = nb;
			memcpy(up->buf + up->len, upload_data, *upload_size);
			up->len += *upload_size;
			up->buf[up->len] = 0;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (up->too_big) {
		status = api_failf(&out, 413, "request body larger than %u bytes", API_MAX_BODY);
		goto reply;
	}
	if (strncmp(url, "/v1/", 4) || !url[4]) {
		status = api_failf(&out, 404, "no such API call: %s %s (the API is under /v1/)",
			       method, url);
		goto reply;
	}
	if (up->len) {
		json_error_t jerr;

		r.body = json_loadb(up->buf, up->len, 0, &jerr);
		if (!r.body) {
			status = api_failf(&out, 400, "invalid JSON in the request body at line %d "
				       "column %d: %s", jerr.line, jerr.column, jerr.text);
			goto reply;
		}
	}
	r.path = strdup(url + 4);
	char *segs = strdup(url + 4);

	for (char *p = segs, *save = NULL, *tok; r.nseg <= (int)ARRAY_SIZE(r.seg) &&
	     (tok = strtok_r(p, "/", &save)); p = NULL) {
		if (r.nseg < (int)ARRAY_SIZE(r.seg))
			r.seg[r.nseg] = tok;
		r.nseg++;
	}
	if (r.nseg == 0 || r.nseg > (int)ARRAY_SIZE(r.seg)) {
		status = api_failf(&out, 404, "no such API call: %s %s", method, url);
	} else {
		progress_begin(a->d, progress_fd(conn));
		status = dispatch(&r, &out);
		progress_end(a->d);
		if (status >= 400)
			log_info("api: %s /v1/%s -> %d: %s", method, r.path, status,
				 json_string_value(json_object_get(out, "error")));
	}
	free(segs);
	free(r.path);
	json_decref(r.body);
	if (status == 0)	/* the handler queued its own response (capture) */
		return MHD_YES;
reply:
	ret = send_json(conn, status, out);
	json_decref(out);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct upload *up = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (up) {
		free(up->buf);
		free(up);
		*con_cls = NULL;
	}
}

static int listen_unix(const char *path, struct vnet_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return vnet_errf(err, "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return vnet_errf(err, "socket: %s", strerror(errno));
	/* A socket file nobody answers on is stale: replace it. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		return vnet_errf(err, "another vnetd is already serving %s", path);
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
		vnet_errf(err, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	chmod(path, 0660);
	return fd;
}

struct api *api_new(struct vnetd *d, const char *socket_path, struct vnet_err *err)
{
	struct api *a = calloc(1, sizeof(*a));

	if (!a) {
		vnet_errf(err, "out of memory");
		return NULL;
	}
	a->d = d;
	a->listen_fd = listen_unix(socket_path, err);
	if (a->listen_fd < 0)
		goto fail;
	a->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME,
				  0, NULL, NULL,
				  on_request, a,
				  MHD_OPTION_LISTEN_SOCKET, a->listen_fd,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, a,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
				  MHD_OPTION_END);
	if (!a->mhd) {
		vnet_errf(err, "cannot start the HTTP server on %s", socket_path);
		goto fail;
	}
	return a;
fail:
	if (a->listen_fd >= 0) {
		close(a->listen_fd);
		unlink(socket_path);
	}
	free(a);
	return NULL;
}

void api_free(struct api *a)
{
	if (!a)
		return;
	capture_end_all(a->d, a->mhd);	/* no suspended connection may remain */
	if (a->mhd)
		MHD_stop_daemon(a->mhd);
	close(a->listen_fd);
	unlink(a->d->socket_path);
	free(a);
}

int api_fd(const struct api *a)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(a->mhd, MHD_DAEMON_INFO_EPOLL_FD);

	return info ? info->epoll_fd : -1;
}

int api_run(struct api *a)
{
	MHD_UNSIGNED_LONG_LONG t;

	MHD_run(a->mhd);
	if (MHD_get_timeout(a->mhd, &t) == MHD_YES)
		return t > 60000 ? 60000 : (int)t;
	return -1;
}
