/*
 * coro.h - coroutines for vnetd's single-threaded loop: long work (a job,
 * job.c) runs on a stack of its own and gives the loop back at points
 * where the daemon's state is consistent, so that other requests are
 * answered meanwhile. Nothing runs in parallel: the loop resumes a
 * coroutine, which runs until it yields or ends.
 *
 * Code below the jobs calls coro_yield_maybe() after a step (a node
 * started) and coro_sleep_ms() where it would sleep; both do what a plain
 * call would do when not inside a coroutine, so the same code serves the
 * loop, the start-up and the tests.
 *
 *   coro_new() --coro_resume()--> RUNNING --coro_yield()--> SUSPENDED
 *                                    |   <--coro_resume()--    |
 *                                    +--fn returns--> DONE <----+ (never)
 */
#ifndef VNETD_CORO_H
#define VNETD_CORO_H

#include <stddef.h>
#include <stdint.h>

struct coro;

typedef void (*coro_fn)(void *arg);

/* A coroutine that will run fn(arg) on a stack of its own; NULL when out
 * of memory. data is the caller's, for coro_data(). */
struct coro *coro_new(coro_fn fn, void *arg, void *data);
/* Free a coroutine that is done or was never resumed. NULL is a no-op. */
void coro_free(struct coro *c);
/* Run c until it yields (returns 1) or fn returns (0). From the loop only. */
int coro_resume(struct coro *c);
int coro_done(const struct coro *c);
/* Monotonic ms before which c does not want to run (coro_sleep_ms), 0: now. */
int64_t coro_wake_at(const struct coro *c);

/* The coroutine running now, or NULL (the loop itself). */
struct coro *coro_current(void);
void *coro_data(const struct coro *c);
/* Give the loop back (inside a coroutine; a no-op outside). */
void coro_yield(void);
/* Give the loop back when the coroutine has run CORO_SLICE_MS since it was
 * resumed: call after each step of long work. */
void coro_yield_maybe(void);
/* Wait ms: inside a coroutine the loop runs meanwhile; outside, sleep. */
void coro_sleep_ms(int ms);

/* Longest stretch a coroutine keeps the loop, if it yields as it should. */
#define CORO_SLICE_MS 20

#endif
