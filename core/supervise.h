/* SPDX-License-Identifier: MIT */
/*
 * Running chroots: the per-chroot supervisor (state, log), the chroot's
 * init (pid 1: mounts, the main process, reaping, signal forwarding) and
 * starting a process as a chroot's user, shared with exec.
 */
#ifndef SCATMAN_SUPERVISE_H
#define SCATMAN_SUPERVISE_H

#include <stdbool.h>
#include <sys/types.h>

#include "chroot.h"
#include "err.h"

/* A process to start inside an entered chroot. */
struct proc_spec {
	char *const *argv;
	char *const *env;	/* "K=V"; HOME, PATH, TERM added when missing */
	const char *user;	/* "-u" spec; NULL or "" = root */
	const char *workdir;	/* NULL = "/" */
	bool tty;		/* TERM=xterm when unset */
	int preserve_fds;	/* 3 .. 3+N-1 pass to the command too */
};

/*
 * In a process that has entered the chroot (its "/" is the rootfs): sets
 * the groups, ids, working directory and environment of spec and execs
 * it. Returns only on failure: the exit status to use (125, 126 when the
 * command cannot be run, 127 when it is not found) with err filled.
 */
int proc_spec_exec(const struct proc_spec *spec, struct err *err);

/* How start wants the supervisor to connect to it. */
struct supervise_opts {
	bool attach;		/* stream output to out_fd/err_fd or ctl */
	bool interactive;	/* the command reads stdin_fd */
	int stdin_fd, out_fd, err_fd;	/* the attaching terminal's */
	int lockfd;		/* the caller's chroot lock */
	char *const *on_exit;	/* run (and waited for) after the exit is
				 * recorded, e.g. "scatman rm" for --rm */
};

/* What start learns from the supervisor. */
struct supervise_report {
	int code;		/* 0 started; else the exit status to use */
	pid_t pid;		/* the chroot's init */
	pid_t supervisor;
	int ctl_fd;		/* attached: the stream from the supervisor */
	int tty_fd;		/* attached with a tty: the terminal master */
	char msg[512];		/* why it failed */
};

/*
 * Starts the chroot c: forks the supervisor, which records the state and
 * outlives the caller. c must be locked by the caller (chroot_lock, kept
 * until this returns). On success rep tells where it runs; a failure
 * inside the chroot (such as a missing command) fills rep->code and
 * rep->msg and returns 0; -1 with err is an error of scatman.
 */
int supervise_start(struct chroot *c, const struct supervise_opts *o,
		    struct supervise_report *rep, struct err *err);

/*
 * Attached: relays the supervisor's stream (rep->ctl_fd) to out_fd, the
 * caller's stdin to the terminal master when there is one (detach keys
 * ctrl-p ctrl-q), and waits for the supervisor. Returns the command's
 * exit status, or -2 when the user detached.
 */
int supervise_attach(const struct supervise_report *rep, int in_fd,
		     int out_fd, struct err *err);

/*
 * Waits until the process pid (started at start) has exited, at most
 * timeout_ms (-1: forever). Returns 1 when it is gone, 0 on timeout.
 */
int supervise_wait_gone(pid_t pid, uint64_t start, int timeout_ms);

/*
 * The chroot's main process, init's first child, as seen from the host; 0
 * when there is none. exec joins its namespaces rather than init's: init
 * is non-dumpable with a memory map of the host's user namespace, which
 * an unprivileged caller may not inspect, while the main process was
 * exec'd inside the chroot.
 */
pid_t supervise_main_pid(pid_t init);

/* Sends sig to the chroot's init, which passes it on to the main
 * process (SIGKILL ends the whole chroot). ESRCH when not running. */
int supervise_kill(const struct chroot *c, int sig, struct err *err);

/*
 * Stops c: its stop signal, SIGKILL after timeout seconds, then waits
 * until the supervisor has recorded the exit. Returns 1 when it had to
 * kill, 0 otherwise (also when c was not running).
 */
int supervise_stop(const struct chroot *c, int timeout);

/* The CLONE_NEW* namespaces a chroot with this config has of its own. */
int supervise_ns_flags(const struct chroot_config *cfg);

/* Parses a signal name or number ("TERM", "SIGTERM", "15"); -1 if none. */
int signal_parse(const char *s);

#endif
