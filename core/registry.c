/* SPDX-License-Identifier: MIT */
/* The registry protocol: probe, auth, manifests, blobs. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "log.h"
#include "ref.h"
#include "registry.h"
#include "store.h"
#include "util.h"

#define TOKEN_MAX (1 << 20)

static const char accept_manifests[] =
	"Accept: " MT_OCI_MANIFEST ", " MT_OCI_INDEX ", " MT_DOCKER_MANIFEST
	", " MT_DOCKER_LIST ", " MT_DOCKER_V1 "+prettyjws";

/* A token or quoted string at *p; advances *p. Malloc'd. */
static char *parse_value(const char **p)
{
	const char *s = *p;
	char *out = xmalloc(strlen(s) + 1), *o = out;

	if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1])
				s++;
			*o++ = *s;
		}
		if (*s == '"')
			s++;
	} else {
		while (*s && *s != ',' && *s != ' ' && *s != '\t')
			*o++ = *s++;
	}
	*o = '\0';
	*p = s;
	return out;
}

static void set_param(struct challenge *c, const char *k, size_t kl, char *v)
{
	char **slot = NULL;

	if (kl == 5 && !strncasecmp(k, "realm", 5))
		slot = &c->realm;
	else if (kl == 7 && !strncasecmp(k, "service", 7))
		slot = &c->service;
	else if (kl == 5 && !strncasecmp(k, "scope", 5))
		slot = &c->scope;
	if (slot) {
		free(*slot);
		*slot = v;
	} else {
		free(v);
	}
}

size_t challenges_parse(const char *h, struct challenge *out, size_t max)
{
	const char *p = h;
	size_t n = 0;

	while (*p) {
		const char *t;
		size_t tl;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		t = p;
		while (*p && (isalnum((unsigned char)*p) || strchr("-._~+/", *p)))
			p++;
		tl = (size_t)(p - t);
		if (!tl) {
			if (*p)
				p++;
			continue;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '=' && n > 0) {
			/* A parameter of the current challenge. */
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			set_param(&out[n - 1], t, tl, parse_value(&p));
			continue;
		}
		if (n == max)
			break;
		memset(&out[n], 0, sizeof(out[n]));
		for (size_t i = 0; i < tl && i + 1 < sizeof(out[n].scheme); i++)
			out[n].scheme[i] = (char)tolower((unsigned char)t[i]);
		n++;
	}
	return n;
}

void challenge_release(struct challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	memset(c, 0, sizeof(*c));
}

static void set_auth(struct registry *r, char *header)
{
	free(r->auth);
	r->auth = header;
}

static void basic_auth(struct registry *r)
{
	char *up = xasprintf("%s:%s", r->user, r->pass);
	char *b = base64_encode(up, strlen(up));

	set_auth(r, xasprintf("Authorization: Basic %s", b));
	free(up);
	free(b);
}

/* "run 'scatman login HOST' or pass --creds" into buf. */
static const char *login_hint(const struct registry *r, char *buf, size_t len)
{
	snprintf(buf, len, "run 'scatman login %s' or pass --creds", r->domain);
	return buf;
}

/* Appends "?service=..&scope=.." (URL-escaped, each when known). */
static char *token_url(struct registry *r, const char *scope)
{
	char *svc = r->service ? curl_easy_escape(NULL, r->service, 0) : NULL;
	char *sc = scope ? curl_easy_escape(NULL, scope, 0) : NULL;
	char sep = strchr(r->realm, '?') ? '&' : '?';
	char *url;

	url = xasprintf("%s%c%s%s%s%s%s", r->realm, sep, svc ? "service=" : "",
			svc ? svc : "", svc && sc ? "&" : "", sc ? "scope=" : "",
			sc ? sc : "");
	curl_free(svc);
	curl_free(sc);
	return url;
}

/* true when s is non-empty and only printable ASCII (spaces too when
 * space is true): nothing that could end a header line or a URL. */
static bool printable_ascii(const char *s, bool space)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < (space ? 0x20 : 0x21) || *s > 0x7e)
			return false;
	return true;
}

/* Token lifetimes kept: at most a day, 60 s when absent or nonsense. */
static int64_t token_lifetime(const cJSON *exp)
{
	if (!cJSON_IsNumber(exp) || !(exp->valuedouble >= 1))
		return 60;
	if (exp->valuedouble > 86400)
		return 86400;
	return (int64_t)exp->valuedouble;
}

