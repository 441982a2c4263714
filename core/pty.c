/* SPDX-License-Identifier: MIT */
/* Terminals: raw mode, window size, pairs, the proxy with detach keys. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pty.h"
#include "util.h"

#define KEY_CTRL_P 0x10
#define KEY_CTRL_Q 0x11

int pty_raw(int fd, struct pty_saved *s)
{
	struct termios raw;

	s->saved = false;
	if (!isatty(fd))
		return 0;
	if (tcgetattr(fd, &s->tio) < 0)
		return -1;
	s->saved = true;
	raw = s->tio;
	cfmakeraw(&raw);
	return tcsetattr(fd, TCSADRAIN, &raw);
}

void pty_restore(int fd, const struct pty_saved *s)
{
	if (s->saved)
		tcsetattr(fd, TCSADRAIN, &s->tio);
}

void pty_copy_winsize(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		ioctl(to, TIOCSWINSZ, &ws);
}

int pty_open_pair(int *master, int *slave, struct err *err)
{
	int m, s, unlock = 0;

	m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return err_set(err, errno, "opening '/dev/ptmx'");
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0) {
		err_set(err, errno, "unlocking the terminal");
		goto out_close_master;
	}
	/* TIOCGPTPEER opens the slave of this very master, whatever the
	 * path names of the devpts instance. */
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0) {
		err_set(err, errno, "opening the terminal");
		goto out_close_master;
	}
	*master = m;
	*slave = s;
	return 0;
out_close_master:
	close(m);
	return -1;
}

int pty_make_controlling(int fd)
{
	if (ioctl(fd, TIOCSCTTY, 0) < 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			return -1;
	if (fd > 2)
		close(fd);
	return 0;
}

/* Passes user input on, watching for ctrl-p ctrl-q; returns 1 on detach. */
static int forward_input(struct pty_proxy *p, bool *held)
{
	char in[1024], out[2048];
	size_t n = 0;
	ssize_t r;

	r = read(p->in_fd, in, sizeof(in));
	if (r <= 0) {
		p->in_fd = -1;	/* end of input: stop reading it */
		return 0;
	}
	for (ssize_t i = 0; i < r; i++) {
		if (p->detach_keys && *held) {
			*held = false;
			if (in[i] == KEY_CTRL_Q)
				return 1;
			out[n++] = KEY_CTRL_P;
		}
		if (p->detach_keys && in[i] == KEY_CTRL_P) {
			*held = true;
			continue;
		}
		out[n++] = in[i];
	}
	if (n && write_all(p->in_dst, out, n) < 0 && errno != EIO)
		return -1;
	return 0;
}

/* Copies what is available from out_src; returns 1 at its end. */
static int forward_output(struct pty_proxy *p)
{
	char buf[8192];
	ssize_t r;

	r = read(p->out_src, buf, sizeof(buf));
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (r <= 0)
		return 1;	/* EIO: every slave descriptor is closed */
	write_all(p->out_fd, buf, (size_t)r);
	return 0;
}

/* Handles the signals; returns 1 when the child has exited. */
static int handle_signal(struct pty_proxy *p)
{
	struct signalfd_siginfo si;

	if (read(p->sigfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGWINCH && p->winsize_dst >= 0)
		pty_copy_winsize(p->out_fd, p->winsize_dst);
	if (p->child > 0 &&
	    waitpid(p->child, &p->child_status, WNOHANG) == p->child)
		return 1;
	return 0;
}

/* Reads what the terminal still holds after the child is gone. */
static void drain(struct pty_proxy *p)
{
	struct pollfd pf = { .fd = p->out_src, .events = POLLIN };

	while (poll(&pf, 1, 0) > 0 && !(pf.revents & POLLNVAL))
		if (forward_output(p))
			break;
}

int pty_proxy_run(struct pty_proxy *p, struct err *err)
{
	bool held = false;

	for (;;) {
		struct pollfd pf[3] = {
			{ .fd = p->out_src, .events = POLLIN },
			{ .fd = p->sigfd, .events = POLLIN },
			{ .fd = p->in_fd, .events = POLLIN },
		};
		int r;

		if (poll(pf, p->in_fd >= 0 ? 3 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_set(err, errno, "poll");
		}
		if (pf[0].revents && forward_output(p))
			return 0;
		if (pf[1].revents && handle_signal(p)) {
			drain(p);
			return 0;
		}
		if (p->in_fd >= 0 && pf[2].revents) {
			r = forward_input(p, &held);
			if (r < 0)
				return err_set(err, errno, "writing input");
			if (r > 0)
				return 1;
		}
	}
}
