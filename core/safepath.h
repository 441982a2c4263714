/* SPDX-License-Identifier: MIT */
/*
 * Resolving paths inside a directory as if it were "/": no "..", symlink or
 * absolute name leads outside it. Uses openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) where the kernel has it and an O_NOFOLLOW walk of
 * each component otherwise.
 */
#ifndef SCATMAN_SAFEPATH_H
#define SCATMAN_SAFEPATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

/*
 * Opens path inside the directory rootfd as if rootfd were "/": ".." stops
 * at the root, symlinks (absolute or relative) are resolved inside the
 * root, magic links refused; flags/mode as openat (O_PATH, O_DIRECTORY,
 * O_CREAT, O_NOFOLLOW on the last component...). O_CLOEXEC is always
 * added. Returns an fd or -1 with err (errnum as openat's errno).
 */
int safepath_open(int rootfd, const char *path, int flags, mode_t mode,
		  struct err *err);

/*
 * Opens (O_PATH | O_DIRECTORY) the parent directory of path inside rootfd,
 * resolved as above, and stores a malloc'd copy of the last component in
 * *leaf ("." for the root itself; a path ending in "." or ".." opens that
 * directory and gives "."). Trailing slashes are ignored. The fd is usable
 * as the dirfd of the *at calls. Caller closes the fd and frees *leaf.
 */
int safepath_open_parent(int rootfd, const char *path, char **leaf,
			 struct err *err);

/* mkdir -p inside rootfd, contained; existing directories (also reached
 * through symlinks resolved inside the root) are fine. Returns an O_PATH
 * fd of the final directory. */
int safepath_mkdir_p(int rootfd, const char *path, mode_t mode,
		     struct err *err);

/*
 * Cleans an archive member name lexically into out (same size as name plus
 * one): drops leading "/" and "./", empty and "." components. Returns false
 * when a ".." component remains (the caller refuses the name). An empty
 * result means the root itself.
 */
bool safepath_clean(const char *name, char *out);

/* For tests: forces the O_NOFOLLOW walk even where openat2 exists (as
 * does SCATMAN_TEST_NO_OPENAT2 in the environment). */
void safepath_force_walk(bool on);

#endif
