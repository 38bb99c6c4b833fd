/*
 * vnet.c - the two helpers every vnet module shares: the error carrier
 * (vnet_errf fills a struct vnet_err with one complete sentence) and the rule
 * for names of networks, nodes and links (vnet_name_valid). Names end up in
 * hostnames, interface names, file names and API paths, so the rule is
 * deliberately narrow: nothing that needs quoting anywhere.
 */
#include "vnet.h"

#include <stdio.h>
#include <string.h>

int vnet_errf(struct vnet_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
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
