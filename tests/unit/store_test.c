/* SPDX-License-Identifier: MIT */
/* The image store: layout creation, blobs, tags, lookup and collection. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../core/digest.h"
#include "../../core/store.h"
#include "../../core/util.h"
#include "tap.h"

#define D64 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static char *put(struct store *s, const char *text)
{
	struct err e = ERR_INIT;
	char *d = digest_of(text, strlen(text));

	if (store_put_blob(s, d, text, strlen(text), &e) < 0)
		printf("# put: %s\n", e.msg);
	return d;
}

/* An image of one layer; returns the manifest digest. */
static char *make_image(struct store *s, const char *arch, char **id)
{
	char *layer = put(s, arch), *diff = digest_of(arch, strlen(arch));
	char *cfg_text = xasprintf("{\"architecture\":\"%s\",\"os\":\"linux\","
		"\"created\":\"2026-01-01T00:00:00Z\",\"config\":{\"Cmd\":[\"sh\"]},"
		"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}", arch, diff);
	char *cfg = put(s, cfg_text), *man_text, *man;

	man_text = xasprintf("{\"schemaVersion\":2,\"mediaType\":\"%s\","
		"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
		"\"digest\":\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":"
		"\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"%s\",\"size\":%zu}]}",
		MT_OCI_MANIFEST, cfg, strlen(cfg_text), layer, strlen(arch));
	man = put(s, man_text);
	*id = xstrdup(cfg + 7);
	free(layer);
	free(diff);
	free(cfg_text);
	free(cfg);
	free(man_text);
	return man;
}

static void test_find(struct store *s, const char *m1, const char *id1,
		      const char *id2)
{
	struct err e = ERR_INIT;
	struct image img;
	char prefix[8];

	tap_ok(store_image_find(s, "docker.io/library/alpine:latest", &img, &e) == 0,
	       "find by full name");
	tap_is_str(img.id, id1, "  the right image");
	tap_is_int(img.nlayers, 1, "  one layer");
	tap_ok(img.layers[0].diff_id && str_has_prefix(img.layers[0].diff_id, "sha256:"),
	       "  with its diff_id");
	image_release(&img);
	tap_ok(store_image_find(s, "alpine", &img, &e) == 0 && !strcmp(img.id, id1),
	       "find by short name");
	image_release(&img);
	tap_ok(store_image_find(s, "app:v2", &img, &e) == 0 && !strcmp(img.id, id2),
	       "a short name matches another registry's tag");
	image_release(&img);
	snprintf(prefix, sizeof(prefix), "%.6s", id2);
	tap_ok(store_image_find(s, prefix, &img, &e) == 0 && !strcmp(img.id, id2),
	       "find by ID prefix");
	tap_ok(img.ref == NULL, "  found by ID: no reference");
	image_release(&img);
	tap_ok(store_image_find(s, m1, &img, &e) == 0 && !strcmp(img.id, id1),
	       "find by manifest digest");
	image_release(&img);
	tap_ok(store_image_find(s, "nosuch", &img, &e) < 0 && e.errnum == ENOENT,
	       "absent image: ENOENT");
	tap_is_str(e.msg, "'nosuch': image not known", "  with the message");
}

static void test_inspect(struct store *s)
{
	struct err e = ERR_INIT;
	struct image img;
	cJSON *j;

	store_image_find(s, "alpine", &img, &e);
	j = store_image_inspect(s, &img, &e);
	tap_ok(j != NULL, "inspect");
	tap_is_str(cJSON_GetObjectItem(j, "Architecture")->valuestring, "amd64",
		   "  Architecture");
	tap_is_int(cJSON_GetArraySize(cJSON_GetObjectItem(j, "RepoTags")), 2,
		   "  RepoTags lists both tags");
	tap_ok(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "Config"), "Cmd") != NULL,
	       "  Config.Cmd");
	cJSON_Delete(j);
	image_release(&img);
}

