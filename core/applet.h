/* SPDX-License-Identifier: MIT */
/* The applet table and dispatch: commands and bundled utilities. */
#ifndef SCATMAN_APPLET_H
#define SCATMAN_APPLET_H

#include <stdbool.h>
#include <stddef.h>

enum applet_flags {
	AF_CMD = 1 << 0,	/* a scatman command: scatman NAME, scatman-NAME */
	AF_TOOL = 1 << 1,	/* a bundled utility: a link named NAME */
	AF_HIDDEN = 1 << 2,	/* left out of the help listing */
	AF_OWN_H = 1 << 3,	/* -h is an option of the applet (create -h
				 * HOSTNAME), not a request for help */
	AF_NO_ROOT = 1 << 4,	/* runs without a storage root (help, version) */
};

/* Options given before the command name, honoured by every command. */
struct gopts {
	const char *root;	/* storage root; never NULL once parsed */
	const char *self;	/* absolute path of this binary (/proc/self/exe) */
};

struct applet {
	const char *name;
	int (*main)(int argc, char **argv, struct gopts *g);
	const char *usage;
	unsigned flags;
	const char *summary;
};

#define APPLET(name, id, flags, summary)                                     \
	int id##_main(int argc, char **argv, struct gopts *g);              \
	extern const char id##_usage[];
#include "../applets/applets.def"
#undef APPLET

extern const struct applet applet_table[];
extern const size_t applet_count;

/* Finds the applet called name whose flags include kind (AF_CMD or
 * AF_TOOL); NULL when there is none. */
const struct applet *applet_find(const char *name, unsigned kind);

/* Runs applet a with argv[0] its name; sets the log prefix, handles a
 * first argument of --help. Returns the exit status. */
int applet_run(const struct applet *a, int argc, char **argv,
	       struct gopts *g);

/* Prints a's usage text to stdout and exits 0. */
void applet_help_exit(const struct applet *a) __attribute__((noreturn));

/* Prints the usage of the running applet (by name and kind) and exits 0;
 * for "-h/--help" inside an applet's option loop. */
void applet_usage_exit(const char *name, unsigned kind)
	__attribute__((noreturn));

/*
 * Reports a getopt_long failure as one line naming the option, then exits
 * with the usage-error status. c is getopt's return value: ':' for a
 * missing argument (when the optstring starts with "+:" or ":"), '?' for an
 * unknown option. Call with opterr = 0 (applet_run sets it).
 */
void die_bad_option(int c, char **argv) __attribute__((noreturn));

struct chroot;

/*
 * The "NAME... | --all" loop of start, stop, kill and restart: runs fn on
 * every chroot (only the running ones when running_only) when all is set,
 * else on each of the n names, passing the name as given (the ID with
 * --all) as shown. A name that matches no chroot is reported and counts as
 * EXIT_ERR. Returns the first non-zero status.
 */
int applet_each_chroot(const char *root, bool all, bool running_only,
		       char **names, int n,
		       int (*fn)(struct chroot *c, const char *shown, void *arg),
		       void *arg);

/* Parses the value of a podman-style boolean flag (--tls-verify,
 * --tls-verify=false): none, "true" or "1" is 1, "false" or "0" is 0;
 * anything else is a usage error naming --name. */
int parse_bool_flag(const char *name, const char *value);

/* Fills g->root from --root, SCATMAN_ROOT, XDG_DATA_HOME or the home
 * directory; leaves it NULL when there is none (applet_run then refuses
 * every command that needs storage). */
void gopts_default_root(struct gopts *g, const char *opt_root);

#endif
