/* SPDX-License-Identifier: MIT */
/*
 * Tar reading and writing. The reader keeps one buffer and hands out
 * pointers into it, so file data is never copied twice; extended headers
 * (GNU long names, PAX records, sparse maps) are bounded in size.
 * See POSIX pax "ustar Interchange Format" and "pax Extended Header", and
 * GNU tar's "Standard" and "Sparse Formats" documentation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tar.h"
#include "util.h"

#define BLOCK 512
#define RBUF (256 << 10)
#define EXT_MAX (1 << 20)	/* largest long name or PAX header */
#define SPARSE_MAX 65536	/* most chunks in a sparse map */

/* The ustar header layout. */
struct hdr {
	char name[100];
	char mode[8];
	char uid[8];
	char gid[8];
	char size[12];
	char mtime[12];
	char chksum[8];
	char typeflag;
	char linkname[100];
	char magic[6];
	char version[2];
	char uname[32];
	char gname[32];
	char devmajor[8];
	char devminor[8];
	char prefix[155];
	char pad[12];
};

/* PAX values that override the header of one entry (or all, globally). */
struct pax {
	char *path, *linkpath, *uname, *gname;
	bool has_size, has_uid, has_gid, has_mtime;
	uint64_t size, uid, gid;
	int64_t mtime;
	long mtime_ns;
	struct tar_xattr *xattrs;
	size_t nxattrs;
	/* GNU sparse in PAX form */
	int sparse_major, sparse_minor;
	bool sparse;
	char *sparse_name;
	uint64_t sparse_realsize;
	struct tar_sparse *map;
	size_t nmap;
};

struct tar_reader {
	tar_read_fn fn;
	void *ctx;
	char *buf;
	size_t pos, len;
	bool eof;
	struct tar_entry e;
	struct pax global;
	struct pax local;
	char *longname, *longlink;
	bool pending;		/* extension headers read, no entry yet */
	uint64_t remain;	/* archive bytes of data left in the entry */
	uint64_t pad;		/* padding after them */
	struct tar_sparse *map;	/* chunks of the file, in order */
	size_t nmap, chunk;
	uint64_t chunk_done;
	bool ended;
};

struct tar_reader *tar_reader_new(tar_read_fn fn, void *ctx)
{
	struct tar_reader *r = xcalloc(1, sizeof(*r));

	r->fn = fn;
	r->ctx = ctx;
	r->buf = xmalloc(RBUF);
	return r;
}

static void xattrs_free(struct tar_xattr *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(x[i].name);
		free(x[i].value);
	}
	free(x);
}

static void pax_clear(struct pax *p)
{
	free(p->path);
	free(p->linkpath);
	free(p->uname);
	free(p->gname);
	free(p->sparse_name);
	free(p->map);
	xattrs_free(p->xattrs, p->nxattrs);
	memset(p, 0, sizeof(*p));
}

static void entry_clear(struct tar_entry *e)
{
	free(e->path);
	free(e->linkpath);
	free(e->uname);
	free(e->gname);
	xattrs_free(e->xattrs, e->nxattrs);
	memset(e, 0, sizeof(*e));
}

void tar_reader_free(struct tar_reader *r)
{
	if (!r)
		return;
	entry_clear(&r->e);
	pax_clear(&r->global);
	pax_clear(&r->local);
	free(r->longname);
	free(r->longlink);
	free(r->map);
	free(r->buf);
	free(r);
}

/* Makes at least n bytes (n <= RBUF) available at r->buf + r->pos unless
 * the stream ends first; returns the count available. */
static ssize_t ensure(struct tar_reader *r, size_t n, struct err *err)
{
	ssize_t got;

	if (r->len - r->pos >= n || r->eof)
		return r->len - r->pos;
	if (r->pos == r->len) {
		r->pos = r->len = 0;
	} else if (r->pos + n > RBUF) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	while (r->len - r->pos < n) {
		got = r->fn(r->ctx, r->buf + r->len, RBUF - r->len, err);
		if (got < 0)
			return -1;
		if (got == 0) {
			r->eof = true;
			break;
		}
		r->len += got;
	}
	return r->len - r->pos;
}

/* Skips n bytes of the stream. */
static int skip(struct tar_reader *r, uint64_t n, struct err *err)
{
	while (n) {
		size_t avail = r->len - r->pos;

		if (!avail) {
			r->pos = r->len = 0;
			if (ensure(r, 1, err) < 0)
				return -1;
			avail = r->len - r->pos;
			if (!avail)
				return err_set(err, 0, "unexpected end of archive");
		}
		if (avail > n)
			avail = n;
		r->pos += avail;
		n -= avail;
	}
	return 0;
}

