/* SPDX-License-Identifier: MIT */
/* logout: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char logout_usage[] = "Usage: scatman logout\n";

int logout_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
