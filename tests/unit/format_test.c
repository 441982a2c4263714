/* SPDX-License-Identifier: MIT */
/* Unit tests for core/format: tables and the template subset. */
#include <stdlib.h>
#include <string.h>

#include "../../core/format.h"
#include "../../core/util.h"
#include "tap.h"

static char *get(void *obj, const char *field, bool json)
{
	if (!strcmp(field, "ID"))
		return xstrdup(json ? "\"abc\"" : "abc");
	if (!strcmp(field, "Names"))
		return xstrdup((const char *)obj);
	return NULL;
}

static const char *head(const char *field)
{
	return strcmp(field, "ID") ? NULL : "CONTAINER ID";
}

static void test_tmpl(void)
{
	struct err e = ERR_INIT;
	struct fmt_tmpl t;
	char *s;

	tap_is_int(fmt_tmpl_parse(&t, "{{.ID}}\\t{{ .Names }}!", &e), 0,
		   "parses");
	s = fmt_tmpl_render(&t, get, "x", &e);
	tap_is_str(s, "abc\tx!", "renders fields and escapes");
	free(s);
	fmt_tmpl_release(&t);
	fmt_tmpl_parse(&t, "table {{.ID}} {{.Names}} {{json .ID}}", &e);
	tap_ok(t.table, "table prefix seen");
	s = fmt_tmpl_header(&t, head);
	tap_is_str(s, "CONTAINER ID NAMES CONTAINER ID", "header");
	free(s);
	s = fmt_tmpl_render(&t, get, "x", &e);
	tap_is_str(s, "abc x \"abc\"", "json action");
	free(s);
	fmt_tmpl_release(&t);
	fmt_tmpl_parse(&t, "{{.Nope}}", &e);
	s = fmt_tmpl_render(&t, get, "x", &e);
	tap_ok(!s && strstr(e.msg, "Nope"), "unknown field is an error");
	fmt_tmpl_release(&t);
	tap_is_int(fmt_tmpl_parse(&t, "{{.ID", &e), -1, "unclosed action");
}

static void test_table(void)
{
	struct fmt_table t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fmt_table_init(&t);
	fmt_table_add(&t, "CONTAINER ID\tPORTS\tNAMES");
	fmt_table_add(&t, "abc\t\tlong_name_here");
	fmt_table_add(&t, "h\xc3\xa9\t\tx");
	fmt_table_flush(&t, f);
	fclose(f);
	tap_is_str(buf, "CONTAINER ID  PORTS       NAMES\n"
			"abc                       long_name_here\n"
			"h\xc3\xa9                        x\n",
		   "aligned as podman's tabwriter, by characters");
	free(buf);
	fmt_table_release(&t);
}

static void test_json_get(void)
{
	cJSON *j = cJSON_Parse("{\"A\":{\"B\":3,\"S\":\"x\"},"
			       "\"L\":[\"a\",\"b\"],\"M\":{\"z\":\"1\",\"a\":\"2\"},"
			       "\"N\":null,\"T\":true}");
	char *s;

	s = fmt_json_get(j, "A.B", false);
	tap_is_str(s, "3", "nested number");
	free(s);
	s = fmt_json_get(j, "A.S", true);
	tap_is_str(s, "\"x\"", "json string");
	free(s);
	s = fmt_json_get(j, "L", false);
	tap_is_str(s, "[a b]", "array as Go prints it");
	free(s);
	s = fmt_json_get(j, "M", false);
	tap_is_str(s, "map[a:2 z:1]", "map with sorted keys");
	free(s);
	s = fmt_json_get(j, "N", false);
	tap_is_str(s, "<nil>", "null");
	free(s);
	s = fmt_json_get(j, "T", false);
	tap_is_str(s, "true", "bool");
	free(s);
	tap_ok(fmt_json_get(j, "A.Nope", false) == NULL, "unknown field");
	tap_ok(fmt_json_get(j, "L.x", false) == NULL, "field of an array");
	cJSON_Delete(j);
}

static void is_sanitized(const char *in, const char *want, const char *desc)
{
	char *s = fmt_sanitize(in);

	tap_is_str(s, want, desc);
	free(s);
}

static void test_sanitize(void)
{
	struct err e = ERR_INIT;
	struct fmt_tmpl t;
	char *s;

	is_sanitized("\033]0;OWNED\a\033[2J", "?]0;OWNED??[2J", "C0 escapes");
	is_sanitized("a\tb\nc\rd\x7f", "a?b?c?d?", "tab, newline, CR, DEL");
	is_sanitized("x\xc2\x9b[2Jy", "x?[2Jy", "C1 CSI decoded as UTF-8");
	is_sanitized("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		     "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		     "printable UTF-8 kept");
	is_sanitized("a\x9b" "b\xc3", "a?b?",
		     "invalid bytes and a cut sequence");
	is_sanitized("\xc0\xaf\xed\xa0\x80", "?????",
		     "overlong forms and surrogates");
	fmt_tmpl_parse(&t, "{{.Names}}|{{json .Names}}", &e);
	s = fmt_tmpl_render(&t, get, "a\033[2J\nb", &e);
	tap_is_str(s, "a?[2J?b|a\033[2J\nb", "values sanitized, json ones not");
	free(s);
	fmt_tmpl_release(&t);
}

static void test_trunc(void)
{
	char s[] = "h\xc3\xa9llo", u[] = "\xc3\xa9\xc3\xa9\xc3\xa9", v[] = "ab";

	tap_ok(fmt_trunc(s, 2), "cut");
	tap_is_str(s, "h\xc3\xa9", "two characters, three bytes");
	tap_ok(fmt_trunc(u, 1) && !strcmp(u, "\xc3\xa9"),
	       "never inside a sequence");
	tap_ok(!fmt_trunc(v, 2) && !strcmp(v, "ab"), "short enough: unchanged");
}

int main(void)
{
	test_sanitize();
	test_trunc();
	test_tmpl();
	test_table();
	test_json_get();
	return tap_done();
}
