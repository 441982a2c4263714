/* SPDX-License-Identifier: MIT */
/*
 * The image store: an OCI image layout. Blobs appear by rename once
 * verified; index.json changes under the exclusive store lock; blob
 * garbage collection also holds the gc lock exclusively, which pulls hold
 * shared while they add blobs not yet reachable from a tag.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "ref.h"
#include "store.h"
#include "util.h"

static const char empty_index[] = "{\"schemaVersion\":2,\"manifests\":[]}";
static const char layout_file[] = "{\"imageLayoutVersion\":\"1.0.0\"}";

static char *store_file(const struct store *s, const char *name)
{
	return path_join(s->images, name);
}

static int ensure_file(const char *path, const char *data, struct err *err)
{
	if (access(path, F_OK) == 0)
		return 0;
	return file_write_atomic(path, data, strlen(data), 0644, err);
}

/* Removes "<name>.tmp.<pid>" files of dead processes from dir. */
static void clean_stale_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *t = strstr(de->d_name, ".tmp.");
		char *end;
		long pid;

		if (!t)
			continue;
		pid = strtol(t + 5, &end, 10);
		if (end != t + 5 && !*end && pid > 0 &&
		    kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

#define PARTIAL_MAX_AGE (7 * 86400)

/*
 * Drops download leftovers in tmp/ that no pull will use: verified or
 * partial blobs the store now has, and any not touched for a week.
 * Files locked by a running pull are left alone.
 */
static void clean_downloads(struct store *s)
{
	DIR *d = opendir(s->tmp);
	struct dirent *de;
	int64_t now;

	if (!d)
		return;
	time_now(&now, NULL);
	while ((de = readdir(d))) {
		char hex[DIGEST_HEX_LEN + 1], *digest;
		struct stat st;
		bool stale;
		int fd;

		if (!str_has_prefix(de->d_name, "blob-") ||
		    (!str_has_suffix(de->d_name, ".partial") &&
		     !str_has_suffix(de->d_name, ".ok")) ||
		    sscanf(de->d_name, "blob-%64[0-9a-f].", hex) != 1 ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		digest = xasprintf("sha256:%s", hex);
		stale = store_has_blob(s, digest) || now - st.st_mtime > PARTIAL_MAX_AGE;
		free(digest);
		if (!stale)
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
			unlinkat(dirfd(d), de->d_name, 0);
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
}

static int store_create_layout(struct store *s, struct err *err)
{
	char *blobs = path_join(s->images, "blobs/sha256");
	char *layout = store_file(s, "oci-layout");
	char *index = store_file(s, "index.json");
	int ret = -1;

	if (mkdir_p(s->root, 0700, err) < 0 || mkdir_p(blobs, 0755, err) < 0 ||
	    mkdir_p(s->tmp, 0700, err) < 0 ||
	    ensure_file(layout, layout_file, err) < 0)
		goto out_free;
	/* Both lock files exist from the start: later runs change nothing
	 * in the tree unless they change the store. */
	ret = store_gc_lock(s, LOCK_SH, err);
	if (ret < 0)
		goto out_free;
	close(ret);
	ret = -1;
	if (access(index, F_OK) < 0) {
		/* Under the lock: a concurrent first tag must not be lost. */
		if (store_lock(s, LOCK_EX, err) < 0)
			goto out_free;
		ret = ensure_file(index, empty_index, err);
		store_unlock(s);
		if (ret < 0)
			goto out_free;
	}
	ret = 0;
out_free:
	free(blobs);
	free(layout);
	free(index);
	return ret;
}

int store_open(struct store *s, const char *root, struct err *err)
{
	char *blobs;

	s->root = xstrdup(root);
	s->images = path_join(root, "images");
	s->tmp = path_join(root, "tmp");
	s->lock_fd = -1;
	if (store_create_layout(s, err) < 0) {
		err_wrap(err, "cannot open the image store '%s'", root);
		store_release(s);
		return -1;
	}
	blobs = path_join(s->images, "blobs/sha256");
	clean_stale_tmp(s->images);
	clean_stale_tmp(blobs);
	clean_stale_tmp(s->tmp);
	clean_downloads(s);
	free(blobs);
	return 0;
}

void store_release(struct store *s)
{
	store_unlock(s);
	free(s->root);
	free(s->images);
	free(s->tmp);
	s->root = s->images = s->tmp = NULL;
}

static int lock_file(const char *root, const char *name, int how,
		     struct err *err)
{
	char *path = path_join(root, name);
	int fd = file_lock(path, 0600, how, err);

	free(path);
	return fd;
}

int store_lock(struct store *s, int how, struct err *err)
{
	if (s->lock_fd >= 0) {
		if (flock(s->lock_fd, how) < 0)
			return err_set(err, errno, "cannot lock the store");
		return 0;
	}
	s->lock_fd = lock_file(s->root, "lock", how, err);
	return s->lock_fd < 0 ? -1 : 0;
}

void store_unlock(struct store *s)
{
	if (s->lock_fd < 0)
		return;
	close(s->lock_fd);
	s->lock_fd = -1;
}

int store_gc_lock(struct store *s, int how, struct err *err)
{
	return lock_file(s->root, "gc.lock", how, err);
}

char *store_blob_path(const struct store *s, const char *digest)
{
	if (!digest_valid(digest))
		return NULL;
	return xasprintf("%s/blobs/sha256/%s", s->images, digest + 7);
}

bool store_has_blob(const struct store *s, const char *digest)
{
	char *p = store_blob_path(s, digest);
	bool ok = p && access(p, F_OK) == 0;

	free(p);
	return ok;
}

int64_t store_blob_size(const struct store *s, const char *digest)
{
	char *p = store_blob_path(s, digest);
	struct stat st;
	int64_t size = p && stat(p, &st) == 0 ? (int64_t)st.st_size : -1;

	free(p);
	return size;
}

bool json_size(const cJSON *v, int64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return false;
	d = v->valuedouble;
	/* NaN fails every comparison; 2^53 and beyond are not exact. */
	if (!(d >= 0 && d < 9007199254740992.0) || d != (double)(int64_t)d)
		return false;
	*out = (int64_t)d;
	return true;
}

int store_put_blob(struct store *s, const char *digest, const void *data,
		   size_t len, struct err *err)
{
	char *path = store_blob_path(s, digest), *got;
	struct stat st;
	int ret = -1;

	if (!path)
		return err_setc(err, EINVAL, "invalid digest '%s'", digest);
	got = digest_of(data, len);
	if (strcmp(got, digest)) {
		err_setc(err, EILSEQ, "digest mismatch: expected '%s', got '%s'",
			digest, got);
		goto out_free;
	}
	/* A stored blob of another size is corrupt: replace it. */
	ret = 0;
	if (stat(path, &st) < 0 || st.st_size != (off_t)len)
		ret = file_write_atomic(path, data, len, 0644, err);
out_free:
	free(got);
	free(path);
	return ret;
}

char *store_read_blob(const struct store *s, const char *digest, size_t max,
		      size_t *len, struct err *err)
{
	char *path = store_blob_path(s, digest), *data;

	if (!path) {
		err_setc(err, EINVAL, "invalid digest '%s'", digest);
		return NULL;
	}
	data = file_read(path, max, len, err);
	free(path);
	return data;
}

/* index.json as cJSON; caller deletes. */
static cJSON *index_load(const struct store *s, struct err *err)
{
	char *path = store_file(s, "index.json"), *data;
	cJSON *j, *m;

	data = file_read(path, STORE_JSON_MAX, NULL, err);
	free(path);
	if (!data)
		return NULL;
	j = cJSON_Parse(data);
	free(data);
	m = cJSON_GetObjectItemCaseSensitive(j, "manifests");
	if (!cJSON_IsObject(j) || !cJSON_IsArray(m)) {
		cJSON_Delete(j);
		err_setc(err, EINVAL, "malformed index.json in the image store");
		return NULL;
	}
	return j;
}

static int index_save(const struct store *s, const cJSON *j, struct err *err)
{
	char *path = store_file(s, "index.json");
	char *text = cJSON_PrintUnformatted(j);
	int ret;

	if (!text)
		return err_setc(err, ENOMEM, "cannot format index.json");
	ret = file_write_atomic(path, text, strlen(text), 0644, err);
	free(text);
	free(path);
	return ret;
}

static const char *json_str(const cJSON *j, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *entry_ref(const cJSON *e)
{
	return json_str(cJSON_GetObjectItemCaseSensitive(e, "annotations"),
			STORE_REF_ANNOTATION);
}

int store_tags_load(const struct store *s, struct store_tag **tags,
		    size_t *n, struct err *err)
{
	cJSON *j = index_load(s, err), *e;
	size_t i = 0;

	if (!j)
		return -1;
	*tags = xcalloc(cJSON_GetArraySize(
			cJSON_GetObjectItemCaseSensitive(j, "manifests")) + 1,
			sizeof(**tags));
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "manifests")) {
		const char *d = json_str(e, "digest"), *r = entry_ref(e);
		const char *src = json_str(cJSON_GetObjectItemCaseSensitive(e, "annotations"),
					   STORE_SOURCE_ANNOTATION);
		const char *mt = json_str(e, "mediaType");
		const cJSON *sz = cJSON_GetObjectItemCaseSensitive(e, "size");

		if (!digest_valid(d))
			continue;
		(*tags)[i].digest = xstrdup(d);
		(*tags)[i].ref = r ? xstrdup(r) : NULL;
		(*tags)[i].media_type = mt ? xstrdup(mt) : NULL;
		(*tags)[i].source_digest = digest_valid(src) ? xstrdup(src) : NULL;
		if (!json_size(sz, &(*tags)[i].size))
			(*tags)[i].size = 0;
		i++;
	}
	*n = i;
	cJSON_Delete(j);
	return 0;
}

void store_tags_free(struct store_tag *tags, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(tags[i].ref);
		free(tags[i].digest);
		free(tags[i].media_type);
		free(tags[i].source_digest);
	}
	free(tags);
}

static cJSON *index_entry(const char *ref, const char *digest,
			  const char *media_type, int64_t size,
			  const char *source)
{
	cJSON *e = cJSON_CreateObject(), *a;

	cJSON_AddStringToObject(e, "mediaType", media_type);
	cJSON_AddStringToObject(e, "digest", digest);
	cJSON_AddNumberToObject(e, "size", (double)size);
	a = cJSON_AddObjectToObject(e, "annotations");
	cJSON_AddStringToObject(a, STORE_REF_ANNOTATION, ref);
	if (digest_valid(source) && strcmp(source, digest))
		cJSON_AddStringToObject(a, STORE_SOURCE_ANNOTATION, source);
	return e;
}

/* Runs fn on index.json under the exclusive lock, saving when it returns
 * 1; the lock is given back as it was found. */
static int index_update(struct store *s,
			int (*fn)(cJSON *manifests, void *arg, struct err *err),
			void *arg, struct err *err)
{
	bool had_lock = s->lock_fd >= 0;
	cJSON *j;
	int ret = -1;

	if (store_lock(s, LOCK_EX, err) < 0)
		return -1;
	j = index_load(s, err);
	if (!j)
		goto out_unlock;
	ret = fn(cJSON_GetObjectItemCaseSensitive(j, "manifests"), arg, err);
	if (ret > 0)
		ret = index_save(s, j, err);
	cJSON_Delete(j);
out_unlock:
	if (!had_lock)
		store_unlock(s);
	return ret;
}

struct tag_arg {
	const char *ref, *digest, *media_type, *source;
	int64_t size;
};

static int tag_set_fn(cJSON *manifests, void *arg, struct err *err)
{
	struct tag_arg *a = arg;
	cJSON *e, *ne = index_entry(a->ref, a->digest, a->media_type, a->size,
				    a->source);
	int i = 0;

	cJSON_ArrayForEach(e, manifests) {
		const char *r = entry_ref(e);

		if (r && !strcmp(r, a->ref)) {
			cJSON_ReplaceItemInArray(manifests, i, ne);
			return 1;
		}
		i++;
	}
	cJSON_AddItemToArray(manifests, ne);
	return 1;
}

int store_tag_set(struct store *s, const char *ref, const char *digest,
		  const char *media_type, int64_t size,
		  const char *source_digest, struct err *err)
{
	struct tag_arg a = { ref, digest, media_type, source_digest, size };

	return index_update(s, tag_set_fn, &a, err);
}

static int tag_remove_fn(cJSON *manifests, void *arg, struct err *err)
{
	struct tag_arg *a = arg;
	cJSON *e;
	int i = 0;

	cJSON_ArrayForEach(e, manifests) {
		const char *r = entry_ref(e);

		if (r && !strcmp(r, a->ref)) {
			cJSON_DeleteItemFromArray(manifests, i);
			return 1;
		}
		i++;
	}
	return err_setc(err, ENOENT, "image not known: '%s'", a->ref);
}

int store_tag_remove(struct store *s, const char *ref, struct err *err)
{
	struct tag_arg a = { ref, NULL, NULL, NULL, 0 };

	return index_update(s, tag_remove_fn, &a, err);
}

void image_release(struct image *img)
{
	free(img->ref);
	free(img->manifest_digest);
	free(img->id);
	cJSON_Delete(img->config);
	for (size_t i = 0; i < img->nlayers; i++) {
		free(img->layers[i].digest);
		free(img->layers[i].media_type);
		free(img->layers[i].diff_id);
	}
	free(img->layers);
	memset(img, 0, sizeof(*img));
}

static int parse_layers(struct image *img, const cJSON *layers,
			struct err *err)
{
	const cJSON *l;
	size_t i = 0;

	img->layers = xcalloc(cJSON_GetArraySize(layers) + 1,
			      sizeof(*img->layers));
	cJSON_ArrayForEach(l, layers) {
		const char *d = json_str(l, "digest"), *mt = json_str(l, "mediaType");
		const cJSON *sz = cJSON_GetObjectItemCaseSensitive(l, "size");

		if (!digest_valid(d) || !mt ||
		    !json_size(sz, &img->layers[i].size))
			return err_setc(err, EINVAL,
				       "malformed manifest: bad layer descriptor");
		img->layers[i].digest = xstrdup(d);
		img->layers[i].media_type = xstrdup(mt);
		img->nlayers = ++i;
	}
	return 0;
}

int image_parse_manifest(struct image *img, const char *data,
			 struct err *err)
{
	cJSON *m = cJSON_Parse(data);
	const cJSON *cfg, *layers;
	const char *cd;
	int ret = -1;

	cfg = cJSON_GetObjectItemCaseSensitive(m, "config");
	layers = cJSON_GetObjectItemCaseSensitive(m, "layers");
	cd = json_str(cfg, "digest");
	if (!cJSON_IsObject(m) || !digest_valid(cd) || !cJSON_IsArray(layers) ||
	    !json_size(cJSON_GetObjectItemCaseSensitive(cfg, "size"),
		       &img->config_size)) {
		err_setc(err, EINVAL, "malformed image manifest");
		goto out_delete;
	}
	free(img->id);
	img->id = xstrdup(cd + 7);
	ret = parse_layers(img, layers, err);
out_delete:
	cJSON_Delete(m);
	return ret;
}

/* Reads the config blob and the diff_ids it lists. */
static int load_config(struct store *s, struct image *img, struct err *err)
{
	char *cd = xasprintf("sha256:%s", img->id), *data;
	const cJSON *ids, *id;
	size_t i = 0;

	data = store_read_blob(s, cd, STORE_JSON_MAX, NULL, err);
	free(cd);
	if (!data)
		return -1;
	img->config = cJSON_Parse(data);
	free(data);
	ids = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(img->config, "rootfs"),
		"diff_ids");
	if (!cJSON_IsObject(img->config) || !cJSON_IsArray(ids) ||
	    (size_t)cJSON_GetArraySize(ids) != img->nlayers)
		return err_setc(err, EINVAL, "malformed image config");
	cJSON_ArrayForEach(id, ids) {
		if (!cJSON_IsString(id) || !digest_valid(id->valuestring))
			return err_setc(err, EINVAL,
				       "malformed image config: bad diff_id");
		img->layers[i++].diff_id = xstrdup(id->valuestring);
	}
	return 0;
}

