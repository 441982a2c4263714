/* SPDX-License-Identifier: MIT */
/*
 * HTTP through libcurl: TLS verified by default (system bundle plus
 * certs.d and --cert-dir certificates), bounded retries of transient
 * failures, streamed downloads with Range resume.
 */
#ifndef SCATMAN_HTTP_H
#define SCATMAN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <pthread.h>

#include "digest.h"
#include "err.h"

#define HTTP_RETRIES 3

struct http {
	CURL *curl;		/* reused for small requests */
	CURLSH *share;		/* connections, DNS and TLS sessions, shared by
				 * every handle, downloads included */
	pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
	bool tls_verify;
	char *ca_pem;		/* system bundle + extra certificates, or NULL */
	size_t ca_len;
};

struct http_resp {
	long status;
	char *body;		/* NUL-terminated */
	size_t len;
	char *content_type;
	char *www_auth;		/* every WWW-Authenticate value, ", "-joined */
	char *docker_digest;	/* Docker-Content-Digest */
	long retry_after;	/* seconds, -1 when absent */
	bool truncated;		/* body over the limit */
};

/* cert_dirs: NULL-ended list of directories whose *.crt files are
 * trusted besides the system bundle. */
int http_init(struct http *h, bool tls_verify, const char *const *cert_dirs,
	      struct err *err);
void http_release(struct http *h);

/*
 * GET (or HEAD) url with extra headers ("Name: value", NULL-ended),
 * keeping at most max body bytes (more sets truncated). Transient
 * failures are retried. A curl error is an err; any HTTP status is a
 * response.
 */
int http_get(struct http *h, const char *url, const char *const *headers,
	     size_t max, struct http_resp *r, struct err *err);
void http_resp_release(struct http_resp *r);

/* One streamed download (each runs on a handle of its own). */
struct http_dl {
	const char *url;
	const char *const *headers;
	int fd;			/* written at its current offset */
	int64_t offset;		/* bytes already in fd (hashed in sha) */
	int64_t expected;	/* total size, -1 when unknown */
	struct sha256 *sha;
	void (*progress)(void *arg, int64_t done);
	void *arg;
	long status;		/* final HTTP status */
	int retries;		/* transient failures retried */
};
/* Downloads d->url into d->fd from d->offset (Range), restarting from
 * zero when the server ignores the range. */
int http_download(struct http *h, struct http_dl *d, struct err *err);

/* Turns a curl error into a message with a hint (TLS: --tls-verify). */
int http_curl_err(struct err *err, CURLcode rc, const char *url,
		  const char *errbuf);

#endif
