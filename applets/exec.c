/* SPDX-License-Identifier: MIT */
/* exec: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char exec_usage[] = "Usage: scatman exec\n";

int exec_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
