// SPDX-License-Identifier: MIT
/*
 * ps: report a snapshot of the current processes, a small procps-
 * compatible subset for chroots and rescue systems without procps. Reads
 * only /proc, so inside a chroot's pid namespace it shows that namespace.
 *
 * Selection: the default (processes of the caller's effective user on
 * its terminal), -e/-A, BSD a and x, -p PID[,PID...]. Formats: the
 * default, -f, BSD (PID TTY STAT TIME COMMAND) and u, -o with procps's
 * column names and "name=HEADER". Widths follow procps-ng 4.
 *
 * TODO: -u/-g selection, the v BSD format, sorting.
 */
#include <errno.h>
#include <pwd.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "../core/applet.h"
#include "../core/format.h"
#include "../core/log.h"
#include "../core/proc.h"
#include "../core/util.h"

const char tool_ps_usage[] =
	"Usage: ps [-efA] [-o FORMAT] [-p PID[,PID...]] [ax]\n"
	"\n"
	"Report a snapshot of the current processes\n"
	"\n"
	"  -e, -A         all processes\n"
	"  -f             full format: UID PID PPID C STIME TTY TIME CMD\n"
	"  -o FORMAT      columns, e.g. pid,ppid,user,stat,etime,time,comm,args;\n"
	"                 name=HEADER sets a header (all empty: no header line)\n"
	"  -p PID         only these processes (comma-separated, repeatable)\n"
	"  a              BSD: processes of all users on a terminal\n"
	"  x              BSD: also processes without a terminal\n"
	"  u              BSD: user-oriented format\n"
	"  -h, --help     show this help\n";

/* What a column prints: everything needs the process and some context. */
struct ps_ctx {
	long hz;
	double uptime;
	int64_t boot;
	time_t now;
	int pidw;
	uint64_t mem_kb;	/* MemTotal */
};

enum col_kind {
	C_PID, C_PPID, C_PGID, C_SID, C_USER, C_UID, C_GID, C_GROUP, C_STAT,
	C_S, C_ETIME, C_ETIMES, C_TIME, C_BSDTIME, C_COMM, C_ARGS, C_TTY,
	C_NI, C_PRI, C_RSS, C_VSZ, C_C, C_STIME, C_NLWP, C_PCPU, C_PMEM,
};

struct col_def {
	const char *name;
	enum col_kind kind;
	const char *head;
	int width;		/* 0: the pid width */
	bool right;
};

static const struct col_def col_defs[] = {
	{ "args", C_ARGS, "COMMAND", 27, false },
	{ "bsdtime", C_BSDTIME, "TIME", 6, true },
	{ "c", C_C, "C", 2, true },
	{ "cmd", C_ARGS, "CMD", 27, false },
	{ "comm", C_COMM, "COMMAND", 15, false },
	{ "command", C_ARGS, "COMMAND", 27, false },
	{ "etime", C_ETIME, "ELAPSED", 11, true },
	{ "etimes", C_ETIMES, "ELAPSED", 7, true },
	{ "gid", C_GID, "GID", 5, true },
	{ "group", C_GROUP, "GROUP", 8, false },
	{ "ni", C_NI, "NI", 3, true },
	{ "nice", C_NI, "NI", 3, true },
	{ "nlwp", C_NLWP, "NLWP", 4, true },
	{ "pcpu", C_PCPU, "%CPU", 4, true },
	{ "pgid", C_PGID, "PGID", 0, true },
	{ "pid", C_PID, "PID", 0, true },
	{ "pmem", C_PMEM, "%MEM", 4, true },
	{ "ppid", C_PPID, "PPID", 0, true },
	{ "pri", C_PRI, "PRI", 3, true },
	{ "rss", C_RSS, "RSS", 5, true },
	{ "s", C_S, "S", 1, false },
	{ "sid", C_SID, "SID", 0, true },
	{ "start_time", C_STIME, "START", 5, false },
	{ "stat", C_STAT, "STAT", 4, false },
	{ "stime", C_STIME, "STIME", 5, false },
	{ "time", C_TIME, "TIME", 8, true },
	{ "tty", C_TTY, "TT", 8, false },
	{ "ucmd", C_COMM, "CMD", 15, false },
	{ "uid", C_UID, "UID", 5, true },
	{ "user", C_USER, "USER", 8, false },
	{ "vsz", C_VSZ, "VSZ", 6, true },
};

