/*
 * topo.c - the topology file reader (see topo.h and docs/topology.md).
 *
 * The YAML text is read with libyaml's event API by a small recursive-descent
 * reader that follows the schema: every function is handed the first event
 * of the value it reads and consumes exactly that value. Anything the schema
 * does not expect (an unknown key, a list where a name belongs) is an error
 * at once, so hostile input never costs more than the limits below allow, no
 * subtree is ever built or skipped, and nesting depth is bounded by the
 * schema. Aliases are refused (no alias bombs); anchors are tolerated.
 *
 * Each network is collected in a builder (routers and hosts apart, links with
 * their end names and marks) because the keys of a network may come in any
 * order; at the end of the network the nodes are laid out routers first,
 * link ends are resolved, default link names given, and topo_net_check()
 * does the graph checks. The first error stops everything and is reported
 * as "FILE:LINE:COL: what is wrong; expected ...".
 */
#include "topo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "units.h"

#define TOPO_MAX_NETS 64
#define TOPO_MAX_NODES 4096		/* per network */
#define TOPO_MAX_LINKS 16384		/* per network */
#define TOPO_MAX_CONFIG (1u << 20)	/* one BIRD config file */
#define TOPO_MAX_CONFIG_TOTAL (64u << 20) /* all config files of one topology */
#define TOPO_MAX_FILE (64u << 20)	/* the topology file itself */
#define TOPO_KEY_MAX 256		/* map keys as copied from the input */
#define TOPO_SHOW_MAX 64		/* user text shown in a message, at most */
#define TOPO_UNREACHED_LIST 8		/* names listed in "not connected" */

#define NAME_FORM "1 to 31 letters, digits or '_', '.', '-' (starting with a " \
		  "letter or digit, not ending in '.' or '-')"
#define PREFIX_FORM "a CIDR prefix such as 10.1.0.0/16 or fd00:1::/48"
#define PREFIX_LIST_FORM PREFIX_FORM ", or a list of at most one IPv4 and one IPv6 prefix"
#define LINK_FORM "[a, b] or a map such as {ends: [a, b], delay: 5ms}"

static const char *const proto_names[] = {
#define X(e, s) [TOPO_PROTO_##e] = s,
	TOPO_PROTOS(X)
#undef X
};

const char *topo_proto_name(enum topo_proto p)
{
	if ((unsigned)p >= TOPO_PROTO__COUNT)
		return "?";
	return proto_names[p];
}

int topo_proto_lookup(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < TOPO_PROTO__COUNT; i++)
		if (!strcasecmp(s, proto_names[i]))
			return i;
	return -1;
}

/* "ospf, rip, ..." for messages. */
static const char *proto_list(char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < TOPO_PROTO__COUNT && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "",
					proto_names[i]);
	return buf;
}

/*
 * Messages
 */

/* err = "file:line:col: " + message; control characters from the input are
 * shown as '?' so that a message stays on one line. Always returns -1. */