/* Parses an octal or base-256 numeric field; false when malformed. */
static bool parse_num(const char *f, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if ((unsigned char)f[0] & 0x80) {
		if ((unsigned char)f[0] == 0xff)
			return false;	/* negative */
		v = (unsigned char)f[0] & 0x3f;
		for (i = 1; i < n; i++) {
			if (v >> 55)
				return false;
			v = (v << 8) | (unsigned char)f[i];
		}
		*out = v;
		return true;
	}
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return false;
		v = (v << 3) | (uint64_t)(f[i] - '0');
	}
	if (i < n && f[i] != ' ' && f[i] != '\0')
		return false;
	*out = v;
	return true;
}

static bool checksum_ok(const unsigned char *b)
{
	uint64_t want;
	unsigned long u = 0;
	long s = 0;
	int i;

	if (!parse_num((const char *)b + 148, 8, &want))
		return false;
	for (i = 0; i < BLOCK; i++) {
		unsigned char c = (i >= 148 && i < 156) ? ' ' : b[i];

		u += c;
		s += (signed char)c;
	}
	return want == u || (long)want == s;
}

static bool is_zero_block(const char *b)
{
	int i;

	for (i = 0; i < BLOCK; i++)
		if (b[i])
			return false;
	return true;
}

/* Copies a possibly unterminated header field. */
static char *field_str(const char *f, size_t n)
{
	return xstrndup(f, strnlen(f, n));
}

/* Reads the data of an extension entry (long name, PAX header) of size
 * n into a malloc'd NUL-terminated buffer. */
static char *read_ext(struct tar_reader *r, uint64_t n, struct err *err)
{
	uint64_t padded = (n + BLOCK - 1) & ~(uint64_t)(BLOCK - 1);
	char *data;
	size_t got = 0;

	if (n > EXT_MAX) {
		err_set(err, 0, "extended header too large (%llu bytes)",
			(unsigned long long)n);
		return NULL;
	}
	data = xmalloc(n + 1);
	while (got < n) {
		ssize_t a = ensure(r, 1, err);
		size_t c;

		if (a <= 0) {
			if (a == 0)
				err_set(err, 0, "unexpected end of archive");
			free(data);
			return NULL;
		}
		c = (size_t)a < n - got ? (size_t)a : n - got;
		memcpy(data + got, r->buf + r->pos, c);
		r->pos += c;
		got += c;
	}
	data[n] = '\0';
	if (skip(r, padded - n, err) < 0) {
		free(data);
		return NULL;
	}
	return data;
}

/* Parses a non-negative decimal number filling the whole string. */
static bool parse_dec(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

/* "SECONDS[.FRACTION]", possibly negative. */
static bool parse_time(const char *s, int64_t *sec, long *nsec)
{
	bool neg = *s == '-';
	uint64_t v = 0;
	long ns = 0, scale = 100000000;

	if (neg)
		s++;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (uint64_t)INT64_MAX / 10 - 1)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
			ns += (*s - '0') * scale;
	if (*s)
		return false;
	*sec = neg ? -(int64_t)v : (int64_t)v;
	*nsec = ns;
	if (neg && ns) {
		*sec -= 1;
		*nsec = 1000000000 - ns;
	}
	return true;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = *v ? xstrdup(v) : NULL;
}

static void pax_add_xattr(struct pax *p, const char *name, const char *v,
			  size_t len)
{
	struct tar_xattr *x;
	size_t i;

	for (i = 0; i < p->nxattrs; i++)
		if (!strcmp(p->xattrs[i].name, name))
			break;
	if (i == p->nxattrs) {
		p->xattrs = xrealloc(p->xattrs, (i + 1) * sizeof(*x));
		p->nxattrs++;
		p->xattrs[i].name = xstrdup(name);
	} else {
		free(p->xattrs[i].value);
	}
	x = &p->xattrs[i];
	x->value = xmalloc(len + 1);
	memcpy(x->value, v, len);
	x->value[len] = '\0';
	x->len = len;
}

/* GNU.sparse.map (format 0.1): "off,len,off,len,...". */
static bool pax_sparse_map(struct pax *p, const char *v)
{
	char *copy = xstrdup(v), *tok, *save = NULL;
	uint64_t vals[2];
	int k = 0;

	free(p->map);
	p->map = NULL;
	p->nmap = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!parse_dec(tok, &vals[k]) || p->nmap >= SPARSE_MAX)
			goto out_bad;
		if (++k < 2)
			continue;
		k = 0;
		p->map = xrealloc(p->map, (p->nmap + 1) * sizeof(*p->map));
		p->map[p->nmap].off = vals[0];
		p->map[p->nmap++].len = vals[1];
	}
	free(copy);
	p->sparse = true;
	return k == 0;

