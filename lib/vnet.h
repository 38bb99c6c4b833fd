/*
 * vnet.h - limits, names and the error carrier shared by every vnet program.
 *
 * Every module that reports a user-facing error fills a struct vnet_err with
 * one complete sentence that says what is wrong and where (for topology files:
 * "file:line:col: ..."). The caller prints it or returns it in an API body.
 */
#ifndef VNET_H
#define VNET_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define VNET_VERSION "0.1.0"

#define VNET_NAME_MAX 32	/* network, node names incl. NUL: 1..31 chars */
#define VNET_LINK_NAME_MAX 64	/* "a-b" incl. NUL */
#define VNET_IFNAME_MAX 16	/* IFNAMSIZ */

struct vnet_err {
	char msg[512];
};

/* Format msg into err (no-op when err is NULL). Always returns -1. */
int vnet_errf(struct vnet_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Names of networks and nodes: 1..31 of [A-Za-z0-9_] plus '.' and '-' inside,
 * starting with a letter or digit. Returns 1 when valid. */
int vnet_name_valid(const char *s);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
