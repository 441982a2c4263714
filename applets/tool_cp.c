/* SPDX-License-Identifier: MIT */
/* tool_cp: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char tool_cp_usage[] = "Usage: cp\n";

int tool_cp_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
