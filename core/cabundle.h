/* SPDX-License-Identifier: MIT */
/*
 * Finding the CA certificates to trust for HTTPS. The static binary has no
 * compiled-in bundle, so it looks where the common distributions keep
 * theirs, and honours SSL_CERT_FILE and SSL_CERT_DIR as OpenSSL does.
 */
#ifndef SCATMAN_CABUNDLE_H
#define SCATMAN_CABUNDLE_H

#include <stddef.h>

#include "err.h"

/* Caps on what is read: one file, and the whole trust set. */
#define CABUNDLE_FILE_MAX (16u << 20)
#define CABUNDLE_TOTAL_MAX (64u << 20)

/*
 * The CA bundle file to trust: $SSL_CERT_FILE when set and not empty
 * (returned even when unreadable, so that the failure names it), else the
 * first regular file among the usual bundle paths of Debian/Ubuntu,
 * Fedora/RHEL, Alpine, Arch and openSUSE, else NULL. Borrowed: the
 * environment's string or a static one.
 */
const char *cabundle_find(void);

/*
 * The whole trust set as one PEM buffer, for CURLOPT_CAINFO_BLOB: the
 * certificates of cabundle_find()'s file, then those of the files in each
 * directory of $SSL_CERT_DIR (':'-separated) and of dirs (NULL-ended, may
 * be NULL). In a directory, *.crt, *.pem, *.cer and OpenSSL hash links
 * (HHHHHHHH.N) are read; other files (a registry's client .cert and .key)
 * and missing directories are skipped. Only certificates that BearSSL can
 * decode (RSA or EC keys) are kept, each once, so that one odd file cannot
 * make every HTTPS connection fail.
 *
 * Returns the number of certificates (> 0) with *pem (malloc'd,
 * NUL-terminated; caller frees) and *len set, or -1 with err set: ENOENT
 * "no CA certificates found ..." when there are none, or the error of an
 * $SSL_CERT_FILE that cannot be read.
 */
int cabundle_load(const char *const *dirs, char **pem, size_t *len,
		  struct err *err);

#endif
