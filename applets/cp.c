// SPDX-License-Identifier: MIT
/*
 * cp: copy files and directories between a chroot and the host, as
 * podman cp: SRC and DEST are a host path, NAME:PATH for a chroot
 * (running or not) or "-" for a tar stream on stdin or stdout.
 *
 * Paths inside a chroot are resolved inside its root: "..", absolute and
 * relative symlinks never lead out of it. The copy itself runs inside the
 * chroot's user namespace, so files copied in belong to the chroot's root
 * (or keep their ids with -a) through its id map, and files owned by its
 * subordinate ids can be read when copying out; files copied out belong
 * to the caller. Modes and times are kept.
 *
 * Deviation: -L follows a symlink named by a chroot path (inside the
 * chroot); symlinks below it are copied as links.
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
#include "../core/chroot.h"
#include "../core/copy.h"
#include "../core/log.h"
#include "../core/safepath.h"
#include "../core/tar.h"
#include "../core/unpack.h"
#include "../core/util.h"

const char cp_usage[] =
	"Usage: scatman cp [options] SRC DEST\n"
	"\n"
	"Copy files/folders between a chroot and the local filesystem.\n"
	"SRC or DEST is NAME:PATH for a path in a chroot; \"-\" reads a tar\n"
	"archive from stdin (DEST a directory) or writes one to stdout.\n"
	"\n"
	"Options:\n"
	"  -a, --archive       keep the user and group ids of the files\n"
	"  -L, --follow-link   follow a symlink named by SRC\n"
	"  -h, --help          show this help\n";

/* One side of the copy. */
struct side {
	const char *arg;
	struct chroot c;
	bool in_chroot, stream;
	const char *path;	/* inside the chroot, or on the host */
};

struct cp_job {
	struct side src, dst;
	bool archive, follow;
	int rootfd;		/* the chroot's rootfs, O_PATH */
};

/* "NAME:PATH" names a chroot unless it starts like a host path. */
static void side_parse(struct side *s, const char *arg, const char *root)
{
	const char *colon = strchr(arg, ':');
	struct err e = ERR_INIT;
	char *name;

	memset(s, 0, sizeof(*s));
	s->arg = arg;
	s->path = arg;
	if (!strcmp(arg, "-")) {
		s->stream = true;
		return;
	}
	if (!colon || arg[0] == '/' || arg[0] == '.')
		return;
	name = xstrndup(arg, (size_t)(colon - arg));
	if (chroot_find(root, name, &s->c, &e) < 0)
		die_err(&e);
	free(name);
	s->in_chroot = true;
	s->path = *(colon + 1) ? colon + 1 : "/";
}

static void on_error(void *arg, const struct err *e)
{
	log_error("%s", e->msg);
}

/* A chroot path as a directory fd and a name in it; with follow, a final
 * symlink is followed inside the chroot (at most 40 times). */
