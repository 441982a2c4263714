// SPDX-License-Identifier: MIT
/* Removing and measuring directory trees without following symlinks or
 * crossing mounts. Every step works on file descriptors, so a tree that
 * changes under us (a running chroot) cannot redirect a removal outside. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "compat.h"
#include "rmtree.h"
#include "util.h"

struct walk {
	dev_t dev;		/* the filesystem of the top directory */
	uint64_t mnt_id;	/* its mount, when the kernel tells */
	bool have_mnt;
	bool modify;		/* removing (fix modes) or only measuring */
	struct err *err;
	int failed;
	char path[4096];	/* for messages: the entry being worked on */
	size_t plen;
	/* removing: how deep we are, the top directory, and directories
	 * moved up to it to be removed from there */
	int depth;
	int topfd;
	char **pending;
	size_t npending;
	unsigned long seq;
	/* measuring: sizes, and inodes with several links seen so far */
	uint64_t bytes;
	ino_t *inos;
	size_t ninos, cap;
};

static void walk_fail(struct walk *w, int errnum, const char *what)
{
	if (!w->failed++)
		err_set(w->err, errnum, "%s '%s'", what, w->path);
}

static size_t path_push(struct walk *w, const char *name)
{
	size_t old = w->plen;
	int n;

	n = snprintf(w->path + old, sizeof(w->path) - old, "%s%s",
		     old && w->path[old - 1] != '/' ? "/" : "", name);
	if (n > 0)
		w->plen = old + (size_t)n < sizeof(w->path) ?
			  old + (size_t)n : sizeof(w->path) - 1;
	return old;
}

static void path_pop(struct walk *w, size_t old)
{
	w->plen = old;
	w->path[old] = '\0';
}

static int stat_fd(int fd, struct statx *stx)
{
	return statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
		     STATX_TYPE | STATX_MODE | STATX_INO | STATX_SIZE |
		     STATX_NLINK | STATX_MNT_ID, stx);
}

static bool same_mount(const struct walk *w, const struct statx *stx)
{
	if (makedev(stx->stx_dev_major, stx->stx_dev_minor) != w->dev)
		return false;
	if (stx->stx_attributes_mask & STATX_ATTR_MOUNT_ROOT &&
	    stx->stx_attributes & STATX_ATTR_MOUNT_ROOT)
		return false;
	if (w->have_mnt && stx->stx_mask & STATX_MNT_ID &&
	    stx->stx_mnt_id != w->mnt_id)
		return false;
	return true;
}

/* Grants the owner rwx on the directory behind an O_PATH descriptor; the
 * /proc link reaches exactly that inode, never a path that was swapped. */
static int dir_fix_mode(int pfd, mode_t mode)
{
	char link[64];

	if ((mode & 0700) == 0700)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", pfd);
	return chmod(link, (mode & 07777) | 0700);
}

/*
 * Opens the directory name under dirfd for reading, refusing symlinks
 * and other mounts. Returns the fd, or -1 with errno (ENOTDIR when name
 * is not a directory, EXDEV when it is on another mount).
 */
static int dir_open(struct walk *w, int dirfd, const char *name)
{
	struct statx stx;
	int pfd, fd = -1, e;

	pfd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return -1;
	if (stat_fd(pfd, &stx) < 0)
		goto out_close_pfd;
	errno = ENOTDIR;
	if (!S_ISDIR(stx.stx_mode))
		goto out_close_pfd;
	errno = EXDEV;
	if (!same_mount(w, &stx))
		goto out_close_pfd;
	if (w->modify && dir_fix_mode(pfd, stx.stx_mode) < 0)
		goto out_close_pfd;
	fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
out_close_pfd:
	e = errno;
	close(pfd);
	errno = e;
	return fd;
}

/* The names in directory fd, without "." and "..": a NULL-ended malloc'd
 * vector, so no directory stream stays open while we recurse. */
static char **dir_names(int fd)
{
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int dfd;
	DIR *d;

	dfd = dup(fd);
	if (dfd < 0)
		return NULL;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return NULL;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n + 2 > cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (!v)
		v = xcalloc(1, sizeof(*v));
	v[n] = NULL;
	return v;
}

static void names_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void rm_entry(struct walk *w, int dirfd, const char *name);

static void rm_contents(struct walk *w, int fd)
{
	char **names = dir_names(fd);

	if (!names) {
		walk_fail(w, errno, "cannot read directory");
		return;
	}
	for (size_t i = 0; names[i]; i++)
		rm_entry(w, fd, names[i]);
	names_free(names);
}

/*
 * A descriptor per level would run out in a deep (or hostile) tree: past
 * RM_DEPTH_MAX levels a directory is renamed into the top directory and
 * removed from there later. A rename never leaves the filesystem.
 */
#define RM_DEPTH_MAX 32

static bool defer_deep(struct walk *w, int dirfd, const char *name)
{
	char tmp[64];

	if (w->depth < RM_DEPTH_MAX || w->topfd < 0)
		return false;
	for (int tries = 0; tries < 100; tries++) {
		snprintf(tmp, sizeof(tmp), ".rmtree-%lu", w->seq++);
		if (renameat(dirfd, name, w->topfd, tmp) == 0) {
			w->pending = xrealloc(w->pending, (w->npending + 1) *
					      sizeof(*w->pending));
			w->pending[w->npending++] = xstrdup(tmp);
			return true;
		}
		if (errno != EEXIST && errno != ENOTEMPTY)
			return false;
	}
	return false;
}