out_bad:
	free(copy);
	return false;
}

/* GNU.sparse.offset / GNU.sparse.numbytes pairs (format 0.0). */
static bool pax_sparse_pair(struct pax *p, bool is_off, const char *v)
{
	uint64_t n;

	if (!parse_dec(v, &n) || p->nmap >= SPARSE_MAX)
		return false;
	if (is_off) {
		p->map = xrealloc(p->map, (p->nmap + 1) * sizeof(*p->map));
		p->map[p->nmap].off = n;
		p->map[p->nmap].len = 0;
		p->nmap++;
	} else {
		if (!p->nmap)
			return false;
		p->map[p->nmap - 1].len = n;
	}
	p->sparse = true;
	return true;
}

static bool pax_sparse_key(struct pax *p, const char *k, const char *v)
{
	uint64_t n;

	if (!strcmp(k, "major") || !strcmp(k, "minor")) {
		if (!parse_dec(v, &n) || n > 16)
			return false;
		*(k[1] == 'a' ? &p->sparse_major : &p->sparse_minor) = n;
		p->sparse = true;
		return true;
	}
	if (!strcmp(k, "name")) {
		set_str(&p->sparse_name, v);
		return true;
	}
	if (!strcmp(k, "realsize") || !strcmp(k, "size")) {
		p->sparse = true;
		return parse_dec(v, &p->sparse_realsize);
	}
	if (!strcmp(k, "map"))
		return pax_sparse_map(p, v);
	if (!strcmp(k, "offset") || !strcmp(k, "numbytes"))
		return pax_sparse_pair(p, k[0] == 'o', v);
	return true;
}

/* One "key=value" record; false when its value is malformed. */
static bool pax_record(struct pax *p, const char *k, const char *v,
		       size_t vlen)
{
	if (!strcmp(k, "path"))
		set_str(&p->path, v);
	else if (!strcmp(k, "linkpath"))
		set_str(&p->linkpath, v);
	else if (!strcmp(k, "uname"))
		set_str(&p->uname, v);
	else if (!strcmp(k, "gname"))
		set_str(&p->gname, v);
	else if (!strcmp(k, "size"))
		return (p->has_size = parse_dec(v, &p->size));
	else if (!strcmp(k, "uid"))
		return (p->has_uid = parse_dec(v, &p->uid));
	else if (!strcmp(k, "gid"))
		return (p->has_gid = parse_dec(v, &p->gid));
	else if (!strcmp(k, "mtime"))
		return (p->has_mtime = parse_time(v, &p->mtime,
						  &p->mtime_ns));
	else if (str_has_prefix(k, "SCHILY.xattr.") && k[13])
		pax_add_xattr(p, k + 13, v, vlen);
	else if (str_has_prefix(k, "GNU.sparse."))
		return pax_sparse_key(p, k + 11, v);
	return true;
}

/* Parses PAX records "LEN KEY=VALUE\n" from data of length n. */
static int pax_parse(struct pax *p, char *data, size_t n, struct err *err)
{
	size_t pos = 0;

	while (pos < n) {
		char *rec = data + pos, *sp, *eq, *end;
		uint64_t len = 0;

		if (rec[0] == '\0')
			break;	/* NUL padding */
		sp = memchr(rec, ' ', n - pos);
		if (!sp || sp == rec)
			goto out_bad;
		*sp = '\0';
		if (!parse_dec(rec, &len) || len > n - pos ||
		    len < (uint64_t)(sp - rec) + 3)
			goto out_bad;
		end = rec + len - 1;
		if (*end != '\n')
			goto out_bad;
		*end = '\0';
		eq = memchr(sp + 1, '=', end - (sp + 1));
		if (!eq)
			goto out_bad;
		*eq = '\0';
		if (!pax_record(p, sp + 1, eq + 1, end - (eq + 1)))
			return err_set(err, 0, "bad PAX value for '%s'",
				       sp + 1);
		pos += len;
	}
	return 0;

out_bad:
	return err_set(err, 0, "malformed PAX extended header");
}

