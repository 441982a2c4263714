/* SPDX-License-Identifier: MIT */
/*
 * Applying tar streams onto a directory. Every entry's parent is opened
 * inside the root (safepath) and the entry itself is made with *at calls
 * that never follow a symlink, so nothing in the archive can reach outside
 * the root. Parent directory fds are cached between entries of the same
 * directory and dropped whenever something is removed or a symlink is
 * made. Directory modes and times are set once the archive is done, so
 * read-only directories can still be filled.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/random.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "decompress.h"
#include "log.h"
#include "rmtree.h"
#include "safepath.h"
#include "unpack.h"
#include "util.h"

/* What this archive made: for opaque directories and whiteouts, which
 * only act on what lower layers left. */
enum made {
	MADE_NONE,
	MADE_ENTRY,	/* a new file, or a directory made empty */
	MADE_MERGED,	/* a directory that existed before */
};

/* Paths are kept as 64-bit hashes (seeded per archive), so the set costs
 * 32 bytes per entry at most; a collision can only make a whiteout spare
 * something, never reach outside the root. */
struct made_slot {
	uint64_t h;		/* 0: empty */
	enum made kind;
};

struct made_set {
	struct made_slot *slots;
	size_t cap, n;
	uint64_t seed;
};

struct dir_meta {
	char *path;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec mtime;
};

struct unpacker {
	int rootfd;
	const struct unpack_opts *o;
	struct unpack_stats *st;
	struct dstream *ds;
	struct sha256 sha;
	bool hashing;
	struct tar_reader *tr;
	char *cache_path;	/* the cached parent directory */
	int cache_fd;
	bool cache_sgid;	/* it passes its group to new files */
	bool cache_stale;	/* drop it before the next entry */
	uid_t euid;
	gid_t egid;
	struct made_set made;
	struct dir_meta *dirs;
	size_t ndirs, capdirs;
	char *name;		/* the cleaned name of the entry */
	size_t name_cap;
};

static uint64_t made_hash(const struct made_set *m, const char *s)
{
	uint64_t h = 1469598103934665603ULL ^ m->seed;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h ^= h >> 31;
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	return h ? h : 1;
}

static struct made_slot *made_find(struct made_set *m, uint64_t h)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = h & (m->cap - 1); m->slots[i].h; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].h == h)
			return &m->slots[i];
	return &m->slots[i];
}

static void made_grow(struct made_set *m)
{
	struct made_set n = { .cap = m->cap ? 2 * m->cap : 1024,
			      .seed = m->seed };
	size_t i;

	if (!m->cap && getrandom(&n.seed, sizeof(n.seed), 0) < 0)
		n.seed = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL;
	n.slots = xcalloc(n.cap, sizeof(*n.slots));
	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i].h)
			continue;
		*made_find(&n, m->slots[i].h) = m->slots[i];
		n.n++;
	}
	free(m->slots);
	*m = n;
}

static void made_put(struct made_set *m, const char *path, enum made kind)
{
	struct made_slot *s;
	uint64_t h;

	if (2 * (m->n + 1) > m->cap)
		made_grow(m);
	h = made_hash(m, path);
	s = made_find(m, h);
	if (!s->h) {
		s->h = h;
		m->n++;
	}
	s->kind = kind;
}

static enum made made_get(struct made_set *m, const char *path)
{
	struct made_slot *s;

	if (!m->cap)
		return MADE_NONE;
	s = made_find(m, made_hash(m, path));
	return s->h ? s->kind : MADE_NONE;
}

/* Records path, and its parents as merged directories: an opaque marker
 * higher up must keep them (they hold what this archive made). */
static void made_add(struct made_set *m, const char *path, enum made kind)
{
	char *p = xstrdup(path), *slash;

	made_put(m, path, kind);
	while ((slash = strrchr(p, '/'))) {
		*slash = '\0';
		if (made_get(m, p) != MADE_NONE)
			break;
		made_put(m, p, MADE_MERGED);
	}
	free(p);
}

static void made_free(struct made_set *m)
{
	free(m->slots);
}

static void cache_drop(struct unpacker *u)
{
	if (u->cache_path) {
		close(u->cache_fd);
		free(u->cache_path);
		u->cache_path = NULL;
	}
}

