/* SPDX-License-Identifier: MIT */
/* nsenter: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char nsenter_usage[] = "Usage: nsenter\n";

int nsenter_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
