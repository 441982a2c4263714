/* SPDX-License-Identifier: MIT */
/* Unit tests for core/util and core/err. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../core/err.h"
#include "../../core/util.h"
#include "tap.h"

static void test_err(void)
{
	struct err e = ERR_INIT;

	tap_is_int(err_set(&e, ENOENT, "cannot open '%s'", "x"), -1,
		   "err_set returns -1");
	tap_is_str(e.msg, "cannot open 'x': No such file or directory",
		   "err_set appends strerror");
	err_wrap(&e, "pulling '%s'", "alpine");
	tap_is_str(e.msg,
		   "pulling 'alpine': cannot open 'x': No such file or directory",
		   "err_wrap prepends context");
	tap_is_int(e.errnum, ENOENT, "errnum kept");
}

static void test_paths(void)
{
	char *p = path_join("/a/", "/b");

	tap_is_str(p, "/a/b", "path_join drops doubled slashes");
	free(p);
	p = path_join("a", "b/c");
	tap_is_str(p, "a/b/c", "path_join joins");
	free(p);
	tap_ok(str_has_prefix("scatman-pull", "scatman-"), "has_prefix");
	tap_ok(!str_has_suffix("a.tar", ".gz"), "has_suffix negative");
}

static void test_files(void)
{
	char dir[] = "/tmp/util_test.XXXXXX";
	struct err e = ERR_INIT;
	char *path, *deep, *s;
	size_t len;

	if (!mkdtemp(dir))
		return;
	path = path_join(dir, "f");
	tap_is_int(file_write_atomic(path, "hello", 5, 0644, &e), 0,
		   "atomic write");
	s = file_read(path, 100, &len, &e);
	tap_is_str(s, "hello", "read back");
	tap_is_int((long long)len, 5, "length");
	free(s);
	s = file_read(path, 3, &len, &e);
	tap_ok(s == NULL && e.errnum == EFBIG, "a file over the cap is refused");
	deep = path_join(dir, "x/y/z");
	tap_is_int(mkdir_p(deep, 0755, &e), 0, "mkdir_p");
	tap_is_int(mkdir_p(deep, 0755, &e), 0, "mkdir_p on existing");
	tap_ok(access(deep, F_OK) == 0, "mkdir_p made it");
	s = file_read("/nonexistent/file", 10, NULL, &e);
	tap_ok(!s && e.errnum == ENOENT, "missing file gives ENOENT");
	free(path);
	free(deep);
}

static void test_time(void)
{
	char buf[64];
	int64_t s;
	long ns;

	tap_is_int(time_parse_rfc3339("2026-12-04T15:30:13Z", &s, &ns), 0,
		   "parse rfc3339");
	tap_is_int(s, 1796398213, "epoch seconds");
	time_parse_rfc3339("2026-12-04T16:30:13.5+01:00", &s, &ns);
	tap_is_int(s, 1796398213, "zone offset applied");
	tap_is_int(ns, 500000000, "fraction");
	tap_ok(time_parse_rfc3339("2026-13-04T15:30:13Z", &s, &ns) < 0,
	       "bad month refused");
	tap_ok(time_parse_rfc3339("yesterday", &s, &ns) < 0,
	       "garbage refused");
	time_format_rfc3339(1796398213, 5, buf, sizeof(buf));
	tap_is_str(buf, "2026-12-04T15:30:13.000000005Z", "format rfc3339");
	time_human_duration(180, buf, sizeof(buf));
	tap_is_str(buf, "3 minutes", "3 minutes");
	time_human_duration(3700, buf, sizeof(buf));
	tap_is_str(buf, "About an hour", "about an hour");
	time_human_duration(15 * 86400, buf, sizeof(buf));
	tap_is_str(buf, "2 weeks", "2 weeks");
	size_human(5242880, buf, sizeof(buf));
	tap_is_str(buf, "5.24 MB", "human size");
	size_human(12, buf, sizeof(buf));
	tap_is_str(buf, "12 B", "bytes");
}

int main(void)
{
	test_err();
	test_paths();
	test_files();
	test_time();
	return tap_done();
}
