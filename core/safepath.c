/* SPDX-License-Identifier: MIT */
/*
 * Resolving paths inside a root directory with no escape. The kernel's
 * openat2(RESOLVE_IN_ROOT) does it in one call; the fallback walks one
 * component at a time with O_NOFOLLOW, keeping a stack of directory fds so
 * that ".." never climbs above the root, and re-reads symlink targets
 * itself, resolving absolute ones from the root.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "compat.h"
#include "safepath.h"
#include "util.h"

#define SP_MAX_LINKS 40
#define SP_MAX_DEPTH 4096

static bool no_openat2;
static bool env_checked;	/* SCATMAN_TEST_NO_OPENAT2 looked at */

struct walk {
	int rootfd;
	int *stack;		/* directory fds below the root */
	size_t depth, cap;
	int links;
	bool mkdir;
	mode_t mode;
};

void safepath_force_walk(bool on)
{
	no_openat2 = on;
}

bool safepath_clean(const char *name, char *out)
{
	const char *p = name;
	char *o = out;

	while (*p) {
		const char *e = strchrnul(p, '/');
		size_t n = e - p;

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			*out = '\0';
			return false;
		}
		if (n && !(n == 1 && p[0] == '.')) {
			if (o != out)
				*o++ = '/';
			memcpy(o, p, n);
			o += n;
		}
		p = *e ? e + 1 : e;
	}
	*o = '\0';
	return true;
}

static int walk_cur(const struct walk *w)
{
	return w->depth ? w->stack[w->depth - 1] : w->rootfd;
}

static void walk_pop(struct walk *w)
{
	if (w->depth)
		close(w->stack[--w->depth]);
}

static void walk_release(struct walk *w)
{
	while (w->depth)
		walk_pop(w);
	free(w->stack);
}

static int walk_push(struct walk *w, int fd, struct err *err)
{
	if (w->depth >= SP_MAX_DEPTH) {
		close(fd);
		return err_set(err, ENAMETOOLONG, "path too deep");
	}
	if (w->depth == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 16;
		w->stack = xrealloc(w->stack, w->cap * sizeof(*w->stack));
	}
	w->stack[w->depth++] = fd;
	return 0;
}

/* Reads the target of the symlink fd (an O_PATH fd) into a malloc'd
 * string. */
static char *read_link_fd(int fd, struct err *err)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(fd, "", buf, sizeof(buf) - 1);

	if (n < 0) {
		err_set(err, errno, "cannot read symlink");
		return NULL;
	}
	buf[n] = '\0';
	return xstrdup(buf);
}

static int walk_path(struct walk *w, const char *path, struct err *err);

/* Follows a symlink met during the walk: its target is resolved from the
 * directory holding it, or from the root when absolute. */
static int walk_link(struct walk *w, int fd, struct err *err)
{
	char *target;
	int ret;

	if (++w->links > SP_MAX_LINKS) {
		close(fd);
		return err_set(err, ELOOP, "too many levels of symlinks");
	}
	target = read_link_fd(fd, err);
	close(fd);
	if (!target)
		return -1;
	if (target[0] == '/')
		while (w->depth)
			walk_pop(w);
	ret = walk_path(w, target, err);
	free(target);
	return ret;
}

/* Opens the component name of the current directory, creating it as a
 * directory when asked to; O_PATH and never following a symlink. */
