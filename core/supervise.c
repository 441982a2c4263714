/* SPDX-License-Identifier: MIT */
/*
 * The supervisor and the init of a running chroot.
 *
 *   start ──fork──► supervisor ──clone3(NEWUSER|NEWNS|NEWPID|...)──► init
 *                   state.json, log              mounts, pivot_root,
 *                   id maps, output relay        main process, reaping,
 *                                                signal forwarding
 *
 * The supervisor writes the id maps of init, tells it to go on, records
 * the state and turns the main process's output into log records. init
 * (pid 1 of the chroot) dies with the supervisor (PR_SET_PDEATHSIG), so a
 * killed supervisor never leaves a chroot running that reads as exited.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <sched.h>
#include <unistd.h>

#include "log.h"
#include "ns.h"
#include "proc.h"
#include "pty.h"
#include "supervise.h"
#include "userinfo.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* One message between init, the supervisor and start. */
struct sv_msg {
	int code;
	pid_t pid;
	char text[512];
};

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

int signal_parse(const char *s)
{
	char *end;
	long n;

	if (*s >= '0' && *s <= '9') {
		n = strtol(s, &end, 10);
		return *end || n < 1 || n > 64 ? -1 : (int)n;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (!strcasecmp(s, signals[i].name))
			return signals[i].sig;
	return -1;
}

int supervise_wait_gone(pid_t pid, uint64_t start, int timeout_ms)
{
	struct pollfd pf;
	int fd, r;

	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0 || !proc_is_alive(pid, start)) {
		if (fd >= 0)
			close(fd);
		return 1;
	}
	pf.fd = fd;
	pf.events = POLLIN;
	do
		r = poll(&pf, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	close(fd);
	return r > 0 ? 1 : 0;
}

/* Sends m (and fd when >= 0) as one record on the socket. */
static int msg_send(int sock, const struct sv_msg *m, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)m, sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)sizeof(*m) ? 0
									: -1;
}

/* Receives a record; *fd gets a passed descriptor or -1. Returns 0, or -1
 * at end of stream or on error. */
