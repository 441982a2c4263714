/* SPDX-License-Identifier: MIT */
/*
 * Tar archives: a streaming reader (ustar, GNU long names and sparse files,
 * PAX extended and global headers, base-256 numbers) and a writer (ustar
 * with PAX extended headers for what does not fit).
 */
#ifndef SCATMAN_TAR_H
#define SCATMAN_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

enum tar_type {
	TAR_REG,
	TAR_HARDLINK,
	TAR_SYMLINK,
	TAR_CHR,
	TAR_BLK,
	TAR_DIR,
	TAR_FIFO,
};

struct tar_xattr {
	char *name;
	char *value;
	size_t len;
};

struct tar_sparse {
	uint64_t off, len;
};

struct tar_entry {
	char *path;		/* as in the archive */
	char *linkpath;		/* hard or symbolic link target, or NULL */
	enum tar_type type;
	mode_t mode;		/* permission bits with suid/sgid/sticky */
	uint64_t uid, gid;
	char *uname, *gname;	/* may be NULL */
	int64_t mtime;
	long mtime_ns;
	uint64_t size;		/* size of the file (sparse files expanded) */
	unsigned devmajor, devminor;
	struct tar_xattr *xattrs;
	size_t nxattrs;
};

/* Where the reader gets the archive bytes from: returns the count read,
 * 0 at the end, -1 with err. */
typedef ssize_t (*tar_read_fn)(void *ctx, void *buf, size_t len,
			       struct err *err);

struct tar_reader;

struct tar_reader *tar_reader_new(tar_read_fn fn, void *ctx);
void tar_reader_free(struct tar_reader *r);

/*
 * Reads the next entry's headers. *e points into the reader and is valid
 * until the next call. Returns 1 for an entry, 0 at the end of the archive,
 * -1 with err on a malformed archive or a read error. Unread data of the
 * previous entry is skipped.
 */
int tar_next(struct tar_reader *r, struct tar_entry **e, struct err *err);

/*
 * Gives the next piece of the current entry's data: *p points into the
 * reader's buffer (valid until the next call), *off is the offset in the
 * file where it belongs (pieces of a sparse file skip holes). Returns the
 * length, 0 when the data is over, -1 with err.
 */
ssize_t tar_data(struct tar_reader *r, const void **p, uint64_t *off,
		 struct err *err);

/* Reads and discards everything after the end of the archive (so that a
 * digest of the whole stream can be checked). */
int tar_drain(struct tar_reader *r, struct err *err);

/* Where the writer puts its bytes. */
typedef int (*tar_write_fn)(void *ctx, const void *buf, size_t len,
			    struct err *err);

struct tar_writer;

struct tar_writer *tar_writer_new(tar_write_fn fn, void *ctx);
/* Writes the headers of e (a PAX extended header first when a name,
 * number or xattr does not fit ustar); then write e->size bytes of data
 * for a regular file. */
int tar_write_header(struct tar_writer *w, const struct tar_entry *e,
		     struct err *err);
int tar_write_data(struct tar_writer *w, const void *buf, size_t len,
		   struct err *err);
/* Pads the last entry and writes the end-of-archive blocks; frees w. */
int tar_writer_finish(struct tar_writer *w, struct err *err);
void tar_writer_free(struct tar_writer *w);

/* "-rwxr-xr-x"-style mode string for listings, into buf[11]. */
void tar_mode_string(const struct tar_entry *e, char buf[11]);

#endif
