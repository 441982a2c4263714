/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 digests as "sha256:<64 lowercase hex>". The hash is BearSSL's
 * portable one, or a SHA extensions path chosen at run time on x86-64.
 */
#ifndef SCATMAN_DIGEST_H
#define SCATMAN_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#define DIGEST_HEX_LEN 64
#define DIGEST_STR_LEN (7 + DIGEST_HEX_LEN)	/* "sha256:" + hex */

struct sha256 {
	br_sha256_context br;	/* the portable path */
	uint32_t state[8];	/* the SHA extensions path */
	uint8_t buf[64];
	size_t buflen;
	uint64_t total;
	bool ni;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* Writes "sha256:<hex>" and its NUL into out. */
void sha256_final_str(struct sha256 *c, char out[DIGEST_STR_LEN + 1]);
void sha256_final(struct sha256 *c, uint8_t out[32]);

/* Chooses the implementation: "portable" forces BearSSL's (for tests). */
void sha256_force_portable(bool on);
/* true when the SHA extensions path is in use. */
bool sha256_accelerated(void);

/* Digest of a buffer as "sha256:<hex>"; malloc'd. */
char *digest_of(const void *data, size_t len);
/* true for "sha256:" followed by 64 lowercase hex digits. */
bool digest_valid(const char *d);
/* true for 1..64 lowercase hex digits. */
bool hex_valid(const char *s, size_t min, size_t max);

#endif
