/*
 * topo_edit.c - stable numbering of a network's routers, links and
 * interfaces, and the edits of a running network (vnetd/live.c).
 *
 * The address plan numbers loopbacks by router slot and link subnets by link
 * slot, and names interfaces ethN by each link end's ifn. A file gets the
 * slots of today's order (router ordinal, link index) and ethN by link order
 * at each node, so its addresses are those of its order; an edit keeps every
 * other item's numbers and gives a new item the next free ones: a slot no
 * item of the network ever had (topo_net.next_slot), the lowest ethN not in
 * use at that node. Deleting an item in the middle therefore renumbers and
 * renames nothing else.
 */
#include "topo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void topo_net_number(struct topo_net *n)
{
	uint32_t ord = 0;
	int *cnt = calloc((size_t)n->nnodes + 1, sizeof(*cnt));

	for (int i = 0; i < n->nnodes; i++)
		n->nodes[i].slot = n->nodes[i].kind == TOPO_ROUTER ? ord++ : 0;
	for (int j = 0; j < n->nlinks; j++) {
		n->links[j].slot = (uint32_t)j;
		for (int s = 0; s < 2; s++) {
			int e = n->links[j].end[s];

			n->links[j].ifn[s] = cnt && e >= 0 && e < n->nnodes ? cnt[e]++ : 0;
		}
	}
	free(cnt);
	n->numbered = 1;
	n->next_slot[0] = ord;
	n->next_slot[1] = (uint32_t)n->nlinks;
}

uint32_t topo_net_slots_above(const struct topo_net *n, int k)
{
	uint32_t slot = 0;

	if (k == 0) {
		for (int i = 0; i < n->nnodes; i++)
			if (n->nodes[i].kind == TOPO_ROUTER && n->nodes[i].slot >= slot)
				slot = n->nodes[i].slot + 1;
	} else {
		for (int j = 0; j < n->nlinks; j++)
			if (n->links[j].slot >= slot)
				slot = n->links[j].slot + 1;
	}
	return slot;
}

/* The slot for a new router (k = 0) or link (k = 1): above every slot in
 * use and every slot given before. */
static uint32_t take_slot(struct topo_net *n, int k)
{
	uint32_t slot = topo_net_slots_above(n, k);

	if (n->next_slot[k] > slot)
		slot = n->next_slot[k];
	n->next_slot[k] = slot + 1;
	return slot;
}

#define TOPO_IFN_MAX 999999	/* "eth999999" fits VNET_IFNAME_MAX */

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v[0..k-1]; true with *dup set when a value occurs twice. */
static bool repeated(uint32_t *v, int k, uint32_t *dup)
{
	qsort(v, (size_t)k, sizeof(*v), u32_cmp);
	for (int i = 1; i < k; i++)
		if (v[i] == v[i - 1]) {
			*dup = v[i];
			return true;
		}
	return false;
}

int topo_net_check_numbers(const struct topo_net *n, const char *file,
			   struct vnet_err *err)
{
	uint32_t *v = malloc(((size_t)n->nnodes + (size_t)n->nlinks + 1) * sizeof(*v));
	uint32_t dup;
	int k = 0, rc = 0;
	const char *f = file ? file : "spec";

	if (!n->numbered) {
		free(v);
		return 0;
	}
	if (!v)
		return vnet_errf(err, "out of memory");
	for (int i = 0; i < n->nnodes; i++)
		if (n->nodes[i].kind == TOPO_ROUTER)
			v[k++] = n->nodes[i].slot;
	if (repeated(v, k, &dup))
		rc = vnet_errf(err, "%s: network '%s': two routers have slot %u; "
			       "expected a distinct slot per router", f, n->name, dup);
	k = 0;
	for (int j = 0; j < n->nlinks; j++)
		v[k++] = n->links[j].slot;
	if (!rc && repeated(v, k, &dup))
		rc = vnet_errf(err, "%s: network '%s': two links have slot %u; "
			       "expected a distinct slot per link", f, n->name, dup);
	free(v);
	if (rc)
		return rc;
	/* (node, ethN) pairs, sorted: a repeat is a clash */
	uint64_t *p = malloc(((size_t)n->nlinks * 2 + 1) * sizeof(*p));

