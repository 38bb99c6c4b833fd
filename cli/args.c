/*
 * args.c - local checks of vnet's arguments, before anything is sent to
 * vnetd: the form of NET, NET/NAME and NAME references, "prop=value" lists
 * (with the "dir=A>B" of `vnet link set`), the arguments of `vnet down`,
 * line counts, and the escaping of references into URL paths. The daemon
 * still validates every value; this file only catches what is malformed on
 * the command line, with messages that name the bad argument. See args.h.
 */
#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The rule of vnet_name_valid(): letters, digits and '_', plus '.' and '-'
 * after the first character. */
static int name_ok(const char *s, size_t len, size_t max)
{
	size_t i;

	if (len == 0 || len > max || !isalnum((unsigned char)s[0]))
		return 0;
	for (i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '_' && c != '.' && c != '-')
			return 0;
	}
	return 1;
}

int args_ref_check(const char *s, enum args_ref_kind kind, char *err, size_t errlen)
{
	static const char *const what[] = {
		[ARGS_NET] = "network", [ARGS_NODE] = "node", [ARGS_LINK] = "link",
	};
	size_t max = kind == ARGS_LINK ? ARGS_LINK_NAME_MAX : ARGS_NAME_MAX;
	const char *slash = strchr(s, '/');
	const char *name = s;

	if (*s == '\0')
		return errf(err, errlen, "empty %s name", what[kind]);
	if (kind == ARGS_NET && slash)
		return errf(err, errlen, "'%s' is not a network name (NET, without '/')", s);
	if (slash) {
		if (strchr(slash + 1, '/'))
			return errf(err, errlen, "'%s' is not a %s: expected NET/NAME or NAME",
				    s, what[kind]);
		if (!name_ok(s, (size_t)(slash - s), ARGS_NAME_MAX))
			return errf(err, errlen, "bad network name in '%s' (letters, digits, "
				    "'_', '.' and '-', at most %d characters)", s, ARGS_NAME_MAX);
		name = slash + 1;
	}
	if (!name_ok(name, strlen(name), max))
		return errf(err, errlen, "bad %s name '%s' (letters, digits, '_', '.' "
			    "and '-', at most %zu characters)", what[kind], s, max);
	return 0;
}

static int key_known(const char *key, const char *const *known)
{
	for (; *known; known++)
		if (strcmp(key, *known) == 0)
			return 1;
	return 0;
}

static void list_known(char *buf, size_t n, const char *const *known)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; *known && len < n; known++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s",
					len ? ", " : "", *known);
}

static int dir_ok(const char *v)
{
	const char *gt = strchr(v, '>');

	return gt && gt != v && gt[1] != '\0' && !strchr(gt + 1, '>');
}

int args_props_parse(int argc, char *const *argv, const char *const *known,
		     const char **dir, struct args_prop *props, size_t max,
		     char *err, size_t errlen)
{
	size_t np = 0, i;
	int a;

	if (dir)
		*dir = NULL;
	for (a = 0; a < argc; a++) {
		const char *arg = argv[a];
		const char *eq = strchr(arg, '=');
		size_t klen = eq ? (size_t)(eq - arg) : strlen(arg);
		char key[ARGS_KEY_MAX];

		if (klen == 0)
			return errf(err, errlen, "'%s' has no property name: PROP=VALUE", arg);
		if (klen >= sizeof(key))
			return errf(err, errlen, "unknown property '%.*s'", (int)klen, arg);
		memcpy(key, arg, klen);
		key[klen] = '\0';
		if (!eq || eq[1] == '\0')
			return errf(err, errlen, "'%s' needs a value: %s=VALUE", key, key);
		if (dir && strcmp(key, "dir") == 0) {
			if (*dir)
				return errf(err, errlen, "'dir' is given twice");
			if (!dir_ok(eq + 1))
				return errf(err, errlen, "'%s' is not a direction: dir=A>B, "
					    "e.g. 'dir=r1>r2' (quote it in the shell)", arg);
			*dir = eq + 1;
			continue;
		}
		if (known && !key_known(key, known)) {
			char names[512];

			list_known(names, sizeof(names), known);
			return errf(err, errlen, "unknown property '%s' (known: %s%s)",
				    key, names, dir ? ", dir" : "");
		}
		for (i = 0; i < np; i++)
			if (strcmp(props[i].key, key) == 0)
				return errf(err, errlen, "'%s' is given twice", key);
		if (np == max)
			return errf(err, errlen, "too many properties (at most %zu)", max);
		memcpy(props[np].key, key, klen + 1);
		props[np].value = eq + 1;
		np++;
	}
	if (np == 0)
		return errf(err, errlen, "nothing to set: give PROP=VALUE");
	return (int)np;
}

int args_down_parse(int argc, char **argv, const char **file, int *nnames,
		    char *err, size_t errlen)
{
	int i, j, n = 0;

	*file = NULL;
	*nnames = 0;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *opt = "-f", *f;

		if (strcmp(a, "-f") == 0 || strcmp(a, "--file") == 0) {
			opt = a;
			f = i + 1 < argc ? argv[++i] : "";
		} else if (strncmp(a, "--file=", 7) == 0) {
			opt = "--file";
			f = a + 7;
		} else if (strncmp(a, "-f", 2) == 0) {
			f = a + 2;
		} else if (a[0] == '-' && a[1] != '\0') {
			return errf(err, errlen, "unknown option '%s'", a);
		} else {
			if (args_ref_check(a, ARGS_NET, err, errlen) < 0)
				return -1;
			for (j = 0; j < n && strcmp(argv[j], a) != 0; j++)
				;
			if (j == n)
				argv[n++] = argv[i];
			continue;
		}
		if (*f == '\0')
			return errf(err, errlen, "%s needs a topology file: %s FILE", opt, opt);
		if (*file)
			return errf(err, errlen, "one topology file at most: -f FILE");
		*file = f;
	}
	if (*file && n)
		return errf(err, errlen, "give networks or -f FILE, not both");
	if (!*file && !n)
		return errf(err, errlen, "missing NET (or -f FILE)");
	*nnames = n;
	return 0;
}

int args_count_parse(const char *s, unsigned long max, unsigned long *n)
{
	unsigned long v;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > max)
		return -1;
	*n = v;
	return 0;
}

static int unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

int args_path(char *buf, size_t n, const char *base, const char *ref, const char *suffix)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(base);
	const char *p;

	if (len + 1 > n)
		return -1;
	memcpy(buf, base, len + 1);
	if (ref) {
		if (len + 1 >= n)
			return -1;
		buf[len++] = '/';
		for (p = ref; *p; p++) {
			unsigned char c = (unsigned char)*p;

			if (c == '/' || unreserved(c)) {
				if (len + 1 >= n)
					return -1;
				buf[len++] = (char)c;
			} else {
				if (len + 3 >= n)
					return -1;
				buf[len++] = '%';
				buf[len++] = hex[c >> 4];
				buf[len++] = hex[c & 15];
			}
		}
		buf[len] = '\0';
	}
	if (suffix) {
		size_t sl = strlen(suffix);

		if (len + sl + 1 > n)
			return -1;
		memcpy(buf + len, suffix, sl + 1);
	}
	return 0;
}
