/* SPDX-License-Identifier: MIT */
/*
 * Pulling: resolve the reference, fetch and verify the manifest (picking
 * a platform from an index), fetch config and layers into the store
 * (layers in parallel, resumable), then tag.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "digest.h"
#include "log.h"
#include "pull.h"
#include "ref.h"
#include "regconf.h"
#include "registry.h"
#include "util.h"

#define PULL_PARALLEL 3

struct puller {
	struct store *s;
	const struct pull_opts *o;
	struct registry reg;
	char *refstr;
	pthread_mutex_t out_lock;
};

static void status(struct puller *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One status line on stderr in a single write. */
static void status(struct puller *p, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (p->o->quiet)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	pthread_mutex_lock(&p->out_lock);
	if (write(STDERR_FILENO, buf, (size_t)n) < 0)
		n = 0;
	pthread_mutex_unlock(&p->out_lock);
}

/* The media type of a manifest: the header unless missing or generic,
 * else the body's mediaType. Malloc'd, or NULL for schema 1. */
static char *manifest_type(const struct http_resp *resp, const cJSON *m)
{
	const cJSON *mt = cJSON_GetObjectItemCaseSensitive(m, "mediaType");
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(m, "schemaVersion");
	const char *h = resp->content_type;
	size_t n = h ? strcspn(h, "; ") : 0;

	if (h && n && strncmp(h, "application/json", n) &&
	    strncmp(h, "text/plain", n) &&
	    strncmp(h, "application/octet-stream", n))
		return xstrndup(h, n);
	if (cJSON_IsString(mt))
		return xstrdup(mt->valuestring);
	if (cJSON_IsNumber(sv) && sv->valueint == 1)
		return xstrdup(MT_DOCKER_V1);
	if (cJSON_GetObjectItemCaseSensitive(m, "manifests"))
		return xstrdup(MT_OCI_INDEX);
	return xstrdup(MT_OCI_MANIFEST);
}

static bool is_index(const char *mt)
{
	return !strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST);
}

static bool is_image(const char *mt)
{
	return !strcmp(mt, MT_OCI_MANIFEST) || !strcmp(mt, MT_DOCKER_MANIFEST);
}

struct platform {
	char os[72], arch[72], variant[72];
};

/* The host's platform, with podman's arm variant defaults. */
static void host_platform(struct platform *pf)
{
	static const struct {
		const char *m, *arch, *variant;
	} map[] = {
		{ "x86_64", "amd64", "" }, { "aarch64", "arm64", "" },
		{ "armv7l", "arm", "v7" }, { "armv6l", "arm", "v6" },
		{ "i686", "386", "" }, { "i386", "386", "" },
		{ "ppc64le", "ppc64le", "" }, { "s390x", "s390x", "" },
		{ "riscv64", "riscv64", "" },
	};
	struct utsname u;

	snprintf(pf->os, sizeof(pf->os), "linux");
	snprintf(pf->arch, sizeof(pf->arch), "amd64");
	pf->variant[0] = '\0';
	if (uname(&u) < 0)
		return;
	snprintf(pf->arch, sizeof(pf->arch), "%s", u.machine);
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(u.machine, map[i].m)) {
			snprintf(pf->arch, sizeof(pf->arch), "%s", map[i].arch);
			snprintf(pf->variant, sizeof(pf->variant), "%s",
				 map[i].variant);
		}
}

static int want_platform(const struct pull_opts *o, struct platform *pf,
			 struct err *err)
{
	host_platform(pf);
	if (o->platform) {
		char *t = xstrdup(o->platform), *a = strchr(t, '/'), *v;

		if (!a || a == t || !a[1]) {
			free(t);
			return err_setc(err, EINVAL,
				       "invalid platform '%s': want os/arch[/variant]",
				       o->platform);
		}
		*a++ = '\0';
		v = strchr(a, '/');
		if (v)
			*v++ = '\0';
		snprintf(pf->os, sizeof(pf->os), "%s", t);
		snprintf(pf->arch, sizeof(pf->arch), "%s", a);
		snprintf(pf->variant, sizeof(pf->variant), "%s", v ? v : "");
		free(t);
	}
	if (o->os)
		snprintf(pf->os, sizeof(pf->os), "%s", o->os);
	if (o->arch) {
		snprintf(pf->arch, sizeof(pf->arch), "%s", o->arch);
		if (!o->variant && !o->platform)
			pf->variant[0] = '\0';
	}
	if (o->variant)
		snprintf(pf->variant, sizeof(pf->variant), "%s", o->variant);
	/* As podman: 32-bit arm means v7 unless a variant is given. */
	if (!strcmp(pf->arch, "arm") && !pf->variant[0])
		snprintf(pf->variant, sizeof(pf->variant), "v7");
	return 0;
}

