/* SPDX-License-Identifier: MIT */
/* restart: stop (as stop does) and start chroots again, detached. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "../core/applet.h"
#include "../core/chroot.h"
#include "../core/log.h"
#include "../core/supervise.h"
#include "../core/util.h"

const char restart_usage[] =
	"Usage: scatman restart [options] CHROOT [CHROOT...]\n"
	"\n"
	"Restart one or more chroots: stop them if running, then start them\n"
	"detached.\n"
	"\n"
	"Options:\n"
	"  -a, --all           restart every chroot\n"
	"      --running       with --all, only the running ones\n"
	"  -t, --time SECONDS  seconds to wait before killing (default 10)\n"
	"  -h, --help          show this help\n";

static int restart_one(struct chroot *c, const char *shown, void *arg)
{
	int timeout = *(int *)arg;
	struct supervise_opts so = { .stdin_fd = -1, .out_fd = -1,
				     .err_fd = -1 };
	struct supervise_report rep;
	struct err err = ERR_INIT;

	supervise_stop(c, timeout);
	so.lockfd = chroot_lock(c->dir, LOCK_EX, &err);
	if (so.lockfd < 0 || chroot_state_load(c->dir, &c->st, &err) < 0)
		die_err(&err);
	chroot_state_refresh(&c->st);
	if (!chroot_is_running(c)) {
		if (supervise_start(c, &so, &rep, &err) < 0)
			die_err(&err);
		if (rep.code != 0) {
			close(so.lockfd);
			log_error("%s: %s", c->cfg.name, rep.msg);
			return rep.code;
		}
	}
	close(so.lockfd);
	printf("%s\n", shown);
	fflush(stdout);
	return 0;
}

int restart_main(int argc, char **argv, struct gopts *g)
{
	enum { OPT_RUNNING = 256 };
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "running", no_argument, NULL, OPT_RUNNING },
		{ "time", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int timeout = 10, ch;
	bool all = false, running = false;
	long long n;

	while ((ch = getopt_long(argc, argv, ":at:h", longopts, NULL)) != -1) {
		if (ch == 'a') {
			all = true;
		} else if (ch == OPT_RUNNING) {
			running = true;
		} else if (ch == 't') {
			if (!str_to_num(optarg, 0, INT_MAX, &n))
				die_usage("invalid timeout '%s'", optarg);
			timeout = (int)n;
		} else if (ch == 'h') {
			applet_usage_exit("restart", AF_CMD);
		} else {
			die_bad_option(ch, argv);
		}
	}
	if (all == (optind < argc))
		die_usage("give chroot names or --all");
	return applet_each_chroot(g->root, all, running, argv + optind,
				  argc - optind, restart_one, &timeout);
}
