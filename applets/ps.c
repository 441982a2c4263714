// SPDX-License-Identifier: MIT
/*
 * ps: list chroots, as podman ps.
 *
 * Columns, flags, filters and JSON keys follow podman. Status comes from
 * state.json and a liveness check of the recorded supervisor (or init),
 * never from scanning processes.
 *
 * TODO: --size shows only the rootfs, no "virtual" part; --pod, --sync.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/applet.h"
#include "../core/chroot.h"
#include "../core/format.h"
#include "../core/log.h"
#include "../core/rmtree.h"
#include "../core/util.h"

const char ps_usage[] =
	"Usage: scatman ps [options]\n"
	"\n"
	"List chroots\n"
	"\n"
	"Options:\n"
	"  -a, --all             show all chroots, not only running ones\n"
	"  -f, --filter K=V      filter: name, id, status, label, ancestor\n"
	"      --format FORMAT   json, or a Go template such as\n"
	"                        'table {{.ID}}\\t{{.Names}}'\n"
	"  -l, --latest          show the latest created chroot\n"
	"  -n, --last N          show the N latest created chroots\n"
	"      --no-trunc        do not truncate IDs and commands\n"
	"      --noheading       do not print the header line\n"
	"  -q, --quiet           print the IDs only\n"
	"  -s, --size            show the size of each rootfs\n"
	"      --sort KEY        created (default), command, id, image, names,\n"
	"                        runningfor, size or status\n"
	"  -h, --help            show this help\n";

struct ps_opts {
	bool all, latest, no_trunc, noheading, quiet, size;
	long last;		/* --last N; -1 = unset */
	const char *sort;
	const char *format;
	char **filters;		/* "key=value", NULL-ended */
};

/* One listed chroot and what is derived from it. */
struct ps_row {
	struct chroot *c;
	bool no_trunc;
	bool have_size;
	uint64_t size;
};

/* "Up 3 minutes", "Exited (0) 2 seconds ago", "Created". */
static char *status_human(const struct chroot *c)
{
	char d[64];
	int64_t now;
	long ns;

	time_now(&now, &ns);
	switch (c->st.status) {
	case CHROOT_RUNNING:
		time_human_duration(now - c->st.started_at, d, sizeof(d));
		return xasprintf("Up %s", d);
	case CHROOT_EXITED:
		time_human_duration(now - c->st.finished_at, d, sizeof(d));
		return xasprintf("Exited (%d) %s ago", c->st.exit_code, d);
	default:
		return xstrdup("Created");
	}
}

static char *created_human(const struct chroot *c)
{
	char d[64];
	int64_t now;
	long ns;

	time_now(&now, &ns);
	time_human_duration(now - c->cfg.created, d, sizeof(d));
	return xasprintf("%s ago", d);
}

/* The command line, terminal-safe; cut to 17 characters plus an ellipsis
 * as podman does unless --no-trunc. */
static char *command_str(const struct ps_row *r)
{
	size_t len = 4;
	char *s, *safe;

	for (char **a = r->c->cfg.argv; a && *a; a++)
		len += strlen(*a) + 1;
	s = xcalloc(1, len);
	for (char **a = r->c->cfg.argv; a && *a; a++) {
		if (a != r->c->cfg.argv)
			strcat(s, " ");
		strcat(s, *a);
	}
	safe = fmt_sanitize(s);
	free(s);
	if (!r->no_trunc && fmt_trunc(safe, 17)) {
		s = xasprintf("%s...", safe);
		free(safe);
		return s;
	}
	return safe;
}

/* Labels as Go prints a map: "map[a:1 b:2]", keys sorted. */
static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *labels_str(const struct chroot *c)
{
	char **v = strv_dup(c->cfg.labels ? c->cfg.labels : (char *[]){ NULL });
	size_t n = strv_len(v), len = 6;
	char *s;

	qsort(v, n, sizeof(*v), str_cmp);
	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	s = xcalloc(1, len);
	strcpy(s, "map[");
	for (size_t i = 0; i < n; i++) {
		char *eq = strchr(v[i], '=');

		if (eq)
			*eq = ':';
		if (i)
			strcat(s, " ");
		strcat(s, v[i]);
	}
	strcat(s, "]");
	strv_free(v);
	return s;
}

