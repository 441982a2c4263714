/* SPDX-License-Identifier: MIT */
/*
 * tag: add names to a local image.
 *
 * usage: scatman tag IMAGE TARGET_NAME [TARGET_NAME...]
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../core/applet.h"
#include "../core/log.h"
#include "../core/ref.h"
#include "../core/store.h"
#include "../core/util.h"

const char tag_usage[] =
	"Usage: scatman tag IMAGE TARGET_NAME [TARGET_NAME...]\n"
	"\n"
	"Add an additional name to a local image.\n";

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int tag_main(int argc, char **argv, struct gopts *g)
{
	struct err err = ERR_INIT;
	struct image img;
	struct store s;
	struct stat st;
	char *path, *source;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'h')
			applet_usage_exit("tag", AF_CMD);
		die_bad_option(c, argv);
	}
	if (argc - optind < 2)
		die_usage("'tag' requires an image and at least one target name");
	/* Check every name before changing anything. */
	for (int i = optind + 1; i < argc; i++) {
		struct ref r;

		if (ref_parse(argv[i], &r, &err) < 0)
			die_err(&err);
		ref_release(&r);
	}
	if (store_open(&s, g->root, &err) < 0 ||
	    store_image_find(&s, argv[optind], &img, &err) < 0)
		die_err(&err);
	source = store_display_digest(&s, img.manifest_digest);
	path = store_blob_path(&s, img.manifest_digest);
	if (!path || stat(path, &st) < 0)
		die_errno("cannot read the manifest of '%s'", argv[optind]);
	for (int i = optind + 1; i < argc; i++) {
		struct ref r, q;
		char *name;

		/* Unqualified new names are local ones, as podman's. */
		ref_parse(argv[i], &r, &err);
		ref_qualify(&r, r.qualified ? r.domain : "localhost", &q);
		name = ref_string(&q);
		ref_release(&q);
		if (store_tag_set(&s, name, img.manifest_digest, MT_OCI_MANIFEST,
				  (int64_t)st.st_size, source, &err) < 0)
			die_err(&err);
		free(name);
		ref_release(&r);
	}
	free(path);
	free(source);
	image_release(&img);
	store_release(&s);
	return 0;
}