static int loc_verrf(struct vnet_err *err, const char *file, const struct topo_pos *pos,
		     const char *fmt, va_list ap)
{
	char msg[sizeof(err->msg)];

	if (!err)
		return -1;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (file && pos && pos->line)
		vnet_errf(err, "%s:%d:%d: %s", file, pos->line, pos->col, msg);
	else if (file)
		vnet_errf(err, "%s: %s", file, msg);
	else if (pos && pos->line)
		vnet_errf(err, "%d:%d: %s", pos->line, pos->col, msg);
	else
		vnet_errf(err, "%s", msg);
	for (char *p = err->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

static int loc_errf(struct vnet_err *err, const char *file, const struct topo_pos *pos,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int loc_errf(struct vnet_err *err, const char *file, const struct topo_pos *pos,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	loc_verrf(err, file, pos, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Lookups
 */

int topo_node_find(const struct topo_net *n, const char *name)
{
	if (!n || !name)
		return -1;
	for (int i = 0; i < n->nnodes; i++)
		if (!strcmp(n->nodes[i].name, name))
			return i;
	return -1;
}

int topo_link_find(const struct topo_net *n, const char *name)
{
	if (!n || !name)
		return -1;
	for (int i = 0; i < n->nlinks; i++)
		if (!strcmp(n->links[i].name, name))
			return i;
	return -1;
}

/*
 * Copy and free
 */

void topo_net_clear(struct topo_net *n)
{
	if (!n)
		return;
	for (int i = 0; i < n->nnodes && n->nodes; i++) {
		free(n->nodes[i].config_path);
		free(n->nodes[i].config);
	}
	for (int j = 0; j < n->nlinks && n->links; j++)
		free(n->links[j].profile);
	free(n->nodes);
	free(n->links);
	memset(n, 0, sizeof(*n));
}

static int dup_str(const char *s, char **out)
{
	*out = NULL;
	if (!s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : -1;
}

int topo_node_copy(struct topo_node *dst, const struct topo_node *src)
{
	struct topo_node c = *src;

	c.config_path = NULL;
	c.config = NULL;
	if (dup_str(src->config_path, &c.config_path) || dup_str(src->config, &c.config)) {
		free(c.config_path);
		return -1;
	}
	*dst = c;
	return 0;
}

int topo_link_copy(struct topo_link *dst, const struct topo_link *src)
{
	struct topo_link c = *src;

	c.profile = NULL;
	if (src->profile && src->nprofile > 0) {
		size_t sz = (size_t)src->nprofile * sizeof(*src->profile);

		if (!(c.profile = malloc(sz)))
			return -1;
		memcpy(c.profile, src->profile, sz);
	}
	*dst = c;
	return 0;
}

int topo_net_dup(const struct topo_net *src, struct topo_net *dst)
{
	struct topo_net n = *src;

	n.nodes = NULL;
	n.links = NULL;
	n.nnodes = 0;
	n.nlinks = 0;
	if (src->nnodes > 0 && !(n.nodes = calloc((size_t)src->nnodes, sizeof(*n.nodes))))
		goto fail;
	for (; n.nnodes < src->nnodes; n.nnodes++)
		if (topo_node_copy(&n.nodes[n.nnodes], &src->nodes[n.nnodes]))
			goto fail;
	if (src->nlinks > 0 && !(n.links = calloc((size_t)src->nlinks, sizeof(*n.links))))
		goto fail;
	for (; n.nlinks < src->nlinks; n.nlinks++)
		if (topo_link_copy(&n.links[n.nlinks], &src->links[n.nlinks]))
			goto fail;
	*dst = n;
	return 0;
fail:
	topo_net_clear(&n);
	memset(dst, 0, sizeof(*dst));
	errno = ENOMEM;
	return -1;
}

void topo_free(struct topo *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->nnets; i++)
		topo_net_clear(&t->nets[i]);
	free(t->nets);
	free(t->file);
	free(t);
}

/*
 * Graph checks
 */

/* " at LINE:COL" for messages, or "" when the position is unknown. */
static const char *at_pos(char buf[32], const struct topo_pos *p)
{
	if (p->line > 0)
		snprintf(buf, 32, " at %d:%d", p->line, p->col);
	else
		buf[0] = '\0';
	return buf;
}

struct name_ref {
	const char *name;
	int idx;
};

static int name_ref_cmp(const void *a, const void *b)
{
	const struct name_ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

struct pair_ref {
	int lo, hi, idx;
};

static int pair_ref_cmp(const void *a, const void *b)
{
	const struct pair_ref *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static int str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A link name: like a node name, but up to VNET_LINK_NAME_MAX - 1 chars
 * (the default "a-b" of two long node names). */
static int link_name_valid(const char *s, size_t cap)
{
	size_t len = strnlen(s, cap);
	char tmp[VNET_NAME_MAX];

	if (len == 0 || len >= cap)
		return 0;
	if (len < VNET_NAME_MAX)
		return vnet_name_valid(s);
	/* Check the same rule on a short stand-in with the same first, inner
	 * and last characters. */
	for (size_t i = 1; i + 1 < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return 0;
	}
	tmp[0] = s[0];
	tmp[1] = s[len - 1];
	tmp[2] = '\0';
	return vnet_name_valid(tmp);
}

/* Node names valid and unique. Reports the first problem in node order. */
static int check_nodes(const struct topo_net *n, const char *file, struct vnet_err *err)
{
	struct name_ref *refs;
	int bad = -1, first = -1;

	for (int i = 0; i < n->nnodes; i++) {
		const struct topo_node *nd = &n->nodes[i];

		if (!vnet_name_valid(nd->name))
			return loc_errf(err, file, &nd->pos, "bad node name '%.*s' in network "
					"'%s': expected " NAME_FORM, VNET_NAME_MAX - 1,
					nd->name, n->name);
		if (nd->kind != TOPO_ROUTER && nd->kind != TOPO_HOST)
			return loc_errf(err, file, &nd->pos, "node '%s' of network '%s' is "
					"neither a router nor a host", nd->name, n->name);
		if (nd->kind == TOPO_HOST && (nd->config || nd->config_path))
			return loc_errf(err, file, &nd->pos, "host '%s' cannot have a config: "
					"hosts run no routing daemon; expected only cpu and "
					"memory", nd->name);
		if (nd->cpu_pct > 6400)
			return loc_errf(err, file, &nd->pos, "bad cpu of '%s': expected %s",
					nd->name, UNITS_CPU_FORM);
	}
	refs = malloc((size_t)n->nnodes * sizeof(*refs));
	if (!refs)
		return loc_errf(err, file, &n->pos, "out of memory");
	for (int i = 0; i < n->nnodes; i++)
		refs[i] = (struct name_ref){ n->nodes[i].name, i };
	qsort(refs, (size_t)n->nnodes, sizeof(*refs), name_ref_cmp);
	for (int i = 1; i < n->nnodes; i++) {
		if (strcmp(refs[i].name, refs[i - 1].name))
			continue;
		/* refs[i] repeats an earlier name; keep the earliest repeat */
		if (bad < 0 || refs[i].idx < bad) {
			bad = refs[i].idx;
			first = refs[i - 1].idx;
			for (int k = i - 1; k >= 0 && !strcmp(refs[k].name, refs[i].name); k--)
				first = refs[k].idx;
		}
	}
	free(refs);
	if (bad >= 0) {
		char where[64];

		if (n->nodes[first].pos.line > 0)
			snprintf(where, sizeof(where), " (first defined at %d:%d)",
				 n->nodes[first].pos.line, n->nodes[first].pos.col);
		else
			where[0] = '\0';
		return loc_errf(err, file, &n->nodes[bad].pos, "duplicate node name '%s' in "
				"network '%s'%s; expected names unique across routers and "
				"hosts", n->nodes[bad].name, n->name, where);
	}
	return 0;
}

#define PROFILE_GAP_TEXT "100ms"

int topo_profile_check(const struct topo_link *l, char *msg, size_t n)
{
	const uint32_t props = LINKP_BIT(LINKP__COUNT) - 1;
	char a[32], b[32];

	if (l->nprofile == 0) {
		if (l->profile || l->repeat || l->period_ns)
			snprintf(msg, n, "link '%s' has %s but no profile steps", l->name,
				 l->profile ? "a profile" : l->repeat ? "repeat" : "a period");
		return l->profile || l->repeat || l->period_ns ? -1 : 0;
	}
	if (l->nprofile < 0 || l->nprofile > TOPO_PROFILE_MAX_STEPS || !l->profile) {
		snprintf(msg, n, "link '%s' has a profile of %d steps; expected 1 to %d steps",
			 l->name, l->nprofile, TOPO_PROFILE_MAX_STEPS);
		return -1;
	}
	for (int k = 0; k < l->nprofile; k++) {
		const struct topo_step *st = &l->profile[k];

		if (k == 0 && st->at_ns != 0) {
			snprintf(msg, n, "the profile of link '%s' starts at %s; expected its "
				 "first step at: 0s", l->name,
				 units_fmt_time(st->at_ns, a, sizeof(a)));
			return -1;
		}
		if (st->at_ns > TOPO_PROFILE_MAX_NS) {
			snprintf(msg, n, "step %d of the profile of link '%s' is at %s; expected "
				 "at most 365 days", k + 1, l->name,
				 units_fmt_time(st->at_ns, a, sizeof(a)));
			return -1;
		}
		if (k > 0 && st->at_ns < l->profile[k - 1].at_ns + TOPO_PROFILE_MIN_GAP_NS) {
			snprintf(msg, n, "step %d of the profile of link '%s' is at %s, less "
				 "than " PROFILE_GAP_TEXT " after step %d (at %s); expected "
				 "steps in increasing time, at least " PROFILE_GAP_TEXT
				 " apart", k + 1, l->name,
				 units_fmt_time(st->at_ns, a, sizeof(a)), k,
				 units_fmt_time(l->profile[k - 1].at_ns, b, sizeof(b)));
			return -1;
		}
		for (int d = 0; d < 2; d++) {
			if ((st->mask[d] & ~props) || (st->mask[d] & LINKP_BIT(LINKP_MTU))) {
				snprintf(msg, n, "step %d of the profile of link '%s' sets %s; "
					 "expected link properties other than mtu", k + 1,
					 l->name, st->mask[d] & LINKP_BIT(LINKP_MTU) ? "mtu"
					 : "unknown properties");
				return -1;
			}
		}
	}
	if (l->repeat != 0 && l->repeat != 1) {
		snprintf(msg, n, "link '%s' has repeat %d; expected 0 or 1", l->name, l->repeat);
		return -1;
	}
	if (!l->repeat && l->period_ns) {
		snprintf(msg, n, "link '%s' has a period but its profile does not repeat; "
			 "expected repeat: true with a period", l->name);
		return -1;
	}
	if (l->repeat && (l->period_ns > TOPO_PROFILE_MAX_NS || l->period_ns <
			  l->profile[l->nprofile - 1].at_ns + TOPO_PROFILE_MIN_GAP_NS)) {
		snprintf(msg, n, "the profile of link '%s' repeats with a period of %s; "
			 "expected a period at least " PROFILE_GAP_TEXT " longer than its "
			 "last step's at (%s) and at most 365 days", l->name,
			 units_fmt_time(l->period_ns, a, sizeof(a)),
			 units_fmt_time(l->profile[l->nprofile - 1].at_ns, b, sizeof(b)));
		return -1;
	}
	return 0;
}

/* Ends, self-loops, names, parallel links. First problem in link order. */
static int check_links(const struct topo_net *n, const char *file, struct vnet_err *err)
{
	struct name_ref *names = NULL;
	struct pair_ref *pairs = NULL;
	int bad = -1, other = -1, why = 0, rc = -1;
	char dflt[VNET_LINK_NAME_MAX], msg[300];

	for (int j = 0; j < n->nlinks; j++) {
		const struct topo_link *l = &n->links[j];

		for (int s = 0; s < 2; s++)
			if (l->end[s] < 0 || l->end[s] >= n->nnodes)
				return loc_errf(err, file, &l->pos, "link %d of network '%s' "
						"names no node (end %d is %d); expected node "
						"indices below %d", j, n->name, s, l->end[s],
						n->nnodes);
		if (!link_name_valid(l->name, sizeof(l->name)))
			return loc_errf(err, file, &l->pos, "bad link name '%.*s' in network "
					"'%s': expected " NAME_FORM, VNET_LINK_NAME_MAX - 1,
					l->name, n->name);
		if (l->end[0] == l->end[1])
			return loc_errf(err, file, &l->pos, "link '%s' connects %s to itself; "
					"expected two different nodes", l->name,
					n->nodes[l->end[0]].name);
		if (topo_profile_check(l, msg, sizeof(msg)))
			return loc_errf(err, file, &l->pos, "%s", msg);
	}
	if (n->nlinks == 0)
		return 0;
	names = malloc((size_t)n->nlinks * sizeof(*names));
	pairs = malloc((size_t)n->nlinks * sizeof(*pairs));
	if (!names || !pairs) {
		loc_errf(err, file, &n->pos, "out of memory");
		goto out;
	}
	for (int j = 0; j < n->nlinks; j++) {
		const struct topo_link *l = &n->links[j];

		names[j] = (struct name_ref){ l->name, j };
		pairs[j] = (struct pair_ref){ l->end[0] < l->end[1] ? l->end[0] : l->end[1],
					      l->end[0] < l->end[1] ? l->end[1] : l->end[0], j };
	}
	qsort(names, (size_t)n->nlinks, sizeof(*names), name_ref_cmp);
	qsort(pairs, (size_t)n->nlinks, sizeof(*pairs), pair_ref_cmp);
	/* The same name twice: the later one is wrong. */
	for (int i = 1, g = 0; i < n->nlinks; i++) {
		if (strcmp(names[i].name, names[i - 1].name)) {
			g = i;
			continue;
		}
		if (bad < 0 || names[i].idx < bad) {
			bad = names[i].idx;
			other = names[g].idx;
			why = 1;
		}
	}
	/* A second link between the same two nodes must not carry its default
	 * name "a-b": it needs a name of its own. */
	for (int i = 1, g = 0; i < n->nlinks; i++) {
		const struct topo_link *l = &n->links[pairs[i].idx];

		if (pairs[i].lo != pairs[i - 1].lo || pairs[i].hi != pairs[i - 1].hi) {
			g = i;
			continue;
		}
		snprintf(dflt, sizeof(dflt), "%s-%s", n->nodes[l->end[0]].name,
			 n->nodes[l->end[1]].name);
		if (strcmp(l->name, dflt))
			continue;
		if (bad < 0 || pairs[i].idx < bad || (pairs[i].idx == bad && why == 1)) {
			bad = pairs[i].idx;
			other = pairs[g].idx;
			why = 2;
		}
	}
	if (bad >= 0) {
		const struct topo_link *l = &n->links[bad], *o = &n->links[other];
		char hint[VNET_LINK_NAME_MAX + 8], where[32];

		snprintf(hint, sizeof(hint), "%s-2", l->name);
		if (!vnet_name_valid(hint))
			snprintf(hint, sizeof(hint), "link%d", bad + 1);
		if (why == 2)
			loc_errf(err, file, &l->pos, "second link between %s and %s in network "
				 "'%s' (the first is '%s'%s); expected a distinct name for "
				 "it, e.g. name: %s", n->nodes[l->end[0]].name,
				 n->nodes[l->end[1]].name, n->name, o->name,
				 at_pos(where, &o->pos), hint);
		else
			loc_errf(err, file, &l->pos, "duplicate link name '%s' in network '%s' "
				 "(first used%s); expected link names unique in the network",
				 l->name, n->name, at_pos(where, &o->pos));
		goto out;
	}
	rc = 0;
out:
	free(names);
	free(pairs);
	return rc;
}

/* Every node reachable from node 0 over the links (down links included:
 * they are part of the topology, only administratively off). */
static int check_connected(const struct topo_net *n, const char *file, struct vnet_err *err)
{
	int *start = NULL, *adj = NULL, *queue = NULL, head = 0, tail = 0, nmiss = 0;
	const char **miss = NULL;
	char *seen = NULL, list[320];
	size_t len = 0;
	int rc = -1;

	start = calloc((size_t)n->nnodes + 1, sizeof(*start));
	adj = malloc(((size_t)n->nlinks * 2 + 1) * sizeof(*adj));
	queue = malloc((size_t)n->nnodes * sizeof(*queue));
	seen = calloc((size_t)n->nnodes, 1);
	if (!start || !adj || !queue || !seen) {
		loc_errf(err, file, &n->pos, "out of memory");
		goto out;
	}
	/* adjacency in compressed rows: neighbours of i are adj[start[i]..start[i+1]) */
	for (int j = 0; j < n->nlinks; j++) {
		start[n->links[j].end[0] + 1]++;
		start[n->links[j].end[1] + 1]++;
	}
	for (int i = 0; i < n->nnodes; i++)
		start[i + 1] += start[i];
	{
		int *fill = queue;	/* borrowed as a cursor per row */

		memcpy(fill, start, (size_t)n->nnodes * sizeof(*fill));
		for (int j = 0; j < n->nlinks; j++) {
			int a = n->links[j].end[0], b = n->links[j].end[1];

			adj[fill[a]++] = b;
			adj[fill[b]++] = a;
		}
	}
	seen[0] = 1;
	queue[tail++] = 0;
	while (head < tail) {
		int v = queue[head++];

		for (int k = start[v]; k < start[v + 1]; k++)
			if (!seen[adj[k]]) {
				seen[adj[k]] = 1;
				queue[tail++] = adj[k];
			}
	}
	if (tail == n->nnodes) {
		rc = 0;
		goto out;
	}
	miss = malloc((size_t)n->nnodes * sizeof(*miss));
	if (!miss) {
		loc_errf(err, file, &n->pos, "out of memory");
		goto out;
	}
	for (int i = 0; i < n->nnodes; i++)
		if (!seen[i])
			miss[nmiss++] = n->nodes[i].name;
	qsort(miss, (size_t)nmiss, sizeof(*miss), str_ptr_cmp);
	list[0] = '\0';
	for (int i = 0; i < nmiss && i < TOPO_UNREACHED_LIST; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					i ? ", " : "", miss[i]);
	if (nmiss > TOPO_UNREACHED_LIST)
		snprintf(list + len, sizeof(list) - len, " and %d more",
			 nmiss - TOPO_UNREACHED_LIST);
	loc_errf(err, file, &n->pos, "network '%s' is not connected: %s cannot be reached "
		 "from %s; expected every node linked to the others", n->name, list,
		 n->nodes[0].name);
out:
	free(start);
	free(adj);
	free(queue);
	free(seen);
	free(miss);
	return rc;
}

int topo_net_check(const struct topo_net *n, const char *file, struct vnet_err *err)
{
	int fam4 = 0, fam6 = 0;

	if (!vnet_name_valid(n->name))
		return loc_errf(err, file, &n->pos, "bad network name '%.*s': expected "
				NAME_FORM, VNET_NAME_MAX - 1, n->name);
	if ((unsigned)n->proto >= TOPO_PROTO__COUNT)
		return loc_errf(err, file, &n->pos, "network '%s' has an unknown protocol",
				n->name);
	if (n->nprefix < 1 || n->nprefix > 2)
		return loc_errf(err, file, &n->pos, "network '%s' has %s; expected "
				PREFIX_LIST_FORM, n->name,
				n->nprefix < 1 ? "no prefix" : "too many prefixes");
	for (int i = 0; i < n->nprefix; i++) {
		const struct vnet_addr *a = &n->prefix[i];
		int *count = a->family == AF_INET ? &fam4 : a->family == AF_INET6 ? &fam6 : NULL;

		if (!count)
			return loc_errf(err, file, &n->pos, "network '%s' has a prefix of "
					"unknown family; expected " PREFIX_FORM, n->name);
		if ((*count)++)
			return loc_errf(err, file, &n->pos, "network '%s' has two %s prefixes; "
					"expected at most one IPv4 and one IPv6 prefix",
					n->name, a->family == AF_INET ? "IPv4" : "IPv6");
		if (a->plen > addr_len(a) * 8)
			return loc_errf(err, file, &n->pos, "network '%s' has a bad prefix "
					"length %u; expected " PREFIX_FORM, n->name, a->plen);
	}
	if (n->nnodes <= 0)
		return loc_errf(err, file, &n->pos, "network '%s' has no routers and no "
				"hosts; expected at least one router", n->name);
	if (n->nnodes > TOPO_MAX_NODES)
		return loc_errf(err, file, &n->pos, "network '%s' has %d nodes; expected "
				"at most %d routers and hosts", n->name, n->nnodes,
				TOPO_MAX_NODES);
	if (n->nlinks < 0 || n->nlinks > TOPO_MAX_LINKS)
		return loc_errf(err, file, &n->pos, "network '%s' has %d links; expected "
				"at most %d", n->name, n->nlinks, TOPO_MAX_LINKS);
	if (check_nodes(n, file, err) || check_links(n, file, err) ||
	    check_connected(n, file, err) || topo_net_check_numbers(n, file, err))
		return -1;
	return 0;
}

/*
 * The reader
 */

struct bnode_vec {
	struct topo_node *v;
	int n, cap;
};

/* A profile step as written: its own properties of each direction (both,
 * then forward or reverse), before parse_link() resolves it. */
struct bstep {
	uint64_t at;
	struct topo_pos pos;
	struct link_params p[2];
	uint32_t mask[2];
};

struct blink {
	struct topo_link l;
	char end[2][VNET_NAME_MAX];
	struct topo_pos end_pos[2];
	int named;
	struct bstep *steps;		/* while the link is read */
	int nsteps, cap_steps;
};

/* One network while it is being read. */
struct bnet {
	struct topo_net n;		/* name, proto, prefixes, pos */
	struct bnode_vec routers, hosts;
	struct blink *links;
	int nlinks, cap_links;
};

struct pctx {
	yaml_parser_t yp;
	yaml_event_t ev;
	int have_ev;
	const char *buf;
	size_t len;
	const char *file;
	const char *basedir;
	struct vnet_err *err;
	size_t config_total;
	int profile_steps;		/* of all links read so far */
};

static struct topo_pos ev_pos(const yaml_event_t *ev)
{
	return (struct topo_pos){ (int)ev->start_mark.line + 1,
				  (int)ev->start_mark.column + 1 };
}

/* User text as shown in a message: at most TOPO_SHOW_MAX bytes, cut on a
 * character boundary and marked with "...". */
static const char *clip(const char *s, char buf[TOPO_SHOW_MAX + 4])
{
	size_t len = strlen(s), cut = TOPO_SHOW_MAX - 4;

	if (len <= TOPO_SHOW_MAX)
		return s;
	while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	memcpy(buf, s, cut);
	memcpy(buf + cut, "...", 4);
	return buf;
}

static int perr(struct pctx *c, struct topo_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct pctx *c, struct topo_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	loc_verrf(c->err, c->file, &pos, fmt, ap);
	va_end(ap);
	return -1;
}

/* Byte offset of 1-based line/col (columns count characters), or len. */
static size_t byte_at(const char *buf, size_t len, int line, int col)
{
	size_t i = 0;

	for (int l = 1; l < line && i < len; i++)
		if (buf[i] == '\n')
			l++;
	for (int k = 1; k < col && i < len; k++) {
		i++;
		while (i < len && ((unsigned char)buf[i] & 0xc0) == 0x80)
			i++;
	}
	return i;
}

static int yaml_fail(struct pctx *c)
{
	const yaml_parser_t *p = &c->yp;
	struct topo_pos pos = { (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1 };
	const char *problem = p->problem ? p->problem : "unknown error";
	const char *hint = "";
	char ctx[160] = "";
	size_t at;

	if (p->error == YAML_MEMORY_ERROR)
		return perr(c, (struct topo_pos){ 0, 0 }, "out of memory while reading YAML");
	if (p->error == YAML_READER_ERROR) {
		/* only a byte offset is known */
		pos.line = 1;
		pos.col = 1;
		for (size_t i = 0; i < p->problem_offset && i < c->len; i++) {
			if (c->buf[i] == '\n') {
				pos.line++;
				pos.col = 1;
			} else if (((unsigned char)c->buf[i] & 0xc0) != 0x80) {
				pos.col++;
			}
		}
		return perr(c, pos, "invalid YAML: %s; expected printable UTF-8 text", problem);
	}
	if (p->context)
		snprintf(ctx, sizeof(ctx), " (%s at %zu:%zu)", p->context,
			 p->context_mark.line + 1, p->context_mark.column + 1);
	at = byte_at(c->buf, c->len, pos.line, pos.col);
	if (at < c->len && c->buf[at] == '\t')
		hint = "; expected spaces for indentation (tabs are not allowed)";
	return perr(c, pos, "invalid YAML: %s%s%s", problem, ctx, hint);
}

/* The next event into c->ev. Aliases are refused here, once for all. */
static int next(struct pctx *c)
{
	if (c->have_ev) {
		yaml_event_delete(&c->ev);
		c->have_ev = 0;
	}
	if (!yaml_parser_parse(&c->yp, &c->ev))
		return yaml_fail(c);
	c->have_ev = 1;
	if (c->ev.type == YAML_ALIAS_EVENT)
		return perr(c, ev_pos(&c->ev), "YAML aliases (*%.64s) are not supported; "
			    "expected the value written out in full",
			    (const char *)c->ev.data.alias.anchor);
	return 0;
}

static int is_scalar(const struct pctx *c)
{
	return c->ev.type == YAML_SCALAR_EVENT;
}

static int is_null(const struct pctx *c)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	const char *v = (const char *)c->ev.data.scalar.value;

	if (!is_scalar(c) || c->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(nulls); i++)
		if (!strcmp(v, nulls[i]))
			return 1;
	return 0;
}

/* The current scalar's text; refuses embedded NULs. */
static int scalar_text(struct pctx *c, const char **out)
{
	const char *v = (const char *)c->ev.data.scalar.value;

	if (strlen(v) != c->ev.data.scalar.length)
		return perr(c, ev_pos(&c->ev), "text with a NUL character; expected "
			    "printable text");
	*out = v;
	return 0;
}

/* The current event as a map key: copied, since the event goes away. */
static int key_text(struct pctx *c, char key[TOPO_KEY_MAX], struct topo_pos *pos)
{
	const char *v = "";

	*pos = ev_pos(&c->ev);
	if (!is_scalar(c))
		return perr(c, *pos, "a %s as a map key; expected a plain name",
			    c->ev.type == YAML_MAPPING_START_EVENT ? "map" : "list");
	if (scalar_text(c, &v))
		return -1;
	/* A long key is no known key and no valid name: keep it short for the
	 * message, which is all it can still be used for. */
	if (strlen(v) >= TOPO_KEY_MAX || strlen(v) > TOPO_SHOW_MAX) {
		char tmp[TOPO_SHOW_MAX + 4];

		snprintf(key, TOPO_KEY_MAX, "%s", clip(v, tmp));
	} else {
		snprintf(key, TOPO_KEY_MAX, "%s", v);
	}
	return 0;
}

/* "bandwidth, burst, ..." for messages; without mtu when no_mtu. */
static const char *prop_list(char *buf, size_t n, int no_mtu)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < LINKP__COUNT && len < n; i++)
		if (!(no_mtu && i == LINKP_MTU))
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "",
						linkp_name(i));
	return buf;
}

/* Index of key in the NULL-terminated list, or -1 with an error listing
 * them. An empty entry is where forward, reverse and the link properties
 * (read before by dirprops_key; without mtu when no_mtu) go in that list;
 * it matches no key. */
static int known_key_props(struct pctx *c, const char *key, struct topo_pos pos,
			   const char *const *known, int no_mtu, const char *where,
			   unsigned *seen)
{
	char list[400], props[300];
	size_t len = 0;

	for (int i = 0; known[i]; i++) {
		if (!known[i][0] || strcmp(key, known[i]))
			continue;
		if (*seen & (1u << i))
			return perr(c, pos, "duplicate key '%s' %s; expected each key once",
				    key, where);
		*seen |= 1u << i;
		return i;
	}
	list[0] = '\0';
	for (int i = 0; known[i] && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s%s",
					i ? ", " : "", known[i][0] ? "" : "forward, reverse, ",
					known[i][0] ? known[i] :
					prop_list(props, sizeof(props), no_mtu));
	return perr(c, pos, "unknown key '%s' %s (known: %s)", key, where, list);
}

static int known_key(struct pctx *c, const char *key, struct topo_pos pos,
		     const char *const *known, const char *where, unsigned *seen)
{
	return known_key_props(c, key, pos, known, 0, where, seen);
}

/* The value of a property as text for its parser; a list or a map becomes
 * "[...]" or "{...}" so the parser's message says what was expected. */
static int value_text(struct pctx *c, const char **out)
{
	if (is_scalar(c))
		return is_null(c) ? (*out = "", 0) : scalar_text(c, out);
	*out = c->ev.type == YAML_MAPPING_START_EVENT ? "{...}" : "[...]";
	return 0;
}

static int grow(void **arr, int *cap, int need, size_t size)
{
	void *p;
	int ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap < need)
		ncap = need;
	p = realloc(*arr, (size_t)ncap * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

static void bnet_free(struct bnet *b)
{
	struct bnode_vec *vs[2] = { &b->routers, &b->hosts };

	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < vs[k]->n; i++) {
			free(vs[k]->v[i].config_path);
			free(vs[k]->v[i].config);
		}
		free(vs[k]->v);
	}
	for (int j = 0; j < b->nlinks; j++)
		free(b->links[j].l.profile);
	free(b->links);
	memset(b, 0, sizeof(*b));
}

static const char *kind_name(enum topo_kind k)
{
	return k == TOPO_ROUTER ? "router" : "host";
}

/* networks.NAME.prefix: one prefix or a list. */
static int add_prefix(struct pctx *c, struct bnet *b)
{
	struct topo_pos pos = ev_pos(&c->ev);
	char canon[VNET_ADDRSTRLEN], show[TOPO_SHOW_MAX + 4];
	struct vnet_addr a, m;
	const char *s = "";

	if (!is_scalar(c) || is_null(c))
		return perr(c, pos, "prefix of network '%s' must be " PREFIX_LIST_FORM,
			    b->n.name);
	if (scalar_text(c, &s))
		return -1;
	if (addr_parse(s, &a, 1))
		return perr(c, pos, "bad prefix '%s' in network '%s': expected " PREFIX_FORM,
			    clip(s, show), b->n.name);
	m = a;
	addr_mask(&m);
	if (!addr_equal(&a, &m))
		return perr(c, pos, "prefix '%s' of network '%s' has host bits set; "
			    "expected %s", s, b->n.name, addr_fmt(&m, canon, sizeof(canon), 1));
	for (int i = 0; i < b->n.nprefix; i++)
		if (b->n.prefix[i].family == a.family)
			return perr(c, pos, "network '%s' has two %s prefixes; expected at "
				    "most one IPv4 and one IPv6 prefix", b->n.name,
				    a.family == AF_INET ? "IPv4" : "IPv6");
	b->n.prefix[b->n.nprefix++] = a;
	return 0;
}

static int parse_prefix(struct pctx *c, struct bnet *b)
{
	struct topo_pos pos = ev_pos(&c->ev);

	if (c->ev.type != YAML_SEQUENCE_START_EVENT)
		return add_prefix(c, b);
	for (;;) {
		if (next(c))
			return -1;
		if (c->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (b->n.nprefix == 2)
			return perr(c, ev_pos(&c->ev), "network '%s' has more than two "
				    "prefixes; expected at most one IPv4 and one IPv6 prefix",
				    b->n.name);
		if (add_prefix(c, b))
			return -1;
	}
	if (!b->n.nprefix)
		return perr(c, pos, "prefix list of network '%s' is empty; expected "
			    PREFIX_LIST_FORM, b->n.name);
	return 0;
}

static int parse_protocol(struct pctx *c, struct bnet *b)
{
	char list[100], show[TOPO_SHOW_MAX + 4];
	const char *s = "";
	int p;

	proto_list(list, sizeof(list));
	if (!is_scalar(c) || is_null(c))
		return perr(c, ev_pos(&c->ev), "protocol of network '%s' must be one of %s",
			    b->n.name, list);
	if (scalar_text(c, &s))
		return -1;
	if ((p = topo_proto_lookup(s)) < 0)
		return perr(c, ev_pos(&c->ev), "unknown protocol '%s' in network '%s'; "
			    "expected one of %s", clip(s, show), b->n.name, list);
	b->n.proto = p;
	return 0;
}

static const struct topo_node *bnet_node_find(const struct bnet *b, const char *name)
{
	const struct bnode_vec *vs[2] = { &b->routers, &b->hosts };

	for (int k = 0; k < 2; k++)
		for (int i = 0; i < vs[k]->n; i++)
			if (!strcmp(vs[k]->v[i].name, name))
				return &vs[k]->v[i];
	return NULL;
}

static struct topo_node *add_node(struct pctx *c, struct bnet *b, enum topo_kind kind,
				  const char *name, struct topo_pos pos)
{
	struct bnode_vec *v = kind == TOPO_ROUTER ? &b->routers : &b->hosts;
	char show[TOPO_SHOW_MAX + 4];
	const struct topo_node *old;
	struct topo_node *nd;

	if (!vnet_name_valid(name)) {
		perr(c, pos, "bad %s name '%s' in network '%s': expected " NAME_FORM,
		     kind_name(kind), clip(name, show), b->n.name);
		return NULL;
	}
	if ((old = bnet_node_find(b, name))) {
		perr(c, pos, "duplicate node name '%s' in network '%s' (already a %s at "
		     "%d:%d); expected names unique across routers and hosts", name,
		     b->n.name, kind_name(old->kind), old->pos.line, old->pos.col);
		return NULL;
	}
	if (b->routers.n + b->hosts.n >= TOPO_MAX_NODES) {
		perr(c, pos, "network '%s' has too many nodes; expected at most %d routers "
		     "and hosts", b->n.name, TOPO_MAX_NODES);
		return NULL;
	}
	if (grow((void **)&v->v, &v->cap, v->n + 1, sizeof(*v->v))) {
		perr(c, pos, "out of memory");
		return NULL;
	}
	nd = &v->v[v->n++];
	memset(nd, 0, sizeof(*nd));
	snprintf(nd->name, sizeof(nd->name), "%s", name);
	nd->kind = kind;
	nd->pos = pos;
	return nd;
}

/* "dir/rel" made absolute (relative to the working directory when dir is
 * relative), with empty and "." components dropped. */
static char *config_abspath(const char *basedir, const char *rel)
{
	char *cwd = NULL, *joined = NULL, *out = NULL, *save, *tok;
	size_t len, o = 0;

	if (rel[0] == '/') {
		joined = strdup(rel);
	} else {
		if (!basedir || !basedir[0])
			basedir = ".";
		if (basedir[0] != '/') {
			cwd = getcwd(NULL, 0);
			if (!cwd)
				return NULL;
		}
		len = (cwd ? strlen(cwd) + 1 : 0) + strlen(basedir) + 1 + strlen(rel) + 1;
		joined = malloc(len);
		if (joined)
			snprintf(joined, len, "%s%s%s/%s", cwd ? cwd : "", cwd ? "/" : "",
				 basedir, rel);
	}
	free(cwd);
	if (!joined)
		return NULL;
	out = malloc(strlen(joined) + 2);
	if (!out)
		goto done;
	for (tok = strtok_r(joined, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		len = strlen(tok);
		out[o++] = '/';
		memcpy(out + o, tok, len);
		o += len;
	}
	if (!o)
		out[o++] = '/';
	out[o] = '\0';
done:
	free(joined);
	return out;
}

/* Read the user's BIRD config for router nd; path as written at pos. */
static int read_config(struct pctx *c, struct topo_node *nd, const char *path,
		       struct topo_pos pos)
{
	char *abs, *data = NULL;
	size_t len = 0, cap = 0;
	struct stat st;
	int fd, e;

	if (!path[0])
		return perr(c, pos, "config of router '%s' is empty; expected the name of "
			    "a BIRD config file such as %s.bird.conf", nd->name, nd->name);
	abs = config_abspath(c->basedir, path);
	if (!abs)
		return perr(c, pos, "cannot resolve config path '%s' of router '%s': %s",
			    path, nd->name, strerror(errno ? errno : ENOMEM));
	fd = open(abs, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		perr(c, pos, "cannot read BIRD config '%s' of router '%s': %s", abs,
		     nd->name, strerror(e));
		goto fail;
	}
	if (fstat(fd, &st)) {
		e = errno;
		perr(c, pos, "cannot read BIRD config '%s' of router '%s': %s", abs,
		     nd->name, strerror(e));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		perr(c, pos, "cannot read BIRD config '%s' of router '%s': %s", abs,
		     nd->name, S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file");
		goto fail;
	}
	/* st_size is not trusted (/proc); read until EOF or past the limit. */
	for (;;) {
		ssize_t r;

		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *p;

			if (ncap > TOPO_MAX_CONFIG + 1)
				ncap = TOPO_MAX_CONFIG + 1;
			if (ncap == cap)
				break;	/* full: over the limit */
			p = realloc(data, ncap + 1);
			if (!p) {
				perr(c, pos, "out of memory reading '%s'", abs);
				goto fail;
			}
			data = p;
			cap = ncap;
		}
		r = read(fd, data + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			perr(c, pos, "cannot read BIRD config '%s' of router '%s': %s", abs,
			     nd->name, strerror(e));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > TOPO_MAX_CONFIG) {
		perr(c, pos, "BIRD config '%s' of router '%s' is larger than 1 MiB; expected "
		     "a smaller file", abs, nd->name);
		goto fail;
	}
	if (c->config_total + len > TOPO_MAX_CONFIG_TOTAL) {
		perr(c, pos, "the BIRD configs of this topology exceed 64 MiB in total; "
		     "expected smaller files");
		goto fail;
	}
	if (!data && !(data = malloc(1))) {
		perr(c, pos, "out of memory reading '%s'", abs);
		goto fail;
	}
	data[len] = '\0';
	if (memchr(data, '\0', len)) {
		perr(c, pos, "BIRD config '%s' of router '%s' contains NUL bytes; expected "
		     "a text file", abs, nd->name);
		goto fail;
	}
	close(fd);
	c->config_total += len;
	free(nd->config_path);
	free(nd->config);
	nd->config_path = abs;
	nd->config = data;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(abs);
	free(data);
	return -1;
}

/* routers.NAME / hosts.NAME: null or {cpu, memory, host, config}. */
static int parse_node_settings(struct pctx *c, struct topo_node *nd)
{
	static const char *const known_router[] = { "cpu", "memory", "host", "config", NULL };
	static const char *const known_host[] = { "cpu", "memory", "host", NULL };
	const char *const *known = nd->kind == TOPO_ROUTER ? known_router : known_host;
	char key[TOPO_KEY_MAX], where[64], show[TOPO_SHOW_MAX + 4];
	struct topo_pos kpos, vpos;
	unsigned seen = 0;
	const char *v = "";
	int k;

	if (is_null(c))
		return 0;
	if (c->ev.type != YAML_MAPPING_START_EVENT)
		return perr(c, ev_pos(&c->ev), "settings of %s '%s' must be a map such as "
			    "{cpu: 50%%, memory: 64M}", kind_name(nd->kind), nd->name);
	snprintf(where, sizeof(where), "in %s '%s'", kind_name(nd->kind), nd->name);
	for (;;) {
		if (next(c))
			return -1;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (key_text(c, key, &kpos))
			return -1;
		if (nd->kind == TOPO_HOST && !strcmp(key, "config"))
			return perr(c, kpos, "host '%s' cannot have a config: hosts run no "
				    "routing daemon; expected only cpu, memory and host", nd->name);
		if ((k = known_key(c, key, kpos, known, where, &seen)) < 0 || next(c))
			return -1;
		vpos = ev_pos(&c->ev);
		if (value_text(c, &v))
			return -1;
		switch (k) {
		case 0:
			if (units_parse_cpu(v, &nd->cpu_pct))
				return perr(c, vpos, "bad cpu '%s': expected %s",
					    clip(v, show), UNITS_CPU_FORM);
			break;
		case 1:
			if (units_parse_size(v, &nd->mem_bytes))
				return perr(c, vpos, "bad memory '%s': expected %s",
					    clip(v, show), UNITS_SIZE_FORM);
			break;
		case 2:
			if (!is_scalar(c) || !vnet_name_valid(v))
				return perr(c, vpos, "bad host '%s' for %s '%s': expected the name "
					    "of a physical host (letters, digits, '_', and '.' or "
					    "'-' inside)", clip(v, show), kind_name(nd->kind),
					    nd->name);
			snprintf(nd->host, sizeof(nd->host), "%s", v);
			break;
		case 3:
			if (!is_scalar(c))
				return perr(c, vpos, "config of router '%s' must be a file name "
					    "such as %s.bird.conf", nd->name, nd->name);
			if (read_config(c, nd, v, vpos))
				return -1;
			break;
		}
	}
}

/* networks.NAME.routers / hosts: a list of names or a map name -> settings. */
static int parse_nodes(struct pctx *c, struct bnet *b, enum topo_kind kind)
{
	const char *what = kind == TOPO_ROUTER ? "routers" : "hosts";
	char key[TOPO_KEY_MAX];
	struct topo_node *nd;
	struct topo_pos pos;
	const char *s = "";

	if (is_null(c))
		return 0;
	if (c->ev.type == YAML_SEQUENCE_START_EVENT) {
		for (;;) {
			if (next(c))
				return -1;
			if (c->ev.type == YAML_SEQUENCE_END_EVENT)
				return 0;
			pos = ev_pos(&c->ev);
			if (!is_scalar(c))
				return perr(c, pos, "%s of network '%s' must be a list of names "
					    "or a map of name -> settings", what, b->n.name);
			if (scalar_text(c, &s) || !add_node(c, b, kind, s, pos))
				return -1;
		}
	}
	if (c->ev.type == YAML_MAPPING_START_EVENT) {
		for (;;) {
			if (next(c))
				return -1;
			if (c->ev.type == YAML_MAPPING_END_EVENT)
				return 0;
			if (key_text(c, key, &pos) || !(nd = add_node(c, b, kind, key, pos)) ||
			    next(c) || parse_node_settings(c, nd))
				return -1;
		}
	}
	return perr(c, ev_pos(&c->ev), "%s of network '%s' must be a list of names or a "
		    "map of name -> settings", what, b->n.name);
}

/* ends: [a, b] (also a whole link written as [a, b]). */
static int parse_ends(struct pctx *c, struct bnet *b, struct blink *bl)
{
	struct topo_pos pos = ev_pos(&c->ev);
	char show[TOPO_SHOW_MAX + 4];
	const char *s = "";
	int k = 0;

	if (c->ev.type != YAML_SEQUENCE_START_EVENT)
		return perr(c, pos, "ends of a link must be a list of two node names such as "
			    "[r1, r2]");
	for (;;) {
		if (next(c))
			return -1;
		if (c->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (k == 2)
			return perr(c, ev_pos(&c->ev), "a link has more than two ends; expected "
				    "exactly two node names such as [r1, r2]");
		if (!is_scalar(c) || is_null(c))
			return perr(c, ev_pos(&c->ev), "a link end must be the name of a "
				    "router or host");
		if (scalar_text(c, &s))
			return -1;
		if (!vnet_name_valid(s))
			return perr(c, ev_pos(&c->ev), "link end '%s' is not a router or host "
				    "of network '%s'", clip(s, show), b->n.name);
		snprintf(bl->end[k], sizeof(bl->end[k]), "%s", s);
		bl->end_pos[k++] = ev_pos(&c->ev);
	}
	if (k != 2)
		return perr(c, pos, "a link has %s; expected exactly two node names such as "
			    "[r1, r2]", k ? "only one end" : "no ends");
	return 0;
}

#define PROFILE_MTU_MSG "mtu cannot change in a profile; expected mtu on the link itself"

/* A key of a link, profile-step or forward:/reverse: map that names a link
 * property: parse its value into p. Returns 1 when key was a property, 0
 * when it is not, -1 on error. `where` names the map for messages; no mtu
 * when in_step. */
static int parse_prop(struct pctx *c, const char *key, struct topo_pos kpos,
		      const char *where, int in_step, struct link_params *p,
		      uint32_t *mask)
{
	char msg[400];
	const char *v = "";
	int prop = linkp_lookup(key);

	if (prop < 0)
		return 0;
	if (in_step && prop == LINKP_MTU)
		return perr(c, kpos, PROFILE_MTU_MSG);
	if (*mask & LINKP_BIT(prop))
		return perr(c, kpos, "duplicate key '%s' in %s; expected each key once", key,
			    where);
	if (next(c) || value_text(c, &v))
		return -1;
	if (linkp_set(p, mask, key, v, msg, sizeof(msg)))
		return perr(c, ev_pos(&c->ev), "%s", msg);
	return 1;
}

/* forward / reverse: a map of link properties (of a link, or of a profile
 * step when in_step, where mtu is refused). */
static int parse_direction(struct pctx *c, const char *dir, struct link_params *p,
			   uint32_t *mask, int in_step)
{
	char key[TOPO_KEY_MAX], msg[400];
	struct topo_pos kpos;
	int rc;

	if (is_null(c))
		return 0;
	if (c->ev.type != YAML_MAPPING_START_EVENT)
		return perr(c, ev_pos(&c->ev), "%s of a link must be a map of link properties "
			    "such as {delay: 5ms}", dir);
	for (;;) {
		if (next(c))
			return -1;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (key_text(c, key, &kpos) || (rc = parse_prop(c, key, kpos, dir, in_step,
								 p, mask)) < 0)
			return -1;
		if (rc == 0) {	/* linkp_set() words the unknown property */
			linkp_set(p, mask, key, "", msg, sizeof(msg));
			return perr(c, kpos, "%s in %s", msg, dir);
		}
	}
}

/* The link properties of a link or profile-step map: those for both
 * directions at its top level and the maps forward: and reverse:. */
struct dirprops {
	struct link_params both, dir[2];
	uint32_t mboth, mdir[2];
	unsigned seen;		/* bit d: the map of direction d was there */
	int in_step;		/* a profile step: no mtu */
};

static void dirprops_init(struct dirprops *dp, int in_step)
{
	memset(dp, 0, sizeof(*dp));
	linkp_init(&dp->both);
	linkp_init(&dp->dir[0]);
	linkp_init(&dp->dir[1]);
	dp->in_step = in_step;
}

/* A key of the map that is a link property, forward or reverse: parse its
 * value into dp. Returns 1 when it was one, 0 when not, -1 on error.
 * `where` is "a link" or "a profile step". */
static int dirprops_key(struct pctx *c, const char *key, struct topo_pos kpos,
			const char *where, struct dirprops *dp)
{
	static const char *const dirs[] = { "forward", "reverse" };

	for (int d = 0; d < 2; d++) {
		if (strcmp(key, dirs[d]))
			continue;
		if (dp->seen & (1u << d))
			return perr(c, kpos, "duplicate key '%s' in %s; expected each key once",
				    key, where);
		dp->seen |= 1u << d;
		if (next(c) || parse_direction(c, dirs[d], &dp->dir[d], &dp->mdir[d],
					       dp->in_step))
			return -1;
		return 1;
	}
	return parse_prop(c, key, kpos, where, dp->in_step, &dp->both, &dp->mboth);
}

/*
 * The next key of a link or profile-step map (`where`: "a link"): link
 * properties and forward:/reverse: go to dp; any other key must be in known
 * (see known_key_props). Returns its index with the parser on its value,
 * DIRMAP_END after the end of the map, or -1 on an error.
 */
#define DIRMAP_END (-2)
static int dirmap_next(struct pctx *c, struct dirprops *dp, const char *where,
		       const char *const *known, unsigned *seen)
{
	char key[TOPO_KEY_MAX], in[64];
	struct topo_pos kpos;
	int rc;

	snprintf(in, sizeof(in), "in %s", where);
	for (;;) {
		if (next(c))
			return -1;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			return DIRMAP_END;
		if (key_text(c, key, &kpos))
			return -1;
		if ((rc = dirprops_key(c, key, kpos, where, dp)) < 0)
			return -1;
		if (rc)
			continue;
		if ((rc = known_key_props(c, key, kpos, known, dp->in_step, in, seen)) < 0 ||
		    next(c))
			return -1;
		return rc;
	}
}

/* Each direction's properties: the top-level ones, then its own map's over
 * them; mask (may be NULL) gets which were given. */
static void dirprops_result(const struct dirprops *dp, struct link_params p[2],
			    uint32_t mask[2])
{
	for (int d = 0; d < 2; d++) {
		p[d] = dp->both;
		linkp_apply(&p[d], &dp->dir[d], dp->mdir[d]);
		if (mask)
			mask[d] = dp->mboth | dp->mdir[d];
	}
}

/* down / repeat: true or false. */
static int parse_flag(struct pctx *c, const char *what, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	char show[TOPO_SHOW_MAX + 4];
	const char *v = "";
	int val = -1;

	if (value_text(c, &v))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]))
			val = 1;
		if (!strcasecmp(v, no[i]))
			val = 0;
	}
	if (val < 0 || !is_scalar(c))
		return perr(c, ev_pos(&c->ev), "bad %s '%s': expected true or false", what,
			    clip(v, show));
	*out = val;
	return 0;
}

/* at / period: a time of a profile, at most 365 days. */
static int parse_profile_time(struct pctx *c, const char *what, uint64_t *out)
{
	char show[TOPO_SHOW_MAX + 4];
	const char *v = "";

	if (value_text(c, &v))
		return -1;
	if (!is_scalar(c) || units_parse_time(v, out))
		return perr(c, ev_pos(&c->ev), "bad %s '%s': expected %s", what, clip(v, show),
			    UNITS_TIME_FORM);
	if (*out > TOPO_PROFILE_MAX_NS)
		return perr(c, ev_pos(&c->ev), "%s '%s' is too long; expected at most 365 "
			    "days", what, clip(v, show));
	return 0;
}

/* One step of a profile: {at: TIME, properties..., forward: {...},
 * reverse: {...}}, read into bl->steps as written. */
static int parse_step(struct pctx *c, struct blink *bl)
{
	enum { K_AT, K_PROPS };
	static const char *const known[] = { "at", "", NULL };
	struct topo_pos pos = ev_pos(&c->ev), at_pos = pos;
	struct dirprops dp;
	char a[32], b[32];
	unsigned seen = 0;
	struct bstep *st;
	int k;

	if (c->ev.type != YAML_MAPPING_START_EVENT)
		return perr(c, pos, "a profile step must be a map such as {at: 10s, delay: "
			    "50ms}");
	if (bl->nsteps >= TOPO_PROFILE_MAX_STEPS)
		return perr(c, pos, "a profile has too many steps; expected at most %d",
			    TOPO_PROFILE_MAX_STEPS);
	if (c->profile_steps >= TOPO_PROFILE_MAX_TOTAL)
		return perr(c, pos, "the profiles of this topology have too many steps; "
			    "expected at most %d in all", TOPO_PROFILE_MAX_TOTAL);
	if (grow((void **)&bl->steps, &bl->cap_steps, bl->nsteps + 1, sizeof(*bl->steps)))
		return perr(c, pos, "out of memory");
	st = &bl->steps[bl->nsteps];
	memset(st, 0, sizeof(*st));
	st->pos = pos;
	dirprops_init(&dp, 1);
	while ((k = dirmap_next(c, &dp, "a profile step", known, &seen)) != DIRMAP_END) {
		if (k < 0)
			return -1;
		if (k == K_AT) {
			at_pos = ev_pos(&c->ev);
			if (parse_profile_time(c, "at", &st->at))
				return -1;
		}
	}
	if (!(seen & (1u << K_AT)))
		return perr(c, pos, "a profile step without at; expected at: followed by %s",
			    UNITS_TIME_FORM);
	if (bl->nsteps == 0 && st->at != 0)
		return perr(c, at_pos, "the first step of a profile is at %s; expected at: 0s "
			    "(a profile starts with the link)",
			    units_fmt_time(st->at, a, sizeof(a)));
	if (bl->nsteps > 0 && st->at < bl->steps[bl->nsteps - 1].at + TOPO_PROFILE_MIN_GAP_NS)
		return perr(c, at_pos, "a profile step at %s comes less than " PROFILE_GAP_TEXT
			    " after the step before it (at %s); expected steps in increasing "
			    "time, at least " PROFILE_GAP_TEXT " apart",
			    units_fmt_time(st->at, a, sizeof(a)),
			    units_fmt_time(bl->steps[bl->nsteps - 1].at, b, sizeof(b)));
	dirprops_result(&dp, st->p, st->mask);
	bl->nsteps++;
	c->profile_steps++;
	return 0;
}

/* profile: a list of at least one step. */
static int parse_profile(struct pctx *c, struct blink *bl)
{
	struct topo_pos pos = ev_pos(&c->ev);

	if (c->ev.type != YAML_SEQUENCE_START_EVENT)
		return perr(c, pos, "profile of a link must be a list of steps such as "
			    "[{at: 0s, delay: 5ms}, {at: 10s, delay: 50ms}]");
	for (;;) {
		if (next(c))
			return -1;
		if (c->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (parse_step(c, bl))
			return -1;
	}
	if (!bl->nsteps)
		return perr(c, pos, "profile of a link is empty; expected a list of steps such "
			    "as [{at: 0s, delay: 5ms}, {at: 10s, delay: 50ms}]");
	return 0;
}

/* The steps as read, made into bl->l.profile: every step sets, in each
 * direction, every property that some step names; a property it does not
 * name itself takes the link's own value (see topo.h). */
static int resolve_profile(struct pctx *c, struct blink *bl, struct topo_pos pos)
{
	struct topo_link *l = &bl->l;
	uint32_t all[2] = { 0, 0 };

	l->profile = calloc((size_t)bl->nsteps, sizeof(*l->profile));
	if (!l->profile)
		return perr(c, pos, "out of memory");
	l->nprofile = bl->nsteps;
	for (int k = 0; k < bl->nsteps; k++) {
		all[0] |= bl->steps[k].mask[0];
		all[1] |= bl->steps[k].mask[1];
	}
	for (int k = 0; k < bl->nsteps; k++) {
		struct topo_step *st = &l->profile[k];

		st->at_ns = bl->steps[k].at;
		for (int d = 0; d < 2; d++) {
			linkp_init(&st->p[d]);
			linkp_apply(&st->p[d], &l->dir[d], all[d]);
			linkp_apply(&st->p[d], &bl->steps[k].p[d], bl->steps[k].mask[d]);
			if ((all[d] & LINKP_BIT(LINKP_QUEUE)) && !st->p[d].queue_pkts)
				st->p[d].queue_pkts = LINKP_DEFAULT_QUEUE_PKTS;
			st->mask[d] = all[d];
		}
	}
	return 0;
}

/* A link written as a map. */
static int parse_link_map(struct pctx *c, struct bnet *b, struct blink *bl,
			  struct topo_pos pos)
{
	enum { K_ENDS, K_NAME, K_DOWN, K_PROPS, K_PROFILE, K_REPEAT, K_PERIOD };
	static const char *const known[] = { "ends", "name", "down", "", "profile", "repeat",
					     "period", NULL };
	struct dirprops dp;
	struct topo_pos repeat_pos = pos, period_pos = pos;
	char show[TOPO_SHOW_MAX + 4], a[32], t[32];
	unsigned seen = 0;
	const char *v = "";
	int k;

	dirprops_init(&dp, 0);
	while ((k = dirmap_next(c, &dp, "a link", known, &seen)) != DIRMAP_END) {
		switch (k) {
		case -1:
			return -1;
		case K_ENDS:
			if (parse_ends(c, b, bl))
				return -1;
			break;
		case K_NAME:
			if (!is_scalar(c) || is_null(c) || scalar_text(c, &v) ||
			    !vnet_name_valid(v))
				return perr(c, ev_pos(&c->ev), "bad link name '%s': expected "
					    NAME_FORM, clip(is_scalar(c) ?
					    (const char *)c->ev.data.scalar.value : "", show));
			snprintf(bl->l.name, sizeof(bl->l.name), "%s", v);
			bl->named = 1;
			break;
		case K_DOWN:
			if (parse_flag(c, "down", &bl->l.down))
				return -1;
			break;
		case K_PROFILE:
			if (parse_profile(c, bl))
				return -1;
			break;
		case K_REPEAT:
			repeat_pos = ev_pos(&c->ev);
			if (parse_flag(c, "repeat", &bl->l.repeat))
				return -1;
			break;
		case K_PERIOD:
			period_pos = ev_pos(&c->ev);
			if (parse_profile_time(c, "period", &bl->l.period_ns))
				return -1;
			break;
		}
	}
	if (!(seen & (1u << K_ENDS)))
		return perr(c, pos, "a link without ends; expected ends: [a, b] in it");
	if (!(seen & (1u << K_PROFILE)) && (seen & (1u << K_REPEAT | 1u << K_PERIOD)))
		return perr(c, seen & (1u << K_REPEAT) ? repeat_pos : period_pos, "%s of a "
			    "link without a profile; expected profile: followed by a list "
			    "of steps", seen & (1u << K_REPEAT) ? "repeat" : "period");
	if (bl->l.repeat && !(seen & (1u << K_PERIOD)))
		return perr(c, repeat_pos, "a repeating profile needs a period; expected "
			    "period: followed by a time at least " PROFILE_GAP_TEXT " longer "
			    "than the last step's at (%s)",
			    units_fmt_time(bl->steps[bl->nsteps - 1].at, a, sizeof(a)));
	if (!bl->l.repeat && (seen & (1u << K_PERIOD)))
		return perr(c, period_pos, "period of a profile that does not repeat; "
			    "expected repeat: true with it, or no period");
	if (bl->l.repeat &&
	    bl->l.period_ns < bl->steps[bl->nsteps - 1].at + TOPO_PROFILE_MIN_GAP_NS)
		return perr(c, period_pos, "period %s is not at least " PROFILE_GAP_TEXT
			    " longer than the last step's at (%s); expected a longer period",
			    units_fmt_time(bl->l.period_ns, t, sizeof(t)),
			    units_fmt_time(bl->steps[bl->nsteps - 1].at, a, sizeof(a)));
	dirprops_result(&dp, bl->l.dir, NULL);
	if (bl->nsteps && resolve_profile(c, bl, pos))
		return -1;
	return 0;
}

/* One item of links: [a, b] or a map. */
static int parse_link(struct pctx *c, struct bnet *b)
{
	struct topo_pos pos = ev_pos(&c->ev);
	struct blink *bl;
	int rc;

	if (b->nlinks >= TOPO_MAX_LINKS)
		return perr(c, pos, "network '%s' has too many links; expected at most %d",
			    b->n.name, TOPO_MAX_LINKS);
	if (grow((void **)&b->links, &b->cap_links, b->nlinks + 1, sizeof(*b->links)))
		return perr(c, pos, "out of memory");
	bl = &b->links[b->nlinks];
	memset(bl, 0, sizeof(*bl));
	bl->l.pos = pos;
	linkp_init(&bl->l.dir[0]);
	linkp_init(&bl->l.dir[1]);
	if (c->ev.type == YAML_SEQUENCE_START_EVENT)
		rc = parse_ends(c, b, bl);
	else if (c->ev.type == YAML_MAPPING_START_EVENT)
		rc = parse_link_map(c, b, bl, pos);
	else
		return perr(c, pos, "a link must be " LINK_FORM);
	free(bl->steps);
	bl->steps = NULL;
	bl->nsteps = bl->cap_steps = 0;
	if (rc) {
		free(bl->l.profile);
		bl->l.profile = NULL;
		return -1;
	}
	b->nlinks++;
	return 0;
}

static int parse_links(struct pctx *c, struct bnet *b)
{
	if (is_null(c))
		return 0;
	if (c->ev.type != YAML_SEQUENCE_START_EVENT)
		return perr(c, ev_pos(&c->ev), "links of network '%s' must be a list of links, "
			    "each " LINK_FORM, b->n.name);
	for (;;) {
		if (next(c))
			return -1;
		if (c->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (parse_link(c, b))
			return -1;
	}
}

/* Lay out the network read into b as a topo_net and check it. */
static int bnet_finish(struct pctx *c, struct bnet *b, struct topo_net *out)
{
	struct topo_net n = b->n;
	struct name_ref *idx = NULL;
	int nn = b->routers.n + b->hosts.n;

	n.nodes = NULL;
	n.links = NULL;
	if (!n.nprefix)
		return perr(c, n.pos, "network '%s' has no prefix; expected prefix: followed "
			    "by " PREFIX_LIST_FORM, n.name);
	if (!nn)
		return perr(c, n.pos, "network '%s' has no routers and no hosts; expected at "
			    "least one router", n.name);
	n.nodes = calloc((size_t)nn, sizeof(*n.nodes));
	n.links = calloc((size_t)(b->nlinks ? b->nlinks : 1), sizeof(*n.links));
	idx = malloc((size_t)nn * sizeof(*idx));
	if (!n.nodes || !n.links || !idx) {
		perr(c, n.pos, "out of memory");
		goto fail;
	}
	/* Routers then hosts; the config strings move over to n. */
	if (b->routers.n)
		memcpy(n.nodes, b->routers.v, (size_t)b->routers.n * sizeof(*n.nodes));
	if (b->hosts.n)
		memcpy(n.nodes + b->routers.n, b->hosts.v,
		       (size_t)b->hosts.n * sizeof(*n.nodes));
	n.nnodes = nn;
	b->routers.n = 0;
	b->hosts.n = 0;
	for (int i = 0; i < nn; i++)
		idx[i] = (struct name_ref){ n.nodes[i].name, i };
	qsort(idx, (size_t)nn, sizeof(*idx), name_ref_cmp);
	for (int j = 0; j < b->nlinks; j++) {
		struct blink *bl = &b->links[j];

		for (int s = 0; s < 2; s++) {
			struct name_ref key = { bl->end[s], -1 }, *hit;
			int lo = 0, hi = nn;

			/* lower bound of (name, -1): the first node with that name */
			while (lo < hi) {
				int mid = lo + (hi - lo) / 2;

				if (name_ref_cmp(&idx[mid], &key) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			hit = lo < nn && !strcmp(idx[lo].name, bl->end[s]) ? &idx[lo] : NULL;
			if (!hit) {
				perr(c, bl->end_pos[s], "link end '%s' is not a router or host of "
				     "network '%s'", bl->end[s], n.name);
				goto fail;
			}
			bl->l.end[s] = hit->idx;
		}
		if (!bl->named)
			snprintf(bl->l.name, sizeof(bl->l.name), "%s-%s", bl->end[0], bl->end[1]);
		n.links[j] = bl->l;
		bl->l.profile = NULL;	/* moved to n */
		n.nlinks = j + 1;
	}
	n.nlinks = b->nlinks;
	free(idx);
	idx = NULL;
	topo_net_number(&n);	/* slots and ethN by order (topo_edit.c) */
	if (topo_net_check(&n, c->file, c->err))
		goto fail;
	*out = n;
	return 0;
fail:
	free(idx);
	topo_net_clear(&n);
	return -1;
}

/* networks.NAME */
static int parse_network(struct pctx *c, struct topo *t, const char *name,
			 struct topo_pos pos)
{
	static const char *const known[] = { "protocol", "prefix", "routers", "hosts",
					     "links", NULL };
	char key[TOPO_KEY_MAX], where[64];
	struct topo_pos kpos;
	unsigned seen = 0;
	struct bnet b;
	int k, rc = -1;

	memset(&b, 0, sizeof(b));
	snprintf(b.n.name, sizeof(b.n.name), "%.*s", VNET_NAME_MAX - 1, name);
	b.n.proto = TOPO_PROTO_OSPF;
	b.n.pos = pos;
	if (c->ev.type != YAML_MAPPING_START_EVENT)
		return perr(c, ev_pos(&c->ev), "network '%s' must be a map of settings "
			    "(known: protocol, prefix, routers, hosts, links)", name);
	snprintf(where, sizeof(where), "in network '%s'", b.n.name);
	for (;;) {
		if (next(c))
			goto out;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (key_text(c, key, &kpos) ||
		    (k = known_key(c, key, kpos, known, where, &seen)) < 0 || next(c))
			goto out;
		switch (k) {
		case 0:
			if (parse_protocol(c, &b))
				goto out;
			break;
		case 1:
			if (parse_prefix(c, &b))
				goto out;
			break;
		case 2:
			if (parse_nodes(c, &b, TOPO_ROUTER))
				goto out;
			break;
		case 3:
			if (parse_nodes(c, &b, TOPO_HOST))
				goto out;
			break;
		case 4:
			if (parse_links(c, &b))
				goto out;
			break;
		}
	}
	{
		struct topo_net *p = realloc(t->nets, (size_t)(t->nnets + 1) * sizeof(*p));

		if (!p) {
			perr(c, pos, "out of memory");
			goto out;
		}
		t->nets = p;
	}
	if (bnet_finish(c, &b, &t->nets[t->nnets]))
		goto out;
	t->nnets++;
	rc = 0;
out:
	bnet_free(&b);
	return rc;
}

static int parse_networks(struct pctx *c, struct topo *t, struct topo_pos kpos)
{
	char name[TOPO_KEY_MAX];
	struct topo_pos pos;

	if (is_null(c))
		return perr(c, kpos, "no networks defined; expected networks: followed by a "
			    "map of network name -> settings");
	if (c->ev.type != YAML_MAPPING_START_EVENT)
		return perr(c, ev_pos(&c->ev), "networks must be a map of network name -> "
			    "settings");
	for (;;) {
		if (next(c))
			return -1;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (key_text(c, name, &pos))
			return -1;
		if (!vnet_name_valid(name))
			return perr(c, pos, "bad network name '%s': expected " NAME_FORM, name);
		for (int i = 0; i < t->nnets; i++)
			if (!strcmp(t->nets[i].name, name))
				return perr(c, pos, "duplicate network name '%s' (first defined "
					    "at %d:%d); expected each network once", name,
					    t->nets[i].pos.line, t->nets[i].pos.col);
		if (t->nnets >= TOPO_MAX_NETS)
			return perr(c, pos, "too many networks; expected at most %d",
				    TOPO_MAX_NETS);
		if (next(c) || parse_network(c, t, name, pos))
			return -1;
	}
	if (!t->nnets)
		return perr(c, kpos, "no networks defined; expected networks: followed by a "
			    "map of network name -> settings");
	return 0;
}

static int parse_document(struct pctx *c, struct topo *t)
{
	static const char *const known[] = { "networks", NULL };
	struct topo_pos pos, kpos;
	char key[TOPO_KEY_MAX];
	unsigned seen = 0;

	if (next(c))	/* STREAM-START */
		return -1;
	if (next(c))
		return -1;
	if (c->ev.type == YAML_STREAM_END_EVENT)
		return perr(c, (struct topo_pos){ 1, 1 }, "the topology is empty; expected a "
			    "map with the key networks");
	/* DOCUMENT-START */
	if (next(c))
		return -1;
	pos = ev_pos(&c->ev);
	if (is_null(c))
		return perr(c, pos, "the topology is empty; expected a map with the key "
			    "networks");
	if (c->ev.type != YAML_MAPPING_START_EVENT)
		return perr(c, pos, "the top level must be a map; expected a map with the "
			    "key networks");
	for (;;) {
		if (next(c))
			return -1;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (key_text(c, key, &kpos) ||
		    known_key(c, key, kpos, known, "at the top level", &seen) < 0 ||
		    next(c) || parse_networks(c, t, kpos))
			return -1;
	}
	if (!seen)
		return perr(c, pos, "missing key 'networks'; expected networks: followed by a "
			    "map of network name -> settings");
	if (next(c))	/* DOCUMENT-END */
		return -1;
	if (next(c))
		return -1;
	if (c->ev.type != YAML_STREAM_END_EVENT)
		return perr(c, ev_pos(&c->ev), "a second YAML document; expected one "
			    "topology per file");
	return 0;
}

int topo_parse_buf(const char *buf, size_t len, const char *name,
		   const char *basedir, struct topo **out, struct vnet_err *err)
{
	struct pctx c;
	struct topo *t;
	int rc = -1;

	*out = NULL;
	if (!name)
		name = "topology";
	memset(&c, 0, sizeof(c));
	c.buf = buf ? buf : "";
	c.len = buf ? len : 0;
	c.file = name;
	c.basedir = basedir;
	c.err = err;
	t = calloc(1, sizeof(*t));
	if (!t || !(t->file = strdup(name))) {
		free(t);
		return loc_errf(err, name, NULL, "out of memory");
	}
	if (c.len > TOPO_MAX_FILE) {
		loc_errf(err, name, NULL, "the topology is larger than 64 MiB; expected a "
			 "smaller file");
		goto out;
	}
	if (!yaml_parser_initialize(&c.yp)) {
		loc_errf(err, name, NULL, "out of memory");
		goto out;
	}
	yaml_parser_set_input_string(&c.yp, (const unsigned char *)c.buf, c.len);
	rc = parse_document(&c, t);
	if (c.have_ev)
		yaml_event_delete(&c.ev);
	yaml_parser_delete(&c.yp);
out:
	if (rc) {
		topo_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

int topo_parse_file(const char *path, struct topo **out, struct vnet_err *err)
{
	char *buf = NULL, *dir = NULL, *slash;
	size_t len = 0, cap = 0;
	struct stat st;
	int fd, rc = -1, e;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return loc_errf(err, path, NULL, "cannot read the topology: %s",
				strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		loc_errf(err, path, NULL, "cannot read the topology: %s", strerror(EISDIR));
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *p;

			if (ncap > TOPO_MAX_FILE + 1)
				ncap = TOPO_MAX_FILE + 1;
			if (ncap == cap) {
				loc_errf(err, path, NULL, "the topology is larger than 64 MiB; "
					 "expected a smaller file");
				goto out;
			}
			if (!(p = realloc(buf, ncap))) {
				loc_errf(err, path, NULL, "out of memory");
				goto out;
			}
			buf = p;
			cap = ncap;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			loc_errf(err, path, NULL, "cannot read the topology: %s", strerror(e));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (!(dir = strdup(path))) {
		loc_errf(err, path, NULL, "out of memory");
		goto out;
	}
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	rc = topo_parse_buf(buf, len, path, dir, out, err);
out:
	close(fd);
	free(buf);
	free(dir);
	return rc;
}
