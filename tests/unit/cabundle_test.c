/* SPDX-License-Identifier: MIT */
/* Unit tests for core/cabundle: where CA certificates are found and which
 * are kept. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../core/cabundle.h"
#include "../../core/util.h"
#include "tap.h"

/* Self-signed test certificates: two P-256 ones, and an Ed25519 one that
 * BearSSL cannot use. */
static const char cert_a[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBeTCCAR+gAwIBAgIUHgdWBHPkWMNKcrlVpogZs6TdJGowCgYIKoZIzj0EAwIw\n"
	"ETEPMA0GA1UEAwwGdW5pdC1hMCAXDTI2MTIwNDE1NDUzNVoYDzIxMjYxMTEwMTU0\n"
	"NTM1WjARMQ8wDQYDVQQDDAZ1bml0LWEwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC\n"
	"AAQRj5exljYogNzhF82qaANo3oWlAtRTe9X5DCHfSx+c9Y87FUoyUOvUsJ/xRVWq\n"
	"P6GdAgiAO0wJBWTMj1esQnYMo1MwUTAdBgNVHQ4EFgQU2AzOZIwZzwKYaj83WBf0\n"
	"Nsr9JVgwHwYDVR0jBBgwFoAU2AzOZIwZzwKYaj83WBf0Nsr9JVgwDwYDVR0TAQH/\n"
	"BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA7WJxpsNz3XaCDMElkd5L7/dBPkop\n"
	"P0w+iWXY56I37WICIDFoKsYD78ZPhq5lWDEDUrrTtxCyVsF1wqnnP620qq/P\n"
	"-----END CERTIFICATE-----\n";
static const char cert_b[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBeDCCAR+gAwIBAgIUAjJEYyohhKNY/PHWXyIh+jsaIKEwCgYIKoZIzj0EAwIw\n"
	"ETEPMA0GA1UEAwwGdW5pdC1iMCAXDTI2MTIwNDE1NDUzNVoYDzIxMjYxMTEwMTU0\n"
	"NTM1WjARMQ8wDQYDVQQDDAZ1bml0LWIwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC\n"
	"AARY5z+H0ChHad2jXqZLuQhY4540PgmOFZRM3x1s0r9ncBzKspQ9mK0qjcSsG4oW\n"
	"PGjHRMAiuy0c9nvjs2CemDcSo1MwUTAdBgNVHQ4EFgQUrjDj9i1d+Tx70y5I9GfK\n"
	"e0/AktUwHwYDVR0jBBgwFoAUrjDj9i1d+Tx70y5I9GfKe0/AktUwDwYDVR0TAQH/\n"
	"BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiAZPyaVHYngApEM61EwfMsEhs19qL/1\n"
	"uGCjgdoifE0wigIgLyM9f9tUw1MXQu9cE5U7VGvgirxvvgA6NngrcBDcHfg=\n"
	"-----END CERTIFICATE-----\n";
static const char cert_ed[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBOjCB7aADAgECAhR7TMcySXgwMw0cQexxZKlAJdQaxTAFBgMrZXAwEjEQMA4G\n"
	"A1UEAwwHdW5pdC1lZDAgFw0yNjEyMDQxNTQ1MzVaGA8yMTI2MTExMDE1NDUzNVow\n"
	"EjEQMA4GA1UEAwwHdW5pdC1lZDAqMAUGAytlcAMhABO8mTR8c0qXZhPuWA/6l/Xm\n"
	"K7FlHIrn/VDA416empJco1MwUTAdBgNVHQ4EFgQUsh7oaDBEFEoHy69ByD2AJlCa\n"
	"vqEwHwYDVR0jBBgwFoAUsh7oaDBEFEoHy69ByD2AJlCavqEwDwYDVR0TAQH/BAUw\n"
	"AwEB/zAFBgMrZXADQQAJ4XqRw1X5UHVtOwefCeR8A5mmA4BoX9+8zRyWcI+dkrZl\n"
	"/L0DCss7FHIKm7jflR2O2QYAP7BNrtg7ljqXNNAA\n"
	"-----END CERTIFICATE-----\n";

/* cert_b in OpenSSL's TRUSTED CERTIFICATE form (trust settings after
 * the certificate). */
static const char cert_b_trusted[] =
	"-----BEGIN TRUSTED CERTIFICATE-----\n"
	"MIIBeDCCAR+gAwIBAgIUAjJEYyohhKNY/PHWXyIh+jsaIKEwCgYIKoZIzj0EAwIw\n"
	"ETEPMA0GA1UEAwwGdW5pdC1iMCAXDTI2MTIwNDE1NDUzNVoYDzIxMjYxMTEwMTU0\n"
	"NTM1WjARMQ8wDQYDVQQDDAZ1bml0LWIwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC\n"
	"AARY5z+H0ChHad2jXqZLuQhY4540PgmOFZRM3x1s0r9ncBzKspQ9mK0qjcSsG4oW\n"
	"PGjHRMAiuy0c9nvjs2CemDcSo1MwUTAdBgNVHQ4EFgQUrjDj9i1d+Tx70y5I9GfK\n"
	"e0/AktUwHwYDVR0jBBgwFoAUrjDj9i1d+Tx70y5I9GfKe0/AktUwDwYDVR0TAQH/\n"
	"BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiAZPyaVHYngApEM61EwfMsEhs19qL/1\n"
	"uGCjgdoifE0wigIgLyM9f9tUw1MXQu9cE5U7VGvgirxvvgA6NngrcBDcHfgwDDAK\n"
	"BggrBgEFBQcDAQ==\n"
	"-----END TRUSTED CERTIFICATE-----\n";

static char dir[] = "/tmp/cabundle_test.XXXXXX";

static char *put(const char *name, const char *text)
{
	struct err e = ERR_INIT;
	char *p = path_join(dir, name);
	char *slash = strrchr(p, '/');

	*slash = 0;
	mkdir_p(p, 0755, &e);
	*slash = '/';
	file_write_atomic(p, text, strlen(text), 0644, &e);
	return p;
}

static int count_begins(const char *pem)
{
	int n = 0;

	for (const char *p = pem; (p = strstr(p, "-----BEGIN CERTIFICATE-----"));
	     p++)
		n++;
	return n;
}

static void test_find(void)
{
	const char *f;
	struct stat st;

	setenv("SSL_CERT_FILE", "/nonexistent/bundle.pem", 1);
	tap_is_str(cabundle_find(), "/nonexistent/bundle.pem",
		   "SSL_CERT_FILE wins, even when missing");
	setenv("SSL_CERT_FILE", "", 1);
	f = cabundle_find();
	tap_ok(!f || (stat(f, &st) == 0 && S_ISREG(st.st_mode)),
	       "an empty SSL_CERT_FILE means the usual places");
	unsetenv("SSL_CERT_FILE");
}

static void test_file(void)
{
	struct err e = ERR_INIT;
	char *pem = NULL, *f;
	size_t len = 0;
	char text[4096];
	int n;

	/* garbage, a usable cert, an unusable one, a duplicate, no final
	 * newline */
	snprintf(text, sizeof(text),
		 "junk\n%s%s-----BEGIN PRIVATE KEY-----\nAAAA\n"
		 "-----END PRIVATE KEY-----\n%s", cert_a, cert_ed, cert_a);
	text[strlen(text) - 1] = 0;
	f = put("bundle.pem", text);
	setenv("SSL_CERT_FILE", f, 1);
	unsetenv("SSL_CERT_DIR");
	n = cabundle_load(NULL, &pem, &len, &e);
	tap_is_int(n, 1, "one usable certificate, kept once");
	tap_ok(pem && count_begins(pem) == 1 && strlen(pem) == len,
	       "the PEM set holds it, NUL-terminated");
	free(pem);
	free(f);

	/* the trusted form, and a copy with a byte that is not base64 */
	snprintf(text, sizeof(text), "%s%s", cert_b_trusted, cert_a);
	strstr(strstr(text, "-----BEGIN CERTIFICATE"), "\nMII")[2] = '#';
	f = put("trusted.pem", text);
	setenv("SSL_CERT_FILE", f, 1);
	pem = NULL;
	tap_is_int(cabundle_load(NULL, &pem, &len, &e), 1,
		   "a TRUSTED CERTIFICATE counts, a corrupt one does not");
	tap_ok(pem && strstr(pem, "-----BEGIN CERTIFICATE-----\nMIIBeDCC"),
	       "the trusted form becomes a plain certificate");
	free(pem);
	free(f);

	f = put("empty.pem", "nothing here\n");
	setenv("SSL_CERT_FILE", f, 1);
	pem = NULL;
	tap_is_int(cabundle_load(NULL, &pem, &len, &e), -1,
		   "no certificates is an error");
	tap_ok(e.errnum == ENOENT && strstr(e.msg, "no CA certificates found") &&
	       strstr(e.msg, "SSL_CERT_FILE"), "which says so and how to fix it");
	tap_ok(pem == NULL, "and returns no buffer");
	free(f);

	f = path_join(dir, "missing.pem");
	setenv("SSL_CERT_FILE", f, 1);
	tap_is_int(cabundle_load(NULL, &pem, &len, &e), -1,
		   "an unreadable SSL_CERT_FILE is an error");
	tap_ok(strstr(e.msg, "SSL_CERT_FILE") && strstr(e.msg, "missing.pem"),
	       "naming the variable and the file");
	free(f);
}

static void test_dirs(void)
{
	struct err e = ERR_INIT;
	char *pem = NULL, *f, *d1, *d2, *list;
	const char *extra[2];
	size_t len;

	f = put("empty.pem", "\n");
	setenv("SSL_CERT_FILE", f, 1);
	free(put("d1/0123abcd.0", cert_a));
	free(put("d1/ed.crt", cert_ed));
	free(put("d1/client.cert", cert_b));
	free(put("d1/client.key", cert_b));
	free(put("d1/.hidden.pem", cert_b));
	free(put("d2/b.pem", cert_b));
	free(put("d2/a-again.crt", cert_a));
	free(put("d3/ca.crt", cert_b));
	d1 = path_join(dir, "d1");
	d2 = path_join(dir, "d2");
	list = xasprintf("%s:/nonexistent:%s", d1, d2);
	setenv("SSL_CERT_DIR", list, 1);
	tap_is_int(cabundle_load(NULL, &pem, &len, &e), 2,
		   "SSL_CERT_DIR: hash links and .pem/.crt, not .cert/.key/hidden");
	free(pem);

	setenv("SSL_CERT_DIR", d1, 1);
	extra[0] = d1;
	extra[1] = NULL;
	tap_is_int(cabundle_load(extra, &pem, &len, &e), 1,
		   "a directory given twice counts once");
	free(pem);
	free(d1);
	d1 = path_join(dir, "d3");
	extra[0] = d1;
	unsetenv("SSL_CERT_DIR");
	tap_is_int(cabundle_load(extra, &pem, &len, &e), 1,
		   "extra directories (--cert-dir)");
	tap_ok(pem && strstr(pem, "-----END CERTIFICATE-----\n"),
	       "re-encoded as PEM");
	free(pem);
	free(d1);
	free(d2);
	free(list);
	free(f);
}

/* Malformed and hostile PEM text: nothing is kept, nothing breaks. */
static void test_hostile(void)
{
	static const char *const texts[] = {
		"-----BEGIN CERTIFICATE-----\nMIIB",
		"-----BEGIN CERTIFICATE",
		"-----BEGIN -----\n-----END -----\n",
		"-----BEGIN CERTIFICATE-----\n====\n-----END CERTIFICATE-----\n",
		/* DER lengths: 4-byte, longer than the data, indefinite */
		"-----BEGIN CERTIFICATE-----\nMIT/////\n-----END CERTIFICATE-----\n",
		"-----BEGIN CERTIFICATE-----\nMIIBeQ==\n-----END CERTIFICATE-----\n",
		"-----BEGIN CERTIFICATE-----\nMIA=\n-----END CERTIFICATE-----\n",
		"-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n",
	};
	struct err e = ERR_INIT;
	size_t big = 200 << 10, len, i;
	char *text = xmalloc(big + 64), *pem = NULL, *f;
	int bad = 0;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		f = put("hostile.pem", texts[i]);
		setenv("SSL_CERT_FILE", f, 1);
		if (cabundle_load(NULL, &pem, &len, &e) != -1)
			bad++;
		free(f);
	}
	tap_is_int(bad, 0, "malformed PEM objects are ignored");

	/* more base64 than any certificate */
	strcpy(text, "-----BEGIN CERTIFICATE-----\n");
	for (i = strlen(text); i < big; i++)
		text[i] = 'A';
	strcpy(text + big, "\n-----END CERTIFICATE-----\n");
	f = put("huge.pem", text);
	setenv("SSL_CERT_FILE", f, 1);
	tap_is_int(cabundle_load(NULL, &pem, &len, &e), -1,
		   "an oversized object is ignored");
	free(f);
	free(text);
}

int main(void)
{
	char *cmd;

	if (!mkdtemp(dir))
		return 1;
	test_find();
	test_file();
	test_dirs();
	test_hostile();
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_ok(0, "cleanup");
	free(cmd);
	return tap_done();
}
