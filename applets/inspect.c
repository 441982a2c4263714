/* SPDX-License-Identifier: MIT */
/* inspect: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char inspect_usage[] = "Usage: scatman inspect\n";

int inspect_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
