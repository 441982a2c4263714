/* SPDX-License-Identifier: MIT */
/*
 * images: list the images in the store, one line per tag.
 *
 * usage: scatman images [options] [REFERENCE]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/applet.h"
#include "../core/format.h"
#include "../core/log.h"
#include "../core/ref.h"
#include "../core/store.h"
#include "../core/util.h"

const char images_usage[] =
	"Usage: scatman images [options] [REFERENCE]\n"
	"\n"
	"List images in local storage.\n"
	"\n"
	"Options:\n"
	"  -a, --all            show all images (the default)\n"
	"      --digests        show digests\n"
	"      --format FORMAT  'json', or a Go template such as\n"
	"                       'table {{.Repository}}\\t{{.ID}}'\n"
	"  -n, --noheading      do not print the column headings\n"
	"      --no-trunc       do not truncate the image IDs\n"
	"  -q, --quiet          display only the image IDs\n";

struct opts {
	bool quiet, notrunc, digests, noheading, json;
	const char *filter, *format;
};

struct row {
	struct image img;
	char *repo, *tag, *digest;
	int64_t created;
	bool notrunc;
};

enum { OPT_DIGESTS = 256, OPT_FORMAT, OPT_NO_TRUNC };

static const struct option longopts[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "digests", no_argument, NULL, OPT_DIGESTS },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "help", no_argument, NULL, 'h' },
	{ "noheading", no_argument, NULL, 'n' },
	{ "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
	{ "quiet", no_argument, NULL, 'q' },
	{ NULL, 0, NULL, 0 },
};

static void parse(int argc, char **argv, struct opts *o)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ahnq", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': break;
		case OPT_DIGESTS: o->digests = true; break;
		case OPT_FORMAT:
			o->json = !strcmp(optarg, "json");
			o->format = o->json ? NULL : optarg;
			break;
		case 'n': o->noheading = true; break;
		case OPT_NO_TRUNC: o->notrunc = true; break;
		case 'q': o->quiet = true; break;
		case 'h': applet_usage_exit("images", AF_CMD);
		default: die_bad_option(c, argv);
		}
	}
	if (argc - optind > 1)
		die_usage("'images' takes at most one reference");
	o->filter = optind < argc ? argv[optind] : NULL;
}

/* Splits a stored ref into repository and tag ("<none>" for digests). */
static void split_ref(const char *ref, char **repo, char **tag)
{
	const char *at = strchr(ref, '@'), *slash = strrchr(ref, '/');
	const char *colon = strrchr(ref, ':');

	if (at) {
		*repo = xstrndup(ref, at - ref);
		*tag = xstrdup("<none>");
	} else if (colon && (!slash || colon > slash)) {
		*repo = xstrndup(ref, colon - ref);
		*tag = xstrdup(colon + 1);
	} else {
		*repo = xstrdup(ref);
		*tag = xstrdup("<none>");
	}
}

/* A reference argument matches a tag exactly, or by repository (and tag
 * when given) as a suffix after a '/'. */
static bool filter_match(const char *filter, const char *repo, const char *tag)
{
	char *full = xasprintf("%s:%s", repo, tag);
	const char *slash = strrchr(filter, '/'), *colon = strrchr(filter, ':');
	bool has_tag = colon && (!slash || colon > slash);
	const char *subject = has_tag ? full : repo;
	size_t ls = strlen(subject), lf = strlen(filter);
	bool m = !strcmp(subject, filter) ||
		 (ls > lf && subject[ls - lf - 1] == '/' &&
		  !strcmp(subject + ls - lf, filter));

	free(full);
	return m;
}

static int64_t created_of(const struct image *img)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(img->config, "created");
	int64_t sec = 0;

	if (cJSON_IsString(c) && time_parse_rfc3339(c->valuestring, &sec, NULL) == 0)
		return sec;
	return 0;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	return strcmp(x->repo, y->repo);
}

static size_t load_rows(struct store *s, const struct opts *o, struct row **rows)
{
	struct err err = ERR_INIT;
	struct store_tag *tags;
	size_t n, k = 0;

	if (store_tags_load(s, &tags, &n, &err) < 0)
		die_err(&err);
	*rows = xcalloc(n + 1, sizeof(**rows));
	for (size_t i = 0; i < n; i++) {
		struct row *r = &(*rows)[k];

		if (!tags[i].ref)
			continue;
		split_ref(tags[i].ref, &r->repo, &r->tag);
		if ((o->filter && !filter_match(o->filter, r->repo, r->tag)) ||
		    store_image_load(s, tags[i].digest, tags[i].ref, &r->img, &err) < 0) {
			if (err.msg[0])
				log_warn("skipping '%s': %s", tags[i].ref, err.msg);
			err.msg[0] = '\0';
			free(r->repo);
			free(r->tag);
			continue;
		}
		r->created = created_of(&r->img);
		r->digest = xstrdup(tags[i].source_digest ? tags[i].source_digest :
				    tags[i].digest);
		k++;
	}
	store_tags_free(tags, n);
	qsort(*rows, k, sizeof(**rows), cmp_rows);
	return k;
}

