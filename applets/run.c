/* SPDX-License-Identifier: MIT */
/*
 * run: create a chroot (pulling the image when needed) and start it,
 * attached unless -d. Takes every option of create plus --rm and -d;
 * create runs as a child ("scatman create"), so both stay one code path.
 * With --rm the supervisor removes the chroot ("scatman rm -f") once its
 * exit is recorded, detached or not.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/applet.h"
#include "../core/chroot.h"
#include "../core/log.h"
#include "../core/supervise.h"
#include "../core/util.h"

const char run_usage[] =
	"Usage: scatman run [options] IMAGE [COMMAND [ARG...]]\n"
	"\n"
	"Run a command in a new chroot: create (see 'scatman create --help'\n"
	"for the options it shares) and start it, attached to the terminal\n"
	"unless -d is given.\n"
	"\n"
	"Options besides create's:\n"
	"  -d, --detach        run in the background and print the chroot ID\n"
	"      --rm            remove the chroot when it exits\n"
	"\n"
	"Exit status: the command's; 125 for an error of scatman, 126 when\n"
	"the command cannot be run, 127 when it is not found.\n";

enum { OPT_RM = 256, OPT_HELP, OPT_LONG_VALUE, OPT_LONG_OPTIONAL };

/* create's options, all passed on as "--name[=value]". */
static const struct option longopts[] = {
	{ "detach", no_argument, NULL, 'd' },
	{ "rm", no_argument, NULL, OPT_RM },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "authfile", required_argument, NULL, OPT_LONG_VALUE },
	{ "cert-dir", required_argument, NULL, OPT_LONG_VALUE },
	{ "creds", required_argument, NULL, OPT_LONG_VALUE },
	{ "entrypoint", required_argument, NULL, OPT_LONG_VALUE },
	{ "env", required_argument, NULL, 'e' },
	{ "env-file", required_argument, NULL, OPT_LONG_VALUE },
	{ "hostname", required_argument, NULL, 'h' },
	{ "interactive", no_argument, NULL, 'i' },
	{ "ipc", required_argument, NULL, OPT_LONG_VALUE },
	{ "label", required_argument, NULL, 'l' },
	{ "name", required_argument, NULL, OPT_LONG_VALUE },
	{ "net", required_argument, NULL, OPT_LONG_VALUE },
	{ "network", required_argument, NULL, OPT_LONG_VALUE },
	{ "pid", required_argument, NULL, OPT_LONG_VALUE },
	{ "platform", required_argument, NULL, OPT_LONG_VALUE },
	{ "pull", required_argument, NULL, OPT_LONG_VALUE },
	{ "tls-verify", optional_argument, NULL, OPT_LONG_OPTIONAL },
	{ "tty", no_argument, NULL, 't' },
	{ "user", required_argument, NULL, 'u' },
	{ "userns", required_argument, NULL, OPT_LONG_VALUE },
	{ "uts", required_argument, NULL, OPT_LONG_VALUE },
	{ "volume", required_argument, NULL, 'v' },
	{ "workdir", required_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 },
};

struct run_opts {
	bool detach, rm, interactive;
	char **create;		/* argv for "scatman create" */
};

static const struct option *opt_by_val(int val)
{
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == val)
			return o;
	return NULL;
}

static void run_parse(int argc, char **argv, struct gopts *g,
		      struct run_opts *o)
{
	int ch, idx;

	o->create = strv_append(strv_append(strv_append(NULL, g->self),
					    "--root"), g->root);
	o->create = strv_append(o->create, "create");
	for (idx = -1; (ch = getopt_long(argc, argv, "+:de:h:il:tu:v:w:",
					 longopts, &idx)) != -1; idx = -1) {
		const struct option *lo = idx >= 0 ? &longopts[idx]
						   : opt_by_val(ch);
		char *arg;

		if (ch == 'd' || ch == OPT_RM) {
			*(ch == 'd' ? &o->detach : &o->rm) = true;
			continue;
		}
		if (ch == OPT_HELP)
			applet_usage_exit("run", AF_CMD);
		if (!lo)
			die_bad_option(ch, argv);
		o->interactive |= ch == 'i';
		arg = optarg ? xasprintf("--%s=%s", lo->name, optarg)
			     : xasprintf("--%s", lo->name);
		o->create = strv_append(o->create, arg);
		free(arg);
	}
	if (optind >= argc)
		die_usage("'run' requires at least 1 argument");
	for (int i = optind; i < argc; i++)
		o->create = strv_append(o->create, argv[i]);
}

/* Runs create; returns the new chroot's ID (caller frees). */
static char *run_create(char **argv)
{
	char buf[CHROOT_ID_LEN + 2];
	int p[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		die_errno("pipe");
	pid = fork();
	if (pid < 0)
		die_errno("cannot fork");
	if (pid == 0) {
		if (dup2(p[1], 1) < 0)
			_exit(EXIT_ERR);
		execv(argv[0], argv);
		_exit(EXIT_ERR);
	}
	close(p[1]);
	n = read_full(p[0], buf, sizeof(buf));
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waiting for create");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		exit(EXIT_ERR);
	if (n != CHROOT_ID_LEN + 1 || buf[CHROOT_ID_LEN] != '\n')
		die("create printed no chroot ID");
	return xstrndup(buf, CHROOT_ID_LEN);
}

/* Removes a chroot whose start failed (the supervisor removes it after a
 * recorded exit). */
static void run_rm(char **argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* rm prints the name it removed: stdout belongs to the
		 * command's output here. */
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execv(argv[0], argv);
		_exit(EXIT_ERR);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

int run_main(int argc, char **argv, struct gopts *g)
{
	struct run_opts o = { 0 };
	struct supervise_opts so = { .stdin_fd = 0, .out_fd = 1, .err_fd = 2 };
	struct supervise_report rep;
	struct err err = ERR_INIT;
	char *id, *rm[] = { (char *)g->self, "--root", (char *)g->root,
			    "rm", "-f", NULL, NULL };
	struct chroot c;
	int r;

	run_parse(argc, argv, g, &o);
	id = run_create(o.create);
	if (chroot_find(g->root, id, &c, &err) < 0)
		die_err(&err);
	rm[5] = id;
	so.attach = !o.detach;
	so.interactive = o.interactive && !o.detach;
	so.on_exit = o.rm ? rm : NULL;
	so.lockfd = chroot_lock(c.dir, LOCK_EX, &err);
	if (so.lockfd < 0 || supervise_start(&c, &so, &rep, &err) < 0)
		die_err(&err);
	close(so.lockfd);
	if (rep.code != 0) {
		log_error("%s", rep.msg);
		if (o.rm)
			run_rm(rm);
		return rep.code;
	}
	if (o.detach) {
		printf("%s\n", id);
		return 0;
	}
	/* Cleanup of the options and record is left to process exit. */
	r = supervise_attach(&rep, o.interactive ? 0 : -1, 1, &err);
	if (r == -1)
		die_err(&err);
	return r == -2 ? 0 : r;
}
