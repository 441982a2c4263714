// SPDX-License-Identifier: MIT
/*
 * logs: the output a chroot's commands wrote, as podman logs.
 *
 * The supervisor appends records to <chroot>/log, kept across restarts:
 * "<RFC 3339 time> <stdout|stderr> <F|P> <text>\n" (F ends a line, P is
 * part of one). --since/--until take RFC 3339 times, dates, Unix seconds
 * or Go durations (10m, 1h30m: that long ago). -f follows with inotify
 * and a pidfd of the supervisor until the chroot stops.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../core/applet.h"
#include "../core/chroot.h"
#include "../core/log.h"
#include "../core/proc.h"
#include "../core/util.h"

const char logs_usage[] =
	"Usage: scatman logs [options] NAME [...]\n"
	"\n"
	"Fetch the logs of one or more chroots\n"
	"\n"
	"Options:\n"
	"  -f, --follow          follow the output until the chroot stops\n"
	"  -l, --latest          the latest created chroot\n"
	"  -n, --names           prefix each line with the chroot's name\n"
	"      --since TIME      only output after TIME: RFC 3339, a date,\n"
	"                        Unix seconds or a duration such as 10m\n"
	"      --until TIME      only output before TIME (same forms)\n"
	"      --tail N          only the last N lines (-1: all)\n"
	"  -t, --timestamps      show the time of each line\n"
	"  -h, --help            show this help\n";

#define NS_PER_SEC 1000000000LL
#define LINE_MAX_LOG (1 << 20)

struct logs_opts {
	bool follow, timestamps, names, latest;
	int64_t since, until;	/* ns since the epoch; 0 = unset */
	long tail;		/* -1 = all */
};

/* One chroot's log being read. */
struct log_src {
	struct chroot c;
	int fd;
	char *buf;		/* bytes read, not yet a whole record */
	size_t len;
	bool bol[2];		/* at the beginning of a line, per stream */
	long skip;		/* --tail: whole lines still to skip */
	int pidfd;
	bool done;
};

/* Go durations: "300ms", "1.5h", "1h30m", "-1m" (ns). -1 when not one. */
/* Nanoseconds as int64, saturated at the ends of its range. */
static int64_t clamp_ns(double v)
{
	if (v >= 9223372036854775807.0)
		return INT64_MAX;
	if (v <= -9223372036854775807.0)
		return -INT64_MAX;
	return (int64_t)v;
}

static int64_t sec_ns(int64_t sec, long nsec)
{
	if (sec >= INT64_MAX / NS_PER_SEC)
		return INT64_MAX;
	if (sec <= -(INT64_MAX / NS_PER_SEC))
		return -INT64_MAX;
	return sec * NS_PER_SEC + nsec;
}

static int parse_duration(const char *s, int64_t *ns)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "ms", 1e6 },
		{ "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
	};
	double total = 0;
	bool neg = *s == '-';

	s += neg || *s == '+';
	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		size_t best = 0, bi = 0;

		if (end == s || (!isdigit((unsigned char)*s) && *s != '.') ||
		    !isfinite(v))
			return -1;
		for (size_t i = 0; i < ARRAY_SIZE(units); i++)
			if (str_has_prefix(end, units[i].unit) &&
			    strlen(units[i].unit) > best) {
				best = strlen(units[i].unit);
				bi = i;
			}
		if (!best)
			return -1;
		total += v * units[bi].ns;
		s = end + best;
	}
	*ns = clamp_ns(neg ? -total : total);
	return 0;
}

/* "2026-12-04", "2026-12-04T15:30:13[.123]" in local time. */
static int parse_local(const char *s, int64_t *ns)
{
	struct tm tm = { 0 };
	const char *p;
	double frac = 0;

	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p) {
		memset(&tm, 0, sizeof(tm));
		p = strptime(s, "%Y-%m-%d", &tm);
	}
	if (!p)
		return -1;
	if (*p == '.') {
		char *end;

		frac = strtod(p, &end);
		p = end;
	}
	if (*p)
		return -1;
	tm.tm_isdst = -1;
	*ns = sec_ns((int64_t)mktime(&tm), (long)(frac * 1e9));
	return 0;
}

static int64_t now_ns(void)
{
	int64_t s;
	long ns;

	time_now(&s, &ns);
	return s * NS_PER_SEC + ns;
}

/* --since/--until values, as podman accepts them. */
static int64_t parse_when(const char *s, const char *opt)
{
	int64_t sec, d;
	long nsec;
	char *end;
	double v;

	if (time_parse_rfc3339(s, &sec, &nsec) == 0)
		return sec_ns(sec, nsec);
	v = strtod(s, &end);
	if (end != s && !*end && strspn(s, "0123456789.") == strlen(s))
		return clamp_ns(v * 1e9);
	if (parse_duration(s, &d) == 0)
		return __builtin_sub_overflow(now_ns(), d, &d) ? INT64_MAX : d;
	if (parse_local(s, &d) == 0)
		return d;
	die("invalid %s '%s': expected a time, Unix seconds or a duration",
	    opt, s);
}

