/* SPDX-License-Identifier: MIT */
/*
 * pull: fetch an image from a registry into the store.
 *
 * usage: scatman pull [options] IMAGE [IMAGE...]
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../core/applet.h"
#include "../core/log.h"
#include "../core/pull.h"
#include "../core/store.h"

const char pull_usage[] =
	"Usage: scatman pull [options] IMAGE [IMAGE...]\n"
	"\n"
	"Pull images from a registry into local storage.\n"
	"\n"
	"Options:\n"
	"      --arch ARCH           use ARCH instead of the host's architecture\n"
	"      --authfile PATH       path of the authentication file\n"
	"      --cert-dir DIR        trust the certificates (*.crt) in DIR\n"
	"      --creds USER:PASS     credentials for the registry\n"
	"      --os OS               use OS instead of the host's (linux)\n"
	"      --platform OS/ARCH[/VARIANT]  choose the platform to pull\n"
	"  -q, --quiet               print only the image ID\n"
	"      --tls-verify[=BOOL]   require HTTPS and verify certificates (default true)\n"
	"      --variant VARIANT     use VARIANT instead of the default\n";

enum {
	OPT_ARCH = 256, OPT_AUTHFILE, OPT_CERT_DIR, OPT_CREDS, OPT_OS,
	OPT_PLATFORM, OPT_TLS_VERIFY, OPT_VARIANT,
};

static const struct option longopts[] = {
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "authfile", required_argument, NULL, OPT_AUTHFILE },
	{ "cert-dir", required_argument, NULL, OPT_CERT_DIR },
	{ "creds", required_argument, NULL, OPT_CREDS },
	{ "help", no_argument, NULL, 'h' },
	{ "os", required_argument, NULL, OPT_OS },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "quiet", no_argument, NULL, 'q' },
	{ "tls-verify", optional_argument, NULL, OPT_TLS_VERIFY },
	{ "variant", required_argument, NULL, OPT_VARIANT },
	{ NULL, 0, NULL, 0 },
};

static void parse(int argc, char **argv, struct pull_opts *o)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ARCH: o->arch = optarg; break;
		case OPT_AUTHFILE: o->authfile = optarg; break;
		case OPT_CERT_DIR: o->cert_dir = optarg; break;
		case OPT_CREDS: o->creds = optarg; break;
		case OPT_OS: o->os = optarg; break;
		case OPT_PLATFORM: o->platform = optarg; break;
		case OPT_VARIANT: o->variant = optarg; break;
		case OPT_TLS_VERIFY:
			o->tls_verify = parse_bool_flag("tls-verify", optarg);
			break;
		case 'q': o->quiet = true; break;
		case 'h': applet_usage_exit("pull", AF_CMD);
		default: die_bad_option(c, argv);
		}
	}
}

int pull_main(int argc, char **argv, struct gopts *g)
{
	struct pull_opts o = { .tls_verify = -1 };
	struct err err = ERR_INIT;
	struct image img;
	struct store s;

	parse(argc, argv, &o);
	if (optind == argc)
		die_usage("'pull' requires at least one image name");
	if (store_open(&s, g->root, &err) < 0)
		die_err(&err);
	for (int i = optind; i < argc; i++) {
		if (pull_image(&s, argv[i], &o, &img, &err) < 0)
			die_err(&err);
		printf("%s\n", img.id);
		fflush(stdout);
		image_release(&img);
	}
	store_release(&s);
	return fflush(stdout) ? EXIT_ERR : 0;
}
