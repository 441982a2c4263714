/* SPDX-License-Identifier: MIT */
/* Reference parsing and normalisation, as podman and docker do it. */
#include <stdlib.h>

#include "../../core/ref.h"
#include "tap.h"

#define D64 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void norm(const char *in, const char *want, int qualified)
{
	struct err e = ERR_INIT;
	struct ref r;
	char *s, desc[256];

	snprintf(desc, sizeof(desc), "'%s' -> '%s'", in, want);
	if (ref_parse(in, &r, &e) < 0) {
		tap_ok(0, desc);
		printf("#   error: %s\n", e.msg);
		return;
	}
	s = ref_string(&r);
	tap_is_str(s, want, desc);
	if (qualified >= 0)
		tap_is_int(r.qualified, qualified, "  qualified as expected");
	free(s);
	ref_release(&r);
}

static void bad(const char *in, const char *why)
{
	struct err e = ERR_INIT;
	struct ref r;
	char desc[256];
	int ret = ref_parse(in, &r, &e);

	snprintf(desc, sizeof(desc), "'%s' refused", in);
	tap_ok(ret < 0, desc);
	if (ret == 0) {
		ref_release(&r);
		return;
	}
	tap_ok(strstr(e.msg, why) != NULL, "  with the reason");
	if (!strstr(e.msg, why))
		printf("#   got: %s\n", e.msg);
}

int main(void)
{
	struct ref r, q;
	struct err e = ERR_INIT;
	char *s;

	norm("alpine", "docker.io/library/alpine:latest", 0);
	norm("alpine:3.20", "docker.io/library/alpine:3.20", 0);
	norm("user/app", "docker.io/user/app:latest", 0);
	norm("docker.io/alpine", "docker.io/library/alpine:latest", 1);
	norm("index.docker.io/library/alpine", "docker.io/library/alpine:latest", 1);
	norm("host:5000/a/b:tag", "host:5000/a/b:tag", 1);
	norm("localhost/x", "localhost/x:latest", 1);
	norm("127.0.0.1:5000/x", "127.0.0.1:5000/x:latest", 1);
	norm("quay.io/a/b.c_d__e-f--g", "quay.io/a/b.c_d__e-f--g:latest", 1);
	norm("alpine@sha256:" D64, "docker.io/library/alpine@sha256:" D64, 0);
	norm("alpine:3.20@sha256:" D64, "docker.io/library/alpine@sha256:" D64, 0);
	norm("[::1]:5000/x:y", "[::1]:5000/x:y", 1);
	norm("My.Registry.example/x", "My.Registry.example/x:latest", 1);

	bad("", "invalid reference");
	bad("Alpine", "must be lowercase");
	bad("host:5000/A/b", "must be lowercase");
	bad("alpine@sha256:1234", "invalid digest");
	bad("alpine@md5:" D64, "unsupported digest algorithm");
	bad("alpine:", "invalid tag");
	bad("alpine:-x", "invalid tag");
	bad("a//b", "invalid repository name");
	bad("a/b_", "invalid repository name");
	bad("a/.b", "invalid repository name");
	bad("/a", "invalid repository name");
	bad("host:port/a", "invalid registry host");
	bad("docker://alpine", "invalid reference");
	bad("a b", "invalid reference");

	/* Short names qualified against other registries. */
	ref_parse("busybox:1", &r, &e);
	ref_qualify(&r, "quay.io", &q);
	s = ref_string(&q);
	tap_is_str(s, "quay.io/busybox:1", "no library/ outside docker.io");
	free(s);
	ref_release(&q);
	ref_qualify(&r, "docker.io", &q);
	s = ref_string(&q);
	tap_is_str(s, "docker.io/library/busybox:1", "library/ on docker.io");
	free(s);
	ref_release(&q);
	ref_release(&r);
	tap_is_str(ref_api_host("docker.io"), "registry-1.docker.io",
		   "docker.io is reached at registry-1.docker.io");
	tap_is_str(ref_api_host("quay.io"), "quay.io", "others as written");
	return tap_done();
}
