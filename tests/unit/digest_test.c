/* SPDX-License-Identifier: MIT */
/* SHA-256: known answers, and the accelerated path against BearSSL. */
#include <stdlib.h>
#include <string.h>

#include "../../core/digest.h"
#include "tap.h"

#define D64 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static char *hash_split(const unsigned char *data, size_t len, size_t step)
{
	char out[DIGEST_STR_LEN + 1];
	struct sha256 c;

	sha256_init(&c);
	for (size_t off = 0; off < len; off += step)
		sha256_update(&c, data + off, len - off < step ? len - off : step);
	sha256_final_str(&c, out);
	return strdup(out);
}

int main(void)
{
	static const size_t steps[] = { 1, 3, 63, 64, 65, 1000, 1 << 20 };
	unsigned char *buf = malloc(1 << 20);
	char *d, upper[80];

	d = digest_of("", 0);
	tap_is_str(d, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	       "empty input");
	free(d);
	d = digest_of("abc", 3);
	tap_is_str(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "abc");
	free(d);

	/* Every length 0..300 and several chunkings: both paths agree. */
	srand(7);
	for (size_t i = 0; i < (1 << 20); i++)
		buf[i] = (unsigned char)rand();
	int bad = 0;
	for (size_t len = 0; len <= 300; len++) {
		char *a, *b;

		sha256_force_portable(true);
		a = hash_split(buf, len, 7);
		sha256_force_portable(false);
		b = hash_split(buf, len, 5);
		bad += strcmp(a, b) != 0;
		free(a);
		free(b);
	}
	tap_ok(!bad, "accelerated and portable agree on lengths 0..300");
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		char *a, *b;

		sha256_force_portable(true);
		a = hash_split(buf, 1 << 20, steps[i]);
		sha256_force_portable(false);
		b = hash_split(buf, 1 << 20, steps[i]);
		tap_is_str(b, a, "1 MiB in chunks agrees with BearSSL");
		free(a);
		free(b);
	}
	printf("# accelerated path %s\n", sha256_accelerated() ? "in use" : "absent");

	tap_ok(digest_valid("sha256:" D64),
	   "valid digest");
	snprintf(upper, sizeof(upper), "sha256:%s", D64);
	upper[7] = 'E';
	tap_ok(!digest_valid(upper),
	   "upper-case hex refused");
	tap_ok(!digest_valid("sha256:e3b0"), "short digest refused");
	tap_ok(!digest_valid("sha512:" D64),
	   "other algorithm refused");
	free(buf);
	return tap_done();
}
