/* SPDX-License-Identifier: MIT */
/*
 * tar: create, extract and list archives with the project's tar reader and
 * writer. Extraction applies the same containment as image layers: no
 * member lands outside the target directory. Owners are numeric only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "../core/applet.h"
#include "../core/decompress.h"
#include "../core/log.h"
#include "../core/tar.h"
#include "../core/unpack.h"
#include "../core/util.h"

const char tar_usage[] =
	"Usage: tar -c|-x|-t [OPTION...] [FILE...]\n"
	"\n"
	"Create, extract or list tar archives (ustar, GNU, PAX).\n"
	"\n"
	"  -c, --create          create an archive of FILEs\n"
	"  -x, --extract         extract an archive\n"
	"  -t, --list            list an archive\n"
	"  -f, --file ARCHIVE    archive file, - for stdin/stdout (default -)\n"
	"  -C, --directory DIR   change to DIR first\n"
	"  -z, --gzip            compress with gzip (create)\n"
	"      --zstd            compress with zstd (create)\n"
	"  -v, --verbose         list the members processed\n"
	"  -p, --same-permissions  keep modes as archived (default for root)\n"
	"      --same-owner      set owners from the archive (default for root)\n"
	"      --no-same-owner   leave files owned by the user extracting\n"
	"      --numeric-owner   owners by number (always the case here)\n"
	"      --exclude PATTERN leave out members matching PATTERN\n"
	"      --oci-whiteouts   apply OCI .wh. whiteouts when extracting\n"
	"\n"
	"Compression is detected on extraction (gzip, zstd or none).\n";

enum {
	OPT_ZSTD = 1000,
	OPT_SAME_OWNER,
	OPT_NO_SAME_OWNER,
	OPT_NUMERIC,
	OPT_EXCLUDE,
	OPT_OCI,
};

struct tar_args {
	char mode;
	const char *file;
	const char *dir;
	enum compression comp;
	int verbose;
	bool perms, owner, oci;
	char **excludes;
	size_t nexcludes;
	int exit_code;
};

static bool excluded(const char *name, void *arg)
{
	const struct tar_args *a = arg;
	const char *p;
	size_t i;

	/* As GNU tar: a pattern matches any trailing part of the name that
	 * starts at a component, and everything below a match. */
	for (i = 0; i < a->nexcludes; i++) {
		for (p = name; p; p = strchr(p, '/'), p = p ? p + 1 : p)
			if (!fnmatch(a->excludes[i], p, FNM_LEADING_DIR))
				return true;
	}
	return false;
}

static void list_entry(FILE *out, const struct tar_entry *e, int verbose)
{
	static size_t width = 19;
	char mode[11], when[32], ids[64], size[48];
	struct tm tm;
	size_t pad;
	time_t t = e->mtime;

	if (!verbose) {
		fprintf(out, "%s\n", e->path);
		return;
	}
	tar_mode_string(e, mode);
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	snprintf(ids, sizeof(ids), "%llu/%llu", (unsigned long long)e->uid,
		 (unsigned long long)e->gid);
	if (e->type == TAR_CHR || e->type == TAR_BLK)
		snprintf(size, sizeof(size), "%u,%u", e->devmajor, e->devminor);
	else
		snprintf(size, sizeof(size), "%llu",
			 (unsigned long long)e->size);
	/* GNU tar's column: ids and size share a width that only grows. */
	pad = strlen(ids) + 1 + strlen(size);
	if (pad > width)
		width = pad;
	fprintf(out, "%s %s %*s %s %s", mode, ids,
		(int)(width - strlen(ids) - 1), size, when, e->path);
	if (e->type == TAR_SYMLINK)
		fprintf(out, " -> %s", e->linkpath);
	else if (e->type == TAR_HARDLINK)
		fprintf(out, " link to %s", e->linkpath);
	fputc('\n', out);
}

static void verbose_cb(const struct tar_entry *e, void *arg)
{
	const struct tar_args *a = arg;

	/* With -cf -, the archive is on stdout: list on stderr. */
	list_entry(a->mode == 'c' && !strcmp(a->file, "-") ? stderr : stdout,
		   e, a->verbose > 1);
}

