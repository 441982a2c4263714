/* SPDX-License-Identifier: MIT */
/* Reference parsing and normalisation. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "ref.h"
#include "util.h"

#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static bool path_component_valid(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t sep = 0;

		if (!is_lower_alnum(s[i]))
			return false;
		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == n)
			return true;
		if (s[i] == '.')
			sep = 1;
		else if (s[i] == '_')
			sep = i + 1 < n && s[i + 1] == '_' ? 2 : 1;
		else
			while (i + sep < n && s[i + sep] == '-')
				sep++;
		if (!sep)
			return false;
		i += sep;
		if (i == n)
			return false;
	}
	return n > 0;
}

static bool domain_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n && s[0] == '[') {
		while (i < n && s[i] != ']')
			i++;
		if (i == n || i == 1)
			return false;
		i++;
	} else {
		for (; i < n && s[i] != ':'; i++)
			if (!(is_lower_alnum(s[i]) || s[i] == '.' ||
			      s[i] == '-' || (s[i] >= 'A' && s[i] <= 'Z')))
				return false;
		if (i == 0 || s[0] == '.' || s[0] == '-' || s[i - 1] == '-')
			return false;
	}
	if (i == n)
		return true;
	if (s[i] != ':' || i + 1 == n || n - i > 6)
		return false;
	for (i++; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool tag_valid(const char *t)
{
	size_t n = strlen(t);

	if (!n || n > TAG_MAX_LEN || t[0] == '.' || t[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(is_lower_alnum(t[i]) || (t[i] >= 'A' && t[i] <= 'Z') ||
		      t[i] == '_' || t[i] == '.' || t[i] == '-'))
			return false;
	return true;
}

static bool has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return true;
	return false;
}

/* Checks every '/'-separated component of path. */
static int path_check(const char *ref, const char *path, struct err *err)
{
	const char *p = path;

	if (strlen(path) > NAME_MAX_LEN)
		return err_setc(err, EINVAL, "invalid reference '%s': name too long",
			       ref);
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (has_upper(p, n))
			return err_setc(err, EINVAL,
					"invalid reference '%s': repository name must be lowercase",
					ref);
		if (!path_component_valid(p, n))
			return err_setc(err, EINVAL,
				       "invalid reference '%s': invalid repository name",
				       ref);
		if (!slash)
			return 0;
		p = slash + 1;
	}
}

/* Splits off "@digest" and ":tag" from name (modified in place). */
static int split_suffixes(const char *s, char *name, struct ref *r,
			  struct err *err)
{
	char *at = strchr(name, '@'), *colon, *slash;

	if (at) {
		*at = '\0';
		if (!str_has_prefix(at + 1, "sha256:"))
			return err_setc(err, EINVAL,
				       "invalid reference '%s': unsupported digest algorithm",
				       s);
		if (!digest_valid(at + 1))
			return err_setc(err, EINVAL,
				       "invalid reference '%s': invalid digest", s);
		r->digest = xstrdup(at + 1);
	}
	slash = strrchr(name, '/');
	colon = strrchr(slash ? slash : name, ':');
	if (colon) {
		*colon = '\0';
		if (!tag_valid(colon + 1))
			return err_setc(err, EINVAL,
				       "invalid reference '%s': invalid tag", s);
		if (!r->digest)
			r->tag = xstrdup(colon + 1);
	}
	if (!r->digest && !r->tag)
		r->tag = xstrdup("latest");
	return 0;
}

static void set_path(struct ref *r, const char *path)
{
	free(r->path);
	if (!strcmp(r->domain, "docker.io") && !strchr(path, '/'))
		r->path = xasprintf("library/%s", path);
	else
		r->path = xstrdup(path);
}

int ref_parse(const char *s, struct ref *r, struct err *err)
{
	char *name = xstrdup(s), *slash, *path = name;

	memset(r, 0, sizeof(*r));
	if (!*s || strchr(s, ' ') || strstr(s, "://")) {
		err_setc(err, EINVAL, "invalid reference '%s'", s);
		goto out_fail;
	}
	if (split_suffixes(s, name, r, err) < 0)
		goto out_fail;
	slash = strchr(name, '/');
	if (slash && (memchr(name, '.', slash - name) ||
		      memchr(name, ':', slash - name) ||
		      !strncmp(name, "localhost/", 10))) {
		if (!domain_valid(name, slash - name)) {
			err_setc(err, EINVAL, "invalid reference '%s': invalid registry host", s);
			goto out_fail;
		}
		r->domain = xstrndup(name, slash - name);
		r->qualified = true;
		path = slash + 1;
		if (!strcmp(r->domain, "index.docker.io")) {
			free(r->domain);
			r->domain = xstrdup("docker.io");
		}
	} else {
		r->domain = xstrdup(REF_DEFAULT_DOMAIN);
	}
	if (path_check(s, path, err) < 0)
		goto out_fail;
	r->short_path = xstrdup(path);
	set_path(r, path);
	free(name);
	return 0;
out_fail:
	free(name);
	ref_release(r);
	return -1;
}

void ref_qualify(const struct ref *src, const char *domain, struct ref *out)
{
	memset(out, 0, sizeof(*out));
	out->domain = xstrdup(domain);
	out->short_path = xstrdup(src->short_path);
	set_path(out, src->short_path);
	out->tag = src->tag ? xstrdup(src->tag) : NULL;
	out->digest = src->digest ? xstrdup(src->digest) : NULL;
	out->qualified = true;
}

char *ref_string(const struct ref *r)
{
	if (r->digest)
		return xasprintf("%s/%s@%s", r->domain, r->path, r->digest);
	return xasprintf("%s/%s:%s", r->domain, r->path, r->tag);
}

char *ref_repo(const struct ref *r)
{
	return xasprintf("%s/%s", r->domain, r->path);
}

const char *ref_api_host(const char *domain)
{
	if (!strcmp(domain, "docker.io") || !strcmp(domain, "index.docker.io"))
		return "registry-1.docker.io";
	return domain;
}

void ref_release(struct ref *r)
{
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	free(r->short_path);
	memset(r, 0, sizeof(*r));
}
