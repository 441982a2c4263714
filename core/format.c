// SPDX-License-Identifier: MIT
/* Tables, the Go-template subset and JSON output for the listing
 * commands (ps, images, inspect). */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "util.h"

#define TAB_MINWIDTH 12
#define TAB_PADDING 2

void fmt_table_init(struct fmt_table *t)
{
	memset(t, 0, sizeof(*t));
}

void fmt_table_add(struct fmt_table *t, const char *line)
{
	const char *nl;

	do {
		nl = strchr(line, '\n');
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 16;
			t->lines = xrealloc(t->lines,
					    t->cap * sizeof(*t->lines));
		}
		t->lines[t->n++] = nl ? xstrndup(line, nl - line) :
				   xstrdup(line);
		line = nl ? nl + 1 : NULL;
	} while (line && *line);
}

/* Columns taken by len bytes of UTF-8 text, as Go's tabwriter counts. */
static size_t text_width(const char *s, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < len; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* Width of cell col (tab-terminated) of line, or -1 when the line has no
 * such tab-terminated cell. */
static long cell_width(const char *line, size_t col)
{
	const char *tab;

	for (size_t i = 0; i < col; i++) {
		line = strchr(line, '\t');
		if (!line)
			return -1;
		line++;
	}
	tab = strchr(line, '\t');
	return tab ? (long)text_width(line, (size_t)(tab - line)) : -1;
}

void fmt_table_flush(struct fmt_table *t, FILE *f)
{
	size_t ncols = 0, *width;

	for (size_t i = 0; i < t->n; i++) {
		size_t c = 0;

		for (const char *p = t->lines[i]; (p = strchr(p, '\t')); p++)
			c++;
		if (c > ncols)
			ncols = c;
	}
	width = xcalloc(ncols + 1, sizeof(*width));
	for (size_t c = 0; c < ncols; c++) {
		width[c] = TAB_MINWIDTH;
		for (size_t i = 0; i < t->n; i++) {
			long w = cell_width(t->lines[i], c);

			if (w >= 0 && (size_t)w + TAB_PADDING > width[c])
				width[c] = w + TAB_PADDING;
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		const char *p = t->lines[i], *tab;
		size_t c = 0;

		while ((tab = strchr(p, '\t'))) {
			size_t len = (size_t)(tab - p);

			fwrite(p, 1, len, f);
			fprintf(f, "%*s", (int)(width[c] - text_width(p, len)),
				"");
			p = tab + 1;
			c++;
		}
		fprintf(f, "%s\n", p);
		free(t->lines[i]);
	}
	free(width);
	t->n = 0;
}

void fmt_table_release(struct fmt_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->lines[i]);
	free(t->lines);
	fmt_table_init(t);
}

/* Copies s into a new string with the "\t", "\n" and "\\" escapes done. */
static char *unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s; s++) {
		if (*s == '\\' && (s[1] == 't' || s[1] == 'n' ||
				   s[1] == '\\')) {
			s++;
			*o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : '\\';
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

int fmt_tmpl_parse(struct fmt_tmpl *t, const char *s, struct err *err)
{
	const char *p;

	memset(t, 0, sizeof(*t));
	while (isspace((unsigned char)*s))
		s++;
	if (str_has_prefix(s, "table")) {
		t->table = true;
		s += 5;
		while (*s == ' ')
			s++;
	}
	for (p = s; (p = strstr(p, "{{")); p += 2)
		if (!strstr(p, "}}"))
			return err_set(err, EINVAL,
				       "template: unclosed action in '%s'", s);
	t->body = unescape(s);
	return 0;
}

void fmt_tmpl_release(struct fmt_tmpl *t)
{
	free(t->body);
	t->body = NULL;
}

/* Parses the action between "{{" and "}}": "[json] .Field" or "json .";
 * field gets a malloc'd name ("" for "."). */
static int parse_action(const char *a, size_t len, char **field, bool *json,
			struct err *err)
{
	char *s = xstrndup(a, len), *p = s, *end;

	*json = false;
	while (isspace((unsigned char)*p))
		p++;
	if (str_has_prefix(p, "json ")) {
		*json = true;
		p += 5;
		while (isspace((unsigned char)*p))
			p++;
	}
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (*p != '.' || strchr(p, ' ')) {
		err_set(err, EINVAL, "template: unsupported action '{{%s}}'",
			s);
		free(s);
		return -1;
	}
	*field = xstrdup(p + 1);
	free(s);
	return 0;
}

/* Appends len bytes of s to the growing buffer *buf. */
static void buf_add(char **buf, size_t *n, const char *s, size_t len)
{
	*buf = xrealloc(*buf, *n + len + 1);
	memcpy(*buf + *n, s, len);
	*n += len;
	(*buf)[*n] = '\0';
}

char *fmt_tmpl_render(const struct fmt_tmpl *t, fmt_get_fn get, void *obj,
		      struct err *err)
{
	const char *p = t->body, *open, *close;
	char *out = xstrdup(""), *field, *val;
	size_t n = 0;
	bool json;

	while ((open = strstr(p, "{{"))) {
		buf_add(&out, &n, p, open - p);
		close = strstr(open + 2, "}}");
		if (!close ||
		    parse_action(open + 2, close - open - 2, &field, &json,
				 err) < 0)
			goto out_fail;
		val = get(obj, field, json);
		if (!val) {
			err_set(err, EINVAL,
				"template: can't evaluate field %s", field);
			free(field);
			goto out_fail;
		}
		if (!json) {
			char *safe = fmt_sanitize(val);

			free(val);
			val = safe;
		}
		buf_add(&out, &n, val, strlen(val));
		free(val);
		free(field);
		p = close + 2;
	}
	buf_add(&out, &n, p, strlen(p));
	return out;
out_fail:
	if (!close)
		err_set(err, EINVAL, "template: unclosed action");
	free(out);
	return NULL;
}

char *fmt_tmpl_header(const struct fmt_tmpl *t,
		      const char *(*head)(const char *field))
{
	const char *p = t->body, *open, *close, *h;
	char *out = xstrdup(""), *field, *up;
	struct err e = ERR_INIT;
	size_t n = 0;
	bool json;

	while ((open = strstr(p, "{{")) && (close = strstr(open + 2, "}}"))) {
		buf_add(&out, &n, p, open - p);
		if (parse_action(open + 2, close - open - 2, &field, &json,
				 &e) == 0) {
			h = head ? head(field) : NULL;
			up = xstrdup(h ? h : field);
			for (char *c = up; !h && *c; c++)
				*c = toupper((unsigned char)*c);
			buf_add(&out, &n, up, strlen(up));
			free(up);
			free(field);
		}
		p = close + 2;
	}
	buf_add(&out, &n, p, strlen(p));
	return out;
}

void fmt_json_print(const cJSON *j, FILE *f)
{
	char *s = cJSON_Print(j);
	bool bol = true;

	if (!s)
		return;
	/* cJSON indents with tabs and puts a tab after each colon; strings
	 * never hold a raw tab (they are escaped). */
	for (const char *p = s; *p; p++) {
		if (*p == '\t')
			fputs(bol ? "    " : " ", f);
		else
			fputc(*p, f);
		bol = *p == '\n' || (bol && *p == '\t');
	}
	fputc('\n', f);
	free(s);
}

/* Length of the valid UTF-8 sequence at p with its code point in *cp, or
 * 0 when p does not start one. The terminating NUL ends any sequence. */
static size_t utf8_seq(const unsigned char *p, uint32_t *cp)
{
	uint32_t c, min;
	size_t n;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0)
		n = 2, c = p[0] & 0x1f, min = 0x80;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3, c = p[0] & 0x0f, min = 0x800;
	else if ((p[0] & 0xf8) == 0xf0)
		n = 4, c = p[0] & 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

char *fmt_sanitize(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = xmalloc(strlen(s) + 1), *o = out;
	uint32_t c;
	size_t n;

	while (*p) {
		n = utf8_seq(p, &c);
		if (!n || c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
			*o++ = '?';
			p += n ? n : 1;
			continue;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	*o = '\0';
	return out;
}

bool fmt_trunc(char *s, size_t max)
{
	unsigned char *p = (unsigned char *)s;
	uint32_t c;
	size_t n;

	for (size_t i = 0; *p && i < max; i++) {
		n = utf8_seq(p, &c);
		p += n ? n : 1;
	}
	if (!*p)
		return false;
	*p = '\0';
	return true;
}

static int item_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

static void go_value(const cJSON *j, char **buf, size_t *n);

/* "[a b]" for arrays, "map[k:v]" with sorted keys for objects. */
static void go_list(const cJSON *j, char **buf, size_t *n)
{
	bool obj = cJSON_IsObject(j);
	size_t cnt = (size_t)cJSON_GetArraySize(j), i = 0;
	const cJSON **items = xcalloc(cnt + 1, sizeof(*items)), *it;

	cJSON_ArrayForEach(it, j)
		items[i++] = it;
	if (obj)
		qsort(items, cnt, sizeof(*items), item_cmp);
	buf_add(buf, n, obj ? "map[" : "[", obj ? 4 : 1);
	for (i = 0; i < cnt; i++) {
		if (i)
			buf_add(buf, n, " ", 1);
		if (obj) {
			buf_add(buf, n, items[i]->string,
				strlen(items[i]->string));
			buf_add(buf, n, ":", 1);
		}
		go_value(items[i], buf, n);
	}
	buf_add(buf, n, "]", 1);
	free(items);
}

/* Appends the Go rendering of j to *buf. */
static void go_value(const cJSON *j, char **buf, size_t *n)
{
	char *s;

	if (cJSON_IsString(j)) {
		buf_add(buf, n, j->valuestring, strlen(j->valuestring));
	} else if (cJSON_IsArray(j) || cJSON_IsObject(j)) {
		go_list(j, buf, n);
	} else if (cJSON_IsNull(j)) {
		buf_add(buf, n, "<nil>", 5);
	} else {
		s = cJSON_PrintUnformatted(j);
		buf_add(buf, n, s, strlen(s));
		free(s);
	}
}

char *fmt_json_get(void *obj, const char *field, bool json)
{
	const cJSON *j = obj;
	char *path = xstrdup(field), *save = NULL, *out;
	size_t n = 0;

	for (char *k = strtok_r(path, ".", &save); k && j;
	     k = strtok_r(NULL, ".", &save))
		j = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, k)
				      : NULL;
	free(path);
	if (!j)
		return NULL;
	if (json)
		return cJSON_PrintUnformatted(j);
	out = xstrdup("");
	go_value(j, &out, &n);
	return out;
}
