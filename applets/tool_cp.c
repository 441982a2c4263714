// SPDX-License-Identifier: MIT
/*
 * cp: copy files and directories, a POSIX cp with the GNU options people
 * use: -r/-R, -a, -p, -d, -f, -n, -L/-H/-P, -v, -t DIR, -T. Copying a
 * directory into itself is refused; with -R and -a devices and fifos are
 * made as such.
 *
 * TODO: --preserve=LIST, -u, -l/-s, --backup, xattrs and ACLs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/applet.h"
#include "../core/copy.h"
#include "../core/log.h"
#include "../core/util.h"

const char tool_cp_usage[] =
	"Usage: cp [OPTION]... SOURCE DEST\n"
	"   or: cp [OPTION]... SOURCE... DIRECTORY\n"
	"   or: cp [OPTION]... -t DIRECTORY SOURCE...\n"
	"\n"
	"Copy files and directories\n"
	"\n"
	"  -a, --archive          -dR with modes, owners, times and hard links\n"
	"  -d                     copy symlinks as symlinks, keep hard links\n"
	"  -f, --force            remove a destination that cannot be opened\n"
	"  -H                     follow symlinks named on the command line\n"
	"  -L, --dereference      follow every symlink in SOURCE\n"
	"  -n, --no-clobber       do not overwrite an existing file\n"
	"  -P, --no-dereference   never follow symlinks in SOURCE\n"
	"  -p                     keep mode, ownership and times\n"
	"  -R, -r, --recursive    copy directories recursively\n"
	"  -t, --target-directory=DIR  copy all SOURCEs into DIR\n"
	"  -T, --no-target-directory   treat DEST as a normal file\n"
	"  -v, --verbose          explain what is being done\n"
	"      --help             show this help\n";

struct cp_args {
	struct copy_opts co;
	const char *target;
	bool no_target, deref_set, nderef;
};

static void on_copy(void *arg, const char *src, const char *dst)
{
	printf("'%s' -> '%s'\n", src, dst);
}

static void on_error(void *arg, const struct err *e)
{
	log_error("%s", e->msg);
}

/* Copies src to dst, which names the new entry itself. */
static int copy_one(const struct cp_args *a, const char *src,
		    const char *dst)
{
	char *sdir = path_dirname(src), *sbase = path_basename(src);
	char *ddir = path_dirname(dst), *dbase = path_basename(dst);
	struct err e = ERR_INIT;
	int sfd, dfd, r = -1;

	sfd = open(sdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0) {
		log_error("cannot stat '%s': %s", src, strerror(errno));
		goto out_free;
	}
	dfd = open(ddir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		log_error("cannot create '%s': %s", dst, strerror(errno));
		goto out_close_sfd;
	}
	if (!strcmp(sbase, "/"))
		strcpy(sbase, ".");
	r = copy_at(sfd, sbase, src, dfd, dbase, dst, &a->co, &e);
	close(dfd);
out_close_sfd:
	close(sfd);
out_free:
	free(sdir);
	free(sbase);
	free(ddir);
	free(dbase);
	return r;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Into directory dir as dir/basename(src). */
static int copy_into(const struct cp_args *a, const char *src,
		     const char *dir)
{
	char *b = path_basename(src), *dst = path_join(dir, b);
	int r = copy_one(a, src, dst);

	free(b);
	free(dst);
	return r;
}

static int parse(struct cp_args *a, int argc, char **argv)
{
	enum { OPT_HELP = 256 };
	static const struct option longopts[] = {
		{ "archive", no_argument, NULL, 'a' },
		{ "dereference", no_argument, NULL, 'L' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-clobber", no_argument, NULL, 'n' },
		{ "no-dereference", no_argument, NULL, 'P' },
		{ "recursive", no_argument, NULL, 'R' },
		{ "target-directory", required_argument, NULL, 't' },
		{ "no-target-directory", no_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct copy_opts *o = &a->co;
	int ch;

	/* permuting, as GNU cp: "cp a b -r" */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":adfHLnPpRrt:Tv", longopts,
				 NULL)) != -1) {
		switch (ch) {
		case 'a':
			o->recursive = o->special = o->keep_links = true;
			o->keep_mode = o->keep_owner = o->keep_times = true;
			a->nderef = true;
			break;
		case 'd':
			o->keep_links = a->nderef = true;
			break;
		case 'f':
			o->force = true;
			break;
		case 'H':
			o->deref_top = a->deref_set = true;
			break;
		case 'L':
			o->deref = a->deref_set = true;
			a->nderef = false;
			break;
		case 'n':
			o->no_clobber = true;
			break;
		case 'P':
			a->nderef = a->deref_set = true;
			o->deref = false;
			break;
		case 'p':
			o->keep_mode = o->keep_owner = o->keep_times = true;
			break;
		case 'R':
		case 'r':
			o->recursive = o->special = true;
			break;
		case 't':
			a->target = optarg;
			break;
		case 'T':
			a->no_target = true;
			break;
		case 'v':
			o->on_copy = on_copy;
			break;
		case OPT_HELP:
			applet_usage_exit("cp", AF_TOOL);
		default:
			die_bad_option(ch, argv);
		}
	}
	/* without -R, symlinks are followed unless -P or -d says not */
	if (!o->recursive && !a->nderef && !a->deref_set)
		o->deref = true;
	if (a->nderef && !o->deref_top)
		o->deref = false;
	o->owner_strict = geteuid() == 0;
	o->on_error = on_error;
	return optind;
}

int tool_cp_main(int argc, char **argv, struct gopts *g)
{
	struct cp_args a = { 0 };
	const char *dest;
	int first, nsrc, status = 0;

	log_set_exit_code(1);
	first = parse(&a, argc, argv);
	nsrc = argc - first - (a.target ? 0 : 1);
	if (argc - first < 1)
		die_usage("missing file operand");
	if (nsrc < 1)
		die_usage("missing destination file operand after '%s'",
			  argv[first]);
	dest = a.target ? a.target : argv[argc - 1];
	if (a.no_target && (nsrc > 1 || a.target))
		die_usage("extra operand '%s'", argv[first + 1]);
	if ((a.target || nsrc > 1) && !is_dir(dest))
		die("target '%s' is not a directory", dest);

	for (int i = first; i < first + nsrc; i++) {
		int r;

		if (!a.no_target && (a.target || nsrc > 1 || is_dir(dest)))
			r = copy_into(&a, argv[i], dest);
		else
			r = copy_one(&a, argv[i], dest);
		if (r < 0)
			status = 1;
	}
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}
