/* SPDX-License-Identifier: MIT */
/*
 * version: print the version scatman was built from.
 *
 * usage: scatman version
 */
#include <stdio.h>

#include "../core/applet.h"
#include "../core/log.h"

#ifndef SCATMAN_VERSION
#define SCATMAN_VERSION "unknown"
#endif

const char version_usage[] =
	"Usage: scatman version\n"
	"\n"
	"Display the scatman version information.\n";

int version_main(int argc, char **argv, struct gopts *g)
{
	(void)g;
	(void)argv;
	if (argc > 1)
		die_usage("'version' takes no arguments");
	printf("scatman version %s\n", SCATMAN_VERSION);
	return fflush(stdout) ? EXIT_ERR : 0;
}
