/*
 * profile.h - links that follow a profile of timed steps (profile.c).
 */
#ifndef VNETD_PROFILE_H
#define VNETD_PROFILE_H

#include <jansson.h>

#include "vnetd.h"

const char *profile_state_name(enum profile_state s);
/* Start the profile of every link of n that has one (net_start). */
void profile_start(struct vnetd *d, struct vnet_network *n);
/* Is v a valid profile command ("on" or "off") for link i? INVALID with
 * err when not, or when the link has no profile. */
int profile_check(const struct vnet_network *n, int i, const char *v, struct vnet_err *err);
/* "on": start link i's profile again from its first step; "off": stop it
 * (the link keeps its properties). Checked by profile_check() first. */
void profile_set(struct vnetd *d, struct vnet_network *n, int i, const char *v);
/* Apply the steps that are due; returns ms until the next one or -1.
 * Networks for which busy() answers 1 (a job is changing them) wait. */
int profile_tick(struct vnetd *d, int (*busy)(struct vnetd *, const char *net));
/* {"state", "step", "steps", "next_in_ms", ...} of link i, NULL when it has
 * no profile (the API's link object). */
json_t *profile_json(const struct vnet_network *n, int i);
/* The clock as kept in the store's run-time record, and back (adopt.c). */
json_t *profile_runtime_json(const struct vnet_network *n, int i);
void profile_adopt(struct vnet_network *n, int i, const json_t *rt);

#endif
