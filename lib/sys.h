/*
 * sys.h - the small system helpers every vnet program shares: the
 * monotonic clock, sleeping, making directories and writing whole files.
 * One copy of each, so that a fix reaches every caller.
 */
#ifndef VNET_SYS_H
#define VNET_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* CLOCK_MONOTONIC in milliseconds. */
int64_t now_ms(void);
/* Sleep ms milliseconds (restarted after signals). */
void sleep_ms(int ms);
/* Write all n bytes of buf to fd (restarted after signals and short
 * writes). 0 or -errno. */
int write_all(int fd, const void *buf, size_t n);
/* mkdir -p: path and its parents with mode; 0 or -errno. */
int mkdir_p(const char *path, mode_t mode);
/* Overwrite path's contents with len bytes of data in place (created 0644
 * when missing): a file bind-mounted by inode sees the new text. 0 or
 * -errno. */
int write_in_place(const char *path, const void *data, size_t len);
/* Replace path with a new file holding text, atomically (a temporary file
 * beside it, then rename). 0 or -errno. */
int write_file(const char *path, const char *text);
/* Write a short value into an existing kernel file (sysfs, procfs,
 * cgroupfs): no O_CREAT, no O_TRUNC. 0 or -errno. */
int write_sysfs(const char *path, const char *value);
/* Raise the soft limit on open files to the hard limit: a daemon holding
 * two descriptors per link (a TAP each side) passes the usual 1024 at a few
 * hundred links. Returns the new soft limit, or -errno. */
long raise_nofile(void);

#endif
