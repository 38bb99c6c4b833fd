/*
 * view.c - see view.h. Field names and shapes are the API's contract
 * (docs/api.md): they are only ever added to.
 */
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "cgroup.h"
#include "engine.h"
#include "net.h"
#include "node.h"
#include "profile.h"
#include "spec.h"
#include "store.h"
#include "units.h"

/* `birdc show protocols` inside the router, parsed; NULL when unavailable. */
static json_t *bird_protocols(struct vnet_network *n, int i)
{
	char out[600], line[512];
	struct vnet_err err;
	json_t *arr = NULL;
	FILE *f;
	int lineno = 0;

	if (n->nodes[i].bird != BIRD_RUNNING ||
	    node_birdc(n, i, "show", "protocols", 2000, out, sizeof(out), &err) < 0)
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

json_t *view_node(struct vnetd *d, struct vnet_network *n, int i, int detail)
{
	struct topo_node *nd = &n->spec.nodes[i];
	struct node_rt *nr = &n->nodes[i];
	const struct plan_node *pn = &n->plan->nodes[i];
	json_t *o, *ifs = json_array(), *routing, *exec = NULL;
	char buf[64], rid[32];
	struct node_stats st = { 0 };
	int running = nr->state == NODE_RUNNING && nr->inst;

	for (int k = 0; k < pn->nifs; k++) {
		const struct plan_iface *pi = &pn->ifs[k];

		json_array_append_new(ifs, json_pack("{s:s, s:s, s:o, s:s, s:s}",
			"name", pi->ifname, "mac", addr_mac_fmt(pi->mac, buf, sizeof(buf)),
			"addresses", spec_addr_list(pi->addr, pi->naddr, 1),
			"link", n->spec.links[pi->link].name,
			"peer", n->spec.nodes[pi->peer].name));
	}
	if (running) {
		exec = nr->cls->exec_info(nr->inst);
		nr->cls->stats(nr->inst, &st);
	}
	snprintf(rid, sizeof(rid), "%u.%u.%u.%u", pn->router_id >> 24,
		 (pn->router_id >> 16) & 255, (pn->router_id >> 8) & 255, pn->router_id & 255);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:o, s:o}",
		"name", nd->name, "network", n->spec.name,
		"kind", nd->kind == TOPO_ROUTER ? "router" : "host",
		"state", node_state_str(nr),
		"backend", nr->cls ? nr->cls->name : container_class.name,
		"host", running ? nr->host : NULL,
		"usage", json_pack("{s:I, s:I}", "cpu_ns", (json_int_t)st.cpu_ns,
				   "memory_bytes", (json_int_t)st.mem_bytes),
		"interfaces", ifs);
	/* how to enter it (`vnet exec`): for a container, "pid" and "cgroup_procs" */
	if (!exec)
		exec = json_pack("{s:i, s:[]}", "pid", 0, "cgroup_procs");
	json_object_update(o, exec);
	json_decref(exec);
	if (nd->host[0])
		json_object_set_new(o, "pinned_host", json_string(nd->host));
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
		json_object_set_new(o, "loopback", spec_addr_list(pn->lo, pn->nlo, 1));
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
		json_object_set_new(o, "gateway", spec_addr_list(pn->gw, pn->ngw, 0));
	}
	(void)d;
	return o;
}

static json_t *dir_stats(const struct eng_dir_stats *s, uint64_t capture_dropped)
{
	json_t *drops = json_object();

	for (int c = 0; c < ENG_DROP__COUNT; c++)
		json_object_set_new(drops, eng_drop_name((unsigned)c),
				    json_integer((json_int_t)s->drops[c]));
	return json_pack("{s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:i, s:i, s:I}",
			 "rx_frames", (json_int_t)s->rx_frames,
			 "rx_bytes", (json_int_t)s->rx_bytes,
			 "tx_frames", (json_int_t)s->tx_frames,
			 "tx_bytes", (json_int_t)s->tx_bytes, "drops", drops,
			 "duplicated", (json_int_t)s->duplicated,
			 "corrupted", (json_int_t)s->corrupted,
			 "reordered", (json_int_t)s->reordered,
			 "queue_frames", (int)s->queue_frames,
			 "queue_bytes", (int)s->queue_bytes,
			 "capture_dropped", (json_int_t)capture_dropped);
}

