/*
 * profile.c - links that follow a profile: timed steps of link properties
 * (docs/topology.md, "Profiles"; the steps are resolved by the topology
 * reader, see struct topo_step).
 *
 * When a network starts, the clock of each of its links with a profile
 * starts and the first step (at 0s) applies at once. profile_tick(), called
 * by the event loop next to node_tick(), applies each later step at its
 * time through link_change(): a partial change of only the properties the
 * profile sets, which keeps the frames the engine holds. With repeat the
 * profile starts over every period. The schedule is absolute (start +
 * cycle * period + at), so a loop that was busy never makes a profile
 * drift: the step due now is applied and the ones missed meanwhile are
 * skipped. Each step applied is one event.
 *
 * A manual change of the link (vnet link set) holds until the next step,
 * which sets the profile's properties again; properties the profile does
 * not set are never touched by it. PATCH {"set": {"profile": "off"}} stops
 * the clock (the link keeps its properties), "on" starts it again from its
 * first step. Stopping the network stops the clock; starting it starts the
 * profile from its first step. A restarted vnetd adopting a running network
 * carries on with the same clock (kept in the store's run-time record;
 * CLOCK_MONOTONIC outlives the daemon).
 */
#include "profile.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "link.h"
#include "linkparams.h"
#include "log.h"
#include "units.h"

static const char *const state_names[] = {
#define X(e, s) [PROFILE_##e] = s,
	PROFILE_STATES(X)
#undef X
};

