/* SPDX-License-Identifier: MIT */
/*
 * registries.conf: a reader for the TOML subset it uses. Keys are bare or
 * quoted; values are strings (basic or literal), booleans or arrays of
 * strings, arrays may span lines; tables [aliases], [[registry]] and
 * [[registry.mirror]]. Unknown keys and tables are ignored.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "regconf.h"
#include "util.h"

#define CONF_MAX (1 << 20)

enum section { SEC_TOP, SEC_ALIASES, SEC_REGISTRY, SEC_MIRROR, SEC_OTHER };

struct value {
	char **strs;		/* for arrays; NULL-ended */
	char *str;		/* for strings */
	int boolean;		/* -1 when not a bool */
};

static void value_release(struct value *v)
{
	for (size_t i = 0; v->strs && v->strs[i]; i++)
		free(v->strs[i]);
	free(v->strs);
	free(v->str);
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/* Skips spaces, newlines and comments. */
static const char *skip_blank(const char *p)
{
	for (;;) {
		p = skip_ws(p);
		if (*p != '#')
			return p;
		while (*p && *p != '\n')
			p++;
	}
}

/* A basic "..." or literal '...' string at p; NULL when malformed. */
static char *parse_string(const char **pp)
{
	const char *p = *pp;
	char q = *p++, *out = xmalloc(strlen(p) + 1), *o = out;

	while (*p && *p != q && *p != '\n') {
		if (q == '"' && *p == '\\' && p[1]) {
			p++;
			*o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
			p++;
			continue;
		}
		*o++ = *p++;
	}
	if (*p != q) {
		free(out);
		return NULL;
	}
	*o = '\0';
	*pp = p + 1;
	return out;
}

/* A key: bare [A-Za-z0-9_-]+ or quoted. */
static char *parse_key(const char **pp)
{
	const char *p = *pp, *s = p;

	if (*p == '"' || *p == '\'')
		return parse_string(pp);
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	       (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.')
		p++;
	if (p == s)
		return NULL;
	*pp = p;
	return xstrndup(s, p - s);
}

static int parse_array(const char **pp, struct value *v)
{
	const char *p = *pp + 1;
	size_t n = 0;

	v->strs = xcalloc(1, sizeof(*v->strs));
	for (;;) {
		p = skip_blank(p);
		if (*p == ']')
			break;
		if (*p != '"' && *p != '\'')
			return -1;
		v->strs = xrealloc(v->strs, (n + 2) * sizeof(*v->strs));
		v->strs[n] = parse_string(&p);
		if (!v->strs[n])
			return -1;
		v->strs[++n] = NULL;
		p = skip_blank(p);
		if (*p == ',')
			p++;
		else if (*p != ']')
			return -1;
	}
	*pp = p + 1;
	return 0;
}

static int parse_value(const char **pp, struct value *v)
{
	memset(v, 0, sizeof(*v));
	v->boolean = -1;
	if (**pp == '[')
		return parse_array(pp, v);
	if (**pp == '"' || **pp == '\'') {
		v->str = parse_string(pp);
		return v->str ? 0 : -1;
	}
	if (str_has_prefix(*pp, "true")) {
		v->boolean = 1;
		*pp += 4;
		return 0;
	}
	if (str_has_prefix(*pp, "false")) {
		v->boolean = 0;
		*pp += 5;
		return 0;
	}
	/* Numbers and the like: skipped up to the end of the line. */
	while (**pp && **pp != '\n' && **pp != '#')
		(*pp)++;
	return 0;
}

static void set_str(char **slot, struct value *v)
{
	if (!v->str)
		return;
	free(*slot);
	*slot = v->str;
	v->str = NULL;
}

static void set_alias(struct regconf *c, const char *key, struct value *v)
{
	size_t i;

	if (!v->str)
		return;
	for (i = 0; i < c->naliases; i++)
		if (!strcmp(c->alias_keys[i], key))
			break;
	if (i == c->naliases) {
		c->alias_keys = xrealloc(c->alias_keys, (i + 1) * sizeof(char *));
		c->alias_vals = xrealloc(c->alias_vals, (i + 1) * sizeof(char *));
		c->alias_keys[i] = xstrdup(key);
		c->alias_vals[i] = NULL;
		c->naliases++;
	}
	set_str(&c->alias_vals[i], v);
}

static void apply(struct regconf *c, enum section sec, const char *key,
		  struct value *v)
{
	struct regconf_registry *r = c->nregs ? &c->regs[c->nregs - 1] : NULL;
	struct regconf_mirror *m = r && r->nmirrors ? &r->mirrors[r->nmirrors - 1] : NULL;

	if (sec == SEC_TOP && !strcmp(key, "unqualified-search-registries") && v->strs) {
		for (size_t i = 0; i < c->nsearch; i++)
			free(c->search[i]);
		free(c->search);
		c->search = v->strs;
		for (c->nsearch = 0; v->strs[c->nsearch]; c->nsearch++)
			;
		v->strs = NULL;
	} else if (sec == SEC_ALIASES) {
		set_alias(c, key, v);
	} else if (sec == SEC_REGISTRY && r) {
		if (!strcmp(key, "prefix"))
			set_str(&r->prefix, v);
		else if (!strcmp(key, "location"))
			set_str(&r->location, v);
		else if (!strcmp(key, "insecure") && v->boolean >= 0)
			r->insecure = v->boolean;
		else if (!strcmp(key, "blocked") && v->boolean >= 0)
			r->blocked = v->boolean;
	} else if (sec == SEC_MIRROR && m) {
		if (!strcmp(key, "location"))
			set_str(&m->location, v);
		else if (!strcmp(key, "insecure") && v->boolean >= 0)
			m->insecure = v->boolean;
	}
}

static enum section open_table(struct regconf *c, const char *name, bool array)
{
	struct regconf_registry *r;

	if (!array && !strcmp(name, "aliases"))
		return SEC_ALIASES;
	if (array && !strcmp(name, "registry")) {
		c->regs = xrealloc(c->regs, (c->nregs + 1) * sizeof(*c->regs));
		memset(&c->regs[c->nregs++], 0, sizeof(*c->regs));
		return SEC_REGISTRY;
	}
	if (array && !strcmp(name, "registry.mirror") && c->nregs) {
		r = &c->regs[c->nregs - 1];
		r->mirrors = xrealloc(r->mirrors, (r->nmirrors + 1) * sizeof(*r->mirrors));
		memset(&r->mirrors[r->nmirrors++], 0, sizeof(*r->mirrors));
		return SEC_MIRROR;
	}
	return SEC_OTHER;
}

/* "[name]" or "[[name]]" at p. */
static int parse_header(struct regconf *c, const char **pp, enum section *sec)
{
	const char *p = *pp;
	bool array = p[1] == '[';
	const char *s = p + (array ? 2 : 1), *e = strchr(s, ']');
	char *name;
	size_t n;

	if (!e || (array && e[1] != ']'))
		return -1;
	name = xmalloc((size_t)(e - s) + 1);
	for (n = 0; s < e; s++)
		if (*s != ' ' && *s != '\t')
			name[n++] = *s;
	name[n] = '\0';
	*sec = open_table(c, name, array);
	free(name);
	*pp = e + (array ? 2 : 1);
	return 0;
}

int regconf_parse(struct regconf *c, const char *text, const char *path,
		  struct err *err)
{
	enum section sec = SEC_TOP;
	const char *p = text, *line = text;
	int ret = 0;

	for (;;) {
		struct value v;
		char *key;

		p = skip_blank(p);
		line = p;
		if (!*p)
			break;
		if (*p == '[') {
			if (parse_header(c, &p, &sec) < 0)
				goto out_bad;
			continue;
		}
		key = parse_key(&p);
		p = skip_ws(p);
		if (!key || *p != '=') {
			free(key);
			goto out_bad;
		}
		p = skip_ws(p + 1);
		ret = parse_value(&p, &v);
		if (ret == 0)
			apply(c, sec, key, &v);
		value_release(&v);
		free(key);
		if (ret < 0)
			goto out_bad;
	}
	return 0;
out_bad:
	return err_setc(err, EINVAL, "malformed '%s' near '%.30s'", path, line);
}

static int load_file(struct regconf *c, const char *path, struct err *err)
{
	struct err e = ERR_INIT;
	char *text = file_read(path, CONF_MAX, NULL, &e);
	int ret;

	if (!text) {
		if (e.errnum == ENOENT)
			return 0;
		*err = e;
		return -1;
	}
	ret = regconf_parse(c, text, path, err);
	free(text);
	return ret;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.conf files of dir, in name order. */
static int load_dir(struct regconf *c, const char *dir, struct err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int ret = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (str_has_suffix(de->d_name, ".conf") && de->d_name[0] != '.') {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = path_join(dir, de->d_name);
		}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (ret == 0)
			ret = load_file(c, names[i], err);
		free(names[i]);
	}
	free(names);
	return ret;
}

int regconf_load(struct regconf *c, struct err *err)
{
	const char *one = getenv("CONTAINERS_REGISTRIES_CONF");
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *user;
	int ret;

	memset(c, 0, sizeof(*c));
	if (one && *one)
		return load_file(c, one, err);
	if (load_file(c, "/etc/containers/registries.conf", err) < 0 ||
	    load_dir(c, "/etc/containers/registries.conf.d", err) < 0)
		return -1;
	if (xdg && *xdg)
		user = xasprintf("%s/containers/registries.conf", xdg);
	else if (home)
		user = xasprintf("%s/.config/containers/registries.conf", home);
	else
		return 0;
	ret = load_file(c, user, err);
	free(user);
	return ret;
}

void regconf_release(struct regconf *c)
{
	for (size_t i = 0; i < c->nsearch; i++)
		free(c->search[i]);
	free(c->search);
	for (size_t i = 0; i < c->naliases; i++) {
		free(c->alias_keys[i]);
		free(c->alias_vals[i]);
	}
	free(c->alias_keys);
	free(c->alias_vals);
	for (size_t i = 0; i < c->nregs; i++) {
		for (size_t k = 0; k < c->regs[i].nmirrors; k++)
			free(c->regs[i].mirrors[k].location);
		free(c->regs[i].mirrors);
		free(c->regs[i].prefix);
		free(c->regs[i].location);
	}
	free(c->regs);
	memset(c, 0, sizeof(*c));
}

/* Length of the match of prefix against name, 0 when none. */
static size_t prefix_match(const char *prefix, const char *name)
{
	size_t n = strlen(prefix);

	if (prefix[0] == '*' && prefix[1] == '.') {
		/* *.example.com matches hosts under example.com. */
		size_t hl = strcspn(name, "/");

		if (hl > n - 1 && !strncmp(name + hl - (n - 1), prefix + 1, n - 1))
			return n;
		return 0;
	}
	if (strncmp(prefix, name, n) || (name[n] && !strchr("/:@", name[n])))
		return 0;
	return n;
}

const struct regconf_registry *regconf_find(const struct regconf *c,
					    const char *name)
{
	const struct regconf_registry *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < c->nregs; i++) {
		const char *pf = c->regs[i].prefix ? c->regs[i].prefix :
						     c->regs[i].location;
		size_t m = pf && *pf ? prefix_match(pf, name) : 0;

		if (m && m >= best_len) {
			best = &c->regs[i];
			best_len = m;
		}
	}
	return best;
}

const char *regconf_alias(const struct regconf *c, const char *name)
{
	const char *found = NULL;

	for (size_t i = 0; i < c->naliases; i++)
		if (!strcmp(c->alias_keys[i], name))
			found = c->alias_vals[i];
	return found;
}