struct col {
	const struct col_def *def;
	char *head;
	int width;
};

struct ps_opts {
	bool all, bsd_a, bsd_x, full, bsd, bsd_u;
	struct col *cols;
	size_t ncols;
	pid_t *pids;
	size_t npids;
};

static void add_col(struct ps_opts *o, const char *spec, int pidw)
{
	const char *eq = strchr(spec, '=');
	size_t len = eq ? (size_t)(eq - spec) : strlen(spec);
	struct col *c;

	for (size_t i = 0; i < ARRAY_SIZE(col_defs); i++) {
		if (strlen(col_defs[i].name) != len ||
		    strncmp(col_defs[i].name, spec, len))
			continue;
		o->cols = xrealloc(o->cols, (o->ncols + 1) * sizeof(*o->cols));
		c = &o->cols[o->ncols++];
		c->def = &col_defs[i];
		c->head = xstrdup(eq ? eq + 1 : col_defs[i].head);
		c->width = col_defs[i].width ? col_defs[i].width : pidw;
		if ((int)strlen(c->head) > c->width)
			c->width = (int)strlen(c->head);
		return;
	}
	die_usage("unknown user-defined format specifier '%.*s'", (int)len,
		  spec);
}

/* "-o a,b=X,c": a header runs to the next comma. */
static void add_cols(struct ps_opts *o, const char *list, int pidw)
{
	char *s = xstrdup(list), *save = NULL;

	for (char *t = strtok_r(s, ", ", &save); t;
	     t = strtok_r(NULL, ", ", &save))
		add_col(o, t, pidw);
	free(s);
}

/* "pts/3", "tty1", "ttyS0" or "?". */
static char *tty_name(unsigned nr)
{
	unsigned maj = major(nr), min = minor(nr);

	if (!nr)
		return xstrdup("?");
	if (maj >= 136 && maj <= 143)
		return xasprintf("pts/%u", (maj - 136) * 256 + min);
	if (maj == 4 && min < 64)
		return xasprintf("tty%u", min);
	if (maj == 4)
		return xasprintf("ttyS%u", min - 64);
	return xstrdup("?");
}

/* A user name of at most 8 columns, as procps cuts them: "scatman+". */
static char *user_name(uid_t uid, bool cut)
{
	struct passwd *pw = getpwuid(uid);

	if (!pw)
		return xasprintf("%u", uid);
	if (cut && strlen(pw->pw_name) > 8)
		return xasprintf("%.7s+", pw->pw_name);
	return xstrdup(pw->pw_name);
}

static char *group_name(gid_t gid)
{
	struct group *gr = getgrgid(gid);

	if (!gr)
		return xasprintf("%u", gid);
	if (strlen(gr->gr_name) > 8)
		return xasprintf("%.7s+", gr->gr_name);
	return xstrdup(gr->gr_name);
}

/* "S", "Ss", "S<Ll+": the state and procps's flags, in its order. */
static char *stat_str(const struct proc_info *pi)
{
	char s[8], *p = s;

	*p++ = pi->state;
	if (pi->nice < 0)
		*p++ = '<';
	else if (pi->nice > 0)
		*p++ = 'N';
	if (pi->vm_lock)
		*p++ = 'L';
	if (pi->sid == pi->pid)
		*p++ = 's';
	if (pi->nlwp > 1)
		*p++ = 'l';
	if (pi->tty_nr && pi->pgrp == pi->tpgid)
		*p++ = '+';
	*p = '\0';
	return xstrdup(s);
}

/* "[[DD-]HH:]MM:SS" elapsed; "[DD-]HH:MM:SS" cpu time. */
static char *etime_str(long long t)
{
	if (t < 0)
		t = 0;
	if (t >= 86400)
		return xasprintf("%lld-%02lld:%02lld:%02lld", t / 86400,
				 t / 3600 % 24, t / 60 % 60, t % 60);
	if (t >= 3600)
		return xasprintf("%02lld:%02lld:%02lld", t / 3600, t / 60 % 60,
				 t % 60);
	return xasprintf("%02lld:%02lld", t / 60, t % 60);
}

