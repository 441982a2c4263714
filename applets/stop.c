/* SPDX-License-Identifier: MIT */
/* stop: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char stop_usage[] = "Usage: scatman stop\n";

int stop_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
