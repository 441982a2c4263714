/* SPDX-License-Identifier: MIT */
/* logs: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char logs_usage[] = "Usage: scatman logs\n";

int logs_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
