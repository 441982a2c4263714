/* SPDX-License-Identifier: MIT */
/*
 * nsenter: run a program in the namespaces of other processes; a small
 * util-linux-compatible nsenter(1).
 *
 * As in util-linux, the namespace files and the -r and -w directories are
 * all opened before the first setns(2), the user namespace is entered
 * first, and a pid namespace is entered by forking.
 * Deviations: no --wdns, --env, --join-cgroup or SELinux options; --all
 * skips every namespace the caller already shares, where util-linux 2.38
 * skips only the user namespace and then fails, as an unprivileged user,
 * to re-enter its own cgroup or network namespace from inside the
 * target's user namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/applet.h"
#include "../core/log.h"
#include "../core/ns.h"
#include "../core/util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const char nsenter_usage[] =
	"Usage: nsenter [options] [<program> [<argument>...]]\n"
	"\n"
	"Run a program with namespaces of other processes.\n"
	"\n"
	"Options:\n"
	" -a, --all              enter all namespaces\n"
	" -t, --target <pid>     target process to get namespaces from\n"
	" -m, --mount[=<file>]   enter mount namespace\n"
	" -u, --uts[=<file>]     enter UTS namespace (hostname etc)\n"
	" -i, --ipc[=<file>]     enter System V IPC namespace\n"
	" -n, --net[=<file>]     enter network namespace\n"
	" -p, --pid[=<file>]     enter pid namespace\n"
	" -C, --cgroup[=<file>]  enter cgroup namespace\n"
	" -U, --user[=<file>]    enter user namespace\n"
	" -T, --time[=<file>]    enter time namespace\n"
	" -S, --setuid <uid>     set uid in entered namespace\n"
	" -G, --setgid <gid>     set gid in entered namespace\n"
	"     --preserve-credentials do not touch uids or gids\n"
	" -r, --root[=<dir>]     set the root directory\n"
	" -w, --wd[=<dir>]       set the working directory\n"
	" -F, --no-fork          do not fork before exec'ing <program>\n"
	"\n"
	" -h, --help             display this help\n";

/* In util-linux's order: the user namespace first, mount late. */
static const struct {
	int opt;
	int type;
	const char *name;
} nstab[] = {
	{ 'U', CLONE_NEWUSER, "user" }, { 'C', CLONE_NEWCGROUP, "cgroup" },
	{ 'i', CLONE_NEWIPC, "ipc" }, { 'u', CLONE_NEWUTS, "uts" },
	{ 'n', CLONE_NEWNET, "net" }, { 'p', CLONE_NEWPID, "pid" },
	{ 'm', CLONE_NEWNS, "mnt" }, { 'T', CLONE_NEWTIME, "time" },
};
#define NS_COUNT (sizeof(nstab) / sizeof(nstab[0]))

struct nsenter_opts {
	pid_t target;
	bool all, no_fork, preserve;
	bool want[NS_COUNT];
	const char *file[NS_COUNT];
	bool root, wd;
	const char *root_dir, *wd_dir;
	long long uid, gid;	/* -1: not given */
	int fd[NS_COUNT];
	int root_fd, wd_fd;
};

static int ns_index(int opt)
{
	for (size_t i = 0; i < NS_COUNT; i++)
		if (nstab[i].opt == opt)
			return (int)i;
	return -1;
}

/* Ids are 0..2^32-2 (-1 is "no id"); pids 1..INT_MAX (one past pid_max
 * is refused by the kernel as util-linux reports it: no such process). */
static long long parse_id(const char *s, const char *what)
{
	bool pid = !strcmp(what, "pid");
	long long v;

	if (!str_to_num(s, pid, pid ? INT_MAX : 4294967294LL, &v))
		die("failed to parse %s: '%s'", what, s);
	return v;
}

/* getopt's messages as glibc words them (util-linux uses glibc's), the
 * same with musl. */
static void bad_option(int ch, int argc, char **argv)
{
	/* musl leaves optind past argc after a missing argument */
	int i = optind > argc ? argc : optind;
	const char *arg = i > 0 ? argv[i - 1] : "";

	if (ch == ':' && !strncmp(arg, "--", 2))
		fprintf(stderr, "nsenter: option '%.*s' requires an argument\n",
			(int)strcspn(arg, "="), arg);
	else if (ch == ':')
		fprintf(stderr, "nsenter: option requires an argument -- '%c'\n",
			optopt);
	else if (optopt)
		fprintf(stderr, "nsenter: invalid option -- '%c'\n", optopt);
	else
		fprintf(stderr, "nsenter: unrecognized option '%s'\n", arg);
	fprintf(stderr, "Try 'nsenter --help' for more information.\n");
	exit(1);
}

