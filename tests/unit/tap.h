/* SPDX-License-Identifier: MIT */
/* A few TAP helpers for the unit tests: one binary per core module. */
#ifndef SCATMAN_TAP_H
#define SCATMAN_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static void tap_ok(int cond, const char *desc)
{
	tap_n++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, desc);
	if (!cond)
		tap_failed++;
}

static void tap_is_str(const char *got, const char *want, const char *desc)
{
	int same = got && want ? !strcmp(got, want) : got == want;

	tap_ok(same, desc);
	if (!same)
		printf("#   got:      '%s'\n#   expected: '%s'\n",
		       got ? got : "(null)", want ? want : "(null)");
}

static void tap_is_int(long long got, long long want, const char *desc)
{
	tap_ok(got == want, desc);
	if (got != want)
		printf("#   got:      %lld\n#   expected: %lld\n", got, want);
}

static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
