/* SPDX-License-Identifier: MIT */
/*
 * Streaming gzip/zstd/plain readers and gzip/zstd writers. A threaded
 * reader decompresses ahead into a small ring of buffers so that inflating
 * one part of a layer overlaps with writing the files of the previous one.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "decompress.h"
#include "util.h"

#define IN_SIZE (128 << 10)
#define RING_SLOTS 4
#define SLOT_SIZE (256 << 10)

struct slot {
	char *buf;
	size_t len, pos;
	bool full;
	bool eof;
	bool failed;
	struct err err;
};

struct ring {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct slot slots[RING_SLOTS];
	size_t rd, wr;		/* slot indexes of reader and writer */
	bool stop;
};

struct dstream {
	int fd;
	enum compression comp;
	unsigned char *in;
	size_t in_len, in_pos;
	bool in_eof;
	bool done;		/* decoder reached the end */
	z_stream z;
	ZSTD_DCtx *zd;
	size_t zret;		/* last ZSTD_decompressStream result */
	bool z_end;		/* gzip member ended */
	uint64_t out_bytes;
	struct sha256 *sha;
	struct ring *ring;
};

const char *compression_name(enum compression c)
{
	switch (c) {
	case COMP_GZIP:
		return "gzip";
	case COMP_ZSTD:
		return "zstd";
	default:
		return "none";
	}
}

/* Refills the input buffer when it is empty; false at end of file. */
static int fill_input(struct dstream *d, struct err *err)
{
	ssize_t n;

	if (d->in_pos < d->in_len)
		return 1;
	if (d->in_eof)
		return 0;
	do
		n = read(d->fd, d->in, IN_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_set(err, errno, "reading compressed data");
	d->in_len = n;
	d->in_pos = 0;
	if (n == 0)
		d->in_eof = true;
	return n > 0;
}

static ssize_t read_plain(struct dstream *d, void *buf, size_t len,
			  struct err *err)
{
	size_t n;
	int r = fill_input(d, err);

	if (r <= 0)
		return r;
	n = d->in_len - d->in_pos;
	if (n > len)
		n = len;
	memcpy(buf, d->in + d->in_pos, n);
	d->in_pos += n;
	return n;
}

static ssize_t read_gzip(struct dstream *d, void *buf, size_t len,
			 struct err *err)
{
	int r, zr;

	d->z.next_out = buf;
	d->z.avail_out = len;
	while (d->z.avail_out == len) {
		r = fill_input(d, err);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (d->z_end)
				return 0;
			return err_set(err, 0, "truncated gzip stream");
		}
		if (d->z_end) {
			/* Another gzip member follows the one that ended. */
			inflateReset(&d->z);
			d->z_end = false;
		}
		d->z.next_in = d->in + d->in_pos;
		d->z.avail_in = d->in_len - d->in_pos;
		zr = inflate(&d->z, Z_NO_FLUSH);
		d->in_pos = d->in_len - d->z.avail_in;
		if (zr == Z_STREAM_END)
			d->z_end = true;
		else if (zr != Z_OK && zr != Z_BUF_ERROR)
			return err_set(err, 0, "corrupt gzip stream: %s",
				       d->z.msg ? d->z.msg : "inflate error");
	}
	return len - d->z.avail_out;
}

static ssize_t read_zstd(struct dstream *d, void *buf, size_t len,
			 struct err *err)
{
	ZSTD_outBuffer out = { buf, len, 0 };
	ZSTD_inBuffer in;
	int r;

	while (out.pos == 0) {
		r = fill_input(d, err);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (d->zret == 0)
				return 0;
			return err_set(err, 0, "truncated zstd stream");
		}
		in.src = d->in;
		in.size = d->in_len;
		in.pos = d->in_pos;
		d->zret = ZSTD_decompressStream(d->zd, &out, &in);
		d->in_pos = in.pos;
		if (ZSTD_isError(d->zret))
			return err_set(err, 0, "corrupt zstd stream: %s",
				       ZSTD_getErrorName(d->zret));
	}
	return out.pos;
}

static ssize_t dec_read(struct dstream *d, void *buf, size_t len,
			struct err *err)
{
	ssize_t n;

	if (d->done || !len)
		return 0;
	if (d->comp == COMP_GZIP)
		n = read_gzip(d, buf, len, err);
	else if (d->comp == COMP_ZSTD)
		n = read_zstd(d, buf, len, err);
	else
		n = read_plain(d, buf, len, err);
	if (n == 0)
		d->done = true;
	if (n > 0) {
		d->out_bytes += n;
		if (d->sha)
			sha256_update(d->sha, buf, n);
	}
	return n;
}