static char *quoted(char *v, bool json)
{
	char *q;
	cJSON *j;

	if (!json)
		return v;
	j = cJSON_CreateString(v);
	q = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	free(v);
	return q;
}

/* Template fields of one row, as podman names them; NULL when unknown. */
static char *row_get(void *obj, const char *f, bool json)
{
	const struct row *r = obj;
	char buf[64];
	int64_t now;

	time_now(&now, NULL);
	if (!strcmp(f, "Repository"))
		return quoted(xstrdup(r->repo), json);
	if (!strcmp(f, "Tag"))
		return quoted(xstrdup(r->tag), json);
	if (!strcmp(f, "ID"))
		return quoted(xstrndup(r->img.id, r->notrunc ? 64 : 12), json);
	if (!strcmp(f, "Id"))
		return quoted(xstrdup(r->img.id), json);
	if (!strcmp(f, "Digest"))
		return quoted(xstrdup(r->digest), json);
	if (!strcmp(f, "CreatedSince") || !strcmp(f, "Created")) {
		time_human_duration(now - r->created, buf, sizeof(buf));
		return quoted(xasprintf("%s ago", buf), json);
	}
	if (!strcmp(f, "CreatedAt")) {
		time_t t = (time_t)r->created;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
		return quoted(xstrdup(buf), json);
	}
	if (!strcmp(f, "Size") || !strcmp(f, "VirtualSize")) {
		size_human((uint64_t)image_size(&r->img), buf, sizeof(buf));
		return quoted(xstrdup(buf), json);
	}
	return NULL;
}

static const char *row_head(const char *field)
{
	if (!strcmp(field, "ID") || !strcmp(field, "Id"))
		return "IMAGE ID";
	if (!strcmp(field, "CreatedSince"))
		return "CREATED";
	if (!strcmp(field, "CreatedAt"))
		return "CREATED AT";
	return NULL;
}

static void print_table(struct row *rows, size_t n, const struct opts *o)
{
	const char *fmt = o->format;
	struct err e = ERR_INIT;
	struct fmt_table t;
	struct fmt_tmpl tm;
	char *line;

	if (!fmt)
		fmt = o->digests ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t"
				   "{{.CreatedSince}}\t{{.Size}}"
				 : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t"
				   "{{.CreatedSince}}\t{{.Size}}";
	if (fmt_tmpl_parse(&tm, fmt, &e) < 0)
		die_err(&e);
	fmt_table_init(&t);
	if (tm.table && !o->noheading) {
		line = fmt_tmpl_header(&tm, row_head);
		fmt_table_add(&t, line);
		free(line);
	}
	for (size_t i = 0; i < n; i++) {
		rows[i].notrunc = o->notrunc;
		line = fmt_tmpl_render(&tm, row_get, &rows[i], &e);
		if (!line)
			die_err(&e);
		if (tm.table)
			fmt_table_add(&t, line);
		else
			printf("%s\n", line);
		free(line);
	}
	fmt_table_flush(&t, stdout);
	fmt_table_release(&t);
	fmt_tmpl_release(&tm);
}

/* One JSON object per image ID, as podman prints. */
static void print_json(struct store *s, struct row *rows, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	struct err err = ERR_INIT;

	for (size_t i = 0; i < n; i++) {
		cJSON *o;
		bool seen = false;

		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(rows[k].img.id, rows[i].img.id);
		if (seen)
			continue;
		o = store_image_inspect(s, &rows[i].img, &err);
		if (!o)
			die_err(&err);
		cJSON_AddNumberToObject(o, "CreatedAt", (double)rows[i].created);
		cJSON_AddItemToArray(arr, o);
	}
	fmt_json_print(arr, stdout);
	cJSON_Delete(arr);
}

int images_main(int argc, char **argv, struct gopts *g)
{
	struct err err = ERR_INIT;
	struct opts o = { 0 };
	struct row *rows;
	struct store s;
	size_t n;

	parse(argc, argv, &o);
	if (store_open(&s, g->root, &err) < 0)
		die_err(&err);
	n = load_rows(&s, &o, &rows);
	if (o.json) {
		print_json(&s, rows, n);
	} else if (o.quiet) {
		for (size_t i = 0; i < n; i++) {
			bool seen = false;

			for (size_t k = 0; k < i && !seen; k++)
				seen = !strcmp(rows[k].img.id, rows[i].img.id);
			if (!seen)
				printf("%.*s\n", o.notrunc ? 64 : 12, rows[i].img.id);
		}
	} else {
		print_table(rows, n, &o);
	}
	for (size_t i = 0; i < n; i++) {
		image_release(&rows[i].img);
		free(rows[i].repo);
		free(rows[i].tag);
		free(rows[i].digest);
	}
	free(rows);
	store_release(&s);
	return fflush(stdout) ? EXIT_ERR : 0;
}
