/* SPDX-License-Identifier: MIT */
/*
 * rmi: remove image tags, then the blobs no tag reaches.
 *
 * usage: scatman rmi [-a] [-f] IMAGE...
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "../core/applet.h"
#include "../core/chroot.h"
#include "../core/log.h"
#include "../core/store.h"
#include "../core/util.h"

const char rmi_usage[] =
	"Usage: scatman rmi [options] IMAGE [IMAGE...]\n"
	"\n"
	"Remove one or more images from local storage.\n"
	"\n"
	"Options:\n"
	"  -a, --all    remove all images\n"
	"  -f, --force  remove images even when chroots were made from them\n";

/* podman's rmi exit codes */
enum { RMI_NOT_FOUND = 1, RMI_IN_USE = 2 };

static const struct option longopts[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "force", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The first chroot made from image id, or NULL; caller frees. */
static char *chroot_using(const char *root, const char *id)
{
	struct err err = ERR_INIT;
	struct chroot *list;
	char *who = NULL;
	size_t n;

	if (chroot_list(root, &list, &n, &err) < 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!who && list[i].cfg.image_id && !strcmp(list[i].cfg.image_id, id))
			who = xstrdup(list[i].cfg.name ? list[i].cfg.name : list[i].cfg.id);
		chroot_release(&list[i]);
	}
	free(list);
	return who;
}

/* Refs of every tag whose image has id, NULL-ended; caller frees. */
static char **tags_of(struct store *s, const char *id)
{
	struct err err = ERR_INIT;
	struct store_tag *tags;
	char **out;
	size_t n, k = 0;

	if (store_tags_load(s, &tags, &n, &err) < 0)
		die_err(&err);
	out = xcalloc(n + 1, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		struct image img;

		if (!tags[i].ref ||
		    store_image_load(s, tags[i].digest, NULL, &img, &err) < 0)
			continue;
		if (!strcmp(img.id, id))
			out[k++] = xstrdup(tags[i].ref);
		image_release(&img);
	}
	store_tags_free(tags, n);
	return out;
}

static size_t strv_count(char **v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

static void strv_release(char **v)
{
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

/* Removes the tags name stands for; returns an exit status. */
static int remove_one(struct store *s, const char *name, bool force,
		      bool every_tag)
{
	struct err err = ERR_INIT;
	struct image img;
	char **all, *user;
	size_t nall, nrm;
	int ret = 0;

	if (store_image_find(s, name, &img, &err) < 0) {
		log_error("%s", err.msg);
		return err.errnum == ENOENT ? RMI_NOT_FOUND : EXIT_ERR;
	}
	all = tags_of(s, img.id);
	nall = strv_count(all);
	nrm = img.ref ? 1 : nall;
	if (!img.ref && nall > 1 && !force && !every_tag) {
		log_error("unable to delete image '%s' by ID with more than one tag (%s, ...): %s",
			  img.id, all[0], "please force removal");
		ret = EXIT_ERR;
		goto out_free;
	}
	user = nrm == nall ? chroot_using(s->root, img.id) : NULL;
	if (user && !force) {
		log_error("image '%s' is in use by chroot '%s': %s", name, user,
			  "remove the chroot first or use --force");
		free(user);
		ret = RMI_IN_USE;
		goto out_free;
	}
	free(user);
	for (size_t i = 0; i < nall; i++) {
		if (img.ref && strcmp(all[i], img.ref))
			continue;
		if (store_tag_remove(s, all[i], &err) < 0) {
			log_error("%s", err.msg);
			ret = EXIT_ERR;
			continue;
		}
		printf("Untagged: %s\n", all[i]);
	}
	if (!ret && nrm == nall)
		printf("Deleted: %s\n", img.id);
out_free:
	strv_release(all);
	image_release(&img);
	return ret;
}

/* Every image ID in the store, NULL-ended; caller frees. */
static char **all_ids(struct store *s)
{
	struct err err = ERR_INIT;
	struct store_tag *tags;
	char **out;
	size_t n, k = 0;

	if (store_tags_load(s, &tags, &n, &err) < 0)
		die_err(&err);
	out = xcalloc(n + 1, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		struct image img;
		bool seen = false;

		if (store_image_load(s, tags[i].digest, NULL, &img, &err) < 0)
			continue;
		for (size_t j = 0; j < k && !seen; j++)
			seen = !strcmp(out[j], img.id);
		if (!seen)
			out[k++] = xstrdup(img.id);
		image_release(&img);
	}
	store_tags_free(tags, n);
	return out;
}

int rmi_main(int argc, char **argv, struct gopts *g)
{
	struct err err = ERR_INIT;
	bool all = false, force = false;
	struct store s;
	int c, gc_fd, ret = 0;
	char **names;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":afh", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'f': force = true; break;
		case 'h': applet_usage_exit("rmi", AF_CMD);
		default: die_bad_option(c, argv);
		}
	}
	if (all == (optind < argc))
		die_usage(all ? "'--all' takes no image names" :
			  "'rmi' requires at least one image name");
	if (store_open(&s, g->root, &err) < 0)
		die_err(&err);
	gc_fd = store_gc_lock(&s, LOCK_EX, &err);
	if (gc_fd < 0 || store_lock(&s, LOCK_EX, &err) < 0)
		die_err(&err);
	names = all ? all_ids(&s) : NULL;
	for (int i = 0; all ? names[i] != NULL : optind + i < argc; i++) {
		int r = remove_one(&s, all ? names[i] : argv[optind + i],
				   force, all);

		if (r && (!ret || r == EXIT_ERR || (r == RMI_IN_USE && ret == 1)))
			ret = r;
	}
	if (store_gc(&s, NULL, &err) < 0) {
		log_error("%s", err.msg);
		ret = EXIT_ERR;
	}
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
	store_release(&s);
	close(gc_fd);
	return fflush(stdout) ? EXIT_ERR : ret;
}
