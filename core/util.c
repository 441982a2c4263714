/* SPDX-License-Identifier: MIT */
/* Small helpers shared by every module: memory, strings, files. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static void *oom(void *p)
{
	if (!p)
		die("out of memory");
	return p;
}

void *xmalloc(size_t n)
{
	return oom(malloc(n ? n : 1));
}

void *xcalloc(size_t nmemb, size_t size)
{
	return oom(calloc(nmemb ? nmemb : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t n)
{
	return oom(realloc(p, n ? n : 1));
}

char *xstrdup(const char *s)
{
	return oom(strdup(s));
}

char *xstrndup(const char *s, size_t n)
{
	return oom(strndup(s, n));
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		die("out of memory");
	return s;
}

char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	while (*b == '/')
		b++;
	if (la && a[la - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

/* Splits a copy of path with its trailing slashes dropped. */
static char *path_part(const char *path, bool base)
{
	char *s = xstrdup(path), *r;
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	r = xstrdup(base ? basename(s) : dirname(s));
	free(s);
	return r;
}

char *path_basename(const char *path)
{
	return path_part(path, true);
}

char *path_dirname(const char *path)
{
	return path_part(path, false);
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

bool str_to_num(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

char *file_read_at(int dirfd, const char *path, size_t max, size_t *len,
		   struct err *err)
{
	size_t cap = max < 4096 ? max : 4096, n = 0;
	char *buf;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_set(err, errno, "cannot open '%s'", path);
		return NULL;
	}
	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap >= max)
				break;
			cap = cap * 2 > max ? max : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_set(err, errno, "cannot read '%s'", path);
			goto out_free;
		}
		if (r == 0)
			goto out_done;
		n += (size_t)r;
	}
	/* The buffer is full at max: only an immediate end of file is fine. */
	{
		char c;

		if (read(fd, &c, 1) != 0) {
			err_set(err, EFBIG, "cannot read '%s'", path);
			goto out_free;
		}
	}
out_done:
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
out_free:
	close(fd);
	free(buf);
	return NULL;
}

char *file_read(const char *path, size_t max, size_t *len, struct err *err)
{
	return file_read_at(AT_FDCWD, path, max, len, err);
}

static int write_replace(const char *path, const void *data, size_t len,
			 mode_t mode, bool durable, struct err *err)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int fd, dfd, ret = -1;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  mode);
	if (fd < 0) {
		err_set(err, errno, "cannot create '%s'", tmp);
		goto out_free;
	}
	if (write_all(fd, data, len) < 0 || (durable && fsync(fd) < 0)) {
		err_set(err, errno, "cannot write '%s'", tmp);
		close(fd);
		goto out_unlink;
	}
	if (close(fd) < 0) {
		err_set(err, errno, "cannot write '%s'", tmp);
		goto out_unlink;
	}
	if (rename(tmp, path) < 0) {
		err_set(err, errno, "cannot rename '%s'", tmp);
		goto out_unlink;
	}
	if (!durable)
		goto out_done;
	if (slash)
		*slash = '\0';
	dfd = open(slash ? (*dir ? dir : "/") : ".",
		   O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
out_done:
	ret = 0;
	goto out_free;
out_unlink:
	unlink(tmp);
out_free:
	free(tmp);
	free(dir);
	return ret;
}

int file_write_atomic(const char *path, const void *data, size_t len,
		      mode_t mode, struct err *err)
{
	return write_replace(path, data, len, mode, true, err);
}

int file_replace(const char *path, const void *data, size_t len, mode_t mode,
		 struct err *err)
{
	return write_replace(path, data, len, mode, false, err);
}

int file_lock(const char *path, mode_t mode, int how, struct err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return err_set(err, errno, "cannot open '%s'", path);
	while (flock(fd, how) < 0) {
		if (errno == EINTR)
			continue;
		err_set(err, errno, "cannot lock '%s'", path);
		close(fd);
		return -1;
	}
	return fd;
}

int mkdir_p(const char *path, mode_t mode, struct err *err)
{
	char *p = xstrdup(path);
	int ret = 0;

	for (char *s = p + 1; ; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			ret = err_set(err, errno, "cannot create '%s'", p);
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return ret;
}

int fd_set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0)
		return -1;
	return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

void time_now(int64_t *sec, long *nsec)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*sec = ts.tv_sec;
	if (nsec)
		*nsec = ts.tv_nsec;
}

void time_format_rfc3339(int64_t sec, long nsec, char *buf, size_t len)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char base[32];

	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09ldZ", base, nsec);
}

static int parse_digits(const char **s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if ((*s)[i] < '0' || (*s)[i] > '9')
			return -1;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*out = v;
	return 0;
}

int time_parse_rfc3339(const char *s, int64_t *sec, long *nsec)
{
	int y, mo, d, h, mi, se, off = 0;
	struct tm tm = { 0 };
	long ns = 0;

	if (parse_digits(&s, 4, &y) || *s++ != '-' ||
	    parse_digits(&s, 2, &mo) || *s++ != '-' ||
	    parse_digits(&s, 2, &d) || (*s != 'T' && *s != 't' && *s != ' '))
		return -1;
	s++;
	if (parse_digits(&s, 2, &h) || *s++ != ':' ||
	    parse_digits(&s, 2, &mi) || *s++ != ':' ||
	    parse_digits(&s, 2, &se))
		return -1;
	if (*s == '.') {
		long scale = 100000000;

		s++;
		if (*s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++, scale /= 10)
			ns += (*s - '0') * scale;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		int sign = *s == '-' ? -1 : 1, oh, om;

		s++;
		if (parse_digits(&s, 2, &oh) || *s++ != ':' ||
		    parse_digits(&s, 2, &om))
			return -1;
		off = sign * (oh * 3600 + om * 60);
	} else {
		return -1;
	}
	if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*sec = (int64_t)timegm(&tm) - off;
	if (nsec)
		*nsec = ns;
	return 0;
}

void time_human_duration(int64_t s, char *buf, size_t len)
{
	/* The thresholds of Go's units.HumanDuration, which podman prints. */
	int64_t m = s / 60, h = (s + 1800) / 3600;

	if (s < 1)
		snprintf(buf, len, "Less than a second");
	else if (s == 1)
		snprintf(buf, len, "1 second");
	else if (s < 60)
		snprintf(buf, len, "%lld seconds", (long long)s);
	else if (m == 1)
		snprintf(buf, len, "About a minute");
	else if (m < 60)
		snprintf(buf, len, "%lld minutes", (long long)m);
	else if (h == 1)
		snprintf(buf, len, "About an hour");
	else if (h < 48)
		snprintf(buf, len, "%lld hours", (long long)h);
	else if (h < 24 * 7 * 2)
		snprintf(buf, len, "%lld days", (long long)(h / 24));
	else if (h < 24 * 30 * 2)
		snprintf(buf, len, "%lld weeks", (long long)(h / 24 / 7));
	else if (h < 24 * 365 * 2)
		snprintf(buf, len, "%lld months", (long long)(h / 24 / 30));
	else
		snprintf(buf, len, "%lld years", (long long)(h / 24 / 365));
}

void size_human(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)bytes;
	size_t i = 0;

	while (v >= 1000 && i + 1 < ARRAY_SIZE(units)) {
		v /= 1000;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%.3g %s", v, units[i]);
}

int err_setc(struct err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->errnum = code;
	return -1;
}
