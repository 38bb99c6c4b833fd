/*
 * sha256.h - SHA-256 (FIPS 180-4), the one hash vnet uses: image checksums
 * (lib/image.c) and anything else that must notice a damaged byte. Plain C,
 * no library, incremental: init, update as often as needed, final.
 *
 *   struct sha256 c;
 *   uint8_t d[SHA256_LEN];
 *   sha256_init(&c); sha256_update(&c, buf, len); sha256_final(&c, d);
 */
#ifndef VNET_SHA256_H
#define VNET_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32			/* digest bytes */
#define SHA256_HEX_LEN (2 * SHA256_LEN)	/* hex digits, without the NUL */

/* State of one hash in progress; the members are private to sha256.c. */
struct sha256 {
	uint32_t h[8];
	uint64_t nbytes;		/* bytes hashed so far */
	uint8_t block[64];
	size_t fill;			/* bytes waiting in block */
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* Writes the digest; c must be initialised again before reuse. */
void sha256_final(struct sha256 *c, uint8_t out[SHA256_LEN]);

/* One call: the digest of data[0..len). */
void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);

/* Lower-case hex of a digest into out (SHA256_HEX_LEN + 1 bytes). */
char *sha256_hex(const uint8_t d[SHA256_LEN], char out[SHA256_HEX_LEN + 1]);

#endif