int store_image_load(struct store *s, const char *digest, const char *ref,
		     struct image *img, struct err *err)
{
	char *data;

	memset(img, 0, sizeof(*img));
	data = store_read_blob(s, digest, STORE_JSON_MAX, NULL, err);
	if (!data)
		return -1;
	img->manifest_digest = xstrdup(digest);
	img->ref = ref ? xstrdup(ref) : NULL;
	if (image_parse_manifest(img, data, err) < 0 ||
	    load_config(s, img, err) < 0) {
		free(data);
		image_release(img);
		return -1;
	}
	free(data);
	return 0;
}

/* The config digest hex of the manifest, or NULL. Caller frees. */
static char *manifest_config_id(struct store *s, const char *digest)
{
	struct image img = { 0 };
	struct err e = ERR_INIT;
	char *data = store_read_blob(s, digest, STORE_JSON_MAX, NULL, &e);
	char *id = NULL;

	if (data && image_parse_manifest(&img, data, &e) == 0) {
		id = img.id;
		img.id = NULL;
	}
	image_release(&img);
	free(data);
	return id;
}

/*
 * Looks name up as an image ID (full or unique prefix, "sha256:" optional)
 * or a manifest digest. Returns 1 when found (*idx set), 0 when not, -1
 * when ambiguous.
 */