static char *size_str(const struct ps_row *r)
{
	char b[32];

	if (!r->have_size)
		return xstrdup("");
	size_human(r->size, b, sizeof(b));
	return xstrdup(b);
}

/* podman's JSON record of a listed container, with our fields. */
static cJSON *row_json(const struct ps_row *r)
{
	const struct chroot *c = r->c;
	cJSON *j = cJSON_CreateObject(), *names, *labels;
	char *status = status_human(c), ts[48];

	cJSON_AddBoolToObject(j, "AutoRemove", false);
	cJSON_AddItemToObject(j, "Command", strv_to_json(c->cfg.argv));
	cJSON_AddNumberToObject(j, "Created", (double)c->cfg.created);
	time_format_rfc3339(c->cfg.created, c->cfg.created_ns, ts, sizeof(ts));
	cJSON_AddStringToObject(j, "CreatedAt", ts);
	cJSON_AddBoolToObject(j, "Exited", c->st.status == CHROOT_EXITED);
	cJSON_AddNumberToObject(j, "ExitedAt", (double)c->st.finished_at);
	cJSON_AddNumberToObject(j, "ExitCode", c->st.exit_code);
	cJSON_AddStringToObject(j, "Id", c->cfg.id);
	cJSON_AddStringToObject(j, "Image",
				c->cfg.image_name ? c->cfg.image_name : "");
	cJSON_AddStringToObject(j, "ImageID",
				c->cfg.image_id ? c->cfg.image_id : "");
	labels = cJSON_AddObjectToObject(j, "Labels");
	for (char **l = c->cfg.labels; l && *l; l++) {
		char *k = xstrdup(*l), *eq = strchr(k, '=');

		if (eq)
			*eq++ = '\0';
		cJSON_AddStringToObject(labels, k, eq ? eq : "");
		free(k);
	}
	cJSON_AddItemToObject(j, "Mounts", strv_to_json(c->cfg.volumes));
	names = cJSON_AddArrayToObject(j, "Names");
	cJSON_AddItemToArray(names, cJSON_CreateString(c->cfg.name));
	cJSON_AddNumberToObject(j, "Pid", c->st.pid);
	cJSON_AddNullToObject(j, "Ports");
	if (r->have_size)
		cJSON_AddNumberToObject(j, "Size", (double)r->size);
	else
		cJSON_AddNullToObject(j, "Size");
	cJSON_AddNumberToObject(j, "StartedAt", (double)c->st.started_at);
	cJSON_AddStringToObject(j, "State", chroot_status_name(c->st.status));
	cJSON_AddStringToObject(j, "Status", status);
	free(status);
	return j;
}

/* {{json .Field}}: the field of the JSON record, compact. */
static char *field_json(const struct ps_row *r, const char *field)
{
	cJSON *j = row_json(r), *it;
	char *s = NULL;

	if (!strcmp(field, "ID"))
		field = "Id";
	it = *field ? cJSON_GetObjectItemCaseSensitive(j, field) : j;
	if (it)
		s = cJSON_PrintUnformatted(it);
	cJSON_Delete(j);
	return s;
}

static char *row_get(void *obj, const char *f, bool json)
{
	const struct ps_row *r = obj;
	const struct chroot *c = r->c;
	char ts[48];

	if (json)
		return field_json(r, f);
	if (!strcmp(f, "ID"))
		return r->no_trunc ? xstrdup(c->cfg.id) : xstrndup(c->cfg.id, 12);
	if (!strcmp(f, "Names"))
		return xstrdup(c->cfg.name);
	if (!strcmp(f, "Image"))
		return xstrdup(c->cfg.image_name ? c->cfg.image_name : "");
	if (!strcmp(f, "ImageID"))
		return xstrdup(c->cfg.image_id ? c->cfg.image_id : "");
	if (!strcmp(f, "Command"))
		return command_str(r);
	/* podman 4's templates: State is the human form, as Status; the
	 * JSON record keeps the plain state */
	if (!strcmp(f, "Status") || !strcmp(f, "State"))
		return status_human(c);
	if (!strcmp(f, "Labels"))
		return labels_str(c);
	if (!strcmp(f, "CreatedHuman") || !strcmp(f, "RunningFor"))
		return created_human(c);
	if (!strcmp(f, "CreatedAt") || !strcmp(f, "Created")) {
		time_format_rfc3339(c->cfg.created, c->cfg.created_ns, ts,
				    sizeof(ts));
		return xstrdup(ts);
	}
	if (!strcmp(f, "Pid"))
		return xasprintf("%d", (int)c->st.pid);
	if (!strcmp(f, "ExitCode"))
		return xasprintf("%d", c->st.exit_code);
	if (!strcmp(f, "Exited"))
		return xstrdup(c->st.status == CHROOT_EXITED ? "true" : "false");
	if (!strcmp(f, "Size"))
		return size_str(r);
	if (!strcmp(f, "Ports") || !strcmp(f, "Mounts") || !strcmp(f, "Pod"))
		return xstrdup("");
	return NULL;
}

