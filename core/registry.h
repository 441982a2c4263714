/* SPDX-License-Identifier: MIT */
/*
 * A distribution-spec (v2) registry client for one repository: the
 * scheme probe, WWW-Authenticate challenges, Bearer tokens and Basic
 * auth, manifests and blobs.
 */
#ifndef SCATMAN_REGISTRY_H
#define SCATMAN_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

#include <pthread.h>

#include "err.h"
#include "http.h"

struct registry_opts {
	bool tls_verify;	/* false also allows plain HTTP */
	const char *const *cert_dirs;	/* NULL-ended, may be NULL */
	const char *user, *pass;	/* credentials or NULL */
};

struct registry {
	struct http http;
	char *domain;		/* as in the reference, e.g. "docker.io" */
	char *base;		/* "https://registry-1.docker.io" */
	char *repo;		/* "library/alpine" */
	char *user, *pass;
	char *auth;		/* "Authorization: ..." or NULL */
	char *realm, *service;	/* Bearer challenge */
	bool basic;		/* the registry asked for Basic auth */
	bool bearer;
	int64_t token_expiry;	/* seconds since the epoch, 0 = none */
	pthread_mutex_t auth_lock;	/* auth, for the download threads */
};

/* A parsed WWW-Authenticate challenge. */
struct challenge {
	char scheme[16];	/* lower case: "bearer", "basic" */
	char *realm, *service, *scope;
};

/* Parses up to max challenges of a WWW-Authenticate value; returns the
 * count. Release each with challenge_release. */
size_t challenges_parse(const char *h, struct challenge *out, size_t max);
void challenge_release(struct challenge *c);

/* Probes host (https, then http when TLS verification is off) and
 * authenticates for pulling repo. */
int registry_open(struct registry *r, const char *domain, const char *repo,
		  const struct registry_opts *o, struct err *err);
void registry_release(struct registry *r);
/* Checks o's credentials against the registry of domain (a token for
 * Bearer registries, GET /v2/ for Basic ones). */
int registry_login(const char *domain, const struct registry_opts *o,
		   struct err *err);

/*
 * GETs /v2/<repo>/<kind>/<reference> (kind "manifests" or "blobs") into
 * resp (at most max bytes, more is an error), authenticating on 401.
 * Non-2xx statuses are errors named after what was asked for.
 */
int registry_get(struct registry *r, const char *kind, const char *reference,
		 size_t max, struct http_resp *resp, struct err *err);
/* The blob URL for a download on another handle; malloc'd. */
char *registry_blob_url(const struct registry *r, const char *digest);
/* The "Authorization: ..." header line for downloads, or NULL; malloc'd.
 * Safe to call from several threads. */
char *registry_auth_copy(struct registry *r);
/* After a 401 on a download: a new token, unless another thread already
 * replaced stale (the header it was sent with). */
int registry_reauth(struct registry *r, const char *stale, struct err *err);

#endif
