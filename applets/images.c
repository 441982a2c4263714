/* SPDX-License-Identifier: MIT */
/* images: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char images_usage[] = "Usage: scatman images\n";

int images_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