static int msg_recv(int sock, struct sv_msg *m, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { m, sizeof(*m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	ssize_t r;

	*fd = -1;
	do
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r != (ssize_t)sizeof(*m))
		return -1;
	m->text[sizeof(m->text) - 1] = '\0';
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return 0;
}

static void msg_set(struct sv_msg *m, int code, const char *text)
{
	memset(m, 0, sizeof(*m));
	m->code = code;
	snprintf(m->text, sizeof(m->text), "%s", text);
}

static bool env_has(char *const *env, const char *key)
{
	size_t n = strlen(key);

	for (; env && *env; env++)
		if (!strncmp(*env, key, n) && (*env)[n] == '=')
			return true;
	return false;
}

static char **spec_env(const struct proc_spec *spec, const char *home)
{
	char **env = strv_dup(spec->env), *s;

	if (!env_has(env, "PATH"))
		env = strv_append(env, "PATH=" DEFAULT_PATH);
	if (!env_has(env, "HOME")) {
		s = xasprintf("HOME=%s", home);
		env = strv_append(env, s);
		free(s);
	}
	if (spec->tty && !env_has(env, "TERM"))
		env = strv_append(env, "TERM=xterm");
	if (!env_has(env, "container"))
		env = strv_append(env, "container=scatman");
	return env;
}

static int id_error(struct err *err, const char *kind, unsigned id)
{
	if (errno == EINVAL)
		return err_set(err, 0,
			       "%s %u is outside the chroot's id map (see /etc/sub%s)",
			       kind, id, kind);
	return err_set(err, errno, "setting %s %u", kind, id);
}

static int become_user(const struct userinfo *ui, struct err *err)
{
	/* Denied in a user namespace written without newgidmap: then the
	 * process has no supplementary groups to drop anyway. */
	if (setgroups(ui->ngroups, ui->groups) < 0 && errno != EPERM)
		return err_set(err, errno, "setting supplementary groups");
	if (setresgid(ui->gid, ui->gid, ui->gid) < 0)
		return id_error(err, "gid", (unsigned)ui->gid);
	if (setresuid(ui->uid, ui->uid, ui->uid) < 0)
		return id_error(err, "uid", (unsigned)ui->uid);
	return 0;
}

int proc_spec_exec(const struct proc_spec *spec, struct err *err)
{
	extern char **environ;
	const char *cmd = spec->argv && spec->argv[0] ? spec->argv[0] : "";
	struct userinfo ui;
	int rootfd, r;

	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	r = userinfo_resolve(rootfd, spec->user, &ui, err);
	if (rootfd >= 0)
		close(rootfd);
	if (r < 0 || become_user(&ui, err) < 0)
		return EXIT_ERR;
	if (chdir(spec->workdir && *spec->workdir ? spec->workdir : "/") < 0) {
		err_set(err, errno, "workdir '%s' does not exist in the chroot",
			spec->workdir);
		return EXIT_CANNOT_INVOKE;
	}
	if (!*cmd) {
		err_set(err, 0, "no command specified");
		return EXIT_ERR;
	}
	environ = spec_env(spec, ui.home);
	/* Only 0-2 (and --preserve-fds) pass into the chroot, whoever forgot
	 * O_CLOEXEC. */
	syscall(SYS_close_range, 3 + spec->preserve_fds, ~0U,
		4 /* CLOSE_RANGE_CLOEXEC */);
	execvp(cmd, spec->argv);
	if (errno == ENOENT || errno == ENOTDIR) {
		err_set(err, errno, strchr(cmd, '/') ? "'%s'"
			: "executable file '%s' not found in $PATH", cmd);
		return EXIT_NOT_FOUND;
	}
	err_set(err, errno, "cannot run '%s'", cmd);
	return EXIT_CANNOT_INVOKE;
}

/* One output stream of the main process: the pipe (or terminal master)
 * it comes from, its log tag and where an attached user sees it. */
struct relay {
	int fd;
	const char *stream;	/* "stdout" | "stderr" */
	int attach_fd;		/* -1 when nobody is attached */
};

/* "<time> <stream> <F|P> <text>\n" in one write. */
static void log_record(int logfd, const char *stream, bool partial,
		       const char *data, size_t len)
{
	char ts[48], *buf;
	int64_t sec;
	long nsec;
	size_t n;

	time_now(&sec, &nsec);
	time_format_rfc3339(sec, nsec, ts, sizeof(ts));
	buf = xmalloc(len + 80);
	n = (size_t)snprintf(buf, 80, "%s %s %c ", ts, stream,
			     partial ? 'P' : 'F');
	memcpy(buf + n, data, len);
	n += len;
	buf[n++] = '\n';
	write_all(logfd, buf, n);
	free(buf);
}

/* Reads what is there; returns 1 at the end of the stream. */
static int relay_read(struct relay *r, int logfd)
{
	char buf[8192];
	ssize_t n;
	size_t off = 0;

	n = read(r->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return 1;
	if (r->attach_fd >= 0 && write_all(r->attach_fd, buf, (size_t)n) < 0)
		r->attach_fd = -1;	/* the user detached */
	while (off < (size_t)n) {
		char *nl = memchr(buf + off, '\n', (size_t)n - off);
		size_t len = nl ? (size_t)(nl - buf) - off : (size_t)n - off;

		if (len && buf[off + len - 1] == '\r' && nl)
			len--;	/* a terminal's CRLF */
		log_record(logfd, r->stream, !nl, buf + off, len);
		off = nl ? (size_t)(nl - buf) + 1 : (size_t)n;
	}
	return 0;
}

/* Everything init needs, prepared by the supervisor before clone3. */
struct init_ctx {
	struct chroot *c;
	int sock;		/* to the supervisor */
	int in_fd, out_fd, err_fd;	/* the main process's, without tty */
	bool userns;
	struct ns_root_opts root;
};

static const int forwarded[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH,
	SIGCONT, SIGALRM,
};

/* Blocks the forwarded signals and SIGCHLD; returns a signalfd. */
static int block_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&set, forwarded[i]);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, old);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

