/*
 * coro.c - see coro.h. ucontext switching (makecontext/swapcontext) on
 * stacks made with mmap, each with a guard page below it so that an
 * overflow faults instead of writing over the heap. Under AddressSanitizer
 * every switch is announced (__sanitizer_start/finish_switch_fiber), so it
 * knows which stack is in use.
 */
#include "coro.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "sys.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define CORO_ASAN 1
#else
#define CORO_ASAN 0
#endif

/* A stack for long work: jansson, netlink buffers, image writers. The
 * pages are only used, and so only backed by memory, as deep as the work
 * goes. ASan makes frames bigger. */
#define CORO_STACK ((size_t)(CORO_ASAN ? 4 : 1) << 20)

struct coro {
	ucontext_t ctx;			/* the coroutine's */
	ucontext_t caller;		/* the loop's, while the coroutine runs */
	void *map;			/* guard page + stack */
	size_t map_len;
	coro_fn fn;
	void *arg, *data;
	int done;
	int64_t resumed_at;		/* monotonic ms of the last resume */
	int64_t wake_at;
	void *asan_fake;		/* ASan's fake stack of the suspended side */
	const void *caller_bottom;	/* the loop's stack, for switching back */
	size_t caller_size;
};

static struct coro *current;

#if CORO_ASAN
static void asan_enter(struct coro *c, void **save, const void *bottom, size_t size)
{
	(void)c;
	__sanitizer_start_switch_fiber(save, bottom, size);
}

static void asan_arrived(void *save, const void **bottom, size_t *size)
{
	__sanitizer_finish_switch_fiber(save, bottom, size);
}
#else
static void asan_enter(struct coro *c, void **save, const void *bottom, size_t size)
{
	(void)c;
	(void)save;
	(void)bottom;
	(void)size;
}

static void asan_arrived(void *save, const void **bottom, size_t *size)
{
	(void)save;
	(void)bottom;
	(void)size;
}
#endif

static void trampoline(unsigned lo, unsigned hi)
{
	struct coro *c = (struct coro *)(((uintptr_t)hi << 32) | (uintptr_t)lo);

	asan_arrived(NULL, &c->caller_bottom, &c->caller_size);
	c->fn(c->arg);
	c->done = 1;
	current = NULL;
	/* the coroutine's stack is about to be left for good: no fake stack */
	asan_enter(c, NULL, c->caller_bottom, c->caller_size);
	setcontext(&c->caller);
}

/* getcontext() returns once here (the context is only ever entered
 * through makecontext's function), so nothing is clobbered. */
static int ctx_init(struct coro *volatile c, char *stack)
{
	uintptr_t p = (uintptr_t)c;

	if (getcontext(&c->ctx))
		return -1;
	c->ctx.uc_stack.ss_sp = stack;
	c->ctx.uc_stack.ss_size = CORO_STACK;
	c->ctx.uc_link = NULL;
	makecontext(&c->ctx, (void (*)(void))trampoline, 2, (unsigned)(p & 0xffffffffu),
		    (unsigned)(p >> 32));
	return 0;
}

struct coro *coro_new(coro_fn fn, void *arg, void *data)
{
	struct coro *c = calloc(1, sizeof(*c));
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (!c)
		return NULL;
	c->map_len = CORO_STACK + page;
	c->map = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (c->map == MAP_FAILED) {
		free(c);
		return NULL;
	}
	mprotect(c->map, page, PROT_NONE);	/* the guard below the stack */
	c->fn = fn;
	c->arg = arg;
	c->data = data;
	if (ctx_init(c, (char *)c->map + page)) {
		munmap(c->map, c->map_len);
		free(c);
		return NULL;
	}
	return c;
}

void coro_free(struct coro *c)
{
	if (!c)
		return;
	munmap(c->map, c->map_len);
	free(c);
}

int coro_resume(struct coro *c)
{
	void *save = NULL;

	if (c->done || current)
		return 0;
	current = c;
	c->wake_at = 0;
	c->resumed_at = now_ms();
	asan_enter(c, &save, c->ctx.uc_stack.ss_sp, c->ctx.uc_stack.ss_size);
	swapcontext(&c->caller, &c->ctx);
	asan_arrived(save, NULL, NULL);
	current = NULL;
	return !c->done;
}

int coro_done(const struct coro *c)
{
	return c->done;
}

int64_t coro_wake_at(const struct coro *c)
{
	return c->wake_at;
}

struct coro *coro_current(void)
{
	return current;
}

void *coro_data(const struct coro *c)
{
	return c ? c->data : NULL;
}

void coro_yield(void)
{
	struct coro *c = current;

	if (!c)
		return;
	asan_enter(c, &c->asan_fake, c->caller_bottom, c->caller_size);
	swapcontext(&c->ctx, &c->caller);
	asan_arrived(c->asan_fake, &c->caller_bottom, &c->caller_size);
}

void coro_yield_maybe(void)
{
	if (current && now_ms() - current->resumed_at >= CORO_SLICE_MS)
		coro_yield();
}

void coro_sleep_ms(int ms)
{
	struct coro *c = current;

	if (!c) {
		sleep_ms(ms);
		return;
	}
	c->wake_at = now_ms() + (ms > 0 ? ms : 0);
	coro_yield();
}
