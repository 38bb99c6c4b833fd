/*
 * reap.c - see reap.h. A small table: few children are waited for at once
 * (one birdc or BIRD per job).
 */
#include "reap.h"

#include <errno.h>
#include <sys/wait.h>

#include "coro.h"
#include "sys.h"

#define REAP_MAX 64

static struct {
	pid_t pid;
	int ended, status;
} claims[REAP_MAX];

static int slot(pid_t pid)
{
	for (int i = 0; i < REAP_MAX; i++)
		if (claims[i].pid == pid)
			return i;
	return -1;
}

void reap_claim(pid_t pid)
{
	int i = slot(pid);

	if (i < 0)
		i = slot(0);
	if (i < 0)
		return;		/* full: the waiter polls waitpid alone */
	claims[i].pid = pid;
	claims[i].ended = 0;
}

int reap_store(pid_t pid, int status)
{
	int i = slot(pid);

	if (pid <= 0 || i < 0)
		return 0;
	claims[i].ended = 1;
	claims[i].status = status;
	return 1;
}

void reap_unclaim(pid_t pid)
{
	int i = slot(pid);

	if (pid > 0 && i >= 0)
		claims[i].pid = 0;
}

int reap_wait(pid_t pid, int *status, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	int i, st = 0;

	for (int t = 0;; t++) {
		if ((i = slot(pid)) >= 0 && claims[i].ended) {
			st = claims[i].status;
			claims[i].pid = 0;
			break;
		}
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD && i < 0))
			break;
		if (timeout_ms >= 0 && now_ms() >= deadline)
			return 0;
		coro_sleep_ms(t < 20 ? 1 : 5);
	}
	reap_unclaim(pid);
	if (status)
		*status = st;
	return 1;
}
