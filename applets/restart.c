/* SPDX-License-Identifier: MIT */
/* restart: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char restart_usage[] = "Usage: scatman restart\n";

int restart_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
