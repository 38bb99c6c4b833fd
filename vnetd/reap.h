/*
 * reap.h - waiting for one child while the loop runs. vnetd reaps its
 * children in its loop (waitpid(-1) on SIGCHLD) and reports each end to
 * whom it concerns (a BIRD died: restart it). Code that waits for a child
 * of its own inside a job (a birdc it ran, a BIRD it stops) gives the loop
 * back while it waits, so the loop may reap that child first: a claimed
 * child's status is kept here for its waiter instead of being reported.
 */
#ifndef VNETD_REAP_H
#define VNETD_REAP_H

#include <sys/types.h>

/* pid's end is for reap_wait(), not for the loop's handlers. */
void reap_claim(pid_t pid);
/* The loop reaped pid: 1 when it was claimed (its status is kept). */
int reap_store(pid_t pid, int status);
/* Wait up to timeout_ms (< 0: for ever) for claimed child pid; 1 with
 * *status when it ended, 0 when it still runs. The claim ends when it
 * ended. Inside a job the loop runs meanwhile. */
int reap_wait(pid_t pid, int *status, int timeout_ms);
/* Forget the claim of pid (it was killed and waited for otherwise). */
void reap_unclaim(pid_t pid);

#endif
