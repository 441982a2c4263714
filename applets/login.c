/* SPDX-License-Identifier: MIT */
/* login: placeholder until the applet lands. */
#include "../core/applet.h"
#include "../core/log.h"

const char login_usage[] = "Usage: scatman login\n";

int login_main(int argc, char **argv, struct gopts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	die("not implemented yet");
}
