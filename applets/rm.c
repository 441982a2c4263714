// SPDX-License-Identifier: MIT
/*
 * rm: remove chroots, as podman rm.
 *
 * A running chroot needs -f, which stops it first (its stop signal, then
 * SIGKILL after -t seconds). The chroot's directory is renamed out of the
 * listing first, then removed without following symlinks or crossing
 * mounts; a rootless rootfs owned by subordinate ids is removed from
 * inside the chroot's user namespace. Exit codes as podman's: 1 when a
 * chroot does not exist, 2 when one is running, 125 otherwise. A missing
 * name does not stop the others from being removed; -f and -i pass over
 * missing names in silence.
 *
 * TODO: -v has nothing to remove (no named volumes); --depend is rmi's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "../core/applet.h"
#include "../core/chroot.h"
#include "../core/log.h"
#include "../core/rmtree.h"
#include "../core/supervise.h"
#include "../core/util.h"

const char rm_usage[] =
	"Usage: scatman rm [options] NAME [...]\n"
	"\n"
	"Remove one or more chroots\n"
	"\n"
	"Options:\n"
	"  -a, --all             remove all chroots\n"
	"  -f, --force           stop running chroots first; ignore chroots\n"
	"                        that do not exist\n"
	"  -i, --ignore          ignore chroots that do not exist\n"
	"  -t, --time SECONDS    seconds to wait for a stop before killing\n"
	"                        (default 10)\n"
	"  -v, --volumes         remove anonymous volumes (none exist)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Options may follow the names. The chroots found are removed even\n"
	"when other names are not found; the exit status is then 1, and 2\n"
	"when a chroot is running (without --force).\n";

enum { RM_SKIPPED = -2, RM_MISSING = 1, RM_RUNNING = 2 };

struct rm_opts {
	bool all, force, ignore;
	int timeout;
};

#define LEFTOVER_WARNING "removing what an earlier rm left: %s"

struct rm_rootfs_arg {
	const char *path;
	bool leftover;		/* failures are warnings */
};

/* In the chroot's user namespace: removes the rootfs. */
static int rm_rootfs(void *arg)
{
	const struct rm_rootfs_arg *a = arg;
	struct err e = ERR_INIT;

	if (rmtree_at(AT_FDCWD, a->path, &e) < 0) {
		if (a->leftover)
			log_warn(LEFTOVER_WARNING, e.msg);
		else
			log_error("%s", e.msg);
		return 1;
	}
	return 0;
}

/* Removes gone, a chroot directory already out of the listing: its
 * rootfs inside the user namespace of map, then the rest. */
static int remove_gone(const struct idmap *map, const char *gone,
		       bool leftover, struct err *err)
{
	char *rootfs = path_join(gone, "rootfs");
	struct rm_rootfs_arg arg = { rootfs, leftover };
	int r = -1, st;

	st = userns_run(map, 0, rm_rootfs, &arg, err);
	if (st < 0)
		goto out_free;
	if (st > 0) {
		err_set(err, 0, "cannot remove '%s'", rootfs);
		goto out_free;
	}
	r = rmtree_at(AT_FDCWD, gone, err);
out_free:
	free(rootfs);
	return r;
}

/* Removes the directory of a stopped, locked chroot. */
static int remove_dir(const struct chroot *c, struct err *err)
{
	/* unique, so a leftover of a failed removal never blocks this one */
	char *gone = xasprintf("%s.removing-%d", c->dir, (int)getpid());
	int r = -1;

	/* out of the listing at once; the rest may take a while */
	if (rename(c->dir, gone) < 0)
		err_set(err, errno, "cannot rename '%s'", c->dir);
	else
		r = remove_gone(&c->cfg.idmap, gone, false, err);
	free(gone);
	return r;
}

/* The pid of a leftover "<id>.removing-<pid>" whose rm is gone, else 0. */
static pid_t dead_remover(const char *name)
{
	const char *dot = strchr(name, '.');
	long long pid;

	if (!dot || dot - name != 64 || strspn(name, "0123456789abcdef") != 64)
		return 0;
	if (!str_has_prefix(dot, ".removing-") ||
	    !str_to_num(dot + 10, 1, INT_MAX, &pid) || pid == getpid())
		return 0;
	if (kill((pid_t)pid, 0) == 0 || errno == EPERM)
		return 0;
	return (pid_t)pid;
}

/* The id map gone's rootfs was made with: its config.json's, or with
 * that gone (the removal got that far) the caller's default. */
static int leftover_idmap(const char *gone, struct chroot_config *cfg,
			  struct err *err)
{
	char *path = path_join(gone, "config.json");
	char *text = file_read(path, 1 << 20, NULL, &(struct err)ERR_INIT);
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	int r;

	if (j)
		r = chroot_config_from_json(cfg, j, err);
	else
		r = idmap_for_caller(&cfg->idmap, USERNS_AUTO, NULL, err);
	cJSON_Delete(j);
	free(text);
	free(path);
	return r;
}

/* Retries removing the leftover base/name of a killed or failed rm: taken
 * over under our own pid first (so two rms never share one), then removed
 * in the user namespace its rootfs was made for. */
static int remove_leftover(const char *base, const char *name,
			   struct err *err)
{
	char *old = path_join(base, name), *gone;
	struct chroot_config cfg = { 0 };
	int r = 0;

