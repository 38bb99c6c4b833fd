/*
 * addr.h - IPv4/IPv6 addresses and prefixes: parse, print, arithmetic.
 *
 * One struct serves for an address with its prefix length (an interface
 * address such as 10.1.64.1/30) and for a prefix (10.1.0.0/16).
 */
#ifndef VNET_ADDR_H
#define VNET_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct vnet_addr {
	uint8_t family;		/* AF_INET or AF_INET6; 0 = none */
	uint8_t plen;		/* prefix length */
	uint8_t a[16];		/* network byte order; IPv4 uses a[0..3] */
};

#define VNET_ADDRSTRLEN 64

/* "10.1.0.0/16", "fd00:1::/48"; with require_plen=0 a bare address gets
 * plen 32/128. Returns 0 or -1. */
int addr_parse(const char *s, struct vnet_addr *out, int require_plen);
/* "10.1.0.1/30" (with_plen) or "10.1.0.1". Returns buf. */
const char *addr_fmt(const struct vnet_addr *a, char *buf, size_t n, int with_plen);
/* Address bytes: 4 or 16. */
int addr_len(const struct vnet_addr *a);
/* Zero the host bits. */
void addr_mask(struct vnet_addr *a);
/* a + off (off counted in addresses, added to the low bits). Returns -1 on
 * overflow out of the family's space. */
int addr_add(struct vnet_addr *a, uint64_t off);
/* Is b inside prefix a? */
bool addr_contains(const struct vnet_addr *pfx, const struct vnet_addr *b);
bool addr_equal(const struct vnet_addr *a, const struct vnet_addr *b);

/* MAC addresses: "02:00:0a:01:00:01" (buf of at least 18 bytes). */
const char *addr_mac_fmt(const uint8_t mac[6], char *buf, size_t n);
/* Six hex bytes separated by ':' and nothing after. Returns 0 or -1. */
int addr_mac_parse(const char *s, uint8_t mac[6]);

#endif
