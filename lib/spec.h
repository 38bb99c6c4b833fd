/*
 * spec.h - a virtual network's spec (struct topo_net) as JSON: what the
 * state store keeps, what the API shows, and (later) an image's spec part.
 *
 *   {"name": "red", "protocol": "ospf", "prefixes": ["10.1.0.0/16"],
 *    "routers": [{"name": "r1", "cpu": "50%", "memory": "64M",
 *                 "config": "<BIRD config text>", "config_path": "/abs"}],
 *    "hosts": [{"name": "h1"}],
 *    "links": [{"name": "r1-r2", "ends": ["r1", "r2"], "down": false,
 *               "forward": {"delay": "5ms"}, "reverse": {"delay": "5ms"},
 *               "profile": [{"at": "0s", "forward": {"delay": "5ms"},
 *                            "reverse": {"delay": "5ms"}},
 *                           {"at": "10s", "forward": {...}, "reverse": {...}}],
 *               "repeat": true, "period": "20s"}]}
 *
 * A router's "slot" and a link's "slot" and "ifs" ([N0, N1]: eth N0 at
 * ends[0], eth N1 at ends[1]) are written only where a live edit moved them
 * off the numbering of a file (topo_edit.c); read, they are optional.
 * Only properties that differ from the defaults are written, except in a
 * profile step, which lists every property it sets (topo.h). "profile" is
 * there only for a link that has one, "repeat" and "period" only when it
 * repeats. spec_from_json()
 * validates as strictly as the topology parser (unknown keys, types, units,
 * graph checks); errors name the JSON path ("links[2].forward.delay: ...").
 */
#ifndef VNET_SPEC_H
#define VNET_SPEC_H

#include <jansson.h>

#include "topo.h"

json_t *spec_to_json(const struct topo_net *n);
/* Link properties of one direction as {"bandwidth": "10mbit", ...}. */
json_t *spec_linkparams_json(const struct link_params *p);
/* JSON array of the addresses ("10.1.0.1/30" with with_plen). */
json_t *spec_addr_list(const struct vnet_addr *a, int n, int with_plen);
int spec_from_json(const json_t *j, struct topo_net *out, struct vnet_err *err);

#endif
