/* SPDX-License-Identifier: MIT */
/* User and group id maps: /etc/subuid and /etc/subgid, newuidmap and
 * newgidmap, the single-id fallback, and running a function inside a new
 * user namespace with a map applied. */
#ifndef SCATMAN_IDMAP_H
#define SCATMAN_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "err.h"

#define IDMAP_MAX 8

struct idmap_range {
	uint32_t inside;	/* first id in the namespace */
	uint32_t outside;	/* first id on the host */
	uint32_t count;
};

/* nuid == 0 means "no user namespace": ids are the host's (root, --userns
 * host). */
struct idmap {
	struct idmap_range uid[IDMAP_MAX];
	size_t nuid;
	struct idmap_range gid[IDMAP_MAX];
	size_t ngid;
};

enum userns_mode {
	USERNS_AUTO,	/* rootless: caller -> 0, subordinate range -> 1..N;
			 * root: host */
	USERNS_HOST,	/* no user namespace (root only) */
	USERNS_KEEP_ID,	/* caller -> same id inside, range fills the rest */
	USERNS_PRIVATE,	/* root: a private namespace; as AUTO otherwise */
};

/* Parses "auto", "host", "keep-id", "private"; -1 when unknown. */
int userns_mode_parse(const char *s);
const char *userns_mode_name(enum userns_mode mode);

/*
 * Computes the map for the calling user in the given mode, from the
 * caller's ranges in /etc/subuid and /etc/subgid (looked up by name and by
 * numeric id). When newuidmap/newgidmap or a range is missing, falls back
 * to a single-id map (caller <-> 0) and, if warning is not NULL, stores a
 * malloc'd one-line explanation of what to install or configure there.
 */
int idmap_for_caller(struct idmap *m, enum userns_mode mode, char **warning,
		     struct err *err);

/* True when the map has more than one id (a subordinate range in use). */
bool idmap_is_single(const struct idmap *m);

/* Maps an id inside the namespace to the host id; (uint32_t)-1 when the
 * id is outside every range. */
uint32_t idmap_uid_to_host(const struct idmap *m, uint32_t id);
uint32_t idmap_gid_to_host(const struct idmap *m, uint32_t id);
/* The highest inside uid/gid covered plus one (0 for an empty map). */
uint32_t idmap_uid_span(const struct idmap *m);
uint32_t idmap_gid_span(const struct idmap *m);

/*
 * Writes the map of process pid: newuidmap/newgidmap for a map of several
 * ids as a non-root user; /proc/PID/{uid_map,setgroups,gid_map} directly
 * for a single-id map or as root.
 */
int idmap_apply(pid_t pid, const struct idmap *m, struct err *err);

/* JSON form: {"uid":[[inside,outside,count],...],"gid":[...]}. */
cJSON *idmap_to_json(const struct idmap *m);
int idmap_from_json(struct idmap *m, const cJSON *j, struct err *err);

/*
 * Runs fn(arg) in a child process inside a new user namespace (plus the
 * extra clone flags, e.g. CLONE_NEWNS) with the map applied and uid/gid 0
 * inside. With an empty map (nuid == 0) the child runs without a new user
 * namespace. Returns fn's return value as the child's exit status (0-255),
 * or -1 with err set when the namespace could not be made; an explanation
 * is given when the kernel or a security module refuses unprivileged user
 * namespaces.
 */
int userns_run(const struct idmap *m, int extra_flags, int (*fn)(void *),
	       void *arg, struct err *err);

/* Explains a failure to create a user namespace (EPERM, ENOSPC): fills
 * err with what the administrator can change. Returns -1. */
int userns_explain_failure(int errnum, struct err *err);

#endif
