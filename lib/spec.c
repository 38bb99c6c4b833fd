/*
 * spec.c - topo_net <-> JSON (see spec.h). The property names and units come
 * from the tables in linkparams.h and units.h, as in the topology parser.
 */
#include "spec.h"

#include <stdlib.h>
#include <string.h>

#include "units.h"

json_t *spec_linkparams_json(const struct link_params *p)
{
	json_t *o = json_object();
	char buf[64];

	for (int i = 0; i < LINKP__COUNT; i++)
		if (linkp_is_set(p, i))
			json_object_set_new(o, linkp_name(i),
					    json_string(linkp_fmt(p, i, buf, sizeof(buf))));
	return o;
}

/* The properties in mask, whatever their values (a profile step). */
static json_t *masked_params_json(const struct link_params *p, uint32_t mask)
{
	json_t *o = json_object();
	char buf[64];

	for (int i = 0; i < LINKP__COUNT; i++) {
		if (!(mask & LINKP_BIT(i)))
			continue;
		if (i == LINKP_QUEUE && !p->queue_pkts)	/* 0 = the default */
			snprintf(buf, sizeof(buf), "%u", LINKP_DEFAULT_QUEUE_PKTS);
		else
			linkp_fmt(p, i, buf, sizeof(buf));
		json_object_set_new(o, linkp_name(i), json_string(buf));
	}
	return o;
}

/* "profile": [{"at": "10s", "forward": {...}, "reverse": {...}}, ...] and,
 * when it repeats, "repeat": true, "period": "20s". */
static void profile_json(json_t *o, const struct topo_link *l)
{
	json_t *steps = json_array();
	char buf[64];

	for (int k = 0; k < l->nprofile; k++) {
		const struct topo_step *st = &l->profile[k];

		json_array_append_new(steps, json_pack("{s:s, s:o, s:o}",
			"at", units_fmt_time(st->at_ns, buf, sizeof(buf)),
			"forward", masked_params_json(&st->p[0], st->mask[0]),
			"reverse", masked_params_json(&st->p[1], st->mask[1])));
	}
	json_object_set_new(o, "profile", steps);
	if (l->repeat) {
		json_object_set_new(o, "repeat", json_true());
		json_object_set_new(o, "period",
				    json_string(units_fmt_time(l->period_ns, buf, sizeof(buf))));
	}
}

static json_t *node_json(const struct topo_node *nd)
{
	json_t *o = json_pack("{s:s}", "name", nd->name);
	char buf[64];

	if (nd->cpu_pct) {
		snprintf(buf, sizeof(buf), "%u%%", nd->cpu_pct);
		json_object_set_new(o, "cpu", json_string(buf));
	}
	if (nd->mem_bytes)
		json_object_set_new(o, "memory",
				    json_string(units_fmt_size(nd->mem_bytes, buf, sizeof(buf))));
	if (nd->host[0])
		json_object_set_new(o, "host", json_string(nd->host));
	if (nd->config)
		json_object_set_new(o, "config", json_string(nd->config));
	if (nd->config_path)
		json_object_set_new(o, "config_path", json_string(nd->config_path));
	return o;
}