/* Applies the 1.0 sparse format's map, stored at the start of the data. */
static int read_sparse_1_0(struct tar_reader *r, struct err *err)
{
	uint64_t count, v, used = 0, i;
	char line[32];
	size_t ln = 0;
	ssize_t a;
	uint64_t *vals = NULL;
	size_t nvals = 0, want = 1;

	while (nvals < want) {
		a = ensure(r, 1, err);
		if (a <= 0)
			goto out_trunc;
		if (r->remain == 0)
			goto out_trunc;
		line[ln] = r->buf[r->pos++];
		r->remain--;
		used++;
		if (line[ln] != '\n') {
			if (++ln >= sizeof(line))
				goto out_bad;
			continue;
		}
		line[ln] = '\0';
		ln = 0;
		if (!parse_dec(line, &v))
			goto out_bad;
		if (nvals == 0 && want == 1 && !vals) {
			count = v;
			if (count > SPARSE_MAX)
				goto out_bad;
			want = 2 * count;
			vals = xmalloc((want + 1) * sizeof(*vals));
			continue;
		}
		vals[nvals++] = v;
	}
	free(r->local.map);
	r->local.nmap = want / 2;
	r->local.map = xcalloc(r->local.nmap + 1, sizeof(*r->local.map));
	for (i = 0; i < r->local.nmap; i++) {
		r->local.map[i].off = vals[2 * i];
		r->local.map[i].len = vals[2 * i + 1];
	}
	free(vals);
	/* The map is padded to a block boundary. */
	v = (BLOCK - used % BLOCK) % BLOCK;
	if (v > r->remain)
		return err_set(err, 0, "corrupt sparse map");
	r->remain -= v;
	return skip(r, v, err);

out_trunc:
	free(vals);
	return err_set(err, 0, "unexpected end of archive in sparse map");
out_bad:
	free(vals);
	return err_set(err, 0, "corrupt sparse map");
}

/* The old GNU sparse header: up to 4 chunks in the header, then extension
 * blocks of 21 chunks each. */
static int read_sparse_gnu(struct tar_reader *r, const char *b,
			   struct err *err)
{
	size_t cap = 4, n = 0, i;
	struct tar_sparse *m = xmalloc(cap * sizeof(*m));
	const char *p = b + 386;
	int cnt = 4;
	bool ext = b[482];

	for (;;) {
		for (i = 0; i < (size_t)cnt; i++, p += 24) {
			uint64_t off, len;

			if (!p[0])
				continue;
			if (!parse_num(p, 12, &off) ||
			    !parse_num(p + 12, 12, &len))
				goto out_bad;
			if (n == cap) {
				cap *= 2;
				m = xrealloc(m, cap * sizeof(*m));
			}
			m[n].off = off;
			m[n++].len = len;
		}
		if (!ext)
			break;
		if (n > SPARSE_MAX || ensure(r, BLOCK, err) < BLOCK)
			goto out_bad;
		p = r->buf + r->pos;
		ext = p[504];
		r->pos += BLOCK;
		cnt = 21;
	}
	free(r->local.map);
	r->local.map = m;
	r->local.nmap = n;
	r->local.sparse = true;
	return 0;

out_bad:
	free(m);
	return err_set(err, 0, "corrupt GNU sparse header");
}

static int type_of(char t, const char *name, enum tar_type *out,
		   struct err *err)
{
	size_t n;

	switch (t) {
	case '0': case '\0': case '7': case 'S':
		n = strlen(name);
		*out = (t == '\0' && n && name[n - 1] == '/') ? TAR_DIR :
							       TAR_REG;
		return 0;
	case '1': *out = TAR_HARDLINK; return 0;
	case '2': *out = TAR_SYMLINK; return 0;
	case '3': *out = TAR_CHR; return 0;
	case '4': *out = TAR_BLK; return 0;
	case '5': case 'D': *out = TAR_DIR; return 0;
	case '6': *out = TAR_FIFO; return 0;
	}
	if (t >= 0x20 && t < 0x7f)
		return err_set(err, 0, "'%s': unknown tar entry type '%c'",
			       name, t);
	return err_set(err, 0, "'%s': unknown tar entry type 0x%02x", name,
		       (unsigned char)t);
}

/* Moves the overrides of p (global or local) into the entry. */
static void pax_apply(struct tar_entry *e, const struct pax *p)
{
	size_t i;

	if (p->path)
		set_str(&e->path, p->path);
	if (p->linkpath)
		set_str(&e->linkpath, p->linkpath);
	if (p->uname)
		set_str(&e->uname, p->uname);
	if (p->gname)
		set_str(&e->gname, p->gname);
	if (p->has_uid)
		e->uid = p->uid;
	if (p->has_gid)
		e->gid = p->gid;
	if (p->has_mtime) {
		e->mtime = p->mtime;
		e->mtime_ns = p->mtime_ns;
	}
	for (i = 0; i < p->nxattrs; i++) {
		struct pax tmp = { .xattrs = e->xattrs,
				   .nxattrs = e->nxattrs };

		pax_add_xattr(&tmp, p->xattrs[i].name, p->xattrs[i].value,
			      p->xattrs[i].len);
		e->xattrs = tmp.xattrs;
		e->nxattrs = tmp.nxattrs;
	}
}

