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
	for (int i = 0; i < n->nnodes; i++)
		json_array_append_new(n->nodes[i].kind == TOPO_ROUTER ? routers : hosts,
				      node_json(&n->nodes[i]));
	json_object_set_new(o, "routers", routers);
	json_object_set_new(o, "hosts", hosts);
	for (int i = 0; i < n->nlinks; i++) {
		const struct topo_link *l = &n->links[i];

		json_array_append_new(links, json_pack("{s:s, s:[s,s], s:b, s:o, s:o}",
			"name", l->name, "ends", n->nodes[l->end[0]].name,
			n->nodes[l->end[1]].name, "down", l->down,
			"forward", spec_linkparams_json(&l->dir[0]),
			"reverse", spec_linkparams_json(&l->dir[1])));
	}
	json_object_set_new(o, "links", links);
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
	static const char *const known[] = { "name", "cpu", "memory", "config",
					     "config_path", NULL };
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
			    struct vnet_err *err)
{
	const char *key;
	json_t *v;
	uint32_t mask = 0;
	char msg[256];

	if (!json_is_object(j))
		return vnet_errf(err, "%s: expected an object of link properties", path);
	json_object_foreach((json_t *)j, key, v) {
		if (!json_is_string(v))
			return vnet_errf(err, "%s.%s: expected a string such as \"10mbit\"",
					 path, key);
		if (linkp_set(p, &mask, key, json_string_value(v), msg, sizeof(msg)))
			return vnet_errf(err, "%s: %s", path, msg);
	}
	return 0;
}

static int link_from_json(const json_t *j, const char *path, struct topo_net *n,
			  struct topo_link *l, struct vnet_err *err)
{
	static const char *const known[] = { "name", "ends", "down", "forward",
					     "reverse", NULL };
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
	if ((v = json_object_get(j, "forward")) && params_from_json(v, sub, &l->dir[0], err))
		return -1;
	snprintf(sub, sizeof(sub), "%s.reverse", path);
	if ((v = json_object_get(j, "reverse")) && params_from_json(v, sub, &l->dir[1], err))
		return -1;
	return 0;
}

int spec_from_json(const json_t *j, struct topo_net *out, struct vnet_err *err)
{
	static const char *const known[] = { "name", "protocol", "prefixes", "routers",
					     "hosts", "links", NULL };
	struct topo_net n;
	json_t *v, *routers, *hosts, *links;
	char path[64];
	int p, k;

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
		if (link_from_json(json_array_get(links, i), path, &n, &n.links[i], err))
			goto fail;
	}
	if (topo_net_check(&n, "spec", err))
		goto fail;
	*out = n;
	return 0;
fail:
	topo_net_clear(&n);
	return -1;
}
