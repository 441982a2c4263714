/* SPDX-License-Identifier: MIT */
/*
 * Registry credentials in the containers auth.json (and docker's
 * config.json for reading): {"auths": {"HOST": {"auth": base64(u:p)}}}.
 */
#ifndef SCATMAN_AUTH_H
#define SCATMAN_AUTH_H

#include <stddef.h>

#include "err.h"

/* The file login writes: authfile, $REGISTRY_AUTH_FILE,
 * $XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json.
 * Malloc'd. */
char *auth_file_path(const char *authfile);
/*
 * Looks host up in authfile (when given) or the usual files in order;
 * fills malloc'd *user and *pass. Returns 1 found, 0 none, -1 on a
 * malformed file.
 */
int auth_lookup(const char *authfile, const char *host, char **user,
		char **pass, struct err *err);
/* Stores (pass != NULL) or removes (pass == NULL) host's entry; host NULL
 * with pass NULL removes every entry. The file is written 0600. Removing
 * an absent entry is ENOENT. */
int auth_store(const char *authfile, const char *host, const char *user,
	       const char *pass, struct err *err);
/* The key a registry argument is stored under: "https://host/x" ->
 * "host", index.docker.io -> docker.io. Malloc'd; NULL when empty. */
char *auth_registry_host(const char *arg);
/* "user:pass" -> malloc'd user and pass; -1 when there is no colon. */
int auth_split_creds(const char *creds, char **user, char **pass);

/* Base64 (standard alphabet, padded). Malloc'd results. */
char *base64_encode(const void *data, size_t len);
/* NULL when malformed. */
char *base64_decode(const char *s, size_t *len);

#endif