/* Fills one ring slot; returns false when the stream is over. */
static bool ring_fill(struct dstream *d, struct slot *s)
{
	ssize_t n;

	s->len = 0;
	s->pos = 0;
	while (s->len < SLOT_SIZE) {
		n = dec_read(d, s->buf + s->len, SLOT_SIZE - s->len, &s->err);
		if (n < 0) {
			s->failed = true;
			return false;
		}
		if (n == 0) {
			s->eof = true;
			return false;
		}
		s->len += n;
	}
	return true;
}

static void *ring_worker(void *arg)
{
	struct dstream *d = arg;
	struct ring *r = d->ring;
	bool more = true, stop;

	while (more) {
		struct slot *s = &r->slots[r->wr];

		pthread_mutex_lock(&r->mu);
		while (s->full && !r->stop)
			pthread_cond_wait(&r->cond, &r->mu);
		stop = r->stop;
		pthread_mutex_unlock(&r->mu);
		if (stop)
			break;
		more = ring_fill(d, s);
		pthread_mutex_lock(&r->mu);
		s->full = true;
		r->wr = (r->wr + 1) % RING_SLOTS;
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->mu);
	}
	return NULL;
}

static ssize_t ring_read(struct ring *r, void *buf, size_t len,
			 struct err *err)
{
	struct slot *s = &r->slots[r->rd];
	size_t n;

	pthread_mutex_lock(&r->mu);
	while (!s->full)
		pthread_cond_wait(&r->cond, &r->mu);
	pthread_mutex_unlock(&r->mu);
	if (s->pos == s->len) {
		if (s->failed) {
			*err = s->err;
			return -1;
		}
		if (s->eof)
			return 0;
	}
	n = s->len - s->pos;
	if (n > len)
		n = len;
	memcpy(buf, s->buf + s->pos, n);
	s->pos += n;
	if (s->pos == s->len && !s->eof && !s->failed) {
		pthread_mutex_lock(&r->mu);
		s->full = false;
		r->rd = (r->rd + 1) % RING_SLOTS;
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->mu);
	}
	return n;
}

static int ring_start(struct dstream *d, struct err *err)
{
	struct ring *r = xcalloc(1, sizeof(*r));
	int i, e;

	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cond, NULL);
	for (i = 0; i < RING_SLOTS; i++)
		r->slots[i].buf = xmalloc(SLOT_SIZE);
	d->ring = r;
	e = pthread_create(&r->thread, NULL, ring_worker, d);
	if (e) {
		for (i = 0; i < RING_SLOTS; i++)
			free(r->slots[i].buf);
		free(r);
		d->ring = NULL;
		return err_set(err, e, "cannot start a decompression thread");
	}
	return 0;
}

static void ring_stop(struct ring *r)
{
	int i;

	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->thread, NULL);
	for (i = 0; i < RING_SLOTS; i++)
		free(r->slots[i].buf);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cond);
	free(r);
}

static int detect(struct dstream *d, struct err *err)
{
	static const unsigned char gz[] = { 0x1f, 0x8b };
	static const unsigned char zs[] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const unsigned char xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	ssize_t n = read_full(d->fd, d->in, IN_SIZE);

	if (n < 0)
		return err_set(err, errno, "reading compressed data");
	d->in_len = n;
	d->in_eof = (size_t)n < IN_SIZE;
	if (n >= 2 && !memcmp(d->in, gz, 2))
		d->comp = COMP_GZIP;
	else if (n >= 4 && !memcmp(d->in, zs, 4))
		d->comp = COMP_ZSTD;
	else if (n >= 6 && !memcmp(d->in, xz, 6))
		return err_set(err, 0, "xz compression is not supported");
	else if (n >= 3 && !memcmp(d->in, "BZh", 3))
		return err_set(err, 0, "bzip2 compression is not supported");
	return 0;
}

struct dstream *dstream_open(int fd, bool threaded, struct sha256 *sha,
			     struct err *err)
{
	struct dstream *d = xcalloc(1, sizeof(*d));

