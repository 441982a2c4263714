/* SPDX-License-Identifier: MIT */
/* Output formats of the listing commands: podman's aligned tables, the
 * Go-template subset of --format, and indented JSON. */
#ifndef SCATMAN_FORMAT_H
#define SCATMAN_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "err.h"

/*
 * Tables aligned as Go's tabwriter does with podman's settings (minimum
 * cell width 12, padding 2): lines are added with cells separated by '\t';
 * the text after the last tab of a line is not padded.
 */
struct fmt_table {
	char **lines;
	size_t n, cap;
};

void fmt_table_init(struct fmt_table *t);
/* Adds a copy of line (which may hold several lines separated by '\n'). */
void fmt_table_add(struct fmt_table *t, const char *line);
/* Prints the aligned lines to f and empties the table. */
void fmt_table_flush(struct fmt_table *t, FILE *f);
void fmt_table_release(struct fmt_table *t);

/*
 * The template subset: literal text, "\t" and "\n" escapes, and
 * {{.Field}} / {{ .Field }} / {{json .Field}}; a leading "table" asks for
 * a header line and aligned columns. get(obj, field, json) returns the
 * field's value as a malloc'd string, or NULL for an unknown field.
 */
typedef char *(*fmt_get_fn)(void *obj, const char *field, bool json);

struct fmt_tmpl {
	bool table;		/* "table ..." */
	char *body;		/* the template without "table", escapes done */
};

int fmt_tmpl_parse(struct fmt_tmpl *t, const char *s, struct err *err);
void fmt_tmpl_release(struct fmt_tmpl *t);
/* Renders obj; a malloc'd string, or NULL with err set (unknown field,
 * unclosed action). */
char *fmt_tmpl_render(const struct fmt_tmpl *t, fmt_get_fn get, void *obj,
		      struct err *err);
/* The header line: each {{.Field}} replaced by head(field) (or the field
 * in upper case when head returns NULL). Malloc'd. */
char *fmt_tmpl_header(const struct fmt_tmpl *t,
		      const char *(*head)(const char *field));

/* Prints j indented by four spaces per level, as podman does, plus a
 * newline. */
void fmt_json_print(const cJSON *j, FILE *f);

/*
 * A malloc'd copy of s safe for a terminal: control characters (C0, DEL,
 * and C1 when decoded as UTF-8) and bytes that are not valid UTF-8 each
 * become '?'. fmt_tmpl_render applies it to every non-json value.
 */
char *fmt_sanitize(const char *s);

/* Truncates s in place to at most max characters, never inside a UTF-8
 * sequence (an invalid byte counts as one character); true when cut. */
bool fmt_trunc(char *s, size_t max);

/*
 * A template getter over JSON objects: field is a dotted path ("State.Pid",
 * "" for the object itself); values print as Go's templates print them
 * (numbers without a fraction when whole, arrays "[a b]", objects
 * "map[k:v]"), or as compact JSON when json is true. obj is a cJSON *.
 */
char *fmt_json_get(void *obj, const char *field, bool json);

#endif