static int find_by_id(struct store *s, struct store_tag *tags, size_t n,
		      const char *name, size_t *idx, struct err *err)
{
	const char *hex = str_has_prefix(name, "sha256:") ? name + 7 : name;
	size_t len = strlen(hex);
	char *found_id = NULL;
	int ret = 0;

	if (!hex_valid(hex, 3, DIGEST_HEX_LEN))
		return 0;
	for (size_t i = 0; i < n && ret >= 0; i++) {
		char *id = manifest_config_id(s, tags[i].digest);

		if (len == DIGEST_HEX_LEN && (!strcmp(tags[i].digest + 7, hex) ||
		    (tags[i].source_digest && !strcmp(tags[i].source_digest + 7, hex)))) {
			free(found_id);
			found_id = NULL;
			*idx = i;
			free(id);
			ret = 1;
			break;
		}
		if (id && !strncmp(id, hex, len)) {
			if (found_id && strcmp(found_id, id))
				ret = err_setc(err, EINVAL,
					      "image ID prefix '%s' is ambiguous",
					      name);
			if (!found_id) {
				found_id = xstrdup(id);
				*idx = i;
				ret = 1;
			}
		}
		free(id);
	}
	free(found_id);
	return ret;
}

/* Tag whose ref matches r: exactly when qualified, else by suffix. */
static int find_by_ref(struct store_tag *tags, size_t n, const struct ref *r,
		       size_t *idx)
{
	char *full = ref_string(r), *suffix;
	int ret = 0;

	for (size_t i = 0; i < n; i++)
		if (tags[i].ref && !strcmp(tags[i].ref, full)) {
			*idx = i;
			free(full);
			return 1;
		}
	/* A digest reference also matches any tag of that repository. */
	if (r->digest) {
		char *repo = ref_repo(r);
		size_t rl = strlen(repo);

		for (size_t i = 0; i < n && !ret; i++)
			if (tags[i].ref && (!strcmp(tags[i].digest, r->digest) ||
			    (tags[i].source_digest &&
			     !strcmp(tags[i].source_digest, r->digest))) &&
			    !strncmp(tags[i].ref, repo, rl) &&
			    strchr(":@", tags[i].ref[rl])) {
				*idx = i;
				ret = 1;
			}
		free(repo);
	}
	free(full);
	if (ret || r->qualified)
		return ret;
	suffix = r->digest ? xasprintf("/%s@%s", r->short_path, r->digest) :
			     xasprintf("/%s:%s", r->short_path, r->tag);
	for (size_t i = 0; i < n && !ret; i++)
		if (tags[i].ref && str_has_suffix(tags[i].ref, suffix)) {
			*idx = i;
			ret = 1;
		}
	free(suffix);
	return ret;
}

