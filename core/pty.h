/* SPDX-License-Identifier: MIT */
/* Terminals: raw mode and restore, window size, pseudo-terminal pairs and
 * the proxy between the user's terminal and a chroot's, with podman's
 * detach keys (ctrl-p ctrl-q). */
#ifndef SCATMAN_PTY_H
#define SCATMAN_PTY_H

#include <stdbool.h>
#include <sys/types.h>
#include <termios.h>

#include "err.h"

struct pty_saved {
	struct termios tio;
	bool saved;
};

/* Puts the terminal fd in raw mode, saving its settings in s (nothing
 * when fd is not a terminal). */
int pty_raw(int fd, struct pty_saved *s);
/* Restores what pty_raw saved. */
void pty_restore(int fd, const struct pty_saved *s);
/* Copies the window size of the terminal from to the terminal to. */
void pty_copy_winsize(int from, int to);

/* Opens a new pair from /dev/ptmx of the current root: the master and
 * the slave, both close-on-exec. */
int pty_open_pair(int *master, int *slave, struct err *err);

/* Makes fd (the slave) the controlling terminal and stdin/out/err of the
 * calling process, which must be a session leader. */
int pty_make_controlling(int fd);

struct pty_proxy {
	int in_fd;		/* the user's input, -1 when none */
	int in_dst;		/* where input goes (the terminal master) */
	int out_src;		/* what is shown: the master or a stream */
	int out_fd;		/* the user's output */
	int winsize_dst;	/* gets the user's window size, -1 none */
	int sigfd;		/* a signalfd with SIGWINCH and SIGCHLD */
	pid_t child;		/* ends the proxy when it exits, 0 none */
	bool detach_keys;	/* ctrl-p ctrl-q ends the proxy */
	int child_status;	/* out: waitpid status of child */
};

/* Runs the proxy until out_src ends, the child exits (returns 0) or the
 * user types the detach keys (returns 1). -1 with err on failure. */
int pty_proxy_run(struct pty_proxy *p, struct err *err);

#endif
