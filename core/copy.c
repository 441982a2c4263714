// SPDX-License-Identifier: MIT
/* Copying files and trees relative to directory descriptors: regular
 * files, directories, symlinks, devices and fifos, with modes, owners,
 * times and hard links kept on request. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "copy.h"
#include "tar.h"
#include "util.h"

struct link_seen {
	dev_t dev;
	ino_t ino;
	int dfd;		/* dup of the directory it was copied into */
	char *name;
};

struct cwalk {
	const struct copy_opts *o;
	struct err *err;
	int failed;
	mode_t umask;
	struct link_seen *links;
	size_t nlinks;
	/* the directories being copied, from the top down to the current
	 * one: a directory reached again below itself (through a followed
	 * symlink) is a cycle */
	struct dir_seen {
		dev_t dev;
		ino_t ino;
	} *path;
	size_t depth, path_cap;
};

/* Records a failure; returns -1 when the copy must stop. */
static int fail(struct cwalk *w, int errnum, const char *fmt,
		const char *path)
{
	struct err e = ERR_INIT;

	err_set(&e, errnum, fmt, path);
	if (!w->failed++)
		*w->err = e;
	if (!w->o->on_error)
		return -1;
	w->o->on_error(w->o->arg, &e);
	return 0;
}

static int copy_data(int in, int out)
{
	char buf[65536];
	ssize_t n;

	for (;;) {
		n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n < 0)
			break;
	}
	if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
	    errno != EOPNOTSUPP && errno != EBADF)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write_all(out, buf, (size_t)n) < 0)
			return -1;
	}
	return 0;
}

/* The entry whose metadata is set: an open fd, an O_PATH fd (devices,
 * fifos: opening them could block or act) or, for a symlink, dfd/name
 * with AT_SYMLINK_NOFOLLOW. */
struct meta_target {
	int fd;
	bool opath;
	int dfd;
	const char *name;
};

static int meta_chown(const struct meta_target *t, uid_t uid, gid_t gid)
{
	if (t->fd < 0)
		return fchownat(t->dfd, t->name, uid, gid, AT_SYMLINK_NOFOLLOW);
	return fchownat(t->fd, "", uid, gid, AT_EMPTY_PATH);
}

static int meta_chmod(const struct meta_target *t, mode_t mode)
{
	char link[64];

	if (!t->opath)
		return fchmod(t->fd, mode);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", t->fd);
	return chmod(link, mode);
}

static int meta_times(const struct meta_target *t, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	char link[64];

	if (t->fd < 0)
		return utimensat(t->dfd, t->name, ts, AT_SYMLINK_NOFOLLOW);
	if (!t->opath)
		return futimens(t->fd, ts);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", t->fd);
	return utimensat(AT_FDCWD, link, ts, 0);
}

/* Owner, mode and times, in that order: a chown clears set-id bits. */
static int apply_meta(struct cwalk *w, const struct meta_target *t,
		      const struct stat *st, bool created, const char *dpath)
{
	const struct copy_opts *o = w->o;
	uid_t uid = o->keep_owner ? st->st_uid : o->uid;
	gid_t gid = o->keep_owner ? st->st_gid : o->gid;
	mode_t mode = st->st_mode & 07777;

	if ((o->keep_owner || (o->set_owner && created)) &&
	    meta_chown(t, uid, gid) < 0 &&
	    (o->owner_strict || !o->keep_owner))
		return fail(w, errno, "failed to preserve ownership for '%s'",
			    dpath);
	if (!S_ISLNK(st->st_mode) &&
	    (o->keep_mode || (created && S_ISDIR(st->st_mode)))) {
		if (!o->keep_mode)
			mode &= ~w->umask;
		if (meta_chmod(t, mode) < 0)
			return fail(w, errno, "failed to set the mode of '%s'",
				    dpath);
	}
	if (o->keep_times && meta_times(t, st) < 0)
		return fail(w, errno, "failed to preserve times for '%s'",
			    dpath);
	return 0;
}

/* With keep_links: links dname to an earlier copy of the same inode.
 * Returns 1 when linked, 0 when this is the first, -1 on failure. */
static int hardlink(struct cwalk *w, const struct stat *st, int dfd,
		    const char *dname, const char *dpath)
{
	struct link_seen *l;

	if (!w->o->keep_links || S_ISDIR(st->st_mode) || st->st_nlink < 2)
		return 0;
	for (size_t i = 0; i < w->nlinks; i++) {
		l = &w->links[i];
		if (l->dev != st->st_dev || l->ino != st->st_ino)
			continue;
		if (linkat(l->dfd, l->name, dfd, dname, 0) == 0)
			return 1;
		return fail(w, errno, "cannot create hard link '%s'", dpath) ?
		       -1 : 1;
	}
	w->links = xrealloc(w->links, (w->nlinks + 1) * sizeof(*w->links));
	l = &w->links[w->nlinks++];
	l->dev = st->st_dev;
	l->ino = st->st_ino;
	l->dfd = dup(dfd);
	l->name = xstrdup(dname);
	return 0;
}