int store_image_find(struct store *s, const char *name, struct image *img,
		     struct err *err)
{
	struct store_tag *tags;
	struct ref r;
	size_t n, idx = 0;
	int found, ret = -1;

	memset(img, 0, sizeof(*img));
	if (store_tags_load(s, &tags, &n, err) < 0)
		return -1;
	found = find_by_id(s, tags, n, name, &idx, err);
	if (found < 0)
		goto out_free;
	if (found) {
		ret = store_image_load(s, tags[idx].digest, NULL, img, err);
		goto out_free;
	}
	if (ref_parse(name, &r, err) < 0)
		goto out_free;
	found = find_by_ref(tags, n, &r, &idx);
	ref_release(&r);
	if (!found) {
		err_setc(err, ENOENT, "'%s': image not known", name);
		goto out_free;
	}
	ret = store_image_load(s, tags[idx].digest, tags[idx].ref, img, err);
out_free:
	store_tags_free(tags, n);
	return ret;
}

int64_t image_size(const struct image *img)
{
	int64_t sum = 0;

	for (size_t i = 0; i < img->nlayers; i++)
		sum += img->layers[i].size;
	return sum;
}

static void copy_item(cJSON *dst, const char *key, const cJSON *src,
		      const char *skey)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, skey);

	if (v)
		cJSON_AddItemToObject(dst, key, cJSON_Duplicate(v, 1));
}

