/* SPDX-License-Identifier: MIT */
/* tool_ps: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char tool_ps_usage[] = "Usage: ps\n";

int tool_ps_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