json_t *view_link(struct vnetd *d, struct vnet_network *n, int i, int stats)
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
	struct engc_stats st;

	if (lr->created) {
		json_t *path = json_array();

		for (int k = 0; k < lr->npath; k++)
			json_array_append_new(path, json_string(lr->path[k]));
		json_object_set_new(o, "path", path);
	}
	if (prof)
		json_object_set_new(o, "profile", prof);
	for (int k = 0; k < 2; k++)	/* trace.c */
		if (lr->trace[k][0])
			json_object_set_new(json_object_get(o, k ? "reverse" : "forward"),
					    "trace", json_string(lr->trace[k]));
	if (stats && lr->created && engine_link_stats(d->engine, lr->id, &st) == 0)
		json_object_set_new(o, "stats", json_pack("{s:o, s:o}",
			"forward", dir_stats(&st.dir[0], st.capture_dropped[0]),
			"reverse", dir_stats(&st.dir[1], st.capture_dropped[1])));
	return o;
}

json_t *view_net(struct vnetd *d, struct vnet_network *n, int detail)
{
	json_t *nodes = json_array(), *links = json_array(), *pf = json_array();
	char buf[VNET_ADDRSTRLEN];

	for (int i = 0; i < n->spec.nprefix; i++)
		json_array_append_new(pf, json_string(addr_fmt(&n->spec.prefix[i], buf,
							       sizeof(buf), 1)));
	for (int i = 0; i < n->spec.nnodes; i++)
		json_array_append_new(nodes, view_node(d, n, i, detail));
	for (int i = 0; i < n->spec.nlinks; i++)
		json_array_append_new(links, view_link(d, n, i, 0));
	return json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:o}", "name", n->spec.name,
			 "protocol", topo_proto_name(n->spec.proto), "prefixes", pf,
			 "state", net_state_name(n), "file", n->file, "nodes", nodes,
			 "links", links);
}

json_t *view_node_logs(struct vnetd *d, struct vnet_network *n, int i, int lines)
{
	const char *name = n->spec.nodes[i].name;
	struct node_rt *nr = &n->nodes[i];
	json_t *ev = store_events(d->store, n->spec.name, name, lines);
	json_t *arr = json_array(), *e;
	char *text = NULL;
	size_t k;

	json_array_foreach(ev, k, e) {
		char buf[1100];

		snprintf(buf, sizeof(buf), "vnetd: %s",
			 json_string_value(json_object_get(e, "message")));
		json_array_append_new(arr, json_string(buf));
	}
	json_decref(ev);
	if (nr->state == NODE_RUNNING && nr->inst &&
	    nr->cls->read_file(nr->inst, "/run/bird/bird.log", &text) == 0) {
		json_t *tail = json_array();

		for (char *line = text, *save = NULL, *tok;
		     (tok = strtok_r(line, "\n", &save)); line = NULL) {
			json_array_append_new(tail, json_string(tok));
			if ((int)json_array_size(tail) > lines)
				json_array_remove(tail, 0);
		}
		json_array_extend(arr, tail);
		json_decref(tail);
		free(text);
	}
	return json_pack("{s:s, s:o}", "node", name, "lines", arr);
}

json_t *view_status(struct vnetd *d)
{
	return json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:{s:i, s:b}}",
		"version", VNET_VERSION, "pid", (int)getpid(), "prefix", d->prefix,
		"host", d->host, "socket", d->socket_path, "state_dir", d->state_dir,
		"cgroup_layout", cgroup_layout(),
		"engine", "pid", (int)engine_pid(d->engine), "running", engine_pid(d->engine) > 0);
}