static bool json_array_has(const cJSON *arr, const char *str)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, arr)
		if (cJSON_IsString(v) && !strcmp(v->valuestring, str))
			return true;
	return false;
}

/* Adds tag (a stored ref) to RepoTags and its repo@digest to RepoDigests. */
static void add_repo_name(cJSON *tags_j, cJSON *dig_j, const char *ref,
			  const char *digest)
{
	const char *at = strchr(ref, '@'), *colon = strrchr(ref, ':');
	const char *slash = strrchr(ref, '/');
	size_t len = strlen(ref);
	char *rd;

	if (at)
		len = (size_t)(at - ref);
	else if (colon && slash && colon > slash)
		len = (size_t)(colon - ref);
	if (!at)
		cJSON_AddItemToArray(tags_j, cJSON_CreateString(ref));
	rd = xasprintf("%.*s@%s", (int)len, ref, digest);
	if (!json_array_has(dig_j, rd))
		cJSON_AddItemToArray(dig_j, cJSON_CreateString(rd));
	free(rd);
}

/* RepoTags and RepoDigests: every tag whose manifest has img's ID. */
static void add_repo_names(struct store *s, const struct image *img,
			   cJSON *out)
{
	cJSON *tags_j = cJSON_AddArrayToObject(out, "RepoTags");
	cJSON *dig_j = cJSON_AddArrayToObject(out, "RepoDigests");
	struct store_tag *tags;
	struct err e = ERR_INIT;
	size_t n;

	if (store_tags_load(s, &tags, &n, &e) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char *id;

		if (!tags[i].ref)
			continue;
		id = manifest_config_id(s, tags[i].digest);
		if (id && !strcmp(id, img->id))
			add_repo_name(tags_j, dig_j, tags[i].ref,
				      tags[i].source_digest ? tags[i].source_digest :
				      tags[i].digest);
		free(id);
	}
	store_tags_free(tags, n);
}

