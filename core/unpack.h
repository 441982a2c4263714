/* SPDX-License-Identifier: MIT */
/*
 * Applying a tar stream (an image layer, or any archive for the tar
 * applet) onto a directory: containment inside that directory, OCI
 * whiteouts, ownership, modes fixed after the contents, digest checks.
 */
#ifndef SCATMAN_UNPACK_H
#define SCATMAN_UNPACK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "digest.h"
#include "err.h"
#include "tar.h"

struct unpack_opts {
	bool oci_whiteouts;	/* ".wh.NAME" and ".wh..wh..opq" are whiteouts */
	bool chown;		/* set owners from the archive */
	uint32_t uid_span;	/* ids at or above a span are owned by 0 */
	uint32_t gid_span;	/* (0 = no limit) */
	bool keep_perms;	/* modes as archived; else minus umask, no
				 * setuid/setgid */
	mode_t umask;
	bool strict;		/* a name with ".." is an error, not skipped */
	bool threaded;		/* decompress in a thread of its own */
	bool no_same_mtime;	/* leave modification times as now */
	const char *diff_id;	/* expected "sha256:..." of the tar stream */
	/* Entries for which exclude returns true are skipped. */
	bool (*exclude)(const char *path, void *arg);
	void *exclude_arg;
	/* Called for each entry applied (the -v listing). */
	void (*verbose)(const struct tar_entry *e, void *arg);
	void *verbose_arg;
	/* Called about every MiB of the stream (progress displays). */
	void (*progress)(uint64_t bytes, void *arg);
	void *progress_arg;
};

struct unpack_stats {
	uint64_t entries;
	uint64_t bytes;			/* uncompressed stream size */
	uint64_t id_overflow;		/* files owned by 0 for want of ids */
	uint32_t max_uid, max_gid;	/* the highest ids in the archive */
	uint64_t devices_skipped;	/* mknod refused in a user namespace */
	uint64_t names_skipped;		/* names with ".." (not strict) */
	uint64_t xattrs_skipped;	/* security./trusted. xattrs refused */
};

/*
 * Applies the archive read from fd (gzip, zstd or plain, by content) onto
 * the directory rootfd. Nothing outside rootfd is created, changed or
 * removed whatever the archive holds. stats may be NULL. Returns 0, or -1
 * with err (a digest mismatch included); on failure the tree is partly
 * written and should be thrown away.
 */
int unpack_stream(int rootfd, int fd, const struct unpack_opts *o,
		  struct unpack_stats *stats, struct err *err);

#endif
