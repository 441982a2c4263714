/* SPDX-License-Identifier: MIT */
/* rm: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char rm_usage[] = "Usage: scatman rm\n";

int rm_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