json_t *view_hosts(struct vnetd *d)
{
	json_t *hosts = store_hosts(d->store), *h;
	size_t k;

	json_array_foreach(hosts, k, h) {
		int nodes = 0;

		for (struct vnet_network *n = d->nets; n; n = n->next)
			for (int i = 0; i < n->spec.nnodes; i++)
				nodes += n->nodes[i].state == NODE_RUNNING &&
					 !strcmp(n->nodes[i].host,
						 json_string_value(json_object_get(h, "name")));
		json_object_set_new(h, "nodes", json_integer(nodes));
		json_object_set_new(h, "local", json_boolean(!strcmp(
			d->host, json_string_value(json_object_get(h, "name")))));
	}
	return json_pack("{s:o}", "hosts", hosts);
}

json_t *view_up(struct vnetd *d, const struct up_result *res)
{
	json_t *o, *changed = json_object();

	if (res->checked.n) {
		json_t *nets = json_array();

		for (size_t k = 0; k < res->checked.n; k++)
			json_array_append_new(nets, json_string(res->checked.v[k]));
		json_decref(changed);
		return json_pack("{s:b, s:o}", "valid", 1, "networks", nets);
	}
	for (int k = 0; k < res->nchanged; k++) {
		json_t *c = json_array();

		for (size_t e = 0; e < res->changed[k].changes.n; e++)
			json_array_append_new(c, json_string(res->changed[k].changes.v[e]));
		json_object_set_new(changed, res->changed[k].net, c);
	}
	o = json_pack("{s:[], s:[], s:o}", "created", "networks", "changed", changed);
	for (size_t k = 0; k < res->created.n; k++) {
		struct vnet_network *n = net_find(d, res->created.v[k]);

		json_array_append_new(json_object_get(o, "created"),
				      json_string(res->created.v[k]));
		if (n)
			json_array_append_new(json_object_get(o, "networks"), view_net(d, n, 0));
	}
	return o;
}

json_t *view_changes(const char *net, const struct strv *changes)
{
	json_t *c = json_array();

	for (size_t k = 0; k < changes->n; k++)
		json_array_append_new(c, json_string(changes->v[k]));
	return json_pack("{s:s, s:o}", "network", net, "changed", c);
}

json_t *view_save(const char *path, const struct save_result *res, struct vnet_network *n,
		  int node)
{
	if (node < 0)
		return json_pack("{s:s, s:I, s:i, s:I}", "path", path, "bytes",
				 (json_int_t)res->bytes, "nodes", res->nodes, "frozen_ms",
				 (json_int_t)res->frozen_ms);
	return json_pack("{s:s, s:s, s:s, s:I, s:I}", "path", path, "network", n->spec.name,
			 "node", n->spec.nodes[node].name, "bytes", (json_int_t)res->bytes,
			 "frozen_ms", (json_int_t)res->frozen_ms);
}

json_t *view_restore(const struct restore_result *res, int node, int copy)
{
	json_t *o;

	if (!node)
		o = json_pack("{s:s, s:s, s:i, s:i, s:i, s:I}", "name", res->net, "from", res->from,
			      "nodes", res->nodes, "routes", res->routes, "neighbours",
			      res->neighbours, "start_ms", (json_int_t)res->start_ms);
	else
		o = json_pack("{s:s, s:s, s:s, s:i, s:i, s:b, s:I}", "network", res->net, "node",
			      res->node, "from", res->from, "routes", res->routes, "neighbours",
			      res->neighbours, "tables_restored", res->tables_restored,
			      "start_ms", (json_int_t)res->start_ms);
	if (node && res->tables_note[0])
		json_object_set_new(o, "tables_note", json_string(res->tables_note));
	if (copy)
		json_object_set_new(o, "frozen_ms", json_integer(res->frozen_ms));
	return o;
}