/* The fields of the ustar header itself. */
static int header_fields(struct tar_reader *r, const struct hdr *h,
			 uint64_t *size, struct err *err)
{
	struct tar_entry *e = &r->e;
	uint64_t mode, mtime, maj = 0, min = 0;
	bool posix = !memcmp(h->magic, "ustar", 6);

	if (!parse_num(h->mode, 8, &mode) || !parse_num(h->uid, 8, &e->uid) ||
	    !parse_num(h->gid, 8, &e->gid) || !parse_num(h->size, 12, size) ||
	    !parse_num(h->mtime, 12, &mtime))
		return err_set(err, 0, "malformed numeric field in tar header");
	parse_num(h->devmajor, 8, &maj);
	parse_num(h->devminor, 8, &min);
	e->mode = mode & 07777;
	e->mtime = (int64_t)mtime;
	e->devmajor = maj;
	e->devminor = min;
	if (posix && h->prefix[0]) {
		char *pre = field_str(h->prefix, sizeof(h->prefix));
		char *nm = field_str(h->name, sizeof(h->name));

		e->path = xasprintf("%s/%s", pre, nm);
		free(pre);
		free(nm);
	} else {
		e->path = field_str(h->name, sizeof(h->name));
	}
	if (h->linkname[0])
		e->linkpath = field_str(h->linkname, sizeof(h->linkname));
	if (h->uname[0])
		e->uname = field_str(h->uname, sizeof(h->uname));
	if (h->gname[0])
		e->gname = field_str(h->gname, sizeof(h->gname));
	return 0;
}

/* Checks a sparse map against the file and archive sizes. */
static int sparse_check(struct tar_reader *r, uint64_t stored,
			struct err *err)
{
	uint64_t end = 0, sum = 0;
	size_t i;

	for (i = 0; i < r->nmap; i++) {
		struct tar_sparse *c = &r->map[i];

		if (c->off < end || c->len > UINT64_MAX - c->off ||
		    c->off + c->len > r->e.size)
			return err_set(err, 0, "'%s': corrupt sparse map",
				       r->e.path);
		end = c->off + c->len;
		sum += c->len;
	}
	if (sum != stored)
		return err_set(err, 0, "'%s': sparse map does not match size",
			       r->e.path);
	return 0;
}

/* Sets up reading the data of the entry just parsed. */
static int data_setup(struct tar_reader *r, char typeflag, uint64_t size,
		      const char *b, struct err *err)
{
	uint64_t real = 0;

	r->remain = size;
	r->pad = (BLOCK - size % BLOCK) % BLOCK;
	r->chunk = 0;
	r->chunk_done = 0;
	free(r->map);
	r->map = NULL;
	if (typeflag == 'S' && read_sparse_gnu(r, b, err) < 0)
		return -1;
	if (typeflag == 'S' && !parse_num(b + 483, 12, &real))
		return err_set(err, 0, "corrupt GNU sparse header");
	if (r->local.sparse && r->local.sparse_major == 1 &&
	    read_sparse_1_0(r, err) < 0)
		return -1;
	if (r->local.sparse && typeflag != 'S') {
		real = r->local.sparse_realsize;
		if (r->local.sparse_name)
			set_str(&r->e.path, r->local.sparse_name);
	}
	if (r->local.sparse && r->e.type == TAR_REG) {
		r->map = r->local.map;
		r->nmap = r->local.nmap;
		r->local.map = NULL;
		r->e.size = real;
		return sparse_check(r, r->remain, err);
	}
	r->map = xmalloc(sizeof(*r->map));
	r->map[0].off = 0;
	r->map[0].len = size;
	r->nmap = 1;
	r->e.size = size;
	return 0;
}