	d->fd = fd;
	d->sha = sha;
	d->in = xmalloc(IN_SIZE);
	if (detect(d, err) < 0)
		goto out_free;
	if (d->comp == COMP_GZIP && inflateInit2(&d->z, 15 + 16) != Z_OK) {
		err_set(err, ENOMEM, "cannot start inflating");
		goto out_free;
	}
	if (d->comp == COMP_ZSTD) {
		d->zd = ZSTD_createDCtx();
		if (!d->zd) {
			err_set(err, ENOMEM, "cannot start zstd");
			goto out_free;
		}
		d->zret = 1;
	}
	if (threaded && ring_start(d, err) < 0) {
		dstream_close(d);
		return NULL;
	}
	return d;

out_free:
	free(d->in);
	free(d);
	return NULL;
}

enum compression dstream_format(const struct dstream *d)
{
	return d->comp;
}

ssize_t dstream_read(struct dstream *d, void *buf, size_t len,
		     struct err *err)
{
	if (d->ring)
		return ring_read(d->ring, buf, len, err);
	return dec_read(d, buf, len, err);
}

uint64_t dstream_out_bytes(const struct dstream *d)
{
	return d->out_bytes;
}

void dstream_close(struct dstream *d)
{
	if (!d)
		return;
	if (d->ring)
		ring_stop(d->ring);
	if (d->comp == COMP_GZIP)
		inflateEnd(&d->z);
	ZSTD_freeDCtx(d->zd);
	free(d->in);
	free(d);
}

struct cstream {
	int fd;
	enum compression comp;
	z_stream z;
	ZSTD_CCtx *zc;
	unsigned char *out;
};

struct cstream *cstream_open(int fd, enum compression comp, struct err *err)
{
	struct cstream *c = xcalloc(1, sizeof(*c));

	c->fd = fd;
	c->comp = comp;
	c->out = xmalloc(IN_SIZE);
	if (comp == COMP_GZIP &&
	    deflateInit2(&c->z, 6, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		err_set(err, ENOMEM, "cannot start deflating");
		goto out_free;
	}
	if (comp == COMP_ZSTD) {
		c->zc = ZSTD_createCCtx();
		if (!c->zc) {
			err_set(err, ENOMEM, "cannot start zstd");
			goto out_free;
		}
	}
	return c;

out_free:
	free(c->out);
	free(c);
	return NULL;
}

static int write_out(struct cstream *c, size_t n, struct err *err)
{
	if (n && write_all(c->fd, c->out, n) < 0)
		return err_set(err, errno, "writing compressed data");
	return 0;
}

static int gzip_step(struct cstream *c, const void *buf, size_t len,
		     int flush, struct err *err)
{
	int zr;

	c->z.next_in = (unsigned char *)buf;
	c->z.avail_in = len;
	do {
		c->z.next_out = c->out;
		c->z.avail_out = IN_SIZE;
		zr = deflate(&c->z, flush);
		if (zr == Z_STREAM_ERROR)
			return err_set(err, 0, "deflate failed");
		if (write_out(c, IN_SIZE - c->z.avail_out, err) < 0)
			return -1;
	} while (c->z.avail_out == 0 ||
		 (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

static int zstd_step(struct cstream *c, const void *buf, size_t len,
		     ZSTD_EndDirective end, struct err *err)
{
	ZSTD_inBuffer in = { buf, len, 0 };
	size_t r;

	do {
		ZSTD_outBuffer out = { c->out, IN_SIZE, 0 };

		r = ZSTD_compressStream2(c->zc, &out, &in, end);
		if (ZSTD_isError(r))
			return err_set(err, 0, "zstd: %s", ZSTD_getErrorName(r));
		if (write_out(c, out.pos, err) < 0)
			return -1;
	} while (in.pos < in.size || (end == ZSTD_e_end && r != 0));
	return 0;
}

int cstream_write(struct cstream *c, const void *buf, size_t len,
		  struct err *err)
{
	if (c->comp == COMP_GZIP)
		return gzip_step(c, buf, len, Z_NO_FLUSH, err);
	if (c->comp == COMP_ZSTD)
		return zstd_step(c, buf, len, ZSTD_e_continue, err);
	if (write_all(c->fd, buf, len) < 0)
		return err_set(err, errno, "writing");
	return 0;
}

int cstream_finish(struct cstream *c, struct err *err)
{
	int ret = 0;

	if (c->comp == COMP_GZIP) {
		ret = gzip_step(c, NULL, 0, Z_FINISH, err);
		deflateEnd(&c->z);
	} else if (c->comp == COMP_ZSTD) {
		ret = zstd_step(c, NULL, 0, ZSTD_e_end, err);
		ZSTD_freeCCtx(c->zc);
	}
	free(c->out);
	free(c);
	return ret;
}
