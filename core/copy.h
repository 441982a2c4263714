/* SPDX-License-Identifier: MIT */
/* Copying files and trees between directory descriptors, as cp does; the
 * engine of the cp utility and of `scatman cp`. Every step is relative to
 * a descriptor and refuses symlinks it was not asked to follow, so a tree
 * reached through a contained descriptor stays contained. */
#ifndef SCATMAN_COPY_H
#define SCATMAN_COPY_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

struct copy_opts {
	bool recursive;		/* -R: directories too */
	bool deref;		/* -L: follow every symlink in the source */
	bool deref_top;		/* -H: follow the top source if a symlink */
	bool keep_mode;		/* -p / -a: modes as the source's */
	bool keep_owner;	/* -p / -a: owners (errors ignored unless
				 * owner_strict) */
	bool owner_strict;
	bool keep_times;	/* -p / -a: modification and access times */
	bool keep_links;	/* -a: hard links stay links */
	bool special;		/* -R: devices and fifos made as such rather
				 * than read */
	bool no_clobber;	/* -n: never overwrite */
	bool force;		/* -f: remove a destination we cannot open */
	/* set_owner: every new entry gets uid/gid (unless keep_owner) */
	bool set_owner;
	uid_t uid;
	gid_t gid;
	/* called for each copied entry (-v) and for each failure; when
	 * on_error is NULL the copy stops at the first one */
	void (*on_copy)(void *arg, const char *src, const char *dst);
	void (*on_error)(void *arg, const struct err *err);
	void *arg;
};

/*
 * Copies sname (relative to sfd) to dname (relative to dfd), which must
 * not exist as a directory when sname is not one; a directory is copied
 * as dname (its contents merged into an existing directory dname). spath
 * and dpath name the two for messages. Returns 0, or -1 when anything
 * failed (err holds the first failure).
 */
int copy_at(int sfd, const char *sname, const char *spath, int dfd,
	    const char *dname, const char *dpath, const struct copy_opts *o,
	    struct err *err);

/* True when directory dfd is sfd or lies below it (copying a directory
 * into itself). */
bool copy_is_inside(int sfd, int dfd);

struct tar_writer;

/*
 * Writes sname (relative to sfd) and, for a directory, everything below
 * it to the tar writer w, named arcname and arcname/...; symlinks are
 * stored as links, never followed. Returns 0 or -1 with err.
 */
int copy_to_tar(int sfd, const char *sname, const char *arcname,
		struct tar_writer *w, struct err *err);

#endif
