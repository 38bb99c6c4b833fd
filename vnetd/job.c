/*
 * job.c - see job.h. Jobs are kept in one list in the order they came;
 * jobs_run() walks it once per turn of the loop: a queued job starts when
 * no earlier job (queued or running) wants one of its locks, and each
 * running job runs until it yields (a step done, or a wait). So jobs that
 * meet run strictly in order, and a long job never starves a short one on
 * other networks.
 */
#include "job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coro.h"
#include "log.h"
#include "strv.h"

struct job_watch {
	void (*fn)(void *arg);
	void *arg;
	struct job_watch *next;
};

struct job {
	struct vnetd *d;
	uint64_t id;
	char op[48];
	char target[128];
	struct strv locks;
	enum job_state state;
	job_fn fn;
	void *arg;
	void (*arg_free)(void *);
	struct coro *coro;
	struct progress progress;
	int answered, ok, created;
	json_t *result;
	struct vnet_err err;
	double created_wall, started_wall, ended_wall;
	int64_t ended_ms;
	struct job_watch *watches;
	struct job *next;
};

struct jobs {
	struct job *head, **tail;
	uint64_t next_id;
};

static const char *const state_names[] = {
#define X(e, s) [JOB_##e] = s,
	JOB_STATES(X)
#undef X
};

