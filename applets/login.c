/* SPDX-License-Identifier: MIT */
/*
 * login: check credentials against a registry and store them in the
 * containers auth.json.
 *
 * usage: scatman login [options] REGISTRY
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "../core/applet.h"
#include "../core/auth.h"
#include "../core/log.h"
#include "../core/ref.h"
#include "../core/registry.h"
#include "../core/util.h"

const char login_usage[] =
	"Usage: scatman login [options] REGISTRY\n"
	"\n"
	"Log in to a container registry.\n"
	"\n"
	"Options:\n"
	"      --authfile PATH     path of the authentication file\n"
	"      --cert-dir DIR      trust the certificates (*.crt) in DIR\n"
	"  -p, --password PASS    password (prefer --password-stdin)\n"
	"      --password-stdin   read the password from standard input\n"
	"      --tls-verify[=BOOL] require HTTPS and verify certificates (default true)\n"
	"  -u, --username USER    user name\n";

struct opts {
	const char *authfile, *cert_dir, *user, *pass;
	bool pass_stdin;
	int tls_verify;
};

enum { OPT_AUTHFILE = 256, OPT_CERT_DIR, OPT_PASS_STDIN, OPT_TLS_VERIFY };

static const struct option longopts[] = {
	{ "authfile", required_argument, NULL, OPT_AUTHFILE },
	{ "cert-dir", required_argument, NULL, OPT_CERT_DIR },
	{ "help", no_argument, NULL, 'h' },
	{ "password", required_argument, NULL, 'p' },
	{ "password-stdin", no_argument, NULL, OPT_PASS_STDIN },
	{ "tls-verify", optional_argument, NULL, OPT_TLS_VERIFY },
	{ "username", required_argument, NULL, 'u' },
	{ NULL, 0, NULL, 0 },
};

static void parse(int argc, char **argv, struct opts *o)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hp:u:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_AUTHFILE: o->authfile = optarg; break;
		case OPT_CERT_DIR: o->cert_dir = optarg; break;
		case 'p': o->pass = optarg; break;
		case OPT_PASS_STDIN: o->pass_stdin = true; break;
		case OPT_TLS_VERIFY:
			o->tls_verify = parse_bool_flag("tls-verify", optarg);
			break;
		case 'u': o->user = optarg; break;
		case 'h': applet_usage_exit("login", AF_CMD);
		default: die_bad_option(c, argv);
		}
	}
	if (optind != argc - 1)
		die_usage("'login' requires exactly one registry");
	if (o->pass && o->pass_stdin)
		die_usage("'--password' and '--password-stdin' cannot be used together");
}

/* One line from stdin without its newline; echo off when hidden and a
 * terminal. Malloc'd. */
static char *read_line(const char *prompt, bool hidden)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty)
		fprintf(stderr, "%s", prompt);
	if (tty && hidden && tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	} else {
		hidden = false;
	}
	n = getline(&line, &cap, stdin);
	if (hidden) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	if (n < 0)
		die("cannot read %s from standard input", hidden ? "the password" : "input");
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

int login_main(int argc, char **argv, struct gopts *g)
{
	struct opts o = { .tls_verify = -1 };
	struct registry_opts ro = { 0 };
	struct err err = ERR_INIT;
	char *host, *user, *pass, *certs[3] = { 0 };

	parse(argc, argv, &o);
	host = auth_registry_host(argv[optind]);
	if (!host)
		die_usage("invalid registry '%s'", argv[optind]);
	user = o.user ? xstrdup(o.user) : read_line("Username: ", false);
	if (o.pass)
		pass = xstrdup(o.pass);
	else
		pass = read_line("Password: ", !o.pass_stdin);
	if (!*user || strchr(user, ':'))
		die("invalid user name '%s'", user);
	certs[0] = xasprintf("/etc/containers/certs.d/%s", host);
	certs[1] = o.cert_dir ? xstrdup(o.cert_dir) : NULL;
	ro.tls_verify = o.tls_verify != 0;
	ro.cert_dirs = (const char *const *)certs;
	ro.user = user;
	ro.pass = pass;
	if (registry_login(host, &ro, &err) < 0 ||
	    auth_store(o.authfile, host, user, pass, &err) < 0)
		die_err(&err);
	printf("Login Succeeded!\n");
	for (size_t i = 0; i < ARRAY_SIZE(certs); i++)
		free(certs[i]);
	free(host);
	free(user);
	free(pass);
	return fflush(stdout) ? EXIT_ERR : 0;
}
