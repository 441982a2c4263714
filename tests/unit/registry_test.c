/* SPDX-License-Identifier: MIT */
/* WWW-Authenticate parsing, registries.conf parsing, auth helpers. */
#include <stdlib.h>
#include <string.h>

#include "../../core/auth.h"
#include "../../core/regconf.h"
#include "../../core/registry.h"
#include "tap.h"

static void test_challenges(void)
{
	struct challenge c[4];
	size_t n;

	n = challenges_parse("Bearer realm=\"https://auth.example/token\",service=\"reg, one\","
			     "scope=\"repository:a/b:pull,push\"", c, 4);
	tap_is_int(n, 1, "one Bearer challenge");
	tap_is_str(c[0].scheme, "bearer", "  scheme in lower case");
	tap_is_str(c[0].realm, "https://auth.example/token", "  realm");
	tap_is_str(c[0].service, "reg, one", "  quoted value with a comma");
	tap_is_str(c[0].scope, "repository:a/b:pull,push", "  scope");
	challenge_release(&c[0]);

	n = challenges_parse("Basic realm=\"x\", Bearer realm=\"r\",service=s , "
			     "Other k=\"v\\\"q\"", c, 4);
	tap_is_int(n, 3, "three challenges in one header");
	tap_is_str(c[0].scheme, "basic", "  Basic first");
	tap_is_str(c[1].realm, "r", "  Bearer realm");
	tap_is_str(c[1].service, "s", "  token value");
	tap_is_str(c[2].scheme, "other", "  unknown scheme kept");
	for (size_t i = 0; i < n; i++)
		challenge_release(&c[i]);
	tap_is_int(challenges_parse("", c, 4), 0, "empty header");
	tap_is_int(challenges_parse(",,, =", c, 4), 0, "garbage");
}

static void test_regconf(void)
{
	static const char text[] =
		"# comment\n"
		"unqualified-search-registries = ['a.example', \"b.example\"]\n"
		"short-name-mode = \"enforcing\"\n"
		"[aliases]\n"
		"  \"bb\" = \"quay.io/x/busybox\"\n"
		"  plain = 'docker.io/library/plain'\n"
		"[[registry]]\n"
		"prefix = \"a.example/team\"\n"
		"location = \"mirror.example/team\"\n"
		"insecure = true\n"
		"[[registry.mirror]]\n"
		"location = \"m1.example/t\"\n"
		"[[registry]]\n"
		"location = \"a.example\"\n"
		"blocked = true\n"
		"[[registry]]\n"
		"prefix = \"*.wild.example\"\n"
		"insecure = true\n";
	struct err e = ERR_INIT;
	struct regconf c = { 0 };
	const struct regconf_registry *r;

	tap_ok(regconf_parse(&c, text, "t.conf", &e) == 0, "registries.conf parses");
	tap_is_int(c.nsearch, 2, "  two search registries");
	tap_is_str(c.search[1], "b.example", "  in order");
	tap_is_str(regconf_alias(&c, "bb"), "quay.io/x/busybox", "  quoted alias");
	tap_is_str(regconf_alias(&c, "plain"), "docker.io/library/plain", "  bare alias");
	r = regconf_find(&c, "a.example/team/app");
	tap_ok(r && r->insecure && !r->blocked, "  longest prefix wins");
	tap_ok(r && r->nmirrors == 1 && !strcmp(r->mirrors[0].location, "m1.example/t"),
	       "  with its mirror");
	r = regconf_find(&c, "a.example/other");
	tap_ok(r && r->blocked, "  the location is the prefix when none is given");
	tap_ok(regconf_find(&c, "a.examplex/other") == NULL, "  prefixes end at a boundary");
	r = regconf_find(&c, "reg.wild.example/x");
	tap_ok(r && r->insecure, "  wildcard prefix");
	regconf_release(&c);
	tap_ok(regconf_parse(&c, "x = [\"a\"\n", "bad.conf", &e) < 0 &&
	       strstr(e.msg, "malformed 'bad.conf'"), "an unterminated array is an error");
	regconf_release(&c);
}

static void test_base64(void)
{
	char *s = base64_encode("tester:s3cret", 13), *d;
	size_t n;

	tap_is_str(s, "dGVzdGVyOnMzY3JldA==", "base64 encode");
	d = base64_decode(s, &n);
	tap_is_str(d, "tester:s3cret", "base64 decode");
	free(s);
	free(d);
	tap_ok(base64_decode("a*b", &n) == NULL, "bad base64 refused");
	s = auth_registry_host("https://index.docker.io/v1/");
	tap_is_str(s, "docker.io", "docker's key names docker.io");
	free(s);
}

int main(void)
{
	test_challenges();
	test_regconf();
	test_base64();
	return tap_done();
}
