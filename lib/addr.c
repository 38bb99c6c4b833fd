/*
 * addr.c - IPv4/IPv6 addresses and prefixes (see addr.h).
 *
 * Parsing and printing go through inet_pton/inet_ntop, so the accepted forms
 * are exactly the standard ones (no "1.2.3", no octal, no zone ids); the
 * prefix length is a plain decimal number within the family's range. The
 * arithmetic treats an address as one big-endian integer of 32 or 128 bits.
 */
#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

int addr_len(const struct vnet_addr *a)
{
	if (a->family == AF_INET)
		return 4;
	if (a->family == AF_INET6)
		return 16;
	return 0;
}

/* A prefix length: 1 to 3 decimal digits, no sign, no leading zero. */
static int parse_plen(const char *s, int max)
{
	int v = 0;

	if (!*s || strlen(s) > 3 || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= max ? v : -1;
}

int addr_parse(const char *s, struct vnet_addr *out, int require_plen)
{
	char buf[VNET_ADDRSTRLEN];
	struct vnet_addr a;
	const char *slash;
	size_t alen;
	int plen;

	if (!s)
		return -1;
	memset(&a, 0, sizeof(a));
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= sizeof(buf))
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (strchr(buf, ':')) {
		if (inet_pton(AF_INET6, buf, a.a) != 1)
			return -1;
		a.family = AF_INET6;
	} else {
		if (inet_pton(AF_INET, buf, a.a) != 1)
			return -1;
		a.family = AF_INET;
	}
	if (slash) {
		plen = parse_plen(slash + 1, addr_len(&a) * 8);
		if (plen < 0)
			return -1;
	} else {
		if (require_plen)
			return -1;
		plen = addr_len(&a) * 8;
	}
	a.plen = (uint8_t)plen;
	*out = a;
	return 0;
}

const char *addr_fmt(const struct vnet_addr *a, char *buf, size_t n, int with_plen)
{
	char tmp[INET6_ADDRSTRLEN];

	if (!n)
		return buf;
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, a->a, tmp, sizeof(tmp))) {
		snprintf(buf, n, "none");
		return buf;
	}
	if (with_plen)
		snprintf(buf, n, "%s/%u", tmp, a->plen);
	else
		snprintf(buf, n, "%s", tmp);
	return buf;
}

void addr_mask(struct vnet_addr *a)
{
	int len = addr_len(a), plen = a->plen;

	for (int i = 0; i < len; i++) {
		int bits = plen - 8 * i;	/* network bits in this byte */

		if (bits >= 8)
			continue;
		a->a[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
}

int addr_add(struct vnet_addr *a, uint64_t off)
{
	uint8_t res[16];
	int len = addr_len(a);
	unsigned carry = 0;

	if (!len)
		return -1;
	memcpy(res, a->a, sizeof(res));
	for (int i = len - 1; i >= 0; i--) {
		unsigned sum = res[i] + (unsigned)(off & 0xff) + carry;

		res[i] = (uint8_t)sum;
		carry = sum >> 8;
		off >>= 8;
		if (!off && !carry)
			break;
	}
	if (off || carry)
		return -1;	/* ran past the top of the address space */
	memcpy(a->a, res, sizeof(res));
	return 0;
}

bool addr_contains(const struct vnet_addr *pfx, const struct vnet_addr *b)
{
	int plen = pfx->plen, full = plen / 8, rest = plen % 8;

	if (!addr_len(pfx) || pfx->family != b->family || plen > addr_len(pfx) * 8)
		return false;
	if (memcmp(pfx->a, b->a, (size_t)full))
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));

		if ((pfx->a[full] & m) != (b->a[full] & m))
			return false;
	}
	return true;
}

bool addr_equal(const struct vnet_addr *a, const struct vnet_addr *b)
{
	return a->family == b->family && a->plen == b->plen &&
	       !memcmp(a->a, b->a, (size_t)addr_len(a));
}

const char *addr_mac_fmt(const uint8_t m[6], char *buf, size_t n)
{
	snprintf(buf, n, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

int addr_mac_parse(const char *s, uint8_t m[6])
{
	unsigned v[6];
	char end;

	if (!s || sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4],
			 &v[5], &end) != 6)
		return -1;
	for (int k = 0; k < 6; k++) {
		if (v[k] > 255)
			return -1;
		m[k] = (uint8_t)v[k];
	}
	return 0;
}