/* Builds the entry from a file header and the pending extensions. */
static int build_entry(struct tar_reader *r, const char *b, struct err *err)
{
	const struct hdr *h = (const void *)b;
	uint64_t size;

	entry_clear(&r->e);
	if (header_fields(r, h, &size, err) < 0)
		return -1;
	pax_apply(&r->e, &r->global);
	if (r->longname)
		set_str(&r->e.path, r->longname);
	if (r->longlink)
		set_str(&r->e.linkpath, r->longlink);
	pax_apply(&r->e, &r->local);
	if (r->local.has_size)
		size = r->local.size;
	if (type_of(h->typeflag, r->e.path, &r->e.type, err) < 0)
		return -1;
	if (r->e.type != TAR_REG)
		size = 0;
	if (data_setup(r, h->typeflag, size, b, err) < 0)
		return -1;
	if (!r->e.path || !*r->e.path)
		return err_set(err, 0, "tar entry with an empty name");
	if ((r->e.type == TAR_HARDLINK || r->e.type == TAR_SYMLINK) &&
	    !r->e.linkpath)
		return err_set(err, 0, "'%s': link without a target",
			       r->e.path);
	return 1;
}

static void ext_reset(struct tar_reader *r)
{
	pax_clear(&r->local);
	free(r->longname);
	free(r->longlink);
	r->longname = r->longlink = NULL;
	r->pending = false;
}

/* Handles an extension header (long names, PAX, labels); 1 when b was
 * one, 0 when b is a file header. */
static int extension(struct tar_reader *r, const char *b, struct err *err)
{
	char t = ((const struct hdr *)b)->typeflag;
	uint64_t size;
	char *data;
	int ret = 0;

	if (t != 'L' && t != 'K' && t != 'x' && t != 'g' && t != 'V')
		return 0;
	if (!parse_num(b + 124, 12, &size))
		return err_set(err, 0, "malformed size in tar header");
	r->pos += BLOCK;
	if (t != 'g' && t != 'V')
		r->pending = true;
	data = read_ext(r, size, err);
	if (!data)
		return -1;
	if (t == 'L') {
		free(r->longname);
		r->longname = data;
		return 1;
	}
	if (t == 'K') {
		free(r->longlink);
		r->longlink = data;
		return 1;
	}
	if (t == 'x')
		ret = pax_parse(&r->local, data, size, err);
	else if (t == 'g')
		ret = pax_parse(&r->global, data, size, err);
	free(data);
	return ret < 0 ? -1 : 1;
}

int tar_next(struct tar_reader *r, struct tar_entry **e, struct err *err)
{
	const char *b;
	ssize_t n;
	int ret;

	if (r->ended)
		return 0;
	if (skip(r, r->remain + r->pad, err) < 0)
		return -1;
	r->remain = r->pad = 0;
	for (;;) {
		n = ensure(r, BLOCK, err);
		if (n < 0)
			return -1;
		if (n == 0 && !r->pending) {
			r->ended = true;
			return 0;
		}
		if (n < BLOCK)
			return err_set(err, 0, "unexpected end of archive");
		b = r->buf + r->pos;
		if (is_zero_block(b) && r->pending)
			return err_set(err, 0, "extended header without an "
				       "entry");
		if (is_zero_block(b)) {
			r->pos += BLOCK;
			r->ended = true;
			return 0;
		}
		if (!checksum_ok((const unsigned char *)b))
			return err_set(err, 0, "bad tar header checksum");
		ret = extension(r, b, err);
		if (ret < 0)
			return -1;
		if (ret == 0)
			break;
	}
	r->pos += BLOCK;
	ret = build_entry(r, b, err);
	ext_reset(r);
	if (ret < 0)
		return -1;
	*e = &r->e;
	return 1;
}

ssize_t tar_data(struct tar_reader *r, const void **p, uint64_t *off,
		 struct err *err)
{
	struct tar_sparse *c;
	ssize_t a;
	uint64_t n;

	while (r->chunk < r->nmap &&
	       r->chunk_done == r->map[r->chunk].len) {
		r->chunk++;
		r->chunk_done = 0;
	}
	if (r->chunk >= r->nmap || !r->remain)
		return 0;
	c = &r->map[r->chunk];
	a = ensure(r, 1, err);
	if (a < 0)
		return -1;
	if (a == 0)
		return err_set(err, 0, "'%s': unexpected end of archive",
			       r->e.path);
	n = c->len - r->chunk_done;
	if (n > (uint64_t)a)
		n = a;
	if (n > r->remain)
		n = r->remain;
	*p = r->buf + r->pos;
	*off = c->off + r->chunk_done;
	r->pos += n;
	r->chunk_done += n;
	r->remain -= n;
	return n;
}

int tar_drain(struct tar_reader *r, struct err *err)
{
	ssize_t n;

	r->pos = r->len = 0;
	while (!r->eof) {
		n = ensure(r, RBUF, err);
		if (n < 0)
			return -1;
		r->pos = r->len = 0;
	}
	return 0;
}