/* A parsed record; text points into the line. */
struct record {
	int64_t when;
	int stream;		/* 0 stdout, 1 stderr */
	bool full;
	const char *ts, *text;
	size_t tslen, textlen;
};

static int parse_record(const char *line, size_t len, struct record *r)
{
	const char *sp = memchr(line, ' ', len), *p;
	char ts[64];
	int64_t sec;
	long nsec;

	if (!sp || (size_t)(sp - line) >= sizeof(ts))
		return -1;
	memcpy(ts, line, (size_t)(sp - line));
	ts[sp - line] = '\0';
	if (time_parse_rfc3339(ts, &sec, &nsec) < 0)
		return -1;
	r->when = sec_ns(sec, nsec);
	r->ts = line;
	r->tslen = (size_t)(sp - line);
	p = sp + 1;
	if (len - (size_t)(p - line) >= 9 && !memcmp(p, "stdout ", 7))
		r->stream = 0;
	else if (len - (size_t)(p - line) >= 9 && !memcmp(p, "stderr ", 7))
		r->stream = 1;
	else
		return -1;
	p += 7;
	if ((*p != 'F' && *p != 'P') || p[1] != ' ')
		return -1;
	r->full = *p == 'F';
	r->text = p + 2;
	r->textlen = len - (size_t)(r->text - line);
	return 0;
}

static bool in_window(const struct logs_opts *o, const struct record *r)
{
	return (!o->since || r->when >= o->since) &&
	       (!o->until || r->when <= o->until);
}

static void emit(const struct logs_opts *o, struct log_src *s,
		 const struct record *r, const char *prefix)
{
	static FILE *last;
	FILE *f = r->stream ? stderr : stdout;

	if (s->skip > 0) {
		s->skip -= r->full;
		return;
	}
	/* keep the order of the two streams when they share a file */
	if (last && last != f)
		fflush(last);
	last = f;
	if (s->bol[r->stream]) {
		if (prefix)
			fprintf(f, "%s ", prefix);
		if (o->timestamps)
			fprintf(f, "%.*s ", (int)r->tslen, r->ts);
	}
	fwrite(r->text, 1, r->textlen, f);
	if (r->full)
		fputc('\n', f);
	s->bol[r->stream] = r->full;
}

/* Handles the whole records in s->buf; count only counts full lines in
 * the window (for --tail). Returns the number counted. */
static long consume(const struct logs_opts *o, struct log_src *s,
		    const char *prefix, bool count)
{
	size_t off = 0;
	long n = 0;
	char *nl;

	while ((nl = memchr(s->buf + off, '\n', s->len - off))) {
		struct record r;
		size_t len = (size_t)(nl - s->buf) - off;

		if (parse_record(s->buf + off, len, &r) == 0 &&
		    in_window(o, &r)) {
			if (count)
				n += r.full;
			else
				emit(o, s, &r, prefix);
		}
		off += len + 1;
	}
	/* a record too long to be ours is dropped rather than kept */
	if (off == 0 && s->len >= LINE_MAX_LOG)
		off = s->len;
	memmove(s->buf, s->buf + off, s->len - off);
	s->len -= off;
	return n;
}

