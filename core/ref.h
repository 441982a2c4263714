/* SPDX-License-Identifier: MIT */
/*
 * Image references as podman and docker write them: [domain/]path[:tag]
 * [@sha256:digest]. "alpine" is docker.io/library/alpine:latest.
 */
#ifndef SCATMAN_REF_H
#define SCATMAN_REF_H

#include <stdbool.h>

#include "err.h"

#define REF_DEFAULT_DOMAIN "docker.io"

struct ref {
	char *domain;	/* "docker.io", "127.0.0.1:5000", "localhost" */
	char *path;	/* "library/alpine" */
	char *tag;	/* "latest"; NULL when a digest is given */
	char *digest;	/* "sha256:<hex>" or NULL */
	char *short_path; /* the path as written, for short-name search */
	bool qualified;	/* the domain was written */
};

/* Parses and normalises s; an unqualified name gets docker.io. Rejects
 * malformed references (EINVAL) with a message naming the reason. */
int ref_parse(const char *s, struct ref *r, struct err *err);
/* The short name of src resolved against domain (library/ added for
 * docker.io); out is a new reference. */
void ref_qualify(const struct ref *src, const char *domain, struct ref *out);
/* "domain/path:tag" or "domain/path@digest"; malloc'd. */
char *ref_string(const struct ref *r);
/* "domain/path"; malloc'd. */
char *ref_repo(const struct ref *r);
/* The host the registry API is reached at (docker.io's is
 * registry-1.docker.io); borrowed or r->domain. */
const char *ref_api_host(const char *domain);
void ref_release(struct ref *r);

#endif
