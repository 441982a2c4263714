/* SPDX-License-Identifier: MIT */
/*
 * Streaming decompression chosen by content (gzip and zstd magic bytes,
 * plain data otherwise) and streaming compression for writers. Never holds
 * a whole stream in memory.
 */
#ifndef SCATMAN_DECOMPRESS_H
#define SCATMAN_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "digest.h"
#include "err.h"

enum compression {
	COMP_NONE,
	COMP_GZIP,
	COMP_ZSTD,
};

const char *compression_name(enum compression c);

struct dstream;

/*
 * Starts reading fd (borrowed: the caller closes it after dstream_close),
 * detecting the format from its first bytes. With threaded, decompression
 * runs in a thread of its own ahead of the reader. When sha is not NULL,
 * the decompressed bytes are hashed into it as they are made (in that
 * thread); it is complete once dstream_read has returned 0. Returns NULL
 * with err on failure (an unsupported format such as xz or bzip2 is
 * refused).
 */
struct dstream *dstream_open(int fd, bool threaded, struct sha256 *sha,
			     struct err *err);
enum compression dstream_format(const struct dstream *d);
/* Reads up to len decompressed bytes; 0 at the end of the stream, -1 with
 * err on a read error or a corrupt or truncated stream. */
ssize_t dstream_read(struct dstream *d, void *buf, size_t len,
		     struct err *err);
/* Decompressed and compressed bytes consumed so far. */
uint64_t dstream_out_bytes(const struct dstream *d);
void dstream_close(struct dstream *d);

struct cstream;

/* Compresses to fd (borrowed) with c at the format's default level. */
struct cstream *cstream_open(int fd, enum compression c, struct err *err);
int cstream_write(struct cstream *c, const void *buf, size_t len,
		  struct err *err);
/* Ends the stream (writes trailers) and frees c, even on failure. */
int cstream_finish(struct cstream *c, struct err *err);

#endif
