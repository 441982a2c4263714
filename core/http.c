/* SPDX-License-Identifier: MIT */
/* HTTP client over libcurl for the registry protocol. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cabundle.h"
#include "http.h"
#include "log.h"
#include "util.h"

#define RETRY_AFTER_MAX 10

static const char tls_hint[] =
	"add the registry's CA under /etc/containers/certs.d/HOST:PORT/ "
	"or pass --cert-dir, or use --tls-verify=false";

/* true when one of dirs holds a certificate file. */
static bool dirs_have_certs(const char *const *dirs)
{
	bool found = false;

	for (size_t i = 0; dirs && dirs[i] && !found; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;

		if (!d)
			continue;
		while (!found && (de = readdir(d)))
			found = str_has_suffix(de->d_name, ".crt") ||
				str_has_suffix(de->d_name, ".pem") ||
				str_has_suffix(de->d_name, ".cer");
		closedir(d);
	}
	return found;
}

/*
 * The trust set: libcurl's own default when it has one and nothing is
 * added; else (extra certificates, or a build without a default bundle)
 * the bundle found on this system plus the directories' certificates.
 */
static int setup_tls(struct http *h, const char *const *cert_dirs,
		     struct err *err)
{
	char *def = NULL;

	if (!h->tls_verify)
		return 0;
	if (curl_easy_getinfo(h->curl, CURLINFO_CAINFO, &def) != CURLE_OK)
		def = NULL;
	if (def && *def && access(def, R_OK) == 0 && !dirs_have_certs(cert_dirs))
		return 0;
	if (cabundle_load(cert_dirs, &h->ca_pem, &h->ca_len, err) < 0)
		return -1;
	return 0;
}

static void apply_common(struct http *h, CURL *c)
{
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "scatman/" SCATMAN_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, h->tls_verify ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, h->tls_verify ? 2L : 0L);
	if (h->share)
		curl_easy_setopt(c, CURLOPT_SHARE, h->share);
	if (h->ca_pem) {
		struct curl_blob blob = { h->ca_pem, h->ca_len, CURL_BLOB_COPY };

		curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
	}
}

static void share_lock(CURL *c, curl_lock_data data, curl_lock_access a,
		       void *arg)
{
	struct http *h = arg;

	pthread_mutex_lock(&h->locks[data]);
}

static void share_unlock(CURL *c, curl_lock_data data, void *arg)
{
	struct http *h = arg;

	pthread_mutex_unlock(&h->locks[data]);
}