/* Runs the Bearer token flow for pulling r->repo. */
static int fetch_token(struct registry *r, struct err *err)
{
	char hint[160];
	char *scope = *r->repo ? xasprintf("repository:%s:pull", r->repo) :
				 NULL;
	char *url = token_url(r, scope), *basic = NULL;
	const char *hdrs[2] = { NULL, NULL };
	struct http_resp resp;
	const cJSON *t, *exp;
	cJSON *j = NULL;
	int ret = -1;

	if (r->user) {
		basic_auth(r);
		basic = r->auth;
		r->auth = NULL;
		hdrs[0] = basic;
	}
	if (http_get(&r->http, url, hdrs, TOKEN_MAX, &resp, err) < 0)
		goto out_free;
	if (resp.status == 401 || resp.status == 403) {
		err_setc(err, EACCES,
			 "the token service of '%s' refused the credentials: %s",
			 r->domain, login_hint(r, hint, sizeof(hint)));
		goto out_resp;
	}
	j = cJSON_Parse(resp.body);
	t = cJSON_GetObjectItemCaseSensitive(j, "token");
	if (!cJSON_IsString(t) || !*t->valuestring)
		t = cJSON_GetObjectItemCaseSensitive(j, "access_token");
	if (resp.status != 200 || !cJSON_IsString(t) || !*t->valuestring) {
		err_setc(err, EPROTO, "token service '%s' answered status %ld without a token",
			r->realm, resp.status);
		goto out_resp;
	}
	if (!printable_ascii(t->valuestring, false)) {
		err_setc(err, EPROTO,
			 "token service '%s' sent a token with characters not allowed in a header",
			 r->realm);
		goto out_resp;
	}
	set_auth(r, xasprintf("Authorization: Bearer %s", t->valuestring));
	exp = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
	time_now(&r->token_expiry, NULL);
	r->token_expiry += token_lifetime(exp);
	ret = 0;
out_resp:
	cJSON_Delete(j);
	http_resp_release(&resp);
out_free:
	free(basic);
	free(url);
	free(scope);
	return ret;
}

/* The realm is an http(s) URL; the service (URL-escaped when sent)
 * holds no control characters. */
static bool bearer_ok(const struct challenge *c)
{
	return printable_ascii(c->realm, false) &&
	       (str_has_prefix(c->realm, "https://") ||
		str_has_prefix(c->realm, "http://")) &&
	       (!c->service || !*c->service || printable_ascii(c->service, true));
}

/* Records what a 401 asks for; picks Bearer over Basic. */
static int take_challenge(struct registry *r, const char *www, struct err *err)
{
	struct challenge c[8];
	size_t n = www ? challenges_parse(www, c, 8) : 0, b = n;
	int ret = err_setc(err, EACCES,
			  "'%s' requires authentication with an unsupported scheme",
			  r->domain);

	for (size_t i = 0; i < n && b == n; i++)
		if (!strcmp(c[i].scheme, "bearer") && c[i].realm)
			b = i;
	if (b < n && !bearer_ok(&c[b])) {
		ret = err_setc(err, EPROTO,
			       "'%s' gave an invalid token realm (want an http(s) URL)",
			       r->domain);
	} else if (b < n) {
		free(r->realm);
		free(r->service);
		r->realm = xstrdup(c[b].realm);
		r->service = c[b].service ? xstrdup(c[b].service) : NULL;
		r->bearer = true;
		ret = 0;
	}
	for (size_t i = 0; i < n && ret < 0 && b == n; i++)
		if (!strcmp(c[i].scheme, "basic")) {
			r->basic = true;
			ret = 0;
		}
	for (size_t i = 0; i < n; i++)
		challenge_release(&c[i]);
	return ret;
}

static int authenticate(struct registry *r, struct err *err)
{
	char hint[160];

	if (r->bearer)
		return fetch_token(r, err);
	if (r->basic && r->user) {
		basic_auth(r);
		return 0;
	}
	return err_setc(err, EACCES, "'%s' requires authentication: %s",
			r->domain, login_hint(r, hint, sizeof(hint)));
}

/* GET /v2/ over https, then http when allowed; sets r->base. */
static int probe(struct registry *r, bool tls_verify, struct err *err)
{
	const char *host = ref_api_host(r->domain);
	static const char *const schemes[] = { "https", "http" };
	struct http_resp resp;
	int ret = -1;

	for (size_t i = 0; i < (tls_verify ? 1u : 2u); i++) {
		char *url;

		free(r->base);
		r->base = xasprintf("%s://%s", schemes[i], host);
		url = xasprintf("%s/v2/", r->base);
		ret = http_get(&r->http, url, NULL, 1 << 16, &resp, err);
		free(url);
		if (ret == 0)
			break;
		log_debug("probing %s: %s", r->base, err->msg);
	}
	if (ret < 0)
		return err_wrap(err, "pinging registry '%s'", r->domain);
	if (resp.status == 401)
		ret = take_challenge(r, resp.www_auth, err);
	http_resp_release(&resp);
	if (ret == 0 && (r->bearer || r->basic))
		ret = authenticate(r, err);
	return ret;
}

int registry_open(struct registry *r, const char *domain, const char *repo,
		  const struct registry_opts *o, struct err *err)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->auth_lock, NULL);
	r->domain = xstrdup(domain);
	r->repo = xstrdup(repo);
	if (o->user) {
		r->user = xstrdup(o->user);
		r->pass = xstrdup(o->pass ? o->pass : "");
	}
	if (http_init(&r->http, o->tls_verify, o->cert_dirs, err) < 0 ||
	    probe(r, o->tls_verify, err) < 0) {
		registry_release(r);
		return -1;
	}
	return 0;
}

