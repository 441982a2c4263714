/* SPDX-License-Identifier: MIT */
/*
 * exec: run a process in a running chroot.
 *
 * The fast path: read the chroot's record, join its namespaces with one
 * setns(2) on a pidfd of its init (user namespace first), fork into the
 * pid namespace and exec. Nothing else runs in between.
 * This process is non-dumpable once inside, so nothing in the chroot can
 * reach the host's binary through /proc/PID/exe. Without -t the command
 * gets a session of its own, so it cannot push input into the caller's
 * terminal (TIOCSTI).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/applet.h"
#include "../core/chroot.h"
#include "../core/envfile.h"
#include "../core/log.h"
#include "../core/ns.h"
#include "../core/proc.h"
#include "../core/pty.h"
#include "../core/supervise.h"
#include "../core/util.h"

const char exec_usage[] =
	"Usage: scatman exec [options] CHROOT COMMAND [ARG...]\n"
	"\n"
	"Run a process in a running chroot: its user, mount, pid, ipc, uts\n"
	"(and, when private, network) namespaces are joined.\n"
	"\n"
	"Options:\n"
	"  -d, --detach            run the command in the background\n"
	"  -e, --env KEY=VALUE     set an environment variable (KEY alone: the\n"
	"                          caller's value)\n"
	"      --env-file FILE     read KEY=VALUE lines from FILE\n"
	"  -i, --interactive       pass stdin to the command\n"
	"      --preserve-fds N    pass descriptors 3 to 3+N-1 on too\n"
	"  -t, --tty               allocate a terminal in the chroot (detach\n"
	"                          with ctrl-p ctrl-q)\n"
	"  -u, --user USER[:GROUP] user (name or id, looked up in the chroot)\n"
	"  -w, --workdir DIR       working directory inside the chroot\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: the command's; 125 for an error of scatman, 126 when\n"
	"the command cannot be run, 127 when it is not found.\n";

struct exec_opts {
	bool detach, interactive, tty;
	int preserve_fds;
	const char *user, *workdir;
	char **env;		/* -e and --env-file, in order */
};

/* "K=V" as given; "K" takes the caller's value, or is dropped. */
static char **env_add(char **env, const char *kv)
{
	const char *v;

	if (strchr(kv, '='))
		return strv_append(env, kv);
	v = getenv(kv);
	if (v) {
		char *s = xasprintf("%s=%s", kv, v);

		env = strv_append(env, s);
		free(s);
	}
	return env;
}

static char **env_file(char **env, const char *path)
{
	struct err err = ERR_INIT;
	char **lines = envfile_read(path, &err);

	if (!lines)
		die_err(&err);
	for (size_t i = 0; lines[i]; i++)
		env = env_add(env, lines[i]);
	strv_free(lines);
	return env;
}

/* Whether the key of kv is set again in v. */
static bool key_in(const char *kv, char *const *v)
{
	size_t n = strcspn(kv, "=");

	for (; v && *v; v++)
		if (!strncmp(*v, kv, n) && (*v)[n] == '=')
			return true;
	return false;
}

/* The chroot's environment with the additions; a later key wins. */
static char **env_merge(char *const *base, char *const *add)
{
	char **env = NULL;

	for (; base && *base; base++)
		if (!key_in(*base, add))
			env = strv_append(env, *base);
	for (; add && *add; add++)
		if (!key_in(*add, add + 1))
			env = strv_append(env, *add);
	return env;
}

static int exec_parse(int argc, char **argv, struct exec_opts *o)
{
	enum { OPT_ENV_FILE = 256, OPT_PRESERVE_FDS };
	static const struct option longopts[] = {
		{ "detach", no_argument, NULL, 'd' },
		{ "env", required_argument, NULL, 'e' },
		{ "env-file", required_argument, NULL, OPT_ENV_FILE },
		{ "interactive", no_argument, NULL, 'i' },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
		{ "tty", no_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'u' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long long n;
	int ch;

	while ((ch = getopt_long(argc, argv, "+:de:itu:w:h", longopts,
				 NULL)) != -1) {
		switch (ch) {
		case 'd': o->detach = true; break;
		case 'e': o->env = env_add(o->env, optarg); break;
		case OPT_ENV_FILE: o->env = env_file(o->env, optarg); break;
		case 'i': o->interactive = true; break;
		case OPT_PRESERVE_FDS:
			if (!str_to_num(optarg, 0, 1024, &n))
				die_usage("invalid --preserve-fds '%s'", optarg);
			o->preserve_fds = (int)n;
			break;
		case 't': o->tty = true; break;
		case 'u': o->user = optarg; break;
		case 'w': o->workdir = optarg; break;
		case 'h': applet_usage_exit("exec", AF_CMD);
		default: die_bad_option(ch, argv);
		}
	}
	if (argc - optind < 2)
		die_usage("requires at least 2 arguments");
	if (o->workdir && o->workdir[0] != '/')
		die_usage("workdir '%s' must be an absolute path", o->workdir);
	return optind;
}

/* What the child needs; it shares this process's memory until it execs. */
struct child_args {
	const struct proc_spec *spec;
	const struct exec_opts *o;
	int slave;
	const sigset_t *old;
};

/*
 * The command, in the child: never returns. It runs in this process's
 * memory (CLONE_VM | CLONE_VFORK, as posix_spawn does) while the parent
 * waits, so it only leaves with _exit(2), never exit(3).
 */
static int exec_child(void *arg)
{
	const struct child_args *a = arg;
	struct err err = ERR_INIT;
	int code = EXIT_ERR;

	sigprocmask(SIG_SETMASK, a->old, NULL);
	setsid();
	if (a->slave >= 0) {
		if (pty_make_controlling(a->slave) < 0) {
			log_error("setting up the terminal: %s", strerror(errno));
			_exit(EXIT_ERR);
		}
	} else if (!a->o->interactive) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, 0) < 0) {
			log_error("opening '/dev/null': %s", strerror(errno));
			_exit(EXIT_ERR);
		}
		close(null);
	}
	code = proc_spec_exec(a->spec, &err);
	log_error("%s", err.msg);
	_exit(code);
}