static int walk_open(struct walk *w, const char *name, struct err *err)
{
	int fd = openat(walk_cur(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && w->mkdir) {
		if (mkdirat(walk_cur(w), name, w->mode) < 0 && errno != EEXIST)
			return err_set(err, errno, "cannot create '%s'", name);
		fd = openat(walk_cur(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return err_set(err, errno, "cannot open '%s'", name);
	return fd;
}

/* Steps into one component, which must end up a directory. */
static int walk_step(struct walk *w, const char *name, struct err *err)
{
	struct stat st;
	int fd;

	if (!strcmp(name, "."))
		return 0;
	if (!strcmp(name, "..")) {
		walk_pop(w);
		return 0;
	}
	fd = walk_open(w, name, err);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return err_set(err, errno, "cannot stat '%s'", name);
	}
	if (S_ISDIR(st.st_mode))
		return walk_push(w, fd, err);
	if (S_ISLNK(st.st_mode))
		return walk_link(w, fd, err);
	close(fd);
	return err_set(err, ENOTDIR, "'%s' is not a directory", name);
}

/* Walks every component of path as a directory. */
static int walk_path(struct walk *w, const char *path, struct err *err)
{
	char name[NAME_MAX + 1];
	const char *p = path;

	while (*p) {
		const char *e = strchrnul(p, '/');
		size_t n = e - p;

		if (n > NAME_MAX)
			return err_set(err, ENAMETOOLONG, "name too long");
		if (n) {
			memcpy(name, p, n);
			name[n] = '\0';
			if (walk_step(w, name, err) < 0)
				return -1;
		}
		p = *e ? e + 1 : e;
	}
	return 0;
}

/* Splits path into its directory part (malloc'd into *dir, "" when none)
 * and last component (pointer into path, "" when none); trailing slashes
 * are dropped from the component. */
static void split_last(const char *path, char **dir, char **leaf)
{
	size_t len = strlen(path);
	const char *s;

	while (len > 1 && path[len - 1] == '/')
		len--;
	s = memrchr(path, '/', len);
	if (!s) {
		*dir = xstrdup("");
		*leaf = xstrndup(path, len);
	} else {
		*dir = xstrndup(path, s - path + 1);
		*leaf = xstrndup(s + 1, len - (s - path + 1));
	}
}

static bool is_dot_name(const char *leaf)
{
	return !*leaf || !strcmp(leaf, ".") || !strcmp(leaf, "..");
}

/* The last component: a symlink is resolved inside the root unless
 * O_NOFOLLOW was given, then the final open never follows one. */
static int walk_final(struct walk *w, char *leaf, int flags, mode_t mode,
		      struct err *err)
{
	struct stat st;
	char *dir, *next;
	int fd;

	if (is_dot_name(leaf)) {
		if (walk_step(w, *leaf ? leaf : ".", err) < 0)
			return -1;
		fd = openat(walk_cur(w), ".", flags | O_CLOEXEC, mode);
		if (fd < 0)
			return err_set(err, errno, "cannot open '%s'", leaf);
		return fd;
	}
	if (!(flags & O_NOFOLLOW) &&
	    !fstatat(walk_cur(w), leaf, &st, AT_SYMLINK_NOFOLLOW) &&
	    S_ISLNK(st.st_mode)) {
		fd = openat(walk_cur(w), leaf, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return err_set(err, errno, "cannot open '%s'", leaf);
		if (++w->links > SP_MAX_LINKS) {
			close(fd);
			return err_set(err, ELOOP, "too many levels of symlinks");
		}
		next = read_link_fd(fd, err);
		close(fd);
		if (!next)
			return -1;
		if (next[0] == '/')
			while (w->depth)
				walk_pop(w);
		split_last(next, &dir, &leaf);
		free(next);
		fd = walk_path(w, dir, err);
		free(dir);
		if (fd == 0)
			fd = walk_final(w, leaf, flags, mode, err);
		free(leaf);
		return fd;
	}
	fd = openat(walk_cur(w), leaf, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return err_set(err, errno, "cannot open '%s'", leaf);
	return fd;
}

static int open_walk(int rootfd, const char *path, int flags, mode_t mode,
		     struct err *err)
{
	struct walk w = { .rootfd = rootfd };
	char *dir, *leaf;
	int fd = -1;

	split_last(path, &dir, &leaf);
	if (walk_path(&w, dir, err) == 0)
		fd = walk_final(&w, leaf, flags, mode, err);
	free(dir);
	free(leaf);
	walk_release(&w);
	return fd;
}

int safepath_open(int rootfd, const char *path, int flags, mode_t mode,
		  struct err *err)
{
	struct open_how how = {
		.flags = (unsigned)flags | O_CLOEXEC,
		.mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	/* Tests run the fallback walk on kernels that have openat2 too. */
	if (!env_checked) {
		env_checked = true;
		if (getenv("SCATMAN_TEST_NO_OPENAT2"))
			no_openat2 = true;
	}
	if (!*path)
		path = ".";
	if (!no_openat2) {
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != ENOSYS)
			return err_set(err, errno, "cannot open '%s'", path);
		no_openat2 = true;
	}
	fd = open_walk(rootfd, path, flags, mode, err);
	if (fd < 0)
		return err_wrap(err, "resolving '%s'", path);
	return (int)fd;
}

int safepath_open_parent(int rootfd, const char *path, char **leaf,
			 struct err *err)
{
	char *dir, *last;
	int fd;

	split_last(path, &dir, &last);
	if (is_dot_name(last)) {
		fd = safepath_open(rootfd, *path ? path : ".",
				   O_PATH | O_DIRECTORY, 0, err);
		free(last);
		last = xstrdup(".");
	} else {
		fd = safepath_open(rootfd, *dir ? dir : ".",
				   O_PATH | O_DIRECTORY, 0, err);
	}
	free(dir);
	if (fd < 0) {
		free(last);
		return -1;
	}
	*leaf = last;
	return fd;
}

int safepath_mkdir_p(int rootfd, const char *path, mode_t mode,
		     struct err *err)
{
	struct walk w = { .rootfd = rootfd, .mkdir = true, .mode = mode };
	struct err e2 = ERR_INIT;
	int fd;

	fd = safepath_open(rootfd, path, O_PATH | O_DIRECTORY, 0, &e2);
	if (fd >= 0)
		return fd;
	if (walk_path(&w, path, err) < 0) {
		walk_release(&w);
		return err_wrap(err, "creating '%s'", path);
	}
	fd = fcntl(walk_cur(&w), F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		err_set(err, errno, "creating '%s'", path);
	walk_release(&w);
	return fd;
}