static int open_archive(const struct tar_args *a, int flags)
{
	int fd;

	if (!strcmp(a->file, "-"))
		return (flags & O_WRONLY) ? 1 : 0;
	fd = open(a->file, flags | O_CLOEXEC, 0666);
	if (fd < 0)
		die_errno("cannot open '%s'", a->file);
	return fd;
}

static ssize_t read_fd(void *ctx, void *buf, size_t len, struct err *err)
{
	struct dstream *d = ctx;

	return dstream_read(d, buf, len, err);
}

static int do_list(struct tar_args *a)
{
	struct err err = ERR_INIT;
	struct tar_reader *r;
	struct tar_entry *e;
	struct dstream *d;
	int fd = open_archive(a, O_RDONLY), n;

	d = dstream_open(fd, false, NULL, &err);
	if (!d)
		die_err(&err);
	r = tar_reader_new(read_fd, d);
	while ((n = tar_next(r, &e, &err)) > 0)
		if (!excluded(e->path, a))
			list_entry(stdout, e, a->verbose);
	if (n < 0)
		die_err(&err);
	tar_reader_free(r);
	dstream_close(d);
	return 0;
}

static int do_extract(struct tar_args *a)
{
	struct unpack_opts o = {
		.oci_whiteouts = a->oci,
		.chown = a->owner,
		.keep_perms = a->perms,
		.exclude = excluded,
		.exclude_arg = a,
		.verbose = a->verbose ? verbose_cb : NULL,
		.verbose_arg = a,
	};
	struct unpack_stats st;
	struct err err = ERR_INIT;
	int fd = open_archive(a, O_RDONLY), rootfd;

	o.umask = umask(0);
	umask(o.umask);
	rootfd = open(a->dir ? a->dir : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		die_errno("cannot open '%s'", a->dir ? a->dir : ".");
	if (unpack_stream(rootfd, fd, &o, &st, &err) < 0)
		die_err(&err);
	if (st.names_skipped)
		a->exit_code = 2;
	close(rootfd);
	return 0;
}

struct hardlink {
	dev_t dev;
	ino_t ino;
	char *name;
};

struct creator {
	struct tar_args *a;
	struct tar_writer *w;
	struct cstream *cs;
	struct hardlink *links;
	size_t nlinks;
	bool warned_leading;
};

static int write_cs(void *ctx, const void *buf, size_t len, struct err *err)
{
	return cstream_write(ctx, buf, len, err);
}

static int cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void add_path(struct creator *c, const char *path);

static void add_dir_contents(struct creator *c, const char *path)
{
	char **names = NULL;
	size_t n = 0, i;
	struct dirent *de;
	DIR *d = opendir(path);

	if (!d) {
		log_error("cannot open directory '%s': %s", path,
			  strerror(errno));
		c->a->exit_code = 2;
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		char *p = str_has_suffix(path, "/") ?
			  xasprintf("%s%s", path, names[i]) :
			  xasprintf("%s/%s", path, names[i]);

		add_path(c, p);
		free(p);
		free(names[i]);
	}
	free(names);
}

/* A file seen before under another name becomes a hard link to it. */
static const char *hardlink_seen(struct creator *c, const struct stat *st,
				 const char *name)
{
	size_t i;

	for (i = 0; i < c->nlinks; i++)
		if (c->links[i].dev == st->st_dev &&
		    c->links[i].ino == st->st_ino)
			return c->links[i].name;
	c->links = xrealloc(c->links, (c->nlinks + 1) * sizeof(*c->links));
	c->links[c->nlinks].dev = st->st_dev;
	c->links[c->nlinks].ino = st->st_ino;
	c->links[c->nlinks++].name = xstrdup(name);
	return NULL;
}

static void add_file_data(struct creator *c, const char *path,
			  uint64_t size)
{
	struct err err = ERR_INIT;
	char *buf = xmalloc(128 << 10);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = 0;

	if (fd < 0)
		die_errno("cannot open '%s'", path);
	while (size && (n = read(fd, buf, size < (128 << 10) ? size :
						    (128 << 10))) > 0) {
		if (tar_write_data(c->w, buf, n, &err) < 0)
			die_err(&err);
		size -= n;
	}
	if (n < 0)
		die_errno("cannot read '%s'", path);
	/* A file that shrank meanwhile is padded with zeros. */
	memset(buf, 0, 128 << 10);
	while (size) {
		size_t k = size < (128 << 10) ? size : (128 << 10);

		if (tar_write_data(c->w, buf, k, &err) < 0)
			die_err(&err);
		size -= k;
	}
	close(fd);
	free(buf);
}

static bool entry_from_stat(struct creator *c, struct tar_entry *e,
			    const char *path, const struct stat *st)
{
	char target[4096];
	const char *first;
	ssize_t n;

	e->mode = st->st_mode & 07777;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
	e->mtime = st->st_mtim.tv_sec;
	if (S_ISREG(st->st_mode)) {
		e->type = TAR_REG;
		e->size = st->st_size;
		first = st->st_nlink > 1 ? hardlink_seen(c, st, e->path) : NULL;
		if (first) {
			e->type = TAR_HARDLINK;
			e->linkpath = xstrdup(first);
			e->size = 0;
		}
	} else if (S_ISDIR(st->st_mode)) {
		e->type = TAR_DIR;
	} else if (S_ISLNK(st->st_mode)) {
		e->type = TAR_SYMLINK;
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			die_errno("cannot read link '%s'", path);
		target[n] = '\0';
		e->linkpath = xstrdup(target);
	} else if (S_ISFIFO(st->st_mode)) {
		e->type = TAR_FIFO;
	} else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
		e->type = S_ISCHR(st->st_mode) ? TAR_CHR : TAR_BLK;
		e->devmajor = major(st->st_rdev);
		e->devminor = minor(st->st_rdev);
	} else {
		log_warn("'%s': socket ignored", path);
		return false;
	}
	return true;
}

