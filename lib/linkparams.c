/*
 * linkparams.c - the properties of one direction of a virtual link (see
 * linkparams.h), driven by one table built from LINKP_PROPS: name, field
 * offset and size, and kind. The kind selects the unit parser and printer
 * from units.c and the range check, so the topology parser, the API and the
 * CLI all accept and print exactly the same forms.
 */
#include "linkparams.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "units.h"
#include "vnet.h"

struct linkp_desc {
	const char *name;
	size_t off, size;
	enum linkp_kind kind;
};

static const struct linkp_desc linkp_table[LINKP__COUNT] = {
#define X(e, nm, field, k) \
	[LINKP_##e] = { nm, offsetof(struct link_params, field), \
			sizeof(((struct link_params *)0)->field), k },
	LINKP_PROPS(X)
#undef X
};

static const char *const jitter_dist_names[] = {
#define X(e, s) [LINKP_JITTER_##e] = s,
	LINKP_JITTER_DISTS(X)
#undef X
};

/* Whole-number properties with a range of their own. */
struct linkp_range {
	enum linkp_prop prop;
	uint64_t min, max;
};

static const struct linkp_range linkp_ranges[] = {
	{ LINKP_MTU, 68, 65535 },
	{ LINKP_QUEUE, 1, 1000000 },
};

static uint64_t get_field(const struct link_params *p, const struct linkp_desc *d)
{
	const unsigned char *f = (const unsigned char *)p + d->off;
	uint64_t v64;
	uint32_t v32;
	uint8_t v8;

	switch (d->size) {
	case 8:
		memcpy(&v64, f, 8);
		return v64;
	case 4:
		memcpy(&v32, f, 4);
		return v32;
	default:
		memcpy(&v8, f, 1);
		return v8;
	}
}

static void set_field(struct link_params *p, const struct linkp_desc *d, uint64_t v)
{
	unsigned char *f = (unsigned char *)p + d->off;
	uint32_t v32 = (uint32_t)v;
	uint8_t v8 = (uint8_t)v;

	switch (d->size) {
	case 8:
		memcpy(f, &v, 8);
		break;
	case 4:
		memcpy(f, &v32, 4);
		break;
	default:
		memcpy(f, &v8, 1);
		break;
	}
}

static uint64_t field_max(const struct linkp_desc *d)
{
	return d->size == 8 ? UINT64_MAX : d->size == 4 ? UINT32_MAX : UINT8_MAX;
}

int linkp_lookup(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < LINKP__COUNT; i++)
		if (!strcmp(name, linkp_table[i].name))
			return i;
	return -1;
}

const char *linkp_name(enum linkp_prop p)
{
	if ((unsigned)p >= LINKP__COUNT)
		return "?";
	return linkp_table[p].name;
}

static int parse_bool(const char *s, uint64_t *v)
{
	static const char *const yes[] = { "on", "true", "yes", "1" };
	static const char *const no[] = { "off", "false", "no", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*v = 1;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*v = 0;
			return 0;
		}
	}
	return -1;
}

static void put_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void put_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void unknown_prop(const char *key, char *err, size_t errlen)
{
	char known[512];
	size_t len = 0;

	known[0] = '\0';
	for (int i = 0; i < LINKP__COUNT && len < sizeof(known); i++)
		len += (size_t)snprintf(known + len, sizeof(known) - len, "%s%s",
					i ? ", " : "", linkp_table[i].name);
	put_err(err, errlen, "unknown link property '%.64s' (known: %s)", key, known);
}

