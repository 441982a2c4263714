/* SPDX-License-Identifier: MIT */
/*
 * tool: run a bundled utility whatever the binary is called, so that
 * "scatman tool ps" is the process lister while "scatman ps" lists chroots.
 *
 * usage: scatman tool NAME [ARG...]
 */
#include <stdio.h>

#include "../core/applet.h"
#include "../core/log.h"

const char tool_usage[] =
	"Usage: scatman tool NAME [ARG...]\n"
	"\n"
	"Run a bundled utility: tar, nsenter, ps or cp.\n";

int tool_main(int argc, char **argv, struct gopts *g)
{
	const struct applet *a;

	if (argc < 2)
		die_usage("missing utility name");
	a = applet_find(argv[1], AF_TOOL);
	if (!a)
		die_usage("unknown utility '%s'", argv[1]);
	return applet_run(a, argc - 1, argv + 1, g);
}