/* Returns the (cached) fd of directory dir inside the root, making it and
 * its parents when missing; borrowed until the next call. */
static int parent_fd(struct unpacker *u, const char *dir, struct err *err)
{
	struct stat st;
	int fd;

	if (u->cache_stale) {
		cache_drop(u);
		u->cache_stale = false;
	}
	if (u->cache_path && !strcmp(u->cache_path, dir))
		return u->cache_fd;
	cache_drop(u);
	fd = safepath_mkdir_p(u->rootfd, dir, 0755, err);
	if (fd < 0)
		return -1;
	u->cache_path = xstrdup(dir);
	u->cache_fd = fd;
	u->cache_sgid = fstat(fd, &st) < 0 || (st.st_mode & S_ISGID);
	return fd;
}

/* Removes leaf (any type, a directory with its contents) from pfd. */
static int remove_at(struct unpacker *u, int pfd, const char *leaf,
		     struct err *err)
{
	u->cache_stale = true;
	if (unlinkat(pfd, leaf, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return err_set(err, errno, "cannot remove '%s'", u->name);
	return rmtree_at(pfd, leaf, err);
}

/* Maps an archive id through the span: ids the namespace lacks become 0.
 * Sets *over when that happened. */
static uint32_t map_id(uint64_t id, uint32_t span, uint32_t *max, bool *over)
{
	if (id > *max)
		*max = id > UINT32_MAX ? UINT32_MAX : (uint32_t)id;
	if ((span && id >= span) || id > UINT32_MAX - 1) {
		*over = true;
		return 0;
	}
	return (uint32_t)id;
}

/* The owner of an entry on disk; a file owned by 0 for want of ids is
 * counted once. */
static void entry_owner(struct unpacker *u, const struct tar_entry *e,
			uid_t *uid, gid_t *gid)
{
	bool over = false;

	*uid = map_id(e->uid, u->o->uid_span, &u->st->max_uid, &over);
	*gid = map_id(e->gid, u->o->gid_span, &u->st->max_gid, &over);
	if (over && u->o->chown)
		u->st->id_overflow++;
}

static mode_t entry_mode(struct unpacker *u, const struct tar_entry *e)
{
	if (u->o->keep_perms)
		return e->mode & 07777;
	return e->mode & 0777 & ~u->o->umask;
}

static void entry_times(struct unpacker *u, const struct tar_entry *e,
			struct timespec ts[2])
{
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = e->mtime;
	ts[1].tv_nsec = e->mtime_ns;
	if (u->o->no_same_mtime)
		ts[1].tv_nsec = UTIME_OMIT;
}

/* Sets one xattr on (pfd, leaf) through an O_PATH fd: symlinks are
 * skipped (no user xattrs there, and the path would follow them). */
static int xattr_at(int pfd, const char *leaf, const struct tar_xattr *x)
{
	char link[64];
	struct stat st;
	int fd, r, e;

	fd = openat(pfd, leaf, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode)) {
		close(fd);
		errno = ENOTSUP;
		return -1;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	r = setxattr(link, x->name, x->value, x->len, 0);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

/* Extended attributes, on fd or else on (pfd, leaf): security.* and
 * trusted.* may be refused in a user namespace, which is not an error. */
static int set_xattrs(struct unpacker *u, int fd, int pfd, const char *leaf,
		      const struct tar_entry *e, struct err *err)
{
	size_t i;
	int r;

	for (i = 0; i < e->nxattrs; i++) {
		const struct tar_xattr *x = &e->xattrs[i];

		if (fd >= 0)
			r = fsetxattr(fd, x->name, x->value, x->len, 0);
		else
			r = xattr_at(pfd, leaf, x);
		if (r == 0)
			continue;
		if (str_has_prefix(x->name, "security.") ||
		    str_has_prefix(x->name, "trusted.") || errno == ENOTSUP ||
		    errno == EPERM) {
			log_debug("'%s': xattr '%s' not set: %s", u->name,
				  x->name, strerror(errno));
			u->st->xattrs_skipped++;
			continue;
		}
		return err_set(err, errno, "'%s': cannot set xattr '%s'",
			       u->name, x->name);
	}
	return 0;
}

/* Owner, mode, xattrs, time of a non-directory made at (pfd, leaf). */
static int set_meta_at(struct unpacker *u, int pfd, const char *leaf,
		       const struct tar_entry *e, struct err *err)
{
	struct timespec ts[2];
	uid_t uid;
	gid_t gid;

	entry_owner(u, e, &uid, &gid);
	if (u->o->chown &&
	    fchownat(pfd, leaf, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set(err, errno, "cannot change owner of '%s'",
			       u->name);
	if (e->type != TAR_SYMLINK &&
	    fchmodat(pfd, leaf, entry_mode(u, e), 0) < 0)
		return err_set(err, errno, "cannot change mode of '%s'",
			       u->name);
	if (e->nxattrs && set_xattrs(u, -1, pfd, leaf, e, err) < 0)
		return -1;
	entry_times(u, e, ts);
	if (utimensat(pfd, leaf, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set(err, errno, "cannot set times of '%s'", u->name);
	return 0;
}

static int set_meta_fd(struct unpacker *u, int fd, const struct tar_entry *e,
		       struct err *err)
{
	struct timespec ts[2];
	uid_t uid;
	gid_t gid;

	/* A new file is already ours with its mode, unless the parent
	 * passes its group on or the mode has bits a chown would clear. */
	entry_owner(u, e, &uid, &gid);
	if (u->o->chown && (uid != u->euid || gid != u->egid ||
			    u->cache_sgid) && fchown(fd, uid, gid) < 0)
		return err_set(err, errno, "cannot change owner of '%s'",
			       u->name);
	if ((entry_mode(u, e) & 07000) && fchmod(fd, entry_mode(u, e)) < 0)
		return err_set(err, errno, "cannot change mode of '%s'",
			       u->name);
	if (e->nxattrs && set_xattrs(u, fd, -1, NULL, e, err) < 0)
		return -1;
	entry_times(u, e, ts);
	if (futimens(fd, ts) < 0)
		return err_set(err, errno, "cannot set times of '%s'", u->name);
	return 0;
}

static int write_data(struct unpacker *u, int fd, const struct tar_entry *e,
		      struct err *err)
{
	uint64_t off, end = 0;
	const void *p;
	ssize_t n;

	while ((n = tar_data(u->tr, &p, &off, err)) > 0) {
		const char *c = p;
		size_t left = n;

		while (left) {
			ssize_t w = pwrite(fd, c, left, off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return err_set(err, w < 0 ? errno : EIO,
					       "cannot write '%s'", u->name);
			c += w;
			off += w;
			left -= w;
		}
		end = off;
	}
	if (n < 0)
		return -1;
	if (end < e->size && ftruncate(fd, e->size) < 0)
		return err_set(err, errno, "cannot write '%s'", u->name);
	return 0;
}

static int make_file(struct unpacker *u, int pfd, const char *leaf,
		     const struct tar_entry *e, struct err *err)
{
	mode_t mode = entry_mode(u, e) & 0777;	/* the umask is 0 here */
	int fd, ret;

	fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, mode);
	if (fd < 0 && errno == EEXIST) {
		if (remove_at(u, pfd, leaf, err) < 0)
			return -1;
		fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, mode);
	}
	if (fd < 0)
		return err_set(err, errno, "cannot create '%s'", u->name);
	ret = write_data(u, fd, e, err);
	if (ret == 0)
		ret = set_meta_fd(u, fd, e, err);
	close(fd);
	return ret;
}

static void dir_remember(struct unpacker *u, const struct tar_entry *e)
{
	struct dir_meta *d;

	if (u->ndirs == u->capdirs) {
		u->capdirs = u->capdirs ? 2 * u->capdirs : 64;
		u->dirs = xrealloc(u->dirs, u->capdirs * sizeof(*u->dirs));
	}
	d = &u->dirs[u->ndirs++];
	d->path = xstrdup(u->name);
	d->mode = entry_mode(u, e);
	entry_owner(u, e, &d->uid, &d->gid);
	d->mtime.tv_sec = e->mtime;
	d->mtime.tv_nsec = u->o->no_same_mtime ? UTIME_OMIT : e->mtime_ns;
}

/* Directories: made writable for now, an existing one kept (merged). */
static int make_dir(struct unpacker *u, int pfd, const char *leaf,
		    const struct tar_entry *e, struct err *err)
{
	enum made kind = MADE_ENTRY;
	struct stat st;

	if (!strcmp(leaf, ".")) {
		kind = MADE_MERGED;
	} else if (mkdirat(pfd, leaf, 0700) < 0) {
		if (errno != EEXIST)
			return err_set(err, errno, "cannot create '%s'",
				       u->name);
		if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode)) {
			kind = MADE_MERGED;
		} else {
			if (remove_at(u, pfd, leaf, err) < 0)
				return -1;
			if (mkdirat(pfd, leaf, 0700) < 0)
				return err_set(err, errno, "cannot create '%s'",
					       u->name);
		}
	}
	if (u->o->oci_whiteouts)
		made_add(&u->made, u->name, kind);
	dir_remember(u, e);
	if (e->nxattrs && set_xattrs(u, -1, pfd, leaf, e, err) < 0)
		return -1;
	return 0;
}

static int make_symlink(struct unpacker *u, int pfd, const char *leaf,
			const struct tar_entry *e, struct err *err)
{
	u->cache_stale = true;
	if (symlinkat(e->linkpath, pfd, leaf) < 0) {
		if (errno != EEXIST || remove_at(u, pfd, leaf, err) < 0 ||
		    symlinkat(e->linkpath, pfd, leaf) < 0)
			return err_set(err, errno, "cannot create '%s'",
				       u->name);
	}
	return set_meta_at(u, pfd, leaf, e, err);
}

/* A hard link: its target is resolved inside the root like any name. */
static int make_hardlink(struct unpacker *u, int pfd, const char *leaf,
			 const struct tar_entry *e, struct err *err)
{
	char *target = xmalloc(strlen(e->linkpath) + 1), *tleaf = NULL;
	struct stat a, b;
	int tfd = -1, ret = -1;

	if (!safepath_clean(e->linkpath, target) || !*target) {
		err_set(err, 0, "'%s': hard link to '%s' outside the tree",
			u->name, e->linkpath);
		goto out_free;
	}
	tfd = safepath_open_parent(u->rootfd, target, &tleaf, err);
	if (tfd < 0) {
		err_wrap(err, "'%s': hard link target", u->name);
		goto out_free;
	}
	if (linkat(tfd, tleaf, pfd, leaf, 0) < 0) {
		if (errno == EEXIST &&
		    !fstatat(tfd, tleaf, &a, AT_SYMLINK_NOFOLLOW) &&
		    !fstatat(pfd, leaf, &b, AT_SYMLINK_NOFOLLOW) &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
			ret = 0;
			goto out_close;
		}
		if (errno != EEXIST || remove_at(u, pfd, leaf, err) < 0 ||
		    linkat(tfd, tleaf, pfd, leaf, 0) < 0) {
			err_set(err, errno, "cannot link '%s' to '%s'",
				u->name, e->linkpath);
			goto out_close;
		}
	}
	ret = 0;
out_close:
	close(tfd);
out_free:
	free(tleaf);
	free(target);
	return ret;
}

/* FIFOs and devices; devices refused in a user namespace are skipped. */
static int make_special(struct unpacker *u, int pfd, const char *leaf,
			const struct tar_entry *e, struct err *err)
{
	mode_t type = e->type == TAR_FIFO ? S_IFIFO :
		      e->type == TAR_CHR ? S_IFCHR : S_IFBLK;
	dev_t dev = makedev(e->devmajor, e->devminor);
	int r;

	r = mknodat(pfd, leaf, type | 0600, type == S_IFIFO ? 0 : dev);
	if (r < 0 && errno == EEXIST) {
		if (remove_at(u, pfd, leaf, err) < 0)
			return -1;
		r = mknodat(pfd, leaf, type | 0600, type == S_IFIFO ? 0 : dev);
	}
	if (r < 0 && type != S_IFIFO && (errno == EPERM || errno == EACCES)) {
		log_debug("'%s': device not created: %s", u->name,
			  strerror(errno));
		u->st->devices_skipped++;
		return 1;
	}
	if (r < 0)
		return err_set(err, errno, "cannot create '%s'", u->name);
	return set_meta_at(u, pfd, leaf, e, err);
}

/* ".wh.NAME": NAME goes, unless this archive made it itself. */
static int whiteout(struct unpacker *u, const char *dir, const char *name,
		    struct err *err)
{
	char *path, *leaf = NULL;
	struct err e2 = ERR_INIT;
	int pfd, ret;

	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return err_set(err, 0, "'%s': invalid whiteout", u->name);
	path = *dir ? xasprintf("%s/%s", dir, name) : xstrdup(name);
	ret = 0;
	if (made_get(&u->made, path) != MADE_NONE)
		goto out_free;
	cache_drop(u);
	pfd = safepath_open_parent(u->rootfd, path, &leaf, &e2);
	if (pfd >= 0) {
		ret = rmtree_at(pfd, leaf, err);
		close(pfd);
	}
	free(leaf);
out_free:
	free(path);
	return ret;
}

/* ".wh..wh..opq": everything in dir that this archive did not make goes;
 * directories merged from lower layers are emptied the same way. */
static int opaque(struct unpacker *u, const char *dir, struct err *err)
{
	struct err e2 = ERR_INIT;
	struct dirent *de;
	int fd, ret = 0;
	DIR *d;

	cache_drop(u);
	fd = safepath_open(u->rootfd, dir, O_RDONLY | O_DIRECTORY |
			   O_NOFOLLOW, 0, &e2);
	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return err_set(err, errno, "cannot read '%s'", dir);
	}
	while (ret == 0 && (de = readdir(d))) {
		char *p;
		enum made kind;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = *dir ? xasprintf("%s/%s", dir, de->d_name) :
			   xstrdup(de->d_name);
		kind = made_get(&u->made, p);
		if (kind == MADE_MERGED)
			ret = opaque(u, p, err);
		else if (kind == MADE_NONE)
			ret = rmtree_at(dirfd(d), de->d_name, err);
		free(p);
	}
	closedir(d);
	return ret;
}

/* Handles whiteout names; 1 when the entry was one, 0 when not. */
static int oci_special(struct unpacker *u, char *dir, const char *leaf,
		       struct err *err)
{
	int r;

	if (!str_has_prefix(leaf, ".wh."))
		return 0;
	if (!strcmp(leaf, ".wh..wh..opq"))
		r = opaque(u, dir, err);
	else if (str_has_prefix(leaf, ".wh..wh."))
		r = 0;
	else
		r = whiteout(u, dir, leaf + 4, err);
	return r < 0 ? -1 : 1;
}

/* Cleans the entry's name into u->name; 0 to skip it, -1 to fail. */
static int entry_name(struct unpacker *u, const struct tar_entry *e,
		      struct err *err)
{
	size_t n = strlen(e->path) + 1;

	if (n > u->name_cap) {
		u->name_cap = n + 256;
		u->name = xrealloc(u->name, u->name_cap);
	}
	if (safepath_clean(e->path, u->name))
		return 1;
	if (u->o->strict)
		return err_set(err, 0, "'%s': member name contains '..'",
			       e->path);
	log_warn("'%s': member name contains '..', skipped", e->path);
	u->st->names_skipped++;
	return 0;
}

static int apply_entry(struct unpacker *u, const struct tar_entry *e,
		       struct err *err)
{
	char *slash, *dir, *leaf;
	int pfd, r;

	r = entry_name(u, e, err);
	if (r <= 0)
		return r;
	if (u->o->exclude && u->o->exclude(u->name, u->o->exclude_arg))
		return 0;
	slash = strrchr(u->name, '/');
	dir = slash ? xstrndup(u->name, slash - u->name) : xstrdup("");
	leaf = slash ? slash + 1 : (*u->name ? u->name : ".");
	r = 0;
	if (u->o->oci_whiteouts)
		r = oci_special(u, dir, leaf, err);
	if (r != 0)
		goto out_free;
	if (!strcmp(leaf, ".") && e->type != TAR_DIR) {
		r = err_set(err, 0, "'%s': not a directory", e->path);
		goto out_free;
	}
	pfd = parent_fd(u, dir, err);
	if (pfd < 0) {
		r = err_wrap(err, "'%s'", e->path);
		goto out_free;
	}
	if (u->o->verbose)
		u->o->verbose(e, u->o->verbose_arg);
	switch (e->type) {
	case TAR_DIR:
		r = make_dir(u, pfd, leaf, e, err);
		goto out_free;
	case TAR_REG:
		r = make_file(u, pfd, leaf, e, err);
		break;
	case TAR_SYMLINK:
		r = make_symlink(u, pfd, leaf, e, err);
		break;
	case TAR_HARDLINK:
		r = make_hardlink(u, pfd, leaf, e, err);
		break;
	default:
		r = make_special(u, pfd, leaf, e, err);
		break;
	}
	if (r >= 0 && u->o->oci_whiteouts)
		made_add(&u->made, u->name, MADE_ENTRY);
out_free:
	free(dir);
	return r < 0 ? -1 : 0;
}

/* Directory owners, modes and times, deepest last-made first. */
static int finish_dirs(struct unpacker *u, struct err *err)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
	struct err e2 = ERR_INIT;
	char *leaf;
	size_t i;
	int pfd, ret = 0;

	for (i = u->ndirs; i-- > 0 && ret == 0;) {
		struct dir_meta *d = &u->dirs[i];
		struct stat st;

		pfd = safepath_open_parent(u->rootfd, d->path, &leaf, &e2);
		if (pfd < 0)
			continue;
		if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			goto next;
		ts[1] = d->mtime;
		if (u->o->chown &&
		    fchownat(pfd, leaf, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
			ret = err_set(err, errno, "cannot change owner of '%s'",
				      d->path);
		else if (fchmodat(pfd, leaf, d->mode, 0) < 0)
			ret = err_set(err, errno, "cannot change mode of '%s'",
				      d->path);
		else if (utimensat(pfd, leaf, ts, AT_SYMLINK_NOFOLLOW) < 0)
			ret = err_set(err, errno, "cannot set times of '%s'",
				      d->path);
next:
		close(pfd);
		free(leaf);
	}
	return ret;
}

static ssize_t read_layer(void *ctx, void *buf, size_t len, struct err *err)
{
	struct unpacker *u = ctx;
	ssize_t n = dstream_read(u->ds, buf, len, err);

	if (n > 0)
		u->st->bytes += n;
	return n;
}

static int check_digest(struct unpacker *u, struct err *err)
{
	char got[DIGEST_STR_LEN + 1];

	if (tar_drain(u->tr, err) < 0)
		return -1;
	if (!u->hashing)
		return 0;
	sha256_final_str(&u->sha, got);
	if (strcmp(got, u->o->diff_id))
		return err_set(err, 0, "layer digest mismatch: expected '%s', "
			       "got '%s'", u->o->diff_id, got);
	return 0;
}

static void unpacker_release(struct unpacker *u)
{
	size_t i;

	cache_drop(u);
	tar_reader_free(u->tr);
	dstream_close(u->ds);
	made_free(&u->made);
	for (i = 0; i < u->ndirs; i++)
		free(u->dirs[i].path);
	free(u->dirs);
	free(u->name);
}

int unpack_stream(int rootfd, int fd, const struct unpack_opts *o,
		  struct unpack_stats *stats, struct err *err)
{
	struct unpack_stats dummy;
	struct unpacker u = { .rootfd = rootfd, .o = o, .euid = geteuid(),
			      .egid = getegid() };
	struct tar_entry *e;
	uint64_t shown = 0;
	mode_t old_umask;
	int r, ret = -1;

	memset(stats ? stats : &dummy, 0, sizeof(dummy));
	u.st = stats ? stats : &dummy;
	if (o->diff_id) {
		u.hashing = true;
		sha256_init(&u.sha);
	}
	u.ds = dstream_open(fd, o->threaded, u.hashing ? &u.sha : NULL, err);
	if (!u.ds)
		return -1;
	u.tr = tar_reader_new(read_layer, &u);
	/* Files are made with their final modes in one call. */
	old_umask = umask(0);
	while ((r = tar_next(u.tr, &e, err)) > 0) {
		u.st->entries++;
		if (apply_entry(&u, e, err) < 0)
			goto out_release;
		if (o->progress && u.st->bytes - shown >= (1 << 20)) {
			shown = u.st->bytes;
			o->progress(shown, o->progress_arg);
		}
	}
	if (r < 0 || check_digest(&u, err) < 0 || finish_dirs(&u, err) < 0)
		goto out_release;
	ret = 0;
out_release:
	umask(old_umask);
	unpacker_release(&u);
	return ret;
}
