/* SPDX-License-Identifier: MIT */
/* tag: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char tag_usage[] = "Usage: scatman tag\n";

int tag_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