static char *cputime_str(long long t)
{
	if (t >= 86400)
		return xasprintf("%lld-%02lld:%02lld:%02lld", t / 86400,
				 t / 3600 % 24, t / 60 % 60, t % 60);
	return xasprintf("%02lld:%02lld:%02lld", t / 3600, t / 60 % 60, t % 60);
}

/* "HH:MM" today, "MonDD" this year, else the year. */
static char *stime_str(const struct ps_ctx *x, const struct proc_info *pi)
{
	time_t t = (time_t)(x->boot + (int64_t)(pi->start / x->hz));
	struct tm now, tm;
	char buf[16];

	localtime_r(&x->now, &now);
	localtime_r(&t, &tm);
	if (tm.tm_year != now.tm_year)
		strftime(buf, sizeof(buf), "%Y", &tm);
	else if (tm.tm_yday != now.tm_yday)
		strftime(buf, sizeof(buf), "%b%d", &tm);
	else
		strftime(buf, sizeof(buf), "%H:%M", &tm);
	return xstrdup(buf);
}

static long long elapsed(const struct ps_ctx *x, const struct proc_info *pi)
{
	return (long long)(x->uptime - (double)pi->start / x->hz);
}

/* procps's C: cpu time over elapsed time, in percent, at most 99. */
static long long cpu_percent(const struct ps_ctx *x,
			     const struct proc_info *pi)
{
	double secs = x->uptime - (double)pi->start / x->hz;
	long long pct;

	if (secs <= 0)
		return 0;
	pct = (long long)((double)(pi->utime + pi->stime) / x->hz * 100 /
			  secs);
	return pct > 99 ? 99 : pct;
}

/* %CPU and %MEM in tenths, cut rather than rounded as procps does. */
static char *pcpu_str(const struct ps_ctx *x, const struct proc_info *pi)
{
	long long secs = (long long)(x->uptime - (double)pi->start / x->hz);
	unsigned long long t = 0;

	if (secs > 0)
		t = (pi->utime + pi->stime) * 1000ULL / (unsigned long long)x->hz /
		    (unsigned long long)secs;
	if (t > 999)
		return xasprintf("%llu", t / 10);
	return xasprintf("%llu.%llu", t / 10, t % 10);
}

static char *pmem_str(const struct ps_ctx *x, const struct proc_info *pi)
{
	unsigned long long t = x->mem_kb ? pi->rss_kb * 1000ULL / x->mem_kb : 0;

	return xasprintf("%llu.%llu", t / 10, t % 10);
}

/* Command text is the process's own: non-printable characters become
 * '?', as procps shows them. */
static char *args_str(const struct proc_info *pi)
{
	char *raw, *safe;

	raw = *pi->args ? xstrdup(pi->args) : xasprintf("[%s]", pi->comm);
	safe = fmt_sanitize(raw);
	free(raw);
	return safe;
}