json_t *spec_to_json(const struct topo_net *n)
{
	json_t *o = json_object(), *pf = json_array(), *routers = json_array(),
	       *hosts = json_array(), *links = json_array();
	char buf[VNET_ADDRSTRLEN];

	json_object_set_new(o, "name", json_string(n->name));
	json_object_set_new(o, "protocol", json_string(topo_proto_name(n->proto)));
	for (int i = 0; i < n->nprefix; i++)
		json_array_append_new(pf, json_string(addr_fmt(&n->prefix[i], buf,
							       sizeof(buf), 1)));
	json_object_set_new(o, "prefixes", pf);
	/* numbers only where a live edit moved them off topo_net_number()'s */
	struct topo_net def = { .nnodes = n->nnodes, .nlinks = n->nlinks };

	if (n->numbered) {
		def.nodes = malloc(((size_t)n->nnodes + 1) * sizeof(*def.nodes));
		def.links = malloc(((size_t)n->nlinks + 1) * sizeof(*def.links));
		if (def.nodes && def.links) {	/* shallow: only the numbers change */
			memcpy(def.nodes, n->nodes, (size_t)n->nnodes * sizeof(*def.nodes));
			memcpy(def.links, n->links, (size_t)n->nlinks * sizeof(*def.links));
			topo_net_number(&def);
		}
	}
	for (int i = 0; i < n->nnodes; i++) {
		json_t *nj = node_json(&n->nodes[i]);

		if (n->nodes[i].kind == TOPO_ROUTER && n->numbered &&
		    (!def.numbered || n->nodes[i].slot != def.nodes[i].slot))
			json_object_set_new(nj, "slot", json_integer(n->nodes[i].slot));
		json_array_append_new(n->nodes[i].kind == TOPO_ROUTER ? routers : hosts, nj);
	}
	json_object_set_new(o, "routers", routers);
	json_object_set_new(o, "hosts", hosts);
	for (int i = 0; i < n->nlinks; i++) {
		const struct topo_link *l = &n->links[i];
		const struct topo_link *dl = def.numbered ? &def.links[i] : NULL;

		json_t *lo = json_pack("{s:s, s:[s,s], s:b, s:o, s:o}",
			"name", l->name, "ends", n->nodes[l->end[0]].name,
			n->nodes[l->end[1]].name, "down", l->down,
			"forward", spec_linkparams_json(&l->dir[0]),
			"reverse", spec_linkparams_json(&l->dir[1]));

		if (l->nprofile > 0 && l->profile)
			profile_json(lo, l);
		if (n->numbered && (!dl || l->slot != dl->slot))
			json_object_set_new(lo, "slot", json_integer(l->slot));
		if (n->numbered && (!dl || l->ifn[0] != dl->ifn[0] || l->ifn[1] != dl->ifn[1]))
			json_object_set_new(lo, "ifs", json_pack("[i,i]", l->ifn[0], l->ifn[1]));
		json_array_append_new(links, lo);
	}
	free(def.nodes);
	free(def.links);
	json_object_set_new(o, "links", links);
	/* only where slots of removed items are kept from reuse */
	if (n->numbered && (n->next_slot[0] > topo_net_slots_above(n, 0) ||
			    n->next_slot[1] > topo_net_slots_above(n, 1)))
		json_object_set_new(o, "next_slots", json_pack("[I,I]",
			(json_int_t)n->next_slot[0], (json_int_t)n->next_slot[1]));
	return o;
}

/* Every key of o must be one of the NULL-terminated list. */
static int check_keys(const json_t *o, const char *path, const char *const *known,
		      struct vnet_err *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		int ok = 0;

		for (int i = 0; known[i]; i++)
			ok |= !strcmp(key, known[i]);
		if (!ok)
			return vnet_errf(err, "%s: unknown key '%s'", path, key);
	}
	return 0;
}

static int node_from_json(const json_t *j, const char *path, enum topo_kind kind,
			  struct topo_node *nd, struct vnet_err *err)
{
	static const char *const known[] = { "name", "cpu", "memory", "host", "config",
					     "config_path", "slot", NULL };
	json_t *v;

	if (!json_is_object(j))
		return vnet_errf(err, "%s: expected an object", path);
	if (check_keys(j, path, known, err))
		return -1;
	v = json_object_get(j, "name");
	if (!json_is_string(v) || !vnet_name_valid(json_string_value(v)))
		return vnet_errf(err, "%s.name: expected a node name", path);
	snprintf(nd->name, sizeof(nd->name), "%s", json_string_value(v));
	nd->kind = kind;
	if ((v = json_object_get(j, "cpu")) &&
	    (!json_is_string(v) || units_parse_cpu(json_string_value(v), &nd->cpu_pct)))
		return vnet_errf(err, "%s.cpu: expected %s", path, UNITS_CPU_FORM);
	if ((v = json_object_get(j, "memory")) &&
	    (!json_is_string(v) || units_parse_size(json_string_value(v), &nd->mem_bytes)))
		return vnet_errf(err, "%s.memory: expected %s", path, UNITS_SIZE_FORM);
	if ((v = json_object_get(j, "host"))) {
		if (!json_is_string(v) || !vnet_name_valid(json_string_value(v)))
			return vnet_errf(err, "%s.host: expected the name of a physical host", path);
		snprintf(nd->host, sizeof(nd->host), "%s", json_string_value(v));
	}
	if ((v = json_object_get(j, "config"))) {
		if (!json_is_string(v) || kind == TOPO_HOST)
			return vnet_errf(err, "%s.config: expected BIRD config text (routers only)",
					 path);
		nd->config = strdup(json_string_value(v));
	}
	if ((v = json_object_get(j, "config_path"))) {
		if (!json_is_string(v))
			return vnet_errf(err, "%s.config_path: expected a path", path);
		nd->config_path = strdup(json_string_value(v));
	}
	return 0;
}