cJSON *store_image_inspect(struct store *s, const struct image *img,
			   struct err *err)
{
	cJSON *o = cJSON_CreateObject(), *rootfs, *layers;
	const cJSON *c = img->config;

	char *shown = store_display_digest(s, img->manifest_digest);

	cJSON_AddStringToObject(o, "Id", img->id);
	cJSON_AddStringToObject(o, "Digest", shown);
	free(shown);
	add_repo_names(s, img, o);
	copy_item(o, "Created", c, "created");
	copy_item(o, "Author", c, "author");
	copy_item(o, "Comment", c, "comment");
	copy_item(o, "Architecture", c, "architecture");
	copy_item(o, "Os", c, "os");
	copy_item(o, "Variant", c, "variant");
	copy_item(o, "Config", c, "config");
	if (!cJSON_GetObjectItemCaseSensitive(o, "Config"))
		cJSON_AddObjectToObject(o, "Config");
	copy_item(o, "Labels", cJSON_GetObjectItemCaseSensitive(c, "config"),
		  "Labels");
	cJSON_AddNumberToObject(o, "Size", (double)image_size(img));
	cJSON_AddNumberToObject(o, "VirtualSize", (double)image_size(img));
	rootfs = cJSON_AddObjectToObject(o, "RootFS");
	cJSON_AddStringToObject(rootfs, "Type", "layers");
	layers = cJSON_AddArrayToObject(rootfs, "Layers");
	for (size_t i = 0; i < img->nlayers; i++)
		cJSON_AddItemToArray(layers,
				     cJSON_CreateString(img->layers[i].diff_id));
	copy_item(o, "History", c, "history");
	return o;
}

