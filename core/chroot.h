/* SPDX-License-Identifier: MIT */
/*
 * Chroots on disk: <root>/chroots/<id>/{config.json,state.json,rootfs/,log,
 * lock}. Names and ID prefixes, the configuration recorded by create, the
 * state written by the supervisor, and liveness.
 */
#ifndef SCATMAN_CHROOT_H
#define SCATMAN_CHROOT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "idmap.h"

#define CHROOT_ID_LEN 64

/* What create records; JSON with podman-like field names (config.json). */
struct chroot_config {
	char *id;		/* 64 hex digits */
	char *name;
	char *image_id;		/* the image's config digest, hex */
	char *image_name;	/* the normalised reference it was made from */
	int64_t created;	/* seconds since the epoch */
	long created_ns;
	char **argv;		/* the command: entrypoint + cmd, NULL-ended */
	char **entrypoint;	/* as recorded, NULL-ended, may be NULL */
	char **cmd;		/* as recorded, NULL-ended, may be NULL */
	char **env;		/* "K=V", NULL-ended */
	char *workdir;		/* "/" by default */
	char *user;		/* "" = root */
	char *hostname;		/* default: the name */
	char **volumes;		/* "SRC:DST[:ro|rw]", NULL-ended */
	char **labels;		/* "K=V", NULL-ended */
	char *pid_mode;		/* "private" | "host" */
	char *ipc_mode;
	char *net_mode;		/* "host" | "private" | "none" */
	char *uts_mode;
	char *userns_mode;	/* "auto" | "host" | "keep-id" | "private" */
	char *stop_signal;	/* e.g. "SIGTERM"; NULL = SIGTERM */
	bool tty;
	bool interactive;
	struct idmap idmap;	/* the map the rootfs was unpacked with */
};

enum chroot_status {
	CHROOT_CREATED,
	CHROOT_RUNNING,
	CHROOT_EXITED,
};

/* What the supervisor records (state.json). */
struct chroot_state {
	enum chroot_status status;
	pid_t pid;		/* the chroot's init, as seen from the host */
	uint64_t pid_start;	/* its start time (see core/proc.h) */
	pid_t supervisor;	/* the supervisor process */
	uint64_t supervisor_start;
	int exit_code;
	int64_t started_at, finished_at;	/* seconds since the epoch */
	long started_ns, finished_ns;
};

struct chroot {
	char *dir;		/* <root>/chroots/<id> */
	struct chroot_config cfg;
	struct chroot_state st;
};

/* "<root>/chroots"; caller frees. */
char *chroot_base(const char *root);

/* Loads the chroot named by an exact name, an exact ID or a unique ID
 * prefix. err->errnum is ENOENT when there is none, EINVAL when a prefix
 * is ambiguous. The state is read too and checked for liveness: a running
 * state whose supervisor is gone reads as exited. */
int chroot_find(const char *root, const char *name_or_id, struct chroot *c,
		struct err *err);

/* Loads every chroot, sorted by creation time (oldest first). *list is a
 * malloc'd array; release each entry then free it. */
int chroot_list(const char *root, struct chroot **list, size_t *n,
		struct err *err);

/* Loads config and state from dir. */
int chroot_load(const char *dir, struct chroot *c, struct err *err);

void chroot_release(struct chroot *c);
void chroot_config_release(struct chroot_config *cfg);

/* Config <-> JSON. chroot_config_to_json returns a new object. */
cJSON *chroot_config_to_json(const struct chroot_config *cfg);
int chroot_config_from_json(struct chroot_config *cfg, const cJSON *j,
			    struct err *err);
/* Writes dir/config.json atomically. */
int chroot_config_save(const char *dir, const struct chroot_config *cfg,
		       struct err *err);

/* Reads dir/state.json (a missing file is "created"); writes it
 * atomically. chroot_state_refresh turns a "running" state whose processes
 * are gone into "exited" (in memory only). */
int chroot_state_load(const char *dir, struct chroot_state *st,
		      struct err *err);
int chroot_state_save(const char *dir, const struct chroot_state *st,
		      struct err *err);
void chroot_state_refresh(struct chroot_state *st);
bool chroot_is_running(const struct chroot *c);
const char *chroot_status_name(enum chroot_status s);

/* Takes dir/lock (flock; LOCK_EX or LOCK_SH, LOCK_NB optional); returns
 * the fd (close it to unlock) or -1. */
int chroot_lock(const char *dir, int how, struct err *err);

/* Names: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128 characters. */
bool chroot_name_is_valid(const char *name);
/* A new random ID (64 hex) into buf[65]. */
void chroot_id_generate(char buf[CHROOT_ID_LEN + 1]);
/* A new adjective_noun name not used by any chroot under root; caller
 * frees. */
char *chroot_name_generate(const char *root);

/* String vectors (NULL-ended) as used in the config. */
char **strv_from_json(const cJSON *arr);
cJSON *strv_to_json(char *const *v);
char **strv_dup(char *const *v);
size_t strv_len(char *const *v);
void strv_free(char **v);
/* Appends a copy of s; returns the (possibly moved) vector. */
char **strv_append(char **v, const char *s);

#endif