static int params_from_json(const json_t *j, const char *path, struct link_params *p,
			    uint32_t *maskp, struct vnet_err *err)
{
	const char *key;
	json_t *v;
	uint32_t mask = 0;
	char msg[256];

	if (maskp)
		*maskp = 0;

	if (!json_is_object(j))
		return vnet_errf(err, "%s: expected an object of link properties", path);
	json_object_foreach((json_t *)j, key, v) {
		if (!json_is_string(v))
			return vnet_errf(err, "%s.%s: expected a string such as \"10mbit\"",
					 path, key);
		if (linkp_set(p, &mask, key, json_string_value(v), msg, sizeof(msg)))
			return vnet_errf(err, "%s: %s", path, msg);
	}
	if (maskp)
		*maskp = mask;
	return 0;
}

static int step_from_json(const json_t *j, const char *path, struct topo_step *st,
			  struct vnet_err *err)
{
	static const char *const known[] = { "at", "forward", "reverse", NULL };
	static const char *const dirs[] = { "forward", "reverse" };
	char sub[256];
	json_t *v;

	if (!json_is_object(j))
		return vnet_errf(err, "%s: expected an object such as {\"at\": \"10s\", "
				 "\"forward\": {\"delay\": \"5ms\"}}", path);
	if (check_keys(j, path, known, err))
		return -1;
	v = json_object_get(j, "at");
	if (!json_is_string(v) || units_parse_time(json_string_value(v), &st->at_ns))
		return vnet_errf(err, "%s.at: expected %s", path, UNITS_TIME_FORM);
	for (int d = 0; d < 2; d++) {
		linkp_init(&st->p[d]);
		snprintf(sub, sizeof(sub), "%s.%s", path, dirs[d]);
		if ((v = json_object_get(j, dirs[d])) &&
		    params_from_json(v, sub, &st->p[d], &st->mask[d], err))
			return -1;
	}
	return 0;
}

/* "profile", "repeat", "period" of a link; *total counts the steps of the
 * network so far. */
static int profile_from_json(const json_t *j, const char *path, struct topo_link *l,
			     int *total, struct vnet_err *err)
{
	json_t *prof = json_object_get(j, "profile"), *v;
	char sub[160];
	size_t n;

	if ((v = json_object_get(j, "repeat"))) {
		if (!json_is_boolean(v))
			return vnet_errf(err, "%s.repeat: expected true or false", path);
		l->repeat = json_is_true(v);
	}
	if ((v = json_object_get(j, "period")) &&
	    (!json_is_string(v) || units_parse_time(json_string_value(v), &l->period_ns)))
		return vnet_errf(err, "%s.period: expected %s", path, UNITS_TIME_FORM);
	if (!prof)
		return 0;
	n = json_array_size(prof);
	if (!json_is_array(prof) || n < 1 || n > TOPO_PROFILE_MAX_STEPS)
		return vnet_errf(err, "%s.profile: expected a list of 1 to %d steps", path,
				 TOPO_PROFILE_MAX_STEPS);
	if (*total + (int)n > TOPO_PROFILE_MAX_TOTAL)
		return vnet_errf(err, "%s.profile: too many profile steps in the network; "
				 "expected at most %d in all", path, TOPO_PROFILE_MAX_TOTAL);
	*total += (int)n;
	if (!(l->profile = calloc(n, sizeof(*l->profile))))
		return vnet_errf(err, "out of memory");
	l->nprofile = (int)n;
	for (size_t k = 0; k < n; k++) {
		snprintf(sub, sizeof(sub), "%s.profile[%zu]", path, k);
		if (step_from_json(json_array_get(prof, k), sub, &l->profile[k], err))
			return -1;
	}
	return 0;
}

