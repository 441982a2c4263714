/* SPDX-License-Identifier: MIT */
/* pull: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char pull_usage[] = "Usage: scatman pull\n";

int pull_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