static const char *jstr(const cJSON *j, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Attestations and unknown/unknown entries are not images to run. */
static bool entry_skipped(const cJSON *e)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "platform");
	const char *t = jstr(cJSON_GetObjectItemCaseSensitive(e, "annotations"),
			     "vnd.docker.reference.type");
	const char *os = jstr(p, "os"), *arch = jstr(p, "architecture");

	return (t && !strcmp(t, "attestation-manifest")) || !os || !arch ||
	       !strcmp(os, "unknown") || !strcmp(arch, "unknown");
}

static bool entry_matches(const cJSON *e, const struct platform *pf)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "platform");
	const char *v = jstr(p, "variant");

	if (strcmp(jstr(p, "os"), pf->os) || strcmp(jstr(p, "architecture"), pf->arch))
		return false;
	if (!pf->variant[0])
		return !v || !strcmp(pf->arch, "arm64") || !*v;
	if (!v || !*v)
		return !strcmp(pf->arch, "arm64") && !strcmp(pf->variant, "v8");
	return !strcmp(v, pf->variant);
}

/* Picks the digest for the wanted platform from an index (malloc'd) and
 * the size its entry gives. */
static char *pick_platform(const cJSON *index, const struct platform *pf,
			   const char *refstr, int64_t *size, struct err *err)
{
	const cJSON *e;
	char avail[512] = "";
	size_t n = 0;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(index, "manifests")) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "platform");
		const char *v = jstr(p, "variant"), *d = jstr(e, "digest");

		if (entry_skipped(e) || !digest_valid(d))
			continue;
		if (entry_matches(e, pf) &&
		    !json_size(cJSON_GetObjectItemCaseSensitive(e, "size"), size)) {
			err_setc(err, EINVAL,
				 "malformed manifest list of '%s': bad entry size", refstr);
			return NULL;
		}
		if (entry_matches(e, pf))
			return xstrdup(d);
		n += (size_t)snprintf(avail + n, n < sizeof(avail) ? sizeof(avail) - n : 0,
				      "%s%s/%s%s%s", n ? ", " : "", jstr(p, "os"),
				      jstr(p, "architecture"), v && *v ? "/" : "",
				      v && *v ? v : "");
		if (n >= sizeof(avail))
			n = sizeof(avail) - 1;
	}
	err_setc(err, ENOENT,
		"no image for platform %s/%s%s%s in the manifest list of '%s' (available: %s)",
		pf->os, pf->arch, pf->variant[0] ? "/" : "", pf->variant, refstr,
		n ? avail : "none");
	return NULL;
}

struct manifest {
	char *body;
	size_t len;
	char *media_type;
	char *digest;		/* of body */
	char *source_digest;	/* as fetched, when body was converted */
	cJSON *json;
};

static void manifest_release(struct manifest *m)
{
	free(m->body);
	free(m->media_type);
	free(m->digest);
	free(m->source_digest);
	cJSON_Delete(m->json);
	memset(m, 0, sizeof(*m));
}

/* Fetches a manifest by tag or digest; a digest is verified. */
static int fetch_manifest(struct puller *p, const char *reference,
			  struct manifest *m, struct err *err)
{
	struct http_resp resp;

	memset(m, 0, sizeof(*m));
	if (registry_get(&p->reg, "manifests", reference, STORE_JSON_MAX,
			 &resp, err) < 0)
		return -1;
	m->body = resp.body;
	m->len = resp.len;
	resp.body = NULL;
	m->digest = digest_of(m->body, m->len);
	m->json = cJSON_Parse(m->body);
	if (!cJSON_IsObject(m->json)) {
		http_resp_release(&resp);
		manifest_release(m);
		return err_setc(err, EBADMSG, "malformed manifest '%s' of '%s': not a JSON object",
			       reference, p->refstr);
	}
	m->media_type = manifest_type(&resp, m->json);
	http_resp_release(&resp);
	if (digest_valid(reference) && strcmp(reference, m->digest)) {
		err_setc(err, EILSEQ, "manifest digest mismatch: expected '%s', got '%s'",
			reference, m->digest);
		manifest_release(m);
		return -1;
	}
	if (!strncmp(m->media_type, MT_DOCKER_V1, strlen(MT_DOCKER_V1))) {
		manifest_release(m);
		return err_setc(err, ENOTSUP,
			       "'%s' has an unsupported manifest (deprecated schema 1)",
			       p->refstr);
	}
	return 0;
}

/* Resolves an index to the image manifest of the wanted platform. */
static int resolve_manifest(struct puller *p, const struct ref *r,
			    struct manifest *m, struct err *err)
{
	struct platform pf;
	int64_t size = 0;
	char *d;

	if (want_platform(p->o, &pf, err) < 0 ||
	    fetch_manifest(p, r->digest ? r->digest : r->tag, m, err) < 0)
		return -1;
	if (is_index(m->media_type)) {
		d = pick_platform(m->json, &pf, p->refstr, &size, err);
		manifest_release(m);
		if (!d)
			return -1;
		if (fetch_manifest(p, d, m, err) < 0) {
			free(d);
			return -1;
		}
		free(d);
		if ((int64_t)m->len != size) {
			err_setc(err, EINVAL,
				 "malformed manifest list: entry size %lld, manifest size %zu",
				 (long long)size, m->len);
			manifest_release(m);
			return -1;
		}
	}
	if (!is_image(m->media_type)) {
		err_setc(err, ENOTSUP, "'%s' has an unsupported manifest type '%s'",
			p->refstr, m->media_type);
		manifest_release(m);
		return -1;
	}
	return 0;
}

