/* SPDX-License-Identifier: MIT */
/* ps: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char ps_usage[] = "Usage: scatman ps\n";

int ps_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
