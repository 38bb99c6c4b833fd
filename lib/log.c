/*
 * log.c - see log.h. Messages go out in one write(2) each so that lines
 * from several threads (the engine's workers) never interleave.
 */
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct {
	char prog[32];
	int fd;
	enum log_level min;
} log_ctx = { "vnet", 2, LOG_LVL_INFO };

void log_init(const char *prog, const char *path, enum log_level min)
{
	snprintf(log_ctx.prog, sizeof(log_ctx.prog), "%s", prog);
	log_ctx.min = min;
	if (path) {
		int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (fd >= 0) {
			if (log_ctx.fd > 2)
				close(log_ctx.fd);
			log_ctx.fd = fd;
		}
	}
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	char line[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	if (lvl < log_ctx.min)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s: ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, log_ctx.prog,
		     names[lvl]);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(log_ctx.fd, line, n) < 0) {
		/* nowhere left to report it */
	}
}