static const char *row_head(const char *field)
{
	static const char *const heads[][2] = {
		{ "ID", "CONTAINER ID" }, { "CreatedHuman", "CREATED" },
		{ "RunningFor", "CREATED" }, { "CreatedAt", "CREATED AT" },
		{ "ImageID", "IMAGE ID" }, { "ExitCode", "EXIT CODE" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(heads); i++)
		if (!strcmp(field, heads[i][0]))
			return heads[i][1];
	return NULL;
}

/* Filters */

static bool match_name(const char *re, const char *name)
{
	regex_t rx;
	bool m;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB))
		return false;
	m = regexec(&rx, name, 0, NULL, 0) == 0;
	regfree(&rx);
	return m;
}

static bool match_label(const char *want, char **labels)
{
	size_t klen = strcspn(want, "=");

	for (char **l = labels; l && *l; l++) {
		if (strncmp(*l, want, klen) || ((*l)[klen] != '=' &&
						  (*l)[klen] != '\0'))
			continue;
		if (!want[klen] || !strcmp(*l + klen, want + klen))
			return true;
	}
	return false;
}

/* An image given as podman accepts it: the full reference, a short name,
 * with or without ":latest", or an ID prefix. */
static bool match_ancestor(const char *want, const struct chroot *c)
{
	const char *name = c->cfg.image_name ? c->cfg.image_name : "";
	const char *id = c->cfg.image_id ? c->cfg.image_id : "";
	char *latest = xasprintf("%s:latest", want);
	size_t nl = strlen(name), wl = strlen(want), ll = strlen(latest);
	bool m;

	if (str_has_prefix(want, "sha256:"))
		want += 7;
	m = !strcmp(name, want) || !strcmp(name, latest) ||
	    (nl > wl && name[nl - wl - 1] == '/' &&
	     !strcmp(name + nl - wl, want)) ||
	    (nl > ll && name[nl - ll - 1] == '/' &&
	     !strcmp(name + nl - ll, latest)) ||
	    (strlen(want) >= 3 && str_has_prefix(id, want));
	free(latest);
	return m;
}

/* f is "key=value" with a key check_filters accepted. */
static bool match_one(const char *f, const struct chroot *c)
{
	const char *val = strchr(f, '=') + 1;

	if (str_has_prefix(f, "name="))
		return match_name(val, c->cfg.name);
	if (str_has_prefix(f, "id="))
		return str_has_prefix(c->cfg.id, val);
	if (str_has_prefix(f, "status="))
		return !strcmp(val, chroot_status_name(c->st.status));
	if (str_has_prefix(f, "label="))
		return match_label(val, c->cfg.labels);
	if (str_has_prefix(f, "ancestor="))
		return match_ancestor(val, c);
	if (str_has_prefix(f, "exited="))
		return c->st.status == CHROOT_EXITED &&
		       c->st.exit_code == (int)strtol(val, NULL, 10);
	return false;
}

/* podman's rule: values of one key are alternatives, keys must all hold. */
static bool row_matches(char **filters, const struct chroot *c)
{
	for (char **f = filters; f && *f; f++) {
		size_t klen = strchr(*f, '=') - *f;
		bool any = false;

		for (char **g = filters; g && *g && !any; g++)
			if (!strncmp(*g, *f, klen + 1))
				any = match_one(*g, c);
		if (!any)
			return false;
	}
	return true;
}

/* An exited= value: a decimal exit code, 0 to 255. */
static void check_exit_code(const char *v)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < 0 || n > 255)
		die("invalid exited filter '%s': expected an exit code 0-255",
		    v);
}

