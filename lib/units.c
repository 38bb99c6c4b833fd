/*
 * units.c - quantities as people write them (see units.h): the one place
 * where "100mbit", "2.5ms", "0.1%" and "64M" are turned into integers and
 * back.
 *
 * A quantity is a decimal number (digits, optionally '.' and more digits; no
 * sign, no exponent, no spaces) directly followed by a unit from a small
 * table. The number is scaled exactly in 128-bit arithmetic and rounded to
 * the nearest base unit (bit/s, ns, ppb, byte); anything that does not fit
 * the target type is rejected rather than clamped. A bare "0" is accepted
 * for every kind, other bare numbers only where the unit is obvious (bytes,
 * counts).
 *
 * The printers try every unit and keep the shortest exact decimal form
 * (ties: fewer decimals, then the larger unit), so for any value a parser
 * returns, parse(fmt(x)) == x.
 */
#include "units.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef unsigned __int128 u128;

#define FRAC_DIGITS_MAX 18	/* significant digits after the decimal point */

struct unit {
	const char *suffix;
	uint64_t mult;
};

static const struct unit rate_units[] = {
	{ "bit", 1 }, { "kbit", 1000ULL }, { "mbit", 1000000ULL },
	{ "gbit", 1000000000ULL }, { "tbit", 1000000000000ULL }, { NULL, 0 }
};

static const struct unit time_units[] = {
	{ "ns", 1 }, { "us", 1000ULL }, { "\xc2\xb5s", 1000ULL } /* µs */,
	{ "ms", 1000000ULL }, { "s", 1000000000ULL }, { NULL, 0 }
};

static const struct unit percent_units[] = {
	{ "%", 10000000ULL }, { NULL, 0 }
};

#define KIB 1024ULL
static const struct unit size_units[] = {
	{ "", 1 }, { "B", 1 },
	{ "K", KIB }, { "k", KIB }, { "KiB", KIB },
	{ "M", KIB * KIB }, { "m", KIB * KIB }, { "MiB", KIB * KIB },
	{ "G", KIB * KIB * KIB }, { "g", KIB * KIB * KIB }, { "GiB", KIB * KIB * KIB },
	{ "T", KIB * KIB * KIB * KIB }, { "t", KIB * KIB * KIB * KIB },
	{ "TiB", KIB * KIB * KIB * KIB }, { NULL, 0 }
};

/* The forms the printers choose from, largest unit first. */
static const struct unit rate_print[] = {
	{ "tbit", 1000000000000ULL }, { "gbit", 1000000000ULL },
	{ "mbit", 1000000ULL }, { "kbit", 1000ULL }, { "bit", 1 }, { NULL, 0 }
};

static const struct unit time_print[] = {
	{ "s", 1000000000ULL }, { "ms", 1000000ULL }, { "us", 1000ULL },
	{ "ns", 1 }, { NULL, 0 }
};

static const struct unit size_print[] = {
	{ "T", KIB * KIB * KIB * KIB }, { "G", KIB * KIB * KIB },
	{ "M", KIB * KIB }, { "K", KIB }, { "", 1 }, { NULL, 0 }
};

/* A decimal number at the start of s: integer part *ip, fraction *fp / 10^*fd
 * (trailing zeros dropped). Returns the rest of s, or NULL when there is no
 * well-formed number or it does not fit. */
static const char *parse_decimal(const char *s, uint64_t *ip, uint64_t *fp, int *fd,
				 int allow_frac)
{
	uint64_t i = 0, f = 0;
	int ndig = 0, nfrac = 0, zeros = 0;

	for (; *s >= '0' && *s <= '9'; s++, ndig++) {
		unsigned d = (unsigned)(*s - '0');

		if (i > (UINT64_MAX - d) / 10)
			return NULL;
		i = i * 10 + d;
	}
	if (!ndig)
		return NULL;
	if (*s == '.') {
		if (!allow_frac)
			return NULL;
		s++;
		if (*s < '0' || *s > '9')
			return NULL;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (*s == '0') {	/* kept pending: trailing zeros do not count */
				zeros++;
				continue;
			}
			if (nfrac + zeros + 1 > FRAC_DIGITS_MAX)
				return NULL;
			for (; zeros; zeros--, nfrac++)
				f *= 10;
			f = f * 10 + (uint64_t)(*s - '0');
			nfrac++;
		}
	}
	*ip = i;
	*fp = f;
	*fd = nfrac;
	return s;
}

static u128 pow10_u128(int e)
{
	u128 p = 1;

	while (e-- > 0)
		p *= 10;
	return p;
}

