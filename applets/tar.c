/* SPDX-License-Identifier: MIT */
/* tar: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char tar_usage[] = "Usage: tar\n";

int tar_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