	if (!p)
		return vnet_errf(err, "out of memory");
	k = 0;
	for (int j = 0; j < n->nlinks && !rc; j++)
		for (int s = 0; s < 2 && !rc; s++) {
			const struct topo_link *l = &n->links[j];

			if (l->ifn[s] < 0 || l->ifn[s] > TOPO_IFN_MAX)
				rc = vnet_errf(err, "%s: network '%s': link %s: bad interface "
					       "number %d; expected 0 to %d", f, n->name,
					       l->name, l->ifn[s], TOPO_IFN_MAX);
			p[k++] = (uint64_t)(uint32_t)l->end[s] << 32 | (uint32_t)l->ifn[s];
		}
	qsort(p, (size_t)k, sizeof(*p), u64_cmp);
	for (int i = 1; i < k && !rc; i++)
		if (p[i] == p[i - 1])
			rc = vnet_errf(err, "%s: network '%s': two links use eth%u of %s", f,
				       n->name, (unsigned)(uint32_t)p[i],
				       n->nodes[(int)(p[i] >> 32)].name);
	free(p);
	return rc;
}

int topo_net_add_node(struct topo_net *n, const struct topo_node *nd)
{
	struct topo_node *nodes = realloc(n->nodes, ((size_t)n->nnodes + 1) * sizeof(*nodes));
	int at = n->nnodes;
	uint32_t slot = 0;

	if (!nodes)
		return -1;
	n->nodes = nodes;
	if (nd->kind == TOPO_ROUTER) {
		slot = take_slot(n, 0);
		at = 0;
		for (int i = 0; i < n->nnodes; i++)
			if (nodes[i].kind == TOPO_ROUTER)
				at = i + 1;
	}
	memmove(&nodes[at + 1], &nodes[at], (size_t)(n->nnodes - at) * sizeof(*nodes));
	nodes[at] = *nd;
	nodes[at].slot = slot;
	n->nnodes++;
	for (int j = 0; j < n->nlinks; j++)
		for (int s = 0; s < 2; s++)
			if (n->links[j].end[s] >= at)
				n->links[j].end[s]++;
	return at;
}

/* The lowest ethN not used at node i. */
static int free_ifn(const struct topo_net *n, int i)
{
	for (int k = 0;; k++) {
		int used = 0;

		for (int j = 0; j < n->nlinks && !used; j++)
			for (int s = 0; s < 2; s++)
				used |= n->links[j].end[s] == i && n->links[j].ifn[s] == k;
		if (!used)
			return k;
	}
}

int topo_net_add_link(struct topo_net *n, const struct topo_link *l, int a, int b)
{
	struct topo_link *links = realloc(n->links, ((size_t)n->nlinks + 1) * sizeof(*links));
	struct topo_link nl = *l;

	if (!links)
		return -1;
	n->links = links;
	nl.end[0] = a;
	nl.end[1] = b;
	nl.slot = take_slot(n, 1);
	nl.ifn[0] = free_ifn(n, a);
	nl.ifn[1] = free_ifn(n, b);
	if (a == b)
		nl.ifn[1] = nl.ifn[0] + 1;	/* refused by topo_net_check() anyway */
	links[n->nlinks] = nl;
	return n->nlinks++;
}

void topo_net_del_link(struct topo_net *n, int j)
{
	free(n->links[j].profile);
	memmove(&n->links[j], &n->links[j + 1],
		(size_t)(n->nlinks - j - 1) * sizeof(*n->links));
	n->nlinks--;
}

void topo_net_del_node(struct topo_net *n, int i)
{
	free(n->nodes[i].config_path);
	free(n->nodes[i].config);
	memmove(&n->nodes[i], &n->nodes[i + 1],
		(size_t)(n->nnodes - i - 1) * sizeof(*n->nodes));
	n->nnodes--;
	for (int j = 0; j < n->nlinks; j++)
		for (int s = 0; s < 2; s++)
			if (n->links[j].end[s] > i)
				n->links[j].end[s]--;
}
