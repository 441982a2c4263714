/* SPDX-License-Identifier: MIT */
/* cp: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char cp_usage[] = "Usage: scatman cp\n";

int cp_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