static void add_path(struct creator *c, const char *path)
{
	struct tar_entry e = { 0 };
	struct err err = ERR_INIT;
	const char *name = path;
	struct stat st;

	/* As GNU tar: member names never start with "/" or "../". */
	while (name[0] == '/' || str_has_prefix(name, "../")) {
		const char *next = name[0] == '/' ? name + 1 : name + 3;

		if (!*next)
			break;
		if (!c->warned_leading) {
			log_warn("removing leading '%.*s' from member names",
				 (int)(next - name), name);
			c->warned_leading = true;
		}
		name = next;
	}
	if (excluded(name, c->a))
		return;
	if (lstat(path, &st) < 0) {
		log_error("'%s': %s", path, strerror(errno));
		c->a->exit_code = 2;
		return;
	}
	e.path = xstrdup(name);
	if (!entry_from_stat(c, &e, path, &st))
		goto out_free;
	if (c->a->verbose)
		verbose_cb(&e, c->a);
	if (tar_write_header(c->w, &e, &err) < 0)
		die_err(&err);
	if (e.type == TAR_REG)
		add_file_data(c, path, e.size);
	else if (e.type == TAR_DIR)
		add_dir_contents(c, path);
out_free:
	free(e.path);
	free(e.linkpath);
}

static int do_create(struct tar_args *a, int argc, char **argv)
{
	struct creator c = { .a = a };
	struct err err = ERR_INIT;
	int fd, i;

	if (optind >= argc)
		die_usage("refusing to create an empty archive");
	fd = open_archive(a, O_WRONLY | O_CREAT | O_TRUNC);
	if (a->dir && chdir(a->dir) < 0)
		die_errno("cannot change to '%s'", a->dir);
	c.cs = cstream_open(fd, a->comp, &err);
	if (!c.cs)
		die_err(&err);
	c.w = tar_writer_new(write_cs, c.cs);
	for (i = optind; i < argc; i++)
		add_path(&c, argv[i]);
	if (tar_writer_finish(c.w, &err) < 0 || cstream_finish(c.cs, &err) < 0)
		die_err(&err);
	if (fd > 1 && close(fd) < 0)
		die_errno("cannot write '%s'", a->file);
	for (i = 0; (size_t)i < c.nlinks; i++)
		free(c.links[i].name);
	free(c.links);
	return 0;
}