const char *profile_state_name(enum profile_state s)
{
	if ((unsigned)s >= ARRAY_SIZE(state_names))
		return "?";
	return state_names[s];
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int has_profile(const struct topo_link *l)
{
	return l->nprofile > 0 && l->profile;
}

/* A link that is not in the engine (its network stopped) runs no profile. */
static enum profile_state state_of(const struct vnet_network *n, int i)
{
	return n->links[i].created ? n->links[i].prof.state : PROFILE_OFF;
}

/* Do both directions of step st set the same properties to the same values? */
static int same_both_ways(const struct topo_step *st)
{
	struct link_params a, b;

	if (st->mask[0] != st->mask[1])
		return 0;
	linkp_init(&a);
	linkp_init(&b);
	linkp_apply(&a, &st->p[0], st->mask[0]);
	linkp_apply(&b, &st->p[1], st->mask[1]);
	return !memcmp(&a, &b, sizeof(a));
}

/* Apply step k of link i: one link_change() for both directions when they
 * agree, else one per direction. One event says what it set. */
static void step_apply(struct vnetd *d, struct vnet_network *n, int i, int k)
{
	const struct topo_link *l = &n->spec.links[i];
	const struct topo_step *st = &l->profile[k];
	char what[480], at[32];
	struct vnet_err err;
	int rc = 0;

	err.msg[0] = '\0';
	if (same_both_ways(st)) {
		if (st->mask[0])
			rc = link_change(d, n, i, &st->p[0], st->mask[0], 3, &err);
		linkp_fmt_list(what, sizeof(what), &st->p[0], st->mask[0]);
	} else {
		size_t len;

		for (int dir = 0; dir < 2 && !rc; dir++)
			if (st->mask[dir])
				rc = link_change(d, n, i, &st->p[dir], st->mask[dir], 1 << dir,
						 &err);
		len = (size_t)snprintf(what, sizeof(what), "forward ");
		len += linkp_fmt_list(what + len, sizeof(what) - len, &st->p[0], st->mask[0]);
		if (len < sizeof(what))
			len += (size_t)snprintf(what + len, sizeof(what) - len, "; reverse ");
		if (len < sizeof(what))
			linkp_fmt_list(what + len, sizeof(what) - len, &st->p[1], st->mask[1]);
	}
	units_fmt_time(st->at_ns, at, sizeof(at));
	if (rc)
		event_add(d, n->spec.name, NULL, "link %s: profile step %d of %d (at %s) "
			    "failed: %s", l->name, k + 1, l->nprofile, at, err.msg);
	else
		event_add(d, n->spec.name, NULL, "link %s: profile step %d of %d (at %s)%s%s",
			    l->name, k + 1, l->nprofile, at, what[0] ? ": " : "", what);
}

/* Bring link i's profile up to now: apply the step due (when it is not the
 * one in force) and compute when the next one is. */
static void advance(struct vnetd *d, struct vnet_network *n, int i, int64_t now)
{
	const struct topo_link *l = &n->spec.links[i];
	struct profile_rt *pr = &n->links[i].prof;
	uint64_t elapsed, cycle = 0, off;
	int k = 0;

	if (!has_profile(l) || !n->links[i].created) {
		pr->state = PROFILE_OFF;
		return;
	}
	elapsed = now > pr->start_ns ? (uint64_t)(now - pr->start_ns) : 0;
	off = elapsed;
	if (l->repeat && l->period_ns) {
		cycle = elapsed / l->period_ns;
		off = elapsed % l->period_ns;
	}
	while (k + 1 < l->nprofile && l->profile[k + 1].at_ns <= off)
		k++;
	if (k != pr->step || cycle != pr->cycle) {
		pr->step = k;
		pr->cycle = cycle;
		step_apply(d, n, i, k);
	}
	if (k + 1 < l->nprofile) {
		pr->next_ns = pr->start_ns + (int64_t)(cycle * l->period_ns) +
			      (int64_t)l->profile[k + 1].at_ns;
	} else if (l->repeat && l->period_ns) {
		pr->next_ns = pr->start_ns + (int64_t)((cycle + 1) * l->period_ns);
	} else {
		pr->state = PROFILE_DONE;
		pr->next_ns = 0;
	}
}

static void link_start(struct vnetd *d, struct vnet_network *n, int i)
{
	struct profile_rt *pr = &n->links[i].prof;

	pr->state = PROFILE_RUNNING;
	pr->step = -1;
	pr->cycle = 0;
	pr->start_ns = now_ns();
	advance(d, n, i, pr->start_ns);
}

void profile_start(struct vnetd *d, struct vnet_network *n)
{
	for (int i = 0; i < n->spec.nlinks; i++)
		if (has_profile(&n->spec.links[i]) && n->links[i].created)
			link_start(d, n, i);
}

int profile_check(const struct vnet_network *n, int i, const char *v, struct vnet_err *err)
{
	const struct topo_link *l = &n->spec.links[i];

	if (!v || (strcmp(v, "on") && strcmp(v, "off")))
		return vnet_errc(err, VNET_ERR_INVALID, "bad profile '%s': expected on or off",
				 v ? v : "");
	if (!has_profile(l))
		return vnet_errc(err, VNET_ERR_INVALID, "link %s/%s has no profile; expected "
				 "one in its topology (profile: [...])", n->spec.name, l->name);
	if (!strcmp(v, "on") && !n->links[i].created)
		return vnet_errc(err, VNET_ERR_CONFLICT, "network %s is not running; its "
				 "profiles start with it", n->spec.name);
	return 0;
}

void profile_set(struct vnetd *d, struct vnet_network *n, int i, const char *v)
{
	const struct topo_link *l = &n->spec.links[i];
	struct profile_rt *pr = &n->links[i].prof;

	if (!strcmp(v, "off")) {
		if (pr->state == PROFILE_RUNNING)
			event_add(d, n->spec.name, NULL, "link %s: profile off", l->name);
		pr->state = PROFILE_OFF;
		pr->next_ns = 0;
	} else {
		event_add(d, n->spec.name, NULL, "link %s: profile on", l->name);
		link_start(d, n, i);
	}
	n->dirty = 1;
}

int profile_tick(struct vnetd *d, int (*busy)(struct vnetd *, const char *net))
{
	int64_t now = now_ns(), next = -1;

	for (struct vnet_network *n = d->nets; n; n = n->next) {
		if (busy && busy(d, n->spec.name))
			continue;
		for (int i = 0; i < n->spec.nlinks; i++) {
			struct profile_rt *pr = &n->links[i].prof;

			if (pr->state != PROFILE_RUNNING)
				continue;
			if (pr->next_ns <= now)
				advance(d, n, i, now);
			if (pr->state == PROFILE_RUNNING &&
			    (next < 0 || pr->next_ns - now < next))
				next = pr->next_ns - now;
		}
	}
	if (next < 0)
		return -1;
	next = (next + 999999) / 1000000;	/* round up: never wake early */
	return next > INT_MAX ? INT_MAX : (int)next;
}

json_t *profile_json(const struct vnet_network *n, int i)
{
	const struct topo_link *l = &n->spec.links[i];
	const struct profile_rt *pr = &n->links[i].prof;
	json_t *o;
	char buf[32];

	if (!has_profile(l))
		return NULL;
	o = json_pack("{s:s, s:i, s:b}", "state", profile_state_name(state_of(n, i)),
		      "steps", l->nprofile, "repeat", l->repeat);
	if (pr->step >= 0)
		json_object_set_new(o, "step", json_integer(pr->step));
	if (l->repeat) {
		json_object_set_new(o, "period", json_string(units_fmt_time(l->period_ns, buf,
									   sizeof(buf))));
		if (state_of(n, i) == PROFILE_RUNNING)
			json_object_set_new(o, "cycle", json_integer((json_int_t)pr->cycle));
	}
	if (state_of(n, i) == PROFILE_RUNNING) {
		int64_t left = pr->next_ns - now_ns();

		json_object_set_new(o, "next_in_ms",
				    json_integer(left > 0 ? (left + 999999) / 1000000 : 0));
	}
	return o;
}

json_t *profile_runtime_json(const struct vnet_network *n, int i)
{
	const struct profile_rt *pr = &n->links[i].prof;

	if (!has_profile(&n->spec.links[i]) || state_of(n, i) == PROFILE_OFF)
		return NULL;
	return json_pack("{s:s, s:I, s:I, s:i}", "state", profile_state_name(pr->state),
			 "start_ns", (json_int_t)pr->start_ns,
			 "cycle", (json_int_t)pr->cycle, "step", pr->step);
}

void profile_adopt(struct vnet_network *n, int i, const json_t *rt)
{
	const struct topo_link *l = &n->spec.links[i];
	struct profile_rt *pr = &n->links[i].prof;
	const char *state = json_string_value(json_object_get(rt, "state"));
	json_int_t start = json_integer_value(json_object_get(rt, "start_ns"));
	json_int_t step = json_integer_value(json_object_get(rt, "step"));

	if (!has_profile(l) || !state || start <= 0 || start > now_ns() || step < 0 ||
	    step >= l->nprofile)
		return;
	if (!strcmp(state, profile_state_name(PROFILE_RUNNING))) {
		pr->state = PROFILE_RUNNING;
		pr->next_ns = 0;	/* the first tick re-computes it */
	} else if (!strcmp(state, profile_state_name(PROFILE_DONE))) {
		pr->state = PROFILE_DONE;
	} else {
		return;
	}
	pr->start_ns = start;
	pr->step = (int)step;
	pr->cycle = (uint64_t)json_integer_value(json_object_get(rt, "cycle"));
	log_info("%s/%s: profile adopted at step %d", n->spec.name, l->name, pr->step + 1);
}
