/* SPDX-License-Identifier: MIT */
/* The applet table and dispatch: commands and bundled utilities. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "applet.h"
#include "chroot.h"
#include "log.h"
#include "util.h"

const struct applet applet_table[] = {
#define APPLET(name, id, flags, summary)                                     \
	{ #name, id##_main, id##_usage, flags, summary },
#include "../applets/applets.def"
#undef APPLET
};

const size_t applet_count = ARRAY_SIZE(applet_table);

static int applet_cmp(const void *key, const void *elem)
{
	const struct applet *a = elem;

	return strcmp(key, a->name);
}

const struct applet *applet_find(const char *name, unsigned kind)
{
	const struct applet *a;

	a = bsearch(name, applet_table, applet_count, sizeof(*a), applet_cmp);
	if (!a)
		return NULL;
	/* At most two entries share a name: step back to the first one. */
	if (a > applet_table && !strcmp(a[-1].name, name))
		a--;
	for (; a < applet_table + applet_count && !strcmp(a->name, name); a++)
		if (a->flags & kind)
			return a;
	return NULL;
}

void applet_help_exit(const struct applet *a)
{
	fputs(a->usage, stdout);
	exit(fflush(stdout) ? EXIT_ERR : 0);
}

void applet_usage_exit(const char *name, unsigned kind)
{
	const struct applet *a = applet_find(name, kind);

	if (!a)
		die("no help for '%s'", name);
	applet_help_exit(a);
}

int applet_run(const struct applet *a, int argc, char **argv,
	       struct gopts *g)
{
	char prog[64], cmd[64];

	if (a->flags & AF_TOOL) {
		log_set_prog(a->name, a->name);
		/* Utilities fail with 1, as the tools they stand in for. */
		log_set_exit_code(1);
	} else {
		snprintf(prog, sizeof(prog), "scatman: %s", a->name);
		snprintf(cmd, sizeof(cmd), "scatman %s", a->name);
		log_set_prog(prog, cmd);
	}
	if (argc > 1 && (!strcmp(argv[1], "--help") ||
			 (!strcmp(argv[1], "-h") &&
			  !(a->flags & (AF_TOOL | AF_OWN_H)))))
		applet_help_exit(a);
	if (!g->root && !(a->flags & (AF_TOOL | AF_NO_ROOT)))
		die("cannot find a storage root: set HOME, XDG_DATA_HOME or "
		    "SCATMAN_ROOT, or pass --root");
	optind = 0;
	/* Applets report option errors themselves, in one line
	 * (die_bad_option). */
	opterr = 0;
	return a->main(argc, argv, g);
}

void die_bad_option(int c, char **argv)
{
	const char *last = optind > 0 ? argv[optind - 1] : NULL;
	char opt[64];

	/* An unknown short option leaves its letter in optopt; an unknown long
	 * one leaves 0, and a long option missing its argument leaves its
	 * value: then the option's text is the argument just consumed. */
	if (optopt > 0 && optopt < 256 &&
	    (c == '?' || !last || strncmp(last, "--", 2)))
		snprintf(opt, sizeof(opt), "-%c", optopt);
	else if (last)
		snprintf(opt, sizeof(opt), "%.*s", (int)strcspn(last, "="),
			 last);
	else
		snprintf(opt, sizeof(opt), "?");
	if (c == ':')
		die_usage("option '%s' needs an argument", opt);
	die_usage("unknown option '%s'", opt);
}

int applet_each_chroot(const char *root, bool all, bool running_only,
		       char **names, int n,
		       int (*fn)(struct chroot *c, const char *shown, void *arg),
		       void *arg)
{
	struct err err = ERR_INIT;
	struct chroot *list, c;
	int status = 0, r;
	size_t count;

	if (all) {
		if (chroot_list(root, &list, &count, &err) < 0)
			die_err(&err);
		for (size_t k = 0; k < count; k++) {
			if (!running_only || chroot_is_running(&list[k])) {
				r = fn(&list[k], list[k].cfg.id, arg);
				status = status ? status : r;
			}
			chroot_release(&list[k]);
		}
		free(list);
		return status;
	}
	for (int i = 0; i < n; i++) {
		if (chroot_find(root, names[i], &c, &err) < 0) {
			log_error("%s", err.msg);
			status = status ? status : EXIT_ERR;
			continue;
		}
		r = fn(&c, names[i], arg);
		status = status ? status : r;
		chroot_release(&c);
	}
	return status;
}

int parse_bool_flag(const char *name, const char *v)
{
	if (!v || !strcasecmp(v, "true") || !strcmp(v, "1"))
		return 1;
	if (!strcasecmp(v, "false") || !strcmp(v, "0"))
		return 0;
	die_usage("invalid value '%s' for --%s: want true or false", v, name);
}

void gopts_default_root(struct gopts *g, const char *opt_root)
{
	const char *env = getenv("SCATMAN_ROOT");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (!home || !*home) {
		pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (opt_root && *opt_root)
		g->root = xstrdup(opt_root);
	else if (env && *env)
		g->root = xstrdup(env);
	else if (xdg && *xdg == '/')
		g->root = path_join(xdg, "scatman");
	else if (home && *home)
		g->root = path_join(home, ".local/share/scatman");
	else
		return;	/* only the commands that need storage complain */
	if (g->root[0] != '/') {
		char cwd[4096];

		if (!getcwd(cwd, sizeof(cwd)))
			die_errno("cannot resolve storage root '%s'", g->root);
		g->root = path_join(cwd, g->root);
	}
}
