// SPDX-License-Identifier: MIT
/*
 * inspect: the configuration and state of chroots and images as JSON, as
 * podman inspect prints them.
 *
 * Without --type a chroot name wins over an image of the same name.
 * --format takes "json" or a template with dotted fields such as
 * '{{.State.Status}}'.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/applet.h"
#include "../core/chroot.h"
#include "../core/format.h"
#include "../core/log.h"
#include "../core/store.h"
#include "../core/util.h"

const char inspect_usage[] =
	"Usage: scatman inspect [options] NAME|IMAGE [...]\n"
	"\n"
	"Display the configuration of chroots or images\n"
	"\n"
	"Options:\n"
	"  -f, --format FORMAT   json (default) or a Go template such as\n"
	"                        '{{.State.Status}}'\n"
	"  -l, --latest          inspect the latest created chroot\n"
	"  -t, --type TYPE       chroot (or container), image, or all\n"
	"  -h, --help            show this help\n";

enum inspect_type { TYPE_ALL, TYPE_CHROOT, TYPE_IMAGE };

static void add_time(cJSON *j, const char *key, int64_t sec, long ns)
{
	char buf[48];

	if (!sec && !ns)
		snprintf(buf, sizeof(buf), "0001-01-01T00:00:00Z");
	else
		time_format_rfc3339(sec, ns, buf, sizeof(buf));
	cJSON_AddStringToObject(j, key, buf);
}

/* "SRC:DST[:ro|rw]" volumes as podman's Mounts entries. */
static cJSON *mounts_json(char *const *volumes)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; volumes && volumes[i]; i++) {
		char *v = xstrdup(volumes[i]), *dst = strchr(v, ':'), *mode;
		cJSON *m = cJSON_CreateObject();

		if (dst)
			*dst++ = '\0';
		mode = dst ? strchr(dst, ':') : NULL;
		if (mode)
			*mode++ = '\0';
		cJSON_AddStringToObject(m, "Type", "bind");
		cJSON_AddStringToObject(m, "Source", v);
		cJSON_AddStringToObject(m, "Destination", dst ? dst : v);
		cJSON_AddStringToObject(m, "Mode", "");
		cJSON_AddBoolToObject(m, "RW", !mode || strcmp(mode, "ro"));
		cJSON_AddStringToObject(m, "Propagation", "rprivate");
		cJSON_AddItemToArray(arr, m);
		free(v);
	}
	return arr;
}

static cJSON *chroot_json(const struct chroot *c)
{
	cJSON *j = chroot_config_to_json(&c->cfg), *st;
	char *rootfs = path_join(c->dir, "rootfs");
	bool running = c->st.status == CHROOT_RUNNING;

	cJSON_AddStringToObject(j, "Rootfs", rootfs);
	free(rootfs);
	st = cJSON_CreateObject();
	cJSON_AddStringToObject(st, "Status", chroot_status_name(c->st.status));
	cJSON_AddBoolToObject(st, "Running", running);
	cJSON_AddBoolToObject(st, "Paused", false);
	cJSON_AddBoolToObject(st, "Dead", false);
	cJSON_AddNumberToObject(st, "Pid", running ? c->st.pid : 0);
	cJSON_AddNumberToObject(st, "ExitCode", c->st.exit_code);
	add_time(st, "StartedAt", c->st.started_at, c->st.started_ns);
	add_time(st, "FinishedAt", c->st.finished_at, c->st.finished_ns);
	cJSON_AddItemToObject(j, "State", st);
	cJSON_AddItemToObject(j, "Mounts", mounts_json(c->cfg.volumes));
	cJSON_AddStringToObject(j, "Driver", "vfs");
	return j;
}

/* The chroot or image called name, or NULL with err (ENOENT: neither). */
static cJSON *lookup(const char *root, const char *name,
		     enum inspect_type type, struct err *err)
{
	struct store s;
	struct image img;
	struct chroot c;
	cJSON *j = NULL;

	if (type != TYPE_IMAGE) {
		if (chroot_find(root, name, &c, err) == 0) {
			j = chroot_json(&c);
			chroot_release(&c);
			return j;
		}
		if (err->errnum != ENOENT || type == TYPE_CHROOT)
			return NULL;
	}
	if (store_open(&s, root, err) < 0)
		return NULL;
	if (store_image_find(&s, name, &img, err) == 0) {
		j = store_image_inspect(&s, &img, err);
		image_release(&img);
	}
	store_release(&s);
	return j;
}

static void print_one(const struct fmt_tmpl *tm, cJSON *j)
{
	struct err e = ERR_INIT;
	char *s = fmt_tmpl_render(tm, fmt_json_get, j, &e);

	if (!s)
		die_err(&e);
	printf("%s\n", s);
	free(s);
}

/* The name of the latest created chroot, malloc'd. */
static char *latest_name(const char *root)
{
	struct err e = ERR_INIT;
	struct chroot *list;
	char *name;
	size_t n;

	if (chroot_list(root, &list, &n, &e) < 0)
		die_err(&e);
	if (!n)
		die("no chroots to inspect");
	name = xstrdup(list[n - 1].cfg.id);
	for (size_t i = 0; i < n; i++)
		chroot_release(&list[i]);
	free(list);
	return name;
}

static enum inspect_type parse_type(const char *s)
{
	if (!strcmp(s, "chroot") || !strcmp(s, "container"))
		return TYPE_CHROOT;
	if (!strcmp(s, "image"))
		return TYPE_IMAGE;
	if (!strcmp(s, "all"))
		return TYPE_ALL;
	die("invalid type '%s': must be chroot, image or all", s);
}

struct inspect_opts {
	enum inspect_type type;
	const char *format;	/* NULL: JSON */
	char *latest;		/* --latest: the chroot's ID */
};

static void parse_opts(struct inspect_opts *o, int argc, char **argv,
		       const char *root)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "latest", no_argument, NULL, 'l' },
		{ "type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":f:lt:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			o->format = optarg;
			break;
		case 'l':
			free(o->latest);
			o->latest = latest_name(root);
			break;
		case 't':
			o->type = parse_type(optarg);
			break;
		case 'h':
			applet_usage_exit("inspect", AF_CMD);
		default:
			die_bad_option(ch, argv);
		}
	}
	if (optind == argc && !o->latest)
		die_usage("inspect requires at least one name");
	if (o->format && !strcmp(o->format, "json"))
		o->format = NULL;
}

int inspect_main(int argc, char **argv, struct gopts *g)
{
	struct inspect_opts o = { TYPE_ALL, NULL, NULL };
	struct err e = ERR_INIT;
	struct fmt_tmpl tm;
	int missing = 0;
	cJSON *arr;

	parse_opts(&o, argc, argv, g->root);
	if (o.format && fmt_tmpl_parse(&tm, o.format, &e) < 0)
		die_err(&e);

	arr = cJSON_CreateArray();
	for (int i = o.latest ? optind - 1 : optind; i < argc; i++) {
		const char *name = i < optind ? o.latest : argv[i];
		cJSON *j;

		e = (struct err)ERR_INIT;
		j = lookup(g->root, name, o.type, &e);
		if (!j) {
			if (e.errnum == ENOENT)
				log_error("no such object: '%s'", name);
			else
				log_error("%s", e.msg);
			missing++;
			continue;
		}
		if (o.format)
			print_one(&tm, j);
		cJSON_AddItemToArray(arr, j);
	}
	if (!o.format)
		fmt_json_print(arr, stdout);
	cJSON_Delete(arr);
	if (o.format)
		fmt_tmpl_release(&tm);
	free(o.latest);
	fflush(stdout);
	return missing ? EXIT_ERR : 0;
}