static void check_filters(char **filters)
{
	static const char *const keys[] = { "name", "id", "status", "label",
					    "ancestor", "exited" };
	static const char *const states[] = { "created", "running", "exited",
					      "paused", "stopping", "unknown" };

	for (char **f = filters; f && *f; f++) {
		const char *eq = strchr(*f, '=');
		bool ok = false;

		if (!eq)
			die("invalid filter '%s': expected key=value", *f);
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			ok |= strlen(keys[i]) == (size_t)(eq - *f) &&
			      !strncmp(keys[i], *f, eq - *f);
		if (!ok)
			die("invalid filter '%.*s'", (int)(eq - *f), *f);
		if (str_has_prefix(*f, "exited="))
			check_exit_code(eq + 1);
		if (!str_has_prefix(*f, "status="))
			continue;
		ok = false;
		for (size_t i = 0; i < ARRAY_SIZE(states); i++)
			ok |= !strcmp(eq + 1, states[i]);
		if (!ok)
			die("%s is not a valid status", eq + 1);
	}
}

struct du_job {
	const char *rootfs;
	int fd;			/* where the size goes */
};

static int du_in_userns(void *arg)
{
	struct du_job *j = arg;
	struct err e = ERR_INIT;
	uint64_t n = 0;

	if (rmtree_du_at(AT_FDCWD, j->rootfs, &n, &e) < 0)
		return 1;
	return write_all(j->fd, &n, sizeof(n)) < 0;
}

/* The rootfs size; a rootless rootfs is measured inside the chroot's user
 * namespace, where directories of subordinate ids can be read. */
static int rootfs_size(const struct chroot *c, uint64_t *n, struct err *err)
{
	char *rootfs = path_join(c->dir, "rootfs");
	struct du_job j = { rootfs, -1 };
	int p[2], r = -1;

	if (!c->cfg.idmap.nuid || geteuid() == 0) {
		r = rmtree_du_at(AT_FDCWD, rootfs, n, err);
		goto out_free;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		goto out_free;
	j.fd = p[1];
	r = userns_run(&c->cfg.idmap, 0, du_in_userns, &j, err);
	close(p[1]);
	if (r == 0 && read_full(p[0], n, sizeof(*n)) != sizeof(*n))
		r = -1;
	close(p[0]);
out_free:
	free(rootfs);
	return r ? -1 : 0;
}

static bool has_status_filter(char **filters)
{
	for (char **f = filters; f && *f; f++)
		if (str_has_prefix(*f, "status="))
			return true;
	return false;
}

/* The rows to show, newest first: running ones unless --all, a status
 * filter, --latest or --last; one with --latest, N with --last N. */
static struct ps_row *select_rows(const struct ps_opts *o, struct chroot *list,
				  size_t n, size_t *nrows)
{
	bool all = o->all || o->latest || o->last >= 0 ||
		   has_status_filter(o->filters);
	struct ps_row *rows = xcalloc(n + 1, sizeof(*rows));
	struct err e = ERR_INIT;

	*nrows = 0;
	for (size_t i = n; i-- > 0;) {
		struct ps_row *r = &rows[*nrows];

		if (!all && list[i].st.status != CHROOT_RUNNING)
			continue;
		if (!row_matches(o->filters, &list[i]))
			continue;
		r->c = &list[i];
		r->no_trunc = o->no_trunc;
		if (o->size)
			r->have_size = rootfs_size(&list[i], &r->size, &e) == 0;
		(*nrows)++;
		if (o->latest || (o->last >= 0 && *nrows >= (size_t)o->last))
			break;
	}
	return rows;
}

static void print_json(struct ps_row *rows, size_t n)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, row_json(&rows[i]));
	fmt_json_print(arr, stdout);
	cJSON_Delete(arr);
}

static void print_template(const struct ps_opts *o, struct ps_row *rows,
			   size_t n)
{
	const char *fmt = o->format;
	struct err e = ERR_INIT;
	struct fmt_table t;
	struct fmt_tmpl tm;
	char *s;

	if (!fmt)
		fmt = o->size ? "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t"
			"{{.CreatedHuman}}\\t{{.Status}}\\t{{.Ports}}\\t"
			"{{.Names}}\\t{{.Size}}"
		      : "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t"
			"{{.CreatedHuman}}\\t{{.Status}}\\t{{.Ports}}\\t"
			"{{.Names}}";
	if (fmt_tmpl_parse(&tm, fmt, &e) < 0)
		die_err(&e);
	fmt_table_init(&t);
	if (tm.table && !o->noheading) {
		s = fmt_tmpl_header(&tm, row_head);
		fmt_table_add(&t, s);
		free(s);
	}
	for (size_t i = 0; i < n; i++) {
		s = fmt_tmpl_render(&tm, row_get, &rows[i], &e);
		if (!s)
			die_err(&e);
		if (tm.table)
			fmt_table_add(&t, s);
		else
			printf("%s\n", s);
		free(s);
	}
	fmt_table_flush(&t, stdout);
	fmt_table_release(&t);
	fmt_tmpl_release(&tm);
}

