/*
 * job.h - long work off the event loop (job.c; docs/design.md "Jobs").
 *
 * Every request that changes something runs as a job: a domain verb on a
 * coroutine of its own (coro.h), which gives the loop back between steps,
 * so that `vnet ls` is answered while `vnet up` of 200 routers runs. A job
 * names the networks it changes (its locks); jobs whose locks meet run one
 * after the other in the order they came, the others side by side. "*"
 * locks every network (a restore whose name is known only from its image).
 *
 *   job_submit() --> QUEUED --locks free--> RUNNING --fn returns--> DONE
 *
 * A job's progress (done/total steps, the last step) and, once DONE, its
 * answer (a JSON object, or a typed error) are kept for JOB_KEEP_MS, so a
 * client that submitted it can follow it (GET /v1/jobs/ID) or wait for its
 * end on the connection that submitted it.
 */
#ifndef VNETD_JOB_H
#define VNETD_JOB_H

#include <stdint.h>

#include <jansson.h>

#include "progress.h"
#include "vnetd.h"

struct job;

#define JOB_STATES(X) \
	X(QUEUED, "queued") \
	X(RUNNING, "running") \
	X(DONE, "done")

enum job_state {
#define X(e, s) JOB_##e,
	JOB_STATES(X)
#undef X
};

/* How long a finished job stays to be asked about. */
#define JOB_KEEP_MS (10 * 60 * 1000)
/* Most jobs waiting or running at once: more is refused (EXHAUSTED). */
#define JOB_MAX_ACTIVE 256

/* The work: call job_ok() or job_fail() before returning. */
typedef void (*job_fn)(struct vnetd *d, struct job *j, void *arg);

int jobs_init(struct vnetd *d);
/* Free every job; none may be running (see jobs_active()). */
void jobs_free(struct vnetd *d);

/* A new job doing fn(arg) (arg freed with arg_free when the job ends),
 * described as op on target ("up" "seed.yaml"), holding the network names
 * in locks (NULL-terminated; NULL or empty: none). NULL with err when too
 * many jobs wait already. */
struct job *job_submit(struct vnetd *d, const char *op, const char *target,
		       const char *const *locks, job_fn fn, void *arg,
		       void (*arg_free)(void *), struct vnet_err *err);
/* Start the jobs that may start and run each running one for a slice;
 * returns the epoll timeout the jobs need (0: run again at once, -1: none). */
int jobs_run(struct vnetd *d);
/* Jobs queued or running. */
int jobs_active(struct vnetd *d);
/* Does a running job hold network net? (Its profiles wait meanwhile.) */
int jobs_busy(struct vnetd *d, const char *net);

/* Inside fn: the answer (result taken over; created: a 201), or the error. */
void job_ok(struct job *j, json_t *result, int created);
void job_fail(struct job *j, const struct vnet_err *err);

struct job *job_find(struct vnetd *d, uint64_t id);
uint64_t job_id(const struct job *j);
enum job_state job_state(const struct job *j);
const char *job_state_name(enum job_state s);
/* The job's progress: its fd field is where 102s go (set before it runs). */
struct progress *job_progress(struct job *j);
/* Once DONE: 0 and the answer (a borrowed reference) with *created, or -1
 * and the error. */
int job_answer(const struct job *j, json_t **result, int *created, const struct vnet_err **err);
/* {"id", "op", "target", "state", "done", "total", "step", "created",
 * "started", "ended", "ok"} and, once done, "result" or "error" and
 * "class". */
json_t *job_json(const struct job *j, int with_result);
json_t *jobs_json(struct vnetd *d);

/* Call fn(arg) after each step of j and when it ends (a suspended HTTP
 * connection resumes). One watch per arg; job_unwatch() before arg goes. */
int job_watch(struct job *j, void (*fn)(void *arg), void *arg);
void job_unwatch(struct job *j, void *arg);

#endif
