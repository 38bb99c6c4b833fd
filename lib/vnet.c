/*
 * vnet.c - the two helpers every vnet module shares: the error carrier
 * (vnet_errf fills a struct vnet_err with one complete sentence and its
 * class) and the rule
 * for names of networks, nodes and links (vnet_name_valid). Names end up in
 * hostnames, interface names, file names and API paths, so the rule is
 * deliberately narrow: nothing that needs quoting anywhere.
 */
#include "vnet.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int verr(struct vnet_err *err, enum vnet_err_class cls, const char *fmt, va_list ap)
{
	if (!err)
		return -1;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	err->cls = cls;
	return -1;
}

int vnet_errf(struct vnet_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(err, VNET_ERR_INTERNAL, fmt, ap);
	va_end(ap);
	return -1;
}

int vnet_errc(struct vnet_err *err, enum vnet_err_class cls, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(err, cls, fmt, ap);
	va_end(ap);
	return -1;
}

int vnet_err_class(struct vnet_err *err, enum vnet_err_class cls)
{
	if (err)
		err->cls = cls;
	return -1;
}

enum vnet_err_class vnet_err_class_of_errno(int negerrno)
{
	switch (-negerrno) {
	case ENOSPC:
	case EDQUOT:
	case ENOMEM:
	case EMFILE:
	case ENFILE:
		return VNET_ERR_EXHAUSTED;
	case ENOENT:
		return VNET_ERR_NOT_FOUND;
	case EEXIST:
	case EBUSY:
		return VNET_ERR_CONFLICT;
	default:
		return VNET_ERR_INTERNAL;
	}
}

const char *vnet_err_class_name(enum vnet_err_class cls)
{
	static const char *const names[] = {
#define X(e, s) s,
		VNET_ERR_CLASSES(X)
#undef X
	};

	return (unsigned)cls < VNET_ERR__COUNT ? names[cls] : "internal";
}

static int name_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

int vnet_name_valid(const char *s)
{
	size_t len;

	if (!s)
		return 0;
	len = strlen(s);
	if (len == 0 || len >= VNET_NAME_MAX || !name_alnum(s[0]))
		return 0;
	for (size_t i = 1; i < len; i++) {
		char c = s[i];

		if (name_alnum(c) || c == '_')
			continue;
		/* '.' and '-' only inside: never first (checked above) or last. */
		if ((c == '.' || c == '-') && i + 1 < len)
			continue;
		return 0;
	}
	return 1;
}
