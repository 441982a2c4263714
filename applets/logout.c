/* SPDX-License-Identifier: MIT */
/*
 * logout: remove stored registry credentials.
 *
 * usage: scatman logout [--authfile PATH] (REGISTRY | --all)
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/applet.h"
#include "../core/auth.h"
#include "../core/log.h"
#include "../core/util.h"

const char logout_usage[] =
	"Usage: scatman logout [options] REGISTRY\n"
	"\n"
	"Log out of a container registry.\n"
	"\n"
	"Options:\n"
	"  -a, --all            remove the credentials of every registry\n"
	"      --authfile PATH  path of the authentication file\n";

enum { OPT_AUTHFILE = 256 };

static const struct option longopts[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "authfile", required_argument, NULL, OPT_AUTHFILE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int logout_main(int argc, char **argv, struct gopts *g)
{
	const char *authfile = NULL;
	struct err err = ERR_INIT;
	bool all = false;
	char *host = NULL;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ah", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case OPT_AUTHFILE: authfile = optarg; break;
		case 'h': applet_usage_exit("logout", AF_CMD);
		default: die_bad_option(c, argv);
		}
	}
	if (all ? optind != argc : optind != argc - 1)
		die_usage(all ? "'--all' takes no registry" :
			  "'logout' requires exactly one registry");
	if (!all && !(host = auth_registry_host(argv[optind])))
		die_usage("invalid registry '%s'", argv[optind]);
	if (auth_store(authfile, host, NULL, NULL, &err) < 0)
		die_err(&err);
	if (all)
		printf("Removed login credentials for all registries\n");
	else
		printf("Removed login credentials for %s\n", host);
	free(host);
	return fflush(stdout) ? EXIT_ERR : 0;
}