static int chroot_entry(int rootfd, const char *path, bool follow,
			char **name, struct err *err)
{
	char *cur = xstrdup(path), target[4097];
	int fd = -1;

	for (int hops = 0; hops < 40; hops++) {
		struct stat st;
		ssize_t n;
		char *next, *dir;

		fd = safepath_open_parent(rootfd, cur, name, err);
		if (fd < 0 || !follow ||
		    fstatat(fd, *name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISLNK(st.st_mode))
			break;
		n = readlinkat(fd, *name, target, sizeof(target) - 1);
		if (n < 0)
			break;
		target[n] = '\0';
		dir = xstrdup(cur);
		next = target[0] == '/' ? xstrdup(target)
					: path_join(dirname(dir), target);
		free(dir);
		free(cur);
		cur = next;
		free(*name);
		close(fd);
		fd = -1;
	}
	free(cur);
	if (fd < 0 && !err->msg[0])
		err_set(err, ELOOP, "cannot resolve '%s'", path);
	return fd;
}

/* The last component of a path, "." for the root, malloc'd. */
static char *last_name(const char *path)
{
	char *b = path_basename(path);

	if (!strcmp(b, "/") || !strcmp(b, "..")) {
		free(b);
		b = xstrdup(".");
	}
	return b;
}

/*
 * Where a copy named name goes for a destination path: into it when it is
 * an existing directory, else as the path itself. chroot paths resolve in
 * rootfd (rootfd < 0: a host path). Returns the directory fd and sets
 * *dname (malloc'd).
 */
static int dest_entry(int rootfd, const char *path, const char *name,
		      char **dname, struct err *err)
{
	size_t len = strlen(path);
	int fd;

	fd = rootfd >= 0 ? safepath_open(rootfd, path, O_PATH | O_DIRECTORY,
					 0, err)
			 : open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		*dname = xstrdup(name);
		return fd;
	}
	*err = (struct err)ERR_INIT;
	if (len && path[len - 1] == '/')
		return err_set(err, ENOENT, "destination '%s' is not a "
			       "directory", path);
	if (rootfd >= 0)
		return safepath_open_parent(rootfd, path, dname, err);
	{
		char *d = xstrdup(path);

		fd = open(dirname(d), O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			err_set(err, errno, "cannot open '%s'", d);
		free(d);
		*dname = last_name(path);
		return fd;
	}
}

static int write_out(void *ctx, const void *buf, size_t len, struct err *err)
{
	if (write_all(*(int *)ctx, buf, len) < 0)
		return err_set(err, errno, "cannot write the archive");
	return 0;
}

/* The source as a directory fd and a name in it. */
static int src_entry(const struct cp_job *j, char **sname, struct err *err)
{
	char *d;
	int fd;

	if (j->src.in_chroot)
		return chroot_entry(j->rootfd, j->src.path, j->follow, sname,
				    err);
	d = xstrdup(j->src.path);
	fd = open(dirname(d), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		err_set(err, errno, "cannot open '%s'", d);
	free(d);
	*sname = last_name(j->src.path);
	return fd;
}

/* File to file or directory, either way; runs in the user namespace. */
static int job_copy(struct cp_job *j, struct err *err)
{
	struct copy_opts o = {
		.recursive = true, .special = true, .keep_mode = true,
		.keep_times = true, .on_error = on_error,
	};
	char *sname = NULL, *dname = NULL, *name;
	int sfd, dfd = -1, r = -1;

	if (j->dst.in_chroot) {
		o.keep_owner = j->archive;
		o.set_owner = !j->archive;	/* the chroot's root */
	}
	o.deref_top = j->follow && !j->src.in_chroot;
	sfd = src_entry(j, &sname, err);
	if (sfd < 0)
		goto out_free;
	name = last_name(j->src.path);
	dfd = dest_entry(j->dst.in_chroot ? j->rootfd : -1, j->dst.path,
			 name, &dname, err);
	free(name);
	if (dfd < 0)
		goto out_close;
	r = copy_at(sfd, sname, j->src.arg, dfd, dname, j->dst.arg, &o, err);
	if (r < 0)
		err_set(err, 0, "copying '%s' to '%s' failed", j->src.arg,
			j->dst.arg);
	close(dfd);
out_close:
	close(sfd);
out_free:
	free(sname);
	free(dname);
	return r;
}

/* "-" to NAME:DIR: the archive on stdin unpacked, contained in DIR. */
static int job_tar_in(struct cp_job *j, struct err *err)
{
	struct unpack_opts o = {
		.chown = true, .keep_perms = true,
		.uid_span = idmap_uid_span(&j->dst.c.cfg.idmap),
		.gid_span = idmap_gid_span(&j->dst.c.cfg.idmap),
	};
	int fd, r;

	fd = safepath_open(j->rootfd, j->dst.path, O_RDONLY | O_DIRECTORY,
			   0, err);
	if (fd < 0)
		return -1;
	r = unpack_stream(fd, STDIN_FILENO, &o, NULL, err);
	close(fd);
	return r;
}

/* NAME:PATH to "-": PATH as a tar archive on stdout. */
static int job_tar_out(struct cp_job *j, struct err *err)
{
	int out = STDOUT_FILENO, sfd, r = -1;
	struct tar_writer *w;
	char *sname, *arc;

	sfd = chroot_entry(j->rootfd, j->src.path, j->follow, &sname, err);
	if (sfd < 0)
		return -1;
	arc = last_name(j->src.path);
	w = tar_writer_new(write_out, &out);
	if (copy_to_tar(sfd, sname, arc, w, err) == 0)
		r = tar_writer_finish(w, err);
	else
		tar_writer_free(w);
	free(arc);
	free(sname);
	close(sfd);
	return r;
}

/* In the chroot's user namespace (or a plain child as root). */
static int job_run(void *arg)
{
	struct cp_job *j = arg;
	struct err e = ERR_INIT;
	int r;

	if (j->src.stream)
		r = job_tar_in(j, &e);
	else if (j->dst.stream)
		r = job_tar_out(j, &e);
	else
		r = job_copy(j, &e);
	if (r < 0 && e.msg[0])
		log_error("%s", e.msg);
	return r < 0 ? 1 : 0;
}

int cp_main(int argc, char **argv, struct gopts *g)
{
	static const struct option longopts[] = {
		{ "archive", no_argument, NULL, 'a' },
		{ "follow-link", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cp_job j = { .rootfd = -1 };
	const struct chroot *c;
	struct err e = ERR_INIT;
	char *rootfs;
	int ch, r;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:aLh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			j.archive = true;
			break;
		case 'L':
			j.follow = true;
			break;
		case 'h':
			applet_usage_exit("cp", AF_CMD);
		default:
			die_bad_option(ch, argv);
		}
	}
	if (argc - optind != 2)
		die_usage("cp requires exactly two arguments, SRC and DEST");
	side_parse(&j.src, argv[optind], g->root);
	side_parse(&j.dst, argv[optind + 1], g->root);
	if (j.src.in_chroot == j.dst.in_chroot)
		die("one of SRC and DEST must be a chroot path (NAME:PATH)");
	if ((j.src.stream && !j.dst.in_chroot) ||
	    (j.dst.stream && !j.src.in_chroot))
		die("a tar stream is copied to or from a chroot path");

	c = j.src.in_chroot ? &j.src.c : &j.dst.c;
	rootfs = path_join(c->dir, "rootfs");
	j.rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (j.rootfd < 0)
		die_errno("cannot open '%s'", rootfs);
	free(rootfs);
	fflush(stdout);
	r = userns_run(&c->cfg.idmap, 0, job_run, &j, &e);
	if (r < 0)
		die_err(&e);
	close(j.rootfd);
	chroot_release(&j.src.c);
	chroot_release(&j.dst.c);
	return r ? EXIT_ERR : 0;
}