#define CHILD_STACK (256 << 10)

/*
 * Starts the child without copying this process's page tables: a
 * dynamically linked scatman maps dozens of libraries, and fork(2) would
 * cost more than everything else exec does. Falls back to fork.
 */
static pid_t spawn(struct child_args *a)
{
	char *stack;
	pid_t pid;

	stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack != MAP_FAILED) {
		pid = clone(exec_child, stack + CHILD_STACK,
			    CLONE_VM | CLONE_VFORK | SIGCHLD, a);
		munmap(stack, CHILD_STACK);
		if (pid > 0)
			return pid;
	}
	pid = fork();
	if (pid == 0)
		exec_child(a);
	return pid;
}

static int status_code(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status)
				   : WEXITSTATUS(status);
}

/* Waits for the child, passing the caller's signals on to it. */
static int wait_plain(pid_t pid, int sigfd)
{
	struct signalfd_siginfo si;
	int status;

	for (;;) {
		pid_t p = waitpid(pid, &status, WNOHANG);

		if (p == pid)
			return status_code(status);
		if (p < 0 && errno != EINTR)
			die_errno("waiting for the command");
		if (read(sigfd, &si, sizeof(si)) == sizeof(si) &&
		    si.ssi_signo != SIGCHLD && si.ssi_signo != SIGWINCH)
			kill(pid, (int)si.ssi_signo);
	}
}

static int wait_tty(pid_t pid, int master, int sigfd, bool interactive)
{
	struct pty_proxy p = {
		.in_fd = interactive ? 0 : -1, .in_dst = master,
		.out_src = master, .out_fd = 1, .winsize_dst = master,
		.sigfd = sigfd, .child = pid, .detach_keys = true,
		.child_status = -1,
	};
	struct err err = ERR_INIT;
	struct pty_saved saved;
	int r;

	pty_raw(0, &saved);
	r = pty_proxy_run(&p, &err);
	pty_restore(0, &saved);
	if (r < 0)
		die_err(&err);
	if (r > 0)
		return 0;	/* detached: the command goes on */
	if (p.child_status == -1)
		while (waitpid(pid, &p.child_status, 0) < 0)
			if (errno != EINTR)
				die_errno("waiting for the command");
	return status_code(p.child_status);
}

static int block_signals(sigset_t *old)
{
	static const int sigs[] = {
		SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,
		SIGWINCH, SIGCHLD,
	};
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, old);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static void die_not_running(const struct chroot *c)
{
	die("can only create exec sessions on running chroots: "
	    "chroot '%s' is not running", c->cfg.name);
}

/* Joins c's namespaces; returns with this process inside. */
static void enter(struct chroot *c)
{
	struct err err = ERR_INIT;
	pid_t pid = 0;
	int fd;

	if (chroot_is_running(c))
		pid = supervise_main_pid(c->st.pid);
	if (pid <= 0)
		die_not_running(c);
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	/* The pidfd pins the process; it is the one if init, checked by
	 * its start time, still has it as its child. */
	if (fd < 0 || supervise_main_pid(c->st.pid) != pid ||
	    !proc_is_alive(c->st.pid, c->st.pid_start))
		die_not_running(c);
	prctl(PR_SET_DUMPABLE, 0);
	if (ns_join_fd(fd, supervise_ns_flags(&c->cfg), c->cfg.name,
		       &err) < 0)
		die_err(&err);
	close(fd);
}

int exec_main(int argc, char **argv, struct gopts *g)
{
	struct exec_opts o = { 0 };
	int i = exec_parse(argc, argv, &o), master = -1, slave = -1, sigfd;
	struct err err = ERR_INIT;
	struct child_args args;
	struct proc_spec spec;
	struct chroot c;
	sigset_t old;
	pid_t pid;

	if (chroot_find(g->root, argv[i], &c, &err) < 0)
		die_err(&err);
	enter(&c);
	spec = (struct proc_spec){
		.argv = argv + i + 1, .env = env_merge(c.cfg.env, o.env),
		.user = o.user ? o.user : c.cfg.user,
		.workdir = o.workdir ? o.workdir : c.cfg.workdir,
		.tty = o.tty, .preserve_fds = o.preserve_fds,
	};
	if (o.tty) {
		if (pty_open_pair(&master, &slave, &err) < 0)
			die_err(&err);
		pty_copy_winsize(1, master);
	}
	sigfd = block_signals(&old);
	args = (struct child_args){ &spec, &o, slave, &old };
	pid = spawn(&args);
	if (pid < 0)
		die_errno("cannot fork");
	if (slave >= 0)
		close(slave);
	/* Cleanup of the chroot record is left to process exit. */
	if (o.detach)
		return 0;
	if (o.tty)
		return wait_tty(pid, master, sigfd, o.interactive);
	return wait_plain(pid, sigfd);
}