/* Descriptor sizes: integers in [0, 2^53) only. */
static void test_json_size(void)
{
	static const struct {
		const char *json;
		bool ok;
		int64_t want;
	} cases[] = {
		{ "0", true, 0 }, { "42", true, 42 },
		{ "9007199254740991", true, 9007199254740991LL },
		{ "9007199254740992", false, 0 }, { "1e30", false, 0 },
		{ "-1", false, 0 }, { "1.5", false, 0 },
		{ "9223372036854775808", false, 0 }, { "\"12\"", false, 0 },
		{ "null", false, 0 }, { "1e3", true, 1000 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cJSON *j = cJSON_Parse(cases[i].json);
		int64_t v = -7;
		bool got = json_size(j, &v);
		char desc[80];

		snprintf(desc, sizeof(desc), "json_size(%s) is %s", cases[i].json,
			 cases[i].ok ? "accepted" : "refused");
		tap_ok(got == cases[i].ok && (!got || v == cases[i].want), desc);
		cJSON_Delete(j);
	}
}

/* A stored blob of the wrong size is corrupt: put replaces it. */
static void test_put_replaces(struct store *s)
{
	struct err e = ERR_INIT;
	char *d = put(s, "payload"), *p = store_blob_path(s, d), *data;

	file_write_atomic(p, "zz", 2, 0644, &e);
	tap_ok(store_put_blob(s, d, "payload", 7, &e) == 0,
	       "store_put_blob over a blob of the wrong size");
	data = store_read_blob(s, d, 100, NULL, &e);
	tap_is_str(data, "payload", "  replaces it with the right bytes");
	free(data);
	unlink(p);
	free(p);
	free(d);
}

int main(void)
{
	char tmpl[] = "/tmp/store_test.XXXXXX", *root, *m1, *m2, *id1, *id2, *p;
	struct err e = ERR_INIT;
	struct store s;
	size_t freed = 0;

	test_json_size();
	root = mkdtemp(tmpl);
	tap_ok(store_open(&s, root, &e) == 0, "store_open creates the layout");
	p = path_join(root, "images/index.json");
	tap_ok(access(p, F_OK) == 0, "  index.json");
	free(p);
	p = store_blob_path(&s, "sha256:../../etc");
	tap_ok(p == NULL, "store_blob_path refuses malformed digests");
	tap_ok(store_put_blob(&s, "sha256:" D64, "x", 1, &e) < 0 &&
	       strstr(e.msg, "digest mismatch"),
	       "store_put_blob verifies the digest");
	test_put_replaces(&s);

	m1 = make_image(&s, "amd64", &id1);
	m2 = make_image(&s, "arm64", &id2);
	tap_ok(store_tag_set(&s, "docker.io/library/alpine:latest", m1,
			     MT_OCI_MANIFEST, 1, NULL, &e) == 0, "tag one");
	store_tag_set(&s, "quay.io/x/alpine:3", m1, MT_OCI_MANIFEST, 1, NULL, &e);
	store_tag_set(&s, "example.com/team/app:v2", m2, MT_OCI_MANIFEST, 1, NULL, &e);
	test_find(&s, m1, id1, id2);
	test_inspect(&s);

	tap_ok(store_tag_set(&s, "docker.io/library/alpine:latest", m2,
			     MT_OCI_MANIFEST, 1, NULL, &e) == 0, "retag moves the name");
	tap_ok(store_gc(&s, &freed, &e) == 0, "gc");
	tap_is_int(freed, 0, "  nothing to free while tags reach every blob");
	store_tag_remove(&s, "quay.io/x/alpine:3", &e);
	store_gc(&s, &freed, &e);
	tap_is_int(freed, 3, "  the untagged image's manifest, config and layer go");
	tap_ok(store_has_blob(&s, m2) && !store_has_blob(&s, m1), "  the tagged one stays");
	tap_ok(store_tag_remove(&s, "quay.io/x/alpine:3", &e) < 0 && e.errnum == ENOENT,
	       "removing an absent tag: ENOENT");
	store_release(&s);
	free(m1);
	free(m2);
	free(id1);
	free(id2);
	p = xasprintf("rm -rf %s", root);
	if (system(p) != 0)
		printf("# cleanup failed\n");
	free(p);
	return tap_done();
}