static void share_init(struct http *h)
{
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&h->locks[i], NULL);
	h->share = curl_share_init();
	if (!h->share)
		return;
	curl_share_setopt(h->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(h->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(h->share, CURLSHOPT_USERDATA, h);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

int http_init(struct http *h, bool tls_verify, const char *const *cert_dirs,
	      struct err *err)
{
	memset(h, 0, sizeof(*h));
	h->tls_verify = tls_verify;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	share_init(h);
	h->curl = curl_easy_init();
	if (!h->curl)
		return err_setc(err, ENOMEM, "cannot start the HTTP client");
	if (setup_tls(h, cert_dirs, err) < 0) {
		http_release(h);
		return -1;
	}
	return 0;
}

void http_release(struct http *h)
{
	if (h->curl)
		curl_easy_cleanup(h->curl);
	if (h->share) {
		curl_share_cleanup(h->share);
		for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
			pthread_mutex_destroy(&h->locks[i]);
	}
	free(h->ca_pem);
	memset(h, 0, sizeof(*h));
}

void http_resp_release(struct http_resp *r)
{
	free(r->body);
	free(r->content_type);
	free(r->www_auth);
	free(r->docker_digest);
	memset(r, 0, sizeof(*r));
}

static const char plain_http_msg[] =
	"server gave HTTP response to HTTPS client: ";

/* What TLS libraries make of a plain HTTP answer. */
static bool plain_http(const char *why)
{
	return strstr(why, "wrong version number") ||
	       strstr(why, "packet length too long") ||
	       strstr(why, "unexpected message");
}

int http_curl_err(struct err *err, CURLcode rc, const char *url,
		  const char *errbuf)
{
	const char *why = errbuf && *errbuf ? errbuf : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return err_setc(err, EPROTO, "TLS failure talking to '%s': %s%s (%s)",
				url, plain_http(why) ? plain_http_msg : "", why,
				tls_hint);
	case CURLE_COULDNT_RESOLVE_HOST:
		return err_setc(err, EHOSTUNREACH,
			       "cannot resolve the host of '%s': %s", url, why);
	case CURLE_COULDNT_CONNECT:
		return err_setc(err, ECONNREFUSED, "cannot connect to '%s': %s",
			       url, why);
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return err_setc(err, EPROTO,
				"'%s' led to a URL that is not followed (%s): %s",
				url, "only http and https are", why);
	case CURLE_PARTIAL_FILE:
		return err_setc(err, EIO, "truncated response from '%s': %s", url,
				why);
	default:
		return err_setc(err, EIO, "request to '%s' failed: %s", url, why);
	}
}

static bool transient_curl(CURLcode rc)
{
	return rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
	       rc == CURLE_GOT_NOTHING || rc == CURLE_PARTIAL_FILE ||
	       rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_HTTP2 ||
	       rc == CURLE_HTTP2_STREAM;
}

static bool transient_status(long status)
{
	return status == 429 || status == 502 || status == 503 ||
	       status == 504 || status == 500;
}

/* Sleeps before retry n (0-based): 0.25 s, 0.5 s, 1 s, or Retry-After. */
static void backoff(int n, long retry_after)
{
	struct timespec ts;
	long ms = 250L << n;

	if (retry_after >= 0)
		ms = (retry_after > RETRY_AFTER_MAX ? RETRY_AFTER_MAX :
		      retry_after) * 1000L;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

struct get_ctx {
	struct http_resp *r;
	size_t max;
};

static size_t get_write(char *p, size_t sz, size_t nm, void *arg)
{
	struct get_ctx *g = arg;
	size_t n = sz * nm;

	if (g->r->len + n > g->max) {
		g->r->truncated = true;
		return 0;
	}
	g->r->body = xrealloc(g->r->body, g->r->len + n + 1);
	memcpy(g->r->body + g->r->len, p, n);
	g->r->len += n;
	g->r->body[g->r->len] = '\0';
	return n;
}

static char *trim_dup(const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	return xstrndup(v, n);
}

/* Header lines of the last response only (redirects reset them). */
static size_t get_header(char *p, size_t sz, size_t nm, void *arg)
{
	struct http_resp *r = ((struct get_ctx *)arg)->r;
	size_t n = sz * nm;
	const char *colon = memchr(p, ':', n);
	size_t kl = colon ? (size_t)(colon - p) : 0, vl = n - kl - 1;
	char *v;

	if (n >= 5 && !strncmp(p, "HTTP/", 5)) {
		free(r->www_auth);
		free(r->content_type);
		free(r->docker_digest);
		r->www_auth = r->content_type = r->docker_digest = NULL;
		r->retry_after = -1;
		return n;
	}
	if (!colon)
		return n;
	v = trim_dup(colon + 1, vl);
	if (kl == 16 && !strncasecmp(p, "WWW-Authenticate", kl) && r->www_auth) {
		char *j = xasprintf("%s, %s", r->www_auth, v);

		free(r->www_auth);
		free(v);
		r->www_auth = j;
	} else if (kl == 16 && !strncasecmp(p, "WWW-Authenticate", kl)) {
		r->www_auth = v;
	} else if (kl == 12 && !strncasecmp(p, "Content-Type", kl)) {
		free(r->content_type);
		r->content_type = v;
	} else if (kl == 21 && !strncasecmp(p, "Docker-Content-Digest", kl)) {
		free(r->docker_digest);
		r->docker_digest = v;
	} else if (kl == 11 && !strncasecmp(p, "Retry-After", kl)) {
		r->retry_after = strtol(v, NULL, 10);
		free(v);
	} else {
		free(v);
	}
	return n;
}

static struct curl_slist *make_headers(const char *const *headers)
{
	struct curl_slist *l = NULL;

	for (size_t i = 0; headers && headers[i]; i++)
		l = curl_slist_append(l, headers[i]);
	return l;
}

static CURLcode get_once(struct http *h, const char *url,
			 struct curl_slist *hl, struct get_ctx *g, char *ebuf)
{
	CURL *c = h->curl;
	CURLcode rc;

	curl_easy_reset(c);
	apply_common(h, c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, get_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, g);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, get_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, g);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	ebuf[0] = '\0';
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &g->r->status);
	return rc;
}

int http_get(struct http *h, const char *url, const char *const *headers,
	     size_t max, struct http_resp *r, struct err *err)
{
	struct curl_slist *hl = make_headers(headers);
	char ebuf[CURL_ERROR_SIZE];
	struct get_ctx g = { r, max };
	CURLcode rc;

	for (int n = 0;; n++) {
		memset(r, 0, sizeof(*r));
		r->retry_after = -1;
		rc = get_once(h, url, hl, &g, ebuf);
		if (rc == CURLE_WRITE_ERROR && r->truncated)
			rc = CURLE_OK;
		if (n < HTTP_RETRIES && ((rc && transient_curl(rc)) ||
		    (!rc && transient_status(r->status)))) {
			log_debug("retrying '%s' (%s, status %ld)", url,
				  curl_easy_strerror(rc), r->status);
			backoff(n, rc ? -1 : r->retry_after);
			http_resp_release(r);
			continue;
		}
		break;
	}
	curl_slist_free_all(hl);
	if (rc) {
		http_resp_release(r);
		return http_curl_err(err, rc, url, ebuf);
	}
	if (!r->body)
		r->body = xcalloc(1, 1);
	return 0;
}