/* --sort: the template field to compare, or NULL when unknown. */
static const char *sort_key(const char *key)
{
	static const char *const keys[][2] = {
		{ "command", "Command" }, { "id", "ID" }, { "image", "Image" },
		{ "names", "Names" }, { "status", "Status" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(key, keys[i][0]))
			return keys[i][1];
	if (!strcmp(key, "created") || !strcmp(key, "runningfor") ||
	    !strcmp(key, "size"))
		return key;
	return NULL;
}

static int row_cmp(const void *a, const void *b, void *arg)
{
	const struct ps_row *x = a, *y = b;
	const char *sort_by = arg;
	char *s, *t;
	int r;

	if (!strcmp(sort_by, "size"))
		return x->size < y->size ? -1 : x->size > y->size;
	if (!strcmp(sort_by, "created") || !strcmp(sort_by, "runningfor"))
		return x->c < y->c ? 1 : x->c > y->c ? -1 : 0;
	s = row_get((void *)x, sort_by, false);
	t = row_get((void *)y, sort_by, false);
	r = strcmp(s, t);
	free(s);
	free(t);
	return r;
}

static void parse_opts(struct ps_opts *o, int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_NO_TRUNC, OPT_NOHEADING, OPT_SORT };
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "filter", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "latest", no_argument, NULL, 'l' },
		{ "last", required_argument, NULL, 'n' },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
		{ "noheading", no_argument, NULL, OPT_NOHEADING },
		{ "quiet", no_argument, NULL, 'q' },
		{ "size", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	o->last = -1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":af:ln:qsh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			o->all = true;
			break;
		case 'f':
			o->filters = strv_append(o->filters, optarg);
			break;
		case OPT_FORMAT:
			o->format = optarg;
			break;
		case 'l':
			o->latest = true;
			break;
		case 'n':
			o->last = strtol(optarg, &end, 10);
			if (*end || end == optarg || o->last < 0)
				die_usage("invalid --last '%s'", optarg);
			break;
		case OPT_SORT:
			o->sort = optarg;
			break;
		case OPT_NO_TRUNC:
			o->no_trunc = true;
			break;
		case OPT_NOHEADING:
			o->noheading = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 's':
			o->size = true;
			break;
		case 'h':
			applet_usage_exit("ps", AF_CMD);
		default:
			die_bad_option(ch, argv);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (o->quiet && o->format)
		die("--quiet and --format cannot be used together");
	check_filters(o->filters);
	if (o->sort && !sort_key(o->sort))
		die("invalid --sort '%s': must be one of command, created, id, "
		    "image, names, runningfor, size, status", o->sort);
}

int ps_main(int argc, char **argv, struct gopts *g)
{
	struct ps_opts o = { 0 };
	struct err e = ERR_INIT;
	struct chroot *list;
	struct ps_row *rows;
	size_t n, nrows;

	parse_opts(&o, argc, argv);
	if (chroot_list(g->root, &list, &n, &e) < 0)
		die_err(&e);
	rows = select_rows(&o, list, n, &nrows);
	if (o.sort) {
		qsort_r(rows, nrows, sizeof(*rows), row_cmp,
			(void *)sort_key(o.sort));
	}

	if (o.quiet) {
		for (size_t i = 0; i < nrows; i++)
			printf("%.*s\n", o.no_trunc ? CHROOT_ID_LEN : 12,
			       rows[i].c->cfg.id);
	} else if (o.format && !strcmp(o.format, "json")) {
		print_json(rows, nrows);
	} else {
		print_template(&o, rows, nrows);
	}

	free(rows);
	for (size_t i = 0; i < n; i++)
		chroot_release(&list[i]);
	free(list);
	strv_free(o.filters);
	return fflush(stdout) == 0 ? 0 : EXIT_ERR;
}