#define MT_OCI_NONDIST "application/vnd.oci.image.layer.nondistributable"

static const char *oci_layer_type(const char *mt)
{
	static const struct {
		const char *docker, *oci;
	} map[] = {
		{ "application/vnd.docker.image.rootfs.diff.tar.gzip",
		  "application/vnd.oci.image.layer.v1.tar+gzip" },
		{ "application/vnd.docker.image.rootfs.diff.tar.zstd",
		  "application/vnd.oci.image.layer.v1.tar+zstd" },
		{ "application/vnd.docker.image.rootfs.diff.tar",
		  "application/vnd.oci.image.layer.v1.tar" },
		{ "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
		  MT_OCI_NONDIST ".v1.tar+gzip" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(mt, map[i].docker))
			return map[i].oci;
	return mt;
}

/* Sets o[key] to the string v, replacing or adding it. */
static void json_set_str(cJSON *o, const char *key, const char *v)
{
	if (!cJSON_IsObject(o))
		return;
	if (cJSON_GetObjectItemCaseSensitive(o, key))
		cJSON_ReplaceItemInObjectCaseSensitive(o, key, cJSON_CreateString(v));
	else
		cJSON_AddStringToObject(o, key, v);
}

/*
 * The manifest as stored: OCI media types, so that OCI tools read the
 * store. The config and layer blobs (and so the image ID) are unchanged.
 */
static void to_oci(struct manifest *m)
{
	cJSON *l, *cfg;

	if (strcmp(m->media_type, MT_DOCKER_MANIFEST))
		return;
	json_set_str(m->json, "mediaType", MT_OCI_MANIFEST);
	cfg = cJSON_GetObjectItemCaseSensitive(m->json, "config");
	json_set_str(cfg, "mediaType", "application/vnd.oci.image.config.v1+json");
	cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(m->json, "layers")) {
		const char *mt = jstr(l, "mediaType");

		if (mt)
			json_set_str(l, "mediaType", oci_layer_type(mt));
	}
	free(m->body);
	m->body = cJSON_PrintUnformatted(m->json);
	m->len = strlen(m->body);
	free(m->media_type);
	m->media_type = xstrdup(MT_OCI_MANIFEST);
	m->source_digest = m->digest;
	m->digest = digest_of(m->body, m->len);
}

struct blob_job {
	const char *digest;
	int64_t size;
	const cJSON *urls;	/* foreign layers' URLs, or NULL */
	char *partial;		/* <tmp>/blob-<hex>.partial, being fetched */
	char *ok;		/* <tmp>/blob-<hex>.ok, fetched and verified */
	bool verified;		/* ok exists, to be moved into the store */
	int64_t done;		/* bytes so far (atomic) */
	int state;		/* JOB_WAITING, JOB_ACTIVE, JOB_DONE (atomic) */
	int64_t started_ms;
};

enum { JOB_WAITING, JOB_ACTIVE, JOB_DONE };

struct workers {
	struct puller *p;
	struct blob_job *jobs;
	size_t njobs, next;
	pthread_mutex_t lock;
	struct err err;
	bool failed;
	bool bars;		/* progress bars on a terminal */
	int stop_bars;		/* atomic */
	int drawn;		/* lines drawn so far */
};

/* Hashes what a partial file already holds; returns its size. */
static int64_t rehash_partial(int fd, struct sha256 *sha)
{
	char buf[1 << 16];
	int64_t total = 0;
	ssize_t n;

	sha256_init(sha);
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	while ((n = read_full(fd, buf, sizeof(buf))) > 0) {
		sha256_update(sha, buf, (size_t)n);
		total += n;
	}
	return n < 0 ? -1 : total;
}

static void job_progress(void *arg, int64_t done)
{
	struct blob_job *j = arg;

	__atomic_store_n(&j->done, done, __ATOMIC_RELAXED);
}

/* From the registry, with one new token on a 401 (a token can expire
 * during a long pull), then from the layer's urls when it has none. */
static int download(struct puller *p, struct blob_job *j, struct http_dl *d,
		    struct err *err)
{
	const char *hdrs[2] = { NULL, NULL };
	char *url = registry_blob_url(&p->reg, j->digest);
	int ret = -1;

