/* SPDX-License-Identifier: MIT */
/* Unit tests for core/tar: writer/reader round trips with long names and
 * large values, base-256 numbers, PAX times, bad checksums, truncation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/tar.h"
#include "../../core/util.h"
#include "tap.h"

struct mem {
	char *buf;
	size_t len, pos;
};

static int mem_write(void *ctx, const void *buf, size_t len, struct err *err)
{
	struct mem *m = ctx;

	m->buf = xrealloc(m->buf, m->len + len);
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	return 0;
}

static ssize_t mem_read(void *ctx, void *buf, size_t len, struct err *err)
{
	struct mem *m = ctx;
	size_t n = m->len - m->pos < len ? m->len - m->pos : len;

	memcpy(buf, m->buf + m->pos, n);
	m->pos += n;
	return n;
}

static void test_roundtrip(void)
{
	struct tar_xattr xa = { "user.note", "v\0w", 3 };
	char longname[400], data[] = "hello";
	struct tar_entry e = { 0 }, *got;
	struct err err = ERR_INIT;
	struct mem m = { 0 };
	struct tar_writer *w = tar_writer_new(mem_write, &m);
	struct tar_reader *r;
	const void *p;
	uint64_t off;

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	e.path = longname;
	e.type = TAR_REG;
	e.mode = 04755;
	e.uid = 5000000000ULL;
	e.gid = 7;
	e.mtime = 1700000000;
	e.size = 5;
	e.xattrs = &xa;
	e.nxattrs = 1;
	tap_ok(tar_write_header(w, &e, &err) == 0, "write a long-named entry");
	tap_ok(tar_write_data(w, data, 5, &err) == 0, "write its data");
	memset(&e, 0, sizeof(e));
	e.path = "dir";
	e.type = TAR_DIR;
	e.mode = 0555;
	tar_write_header(w, &e, &err);
	tap_ok(tar_writer_finish(w, &err) == 0, "finish the archive");

	r = tar_reader_new(mem_read, &m);
	tap_is_int(tar_next(r, &got, &err), 1, "read the first entry");
	tap_is_str(got->path, longname, "the PAX long name comes back");
	tap_is_int(got->uid, 5000000000LL, "a uid over 8 octal digits too");
	tap_is_int(got->mode, 04755, "mode with setuid");
	tap_ok(got->nxattrs == 1 && got->xattrs[0].len == 3 &&
	       !memcmp(got->xattrs[0].value, "v\0w", 3), "the xattr");
	tap_is_int(tar_data(r, &p, &off, &err), 5, "five bytes of data");
	tap_ok(!memcmp(p, "hello", 5) && off == 0, "the data itself");
	tap_is_int(tar_next(r, &got, &err), 1, "read the directory");
	tap_is_str(got->path, "dir/", "directories end in a slash");
	tap_ok(got->type == TAR_DIR && got->mode == 0555, "type and mode");
	tap_is_int(tar_next(r, &got, &err), 0, "then the end");
	tar_reader_free(r);
	free(m.buf);
}

/* A hand-made header: base-256 size and uid, then a checksum. */
static void fill_sum(unsigned char *b)
{
	unsigned sum = 0;
	int i;

	memset(b + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += b[i];
	snprintf((char *)b + 148, 8, "%06o", sum);
}

static void test_base256(void)
{
	unsigned char *b = xcalloc(1, 512 * 4);
	struct mem m = { (char *)b, 512 * 4, 0 };
	struct err err = ERR_INIT;
	struct tar_entry *e;
	struct tar_reader *r;

	strcpy((char *)b, "file");
	memcpy(b + 100, "0000644", 8);
	b[108] = 0x80;		/* uid 70000 in base-256 */
	b[113] = 0x01;
	b[114] = 0x11;
	b[115] = 0x70;
	memcpy(b + 116, "0000000", 8);
	b[124] = 0x80;		/* size 1 */
	b[135] = 1;
	memcpy(b + 136, "00000000000", 12);
	b[156] = '0';
	memcpy(b + 257, "ustar", 6);
	memcpy(b + 263, "00", 2);
	fill_sum(b);
	b[512] = 'x';
	r = tar_reader_new(mem_read, &m);
	tap_is_int(tar_next(r, &e, &err), 1, "base-256 header read");
	tap_is_int(e->uid, 70000, "base-256 uid");
	tap_is_int(e->size, 1, "base-256 size");
	tar_reader_free(r);

	b[0] = 'F';
	m.pos = 0;
	r = tar_reader_new(mem_read, &m);
	tap_is_int(tar_next(r, &e, &err), -1, "a bad checksum is refused");
	tap_ok(strstr(err.msg, "checksum") != NULL, "and says so");
	tar_reader_free(r);

	fill_sum(b);
	m.len = 512 + 100;
	m.pos = 0;
	memcpy(b + 124, "00000001000", 12);
	fill_sum(b);
	r = tar_reader_new(mem_read, &m);
	tar_next(r, &e, &err);
	{
		const void *p;
		uint64_t off;
		ssize_t n;

		while ((n = tar_data(r, &p, &off, &err)) > 0)
			;
		tap_is_int(n, -1, "truncated data is an error");
	}
	tar_reader_free(r);
	free(b);
}

static void test_pax_time(void)
{
	struct mem m = { 0 };
	struct err err = ERR_INIT;
	struct tar_entry e = { 0 }, *got;
	struct tar_writer *w = tar_writer_new(mem_write, &m);
	struct tar_reader *r;
	char *rec = "30 mtime=1700000000.123456789\n";
	unsigned char *x;

	e.path = "f";
	e.type = TAR_REG;
	e.mode = 0644;
	tar_write_header(w, &e, &err);
	tar_writer_finish(w, &err);
	/* Put an 'x' header with a sub-second mtime in front. */
	x = xcalloc(1, 1024);
	strcpy((char *)x, "PaxHeaders/f");
	memcpy(x + 100, "0000644", 8);
	snprintf((char *)x + 124, 12, "%011o", (unsigned)strlen(rec));
	x[156] = 'x';
	memcpy(x + 257, "ustar", 6);
	memcpy(x + 263, "00", 2);
	fill_sum(x);
	memcpy(x + 512, rec, strlen(rec));
	x = xrealloc(x, 1024 + m.len);
	memcpy(x + 1024, m.buf, m.len);
	free(m.buf);
	m.buf = (char *)x;
	m.len += 1024;
	r = tar_reader_new(mem_read, &m);
	tap_is_int(tar_next(r, &got, &err), 1, "entry after a PAX header");
	tap_is_int(got->mtime, 1700000000, "PAX mtime seconds");
	tap_is_int(got->mtime_ns, 123456789, "PAX mtime nanoseconds");
	tar_reader_free(r);
	free(m.buf);
}

/* Reads every entry and all data; returns tar_next's last result. */
static int read_all(struct mem *m)
{
	struct err err = ERR_INIT;
	struct tar_reader *r = tar_reader_new(mem_read, m);
	struct tar_entry *e;
	const void *p;
	uint64_t off;
	int n;

	while ((n = tar_next(r, &e, &err)) > 0)
		while (tar_data(r, &p, &off, &err) > 0)
			;
	tar_reader_free(r);
	return n;
}

/* Random byte changes in an archive with long names, PAX records and
 * links: the reader must end in an entry list or an error, never crash
 * or loop (deterministic: a fixed seed). */
static void test_mutations(void)
{
	struct tar_entry e = { 0 };
	struct err err = ERR_INIT;
	struct mem m = { 0 }, c;
	struct tar_writer *w = tar_writer_new(mem_write, &m);
	char name[300];
	int i, k, fails = 0;

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	e.path = name;
	e.type = TAR_REG;
	e.mode = 0644;
	e.size = 1000;
	e.uid = 1U << 30;
	tar_write_header(w, &e, &err);
	for (i = 0; i < 10; i++)
		tar_write_data(w, "0123456789abcdefghijklmnopqrstuvwxyz0123456789"
			       "0123456789abcdefghijklmnopqrstuvwxyz0123456789"
			       "abcdefgh", 100, &err);
	e.type = TAR_SYMLINK;
	e.linkpath = name;
	e.size = 0;
	e.path = "l";
	tar_write_header(w, &e, &err);
	tar_writer_finish(w, &err);
	tap_is_int(read_all(&m), 0, "the unmutated archive reads to its end");

	srand(42);
	c.buf = xmalloc(m.len);
	c.len = m.len;
	for (i = 0; i < 20000; i++) {
		memcpy(c.buf, m.buf, m.len);
		for (k = 0; k < 1 + rand() % 6; k++)
			c.buf[rand() % (c.len < 4096 ? c.len : 4096)] = rand();
		c.pos = 0;
		if (read_all(&c) < 0)
			fails++;
	}
	tap_ok(fails > 0 && fails < 20000,
	       "20000 mutated archives read without a crash");
	free(c.buf);
	free(m.buf);
}

int main(void)
{
	test_roundtrip();
	test_mutations();
	test_base256();
	test_pax_time();
	return tap_done();
}