static char *col_value(const struct ps_ctx *x, const struct col *c,
		       const struct proc_info *pi)
{
	long long cpu = (long long)((pi->utime + pi->stime) / x->hz);

	switch (c->def->kind) {
	case C_PID: return xasprintf("%d", (int)pi->pid);
	case C_PPID: return xasprintf("%d", (int)pi->ppid);
	case C_PGID: return xasprintf("%d", (int)pi->pgrp);
	case C_SID: return xasprintf("%d", (int)pi->sid);
	case C_USER: return user_name(pi->euid, true);
	case C_UID: return xasprintf("%u", pi->euid);
	case C_GID: return xasprintf("%u", pi->egid);
	case C_GROUP: return group_name(pi->egid);
	case C_STAT: return stat_str(pi);
	case C_S: return xasprintf("%c", pi->state);
	case C_ETIME: return etime_str(elapsed(x, pi));
	case C_ETIMES: return xasprintf("%lld", elapsed(x, pi));
	case C_TIME: return cputime_str(cpu);
	case C_BSDTIME: return xasprintf("%lld:%02lld", cpu / 60, cpu % 60);
	case C_COMM: return fmt_sanitize(pi->comm);
	case C_ARGS: return args_str(pi);
	case C_TTY: return tty_name(pi->tty_nr);
	case C_NI: return xasprintf("%ld", pi->nice);
	case C_PRI: return xasprintf("%ld", 39 - pi->priority);
	case C_RSS: return xasprintf("%llu", (unsigned long long)pi->rss_kb);
	case C_VSZ: return xasprintf("%llu",
				     (unsigned long long)pi->vsize / 1024);
	case C_C: return xasprintf("%lld", cpu_percent(x, pi));
	case C_STIME: return stime_str(x, pi);
	case C_NLWP: return xasprintf("%ld", pi->nlwp);
	case C_PCPU: return pcpu_str(x, pi);
	case C_PMEM: return pmem_str(x, pi);
	}
	return xstrdup("-");
}

/* Prints v cut to width characters (never inside a UTF-8 sequence) and
 * padded to width. */