static int link_from_json(const json_t *j, const char *path, struct topo_net *n,
			  struct topo_link *l, int *steps, struct vnet_err *err)
{
	static const char *const known[] = { "name", "ends", "down", "forward",
					     "reverse", "profile", "repeat", "period", "slot",
					     "ifs", NULL };
	char sub[128];
	json_t *v;

	if (!json_is_object(j))
		return vnet_errf(err, "%s: expected an object", path);
	if (check_keys(j, path, known, err))
		return -1;
	v = json_object_get(j, "ends");
	if (!json_is_array(v) || json_array_size(v) != 2)
		return vnet_errf(err, "%s.ends: expected two node names", path);
	for (int s = 0; s < 2; s++) {
		json_t *e = json_array_get(v, s);

		if (!json_is_string(e) ||
		    (l->end[s] = topo_node_find(n, json_string_value(e))) < 0)
			return vnet_errf(err, "%s.ends[%d]: not a node of network '%s'",
					 path, s, n->name);
	}
	v = json_object_get(j, "name");
	if (v) {
		if (!json_is_string(v) || !vnet_name_valid(json_string_value(v)))
			return vnet_errf(err, "%s.name: expected a link name", path);
		snprintf(l->name, sizeof(l->name), "%s", json_string_value(v));
	} else {
		snprintf(l->name, sizeof(l->name), "%s-%s", n->nodes[l->end[0]].name,
			 n->nodes[l->end[1]].name);
	}
	if ((v = json_object_get(j, "down"))) {
		if (!json_is_boolean(v))
			return vnet_errf(err, "%s.down: expected true or false", path);
		l->down = json_is_true(v);
	}
	linkp_init(&l->dir[0]);
	linkp_init(&l->dir[1]);
	snprintf(sub, sizeof(sub), "%s.forward", path);
	if ((v = json_object_get(j, "forward")) &&
	    params_from_json(v, sub, &l->dir[0], NULL, err))
		return -1;
	snprintf(sub, sizeof(sub), "%s.reverse", path);
	if ((v = json_object_get(j, "reverse")) &&
	    params_from_json(v, sub, &l->dir[1], NULL, err))
		return -1;
	return profile_from_json(j, path, l, steps, err);
}

/* "slot" of routers and links, "ifs" of links: optional, by default the
 * numbering of a file (topo_net_number()). */
static int numbers_from_json(const json_t *routers, const json_t *links,
			     struct topo_net *n, struct vnet_err *err)
{
	json_t *v;

	topo_net_number(n);
	for (size_t i = 0; i < json_array_size(routers); i++) {
		v = json_object_get(json_array_get(routers, i), "slot");
		if (!v)
			continue;
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 0xfffe)
			return vnet_errf(err, "spec.routers[%zu].slot: expected a number from "
					 "0 to 65534", i);
		n->nodes[i].slot = (uint32_t)json_integer_value(v);
	}
	for (int i = 0; i < n->nlinks; i++) {
		const json_t *l = json_array_get(links, i);

		if ((v = json_object_get(l, "slot"))) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > 0xffffff)
				return vnet_errf(err, "spec.links[%d].slot: expected a number "
						 "from 0 to 16777215", i);
			n->links[i].slot = (uint32_t)json_integer_value(v);
		}
		if ((v = json_object_get(l, "ifs"))) {
			if (!json_is_array(v) || json_array_size(v) != 2 ||
			    !json_is_integer(json_array_get(v, 0)) ||
			    !json_is_integer(json_array_get(v, 1)))
				return vnet_errf(err, "spec.links[%d].ifs: expected two interface "
						 "numbers such as [0, 1] (eth0, eth1)", i);
			for (int s = 0; s < 2; s++) {
				json_int_t k = json_integer_value(json_array_get(v, s));

				n->links[i].ifn[s] = k < 0 || k > 999999 ? -1 : (int)k;
			}
		}
	}
	return 0;
}

/* "next_slots": [routers, links], optional: at least the slots above those
 * in use (topo_net.next_slot). */
