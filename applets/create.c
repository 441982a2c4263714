/* SPDX-License-Identifier: MIT */
/* create: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char create_usage[] = "Usage: scatman create\n";

int create_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
