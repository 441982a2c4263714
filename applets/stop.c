/* SPDX-License-Identifier: MIT */
/*
 * stop: stop running chroots: the stop signal (the image's StopSignal,
 * else SIGTERM) to the main process through the chroot's init, SIGKILL
 * after the timeout, then wait until the supervisor has recorded the
 * exit. Stopping a chroot that is not running is not an error.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "../core/applet.h"
#include "../core/chroot.h"
#include "../core/log.h"
#include "../core/supervise.h"
#include "../core/util.h"

const char stop_usage[] =
	"Usage: scatman stop [options] CHROOT [CHROOT...]\n"
	"\n"
	"Stop one or more running chroots.\n"
	"\n"
	"Options:\n"
	"  -a, --all           stop every running chroot\n"
	"  -t, --time SECONDS  seconds to wait before killing (default 10)\n"
	"  -h, --help          show this help\n";

static int stop_parse(int argc, char **argv, bool *all, int *timeout)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "time", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long long n;
	int ch;

	while ((ch = getopt_long(argc, argv, ":at:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			*all = true;
			break;
		case 't':
			if (!str_to_num(optarg, 0, INT_MAX, &n))
				die_usage("invalid timeout '%s'", optarg);
			*timeout = (int)n;
			break;
		case 'h':
			applet_usage_exit("stop", AF_CMD);
		default:
			die_bad_option(ch, argv);
		}
	}
	if (*all && optind < argc)
		die_usage("--all and chroot names cannot be used together");
	if (!*all && optind >= argc)
		die_usage("requires at least one argument");
	return optind;
}

int stop_main(int argc, char **argv, struct gopts *g)
{
	struct err err = ERR_INIT;
	int timeout = 10, status = 0, i;
	bool all = false;

	i = stop_parse(argc, argv, &all, &timeout);
	if (all) {
		struct chroot *list;
		size_t n;

		if (chroot_list(g->root, &list, &n, &err) < 0)
			die_err(&err);
		for (size_t k = 0; k < n; k++) {
			if (chroot_is_running(&list[k])) {
				supervise_stop(&list[k], timeout);
				printf("%s\n", list[k].cfg.id);
			}
			chroot_release(&list[k]);
		}
		free(list);
		return 0;
	}
	for (; i < argc; i++) {
		struct chroot c;

		if (chroot_find(g->root, argv[i], &c, &err) < 0) {
			log_error("%s", err.msg);
			status = EXIT_ERR;
			continue;
		}
		supervise_stop(&c, timeout);
		printf("%s\n", argv[i]);
		fflush(stdout);
		chroot_release(&c);
	}
	return status;
}