void tar_mode_string(const struct tar_entry *e, char buf[11])
{
	static const char types[] = "-hlcbdp";
	static const char rwx[] = "rwxrwxrwx";
	int i;

	buf[0] = types[e->type];
	for (i = 0; i < 9; i++)
		buf[i + 1] = (e->mode & (0400 >> i)) ? rwx[i] : '-';
	if (e->mode & S_ISUID)
		buf[3] = (e->mode & 0100) ? 's' : 'S';
	if (e->mode & S_ISGID)
		buf[6] = (e->mode & 0010) ? 's' : 'S';
	if (e->mode & S_ISVTX)
		buf[9] = (e->mode & 0001) ? 't' : 'T';
	buf[10] = '\0';
}

struct tar_writer {
	tar_write_fn fn;
	void *ctx;
	uint64_t remain;
	uint64_t pad;
};

struct tar_writer *tar_writer_new(tar_write_fn fn, void *ctx)
{
	struct tar_writer *w = xcalloc(1, sizeof(*w));

	w->fn = fn;
	w->ctx = ctx;
	return w;
}

void tar_writer_free(struct tar_writer *w)
{
	free(w);
}

static int put_num(char *f, size_t n, uint64_t v)
{
	if (n > 1 && v >> (3 * (n - 1)))
		return -1;
	snprintf(f, n, "%0*llo", (int)n - 1, (unsigned long long)v);
	return 0;
}

/* Appends the record "LEN key=value\n" to *buf. */
static void pax_put(char **buf, size_t *len, const char *key,
		    const char *val, size_t vlen)
{
	size_t body = strlen(key) + vlen + 3, n = body + 1, digits;
	char *p;

	for (;;) {
		digits = snprintf(NULL, 0, "%zu", n);
		if (body + digits == n)
			break;
		n = body + digits;
	}
	*buf = xrealloc(*buf, *len + n + 1);
	p = *buf + *len;
	p += sprintf(p, "%zu %s=", n, key);
	memcpy(p, val, vlen);
	p[vlen] = '\n';
	*len += n;
}

static int write_padded(struct tar_writer *w, const void *data, size_t n,
			struct err *err)
{
	static const char zero[BLOCK];
	size_t pad = (BLOCK - n % BLOCK) % BLOCK;

	if (w->fn(w->ctx, data, n, err) < 0)
		return -1;
	return pad ? w->fn(w->ctx, zero, pad, err) : 0;
}

static void header_sum(struct hdr *h)
{
	const unsigned char *b = (const void *)h;
	unsigned sum = 0;
	int i;

	memset(h->chksum, ' ', sizeof(h->chksum));
	for (i = 0; i < BLOCK; i++)
		sum += b[i];
	snprintf(h->chksum, sizeof(h->chksum), "%06o", sum);
	h->chksum[7] = ' ';
}

static void header_init(struct hdr *h, char type)
{
	memset(h, 0, sizeof(*h));
	h->typeflag = type;
	memcpy(h->magic, "ustar", 6);
	memcpy(h->version, "00", 2);
}

/* Fits path into name (and prefix); false when it does not fit. */
static bool put_name(struct hdr *h, const char *path)
{
	size_t n = strlen(path);
	const char *s;

	if (n <= sizeof(h->name)) {
		memcpy(h->name, path, n);
		return true;
	}
	for (s = path + n - 1; s > path; s--) {
		if (*s != '/')
			continue;
		if ((size_t)(s - path) <= sizeof(h->prefix) &&
		    n - (s - path) - 1 <= sizeof(h->name) && s[1]) {
			memcpy(h->prefix, path, s - path);
			memcpy(h->name, s + 1, n - (s - path) - 1);
			return true;
		}
		if ((size_t)(s - path) < sizeof(h->prefix))
			break;
	}
	return false;
}

static const char type_chars[] = "0123456";

