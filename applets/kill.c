/* SPDX-License-Identifier: MIT */
/* kill: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char kill_usage[] = "Usage: scatman kill\n";

int kill_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
