/* SPDX-License-Identifier: MIT */
/* rmi: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char rmi_usage[] = "Usage: scatman rmi\n";

int rmi_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