/* Opens the destination file for writing: a new one, or an existing one
 * truncated (-f: removed and made anew when it cannot be opened). */
static int open_dest(struct cwalk *w, int dfd, const char *dname,
		     mode_t mode, bool exists, bool *created)
{
	int fd;

	*created = !exists;
	if (exists) {
		fd = openat(dfd, dname, O_WRONLY | O_TRUNC | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd >= 0 || (!w->o->force && errno != ELOOP))
			return fd;
		if (unlinkat(dfd, dname, 0) < 0)
			return -1;
		*created = true;
	}
	return openat(dfd, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		      O_CLOEXEC, mode & 0777);
}

static int copy_reg(struct cwalk *w, int sfd, const char *sname,
		    const char *spath, const struct stat *st, int dfd,
		    const char *dname, const char *dpath, bool exists)
{
	bool created;
	int in, out, r;

	in = openat(sfd, sname, O_RDONLY | O_CLOEXEC |
		    (w->o->deref ? 0 : O_NOFOLLOW));
	if (in < 0)
		return fail(w, errno, "cannot open '%s' for reading", spath);
	out = open_dest(w, dfd, dname, st->st_mode, exists, &created);
	if (out < 0) {
		close(in);
		return fail(w, errno, "cannot create regular file '%s'", dpath);
	}
	r = copy_data(in, out);
	if (r < 0)
		r = fail(w, errno, "error copying to '%s'", dpath);
	else
		r = apply_meta(w, &(struct meta_target){ out, false, dfd, dname },
			       st, created, dpath);
	close(in);
	if (close(out) < 0 && r == 0)
		r = fail(w, errno, "error writing '%s'", dpath);
	return r;
}

static int copy_symlink(struct cwalk *w, int sfd, const char *sname,
			const char *spath, const struct stat *st, int dfd,
			const char *dname, const char *dpath, bool exists)
{
	char target[4097];
	ssize_t n = readlinkat(sfd, sname, target, sizeof(target) - 1);

	if (n < 0)
		return fail(w, errno, "cannot read symbolic link '%s'", spath);
	target[n] = '\0';
	if (exists && unlinkat(dfd, dname, 0) < 0)
		return fail(w, errno, "cannot remove '%s'", dpath);
	if (symlinkat(target, dfd, dname) < 0)
		return fail(w, errno, "cannot create symbolic link '%s'", dpath);
	return apply_meta(w, &(struct meta_target){ -1, false, dfd, dname },
			  st, true, dpath);
}