static const struct option longopts[] = {
	{ "create", no_argument, NULL, 'c' },
	{ "extract", no_argument, NULL, 'x' },
	{ "get", no_argument, NULL, 'x' },
	{ "list", no_argument, NULL, 't' },
	{ "file", required_argument, NULL, 'f' },
	{ "directory", required_argument, NULL, 'C' },
	{ "gzip", no_argument, NULL, 'z' },
	{ "zstd", no_argument, NULL, OPT_ZSTD },
	{ "verbose", no_argument, NULL, 'v' },
	{ "same-permissions", no_argument, NULL, 'p' },
	{ "preserve-permissions", no_argument, NULL, 'p' },
	{ "same-owner", no_argument, NULL, OPT_SAME_OWNER },
	{ "no-same-owner", no_argument, NULL, OPT_NO_SAME_OWNER },
	{ "numeric-owner", no_argument, NULL, OPT_NUMERIC },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "oci-whiteouts", no_argument, NULL, OPT_OCI },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static void add_exclude(struct tar_args *a, const char *pat)
{
	char *p;
	size_t n;

	while (pat[0] == '.' && pat[1] == '/')
		pat += 2;
	p = xstrdup(pat);
	n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	a->excludes = xrealloc(a->excludes, (a->nexcludes + 1) *
			       sizeof(*a->excludes));
	a->excludes[a->nexcludes++] = p;
}

static void set_mode(struct tar_args *a, char m)
{
	if (a->mode && a->mode != m)
		die_usage("you may not specify more than one of -c, -x, -t");
	a->mode = m;
}

static void parse(struct tar_args *a, int argc, char **argv)
{
	int c;

	/* permuting, as GNU tar: "tar -cf x.tar dir --exclude dir/tmp" */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":cxtf:C:zvpo", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'c': case 'x': case 't': set_mode(a, c); break;
		case 'f': a->file = optarg; break;
		case 'C': a->dir = optarg; break;
		case 'z': a->comp = COMP_GZIP; break;
		case OPT_ZSTD: a->comp = COMP_ZSTD; break;
		case 'v': a->verbose++; break;
		case 'p': a->perms = true; break;
		case OPT_SAME_OWNER: a->owner = true; break;
		case 'o': case OPT_NO_SAME_OWNER: a->owner = false; break;
		case OPT_NUMERIC: break;
		case OPT_EXCLUDE:
			add_exclude(a, optarg);
			break;
		case OPT_OCI: a->oci = true; break;
		case 'h': applet_usage_exit("tar", AF_TOOL);
		default: die_bad_option(c, argv);
		}
	}
	if (!a->mode)
		die_usage("you must specify one of -c, -x, -t");
}

/* "tar xzf FILE": an old-style first argument without its dash. */
static char **old_style(int argc, char **argv)
{
	char **v;

	if (argc < 2 || argv[1][0] == '-' || !strpbrk(argv[1], "cxt"))
		return argv;
	v = xmalloc((argc + 1) * sizeof(*v));
	memcpy(v, argv, (argc + 1) * sizeof(*v));
	v[1] = xasprintf("-%s", argv[1]);
	return v;
}

int tar_main(int argc, char **argv, struct gopts *g)
{
	struct tar_args a = { .file = "-" };
	bool root = geteuid() == 0;
	char **args = old_style(argc, argv);
	size_t i;

	(void)g;
	log_set_exit_code(2);
	a.owner = root;
	a.perms = root;
	parse(&a, argc, args);
	if (a.mode == 't')
		do_list(&a);
	else if (a.mode == 'x')
		do_extract(&a);
	else
		do_create(&a, argc, args);
	if (fflush(stdout))
		die_errno("cannot write the listing");
	for (i = 0; i < a.nexcludes; i++)
		free(a.excludes[i]);
	free(a.excludes);
	if (args != argv) {
		free(args[1]);
		free(args);
	}
	return a.exit_code;
}
