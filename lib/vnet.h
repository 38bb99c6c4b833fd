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

/*
 * What kind of failure an error is: the caller decides what to do from
 * the class, never from the text (the API maps each class to one HTTP
 * status, the CLI to its exit code). INTERNAL is the default: a failure
 * of the machine or a bug, as opposed to a request that can be fixed.
 */
#define VNET_ERR_CLASSES(X) \
	X(INTERNAL, "internal")		/* the machine failed: kernel, memory, a program */ \
	X(INVALID, "invalid")		/* the request is malformed or out of range */ \
	X(NOT_FOUND, "not_found")	/* it names something that does not exist */ \
	X(CONFLICT, "conflict")		/* it clashes with the current state (exists, wrong state) */ \
	X(EXHAUSTED, "exhausted")	/* a resource ran out: disk, capacity, address space */ \
	X(UNAVAILABLE, "unavailable")	/* a service it needs is down; try again later */

enum vnet_err_class {
#define X(e, s) VNET_ERR_##e,
	VNET_ERR_CLASSES(X)
#undef X
	VNET_ERR__COUNT
};

struct vnet_err {
	char msg[512];
	enum vnet_err_class cls;
};

/* Format msg into err with class INTERNAL (no-op when err is NULL).
 * Always returns -1. */
int vnet_errf(struct vnet_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same with a class. Always returns -1. */
int vnet_errc(struct vnet_err *err, enum vnet_err_class cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Give an error already formatted a class (no-op when err is NULL).
 * Always returns -1, so that `return vnet_err_class(err, X);` reads well. */
int vnet_err_class(struct vnet_err *err, enum vnet_err_class cls);
/* The class of a negative errno from a system call: ENOSPC/EDQUOT/ENOMEM
 * exhausted, ENOENT not found, EEXIST/EBUSY conflict, else internal. */
enum vnet_err_class vnet_err_class_of_errno(int negerrno);
/* "invalid", "not_found"... */
const char *vnet_err_class_name(enum vnet_err_class cls);

/* Names of networks and nodes: 1..31 of [A-Za-z0-9_] plus '.' and '-' inside,
 * starting with a letter or digit. Returns 1 when valid. */
int vnet_name_valid(const char *s);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