static int copy_special(struct cwalk *w, const struct stat *st, int dfd,
			const char *dname, const char *dpath, bool exists)
{
	struct stat now;
	int fd, r;

	if (exists && unlinkat(dfd, dname, 0) < 0)
		return fail(w, errno, "cannot remove '%s'", dpath);
	if (mknodat(dfd, dname, st->st_mode & (S_IFMT | 0777), st->st_rdev) < 0)
		return fail(w, errno, "cannot create special file '%s'", dpath);
	fd = openat(dfd, dname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail(w, errno, "cannot open '%s'", dpath);
	/* what we made, not something swapped in since (a symlink) */
	if (fstat(fd, &now) < 0 ||
	    (now.st_mode & S_IFMT) != (st->st_mode & S_IFMT)) {
		close(fd);
		return fail(w, EBUSY, "'%s' changed while copying", dpath);
	}
	r = apply_meta(w, &(struct meta_target){ fd, true, dfd, dname }, st,
		       true, dpath);
	close(fd);
	return r;
}

static int copy_entry(struct cwalk *w, int sfd, const char *sname,
		      const char *spath, int dfd, const char *dname,
		      const char *dpath, bool top);

/* The names in directory fd, sorted, without "." and "..". */
static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_names(int fd, size_t *n)
{
	int dfd = dup(fd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	char **v = NULL;

	*n = 0;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return NULL;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		v = xrealloc(v, (*n + 1) * sizeof(*v));
		v[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), name_cmp);
	return v ? v : xcalloc(1, sizeof(*v));
}

static int copy_children(struct cwalk *w, int in, const char *spath, int out,
			 const char *dpath)
{
	size_t n;
	char **names = list_names(in, &n);
	int r = 0;

	if (!names)
		return fail(w, errno, "cannot read directory '%s'", spath);
	for (size_t i = 0; i < n; i++) {
		char *sp = path_join(spath, names[i]);
		char *dp = path_join(dpath, names[i]);

		if (r == 0)
			r = copy_entry(w, in, names[i], sp, out, names[i], dp,
				       false);
		free(sp);
		free(dp);
		free(names[i]);
	}
	free(names);
	return r;
}

static int copy_dir(struct cwalk *w, int sfd, const char *sname,
		    const char *spath, const struct stat *st, int dfd,
		    const char *dname, const char *dpath, bool exists)
{
	int in, out, r;

	in = openat(sfd, sname, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
		    (w->o->deref ? 0 : O_NOFOLLOW));
	if (in < 0)
		return fail(w, errno, "cannot access '%s'", spath);
	/* made writable for its contents; the real mode comes after */
	if (!exists && mkdirat(dfd, dname, 0700) < 0) {
		close(in);
		return fail(w, errno, "cannot create directory '%s'", dpath);
	}
	out = openat(dfd, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	if (out < 0) {
		close(in);
		return fail(w, errno, "cannot open directory '%s'", dpath);
	}
	if (w->depth == w->path_cap) {
		w->path_cap = w->path_cap ? 2 * w->path_cap : 16;
		w->path = xrealloc(w->path, w->path_cap * sizeof(*w->path));
	}
	w->path[w->depth++] = (struct dir_seen){ st->st_dev, st->st_ino };
	r = copy_children(w, in, spath, out, dpath);
	w->depth--;
	if (r == 0 && (!exists || w->o->keep_mode || w->o->keep_owner ||
		       w->o->keep_times))
		r = apply_meta(w, &(struct meta_target){ out, false, dfd,
							 dname },
			       st, !exists, dpath);
	close(in);
	close(out);
	return r;
}

static bool on_path(const struct cwalk *w, const struct stat *st)
{
	for (size_t i = 0; i < w->depth; i++)
		if (w->path[i].dev == st->st_dev &&
		    w->path[i].ino == st->st_ino)
			return true;
	return false;
}

/* Refuses what cannot be copied over what exists; 1 to skip (-n). */
static int check_dest(struct cwalk *w, const struct stat *st,
		      const struct stat *dst, const char *spath,
		      const char *dpath)
{
	if (st->st_dev == dst->st_dev && st->st_ino == dst->st_ino)
		return fail(w, 0, "'%s' and the destination are the same file",
			    spath) ? -1 : 1;
	if (S_ISDIR(st->st_mode) && !S_ISDIR(dst->st_mode))
		return fail(w, 0, "cannot overwrite non-directory '%s' with "
			    "a directory", dpath) ? -1 : 1;
	if (!S_ISDIR(st->st_mode) && S_ISDIR(dst->st_mode))
		return fail(w, 0, "cannot overwrite directory '%s' with "
			    "non-directory", dpath) ? -1 : 1;
	if (w->o->no_clobber && !S_ISDIR(st->st_mode))
		return 1;
	return 0;
}

static int copy_entry(struct cwalk *w, int sfd, const char *sname,
		      const char *spath, int dfd, const char *dname,
		      const char *dpath, bool top)
{
	bool follow = w->o->deref || (top && w->o->deref_top);
	struct stat st, dst;
	bool exists;
	int r;

	if (fstatat(sfd, sname, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
		return fail(w, errno, "cannot stat '%s'", spath);
	if (S_ISDIR(st.st_mode) && !w->o->recursive)
		return fail(w, 0, "-r not specified; omitting directory '%s'",
			    spath);
	/* as GNU cp: warn, skip it, and fail at the end */
	if (S_ISDIR(st.st_mode) && on_path(w, &st))
		return fail(w, 0, "cannot copy cyclic symbolic link '%s'",
			    spath);
	exists = fstatat(dfd, dname, &dst, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists) {
		r = check_dest(w, &st, &dst, spath, dpath);
		if (r)
			return r < 0 ? -1 : 0;
	}
	r = hardlink(w, &st, dfd, dname, dpath);
	if (r)
		return r < 0 ? -1 : 0;
	if (w->o->on_copy)
		w->o->on_copy(w->o->arg, spath, dpath);
	if (S_ISDIR(st.st_mode))
		return copy_dir(w, sfd, sname, spath, &st, dfd, dname, dpath,
				exists);
	if (S_ISLNK(st.st_mode))
		return copy_symlink(w, sfd, sname, spath, &st, dfd, dname,
				    dpath, exists);
	if (S_ISREG(st.st_mode) || !w->o->special)
		return copy_reg(w, sfd, sname, spath, &st, dfd, dname, dpath,
				exists);
	return copy_special(w, &st, dfd, dname, dpath, exists);
}

bool copy_is_inside(int sfd, int dfd)
{
	struct stat s, d, up;
	int fd, next;

	if (fstat(sfd, &s) < 0 || fstat(dfd, &d) < 0)
		return false;
	fd = dup(dfd);
	for (int i = 0; fd >= 0 && i < 4096; i++) {
		if (d.st_dev == s.st_dev && d.st_ino == s.st_ino) {
			close(fd);
			return true;
		}
		next = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = next;
		if (fd < 0 || fstat(fd, &up) < 0 ||
		    (up.st_dev == d.st_dev && up.st_ino == d.st_ino))
			break;
		d = up;
	}
	if (fd >= 0)
		close(fd);
	return false;
}

int copy_at(int sfd, const char *sname, const char *spath, int dfd,
	    const char *dname, const char *dpath, const struct copy_opts *o,
	    struct err *err)
{
	struct cwalk w = { .o = o, .err = err };
	int in, r;

	w.umask = umask(0);
	umask(w.umask);
	/* a directory copied below itself would never end */
	in = openat(sfd, sname, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
		    (o->deref || o->deref_top ? 0 : O_NOFOLLOW));
	if (in >= 0 && o->recursive && copy_is_inside(in, dfd)) {
		close(in);
		err_set(err, 0, "cannot copy a directory, '%s', into itself, "
			"'%s'", spath, dpath);
		if (o->on_error)
			o->on_error(o->arg, err);
		return -1;
	}
	if (in >= 0)
		close(in);
	r = copy_entry(&w, sfd, sname, spath, dfd, dname, dpath, true);
	for (size_t i = 0; i < w.nlinks; i++) {
		close(w.links[i].dfd);
		free(w.links[i].name);
	}
	free(w.links);
	free(w.path);
	return r < 0 || w.failed ? -1 : 0;
}

/* Fills e from st for arcname; false for what tar cannot hold. */
static bool tar_entry_from(struct tar_entry *e, const struct stat *st,
			   const char *arcname)
{
	memset(e, 0, sizeof(*e));
	e->path = (char *)arcname;
	e->mode = st->st_mode & 07777;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
	e->mtime = st->st_mtim.tv_sec;
	e->mtime_ns = st->st_mtim.tv_nsec;
	e->devmajor = major(st->st_rdev);
	e->devminor = minor(st->st_rdev);
	if (S_ISREG(st->st_mode)) {
		e->type = TAR_REG;
		e->size = (uint64_t)st->st_size;
	} else if (S_ISDIR(st->st_mode)) {
		e->type = TAR_DIR;
	} else if (S_ISLNK(st->st_mode)) {
		e->type = TAR_SYMLINK;
	} else if (S_ISCHR(st->st_mode)) {
		e->type = TAR_CHR;
	} else if (S_ISBLK(st->st_mode)) {
		e->type = TAR_BLK;
	} else if (S_ISFIFO(st->st_mode)) {
		e->type = TAR_FIFO;
	} else {
		return false;
	}
	return true;
}

/* The file's data, exactly e->size bytes (zeros if it shrank). */
static int tar_file_data(int sfd, const char *sname, uint64_t size,
			 struct tar_writer *w, struct err *err)
{
	char buf[65536];
	int fd = openat(sfd, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n = 0;

	if (fd < 0)
		return err_set(err, errno, "cannot open '%s'", sname);
	while (size > 0) {
		size_t want = size < sizeof(buf) ? (size_t)size : sizeof(buf);

		n = read(fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			memset(buf, 0, want);
			n = (ssize_t)want;
		}
		if (tar_write_data(w, buf, (size_t)n, err) < 0) {
			close(fd);
			return -1;
		}
		size -= (uint64_t)n;
	}
	close(fd);
	return n < 0 ? err_set(err, errno, "cannot read '%s'", sname) : 0;
}

int copy_to_tar(int sfd, const char *sname, const char *arcname,
		struct tar_writer *w, struct err *err)
{
	char target[4097], **names;
	struct tar_entry e;
	struct stat st;
	size_t n;
	ssize_t len;
	int fd, r = 0;

	if (fstatat(sfd, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set(err, errno, "cannot stat '%s'", arcname);
	if (!tar_entry_from(&e, &st, arcname))
		return 0;	/* sockets have no place in an archive */
	if (e.type == TAR_SYMLINK) {
		len = readlinkat(sfd, sname, target, sizeof(target) - 1);
		if (len < 0)
			return err_set(err, errno, "cannot read '%s'", arcname);
		target[len] = '\0';
		e.linkpath = target;
	}
	if (tar_write_header(w, &e, err) < 0)
		return -1;
	if (e.type == TAR_REG)
		return tar_file_data(sfd, sname, e.size, w, err);
	if (e.type != TAR_DIR)
		return 0;
	fd = openat(sfd, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0)
		return err_set(err, errno, "cannot open '%s'", arcname);
	names = list_names(fd, &n);
	for (size_t i = 0; names && i < n; i++) {
		char *child = path_join(arcname, names[i]);

		if (r == 0)
			r = copy_to_tar(fd, names[i], child, w, err);
		free(child);
		free(names[i]);
	}
	free(names);
	close(fd);
	return r;
}
