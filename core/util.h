/* SPDX-License-Identifier: MIT */
/* Small helpers shared by every module: memory, strings, files. */
#ifndef SCATMAN_UTIL_H
#define SCATMAN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation helpers; they exit with "out of memory" on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a malloc'd formatted string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Returns a malloc'd "a/b" (no doubled slash); caller frees. */
char *path_join(const char *a, const char *b);

/* The last component of path and the directory before it, as basename(1)
 * and dirname(1) give them (trailing slashes ignored); malloc'd. */
char *path_basename(const char *path);
char *path_dirname(const char *path);

bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);
/* Parses a whole decimal number within [min, max] into *out; false on
 * junk, sign or overflow (no wrapping). */
bool str_to_num(const char *s, long long min, long long max, long long *out);

/* Writes all of buf to fd, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);
/* Reads up to len bytes, retrying on EINTR and short reads; returns the
 * count read (less than len only at end of file) or -1. */
ssize_t read_full(int fd, void *buf, size_t len);

/*
 * Reads a whole file of at most max bytes into a malloc'd, NUL-terminated
 * buffer; *len (may be NULL) gets its size. Caller frees. NULL on error
 * (err filled; errnum ENOENT when the file does not exist).
 */
char *file_read(const char *path, size_t max, size_t *len, struct err *err);
/* As file_read, relative to dirfd. */
char *file_read_at(int dirfd, const char *path, size_t max, size_t *len,
		   struct err *err);

/*
 * Writes data to path atomically: a temporary file in the same directory,
 * fsync, rename over path, fsync of the directory.
 */
int file_write_atomic(const char *path, const void *data, size_t len,
		      mode_t mode, struct err *err);
/* As file_write_atomic without the fsyncs: readers see the old or the new
 * content, but a power loss may lose the change. For run-time state that
 * means nothing after a reboot (a chroot's state.json). */
int file_replace(const char *path, const void *data, size_t len, mode_t mode,
		 struct err *err);

/* Opens (creating with mode) the lock file path, without following a
 * symlink, and takes flock(how) on it; returns the fd (close it to unlock)
 * or -1. */
int file_lock(const char *path, mode_t mode, int how, struct err *err);

/* mkdir -p; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode, struct err *err);

/* Sets FD_CLOEXEC on fd. */
int fd_set_cloexec(int fd);

/* Returns the current time as seconds and nanoseconds since the epoch. */
void time_now(int64_t *sec, long *nsec);
/* Formats t (with nanoseconds) as RFC 3339 in UTC, e.g.
 * "2026-12-04T15:30:13.123456789Z", into buf (at least 40 bytes). */
void time_format_rfc3339(int64_t sec, long nsec, char *buf, size_t len);
/* Parses RFC 3339 (with optional fraction and zone); -1 when malformed. */
int time_parse_rfc3339(const char *s, int64_t *sec, long *nsec);
/* "3 minutes", "2 weeks", "About an hour", as podman prints ages. */
void time_human_duration(int64_t seconds, char *buf, size_t len);
/* "1.2 MB", "532 kB", "12 B" with podman's decimal units. */
void size_human(uint64_t bytes, char *buf, size_t len);

/* As err_set, but the message gets no strerror text while errnum is
 * still set to code (for callers that test it, e.g. ENOENT). */
int err_setc(struct err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
