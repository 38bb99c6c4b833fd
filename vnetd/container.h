/*
 * container.h - a virtual router's (or host's) container: its own network,
 * mount, UTS, IPC and PID namespaces, made directly with clone(2), and a
 * small init process (PID 1 inside) that reaps orphans.
 *
 * Inside, the mount namespace is private: tmpfs on /run and /tmp, a fresh
 * /proc and /sys for its PID and network namespaces, the node's own
 * /etc/hosts, /etc/hostname and /etc/bird bind-mounted from its directory
 * under the state directory. The loopback interface is up, IP forwarding on
 * (routers), IPv6 DAD off, the multipath hash seeded with the node's own
 * seed (where the kernel has the knob, 6.11 and later).
 *
 *   container_start()  STOPPED -> RUNNING: init alive, namespaces exist
 *   container_stop()   RUNNING -> STOPPED: init and every process inside gone
 */
#ifndef VNETD_CONTAINER_H
#define VNETD_CONTAINER_H

#include <stdint.h>
#include <sys/types.h>

#include "vnet.h"

struct container_spec {
	const char *hostname;		/* node name */
	const char *hosts_file;		/* bind-mounted on /etc/hosts */
	const char *bird_dir;		/* bind-mounted on /etc/bird, or NULL */
	int forwarding;			/* 1: routers forward IPv4 and IPv6 */
	uint32_t ecmp_seed;		/* multipath hash seed; 0: the kernel's */
	const char *const *cgroup_procs;	/* NULL-terminated: cgroup.procs files to join */
	const char *label;		/* "PREFIX:NET/NODE": argv of the init, shown by ps */
};

/* Create the namespaces and the init; returns once the container is set up
 * (or failed: then nothing is left). *init_pid is in the caller's PID ns. */
int container_start(const struct container_spec *spec, pid_t *init_pid,
		    struct vnet_err *err);
/* SIGTERM the init (which kills everything inside), wait up to timeout_ms,
 * then SIGKILL; returns once the init has been reaped or is gone. The
 * caller's own children inside (container_spawn) are reaped here too: the
 * kernel keeps the init until they are. */
int container_stop(pid_t init_pid, int timeout_ms);
/* Run argv inside the container (all its namespaces and cgroups), as a child
 * of the caller; stdout/stderr appended to log_path (or /dev/null when NULL).
 * Returns 0 and *pid. */
int container_spawn(pid_t init_pid, const char *const *cgroup_procs,
		    const char *const argv[], const char *log_path, pid_t *pid,
		    struct vnet_err *err);
/* An fd for the container's network namespace (O_CLOEXEC), or -errno. */
int container_netns_fd(pid_t init_pid);
/* Entry point of the init, when vnetd is started as "vnet-init LABEL". */
int container_init_main(int argc, char **argv);

#endif
