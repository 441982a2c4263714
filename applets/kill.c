/* SPDX-License-Identifier: MIT */
/* kill: send a signal to running chroots (to the main process, through
 * the chroot's init; SIGKILL ends the whole chroot). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>

#include "../core/applet.h"
#include "../core/chroot.h"
#include "../core/log.h"
#include "../core/supervise.h"

const char kill_usage[] =
	"Usage: scatman kill [options] CHROOT [CHROOT...]\n"
	"\n"
	"Send a signal to the main process of one or more running chroots.\n"
	"\n"
	"Options:\n"
	"  -a, --all              signal every running chroot\n"
	"  -s, --signal SIGNAL    signal name or number (default KILL)\n"
	"  -h, --help             show this help\n";

static int kill_one(struct chroot *c, const char *shown, void *arg)
{
	int sig = *(int *)arg;
	struct err err = ERR_INIT;

	if (!chroot_is_running(c)) {
		log_error("can only kill running chroots: '%s' is %s", shown,
			  chroot_status_name(c->st.status));
		return EXIT_ERR;
	}
	if (supervise_kill(c, sig, &err) < 0) {
		log_error("%s", err.msg);
		return EXIT_ERR;
	}
	printf("%s\n", shown);
	return 0;
}

int kill_main(int argc, char **argv, struct gopts *g)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "signal", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int sig = SIGKILL, ch;
	bool all = false;

	while ((ch = getopt_long(argc, argv, ":as:h", longopts, NULL)) != -1) {
		if (ch == 'a')
			all = true;
		else if (ch == 's' && (sig = signal_parse(optarg)) < 0)
			die_usage("invalid signal '%s'", optarg);
		else if (ch == 'h')
			applet_usage_exit("kill", AF_CMD);
		else if (ch != 's')
			die_bad_option(ch, argv);
	}
	if (all == (optind < argc))
		die_usage("give chroot names or --all");
	return applet_each_chroot(g->root, all, true, argv + optind,
				  argc - optind, kill_one, &sig);
}
