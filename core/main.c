/* SPDX-License-Identifier: MIT */
/*
 * The multicall entry point. An applet is chosen by, in order: the name the
 * binary was called by (scatman, scatman-CMD, tar, nsenter, ps, cp), then
 * the first argument after the global options (scatman CMD, scatman tar),
 * and "scatman tool NAME" always reaches a bundled utility.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applet.h"
#include "log.h"
#include "util.h"

enum {
	OPT_ROOT = 256,
	OPT_LOG_LEVEL,
	OPT_INSTALL,
	OPT_LIST,
};

static void list_applets(void)
{
	for (size_t i = 0; i < applet_count; i++) {
		const struct applet *a = &applet_table[i];

		if (a->flags & AF_TOOL)
			printf("%s\n", a->name);
		else
			printf("scatman-%s\n", a->name);
	}
}

/* Makes DIR/NAME for every applet, as busybox --install does: hard links
 * by default, symbolic links with -s. An existing entry is kept. */
static int install_links(const char *self, const char *dir, bool symbolic)
{
	for (size_t i = 0; i < applet_count; i++) {
		const struct applet *a = &applet_table[i];
		char *dst;
		int r;

		if (a->flags & AF_TOOL)
			dst = path_join(dir, a->name);
		else
			dst = xasprintf("%s/scatman-%s", dir, a->name);
		r = symbolic ? symlink(self, dst) : link(self, dst);
		if (r < 0 && errno != EEXIST) {
			/* One line: the rest would fail the same way. */
			log_error("cannot create '%s': %s", dst,
				  strerror(errno));
			free(dst);
			return EXIT_ERR;
		}
		free(dst);
	}
	return 0;
}

static const char *self_path(void)
{
	static char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

static int unknown_command(const char *name)
{
	log_set_prog("scatman", "scatman");
	log_error("unknown command '%s' (see 'scatman --help' for the list)",
		  name);
	return EXIT_ERR;
}

static int run_named(const char *name, int argc, char **argv,
		     struct gopts *g)
{
	const struct applet *a = applet_find(name, AF_CMD);

	if (!a)
		a = applet_find(name, AF_TOOL);
	if (!a)
		return unknown_command(name);
	return applet_run(a, argc, argv, g);
}

/* Runs a command that takes no arguments here, such as help or version. */
static int run_bare(const char *name, struct gopts *g)
{
	static char *argv[2];

	argv[0] = (char *)name;
	return applet_run(applet_find(name, AF_CMD), 1, argv, g);
}

static int scatman_main(int argc, char **argv, struct gopts *g)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ "install", no_argument, NULL, OPT_INSTALL },
		{ "list", no_argument, NULL, OPT_LIST },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = NULL;
	bool install = false, symbolic = false;
	int c, level;

	log_set_prog("scatman", "scatman");
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hvs", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			root = optarg;
			break;
		case OPT_LOG_LEVEL:
			level = log_parse_level(optarg);
			if (level < 0)
				die_usage("invalid log level '%s' (use error, "
					  "warn, info or debug)", optarg);
			log_set_level(level);
			break;
		case 'h':
			return run_bare("help", g);
		case 'v':
			return run_bare("version", g);
		case OPT_INSTALL:
			install = true;
			break;
		case 's':
			symbolic = true;
			break;
		case OPT_LIST:
			list_applets();
			return 0;
		default:
			die_bad_option(c, argv);
		}
	}
	if (install) {
		if (optind != argc - 1)
			die_usage("--install needs one directory");
		if (!g->self)
			die_errno("cannot find the path of this binary");
		return install_links(g->self, argv[optind], symbolic);
	}
	gopts_default_root(g, root);
	if (optind >= argc)
		return run_bare("help", g);
	return run_named(argv[optind], argc - optind, argv + optind, g);
}

/*
 * For a scatman-CMD link: takes the global options that come first
 * (scatman-ps --root DIR -a) out of argv and returns the --root value.
 */
static const char *take_leading_globals(int *argc, char **argv)
{
	const char *root = NULL;
	int level;

	while (*argc > 1) {
		const char *opt = argv[1], *val;
		int used = 2;

		if (str_has_prefix(opt, "--root=") ||
		    str_has_prefix(opt, "--log-level=")) {
			val = strchr(opt, '=') + 1;
			used = 1;
		} else if ((!strcmp(opt, "--root") ||
			    !strcmp(opt, "--log-level")) && *argc > 2) {
			val = argv[2];
		} else {
			break;
		}
		if (opt[2] == 'r') {
			root = val;
		} else {
			level = log_parse_level(val);
			if (level < 0)
				die_usage("invalid log level '%s'", val);
			log_set_level(level);
		}
		memmove(argv + 1, argv + 1 + used,
			(size_t)(*argc - used) * sizeof(*argv));
		*argc -= used;
	}
	return root;
}

int main(int argc, char **argv)
{
	struct gopts g = { 0 };
	static char *fallback[] = { "scatman", NULL };
	const char *base;
	const struct applet *a;

	g.self = self_path();
	base = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
	base = base ? base + 1 : (argc > 0 && argv[0] ? argv[0] : "scatman");
	if (argc < 1) {
		argc = 1;
		argv = fallback;
	}

	/* "make static" names the binary scatman-static: still the manager. */
	if (str_has_prefix(base, "scatman-") && strcmp(base, "scatman-static")) {
		a = applet_find(base + 8, AF_CMD);
		if (!a)
			return unknown_command(base + 8);
		gopts_default_root(&g, take_leading_globals(&argc, argv));
		argv[0] = (char *)a->name;
		return applet_run(a, argc, argv, &g);
	}
	a = applet_find(base, AF_TOOL);
	if (a)
		return applet_run(a, argc, argv, &g);
	return scatman_main(argc, argv, &g);
}