struct digest_set {
	char **v;
	size_t n, cap;
};

static void set_add(struct digest_set *set, const char *d)
{
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 64;
		set->v = xrealloc(set->v, set->cap * sizeof(*set->v));
	}
	set->v[set->n++] = xstrdup(d + 7);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds a manifest, and what it references, to the live set. Indexes
 * stored by other tools are followed one level down. */
static void mark_manifest(struct store *s, const char *digest,
			  struct digest_set *live, int depth)
{
	struct err e = ERR_INIT;
	char *data = store_read_blob(s, digest, STORE_JSON_MAX, NULL, &e);
	cJSON *m, *v;

	set_add(live, digest);
	if (!data)
		return;
	m = cJSON_Parse(data);
	free(data);
	v = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(m, "config"), "digest");
	if (cJSON_IsString(v) && digest_valid(v->valuestring))
		set_add(live, v->valuestring);
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(m, "layers")) {
		const char *d = json_str(v, "digest");

		if (digest_valid(d))
			set_add(live, d);
	}
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(m, "manifests")) {
		const char *d = json_str(v, "digest");

		if (digest_valid(d) && depth < 2)
			mark_manifest(s, d, live, depth + 1);
	}
	cJSON_Delete(m);
}

int store_gc(struct store *s, size_t *freed, struct err *err)
{
	struct digest_set live = { 0 };
	struct store_tag *tags;
	char *dir = path_join(s->images, "blobs/sha256");
	struct dirent *de;
	size_t n, count = 0;
	DIR *d;

	if (store_tags_load(s, &tags, &n, err) < 0)
		goto out_free_dir;
	for (size_t i = 0; i < n; i++)
		mark_manifest(s, tags[i].digest, &live, 0);
	store_tags_free(tags, n);
	qsort(live.v, live.n, sizeof(*live.v), cmp_str);
	d = opendir(dir);
	if (!d) {
		err_set(err, errno, "cannot open '%s'", dir);
		goto out_free_set;
	}
	while ((de = readdir(d))) {
		const char *name = de->d_name;

		if (!hex_valid(name, DIGEST_HEX_LEN, DIGEST_HEX_LEN) ||
		    bsearch(&name, live.v, live.n, sizeof(*live.v), cmp_str))
			continue;
		if (unlinkat(dirfd(d), name, 0) == 0)
			count++;
	}
	closedir(d);
	if (freed)
		*freed = count;
	for (size_t i = 0; i < live.n; i++)
		free(live.v[i]);
	free(live.v);
	free(dir);
	return 0;
out_free_set:
	for (size_t i = 0; i < live.n; i++)
		free(live.v[i]);
	free(live.v);
out_free_dir:
	free(dir);
	return -1;
}

char *store_display_digest(struct store *s, const char *digest)
{
	struct err e = ERR_INIT;
	struct store_tag *tags;
	char *shown = NULL;
	size_t n;

	if (store_tags_load(s, &tags, &n, &e) == 0) {
		for (size_t i = 0; i < n && !shown; i++)
			if (!strcmp(tags[i].digest, digest) && tags[i].source_digest)
				shown = xstrdup(tags[i].source_digest);
		store_tags_free(tags, n);
	}
	return shown ? shown : xstrdup(digest);
}
