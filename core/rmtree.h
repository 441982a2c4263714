/* SPDX-License-Identifier: MIT */
/* Removing a directory tree safely: no symlink is followed, no mount or
 * filesystem boundary is crossed, unreadable and read-only directories are
 * made writable on the way down. */
#ifndef SCATMAN_RMTREE_H
#define SCATMAN_RMTREE_H

#include <stdint.h>

#include "err.h"

/*
 * Removes name (relative to dirfd; AT_FDCWD for a path) and, when it is a
 * directory, everything below it. A symlink is removed, never followed.
 * A directory on another filesystem or mount than name itself (a bind
 * mount that leaked, /proc) is left alone, as is everything under it, and
 * the call fails with EXDEV; name must not be a mount point itself either.
 * Modes of directories (000, 0555) are fixed as needed. Removal carries on
 * past errors; the first one is reported. A missing name is not an error.
 */
int rmtree_at(int dirfd, const char *name, struct err *err);

/*
 * Sums the sizes of the regular files under name (relative to dirfd), by
 * the same walk rules: no symlink followed, no mount crossed, hard links
 * counted once. Unreadable directories are skipped.
 */
int rmtree_du_at(int dirfd, const char *name, uint64_t *bytes,
		 struct err *err);

#endif