/* Reads what the log has now; returns the lines counted or emitted. */
static long drain(const struct logs_opts *o, struct log_src *s,
		  const char *prefix, bool count)
{
	long n = 0;
	ssize_t r;

	if (s->fd < 0) {
		char *path = path_join(s->c.dir, "log");

		s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		free(path);
		if (s->fd < 0)
			return 0;
	}
	for (;;) {
		if (!s->buf)
			s->buf = xmalloc(LINE_MAX_LOG);
		r = read(s->fd, s->buf + s->len, LINE_MAX_LOG - s->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		s->len += (size_t)r;
		n += consume(o, s, prefix, count);
	}
	fflush(stdout);
	fflush(stderr);
	return n;
}

/* --tail N: counts the lines first, then skips all but the last N. */
static void set_tail(const struct logs_opts *o, struct log_src *s)
{
	long total;

	if (o->tail < 0)
		return;
	total = drain(o, s, NULL, true);
	if (s->fd >= 0)
		lseek(s->fd, 0, SEEK_SET);
	s->len = 0;
	s->skip = total > o->tail ? total - o->tail : 0;
}

/* A pidfd for the process that keeps the chroot running, so its end
 * wakes us; -1 when the kernel has none (then inotify alone, on the
 * state file the supervisor rewrites at the end). */
static int watch_pid(const struct chroot *c)
{
	pid_t pid = c->st.supervisor ? c->st.supervisor : c->st.pid;
	uint64_t start = c->st.supervisor ? c->st.supervisor_start
					  : c->st.pid_start;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	/* opened after the check could name a recycled pid: check again */
	if (fd >= 0 && !proc_is_alive(pid, start)) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool still_running(struct log_src *s)
{
	struct err e = ERR_INIT;

	if (chroot_state_load(s->c.dir, &s->c.st, &e) < 0)
		return false;
	chroot_state_refresh(&s->c.st);
	return chroot_is_running(&s->c);
}

/* Follows every running source until all have stopped. */
static void follow(const struct logs_opts *o, struct log_src *src, size_t n,
		   char **prefix)
{
	struct pollfd *pfd = xcalloc(n + 1, sizeof(*pfd));
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	size_t left = 0;
	char ev[4096];

	if (in < 0)
		die_errno("cannot watch the logs");
	for (size_t i = 0; i < n; i++) {
		src[i].pidfd = -1;
		src[i].done = !still_running(&src[i]);
		if (src[i].done)
			continue;
		if (inotify_add_watch(in, src[i].c.dir, IN_MODIFY | IN_CREATE |
				      IN_MOVED_TO | IN_CLOSE_WRITE) < 0)
			die_errno("cannot watch '%s'", src[i].c.dir);
		src[i].pidfd = watch_pid(&src[i].c);
		left++;
	}
	while (left) {
		pfd[0] = (struct pollfd){ .fd = in, .events = POLLIN };
		for (size_t i = 0; i < n; i++)
			pfd[i + 1] = (struct pollfd){
				.fd = src[i].done ? -1 : src[i].pidfd,
				.events = POLLIN };
		/* everything written before the watches existed */
		for (size_t i = 0; i < n; i++) {
			if (src[i].done)
				continue;
			drain(o, &src[i], prefix[i], false);
			if (!still_running(&src[i])) {
				drain(o, &src[i], prefix[i], false);
				src[i].done = true;
				left--;
			}
		}
		if (!left)
			break;
		if (poll(pfd, n + 1, -1) < 0 && errno != EINTR)
			die_errno("cannot wait for the logs");
		while (read(in, ev, sizeof(ev)) > 0)
			;
	}
	for (size_t i = 0; i < n; i++)
		if (src[i].pidfd >= 0)
			close(src[i].pidfd);
	close(in);
	free(pfd);
}

static void parse_opts(struct logs_opts *o, int argc, char **argv)
{
	enum { OPT_SINCE = 256, OPT_UNTIL, OPT_TAIL };
	static const struct option longopts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "latest", no_argument, NULL, 'l' },
		{ "names", no_argument, NULL, 'n' },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "tail", required_argument, NULL, OPT_TAIL },
		{ "timestamps", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	o->tail = -1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":flnth", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			o->follow = true;
			break;
		case 'l':
			o->latest = true;
			break;
		case 'n':
			o->names = true;
			break;
		case 't':
			o->timestamps = true;
			break;
		case OPT_SINCE:
			o->since = parse_when(optarg, "--since");
			break;
		case OPT_UNTIL:
			o->until = parse_when(optarg, "--until");
			break;
		case OPT_TAIL:
			o->tail = strtol(optarg, &end, 10);
			if (*end || end == optarg || o->tail < -1)
				die_usage("invalid --tail '%s'", optarg);
			break;
		case 'h':
			applet_usage_exit("logs", AF_CMD);
		default:
			die_bad_option(ch, argv);
		}
	}
	if (o->latest && optind < argc)
		die_usage("--latest and chroot names cannot be used together");
	if (!o->latest && optind == argc)
		die_usage("logs requires at least one chroot name");
}

/* The chroots to read: the names given, or the latest created. */
static struct log_src *load_sources(const char *root, bool latest,
				    char **names, size_t *n)
{
	struct log_src *src;
	struct err e = ERR_INIT;

	if (latest) {
		struct chroot *list;
		size_t cnt;

		if (chroot_list(root, &list, &cnt, &e) < 0)
			die_err(&e);
		if (!cnt)
			die("no chroots");
		src = xcalloc(1, sizeof(*src));
		src->c = list[cnt - 1];
		for (size_t i = 0; i + 1 < cnt; i++)
			chroot_release(&list[i]);
		free(list);
		*n = 1;
	} else {
		*n = strv_len(names);
		src = xcalloc(*n, sizeof(*src));
		for (size_t i = 0; i < *n; i++)
			if (chroot_find(root, names[i], &src[i].c, &e) < 0)
				die_err(&e);
	}
	for (size_t i = 0; i < *n; i++) {
		src[i].fd = -1;
		src[i].bol[0] = src[i].bol[1] = true;
	}
	return src;
}

int logs_main(int argc, char **argv, struct gopts *g)
{
	struct logs_opts o = { 0 };
	struct log_src *src;
	char **prefix;
	size_t n;

	parse_opts(&o, argc, argv);
	src = load_sources(g->root, o.latest, argv + optind, &n);
	prefix = xcalloc(n, sizeof(*prefix));
	for (size_t i = 0; i < n; i++) {
		if (n > 1 || o.names)
			prefix[i] = src[i].c.cfg.name;
		set_tail(&o, &src[i]);
		drain(&o, &src[i], prefix[i], false);
	}
	if (o.follow)
		follow(&o, src, n, prefix);
	for (size_t i = 0; i < n; i++) {
		if (src[i].fd >= 0)
			close(src[i].fd);
		free(src[i].buf);
		chroot_release(&src[i].c);
	}
	free(src);
	free(prefix);
	return 0;
}
