/* SPDX-License-Identifier: MIT */
/* Finding CA certificates: the distributions' bundle paths, SSL_CERT_FILE,
 * SSL_CERT_DIR and extra directories, merged into one checked PEM set. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bearssl.h>

#include "cabundle.h"
#include "util.h"

#define CERT_DER_MAX (64u << 10)

/* In order of preference; several distributions have more than one. */
static const char *const bundle_paths[] = {
	"/etc/ssl/certs/ca-certificates.crt",	/* Debian, Ubuntu, Alpine, Arch */
	"/etc/pki/tls/certs/ca-bundle.crt",	/* Fedora, RHEL */
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", /* Fedora, RHEL */
	"/etc/ssl/ca-bundle.pem",		/* openSUSE */
	"/var/lib/ca-certificates/ca-bundle.pem", /* openSUSE */
	"/etc/ca-certificates/extracted/tls-ca-bundle.pem", /* Arch */
	"/etc/ssl/cert.pem",			/* Alpine, Arch */
	NULL,
};

const char *cabundle_find(void)
{
	const char *env = getenv("SSL_CERT_FILE");
	struct stat st;

	if (env && *env)
		return env;
	for (size_t i = 0; bundle_paths[i]; i++)
		if (stat(bundle_paths[i], &st) == 0 && S_ISREG(st.st_mode))
			return bundle_paths[i];
	return NULL;
}

/* The trust set being built. */
struct trust {
	char *pem;
	size_t len, cap;
	int count;
	uint64_t *seen;		/* FNV-1a hashes of the DER kept */
	size_t nseen;
	struct stat *files;	/* files read (dev and inode) */
	size_t nfiles;
	unsigned char *der;	/* CERT_DER_MAX bytes of scratch */
};

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

/* 0-63 for a base64 digit, -2 for white space, -1 for anything else */
static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '/')
		return c == '+' ? 62 : 63;
	return strchr(" \t\r\n", c) && c ? -2 : -1;
}

/* Decodes base64 text up to its padding; -1 when it holds anything else
 * or decodes to more than max bytes. */
static long b64_decode(const char *s, size_t n, unsigned char *out,
		       size_t max)
{
	uint32_t acc = 0;
	size_t o = 0;
	int bits = 0, v;

	for (size_t i = 0; i < n && s[i] != '='; i++) {
		v = b64_value((unsigned char)s[i]);
		if (v == -2)
			continue;
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == max)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return (long)o;
}

/* The size of the DER SEQUENCE at the start of d (a certificate; OpenSSL's
 * TRUSTED CERTIFICATE appends more after it), or 0. */
static size_t der_seq_size(const unsigned char *d, size_t n)
{
	size_t len, hdr = 2;

	if (n < 2 || d[0] != 0x30)
		return 0;
	len = d[1];
	if (len & 0x80) {
		size_t k = len & 0x7f;

		if (k == 0 || k > 3 || n < 2 + k)
			return 0;
		len = 0;
		for (size_t i = 0; i < k; i++)
			len = len << 8 | d[2 + i];
		hdr += k;
	}
	return len <= n - hdr ? hdr + len : 0;
}

static void dn_ignore(void *ctx, const void *buf, size_t len)
{
}

static bool cert_is_usable(const unsigned char *der, size_t n)
{
	br_x509_decoder_context xc;
	const br_x509_pkey *pk;

	br_x509_decoder_init(&xc, dn_ignore, NULL);
	br_x509_decoder_push(&xc, der, n);
	if (br_x509_decoder_last_error(&xc))
		return false;
	pk = br_x509_decoder_get_pkey(&xc);
	return pk && (pk->key_type == BR_KEYTYPE_RSA ||
		      pk->key_type == BR_KEYTYPE_EC);
}

/* Appends a certificate unless seen already or unusable. */
static void cert_keep(struct trust *t, const unsigned char *der, size_t n)
{
	uint64_t h = fnv1a(der, n) ^ n;
	size_t need;

	for (size_t i = 0; i < t->nseen; i++)
		if (t->seen[i] == h)
			return;
	if (!cert_is_usable(der, n))
		return;
	t->seen = xrealloc(t->seen, (t->nseen + 1) * sizeof(*t->seen));
	t->seen[t->nseen++] = h;

	need = br_pem_encode(NULL, der, n, "CERTIFICATE", BR_PEM_LINE64);
	if (t->len + need + 1 > t->cap) {
		t->cap = (t->len + need + 1) * 2;
		t->pem = xrealloc(t->pem, t->cap);
	}
	t->len += br_pem_encode(t->pem + t->len, der, n, "CERTIFICATE",
				BR_PEM_LINE64);
	t->count++;
}

static bool is_cert_label(const char *s, size_t n)
{
	static const char *const labels[] = {
		"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE",
	};

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strlen(labels[i]) == n && !memcmp(s, labels[i], n))
			return true;
	return false;
}

/* Adds the usable certificates among the PEM objects of a text; other
 * objects and text are ignored. */