/* number + unit from table; bare_zero: a unitless "0" is fine too. */
static int parse_quantity(const char *s, const struct unit *units, int icase,
			  int bare_zero, int allow_frac, uint64_t max, uint64_t *out)
{
	uint64_t ip, fp;
	const char *rest;
	u128 v, den;
	int fd;

	if (!s)
		return -1;
	rest = parse_decimal(s, &ip, &fp, &fd, allow_frac);
	if (!rest)
		return -1;
	if (!*rest && bare_zero && ip == 0 && fp == 0) {
		*out = 0;
		return 0;
	}
	for (const struct unit *u = units; u->suffix; u++) {
		if (icase ? strcasecmp(rest, u->suffix) : strcmp(rest, u->suffix))
			continue;
		den = pow10_u128(fd);
		/* ip < 2^64, mult < 2^41: the product fits comfortably. */
		v = (u128)ip * u->mult + ((u128)fp * u->mult + den / 2) / den;
		if (v > max)
			return -1;
		*out = (uint64_t)v;
		return 0;
	}
	return -1;
}

int units_parse_rate(const char *s, uint64_t *bps)
{
	return parse_quantity(s, rate_units, 1, 1, 1, UINT64_MAX, bps);
}

int units_parse_time(const char *s, uint64_t *ns)
{
	return parse_quantity(s, time_units, 0, 1, 1, UINT64_MAX, ns);
}

int units_parse_percent(const char *s, uint32_t *ppb)
{
	uint64_t v;

	if (parse_quantity(s, percent_units, 0, 1, 1, 1000000000ULL, &v))
		return -1;
	*ppb = (uint32_t)v;
	return 0;
}

int units_parse_size(const char *s, uint64_t *bytes)
{
	return parse_quantity(s, size_units, 0, 1, 1, UINT64_MAX, bytes);
}

int units_parse_cpu(const char *s, uint32_t *pct)
{
	static const struct unit pct_unit[] = { { "%", 1 }, { NULL, 0 } };
	uint64_t v;

	if (parse_quantity(s, pct_unit, 0, 0, 0, 6400, &v) || v < 1)
		return -1;
	*pct = (uint32_t)v;
	return 0;
}

int units_parse_count(const char *s, uint64_t *n)
{
	static const struct unit none[] = { { "", 1 }, { NULL, 0 } };

	return parse_quantity(s, none, 0, 0, 0, UINT64_MAX, n);
}

/* x in unit u as "12.5mbit" into buf; -1 when it needs too many decimals to
 * be read back. Returns the number of fraction digits. */
static int fmt_in_unit(uint64_t x, const struct unit *u, char *buf, size_t n)
{
	char frac[FRAC_DIGITS_MAX + 1];
	uint64_t q = x / u->mult, r = x % u->mult;
	int nf = 0;

	while (r) {
		if (nf == FRAC_DIGITS_MAX)
			return -1;
		r *= 10;	/* r < mult < 2^41: no overflow */
		frac[nf++] = (char)('0' + r / u->mult);
		r %= u->mult;
	}
	frac[nf] = '\0';
	if (nf)
		snprintf(buf, n, "%llu.%s%s", (unsigned long long)q, frac, u->suffix);
	else
		snprintf(buf, n, "%llu%s", (unsigned long long)q, u->suffix);
	return nf;
}

static const char *fmt_shortest(uint64_t x, const struct unit *units, char *buf,
				size_t n)
{
	char best[64] = "", cand[64];
	size_t best_len = SIZE_MAX;
	int best_nf = 0;

	for (const struct unit *u = units; u->suffix; u++) {
		int nf = fmt_in_unit(x, u, cand, sizeof(cand));
		size_t len = strlen(cand);

		if (nf < 0)
			continue;
		if (len < best_len || (len == best_len && nf < best_nf)) {
			memcpy(best, cand, len + 1);
			best_len = len;
			best_nf = nf;
		}
	}
	if (n)
		snprintf(buf, n, "%s", best);
	return buf;
}

const char *units_fmt_rate(uint64_t bps, char *buf, size_t n)
{
	return fmt_shortest(bps, rate_print, buf, n);
}

const char *units_fmt_time(uint64_t ns, char *buf, size_t n)
{
	if (ns == 0) {
		if (n)
			snprintf(buf, n, "0");
		return buf;
	}
	return fmt_shortest(ns, time_print, buf, n);
}

const char *units_fmt_percent(uint32_t ppb, char *buf, size_t n)
{
	return fmt_shortest(ppb, percent_units, buf, n);
}

const char *units_fmt_size(uint64_t bytes, char *buf, size_t n)
{
	return fmt_shortest(bytes, size_print, buf, n);
}