	d->url = url;
	d->headers = hdrs;
	for (int attempt = 0; attempt < 2 && ret < 0; attempt++) {
		hdrs[0] = registry_auth_copy(&p->reg);
		ret = http_download(&p->reg.http, d, err);
		if (ret < 0 && d->status == 401 && !attempt &&
		    registry_reauth(&p->reg, hdrs[0], err) < 0)
			attempt = 2;
		free((char *)hdrs[0]);
		if (d->status != 401)
			break;
	}
	free(url);
	if (ret < 0 && j->urls && d->status == 404) {
		const cJSON *u;

		cJSON_ArrayForEach(u, j->urls) {
			if (!cJSON_IsString(u) || (!str_has_prefix(u->valuestring, "https://") &&
						   !str_has_prefix(u->valuestring, "http://")))
				continue;
			d->url = u->valuestring;
			d->headers = NULL;
			ret = http_download(&p->reg.http, d, err);
			if (ret == 0)
				break;
		}
	}
	return ret;
}

static int fetch_to_fd(struct puller *p, struct blob_job *j, int fd,
		       struct sha256 *sha, struct err *err)
{
	struct http_dl d = { 0 };

	d.fd = fd;
	d.expected = j->size;
	d.sha = sha;
	d.progress = job_progress;
	d.arg = j;
	d.offset = rehash_partial(fd, sha);
	if (d.offset < 0 || d.offset > j->size) {
		if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
			return err_set(err, errno, "cannot reset a partial download");
		sha256_init(sha);
		d.offset = 0;
	}
	if (d.offset > 0)
		log_debug("resuming blob %s at byte %lld", j->digest,
			  (long long)d.offset);
	return d.offset == j->size ? 0 : download(p, j, &d, err);
}

/* Checks the size and digest of a downloaded partial file. */
static int verify_blob(struct blob_job *j, int fd, struct sha256 *sha,
		       struct err *err)
{
	char got[DIGEST_STR_LEN + 1];
	struct stat st;

	sha256_final_str(sha, got);
	if (fstat(fd, &st) < 0 || st.st_size != j->size)
		return err_setc(err, EBADMSG,
				"blob '%s' is truncated: expected %lld bytes, got %lld",
				j->digest, (long long)j->size, (long long)st.st_size);
	if (strcmp(got, j->digest))
		return err_setc(err, EILSEQ, "digest mismatch: expected '%s', got '%s'",
				j->digest, got);
	if (fsync(fd) < 0)
		return err_set(err, errno, "cannot write blob '%s'", j->digest);
	return 0;
}

/* Opens and locks path, retrying when the file was renamed or removed
 * while this process waited for the lock. */
static int open_locked(const char *path, struct err *err)
{
	struct stat a, b;

	for (;;) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

		if (fd < 0)
			return err_set(err, errno, "cannot create '%s'", path);
		while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
			;
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
}

/* true when path is a regular file of size bytes hashing to digest. */
static bool file_is_blob(const char *path, const char *digest, int64_t size)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char got[DIGEST_STR_LEN + 1];
	struct sha256 sha;
	struct stat st;
	bool ok;

	if (fd < 0)
		return false;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == size &&
	     rehash_partial(fd, &sha) == size;
	if (ok) {
		sha256_final_str(&sha, got);
		ok = !strcmp(got, digest);
	}
	close(fd);
	return ok;
}

/* true when the .ok file is there and verifies; a bad one is removed. */
static bool ok_file_valid(const struct blob_job *j)
{
	if (access(j->ok, F_OK) < 0)
		return false;
	if (file_is_blob(j->ok, j->digest, j->size))
		return true;
	log_debug("removing unverifiable '%s'", j->ok);
	unlink(j->ok);
	return false;
}

/*
 * Downloads one blob into a partial file under the temp area, resuming
 * what an earlier run left, and renames it to its .ok name once verified;
 * finish_layers moves it into the store. Concurrent pulls of one blob take
 * turns on the partial file's lock, and use each other's .ok files.
 */
