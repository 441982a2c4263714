/* SPDX-License-Identifier: MIT */
/* SHA-256 over BearSSL, with an optional SHA extensions path. */
#include <stdio.h>
#include <string.h>

#include "digest.h"
#include "util.h"


/*
 * The SHA extensions path (x86-64 only): state kept as the ABEF/CDGH pair
 * the sha256rnds2 instruction works on, four rounds per step.
 */
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static bool sha_ni_available(void)
{
	unsigned a, b, c, d;
	static int cached = -1;

	if (cached >= 0)
		return cached;
	cached = 0;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) ||
	    !(c & bit_SSSE3))
		return false;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & bit_SHA))
		return false;
	cached = 1;
	return true;
}

__attribute__((target("sha,sse4.1,ssse3")))
static void sha_ni_blocks(uint32_t st[8], const uint8_t *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
					     0x0405060700010203ULL);
	__m128i abef, cdgh, t, save0, save1, m[4], w;

	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)st), 0xb1);
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(st + 4)),
				 0x1b);
	abef = _mm_alignr_epi8(t, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, t, 0xf0);
	for (; n; n--, p += 64) {
		save0 = abef;
		save1 = cdgh;
		for (int g = 0; g < 16; g++) {
			if (g < 4) {
				m[g] = _mm_shuffle_epi8(_mm_loadu_si128(
					(const __m128i *)(p + 16 * g)), bswap);
			} else {
				t = _mm_sha256msg1_epu32(m[g & 3],
							 m[(g + 1) & 3]);
				t = _mm_add_epi32(t, _mm_alignr_epi8(
					m[(g + 3) & 3], m[(g + 2) & 3], 4));
				m[g & 3] = _mm_sha256msg2_epu32(t,
							m[(g + 3) & 3]);
			}
			w = _mm_add_epi32(m[g & 3], _mm_loadu_si128(
				(const __m128i *)(sha256_k + 4 * g)));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, w);
			w = _mm_shuffle_epi32(w, 0x0e);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, w);
		}
		abef = _mm_add_epi32(abef, save0);
		cdgh = _mm_add_epi32(cdgh, save1);
	}
	t = _mm_shuffle_epi32(abef, 0x1b);
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)st, _mm_blend_epi16(t, cdgh, 0xf0));
	_mm_storeu_si128((__m128i *)(st + 4), _mm_alignr_epi8(cdgh, t, 8));
}
#else
static bool sha_ni_available(void)
{
	return false;
}

static void sha_ni_blocks(uint32_t st[8], const uint8_t *p, size_t n)
{
}
#endif

static int force_portable;

void sha256_force_portable(bool on)
{
	force_portable = on;
}

bool sha256_accelerated(void)
{
	return !force_portable && sha_ni_available();
}

static const uint32_t sha256_iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

void sha256_init(struct sha256 *c)
{
	c->ni = sha256_accelerated();
	c->buflen = 0;
	c->total = 0;
	if (c->ni)
		memcpy(c->state, sha256_iv, sizeof(c->state));
	else
		br_sha256_init(&c->br);
}

void sha256_update(struct sha256 *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t blocks;

	if (!c->ni) {
		br_sha256_update(&c->br, data, len);
		return;
	}
	c->total += len;
	if (c->buflen) {
		size_t n = 64 - c->buflen < len ? 64 - c->buflen : len;

		memcpy(c->buf + c->buflen, p, n);
		c->buflen += n;
		p += n;
		len -= n;
		if (c->buflen < 64)
			return;
		sha_ni_blocks(c->state, c->buf, 1);
		c->buflen = 0;
	}
	blocks = len / 64;
	if (blocks)
		sha_ni_blocks(c->state, p, blocks);
	p += blocks * 64;
	len -= blocks * 64;
	memcpy(c->buf, p, len);
	c->buflen = len;
}

void sha256_final(struct sha256 *c, uint8_t out[32])
{
	uint64_t bits;

	if (!c->ni) {
		br_sha256_out(&c->br, out);
		return;
	}
	bits = c->total * 8;
	c->buf[c->buflen++] = 0x80;
	if (c->buflen > 56) {
		memset(c->buf + c->buflen, 0, 64 - c->buflen);
		sha_ni_blocks(c->state, c->buf, 1);
		c->buflen = 0;
	}
	memset(c->buf + c->buflen, 0, 56 - c->buflen);
	for (int i = 0; i < 8; i++)
		c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha_ni_blocks(c->state, c->buf, 1);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->state[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->state[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->state[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->state[i];
	}
}

void sha256_final_str(struct sha256 *c, char out[DIGEST_STR_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t d[32];

	sha256_final(c, d);
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[d[i] >> 4];
		out[8 + 2 * i] = hex[d[i] & 15];
	}
	out[DIGEST_STR_LEN] = '\0';
}

char *digest_of(const void *data, size_t len)
{
	char out[DIGEST_STR_LEN + 1];
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final_str(&c, out);
	return xstrdup(out);
}

bool hex_valid(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') ||
		      (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n >= min && n <= max;
}

bool digest_valid(const char *d)
{
	return d && str_has_prefix(d, "sha256:") &&
	       hex_valid(d + 7, DIGEST_HEX_LEN, DIGEST_HEX_LEN);
}
