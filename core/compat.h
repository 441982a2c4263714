// SPDX-License-Identifier: MIT
/* What musl 1.2.3 (the static build's libc) lacks next to glibc. Each shim
 * is keyed on the macro that the libc defines along with the feature, so
 * with glibc this header adds nothing. */
#ifndef SCATMAN_COMPAT_H
#define SCATMAN_COMPAT_H

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* statx() came to musl in 1.2.5; the kernel's struct is the ABI. */
#ifndef STATX_TYPE
#include <linux/stat.h>

static inline int statx(int dirfd, const char *path, int flags,
			unsigned int mask, struct statx *buf)
{
	return (int)syscall(SYS_statx, dirfd, path, flags, mask, buf);
}
#endif

/* glibc's name for the O_TMPFILE bit without O_DIRECTORY. */
#ifndef __O_TMPFILE
#define __O_TMPFILE (O_TMPFILE & ~O_DIRECTORY)
#endif

#endif