	gone = xasprintf("%s/%.64s.removing-%d", base, name, (int)getpid());
	if (rename(old, gone) < 0) {
		if (errno != ENOENT)
			r = err_set(err, errno, "cannot rename '%s'", old);
		goto out_free;
	}
	r = leftover_idmap(gone, &cfg, err);
	if (r == 0)
		r = remove_gone(&cfg.idmap, gone, true, err);
	chroot_config_release(&cfg);
out_free:
	free(gone);
	free(old);
	return r;
}

/* Cleans up after earlier rms that were killed or failed; a failure is
 * only a warning. */
static void remove_leftovers(const char *root)
{
	char *base = path_join(root, "chroots");
	struct dirent *de;
	DIR *d = opendir(base);

	while (d && (de = readdir(d))) {
		struct err e = ERR_INIT;

		if (!dead_remover(de->d_name))
			continue;
		if (remove_leftover(base, de->d_name, &e) < 0)
			log_warn(LEFTOVER_WARNING, e.msg);
	}
	if (d)
		closedir(d);
	free(base);
}

/* Stops c when it runs and we may; returns 0, RM_RUNNING or -1. */
static int stop_if_running(struct chroot *c, const struct rm_opts *o,
			   struct err *err)
{
	if (!chroot_is_running(c))
		return 0;
	if (!o->force) {
		err_set(err, 0, "cannot remove running chroot '%s': stop it "
			"first or use --force", c->cfg.name);
		return RM_RUNNING;
	}
	supervise_stop(c, o->timeout);
	return 0;
}

/* Removes one chroot; returns 0, RM_SKIPPED (a missing name passed over)
 * or an exit status with err filled. */
static int rm_one(const char *root, const char *name,
		  const struct rm_opts *o, struct err *err)
{
	struct chroot c;
	int r, lockfd;

	if (chroot_find(root, name, &c, err) < 0) {
		if (err->errnum != ENOENT)
			return EXIT_ERR;
		return o->ignore || o->force ? RM_SKIPPED : RM_MISSING;
	}
	r = stop_if_running(&c, o, err);
	if (r)
		goto out_release;
	/* a supervisor holds the lock until it has recorded the exit */
	lockfd = chroot_lock(c.dir, LOCK_EX, err);
	r = EXIT_ERR;
	if (lockfd < 0)
		goto out_release;
	if (chroot_state_load(c.dir, &c.st, err) < 0)
		goto out_unlock;
	chroot_state_refresh(&c.st);
	if (chroot_is_running(&c)) {
		r = RM_RUNNING;
		err_set(err, 0, "chroot '%s' was started again",
			c.cfg.name);
		goto out_unlock;
	}
	if (remove_dir(&c, err) == 0)
		r = 0;
out_unlock:
	close(lockfd);
out_release:
	chroot_release(&c);
	return r;
}

static void parse_opts(struct rm_opts *o, int argc, char **argv)
{
	enum { OPT_DEPEND = 256 };
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "ignore", no_argument, NULL, 'i' },
		{ "time", required_argument, NULL, 't' },
		{ "volumes", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long long n;
	int ch;

	o->timeout = 10;
	opterr = 0;
	/* permuting: podman takes options after the names too */
	while ((ch = getopt_long(argc, argv, ":afit:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			o->all = true;
			break;
		case 'f':
			o->force = true;
			break;
		case 'i':
			o->ignore = true;
			break;
		case 't':
			if (!str_to_num(optarg, 0, INT_MAX, &n))
				die_usage("invalid timeout '%s'", optarg);
			o->timeout = (int)n;
			break;
		case 'v':
			break;
		case 'h':
			applet_usage_exit("rm", AF_CMD);
		default:
			die_bad_option(ch, argv);
		}
	}
	if (o->all && optind < argc)
		die_usage("--all and chroot names cannot be used together");
	if (!o->all && optind == argc)
		die_usage("rm requires at least one chroot name, or --all");
}

/* The names to remove with --all: every chroot's ID, newest first. */
static char **all_ids(const char *root)
{
	struct err e = ERR_INIT;
	struct chroot *list;
	char **v = xcalloc(1, sizeof(*v));
	size_t n;

	if (chroot_list(root, &list, &n, &e) < 0)
		die_err(&e);
	for (size_t i = n; i-- > 0;) {
		v = strv_append(v, list[i].cfg.id);
		chroot_release(&list[i]);
	}
	free(list);
	return v;
}

int rm_main(int argc, char **argv, struct gopts *g)
{
	struct rm_opts o = { 0 };
	char **names;
	int status = 0;

	parse_opts(&o, argc, argv);
	remove_leftovers(g->root);
	names = o.all ? all_ids(g->root) : strv_dup(argv + optind);
	for (size_t i = 0; names[i]; i++) {
		struct err e = ERR_INIT;
		int r = rm_one(g->root, names[i], &o, &e);

		if (r == RM_SKIPPED)
			continue;
		if (r == 0) {
			printf("%s\n", names[i]);
			fflush(stdout);
			continue;
		}
		if (r == RM_MISSING)
			log_error("no chroot with name or ID '%s' found",
				  names[i]);
		else
			log_error("%s", e.msg);
		/* podman: any other failure outranks running, running
		 * outranks missing */
		if (r == EXIT_ERR || (r == RM_RUNNING && status != EXIT_ERR) ||
		    !status)
			status = r;
	}
	strv_free(names);
	return status;
}