const char *job_state_name(enum job_state s)
{
	return (unsigned)s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int jobs_init(struct vnetd *d)
{
	if (!(d->jobs = calloc(1, sizeof(*d->jobs))))
		return -1;
	d->jobs->tail = &d->jobs->head;
	return 0;
}

static void job_free(struct job *j)
{
	while (j->watches) {
		struct job_watch *w = j->watches;

		j->watches = w->next;
		free(w);
	}
	if (j->arg_free)
		j->arg_free(j->arg);
	coro_free(j->coro);
	strv_clear(&j->locks);
	json_decref(j->result);
	free(j);
}

void jobs_free(struct vnetd *d)
{
	if (!d->jobs)
		return;
	while (d->jobs->head) {
		struct job *j = d->jobs->head;

		d->jobs->head = j->next;
		job_free(j);
	}
	free(d->jobs);
	d->jobs = NULL;
}

static void notify(void *arg)
{
	struct job *j = arg;

	for (struct job_watch *w = j->watches, *next; w; w = next) {
		next = w->next;		/* a watcher may unwatch itself */
		w->fn(w->arg);
	}
}

int jobs_active(struct vnetd *d)
{
	int n = 0;

	for (struct job *j = d->jobs ? d->jobs->head : NULL; j; j = j->next)
		n += j->state != JOB_DONE;
	return n;
}

struct job *job_submit(struct vnetd *d, const char *op, const char *target,
		       const char *const *locks, job_fn fn, void *arg,
		       void (*arg_free)(void *), struct vnet_err *err)
{
	struct job *j;

	if (jobs_active(d) >= JOB_MAX_ACTIVE) {
		vnet_errc(err, VNET_ERR_EXHAUSTED, "%d requests are waiting already: try again "
			  "later", JOB_MAX_ACTIVE);
		goto fail;
	}
	if (!(j = calloc(1, sizeof(*j)))) {
		vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
		goto fail;
	}
	for (int k = 0; locks && locks[k]; k++)
		if (locks[k][0] && strv_add(&j->locks, locks[k])) {
			job_free(j);
			vnet_errc(err, VNET_ERR_EXHAUSTED, "out of memory");
			goto fail;
		}
	j->d = d;
	j->id = ++d->jobs->next_id;
	snprintf(j->op, sizeof(j->op), "%s", op);
	snprintf(j->target, sizeof(j->target), "%s", target ? target : "");
	j->fn = fn;
	j->arg = arg;
	j->arg_free = arg_free;
	j->progress = (struct progress){ .fd = -1, .changed = notify, .arg = j };
	j->created_wall = wall_now();
	*d->jobs->tail = j;
	d->jobs->tail = &j->next;
	return j;
fail:
	if (arg_free)
		arg_free(arg);
	return NULL;
}

static int locks_meet(const struct job *a, const struct job *b)
{
	for (size_t x = 0; x < a->locks.n; x++) {
		if (!strcmp(a->locks.v[x], "*") && b->locks.n)
			return 1;
		for (size_t y = 0; y < b->locks.n; y++)
			if (!strcmp(b->locks.v[y], "*") || !strcmp(a->locks.v[x], b->locks.v[y]))
				return 1;
	}
	return 0;
}

/* May queued job j start: no earlier job, waiting or running, wants one of
 * its locks? */
static int may_start(struct vnetd *d, const struct job *j)
{
	for (struct job *k = d->jobs->head; k && k != j; k = k->next)
		if (k->state != JOB_DONE && locks_meet(j, k))
			return 0;
	return 1;
}

static void job_main(void *arg)
{
	struct job *j = arg;

	j->fn(j->d, j, j->arg);
	if (!j->answered) {
		struct vnet_err err;

		vnet_errf(&err, "internal error: job %llu (%s) gave no answer",
			  (unsigned long long)j->id, j->op);
		job_fail(j, &err);
	}
}

static void job_start(struct job *j)
{
	if (!(j->coro = coro_new(job_main, j, &j->progress))) {
		struct vnet_err err;

		vnet_errc(&err, VNET_ERR_EXHAUSTED, "out of memory for the stack of a job");
		job_fail(j, &err);
		j->state = JOB_DONE;
		j->ended_ms = now_ms();
		j->ended_wall = wall_now();
		notify(j);
		return;
	}
	j->state = JOB_RUNNING;
	j->started_wall = wall_now();
}

static void job_end(struct job *j)
{
	coro_free(j->coro);
	j->coro = NULL;
	if (j->arg_free)
		j->arg_free(j->arg);
	j->arg = NULL;
	j->arg_free = NULL;
	j->state = JOB_DONE;
	j->ended_ms = now_ms();
	j->ended_wall = wall_now();
	if (!j->ok)
		log_info("job %llu (%s %s) failed: %s", (unsigned long long)j->id, j->op,
			 j->target, j->err.msg);
	notify(j);
}

/* Finished jobs nobody waits for go after JOB_KEEP_MS. */
static void gc(struct vnetd *d, int64_t now)
{
	for (struct job **pp = &d->jobs->head; *pp;) {
		struct job *j = *pp;

		if (j->state == JOB_DONE && !j->watches && now - j->ended_ms > JOB_KEEP_MS) {
			*pp = j->next;
			job_free(j);
			continue;
		}
		pp = &j->next;
	}
	d->jobs->tail = &d->jobs->head;
	while (*d->jobs->tail)
		d->jobs->tail = &(*d->jobs->tail)->next;
}

int jobs_run(struct vnetd *d)
{
	int64_t now = now_ms(), timeout = -1;
	int ended = 0;

	for (struct job *j = d->jobs->head; j; j = j->next) {
		int64_t wake;

		if (j->state == JOB_QUEUED && may_start(d, j))
			job_start(j);
		if (j->state != JOB_RUNNING)
			continue;
		wake = coro_wake_at(j->coro);
		if (wake > now) {
			if (timeout < 0 || wake - now < timeout)
				timeout = wake - now;
			continue;
		}
		if (!coro_resume(j->coro)) {
			job_end(j);
			ended = 1;
			continue;
		}
		now = now_ms();
		wake = coro_wake_at(j->coro);
		wake = wake > now ? wake - now : 0;
		if (timeout < 0 || wake < timeout)
			timeout = wake;
	}
	gc(d, now);
	if (ended)
		return 0;	/* queued jobs may start now */
	return timeout > 60000 ? 60000 : (int)timeout;
}

int jobs_busy(struct vnetd *d, const char *net)
{
	for (struct job *j = d->jobs ? d->jobs->head : NULL; j; j = j->next) {
		if (j->state != JOB_RUNNING)
			continue;
		for (size_t k = 0; k < j->locks.n; k++)
			if (!strcmp(j->locks.v[k], "*") || !strcmp(j->locks.v[k], net))
				return 1;
	}
	return 0;
}

void job_ok(struct job *j, json_t *result, int created)
{
	json_decref(j->result);
	j->result = result ? result : json_object();
	j->ok = 1;
	j->created = created;
	j->answered = 1;
}

void job_fail(struct job *j, const struct vnet_err *err)
{
	j->err = *err;
	j->ok = 0;
	j->answered = 1;
}

struct job *job_find(struct vnetd *d, uint64_t id)
{
	for (struct job *j = d->jobs->head; j; j = j->next)
		if (j->id == id)
			return j;
	return NULL;
}

uint64_t job_id(const struct job *j)
{
	return j->id;
}

enum job_state job_state(const struct job *j)
{
	return j->state;
}

struct progress *job_progress(struct job *j)
{
	return &j->progress;
}

int job_answer(const struct job *j, json_t **result, int *created, const struct vnet_err **err)
{
	*result = j->ok ? j->result : NULL;
	*created = j->created;
	*err = j->ok ? NULL : &j->err;
	return j->ok ? 0 : -1;
}

json_t *job_json(const struct job *j, int with_result)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:i, s:i, s:s, s:f}",
			      "id", (json_int_t)j->id, "op", j->op, "target", j->target,
			      "state", job_state_name(j->state), "done", j->progress.done,
			      "total", j->progress.total > j->progress.done ? j->progress.total
									     : j->progress.done,
			      "step", j->progress.what, "created", j->created_wall);

	if (j->state != JOB_QUEUED)
		json_object_set_new(o, "started", json_real(j->started_wall));
	if (j->state != JOB_DONE)
		return o;
	json_object_set_new(o, "ended", json_real(j->ended_wall));
	json_object_set_new(o, "ok", json_boolean(j->ok));
	if (!j->ok) {
		json_object_set_new(o, "error", json_string(j->err.msg));
		json_object_set_new(o, "class", json_string(vnet_err_class_name(j->err.cls)));
	} else if (with_result) {
		json_object_set(o, "result", j->result);
	}
	return o;
}

json_t *jobs_json(struct vnetd *d)
{
	json_t *arr = json_array();

	for (struct job *j = d->jobs->head; j; j = j->next)
		json_array_append_new(arr, job_json(j, 0));
	return arr;
}

int job_watch(struct job *j, void (*fn)(void *arg), void *arg)
{
	struct job_watch *w;

	for (w = j->watches; w; w = w->next)
		if (w->arg == arg)
			return 0;
	if (!(w = calloc(1, sizeof(*w))))
		return -1;
	w->fn = fn;
	w->arg = arg;
	w->next = j->watches;
	j->watches = w;
	return 0;
}

void job_unwatch(struct job *j, void *arg)
{
	for (struct job_watch **pp = &j->watches; *pp; pp = &(*pp)->next) {
		if ((*pp)->arg == arg) {
			struct job_watch *w = *pp;

			*pp = w->next;
			free(w);
			return;
		}
	}
}