void registry_release(struct registry *r)
{
	http_release(&r->http);
	free(r->domain);
	free(r->base);
	free(r->repo);
	free(r->user);
	free(r->pass);
	free(r->auth);
	free(r->realm);
	free(r->service);
	pthread_mutex_destroy(&r->auth_lock);
	memset(r, 0, sizeof(*r));
}

char *registry_auth_copy(struct registry *r)
{
	char *a;

	pthread_mutex_lock(&r->auth_lock);
	a = r->auth ? xstrdup(r->auth) : NULL;
	pthread_mutex_unlock(&r->auth_lock);
	return a;
}

int registry_reauth(struct registry *r, const char *stale, struct err *err)
{
	int ret = 0;

	pthread_mutex_lock(&r->auth_lock);
	if (!r->bearer)
		ret = err_setc(err, EACCES, "'%s' refused the credentials", r->domain);
	else if (!stale || !r->auth || !strcmp(stale, r->auth))
		ret = fetch_token(r, err);
	pthread_mutex_unlock(&r->auth_lock);
	return ret;
}

char *registry_blob_url(const struct registry *r, const char *digest)
{
	return xasprintf("%s/v2/%s/blobs/%s", r->base, r->repo, digest);
}

/* The first registry error message in a body, or "". */
static const char *error_detail(const char *body, char *buf, size_t len)
{
	cJSON *j = cJSON_Parse(body);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "errors"), 0),
		"message");

	buf[0] = '\0';
	if (cJSON_IsString(m))
		snprintf(buf, len, ": %s", m->valuestring);
	/* Nothing from the server reaches a terminal as a control. */
	for (char *c = buf; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	cJSON_Delete(j);
	return buf;
}

static int status_err(struct registry *r, const char *kind, const char *ref,
		      struct http_resp *resp, struct err *err)
{
	bool manifest = !strcmp(kind, "manifests");
	char detail[256], hint[160];

	error_detail(resp->body, detail, sizeof(detail));
	if (resp->status == 401 || resp->status == 403)
		return err_setc(err, EACCES, "access to '%s/%s' denied (status %ld%s): %s",
				r->domain, r->repo, resp->status, detail,
				login_hint(r, hint, sizeof(hint)));
	if (resp->status == 404 && manifest)
		return err_setc(err, ENOENT,
			       "manifest '%s' of '%s' not found in registry '%s'%s",
			       ref, r->repo, r->domain, detail);
	if (resp->status == 404)
		return err_setc(err, ENOENT, "blob '%s' not found in '%s/%s'",
			       ref, r->domain, r->repo);
	return err_setc(err, EIO, "fetching %s '%s' of '%s/%s': HTTP status %ld%s",
		       manifest ? "manifest" : "blob", ref, r->domain, r->repo,
		       resp->status, detail);
}

int registry_get(struct registry *r, const char *kind, const char *reference,
		 size_t max, struct http_resp *resp, struct err *err)
{
	char *url = xasprintf("%s/v2/%s/%s/%s", r->base, r->repo, kind,
			      reference);
	const char *hdrs[3];
	int64_t now;
	int ret = -1;

	/* A cached token is renewed shortly before it expires. */
	time_now(&now, NULL);
	if (r->bearer && r->token_expiry && now + 10 >= r->token_expiry &&
	    fetch_token(r, err) < 0)
		goto out_free;
	for (int attempt = 0; attempt < 2; attempt++) {
		size_t k = 0;

		if (!strcmp(kind, "manifests"))
			hdrs[k++] = accept_manifests;
		if (r->auth)
			hdrs[k++] = r->auth;
		hdrs[k] = NULL;
		if (http_get(&r->http, url, hdrs, max, resp, err) < 0)
			goto out_free;
		if (resp->status != 401 || attempt)
			break;
		/* Unauthorized: (re)authenticate once as the challenge says. */
		if (take_challenge(r, resp->www_auth, err) < 0 ||
		    authenticate(r, err) < 0) {
			http_resp_release(resp);
			goto out_free;
		}
		http_resp_release(resp);
	}
	if (resp->truncated)
		ret = err_setc(err, EFBIG, "%s '%s' of '%s/%s' is larger than %zu bytes",
			      strcmp(kind, "manifests") ? "blob" : "manifest",
			      reference, r->domain, r->repo, max);
	else if (resp->status != 200)
		ret = status_err(r, kind, reference, resp, err);
	else
		ret = 0;
	if (ret < 0)
		http_resp_release(resp);
out_free:
	free(url);
	return ret;
}

int registry_login(const char *domain, const struct registry_opts *o,
		   struct err *err)
{
	struct registry r;
	struct http_resp resp;
	const char *hdrs[2];
	char *url;
	int ret;

	if (registry_open(&r, domain, "", o, err) < 0)
		return -1;
	url = xasprintf("%s/v2/", r.base);
	hdrs[0] = r.auth;
	hdrs[1] = NULL;
	ret = http_get(&r.http, url, hdrs, 1 << 16, &resp, err);
	if (ret == 0) {
		if (resp.status != 200)
			ret = err_setc(err, EACCES,
				       "logging in to '%s': invalid username/password (status %ld)",
				       domain, resp.status);
		http_resp_release(&resp);
	}
	free(url);
	registry_release(&r);
	return ret;
}
