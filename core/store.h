/* SPDX-License-Identifier: MIT */
/*
 * The image store: an OCI image layout under <root>/images, a temp area
 * under <root>/tmp and a lock file. Tags are index.json entries annotated
 * with the full normalised reference.
 */
#ifndef SCATMAN_STORE_H
#define SCATMAN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"

#define STORE_REF_ANNOTATION "org.opencontainers.image.ref.name"
/* The registry's digest of a manifest stored converted (Docker -> OCI). */
#define STORE_SOURCE_ANNOTATION "org.scatman.source.digest"
#define STORE_JSON_MAX (4 << 20)	/* manifests, configs, index.json */

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_V1 "application/vnd.docker.distribution.manifest.v1"

struct store {
	char *root;	/* storage root */
	char *images;	/* <root>/images: an OCI image layout */
	char *tmp;	/* <root>/tmp: partial downloads, staging */
	int lock_fd;	/* <root>/lock while held, else -1 */
};

/* Creates the layout when missing (oci-layout, index.json, blobs/sha256,
 * tmp/), cleans stale temp files. */
int store_open(struct store *s, const char *root, struct err *err);
void store_release(struct store *s);
/* flock on <root>/lock: LOCK_EX or LOCK_SH. */
int store_lock(struct store *s, int how, struct err *err);
void store_unlock(struct store *s);
/* "sha256:<64 hex>" -> malloc'd <images>/blobs/sha256/<hex>; NULL when the
 * digest is malformed. */
char *store_blob_path(const struct store *s, const char *digest);

struct image_layer {
	char *digest;		/* "sha256:..." of the blob as stored */
	char *media_type;
	int64_t size;
	char *diff_id;		/* "sha256:..." of the uncompressed tar */
};

struct image {
	char *ref;		/* normalised reference, or NULL if found by id */
	char *manifest_digest;	/* "sha256:..." */
	char *id;		/* config digest hex, 64 chars */
	int64_t config_size;	/* of the config blob, as the manifest says */
	cJSON *config;		/* the whole image config JSON (owned) */
	struct image_layer *layers;
	size_t nlayers;
};

/* Finds an image by reference (normalised as pull does, e.g. "alpine" ->
 * docker.io/library/alpine:latest; short names matched against the tags in
 * the store), by full or unique-prefix ID, or by manifest digest.
 * err->errnum = ENOENT when absent. */
int store_image_find(struct store *s, const char *name, struct image *img,
		     struct err *err);
void image_release(struct image *img);
/* Image inspect JSON object (podman's keys: Id, Digest, RepoTags,
 * RepoDigests, Created, Architecture, Os, Config{...}, RootFS{Type,Layers},
 * Size, ...) for `scatman inspect`; NULL + err on failure. */
cJSON *store_image_inspect(struct store *s, const struct image *img,
			   struct err *err);

/* --- Used by pull, images, rmi and tag. --- */

/* Takes <root>/gc.lock (LOCK_SH while adding blobs, LOCK_EX to collect
 * garbage; take it before the store lock); returns the fd to close. */
int store_gc_lock(struct store *s, int how, struct err *err);

/* true when the blob of digest is present. */
bool store_has_blob(const struct store *s, const char *digest);
/* The size of the blob of digest, or -1 when it is absent. */
int64_t store_blob_size(const struct store *s, const char *digest);
/*
 * A descriptor's "size": true and *out set when v is an integer in
 * [0, 2^53), the range a JSON number holds exactly.
 */
bool json_size(const cJSON *v, int64_t *out);
/*
 * Verifies data against digest and writes it as a blob (temp, fsync,
 * rename). Used for manifests and configs.
 */
int store_put_blob(struct store *s, const char *digest, const void *data,
		   size_t len, struct err *err);
/* Reads a blob of at most max bytes; malloc'd, NUL-terminated. */
char *store_read_blob(const struct store *s, const char *digest, size_t max,
		      size_t *len, struct err *err);

/* One tag of index.json. */
struct store_tag {
	char *ref;		/* normalised reference; NULL when untagged */
	char *digest;		/* manifest digest */
	char *media_type;
	int64_t size;
	char *source_digest;	/* the registry's digest, when it differs */
};

/* Reads index.json; *tags is malloc'd (release with store_tags_free). */
int store_tags_load(const struct store *s, struct store_tag **tags,
		    size_t *n, struct err *err);
void store_tags_free(struct store_tag *tags, size_t n);
/*
 * Points ref at the manifest (adds or replaces the index.json entry);
 * takes the exclusive lock itself when it is not held. source_digest (may
 * be NULL) is the registry's digest of a manifest stored converted.
 */
int store_tag_set(struct store *s, const char *ref, const char *digest,
		  const char *media_type, int64_t size,
		  const char *source_digest, struct err *err);
/* The digest to show for a stored manifest: the registry's when it was
 * converted, else digest itself. Malloc'd. */
char *store_display_digest(struct store *s, const char *digest);
/* Removes the entry of ref; ENOENT when there is none. */
int store_tag_remove(struct store *s, const char *ref, struct err *err);
/* Loads the image whose manifest is digest (ref may be NULL). */
int store_image_load(struct store *s, const char *digest, const char *ref,
		     struct image *img, struct err *err);
/* Removes every blob no tag reaches; *freed (may be NULL) gets the count.
 * Call with the exclusive lock held. */
int store_gc(struct store *s, size_t *freed, struct err *err);
/*
 * Parses an image manifest (OCI or Docker schema 2) into img's layers and
 * config digest; the config itself is not read. Used by pull too.
 */
int image_parse_manifest(struct image *img, const char *data,
			 struct err *err);
/* Sum of the layer sizes plus config (as podman's SIZE). */
int64_t image_size(const struct image *img);

#endif
