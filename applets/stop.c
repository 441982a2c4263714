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

/* Stops c (a stopped chroot is no error) and prints the name given. */
static int stop_one(struct chroot *c, const char *shown, void *arg)
{
	supervise_stop(c, *(int *)arg);
	printf("%s\n", shown);
	fflush(stdout);
	return 0;
}

int stop_main(int argc, char **argv, struct gopts *g)
{
	int timeout = 10, i;
	bool all = false;

	i = stop_parse(argc, argv, &all, &timeout);
	return applet_each_chroot(g->root, all, true, argv + i, argc - i,
				  stop_one, &timeout);
}
