/* SPDX-License-Identifier: MIT */
/*
 * start: start chroots, detached (the default) or attached.
 *
 * Each chroot gets a supervisor that outlives this command; see
 * core/supervise.c. Deviation from podman: --detach-keys is fixed to
 * ctrl-p,ctrl-q.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "../core/applet.h"
#include "../core/chroot.h"
#include "../core/log.h"
#include "../core/supervise.h"

const char start_usage[] =
	"Usage: scatman start [options] CHROOT [CHROOT...]\n"
	"\n"
	"Start one or more chroots. Detached by default: each gets a\n"
	"supervisor that keeps it running, records its state and writes its\n"
	"output to the log.\n"
	"\n"
	"Options:\n"
	"  -a, --attach        attach to the chroot's output (and input with -i)\n"
	"                      and exit with its command's status\n"
	"  -i, --interactive   keep stdin open and pass it to the command\n"
	"      --all           start every chroot that is not running\n"
	"  -h, --help          show this help\n"
	"\n"
	"Detach from an attached chroot with a terminal (-t at create) by\n"
	"typing ctrl-p ctrl-q; it keeps running.\n";

struct start_opts {
	bool attach, interactive, all;
};

/* Starts c; returns 0 or the exit status of a failed start. Attached,
 * returns the command's status. */
static int start_one(struct chroot *c, const char *shown, void *arg)
{
	const struct start_opts *o = arg;
	struct supervise_opts so = {
		.attach = o->attach, .interactive = o->interactive,
		.stdin_fd = 0, .out_fd = 1, .err_fd = 2,
	};
	struct supervise_report rep;
	struct err err = ERR_INIT;
	int r;

	so.lockfd = chroot_lock(c->dir, LOCK_EX, &err);
	if (so.lockfd < 0)
		die_err(&err);
	/* Fresh under the lock: a concurrent start may have won. */
	if (chroot_state_load(c->dir, &c->st, &err) < 0)
		die_err(&err);
	chroot_state_refresh(&c->st);
	if (chroot_is_running(c)) {
		close(so.lockfd);
		if (o->attach) {
			/* TODO: attach to the supervisor of a running chroot */
			log_error("'%s' is already running; cannot attach to it",
				  shown);
			return EXIT_ERR;
		}
		printf("%s\n", shown);
		return 0;
	}
	if (supervise_start(c, &so, &rep, &err) < 0)
		die_err(&err);
	close(so.lockfd);
	if (rep.code != 0) {
		log_error("%s: %s", c->cfg.name, rep.msg);
		return rep.code;
	}
	if (!o->attach) {
		printf("%s\n", shown);
		fflush(stdout);
		return 0;
	}
	r = supervise_attach(&rep, o->interactive ? 0 : -1, 1, &err);
	if (r == -1)
		die_err(&err);
	return r == -2 ? 0 : r;
}

static int start_parse(int argc, char **argv, struct start_opts *o)
{
	enum { OPT_ALL = 256 };
	static const struct option longopts[] = {
		{ "attach", no_argument, NULL, 'a' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, ":aih", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			o->attach = true;
			break;
		case 'i':
			o->interactive = true;
			break;
		case OPT_ALL:
			o->all = true;
			break;
		case 'h':
			applet_usage_exit("start", AF_CMD);
		default:
			die_bad_option(ch, argv);
		}
	}
	if (o->interactive)
		o->attach = true;
	if (o->all && optind < argc)
		die_usage("--all and chroot names cannot be used together");
	if (!o->all && optind >= argc)
		die_usage("requires at least one argument");
	if (o->attach && (o->all || argc - optind > 1))
		die_usage("you cannot start and attach multiple chroots at once");
	return optind;
}

int start_main(int argc, char **argv, struct gopts *g)
{
	struct start_opts o = { 0 };
	int i = start_parse(argc, argv, &o);

	return applet_each_chroot(g->root, o.all, false, argv + i, argc - i,
				  start_one, &o);
}
