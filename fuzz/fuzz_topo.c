/*
 * fuzz_topo.c - libFuzzer target for the topology reader (lib/topo.c).
 *
 * Every input is parsed with topo_parse_buf(); whatever comes back must be
 * consistent: a parsed topology survives topo_net_check(), a deep copy, the
 * lookups, and every link property prints in a form that parses back to the
 * same value; a link profile is in time order and fully resolved. An error must be a non-empty message. Any crash, leak,
 * sanitizer report or abort() here is a bug in the reader.
 *
 * Relative config paths resolve under a directory that does not exist, so
 * the fuzzer cannot make the reader open files next to the corpus.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linkparams.h"
#include "topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_params(const struct link_params *p)
{
	struct link_params back;
	uint32_t mask = 0;
	char buf[64], msg[256];

	linkp_init(&back);
	for (int i = 0; i < LINKP__COUNT; i++) {
		if (!linkp_is_set(p, i))
			continue;
		linkp_fmt(p, i, buf, sizeof(buf));
		if (linkp_set(&back, &mask, linkp_name(i), buf, msg, sizeof(msg)))
			abort();	/* printed a value the parser refuses */
	}
	for (int i = 0; i < LINKP__COUNT; i++)
		if (linkp_is_set(p, i) && !(mask & LINKP_BIT(i)))
			abort();
	if (memcmp(&back, p, sizeof(back)))
		abort();	/* print/parse round trip lost something */
}

/* A profile: steps in time order, each setting the same properties, the
 * values outside its mask at their defaults, every value printable. */
static void check_profile(const struct topo_link *l)
{
	struct link_params dflt;

	linkp_init(&dflt);
	if ((l->nprofile > 0) != (l->profile != NULL) || l->nprofile > TOPO_PROFILE_MAX_STEPS)
		abort();
	if (!l->nprofile && (l->repeat || l->period_ns))
		abort();
	for (int k = 0; k < l->nprofile; k++) {
		const struct topo_step *st = &l->profile[k];

		if ((k == 0 && st->at_ns) || (k && st->at_ns <= l->profile[k - 1].at_ns))
			abort();
		for (int d = 0; d < 2; d++) {
			struct link_params out = st->p[d];

			if (st->mask[d] != l->profile[0].mask[d] ||
			    (st->mask[d] & LINKP_BIT(LINKP_MTU)))
				abort();
			check_params(&st->p[d]);
			linkp_apply(&out, &dflt, ~st->mask[d]);
			if (memcmp(&out, &st->p[d], sizeof(out)))
				abort();	/* a value outside the mask */
		}
	}
	if (l->repeat && l->period_ns <= l->profile[l->nprofile - 1].at_ns)
		abort();
}

static void check_net(const struct topo_net *n)
{
	struct topo_net copy;
	struct vnet_err err;

	if (topo_net_check(n, "fuzz", &err))
		abort();	/* the parser returned a network its checker refuses */
	for (int i = 0; i < n->nnodes; i++)
		if (topo_node_find(n, n->nodes[i].name) != i)
			abort();
	for (int j = 0; j < n->nlinks; j++) {
		if (topo_link_find(n, n->links[j].name) != j)
			abort();
		check_params(&n->links[j].dir[0]);
		check_params(&n->links[j].dir[1]);
		check_profile(&n->links[j]);
	}
	if (topo_net_dup(n, &copy))
		return;
	if (copy.nnodes != n->nnodes || copy.nlinks != n->nlinks ||
	    topo_net_check(&copy, "fuzz", &err))
		abort();
	for (int j = 0; j < n->nlinks; j++)
		if (copy.links[j].nprofile != n->links[j].nprofile ||
		    (n->links[j].nprofile &&
		     (copy.links[j].profile == n->links[j].profile ||
		      memcmp(copy.links[j].profile, n->links[j].profile,
			     (size_t)n->links[j].nprofile * sizeof(*n->links[j].profile)))))
			abort();
	topo_net_clear(&copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vnet_err err;
	struct topo *t = NULL;

	err.msg[0] = '\0';
	if (topo_parse_buf((const char *)data, size, "fuzz.yaml",
			   "/nonexistent/vnet-fuzz", &t, &err)) {
		if (t || !err.msg[0])
			abort();
		return 0;
	}
	if (!t || t->nnets < 1)
		abort();
	for (int i = 0; i < t->nnets; i++)
		check_net(&t->nets[i]);
	topo_free(t);
	return 0;
}
