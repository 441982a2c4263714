/* SPDX-License-Identifier: MIT */
/* run: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char run_usage[] = "Usage: scatman run\n";

int run_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
