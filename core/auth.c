/* SPDX-License-Identifier: MIT */
/* Credentials files: reading for pulls, writing for login/logout. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "util.h"

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = p[i] << 16;

		if (i + 1 < len)
			v |= p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*o++ = b64[v >> 18];
		*o++ = b64[(v >> 12) & 63];
		*o++ = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static int b64_val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

char *base64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), o = 0;
	char *out = xmalloc(n / 4 * 3 + 1);
	unsigned v = 0;
	int bits = 0;

	while (n && s[n - 1] == '=')
		n--;
	for (size_t i = 0; i < n; i++) {
		int c = b64_val(s[i]);

		if (c < 0) {
			free(out);
			return NULL;
		}
		v = (v << 6) | (unsigned)c;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((v >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	if (len)
		*len = o;
	return out;
}

int auth_split_creds(const char *creds, char **user, char **pass)
{
	const char *colon = strchr(creds, ':');

	if (!colon)
		return -1;
	*user = xstrndup(creds, colon - creds);
	*pass = xstrdup(colon + 1);
	return 0;
}

char *auth_file_path(const char *authfile)
{
	const char *e = getenv("REGISTRY_AUTH_FILE");
	const char *home = getenv("HOME");

	if (authfile && *authfile)
		return xstrdup(authfile);
	if (e && *e)
		return xstrdup(e);
	e = getenv("XDG_RUNTIME_DIR");
	if (e && *e)
		return xasprintf("%s/containers/auth.json", e);
	return xasprintf("%s/.config/containers/auth.json", home ? home : "");
}

/* The key of auths matching host: exact, or a URL naming it. */
static const cJSON *auths_find(const cJSON *auths, const char *host)
{
	const cJSON *e;
	size_t hl = strlen(host);

	cJSON_ArrayForEach(e, auths) {
		const char *k = e->string;

		if (str_has_prefix(k, "https://"))
			k += 8;
		else if (str_has_prefix(k, "http://"))
			k += 7;
		if (!strncmp(k, host, hl) && (!k[hl] || k[hl] == '/'))
			return e;
		if (!strcmp(host, "docker.io") &&
		    str_has_prefix(k, "index.docker.io"))
			return e;
	}
	return NULL;
}

/* 1 found, 0 not, -1 malformed. */
static int lookup_file(const char *path, const char *host, char **user,
		       char **pass, struct err *err)
{
	struct err e = ERR_INIT;
	char *data = file_read(path, 1 << 20, NULL, &e), *dec;
	const cJSON *ent, *a;
	cJSON *j;
	int ret = 0;

	if (!data)
		return 0;
	j = cJSON_Parse(data);
	free(data);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return err_setc(err, EINVAL, "malformed credentials file '%s'", path);
	}
	ent = auths_find(cJSON_GetObjectItemCaseSensitive(j, "auths"), host);
	a = cJSON_GetObjectItemCaseSensitive(ent, "auth");
	if (cJSON_IsString(a) && *a->valuestring) {
		dec = base64_decode(a->valuestring, NULL);
		if (!dec || auth_split_creds(dec, user, pass) < 0)
			ret = err_setc(err, EINVAL,
				      "malformed credentials for '%s' in '%s'", host, path);
		else
			ret = 1;
		free(dec);
	}
	cJSON_Delete(j);
	return ret;
}

int auth_lookup(const char *authfile, const char *host, char **user,
		char **pass, struct err *err)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_RUNTIME_DIR");
	const char *env = getenv("REGISTRY_AUTH_FILE");
	char *paths[4] = { 0 };
	int ret = 0;

	if (authfile && *authfile) {
		paths[0] = xstrdup(authfile);
	} else {
		size_t i = 0;

		if (env && *env)
			paths[i++] = xstrdup(env);
		if (xdg && *xdg)
			paths[i++] = xasprintf("%s/containers/auth.json", xdg);
		if (home) {
			paths[i++] = xasprintf("%s/.config/containers/auth.json", home);
			paths[i++] = xasprintf("%s/.docker/config.json", home);
		}
	}
	for (size_t i = 0; i < 4 && paths[i] && ret == 0; i++)
		ret = lookup_file(paths[i], host, user, pass, err);
	for (size_t i = 0; i < 4; i++)
		free(paths[i]);
	return ret;
}

/* Loads path as an object (a missing file is an empty one). */
static cJSON *auth_load(const char *path, struct err *err)
{
	struct err e = ERR_INIT;
	char *data = file_read(path, 1 << 20, NULL, &e);
	cJSON *j;

	if (!data && e.errnum != ENOENT) {
		*err = e;
		return NULL;
	}
	j = data ? cJSON_Parse(data) : cJSON_CreateObject();
	free(data);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		err_setc(err, EINVAL, "malformed credentials file '%s'", path);
		return NULL;
	}
	return j;
}

static int auth_save(const char *path, const cJSON *j, struct err *err)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	char *text = cJSON_Print(j);
	int ret = -1;

	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir, 0700, err) < 0)
			goto out_free;
	}
	ret = file_write_atomic(path, text, strlen(text), 0600, err);
out_free:
	free(text);
	free(dir);
	return ret;
}

/* Applies the change to auths; 0 done, -1 with ENOENT when absent. */
static int auth_change(cJSON *auths, const char *host, const char *user,
		       const char *pass, struct err *err)
{
	const cJSON *old = host ? auths_find(auths, host) : NULL;
	cJSON *e;
	char *up, *b;

	if (!pass && !host) {
		while (auths->child)
			cJSON_DeleteItemFromObjectCaseSensitive(auths, auths->child->string);
		return 0;
	}
	if (!pass && !old)
		return err_setc(err, ENOENT, "not logged into %s", host);
	if (old)
		cJSON_DeleteItemFromObjectCaseSensitive(auths, old->string);
	if (!pass)
		return 0;
	up = xasprintf("%s:%s", user, pass);
	b = base64_encode(up, strlen(up));
	e = cJSON_AddObjectToObject(auths, host);
	cJSON_AddStringToObject(e, "auth", b);
	free(b);
	free(up);
	return 0;
}

int auth_store(const char *authfile, const char *host, const char *user,
	       const char *pass, struct err *err)
{
	char *path = auth_file_path(authfile);
	cJSON *j = auth_load(path, err), *auths;
	int ret = -1;

	if (!j)
		goto out_free;
	auths = cJSON_GetObjectItemCaseSensitive(j, "auths");
	if (!cJSON_IsObject(auths)) {
		cJSON_DeleteItemFromObjectCaseSensitive(j, "auths");
		auths = cJSON_AddObjectToObject(j, "auths");
	}
	if (auth_change(auths, host, user, pass, err) == 0)
		ret = auth_save(path, j, err);
	cJSON_Delete(j);
out_free:
	free(path);
	return ret;
}

char *auth_registry_host(const char *arg)
{
	char *h;

	if (str_has_prefix(arg, "https://"))
		arg += 8;
	else if (str_has_prefix(arg, "http://"))
		arg += 7;
	h = xstrndup(arg, strcspn(arg, "/"));
	if (!*h) {
		free(h);
		return NULL;
	}
	if (!strcmp(h, "index.docker.io") || !strcmp(h, "registry-1.docker.io")) {
		free(h);
		h = xstrdup("docker.io");
	}
	return h;
}
