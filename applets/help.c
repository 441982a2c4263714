/* SPDX-License-Identifier: MIT */
/*
 * help: the command list, or one command's usage.
 *
 * usage: scatman help [COMMAND]
 */
#include <stdio.h>
#include <string.h>

#include "../core/applet.h"
#include "../core/log.h"

const char help_usage[] =
	"Usage: scatman help [COMMAND]\n"
	"\n"
	"Print the list of commands, or the usage of COMMAND.\n";

static void list_kind(unsigned kind)
{
	for (size_t i = 0; i < applet_count; i++) {
		const struct applet *a = &applet_table[i];

		if ((a->flags & kind) && !(a->flags & AF_HIDDEN))
			printf("  %-11s %s\n", a->name, a->summary);
	}
}

int help_main(int argc, char **argv, struct gopts *g)
{
	const struct applet *a;

	(void)g;
	if (argc > 1) {
		a = applet_find(argv[1], AF_CMD);
		if (!a && !strcmp(argv[1], "tool") && argc > 2)
			a = applet_find(argv[2], AF_TOOL);
		if (!a)
			a = applet_find(argv[1], AF_TOOL);
		if (!a)
			die("unknown command '%s'", argv[1]);
		applet_help_exit(a);
	}
	printf("Manage chroots and images\n"
	       "\n"
	       "Usage:\n"
	       "  scatman [options] [command]\n"
	       "\n"
	       "Available Commands:\n");
	list_kind(AF_CMD);
	printf("\n"
	       "Bundled utilities:\n");
	list_kind(AF_TOOL);
	printf("\n"
	       "  A utility runs when the binary is called by its name (a link\n"
	       "  named tar, nsenter, ps or cp), or as 'scatman tool NAME'.\n"
	       "  'scatman tar' and 'scatman nsenter' reach the utilities too,\n"
	       "  but 'scatman ps' and 'scatman cp' are the chroot commands.\n"
	       "\n"
	       "Options:\n"
	       "  --root DIR         storage root (env SCATMAN_ROOT; default\n"
	       "                     $XDG_DATA_HOME/scatman or\n"
	       "                     ~/.local/share/scatman)\n"
	       "  --log-level LEVEL  error, warn, info or debug (default info)\n"
	       "  -h, --help         print this help\n"
	       "  -v, --version      print the version\n"
	       "  --install [-s] DIR make a link in DIR for every applet\n"
	       "  --list             print the applet names\n"
	       "\n"
	       "Use \"scatman COMMAND --help\" for more about a command.\n");
	return fflush(stdout) ? EXIT_ERR : 0;
}