/* Fills the ustar header; records what does not fit in *pax. */
static void header_fill(struct hdr *h, const struct tar_entry *e,
			const char *path, char **pax, size_t *plen)
{
	char num[32];
	size_t i;

	header_init(h, type_chars[e->type]);
	if (!put_name(h, path)) {
		pax_put(pax, plen, "path", path, strlen(path));
		memcpy(h->name, path, sizeof(h->name));
	}
	if (e->linkpath) {
		size_t n = strlen(e->linkpath);

		if (n > sizeof(h->linkname))
			pax_put(pax, plen, "linkpath", e->linkpath, n);
		memcpy(h->linkname, e->linkpath,
		       n < sizeof(h->linkname) ? n : sizeof(h->linkname));
	}
	put_num(h->mode, sizeof(h->mode), e->mode & 07777);
	if (put_num(h->uid, sizeof(h->uid), e->uid) < 0) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)e->uid);
		pax_put(pax, plen, "uid", num, strlen(num));
		put_num(h->uid, sizeof(h->uid), 0);
	}
	if (put_num(h->gid, sizeof(h->gid), e->gid) < 0) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)e->gid);
		pax_put(pax, plen, "gid", num, strlen(num));
		put_num(h->gid, sizeof(h->gid), 0);
	}
	if (put_num(h->size, sizeof(h->size),
		    e->type == TAR_REG ? e->size : 0) < 0) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)e->size);
		pax_put(pax, plen, "size", num, strlen(num));
		put_num(h->size, sizeof(h->size), 0);
	}
	if (e->mtime < 0 || put_num(h->mtime, sizeof(h->mtime), e->mtime) < 0) {
		snprintf(num, sizeof(num), "%lld", (long long)e->mtime);
		pax_put(pax, plen, "mtime", num, strlen(num));
		put_num(h->mtime, sizeof(h->mtime), 0);
	}
	if (e->uname && strlen(e->uname) < sizeof(h->uname))
		memcpy(h->uname, e->uname, strlen(e->uname));
	else if (e->uname)
		pax_put(pax, plen, "uname", e->uname, strlen(e->uname));
	if (e->gname && strlen(e->gname) < sizeof(h->gname))
		memcpy(h->gname, e->gname, strlen(e->gname));
	else if (e->gname)
		pax_put(pax, plen, "gname", e->gname, strlen(e->gname));
	put_num(h->devmajor, sizeof(h->devmajor), e->devmajor);
	put_num(h->devminor, sizeof(h->devminor), e->devminor);
	for (i = 0; i < e->nxattrs; i++) {
		char *k = xasprintf("SCHILY.xattr.%s", e->xattrs[i].name);

		pax_put(pax, plen, k, e->xattrs[i].value, e->xattrs[i].len);
		free(k);
	}
}

static int finish_entry(struct tar_writer *w, struct err *err)
{
	static const char zero[BLOCK];

	if (w->remain)
		return err_set(err, 0, "file data shorter than its header");
	if (w->pad && w->fn(w->ctx, zero, w->pad, err) < 0)
		return -1;
	w->pad = 0;
	return 0;
}

int tar_write_header(struct tar_writer *w, const struct tar_entry *e,
		     struct err *err)
{
	struct hdr h, x;
	char *pax = NULL, *path;
	size_t plen = 0;
	int ret = -1;

	if (finish_entry(w, err) < 0)
		return -1;
	if (e->type == TAR_DIR && !str_has_suffix(e->path, "/"))
		path = xasprintf("%s/", e->path);
	else
		path = xstrdup(e->path);
	header_fill(&h, e, path, &pax, &plen);
	if (pax) {
		const char *base = strrchr(path, '/');

		header_init(&x, 'x');
		snprintf(x.name, sizeof(x.name), "PaxHeaders/%.80s",
			 base && base[1] ? base + 1 : "entry");
		put_num(x.mode, sizeof(x.mode), 0644);
		put_num(x.uid, sizeof(x.uid), 0);
		put_num(x.gid, sizeof(x.gid), 0);
		put_num(x.size, sizeof(x.size), plen);
		memcpy(x.mtime, h.mtime, sizeof(x.mtime));
		header_sum(&x);
		if (w->fn(w->ctx, &x, BLOCK, err) < 0 ||
		    write_padded(w, pax, plen, err) < 0)
			goto out_free;
	}
	header_sum(&h);
	if (w->fn(w->ctx, &h, BLOCK, err) < 0)
		goto out_free;
	w->remain = e->type == TAR_REG ? e->size : 0;
	w->pad = (BLOCK - w->remain % BLOCK) % BLOCK;
	ret = 0;
out_free:
	free(pax);
	free(path);
	return ret;
}

int tar_write_data(struct tar_writer *w, const void *buf, size_t len,
		   struct err *err)
{
	if (len > w->remain)
		return err_set(err, 0, "file data longer than its header");
	w->remain -= len;
	return w->fn(w->ctx, buf, len, err);
}

int tar_writer_finish(struct tar_writer *w, struct err *err)
{
	static const char zero[2 * BLOCK];
	int ret = finish_entry(w, err);

	if (ret == 0)
		ret = w->fn(w->ctx, zero, sizeof(zero), err);
	free(w);
	return ret;
}