static void trust_feed(struct trust *t, const char *p, size_t n)
{
	const char *end = p + n, *begin, *label, *label_end, *stop;
	long k;

	while ((begin = memmem(p, (size_t)(end - p), "-----BEGIN ", 11))) {
		label = begin + 11;
		label_end = memmem(label, (size_t)(end - label), "-----", 5);
		if (!label_end)
			return;
		stop = memmem(label_end + 5, (size_t)(end - label_end - 5),
			      "-----END ", 9);
		if (!stop)
			return;
		p = stop + 9;
		if (!is_cert_label(label, (size_t)(label_end - label)))
			continue;
		k = b64_decode(label_end + 5, (size_t)(stop - label_end - 5),
			       t->der, CERT_DER_MAX);
		if (k > 0 && der_seq_size(t->der, (size_t)k))
			cert_keep(t, t->der, der_seq_size(t->der, (size_t)k));
	}
}

/* Whether the file at path was read already (a bundle and a directory of
 * links to the same certificates); marks it read. */
static bool file_seen(struct trust *t, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return false;
	for (size_t i = 0; i < t->nfiles; i++)
		if (t->files[i].st_dev == st.st_dev &&
		    t->files[i].st_ino == st.st_ino)
			return true;
	t->files = xrealloc(t->files, (t->nfiles + 1) * sizeof(*t->files));
	t->files[t->nfiles++] = st;
	return false;
}

static int trust_add_file(struct trust *t, const char *path, struct err *err)
{
	size_t len;
	char *data;

	if (file_seen(t, path))
		return 0;
	data = file_read(path, CABUNDLE_FILE_MAX, &len, err);
	if (!data)
		return -1;
	trust_feed(t, data, len);
	free(data);
	if (t->len > CABUNDLE_TOTAL_MAX)
		return err_set(err, E2BIG, "CA certificates over %u MiB",
			       CABUNDLE_TOTAL_MAX >> 20);
	return 0;
}

/* *.crt, *.pem, *.cer, or an OpenSSL hash link such as 4a6481c9.0 */
static bool name_is_cert(const char *name)
{
	size_t i;

	if (name[0] == '.')
		return false;
	if (str_has_suffix(name, ".crt") || str_has_suffix(name, ".pem") ||
	    str_has_suffix(name, ".cer"))
		return true;
	for (i = 0; i < 8; i++)
		if (!strchr("0123456789abcdef", name[i]) || !name[i])
			return false;
	if (name[8] != '.' || !name[9])
		return false;
	for (i = 9; name[i]; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	return true;
}

static int trust_add_dir(struct trust *t, const char *dir, struct err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	int rc = 0;

	if (!d)
		return 0;
	while (rc == 0 && (de = readdir(d))) {
		char *p;

		if (!name_is_cert(de->d_name))
			continue;
		p = path_join(dir, de->d_name);
		/* Unreadable or odd entries are skipped: only the set as a
		 * whole has to be usable. */
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			struct err e = ERR_INIT;

			if (trust_add_file(t, p, &e) < 0 && e.errnum == E2BIG)
				rc = err_set(err, 0, "%s", e.msg);
		}
		free(p);
	}
	closedir(d);
	return rc;
}

/* Each directory of the ':'-separated list. */
static int trust_add_dirlist(struct trust *t, const char *list,
			     struct err *err)
{
	char *copy = xstrdup(list), *save = NULL, *dir;
	int rc = 0;

	for (dir = strtok_r(copy, ":", &save); dir && rc == 0;
	     dir = strtok_r(NULL, ":", &save))
		rc = trust_add_dir(t, dir, err);
	free(copy);
	return rc;
}

static int trust_add_all(struct trust *t, const char *const *dirs,
			 struct err *err)
{
	const char *file = cabundle_find();
	const char *env_dir = getenv("SSL_CERT_DIR");

	if (file && trust_add_file(t, file, err) < 0) {
		if (getenv("SSL_CERT_FILE") && *getenv("SSL_CERT_FILE"))
			return err_wrap(err, "SSL_CERT_FILE");
		return err_wrap(err, "reading the CA bundle");
	}
	if (env_dir && *env_dir && trust_add_dirlist(t, env_dir, err) < 0)
		return -1;
	for (size_t i = 0; dirs && dirs[i]; i++)
		if (trust_add_dir(t, dirs[i], err) < 0)
			return -1;
	return 0;
}

static const char fix_hint[] =
	"set SSL_CERT_FILE or SSL_CERT_DIR, or pass --cert-dir";

int cabundle_load(const char *const *dirs, char **pem, size_t *len,
		  struct err *err)
{
	struct trust t = { 0 };
	int rc;

	t.der = xmalloc(CERT_DER_MAX);
	rc = trust_add_all(&t, dirs, err);
	free(t.der);
	free(t.seen);
	free(t.files);
	if (rc == 0 && t.count == 0) {
		rc = err_set(err, 0,
			     "no CA certificates found in %s or the other usual places; %s",
			     bundle_paths[0], fix_hint);
		err->errnum = ENOENT;
	}
	if (rc < 0) {
		free(t.pem);
		return -1;
	}
	*pem = t.pem;
	*len = t.len;
	return t.count;
}