struct dl_ctx {
	struct http_dl *d;
	CURL *c;
	bool started;
	int64_t range_start;	/* the offset asked for in this attempt */
	int io_errno;
};

/* Truncates the partial file when the server restarts from zero. */
static int dl_restart(struct dl_ctx *x)
{
	struct http_dl *d = x->d;

	if (ftruncate(d->fd, 0) < 0 || lseek(d->fd, 0, SEEK_SET) < 0)
		return -1;
	d->offset = 0;
	sha256_init(d->sha);
	return 0;
}

static size_t dl_write(char *p, size_t sz, size_t nm, void *arg)
{
	struct dl_ctx *x = arg;
	struct http_dl *d = x->d;
	size_t n = sz * nm;
	long status = 0;

	if (!x->started) {
		x->started = true;
		curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &status);
		if (status != 200 && status != 206)
			return 0;
		if (status == 200 && x->range_start > 0 && dl_restart(x) < 0) {
			x->io_errno = errno;
			return 0;
		}
	}
	if (d->expected >= 0 && d->offset + (int64_t)n > d->expected) {
		x->io_errno = EFBIG;
		return 0;
	}
	if (write_all(d->fd, p, n) < 0) {
		x->io_errno = errno;
		return 0;
	}
	sha256_update(d->sha, p, n);
	d->offset += (int64_t)n;
	if (d->progress)
		d->progress(d->arg, d->offset);
	return n;
}

static CURLcode dl_once(struct http *h, CURL *c, struct curl_slist *hl,
			struct dl_ctx *x, char *ebuf)
{
	char range[64];
	CURLcode rc;

	curl_easy_reset(c);
	apply_common(h, c);
	curl_easy_setopt(c, CURLOPT_URL, x->d->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, dl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
	x->started = false;
	x->io_errno = 0;
	x->range_start = x->d->offset;
	if (x->d->offset > 0) {
		snprintf(range, sizeof(range), "%lld-", (long long)x->d->offset);
		curl_easy_setopt(c, CURLOPT_RANGE, range);
	}
	ebuf[0] = '\0';
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->d->status);
	return rc;
}

/* One attempt's verdict: 0 done, 1 retry, -1 error (err set). */
static int dl_verdict(struct dl_ctx *x, CURLcode rc, int n, const char *ebuf,
		      struct err *err)
{
	struct http_dl *d = x->d;

	if (x->io_errno == EFBIG)
		return err_setc(err, EFBIG, "'%s' sent more than the expected %lld bytes",
				d->url, (long long)d->expected);
	if (x->io_errno)
		return err_set(err, x->io_errno, "cannot write the download of '%s'",
			       d->url);
	if (d->status == 416 && x->range_start > 0) {
		/* The range is not satisfiable: start over. */
		return dl_restart(x) < 0 ? err_set(err, errno, "cannot truncate") : 1;
	}
	if (rc == CURLE_WRITE_ERROR || (!rc && d->status != 200 && d->status != 206)) {
		if (n < HTTP_RETRIES && transient_status(d->status))
			return 1;
		return err_setc(err, EIO, "fetching '%s': HTTP status %ld", d->url,
			       d->status);
	}
	if (rc) {
		if (n < HTTP_RETRIES && transient_curl(rc))
			return 1;
		return http_curl_err(err, rc, d->url, ebuf);
	}
	return 0;
}

int http_download(struct http *h, struct http_dl *d, struct err *err)
{
	struct curl_slist *hl = make_headers(d->headers);
	char ebuf[CURL_ERROR_SIZE];
	struct dl_ctx x = { .d = d };
	int ret = -1, v;

	x.c = curl_easy_init();
	if (!x.c) {
		curl_slist_free_all(hl);
		return err_setc(err, ENOMEM, "cannot start the HTTP client");
	}
	for (int n = 0;; n++) {
		CURLcode rc = dl_once(h, x.c, hl, &x, ebuf);

		v = dl_verdict(&x, rc, n, ebuf, err);
		if (v <= 0) {
			ret = v;
			break;
		}
		d->retries++;
		log_debug("retrying '%s' at byte %lld", d->url,
			  (long long)d->offset);
		backoff(n, -1);
	}
	curl_easy_cleanup(x.c);
	curl_slist_free_all(hl);
	return ret;
}