int linkp_set(struct link_params *p, uint32_t *mask, const char *key,
	      const char *value, char *err, size_t errlen)
{
	const struct linkp_desc *d;
	int prop = linkp_lookup(key);
	char form[160];
	uint64_t v = 0;
	uint32_t v32;
	int rc = -1;

	if (prop < 0) {
		unknown_prop(key ? key : "", err, errlen);
		return -1;
	}
	d = &linkp_table[prop];
	if (!value)
		value = "";
	switch (d->kind) {
	case LINKP_RATE:
		rc = units_parse_rate(value, &v);
		snprintf(form, sizeof(form), "%s", UNITS_RATE_FORM);
		break;
	case LINKP_TIME:
		rc = units_parse_time(value, &v);
		snprintf(form, sizeof(form), "%s", UNITS_TIME_FORM);
		break;
	case LINKP_SIZE:
		rc = units_parse_size(value, &v);
		if (!rc && v > field_max(d))
			rc = -1;
		snprintf(form, sizeof(form), "%s, at most %llu bytes", UNITS_SIZE_FORM,
			 (unsigned long long)field_max(d));
		break;
	case LINKP_PERCENT:
		rc = units_parse_percent(value, &v32);
		v = v32;
		snprintf(form, sizeof(form), "%s", UNITS_PERCENT_FORM);
		break;
	case LINKP_COUNT: {
		uint64_t lo = 0, hi = field_max(d);

		for (size_t i = 0; i < ARRAY_SIZE(linkp_ranges); i++)
			if (linkp_ranges[i].prop == (enum linkp_prop)prop) {
				lo = linkp_ranges[i].min;
				hi = linkp_ranges[i].max;
			}
		rc = units_parse_count(value, &v);
		if (!rc && (v < lo || v > hi))
			rc = -1;
		snprintf(form, sizeof(form), "a whole number from %llu to %llu",
			 (unsigned long long)lo, (unsigned long long)hi);
		break;
	}
	case LINKP_DIST: {
		size_t len = 0;

		for (size_t i = 0; i < ARRAY_SIZE(jitter_dist_names); i++) {
			if (!strcasecmp(value, jitter_dist_names[i])) {
				v = i;
				rc = 0;
			}
		}
		len = (size_t)snprintf(form, sizeof(form), "one of ");
		for (size_t i = 0; i < ARRAY_SIZE(jitter_dist_names) && len < sizeof(form); i++)
			len += (size_t)snprintf(form + len, sizeof(form) - len, "%s%s",
						i ? ", " : "", jitter_dist_names[i]);
		break;
	}
	case LINKP_BOOL:
		rc = parse_bool(value, &v);
		snprintf(form, sizeof(form), "on or off (or true/false, yes/no, 1/0)");
		break;
	}
	if (rc) {
		/* a long value is shown cut, so that the expected form still shows */
		size_t show = strlen(value) > 64 ? 60 : strlen(value);

		while (show < strlen(value) && show > 0 &&
		       ((unsigned char)value[show] & 0xc0) == 0x80)
			show--;
		put_err(err, errlen, "bad %s '%.*s%s': expected %s", d->name, (int)show,
			value, show < strlen(value) ? "..." : "", form);
		return -1;
	}
	set_field(p, d, v);
	if (mask)
		*mask |= LINKP_BIT(prop);
	return 0;
}

void linkp_apply(struct link_params *dst, const struct link_params *src, uint32_t mask)
{
	for (int i = 0; i < LINKP__COUNT; i++)
		if (mask & LINKP_BIT(i))
			memcpy((unsigned char *)dst + linkp_table[i].off,
			       (const unsigned char *)src + linkp_table[i].off,
			       linkp_table[i].size);
}

const char *linkp_fmt(const struct link_params *params, enum linkp_prop p,
		      char *buf, size_t n)
{
	const struct linkp_desc *d;
	uint64_t v;

	if (!n)
		return buf;
	if ((unsigned)p >= LINKP__COUNT) {
		snprintf(buf, n, "?");
		return buf;
	}
	d = &linkp_table[p];
	v = get_field(params, d);
	switch (d->kind) {
	case LINKP_RATE:
		return units_fmt_rate(v, buf, n);
	case LINKP_TIME:
		return units_fmt_time(v, buf, n);
	case LINKP_SIZE:
		return units_fmt_size(v, buf, n);
	case LINKP_PERCENT:
		return units_fmt_percent((uint32_t)v, buf, n);
	case LINKP_COUNT:
		snprintf(buf, n, "%llu", (unsigned long long)v);
		return buf;
	case LINKP_DIST:
		snprintf(buf, n, "%s", v < ARRAY_SIZE(jitter_dist_names) ?
			 jitter_dist_names[v] : "?");
		return buf;
	case LINKP_BOOL:
		snprintf(buf, n, "%s", v ? "on" : "off");
		return buf;
	}
	snprintf(buf, n, "?");
	return buf;
}

size_t linkp_fmt_list(char *buf, size_t n, const struct link_params *params, uint32_t mask)
{
	size_t len = 0;
	char v[64];

	buf[0] = '\0';
	for (int i = 0; i < LINKP__COUNT && len < n; i++)
		if (mask & LINKP_BIT(i))
			len += (size_t)snprintf(buf + len, n - len, "%s%s=%s", len ? " " : "",
						linkp_name(i), linkp_fmt(params, i, v, sizeof(v)));
	return len < n ? len : n - 1;
}

int linkp_is_set(const struct link_params *params, enum linkp_prop p)
{
	if ((unsigned)p >= LINKP__COUNT)
		return 0;
	return get_field(params, &linkp_table[p]) != 0;
}

void linkp_init(struct link_params *p)
{
	memset(p, 0, sizeof(*p));
}