static int next_slots_from_json(const json_t *v, struct topo_net *n, struct vnet_err *err)
{
	for (int k = 0; k < 2; k++) {
		uint32_t above = topo_net_slots_above(n, k);
		json_t *e = json_array_get(v, (size_t)k);

		n->next_slot[k] = above;
		if (!v)
			continue;
		if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_integer(e) ||
		    json_integer_value(e) < above || json_integer_value(e) > 0xffffff)
			return vnet_errf(err, "spec.next_slots: expected [routers, links], each "
					 "a number above the slots in use and below 16777216");
		n->next_slot[k] = (uint32_t)json_integer_value(e);
	}
	return 0;
}

int spec_from_json(const json_t *j, struct topo_net *out, struct vnet_err *err)
{
	static const char *const known[] = { "name", "protocol", "prefixes", "routers",
					     "hosts", "links", "next_slots", NULL };
	struct topo_net n;
	json_t *v, *routers, *hosts, *links;
	char path[64];
	int p, k, steps = 0;

	memset(&n, 0, sizeof(n));
	if (!json_is_object(j))
		return vnet_errf(err, "spec: expected an object");
	if (check_keys(j, "spec", known, err))
		return -1;
	v = json_object_get(j, "name");
	if (!json_is_string(v) || !vnet_name_valid(json_string_value(v)))
		return vnet_errf(err, "spec.name: expected a network name");
	snprintf(n.name, sizeof(n.name), "%s", json_string_value(v));
	v = json_object_get(j, "protocol");
	if (!json_is_string(v) || (p = topo_proto_lookup(json_string_value(v))) < 0)
		return vnet_errf(err, "spec.protocol: expected a routing protocol name");
	n.proto = p;
	v = json_object_get(j, "prefixes");
	if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > 2)
		return vnet_errf(err, "spec.prefixes: expected one or two prefixes");
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *e = json_array_get(v, i);

		if (!json_is_string(e) ||
		    addr_parse(json_string_value(e), &n.prefix[n.nprefix++], 1))
			return vnet_errf(err, "spec.prefixes[%zu]: expected a prefix such as "
					 "10.1.0.0/16", i);
	}
	routers = json_object_get(j, "routers");
	hosts = json_object_get(j, "hosts");
	links = json_object_get(j, "links");
	if ((routers && !json_is_array(routers)) || (hosts && !json_is_array(hosts)) ||
	    (links && !json_is_array(links)))
		return vnet_errf(err, "spec: routers, hosts and links must be arrays");
	n.nnodes = json_array_size(routers) + json_array_size(hosts);
	n.nlinks = json_array_size(links);
	n.nodes = calloc(n.nnodes ? n.nnodes : 1, sizeof(*n.nodes));
	n.links = calloc(n.nlinks ? n.nlinks : 1, sizeof(*n.links));
	if (!n.nodes || !n.links) {
		vnet_errf(err, "out of memory");
		goto fail;
	}
	k = 0;
	for (size_t i = 0; i < json_array_size(routers); i++, k++) {
		snprintf(path, sizeof(path), "spec.routers[%zu]", i);
		if (node_from_json(json_array_get(routers, i), path, TOPO_ROUTER,
				   &n.nodes[k], err))
			goto fail;
	}
	for (size_t i = 0; i < json_array_size(hosts); i++, k++) {
		snprintf(path, sizeof(path), "spec.hosts[%zu]", i);
		if (node_from_json(json_array_get(hosts, i), path, TOPO_HOST,
				   &n.nodes[k], err))
			goto fail;
	}
	for (int i = 0; i < n.nlinks; i++) {
		snprintf(path, sizeof(path), "spec.links[%d]", i);
		if (link_from_json(json_array_get(links, i), path, &n, &n.links[i], &steps,
				   err))
			goto fail;
	}
	if (numbers_from_json(routers, links, &n, err) ||
	    next_slots_from_json(json_object_get(j, "next_slots"), &n, err) ||
	    topo_net_check(&n, "spec", err))
		goto fail;
	*out = n;
	return 0;
fail:
	topo_net_clear(&n);
	return -1;
}

json_t *spec_addr_list(const struct vnet_addr *a, int n, int with_plen)
{
	json_t *arr = json_array();
	char buf[VNET_ADDRSTRLEN];

	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_string(addr_fmt(&a[i], buf, sizeof(buf),
								with_plen)));
	return arr;
}
