/*
 * cgroup.h - resource control of containers: CPU share, memory limit, pids,
 * freezing, usage; on the hybrid layout (cgroup v1 controllers under
 * /sys/fs/cgroup/<controller>, as on these machines) and on pure cgroup v2.
 *
 * Every group of a daemon lives under <mount>/<prefix>/, so that several
 * daemons never collide and a crashed daemon's leftovers can be found:
 * <prefix>/<net>/<node> for containers, <prefix>/engine for the engine.
 */
#ifndef VNETD_CGROUP_H
#define VNETD_CGROUP_H

#include <stdint.h>
#include <sys/types.h>

#include "vnet.h"

struct cgroup;

/* Detect the layout and make <prefix> in every controller we use. */
int cgroup_setup(const char *prefix, struct vnet_err *err);
/* "v1" (hybrid) or "v2" after cgroup_setup(). */
const char *cgroup_layout(void);

/* Make <prefix>/<path> (path like "red/r1" or "engine") in every controller. */
struct cgroup *cgroup_new(const char *prefix, const char *path, struct vnet_err *err);
/* Kill what is inside, remove the directories, free. NULL is a no-op. */
void cgroup_free(struct cgroup *cg);

/* NULL-terminated list of cgroup.procs files (owned by cg). */
const char *const *cgroup_procs_files(const struct cgroup *cg);
int cgroup_attach(struct cgroup *cg, pid_t pid);
/* pct: percent of one CPU, 0 = no limit. */
int cgroup_set_cpu(struct cgroup *cg, uint32_t pct, struct vnet_err *err);
/* bytes: 0 = no limit. Fails (EBUSY) when usage is above the new limit. */
int cgroup_set_memory(struct cgroup *cg, uint64_t bytes, struct vnet_err *err);
int cgroup_usage(const struct cgroup *cg, uint64_t *cpu_ns, uint64_t *mem_bytes);
int cgroup_freeze(struct cgroup *cg, int frozen);
/* SIGKILL every process inside until the group is empty (timeout_ms). */
int cgroup_kill_all(struct cgroup *cg, int timeout_ms);

/* Remove every group under <prefix> (killing what is inside): the leftovers
 * of a crashed daemon. Returns the number of groups removed or -1. */
int cgroup_cleanup_prefix(const char *prefix);

#endif