static int fetch_blob(struct puller *p, struct blob_job *j, struct err *err)
{
	struct sha256 sha;
	int fd, ret;

	j->partial = xasprintf("%s/blob-%s.partial", p->s->tmp, j->digest + 7);
	j->ok = xasprintf("%s/blob-%s.ok", p->s->tmp, j->digest + 7);
	if (ok_file_valid(j)) {
		j->verified = true;
		return 0;
	}
	fd = open_locked(j->partial, err);
	if (fd < 0)
		return -1;
	if (store_blob_size(p->s, j->digest) == j->size || ok_file_valid(j)) {
		/* Fetched meanwhile by a concurrent pull. */
		j->verified = access(j->ok, F_OK) == 0;
		unlink(j->partial);
		close(fd);
		return 0;
	}
	ret = fetch_to_fd(p, j, fd, &sha, err);
	if (ret == 0)
		ret = verify_blob(j, fd, &sha, err);
	if (ret == 0 && rename(j->partial, j->ok) < 0)
		ret = err_set(err, errno, "cannot rename '%s'", j->partial);
	/* Bad data goes, and an empty file; an interrupted transfer stays to
	 * be resumed. */
	if (ret < 0 && (err->errnum == EILSEQ || err->errnum == EBADMSG ||
			err->errnum == EFBIG || err->errnum == ENOSPC ||
			lseek(fd, 0, SEEK_END) == 0))
		unlink(j->partial);
	j->verified = ret == 0;
	close(fd);
	return ret;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One progress line: "Copying blob <id> 42% [=====>    ] 1.2 MB / 3 MB (2 MB/s)". */
static void bar_line(const struct blob_job *j, char *buf, size_t len)
{
	int64_t done = __atomic_load_n(&j->done, __ATOMIC_RELAXED);
	int st = __atomic_load_n(&j->state, __ATOMIC_ACQUIRE);
	int64_t ms = st == JOB_WAITING ? 0 : now_ms() - j->started_ms;
	int pct = j->size ? (int)(done * 100 / j->size) : 100;
	char bar[31], a[32], b[32], rate[32];
	int fill = pct * 30 / 100;

	memset(bar, ' ', 30);
	memset(bar, '=', (size_t)fill);
	if (fill < 30 && st == JOB_ACTIVE)
		bar[fill] = '>';
	bar[30] = '\0';
	size_human((uint64_t)done, a, sizeof(a));
	size_human((uint64_t)j->size, b, sizeof(b));
	size_human(ms > 0 ? (uint64_t)(done * 1000 / ms) : 0, rate, sizeof(rate));
	snprintf(buf, len, "\r\033[KCopying blob %.12s %3d%% [%s] %s / %s (%s/s)%s\n",
		 j->digest + 7, pct, bar, a, b, rate,
		 st == JOB_DONE ? " done" : "");
}

/* Redraws one line per blob in place. */
static void draw_bars(struct workers *w)
{
	char line[256], *out = xmalloc(w->njobs * sizeof(line) + 32);
	size_t n = 0;

	if (w->drawn)
		n += (size_t)sprintf(out, "\033[%dA", w->drawn);
	for (size_t i = 0; i < w->njobs; i++) {
		bar_line(&w->jobs[i], line, sizeof(line));
		memcpy(out + n, line, strlen(line));
		n += strlen(line);
	}
	w->drawn = (int)w->njobs;
	pthread_mutex_lock(&w->p->out_lock);
	if (write_all(STDERR_FILENO, out, n) < 0)
		w->drawn = 0;
	pthread_mutex_unlock(&w->p->out_lock);
	free(out);
}

static void *bars_thread(void *arg)
{
	struct workers *w = arg;
	struct timespec ts = { 0, 200 * 1000000L };

	while (!__atomic_load_n(&w->stop_bars, __ATOMIC_ACQUIRE)) {
		draw_bars(w);
		nanosleep(&ts, NULL);
	}
	draw_bars(w);
	return NULL;
}

static void *worker(void *arg)
{
	struct workers *w = arg;

	for (;;) {
		struct err e = ERR_INIT;
		struct blob_job *j;

		pthread_mutex_lock(&w->lock);
		if (w->failed || w->next == w->njobs) {
			pthread_mutex_unlock(&w->lock);
			return NULL;
		}
		j = &w->jobs[w->next++];
		pthread_mutex_unlock(&w->lock);
		j->started_ms = now_ms();
		__atomic_store_n(&j->state, JOB_ACTIVE, __ATOMIC_RELEASE);
		if (fetch_blob(w->p, j, &e) < 0) {
			pthread_mutex_lock(&w->lock);
			if (!w->failed)
				w->err = e;
			w->failed = true;
			pthread_mutex_unlock(&w->lock);
			return NULL;
		}
		__atomic_store_n(&j->done, j->size, __ATOMIC_RELAXED);
		__atomic_store_n(&j->state, JOB_DONE, __ATOMIC_RELEASE);
		if (!w->bars)
			status(w->p, "Copying blob %.12s done", j->digest + 7);
	}
}

/* Moves the verified blobs into the store, or (failed) leaves them for
 * the next run, unless the disk is full. */
static int finish_layers(struct puller *p, struct workers *w, bool failed,
			 struct err *err)
{
	char *dir = path_join(p->s->images, "blobs/sha256");
	int dfd, ret = 0;

	for (size_t i = 0; i < w->njobs; i++) {
		struct blob_job *j = &w->jobs[i];
		char *path = store_blob_path(p->s, j->digest);

		if (j->verified && !failed && !ret && rename(j->ok, path) < 0 &&
		    !(errno == ENOENT && store_has_blob(p->s, j->digest)))
			ret = err_set(err, errno, "cannot store blob '%s'", j->digest);
		else if (j->verified && failed && err->errnum == ENOSPC)
			unlink(j->ok);
		free(j->partial);
		free(j->ok);
		free(path);
	}
	free(w->jobs);
	w->jobs = NULL;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
	return ret;
}

/* Only non-distributable layers may come from their "urls". */
static const cJSON *layer_urls(const cJSON *l)
{
	const char *mt = jstr(l, "mediaType");

	if (!mt || !str_has_prefix(oci_layer_type(mt), MT_OCI_NONDIST "."))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(l, "urls");
}

/*
 * The size of the stored blob of digest when it agrees with size; -1 when
 * it is absent or corrupt (to be fetched again, replacing it); -2 when
 * the blob verifies but size contradicts it.
 */
static int64_t stored_size(struct puller *p, const char *digest, int64_t size)
{
	int64_t have = store_blob_size(p->s, digest);
	char *path;
	bool good;

	if (have < 0 || have == size)
		return have;
	path = store_blob_path(p->s, digest);
	good = file_is_blob(path, digest, have);
	free(path);
	if (good)
		return -2;
	log_warn("blob %s in the store is corrupt; fetching it again", digest);
	return -1;
}

/* One job per layer missing from the store (or corrupt there); a size
 * that disagrees with the verified stored blob or with another descriptor
 * of the same blob is an error. */
static int plan_layers(struct puller *p, const cJSON *layers,
		       struct workers *w, struct err *err)
{
	const cJSON *l;

	w->jobs = xcalloc(cJSON_GetArraySize(layers) + 1, sizeof(*w->jobs));
	cJSON_ArrayForEach(l, layers) {
		const char *d = jstr(l, "digest");
		int64_t size, have = -1;

		if (!digest_valid(d) ||
		    !json_size(cJSON_GetObjectItemCaseSensitive(l, "size"), &size))
			return err_setc(err, EINVAL,
					"malformed manifest: bad layer descriptor");
		for (size_t i = 0; i < w->njobs && have < 0; i++)
			if (!strcmp(w->jobs[i].digest, d))
				have = w->jobs[i].size;
		if (have < 0)
			have = stored_size(p, d, size);
		if (have == -2)
			have = store_blob_size(p->s, d);
		if (have >= 0 && have != size)
			return err_setc(err, EINVAL,
					"malformed manifest: layer '%s': size %lld, blob %lld",
					d, (long long)size, (long long)have);
		if (have >= 0) {
			status(p, "Copying blob %.12s skipped: already exists", d + 7);
			continue;
		}
		w->jobs[w->njobs].digest = d;
		w->jobs[w->njobs].size = size;
		w->jobs[w->njobs].urls = layer_urls(l);
		w->njobs++;
	}
	return 0;
}

/*
 * Fetches the missing layers, PULL_PARALLEL at a time, into verified
 * partial files that finish_layers then moves into the store (or not).
 */
static int fetch_layers(struct puller *p, const cJSON *layers,
			struct workers *wp, struct err *err)
{
	struct workers w = { .p = p };
	pthread_t th[PULL_PARALLEL], bars;
	size_t nth = 0;

	if (plan_layers(p, layers, &w, err) < 0) {
		w.njobs = 0;
		*wp = w;
		return -1;
	}
	pthread_mutex_init(&w.lock, NULL);
	w.bars = w.njobs && !p->o->quiet && isatty(STDERR_FILENO) &&
		 pthread_create(&bars, NULL, bars_thread, &w) == 0;
	while (nth < PULL_PARALLEL && nth < w.njobs &&
	       pthread_create(&th[nth], NULL, worker, &w) == 0)
		nth++;
	if (w.njobs && !nth)
		worker(&w);
	for (size_t i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	if (w.bars) {
		__atomic_store_n(&w.stop_bars, 1, __ATOMIC_RELEASE);
		pthread_join(bars, NULL);
	}
	pthread_mutex_destroy(&w.lock);
	*wp = w;
	if (w.failed) {
		*err = w.err;
		return -1;
	}
	return 0;
}

/* Fetches and verifies the config blob into memory (*body NULL when the
 * store has it already). */
static int fetch_config(struct puller *p, const char *digest, int64_t size,
			struct http_resp *resp, struct err *err)
{
	int64_t have = stored_size(p, digest, size);
	char *got;

	if (have == -2)
		have = store_blob_size(p->s, digest);
	memset(resp, 0, sizeof(*resp));
	if (have < 0 && size > STORE_JSON_MAX)
		return err_setc(err, EFBIG, "config '%s' is larger than %d bytes",
				digest, STORE_JSON_MAX);
	if (have < 0 && registry_get(&p->reg, "blobs", digest, STORE_JSON_MAX,
				     resp, err) < 0)
		return -1;
	if (have < 0)
		have = (int64_t)resp->len;
	if (have != size) {
		http_resp_release(resp);
		return err_setc(err, EINVAL,
				"malformed manifest: config '%s': size %lld, blob %lld",
				digest, (long long)size, (long long)have);
	}
	if (!resp->body)
		return 0;
	got = digest_of(resp->body, resp->len);
	if (strcmp(got, digest)) {
		err_setc(err, EILSEQ, "digest mismatch: expected '%s', got '%s'",
			 digest, got);
		free(got);
		http_resp_release(resp);
		return -1;
	}
	free(got);
	return 0;
}

/* Layers compressed with gzip or zstd, or not at all (OCI names). */
static bool layer_type_supported(const char *mt)
{
	static const char *const ok[] = {
		"application/vnd.oci.image.layer.v1.tar",
		"application/vnd.oci.image.layer.v1.tar+gzip",
		"application/vnd.oci.image.layer.v1.tar+zstd",
		MT_OCI_NONDIST ".v1.tar",
		MT_OCI_NONDIST ".v1.tar+gzip",
		MT_OCI_NONDIST ".v1.tar+zstd",
	};

	mt = oci_layer_type(mt);
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (!strcmp(mt, ok[i]))
			return true;
	return false;
}

/* Checks what the manifest lists before anything is fetched; sets
 * *config_size. */
static int check_manifest(struct puller *p, struct manifest *m,
			  int64_t *config_size, struct err *err)
{
	struct image img = { 0 };
	int ret = image_parse_manifest(&img, m->body, err);

	for (size_t i = 0; i < img.nlayers && ret == 0; i++)
		if (!layer_type_supported(img.layers[i].media_type))
			ret = err_setc(err, ENOTSUP,
				       "unsupported layer media type '%s'",
				       img.layers[i].media_type);
	*config_size = img.config_size;
	image_release(&img);
	if (ret < 0)
		err_wrap(err, "manifest '%s' of '%s'", m->digest, p->refstr);
	return ret;
}

static int open_registry(struct puller *p, const struct ref *r, bool insecure,
			 struct err *err)
{
	struct registry_opts ro = { 0 };
	const char *home = getenv("HOME");
	char *dirs[4] = { 0 }, *user = NULL, *pass = NULL;
	size_t nd = 0;
	int ret = -1;

	ro.tls_verify = p->o->tls_verify == 1 ||
			(p->o->tls_verify < 0 && !insecure);
	dirs[nd++] = xasprintf("/etc/containers/certs.d/%s", r->domain);
	if (home)
		dirs[nd++] = xasprintf("%s/.config/containers/certs.d/%s", home,
				       r->domain);
	if (p->o->cert_dir)
		dirs[nd++] = xstrdup(p->o->cert_dir);
	ro.cert_dirs = (const char *const *)dirs;
	if (p->o->creds) {
		if (auth_split_creds(p->o->creds, &user, &pass) < 0) {
			err_setc(err, EINVAL, "invalid --creds: want USER:PASSWORD");
			goto out_free;
		}
	} else if (auth_lookup(p->o->authfile, r->domain, &user, &pass, err) < 0) {
		goto out_free;
	}
	ro.user = user;
	ro.pass = pass;
	ret = registry_open(&p->reg, r->domain, r->path, &ro, err);
out_free:
	for (size_t i = 0; i < nd; i++)
		free(dirs[i]);
	free(user);
	free(pass);
	return ret;
}

/*
 * Pulls the image named r from src (r itself, or a mirror or location of
 * registries.conf) and tags it as r.
 */
static int pull_one(struct puller *p, const struct ref *r, const struct ref *src,
		    bool insecure, struct image *out, struct err *err)
{
	struct manifest m = { 0 };
	struct http_resp cfg_resp;
	struct workers w;
	const char *cfg;
	int64_t cfg_size;
	bool failed;
	int ret = -1;

	p->refstr = ref_string(r);
	status(p, "Trying to pull %s...", p->refstr);
	if (src != r) {
		char *s = ref_string(src);

		log_debug("pulling '%s' from '%s'", p->refstr, s);
		free(s);
	}
	if (open_registry(p, src, insecure, err) < 0)
		goto out_free;
	if (resolve_manifest(p, src, &m, err) < 0)
		goto out_registry;
	to_oci(&m);
	if (check_manifest(p, &m, &cfg_size, err) < 0)
		goto out_manifest;
	status(p, "Getting image source signatures");
	cfg = jstr(cJSON_GetObjectItemCaseSensitive(m.json, "config"), "digest");
	memset(&cfg_resp, 0, sizeof(cfg_resp));
	failed = fetch_layers(p, cJSON_GetObjectItemCaseSensitive(m.json, "layers"),
			      &w, err) < 0 ||
		 fetch_config(p, cfg, cfg_size, &cfg_resp, err) < 0;
	/* Layers become visible only once everything is verified. */
	if (finish_layers(p, &w, failed, err) < 0 || failed)
		goto out_config;
	status(p, "Copying config %.10s done", cfg + 7);
	status(p, "Writing manifest to image destination");
	if ((cfg_resp.body &&
	     store_put_blob(p->s, cfg, cfg_resp.body, cfg_resp.len, err) < 0) ||
	    store_put_blob(p->s, m.digest, m.body, m.len, err) < 0 ||
	    store_tag_set(p->s, p->refstr, m.digest, m.media_type,
			  (int64_t)m.len, m.source_digest, err) < 0)
		goto out_config;
	ret = 0;
	if (out)
		ret = store_image_load(p->s, m.digest, p->refstr, out, err);
out_config:
	http_resp_release(&cfg_resp);
out_manifest:
	manifest_release(&m);
out_registry:
	registry_release(&p->reg);
out_free:
	if (ret < 0)
		err_wrap(err, "pulling '%s'", p->refstr);
	free(p->refstr);
	p->refstr = NULL;
	return ret;
}

/* r with the registry's prefix replaced by location; 0 on success. */
static int rewrite(const struct ref *r, const struct regconf_registry *reg,
		   const char *location, struct ref *out)
{
	char *name = ref_repo(r), *full;
	const char *pf = reg->prefix ? reg->prefix : reg->location;
	struct err e = ERR_INIT;
	int ret;

	full = xasprintf("%s%s%s%s", location, name + strlen(pf),
			 r->digest ? "@" : ":", r->digest ? r->digest : r->tag);
	ret = ref_parse(full, out, &e);
	if (ret == 0 && !out->qualified) {
		ref_release(out);
		ret = -1;
	}
	if (ret < 0)
		log_warn("ignoring location '%s' for '%s': %s", location, name, e.msg);
	free(full);
	free(name);
	return ret;
}

/* Tries the mirrors of reg in order, then its location. */
static int pull_sources(struct puller *p, const struct ref *r,
			const struct regconf_registry *reg, struct image *out,
			struct err *err)
{
	struct ref src;
	int ret;

	if (!reg)
		return pull_one(p, r, r, false, out, err);
	for (size_t i = 0; i < reg->nmirrors; i++) {
		if (!reg->mirrors[i].location ||
		    rewrite(r, reg, reg->mirrors[i].location, &src) < 0)
			continue;
		ret = pull_one(p, r, &src, reg->mirrors[i].insecure, out, err);
		ref_release(&src);
		if (ret == 0)
			return 0;
		log_warn("%s", err->msg);
	}
	if (!reg->location || !*reg->location || !reg->prefix ||
	    reg->prefix[0] == '*' ||
	    rewrite(r, reg, reg->location, &src) < 0)
		return pull_one(p, r, r, reg->insecure, out, err);
	ret = pull_one(p, r, &src, reg->insecure, out, err);
	ref_release(&src);
	return ret;
}

/* The fully qualified candidates for r: itself, an alias, or one per
 * search registry. */
static size_t candidates(const struct regconf *rc, const struct ref *r,
			 struct ref *out, size_t max, struct puller *p)
{
	static const char *const def_search[] = { REF_DEFAULT_DOMAIN };
	const char *const *search = def_search;
	const char *alias;
	size_t n = 0, ns = 1;
	struct err e = ERR_INIT;

	if (r->qualified) {
		ref_qualify(r, r->domain, &out[0]);
		return 1;
	}
	alias = regconf_alias(rc, r->short_path);
	if (alias && ref_parse(alias, &out[0], &e) == 0 && out[0].qualified) {
		status(p, "Resolved \"%s\" as an alias", r->short_path);
		if (!out[0].digest && r->digest) {
			free(out[0].tag);
			out[0].tag = NULL;
			out[0].digest = xstrdup(r->digest);
		} else if (!out[0].digest) {
			free(out[0].tag);
			out[0].tag = xstrdup(r->tag);
		}
		return 1;
	}
	if (rc->nsearch) {
		search = (const char *const *)rc->search;
		ns = rc->nsearch;
	}
	for (size_t i = 0; i < ns && n < max; i++)
		ref_qualify(r, search[i], &out[n++]);
	return n;
}

/* Tries the candidates in order; the first that pulls wins. */
static int pull_candidates(struct puller *p, const struct regconf *rc,
			   struct ref *cands, size_t nc, struct image *out,
			   struct err *err)
{
	int ret = -1;

	for (size_t i = 0; i < nc && ret < 0; i++) {
		char *name = ref_repo(&cands[i]);
		const struct regconf_registry *reg = regconf_find(rc, name);

		free(name);
		if (reg && reg->blocked) {
			err_setc(err, EACCES, "registry '%s' is blocked in registries.conf",
				cands[i].domain);
			continue;
		}
		ret = pull_sources(p, &cands[i], reg, out, err);
		if (ret < 0 && i + 1 < nc)
			log_debug("%s", err->msg);
	}
	return ret;
}

/* What a server sent may be in the message: no terminal controls. */
static void scrub(struct err *err)
{
	for (char *c = err->msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}

int pull_image(struct store *s, const char *refstr, const struct pull_opts *o,
	       struct image *out, struct err *err)
{
	struct puller p = { .s = s, .o = o };
	struct ref r, cands[16];
	struct regconf rc;
	size_t nc;
	int gc_fd, ret = -1;

	if (ref_parse(refstr, &r, err) < 0)
		return -1;
	if (regconf_load(&rc, err) < 0)
		goto out_ref;
	gc_fd = store_gc_lock(s, LOCK_SH, err);
	if (gc_fd < 0)
		goto out_conf;
	pthread_mutex_init(&p.out_lock, NULL);
	nc = candidates(&rc, &r, cands, ARRAY_SIZE(cands), &p);
	ret = pull_candidates(&p, &rc, cands, nc, out, err);
	for (size_t i = 0; i < nc; i++)
		ref_release(&cands[i]);
	pthread_mutex_destroy(&p.out_lock);
	close(gc_fd);
out_conf:
	regconf_release(&rc);
out_ref:
	ref_release(&r);
	if (ret < 0)
		scrub(err);
	return ret;
}
