/* SPDX-License-Identifier: MIT */
/* start: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char start_usage[] = "Usage: scatman start\n";

int start_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