static void rm_entry(struct walk *w, int dirfd, const char *name)
{
	size_t old = path_push(w, name);
	int fd, first;

	/* Most entries are not directories: try the cheap way first. */
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		goto out_pop;
	first = errno;
	if (first != EISDIR && first != EPERM) {
		walk_fail(w, first, "cannot remove");
		goto out_pop;
	}
	if (defer_deep(w, dirfd, name))
		goto out_pop;
	fd = dir_open(w, dirfd, name);
	if (fd < 0) {
		if (errno == ENOTDIR)	/* not a directory: unlink's reason */
			walk_fail(w, first, "cannot remove");
		else if (errno == EXDEV)
			walk_fail(w, EXDEV, "refusing to cross the mount at");
		else if (errno != ENOENT)
			walk_fail(w, errno, "cannot open directory");
		goto out_pop;
	}
	if (w->depth == 0)
		w->topfd = fd;
	w->depth++;
	rm_contents(w, fd);
	/* the top directory takes what was moved up into it */
	while (w->topfd == fd && w->npending) {
		char *moved = w->pending[--w->npending];

		w->depth = 1;
		rm_entry(w, fd, moved);
		free(moved);
	}
	w->depth--;
	if (w->topfd == fd)
		w->topfd = -1;
	close(fd);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		walk_fail(w, errno, "cannot remove");
out_pop:
	path_pop(w, old);
}

/* Splits "a/b/c" into an fd for "a/b" (the caller's own path, followed as
 * given) and "c". Returns the fd to close, or dirfd itself. */
static int open_parent(int dirfd, const char *name, const char **base,
		       struct err *err)
{
	const char *slash = strrchr(name, '/');
	char *dir;
	int fd;

	*base = name;
	if (!slash)
		return dirfd;
	*base = slash + 1;
	dir = slash == name ? xstrdup("/") : xstrndup(name, slash - name);
	fd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		err_set(err, errno, "cannot open '%s'", dir);
	free(dir);
	return fd;
}

/* Sets up w for a walk below (pfd, base): the top must be on the same
 * mount as its parent. */
static void walk_init(struct walk *w, int pfd, bool modify,
		      struct err *err)
{
	struct statx stx;

	memset(w, 0, sizeof(*w));
	w->modify = modify;
	w->err = err;
	if (stat_fd(pfd, &stx) == 0) {
		w->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
		w->have_mnt = stx.stx_mask & STATX_MNT_ID;
		w->mnt_id = stx.stx_mnt_id;
	}
}

int rmtree_at(int dirfd, const char *name, struct err *err)
{
	const char *base;
	struct walk w;
	int pfd;

	pfd = open_parent(dirfd, name, &base, err);
	if (pfd < 0)
		return -1;
	walk_init(&w, pfd, true, err);
	w.topfd = -1;
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
		w.failed = 1;
		err_set(err, EINVAL, "refusing to remove '%s'", name);
	} else {
		/* messages name paths as the caller gave them */
		snprintf(w.path, sizeof(w.path), "%.*s", (int)(base - name),
			 name);
		w.plen = strlen(w.path);
		rm_entry(&w, pfd, base);
	}
	if (pfd != dirfd)
		close(pfd);
	for (size_t i = 0; i < w.npending; i++)
		free(w.pending[i]);
	free(w.pending);
	return w.failed ? -1 : 0;
}

/* True when ino was counted before, so hard links count once; keeps
 * w->inos sorted. */
static bool ino_seen(struct walk *w, ino_t ino)
{
	size_t lo = 0, hi = w->ninos;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->inos[mid] == ino)
			return true;
		if (w->inos[mid] < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (w->ninos == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->inos = xrealloc(w->inos, w->cap * sizeof(*w->inos));
	}
	memmove(w->inos + lo + 1, w->inos + lo,
		(w->ninos - lo) * sizeof(*w->inos));
	w->inos[lo] = ino;
	w->ninos++;
	return false;
}

static void du_dir(struct walk *w, int fd, int depth)
{
	char **names = dir_names(fd);
	struct statx stx;

	for (size_t i = 0; names && names[i]; i++) {
		int cfd;

		if (statx(fd, names[i], AT_SYMLINK_NOFOLLOW,
			  STATX_TYPE | STATX_SIZE | STATX_INO | STATX_NLINK,
			  &stx) < 0)
			continue;
		if (S_ISREG(stx.stx_mode)) {
			if (stx.stx_nlink < 2 || !ino_seen(w, stx.stx_ino))
				w->bytes += stx.stx_size;
			continue;
		}
		if (!S_ISDIR(stx.stx_mode) || depth > 4096)
			continue;
		cfd = dir_open(w, fd, names[i]);
		if (cfd < 0)
			continue;
		du_dir(w, cfd, depth + 1);
		close(cfd);
	}
	names_free(names);
}

int rmtree_du_at(int dirfd, const char *name, uint64_t *bytes,
		 struct err *err)
{
	const char *base;
	struct walk w;
	int pfd, fd;

	pfd = open_parent(dirfd, name, &base, err);
	if (pfd < 0)
		return -1;
	walk_init(&w, pfd, false, err);
	fd = dir_open(&w, pfd, *base ? base : ".");
	if (fd < 0)
		err_set(err, errno, "cannot open '%s'", name);
	else
		du_dir(&w, fd, 0);
	if (fd >= 0)
		close(fd);
	if (pfd != dirfd)
		close(pfd);
	free(w.inos);
	*bytes = w.bytes;
	return fd < 0 ? -1 : 0;
}