static void put_cut(const char *v, int width)
{
	char *s = xstrdup(v);
	int chars = 0;

	fmt_trunc(s, (size_t)width);
	for (const char *p = s; *p; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	printf("%s%*s", s, width - chars, "");
	free(s);
}

/* Prints one cell: padded to its width except a left-aligned last one;
 * commands are cut to the width unless last. */
static void put_cell(const struct col *c, char *v, bool last)
{
	bool cut = c->def->kind == C_ARGS || c->def->kind == C_COMM;

	if (c->def->right)
		printf("%*s", c->width, v);
	else if (last)
		fputs(v, stdout);
	else if (cut)
		put_cut(v, c->width);
	else
		printf("%-*s", c->width, v);
	putchar(last ? '\n' : ' ');
}

static void print_header(const struct ps_opts *o)
{
	bool any = false;

	for (size_t i = 0; i < o->ncols; i++)
		any |= *o->cols[i].head != '\0';
	if (!any)
		return;
	for (size_t i = 0; i < o->ncols; i++)
		put_cell(&o->cols[i], o->cols[i].head, i + 1 == o->ncols);
}

static bool selected(const struct ps_opts *o, const struct proc_info *pi,
		     uid_t euid, unsigned tty)
{
	/* as procps: selections add up; -p alone shows only its pids */
	for (size_t i = 0; i < o->npids; i++)
		if (o->pids[i] == pi->pid)
			return true;
	if (o->npids && !o->all && !o->bsd_a && !o->bsd_x)
		return false;
	if (o->all || (o->bsd_a && o->bsd_x))
		return true;
	if (o->bsd_a)
		return pi->tty_nr != 0;
	if (o->bsd_x)
		return pi->euid == euid;
	return pi->euid == euid && pi->tty_nr == tty;
}

/* The caller's controlling terminal, from its own stat. */
static unsigned own_tty(void)
{
	struct proc_info me;
	unsigned tty = 0;

	if (proc_info_read(getpid(), &me) == 0) {
		tty = me.tty_nr;
		proc_info_release(&me);
	}
	return tty;
}

static int list(const struct ps_opts *o, const struct ps_ctx *x)
{
	unsigned tty = own_tty();
	uid_t euid = geteuid();
	size_t n, shown = 0;
	pid_t *pids = proc_pids(&n);

	print_header(o);
	for (size_t i = 0; i < n; i++) {
		struct proc_info pi;

		if (proc_info_read(pids[i], &pi) < 0)
			continue;
		if (selected(o, &pi, euid, tty)) {
			for (size_t c = 0; c < o->ncols; c++) {
				char *v = col_value(x, &o->cols[c], &pi);

				put_cell(&o->cols[c], v, c + 1 == o->ncols);
				free(v);
			}
			shown++;
		}
		proc_info_release(&pi);
	}
	free(pids);
	/* procps: 1 when a selection by pid found nothing */
	return o->npids && !shown ? 1 : 0;
}

static void add_pids(struct ps_opts *o, const char *list)
{
	char *s = xstrdup(list), *save = NULL, *end;

	for (char *t = strtok_r(s, ", ", &save); t;
	     t = strtok_r(NULL, ", ", &save)) {
		long v = strtol(t, &end, 10);

		if (*end || v <= 0 || v > 0x7fffffff)
			die_usage("process ID list syntax error");
		o->pids = xrealloc(o->pids, (o->npids + 1) * sizeof(pid_t));
		o->pids[o->npids++] = (pid_t)v;
	}
	free(s);
}

/* BSD options: a word without a dash, such as "ax" or "axww". */
static void parse_bsd(struct ps_opts *o, const char *w)
{
	o->bsd = true;
	for (; *w; w++) {
		if (*w == 'a')
			o->bsd_a = true;
		else if (*w == 'x')
			o->bsd_x = true;
		else if (*w == 'u')
			o->bsd_u = true;
		else if (*w != 'w')
			die_usage("unsupported option (BSD syntax) '%c'", *w);
	}
}

static uint64_t mem_total(void)
{
	struct err e = ERR_INIT;
	char *s = file_read("/proc/meminfo", 1 << 16, NULL, &e);
	unsigned long long kb = 0;

	if (s && sscanf(s, "MemTotal: %llu", &kb) != 1)
		kb = 0;
	free(s);
	return kb;
}

static int pid_width(void)
{
	struct err e = ERR_INIT;
	char *s = file_read("/proc/sys/kernel/pid_max", 64, NULL, &e);
	int w = s ? (int)strlen(s) - (s[strlen(s) - 1] == '\n') : 5;

	free(s);
	return w < 5 ? 5 : w;
}

static void parse_args(struct ps_opts *o, int argc, char **argv, int pidw)
{
	const char *fmt = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			applet_usage_exit("ps", AF_TOOL);
		if (a[0] != '-') {
			parse_bsd(o, a);
			continue;
		}
		if (a[1] == '-')	/* no long options beyond --help */
			die_usage("unknown option '%.*s'",
				  (int)strcspn(a, "="), a);
		for (const char *p = a + 1; *p; p++) {
			if (*p == 'e' || *p == 'A') {
				o->all = true;
			} else if (*p == 'f') {
				o->full = true;
			} else if (*p == 'o' || *p == 'p') {
				const char *v = p[1] ? p + 1 : argv[++i];

				if (!v)
					die_usage("option -%c needs an argument",
						  *p);
				if (*p == 'o')
					add_cols(o, v, pidw);
				else
					add_pids(o, v);
				fmt = *p == 'o' ? v : fmt;
				break;
			} else {
				die_usage("unsupported option '-%c'", *p);
			}
		}
	}
	if (o->ncols)
		return;
	if (o->full)
		add_cols(o, "user=UID,pid,ppid,c,stime,tty=TTY,time,cmd", pidw);
	else if (o->bsd_u)
		add_cols(o, "user,pid,pcpu,pmem,vsz,rss,tty=TTY,stat,"
			 "start_time,bsdtime,args", pidw);
	else if (o->bsd)
		add_cols(o, "pid,tty=TTY,stat,bsdtime,args", pidw);
	else
		add_cols(o, "pid,tty=TTY,time,ucmd", pidw);
}

int tool_ps_main(int argc, char **argv, struct gopts *g)
{
	struct ps_opts o = { 0 };
	struct ps_ctx x;
	int r;

	log_set_exit_code(1);
	x.pidw = pid_width();
	x.hz = sysconf(_SC_CLK_TCK);
	if (x.hz <= 0)
		x.hz = 100;
	x.uptime = proc_uptime();
	x.boot = proc_boot_time();
	x.now = time(NULL);
	x.mem_kb = mem_total();
	parse_args(&o, argc, argv, x.pidw);
	r = list(&o, &x);
	for (size_t i = 0; i < o.ncols; i++)
		free(o.cols[i].head);
	free(o.cols);
	free(o.pids);
	if (fflush(stdout) != 0)
		return 1;
	return r;
}