/* The main process, forked by init: never returns. */
static void init_child(struct init_ctx *x, int tty_slave, int status_fd,
		       const sigset_t *old)
{
	struct chroot_config *cfg = &x->c->cfg;
	struct proc_spec spec = {
		.argv = cfg->argv, .env = cfg->env, .user = cfg->user,
		.workdir = cfg->workdir, .tty = cfg->tty,
	};
	struct err err = ERR_INIT;
	struct sv_msg m;
	int code;

	sigprocmask(SIG_SETMASK, old, NULL);
	setsid();
	if (tty_slave >= 0) {
		if (pty_make_controlling(tty_slave) < 0)
			_exit(EXIT_ERR);
	} else if (dup2(x->in_fd, 0) < 0 || dup2(x->out_fd, 1) < 0 ||
		   dup2(x->err_fd, 2) < 0) {
		_exit(EXIT_ERR);
	}
	code = proc_spec_exec(&spec, &err);
	msg_set(&m, code, err.msg);
	if (write(status_fd, &m, sizeof(m)) < 0)
		_exit(code);
	_exit(code);
}

/* init's loop: forwards signals to the main process and reaps every
 * child; returns the main process's exit status. */
static int init_loop(int sigfd, pid_t main_pid)
{
	struct signalfd_siginfo si;
	int status;
	pid_t p;

	for (;;) {
		if (read(sigfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo != SIGCHLD) {
			kill(main_pid, (int)si.ssi_signo);
			continue;
		}
		while ((p = waitpid(-1, &status, WNOHANG)) > 0)
			if (p == main_pid)
				return WIFSIGNALED(status)
					       ? 128 + WTERMSIG(status)
					       : WEXITSTATUS(status);
	}
}

/*
 * Replaces init's command line (the host's path of this binary and the
 * storage root, in start's argv memory) with its name, so that the
 * chroot's /proc/1/cmdline shows nothing of the host. The argument area's
 * bounds are fields 48 and 49 of /proc/self/stat.
 */
static void hide_cmdline(void)
{
	static const char name[] = "scatman-init";
	unsigned long start = 0, end = 0;
	char buf[1024], *p;
	ssize_t n;
	int fd;

	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* the space after ')' precedes field 3 */
	p = strrchr(buf, ')');
	for (int field = 2; field < 48 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %lu %lu", &start, &end) != 2 || end <= start ||
	    end - start <= sizeof(name) ||
	    strnlen((char *)start, end - start) == end - start)
		return;
	memset((char *)start, 0, end - start);
	memcpy((char *)start, name, sizeof(name));
}

/* Waits for the supervisor's go, then becomes root of the namespace and
 * builds the chroot's tree. */
static int init_setup(struct init_ctx *x, struct err *err)
{
	char go;

	if (read(x->sock, &go, 1) != 1)
		return err_set(err, 0, "the supervisor went away");
	if (x->userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return err_set(err, errno, "becoming root in the namespace");
	/* Set after the id change, which would clear it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Nothing in the chroot may open /proc/1/exe (the host binary). */
	prctl(PR_SET_DUMPABLE, 0);
	prctl(PR_SET_NAME, "scatman-init");
	hide_cmdline();
	return ns_root_setup(&x->root, err);
}

/* /dev/console is the chroot's terminal, as podman's. */
static int bind_console(int slave, struct err *err)
{
	char src[64];
	int fd;

	fd = open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return err_set(err, errno, "creating '/dev/console'");
	close(fd);
	snprintf(src, sizeof(src), "/proc/self/fd/%d", slave);
	if (mount(src, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return err_set(err, errno, "binding '/dev/console'");
	return 0;
}

static int init_main(struct init_ctx *x)
{
	struct err err = ERR_INIT;
	int st[2], master = -1, slave = -1, sigfd;
	struct sv_msg m;
	sigset_t old;
	pid_t pid;

	if (init_setup(x, &err) < 0 ||
	    (x->c->cfg.tty && (pty_open_pair(&master, &slave, &err) < 0 ||
			       bind_console(slave, &err) < 0)) ||
	    pipe2(st, O_CLOEXEC) < 0) {
		msg_set(&m, EXIT_ERR, err.msg[0] ? err.msg : strerror(errno));
		msg_send(x->sock, &m, -1);
		return EXIT_ERR;
	}
	sigfd = block_signals(&old);
	pid = fork();
	if (pid == 0)
		init_child(x, slave, st[1], &old);
	close(st[1]);
	if (slave >= 0)
		close(slave);
	close(x->in_fd);
	close(x->out_fd);
	close(x->err_fd);
	if (pid < 0 || read(st[0], &m, sizeof(m)) == sizeof(m)) {
		if (pid < 0)
			msg_set(&m, EXIT_ERR, "cannot fork");
		msg_send(x->sock, &m, -1);
		return m.code;
	}
	close(st[0]);
	msg_set(&m, 0, "");
	m.pid = pid;
	msg_send(x->sock, &m, master);
	if (master >= 0)
		close(master);
	close(x->sock);
	return init_loop(sigfd, pid);
}

/* Writes a file of the chroot's directory that is made again at every
 * start: no fsync, nothing to keep across a crash. */
static int write_runtime_file(const char *path, const char *text,
			      struct err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
		      O_CLOEXEC, 0644);

	if (fd < 0)
		return err_set(err, errno, "cannot write '%s'", path);
	if (write_all(fd, text, strlen(text)) < 0) {
		err_set(err, errno, "cannot write '%s'", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Files bound into the chroot: /etc/hostname and /run/.containerenv. */
static int write_chroot_files(struct chroot *c, struct init_ctx *x,
			      struct err *err)
{
	const char *host = c->cfg.hostname && *c->cfg.hostname
				   ? c->cfg.hostname : c->cfg.name;
	char *text, uts[256] = "";
	int r;

	x->root.hostname = host;
	/* With the host's uts namespace /etc/hostname tells its name. */
	if (!(supervise_ns_flags(&c->cfg) & CLONE_NEWUTS) &&
	    gethostname(uts, sizeof(uts) - 1) == 0)
		host = uts;
	x->root.hostname_file = path_join(c->dir, "hostname");
	x->root.containerenv_file = path_join(c->dir, "containerenv");
	text = xasprintf("%s\n", host);
	r = write_runtime_file(x->root.hostname_file, text, err);
	free(text);
	if (r < 0)
		return -1;
	text = xasprintf("engine=\"scatman-%s\"\nname=\"%s\"\nid=\"%s\"\n"
			 "image=\"%s\"\nimageid=\"%s\"\nrootless=%d\n",
			 SCATMAN_VERSION, c->cfg.name, c->cfg.id,
			 c->cfg.image_name ? c->cfg.image_name : "",
			 c->cfg.image_id ? c->cfg.image_id : "",
			 geteuid() != 0);
	r = write_runtime_file(x->root.containerenv_file, text, err);
	free(text);
	return r;
}

static bool mode_private(const char *mode, bool dflt)
{
	if (!mode || !*mode)
		return dflt;
	return strcmp(mode, "host") != 0;
}

int supervise_ns_flags(const struct chroot_config *cfg)
{
	int flags = CLONE_NEWNS;

	if (cfg->idmap.nuid)
		flags |= CLONE_NEWUSER;
	if (mode_private(cfg->pid_mode, true))
		flags |= CLONE_NEWPID;
	if (mode_private(cfg->ipc_mode, true))
		flags |= CLONE_NEWIPC;
	if (mode_private(cfg->uts_mode, true))
		flags |= CLONE_NEWUTS;
	if (mode_private(cfg->net_mode, false))
		flags |= CLONE_NEWNET;
	return flags;
}

/* clone3(2) with a pidfd; fork-like (no new stack). */
static pid_t clone_init(int flags, int *pidfd)
{
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal,
			stack, stack_size, tls;
	} ca = {
		.flags = (uint64_t)flags | CLONE_PIDFD,
		.pidfd = (uint64_t)(uintptr_t)pidfd,
		.exit_signal = SIGCHLD,
	};

	return (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
}

/* The supervisor's side of the launch: the relays and the sockets. */
struct sv {
	struct chroot *c;
	const struct supervise_opts *o;
	int ctl;		/* to start */
	int lockfd;		/* start's lock, inherited */
	int logfd;
	struct relay rel[2];
	size_t nrel;
	pid_t init;
	int pidfd;
};

/* Pipes for the main process's output (or nothing with a tty). */
static int make_stdio(struct sv *s, struct init_ctx *x, struct err *err)
{
	int p[2];
	bool attach = s->o->attach;

	x->in_fd = s->o->interactive ? dup(s->o->stdin_fd)
				     : open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (x->in_fd < 0)
		return err_set(err, errno, "stdin");
	fd_set_cloexec(x->in_fd);
	if (s->c->cfg.tty) {
		x->out_fd = x->err_fd = -1;
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return err_set(err, errno, "pipe");
		s->rel[i].fd = p[0];
		s->rel[i].stream = i ? "stderr" : "stdout";
		s->rel[i].attach_fd = !attach ? -1
					      : i ? s->o->err_fd : s->o->out_fd;
		*(i ? &x->err_fd : &x->out_fd) = p[1];
	}
	s->nrel = 2;
	return 0;
}

/* Launches init and waits for its report; returns its message code
 * (0: the main process runs), -1 with err on a failure of scatman. */
static int launch(struct sv *s, struct sv_msg *m, int *master,
		  struct err *err)
{
	struct init_ctx x = { .c = s->c };
	int sp[2], r;

	x.root.rootfs = path_join(s->c->dir, "rootfs");
	x.root.volumes = s->c->cfg.volumes;
	if (write_chroot_files(s->c, &x, err) < 0 ||
	    make_stdio(s, &x, err) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return err_set(err, errno, "socketpair");
	r = supervise_ns_flags(&s->c->cfg);
	x.userns = r & CLONE_NEWUSER;
	x.root.pid_private = r & CLONE_NEWPID;
	x.root.ipc_private = r & CLONE_NEWIPC;
	x.root.uts_private = r & CLONE_NEWUTS;
	x.root.net_private = r & CLONE_NEWNET;
	s->init = clone_init(r, &s->pidfd);
	if (s->init < 0)
		return (r & CLONE_NEWUSER) && (errno == EPERM || errno == ENOSPC ||
					       errno == EACCES)
			       ? userns_explain_failure(errno, err)
			       : err_set(err, errno, "cannot create namespaces");
	if (s->init == 0) {
		close(sp[0]);
		close(s->ctl);
		close(s->logfd);
		close(s->o->lockfd);
		for (size_t i = 0; i < s->nrel; i++)
			close(s->rel[i].fd);
		if (s->o->attach) {
			close(s->o->out_fd);
			close(s->o->err_fd);
		}
		if (s->o->interactive)
			close(s->o->stdin_fd);
		x.sock = sp[1];
		_exit(init_main(&x));
	}
	close(sp[1]);
	close(x.in_fd);
	if (x.out_fd >= 0) {
		close(x.out_fd);
		close(x.err_fd);
	}
	if (idmap_apply(s->init, &s->c->cfg.idmap, err) < 0 ||
	    write(sp[0], "g", 1) != 1) {
		kill(s->init, SIGKILL);
		close(sp[0]);
		return -1;
	}
	r = msg_recv(sp[0], m, master);
	close(sp[0]);
	free((char *)x.root.rootfs);
	free((char *)x.root.hostname_file);
	free((char *)x.root.containerenv_file);
	if (r < 0)
		msg_set(m, EXIT_ERR, "the chroot's init exited during setup");
	return m->code;
}

static int status_code(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status)
				   : WEXITSTATUS(status);
}

/* Relays output until init is gone; returns its exit status. */
static int supervise_loop(struct sv *s)
{
	struct pollfd pf[3];
	bool open_[2] = { s->nrel > 0, s->nrel > 1 };
	int status = 0;

	for (;;) {
		size_t n = 0;

		for (size_t i = 0; i < s->nrel; i++)
			pf[n++] = (struct pollfd){
				.fd = open_[i] ? s->rel[i].fd : -1,
				.events = POLLIN,
			};
		pf[n++] = (struct pollfd){ .fd = s->pidfd, .events = POLLIN };
		if (poll(pf, n, -1) < 0 && errno != EINTR)
			break;
		for (size_t i = 0; i < s->nrel; i++)
			if (open_[i] && pf[i].revents &&
			    relay_read(&s->rel[i], s->logfd))
				open_[i] = false;
		if (pf[n - 1].revents)
			break;
	}
	while (waitpid(s->init, &status, 0) < 0 && errno == EINTR)
		;
	/* What is still buffered; processes of a host pid namespace may
	 * keep the pipes open, so never block here. */
	for (size_t i = 0; i < s->nrel; i++) {
		fcntl(s->rel[i].fd, F_SETFL, O_NONBLOCK);
		while (open_[i] && !relay_read(&s->rel[i], s->logfd)) {
			struct pollfd p1 = { .fd = s->rel[i].fd, .events = POLLIN };

			if (poll(&p1, 1, 0) <= 0)
				break;
		}
	}
	return status_code(status);
}

static void record_exit(struct chroot *c, int code)
{
	struct err err = ERR_INIT;
	int lockfd = chroot_lock(c->dir, LOCK_EX, &err);

	chroot_state_load(c->dir, &c->st, &err);
	c->st.status = CHROOT_EXITED;
	c->st.exit_code = code;
	c->st.pid = 0;
	c->st.pid_start = 0;
	time_now(&c->st.finished_at, &c->st.finished_ns);
	chroot_state_save(c->dir, &c->st, &err);
	if (lockfd >= 0)
		close(lockfd);
}

static int record_start(struct sv *s, struct err *err)
{
	struct chroot_state *st = &s->c->st;

	st->status = CHROOT_RUNNING;
	st->pid = s->init;
	st->pid_start = proc_start_time(s->init);
	st->supervisor = getpid();
	st->supervisor_start = proc_start_time(st->supervisor);
	st->exit_code = 0;
	time_now(&st->started_at, &st->started_ns);
	st->finished_at = 0;
	st->finished_ns = 0;
	/* start's lock, inherited, covers this write */
	return chroot_state_save(s->c->dir, st, err);
}

static void run_on_exit(char *const *argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(EXIT_CANNOT_INVOKE);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

/* The supervisor process; returns its exit status. */
static int supervisor_run(struct sv *s)
{
	struct err err = ERR_INIT;
	struct sv_msg m;
	int master = -1, code;
	char *path;

	setsid();
	signal(SIGPIPE, SIG_IGN);
	/* hold no directory of the caller's */
	if (chdir("/") < 0)
		return EXIT_ERR;
	path = path_join(s->c->dir, "log");
	s->logfd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			0640);
	free(path);
	code = s->logfd < 0 ? err_set(&err, errno, "cannot open the log")
			    : launch(s, &m, &master, &err);
	if (code == 0 && record_start(s, &err) < 0) {
		kill(s->init, SIGKILL);
		code = -1;
	}
	if (code != 0) {
		if (code < 0)
			msg_set(&m, EXIT_ERR, err.msg);
		if (s->init > 0)
			waitpid(s->init, NULL, 0);
		msg_send(s->ctl, &m, -1);
		return m.code;
	}
	if (master >= 0) {
		s->rel[0] = (struct relay){ master, "stdout",
					    s->o->attach ? s->ctl : -1 };
		s->nrel = 1;
	}
	m.pid = s->init;
	msg_send(s->ctl, &m, s->o->attach ? master : -1);
	close(s->o->lockfd);
	if (!(s->o->attach && master >= 0))
		close(s->ctl);
	code = supervise_loop(s);
	record_exit(s->c, code);
	if (s->o->on_exit)
		run_on_exit(s->o->on_exit);
	return code;
}

/* The supervisor keeps private copies of the attaching terminal's
 * descriptors and lets go of the caller's stdio. */
static void supervisor_stdio(struct supervise_opts *o)
{
	int null = open("/dev/null", O_RDWR);

	if (o->attach) {
		o->out_fd = fcntl(o->out_fd, F_DUPFD_CLOEXEC, 3);
		o->err_fd = fcntl(o->err_fd, F_DUPFD_CLOEXEC, 3);
	}
	if (o->interactive)
		o->stdin_fd = fcntl(o->stdin_fd, F_DUPFD_CLOEXEC, 3);
	if (null >= 0) {
		for (int i = 0; i < 3; i++)
			dup2(null, i);
		if (null > 2)
			close(null);
	}
}

int supervise_start(struct chroot *c, const struct supervise_opts *o,
		    struct supervise_report *rep, struct err *err)
{
	struct sv_msg m;
	int sp[2], fd;
	pid_t pid;

	memset(rep, 0, sizeof(*rep));
	rep->ctl_fd = rep->tty_fd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return err_set(err, errno, "socketpair");
	pid = fork();
	if (pid < 0)
		return err_set(err, errno, "cannot fork");
	if (pid == 0) {
		struct supervise_opts oo = *o;
		struct sv s = { .c = c, .o = &oo, .ctl = sp[1], .pidfd = -1 };

		close(sp[0]);
		supervisor_stdio(&oo);
		_exit(supervisor_run(&s));
	}
	close(sp[1]);
	rep->supervisor = pid;
	if (msg_recv(sp[0], &m, &fd) < 0) {
		int status = 0;

		waitpid(pid, &status, 0);
		close(sp[0]);
		return err_set(err, 0, "the supervisor exited with status %d",
			       status_code(status));
	}
	rep->code = m.code;
	rep->pid = m.pid;
	rep->tty_fd = fd;
	snprintf(rep->msg, sizeof(rep->msg), "%s", m.text);
	if (m.code != 0)
		waitpid(pid, NULL, 0);
	if (o->attach && m.code == 0)
		rep->ctl_fd = sp[0];
	else
		close(sp[0]);
	return 0;
}

/* Without a terminal the supervisor writes to the caller's stdout and
 * stderr itself: wait for it, passing signals on to the chroot. */
static int attach_plain(const struct supervise_report *rep, struct err *err)
{
	sigset_t old;
	int sigfd = block_signals(&old), status;
	struct signalfd_siginfo si;

	if (sigfd < 0)
		return err_set(err, errno, "signalfd");
	for (;;) {
		pid_t p = waitpid(rep->supervisor, &status, WNOHANG);

		if (p == rep->supervisor)
			break;
		if (p < 0 && errno != EINTR) {
			close(sigfd);
			return err_set(err, errno, "waiting for the supervisor");
		}
		if (read(sigfd, &si, sizeof(si)) == sizeof(si) &&
		    si.ssi_signo != SIGCHLD && si.ssi_signo != SIGWINCH)
			kill(rep->pid, (int)si.ssi_signo);
	}
	close(sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status_code(status);
}

int supervise_attach(const struct supervise_report *rep, int in_fd,
		     int out_fd, struct err *err)
{
	struct pty_proxy p = {
		.in_fd = in_fd, .in_dst = rep->tty_fd, .out_src = rep->ctl_fd,
		.out_fd = out_fd, .winsize_dst = rep->tty_fd,
		.child = rep->supervisor, .detach_keys = true,
		.child_status = -1,
	};
	struct pty_saved saved;
	sigset_t old;
	int r;

	if (rep->tty_fd < 0)
		return attach_plain(rep, err);
	p.sigfd = block_signals(&old);
	pty_copy_winsize(out_fd, rep->tty_fd);
	pty_raw(in_fd, &saved);
	r = pty_proxy_run(&p, err);
	pty_restore(in_fd, &saved);
	close(p.sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		return -1;
	if (r > 0)
		return -2;
	if (p.child_status == -1)
		while (waitpid(rep->supervisor, &p.child_status, 0) < 0)
			if (errno != EINTR)
				return err_set(err, errno,
					       "waiting for the supervisor");
	return status_code(p.child_status);
}

pid_t supervise_main_pid(pid_t init)
{
	char path[64], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)init,
		 (int)init);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)atoi(buf);
}

int supervise_kill(const struct chroot *c, int sig, struct err *err)
{
	if (!proc_is_alive(c->st.pid, c->st.pid_start))
		return err_set(err, ESRCH, "chroot '%s' is not running",
			       c->cfg.name);
	/* In the host's pid namespace a killed init ends nothing else: the
	 * main process's session goes first. */
	if (sig == SIGKILL && !(supervise_ns_flags(&c->cfg) & CLONE_NEWPID)) {
		pid_t main = supervise_main_pid(c->st.pid);

		/* init may exit first, on its main process's death */
		if (main > 0 && kill(-main, SIGKILL) == 0)
			return kill(c->st.pid, SIGKILL) < 0 && errno != ESRCH
				       ? err_set(err, errno, "killing '%s'",
						 c->cfg.name)
				       : 0;
	}
	if (kill(c->st.pid, sig) < 0)
		return err_set(err, errno, "sending signal %d to '%s'", sig,
			       c->cfg.name);
	return 0;
}

int supervise_stop(const struct chroot *c, int timeout)
{
	const char *name = c->cfg.stop_signal;
	int sig = name && *name ? signal_parse(name) : SIGTERM;
	pid_t sup = c->st.supervisor;
	uint64_t sup_start = c->st.supervisor_start;
	struct err err = ERR_INIT;

	if (!chroot_is_running(c))
		return 0;
	supervise_kill(c, sig > 0 ? sig : SIGTERM, &err);
	if (supervise_wait_gone(sup, sup_start,
				timeout < 0 ? 0 : timeout * 1000))
		return 0;
	supervise_kill(c, SIGKILL, &err);
	supervise_wait_gone(sup, sup_start, -1);
	return 1;
}