static void nsenter_parse(int argc, char **argv, struct nsenter_opts *o)
{
	enum { OPT_PRESERVE = 256 };
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "target", required_argument, NULL, 't' },
		{ "mount", optional_argument, NULL, 'm' },
		{ "uts", optional_argument, NULL, 'u' },
		{ "ipc", optional_argument, NULL, 'i' },
		{ "net", optional_argument, NULL, 'n' },
		{ "pid", optional_argument, NULL, 'p' },
		{ "cgroup", optional_argument, NULL, 'C' },
		{ "user", optional_argument, NULL, 'U' },
		{ "time", optional_argument, NULL, 'T' },
		{ "setuid", required_argument, NULL, 'S' },
		{ "setgid", required_argument, NULL, 'G' },
		{ "preserve-credentials", no_argument, NULL, OPT_PRESERVE },
		{ "root", optional_argument, NULL, 'r' },
		{ "wd", optional_argument, NULL, 'w' },
		{ "no-fork", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, i;

	while ((ch = getopt_long(argc, argv, "+:at:m::u::i::n::p::C::U::T::S:G:r::w::Fh",
				 longopts, NULL)) != -1) {
		if ((i = ns_index(ch)) >= 0) {
			o->want[i] = true;
			o->file[i] = optarg;
			continue;
		}
		switch (ch) {
		case 'a': o->all = true; break;
		case 't': o->target = (pid_t)parse_id(optarg, "pid"); break;
		case 'S': o->uid = parse_id(optarg, "uid"); break;
		case 'G': o->gid = parse_id(optarg, "gid"); break;
		case OPT_PRESERVE: o->preserve = true; break;
		case 'r': o->root = true; o->root_dir = optarg; break;
		case 'w': o->wd = true; o->wd_dir = optarg; break;
		case 'F': o->no_fork = true; break;
		case 'h': applet_usage_exit("nsenter", AF_TOOL);
		default: bad_option(ch, argc, argv);
		}
	}
}

/* Whether the target's namespace i is the caller's own. */
static bool same_ns(const struct nsenter_opts *o, size_t i)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)o->target,
		 nstab[i].name);
	if (stat(path, &a) < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/self/ns/%s", nstab[i].name);
	return stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static int open_target(const struct nsenter_opts *o, const char *file,
		       const char *what)
{
	char path[64];
	int fd;

	if (!file) {
		if (!o->target)
			die("neither filename nor target pid supplied for %s",
			    what);
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)o->target,
			 what);
		file = path;
	}
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("cannot open %s", file);
	return fd;
}

/* Opens every namespace file and directory before entering any. */
static void open_all(struct nsenter_opts *o)
{
	char what[32];

	for (size_t i = 0; i < NS_COUNT; i++) {
		o->fd[i] = -1;
		if (o->all && !o->want[i] && o->target) {
			snprintf(what, sizeof(what), "/proc/%d/ns/%s",
				 (int)o->target, nstab[i].name);
			if (access(what, F_OK) < 0)
				die_errno("stat of %s failed", what);
			if (same_ns(o, i))
				continue;
			o->want[i] = true;
		}
		if (!o->want[i])
			continue;
		snprintf(what, sizeof(what), "ns/%s", nstab[i].name);
		o->fd[i] = open_target(o, o->file[i], what);
	}
	o->root_fd = o->root ? open_target(o, o->root_dir, "root") : -1;
	o->wd_fd = o->wd ? open_target(o, o->wd_dir, "cwd") : -1;
}

static void enter_all(struct nsenter_opts *o)
{
	struct err err = ERR_INIT;
	char what[32];

	for (size_t i = 0; i < NS_COUNT; i++) {
		if (o->fd[i] < 0)
			continue;
		snprintf(what, sizeof(what), "ns/%s", nstab[i].name);
		if (ns_join_fd(o->fd[i], nstab[i].type, what, &err) < 0)
			die_err(&err);
		close(o->fd[i]);
	}
	if (o->root_fd >= 0) {
		if (fchdir(o->root_fd) < 0 || chroot(".") < 0)
			die_errno("cannot change root directory");
		close(o->root_fd);
	}
	if (o->wd_fd >= 0) {
		if (fchdir(o->wd_fd) < 0)
			die_errno("cannot change directory");
		close(o->wd_fd);
	}
}

/* In a user namespace the ids become 0 (or -S/-G) unless preserved. */
static void set_credentials(const struct nsenter_opts *o, bool userns)
{
	gid_t gid = o->gid >= 0 ? (gid_t)o->gid : 0;
	uid_t uid = o->uid >= 0 ? (uid_t)o->uid : 0;

	if (o->preserve || (!userns && o->uid < 0 && o->gid < 0))
		return;
	if (userns || o->gid >= 0) {
		if (setgroups(0, NULL) < 0 && errno != EPERM)
			die_errno("setgroups failed");
		if (setgid(gid) < 0)
			die_errno("setgid failed");
	}
	if ((userns || o->uid >= 0) && setuid(uid) < 0)
		die_errno("setuid failed");
}

/* After entering a pid namespace: the program runs in a child; exit as
 * it did. */
static void fork_and_wait(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die_errno("fork failed");
	if (pid == 0)
		return;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid failed");
	if (WIFEXITED(status))
		exit(WEXITSTATUS(status));
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		kill(getpid(), WTERMSIG(status));
	}
	exit(1);
}

int nsenter_main(int argc, char **argv, struct gopts *g)
{
	struct nsenter_opts o = { .uid = -1, .gid = -1 };
	int user = ns_index('U'), pid = ns_index('p');
	const char *shell;

	log_set_exit_code(1);
	nsenter_parse(argc, argv, &o);
	if (o.all && !o.target)
		die("no target PID specified for --all");
	open_all(&o);
	enter_all(&o);
	set_credentials(&o, o.want[user]);
	if (o.want[pid] && !o.no_fork)
		fork_and_wait();
	if (optind < argc) {
		execvp(argv[optind], argv + optind);
		log_set_exit_code(errno == ENOENT ? 127 : 126);
		die_errno("failed to execute %s", argv[optind]);
	}
	shell = getenv("SHELL");
	if (!shell || !*shell)
		shell = "/bin/sh";
	execl(shell, shell, "-i", (char *)NULL);
	log_set_exit_code(errno == ENOENT ? 127 : 126);
	die_errno("failed to execute %s", shell);
}
