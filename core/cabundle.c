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

/* The trust set being built, and the certificate being decoded. */
struct trust {
	char *pem;
	size_t len, cap;
	int count;
	uint64_t *seen;		/* FNV-1a hashes of the DER kept */
	size_t nseen;
	bool in_cert, too_big;
	br_x509_decoder_context xc;
	unsigned char *der;
	size_t dlen;
};

static void dn_ignore(void *ctx, const void *buf, size_t len)
{
}

static void der_push(void *ctx, const void *buf, size_t len)
{
	struct trust *t = ctx;

	if (!t->in_cert)
		return;
	br_x509_decoder_push(&t->xc, buf, len);
	if (len > CERT_DER_MAX - t->dlen) {
		t->too_big = true;
		return;
	}
	memcpy(t->der + t->dlen, buf, len);
	t->dlen += len;
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

static bool cert_is_usable(struct trust *t)
{
	const br_x509_pkey *pk;

	if (t->too_big || br_x509_decoder_last_error(&t->xc))
		return false;
	pk = br_x509_decoder_get_pkey(&t->xc);
	return pk && (pk->key_type == BR_KEYTYPE_RSA ||
		      pk->key_type == BR_KEYTYPE_EC);
}

/* Appends the certificate just decoded, unless seen already. */
static void cert_keep(struct trust *t)
{
	uint64_t h = fnv1a(t->der, t->dlen) ^ t->dlen;
	size_t need;

	for (size_t i = 0; i < t->nseen; i++)
		if (t->seen[i] == h)
			return;
	t->seen = xrealloc(t->seen, (t->nseen + 1) * sizeof(*t->seen));
	t->seen[t->nseen++] = h;

	need = br_pem_encode(NULL, t->der, t->dlen, "CERTIFICATE",
			     BR_PEM_LINE64);
	if (t->len + need + 1 > t->cap) {
		t->cap = (t->len + need + 1) * 2;
		t->pem = xrealloc(t->pem, t->cap);
	}
	t->len += br_pem_encode(t->pem + t->len, t->der, t->dlen,
				"CERTIFICATE", BR_PEM_LINE64);
	t->count++;
}

static void obj_begin(struct trust *t, const char *name)
{
	t->in_cert = !strcmp(name, "CERTIFICATE") ||
		     !strcmp(name, "X509 CERTIFICATE") ||
		     !strcmp(name, "TRUSTED CERTIFICATE");
	if (!t->in_cert)
		return;
	br_x509_decoder_init(&t->xc, dn_ignore, NULL);
	t->dlen = 0;
	t->too_big = false;
}

/* Adds the usable certificates of one PEM text; other objects and
 * anything after a PEM syntax error are ignored. */
static void trust_feed(struct trust *t, const unsigned char *p, size_t n)
{
	br_pem_decoder_context pc;
	size_t k;

	br_pem_decoder_init(&pc);
	br_pem_decoder_setdest(&pc, der_push, t);
	t->in_cert = false;
	while (n) {
		k = br_pem_decoder_push(&pc, p, n);
		p += k;
		n -= k;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			obj_begin(t, br_pem_decoder_name(&pc));
			break;
		case BR_PEM_END_OBJ:
			if (t->in_cert && cert_is_usable(t))
				cert_keep(t);
			t->in_cert = false;
			break;
		case BR_PEM_ERROR:
			t->in_cert = false;
			return;
		}
	}
	t->in_cert = false;
}

static int trust_add_file(struct trust *t, const char *path, struct err *err)
{
	size_t len;
	char *data = file_read(path, CABUNDLE_FILE_MAX, &len, err);

	if (!data)
		return -1;
	/* A last END line without its newline still ends the object. */
	data = xrealloc(data, len + 1);
	data[len++] = '\n';
	trust_feed(t, (const unsigned char *)data, len);
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
