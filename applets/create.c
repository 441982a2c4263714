/* SPDX-License-Identifier: MIT */
/*
 * create: unpack an image into a new chroot's rootfs and record its
 * configuration. The layers are applied in a staging directory under
 * <root>/tmp, inside the chroot's user namespace when rootless, and the
 * finished directory is renamed into <root>/chroots under the store lock.
 *
 * usage: scatman create [options] IMAGE [COMMAND [ARG...]]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/applet.h"
#include "../core/chroot.h"
#include "../core/envfile.h"
#include "../core/idmap.h"
#include "../core/log.h"
#include "../core/pull.h"
#include "../core/rmtree.h"
#include "../core/store.h"
#include "../core/unpack.h"
#include "../core/util.h"

const char create_usage[] =
	"Usage: scatman create [options] IMAGE [COMMAND [ARG...]]\n"
	"\n"
	"Create a chroot from an image without starting it: the image's\n"
	"layers are unpacked into the chroot's rootfs.\n"
	"\n"
	"Options:\n"
	"      --authfile FILE       registry credentials file for a pull\n"
	"      --cert-dir DIR        certificates for the registry of a pull\n"
	"      --creds USER[:PASS]   registry credentials for a pull\n"
	"      --entrypoint CMD      override the image's entrypoint (a string\n"
	"                            or a JSON array)\n"
	"  -e, --env KEY[=VALUE]     set an environment variable (KEY alone:\n"
	"                            take it from the host)\n"
	"      --env-file FILE       read KEY=VALUE lines from FILE\n"
	"  -h, --hostname NAME       the chroot's host name\n"
	"  -i, --interactive         keep stdin open\n"
	"      --ipc host|private    IPC namespace (default private)\n"
	"  -l, --label KEY=VALUE     add a label\n"
	"      --name NAME           name the chroot\n"
	"      --network host|private|none  network namespace (default host)\n"
	"      --pid host|private    PID namespace (default private)\n"
	"      --platform OS/ARCH[/VARIANT]  platform of the image to pull\n"
	"      --pull missing|always|never  when to pull the image (default\n"
	"                            missing)\n"
	"      --tls-verify[=BOOL]   require HTTPS and verify certificates\n"
	"  -t, --tty                 allocate a terminal\n"
	"  -u, --user USER[:GROUP]   the user to run as\n"
	"      --userns auto|keep-id|host  user namespace (default auto)\n"
	"      --uts host|private    UTS namespace (default private)\n"
	"  -v, --volume SRC:DST[:ro|rw]  bind mount SRC at DST\n"
	"  -w, --workdir DIR         working directory inside the chroot\n";

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:" \
		     "/sbin:/bin"

enum {
	OPT_ENTRYPOINT = 256, OPT_ENV_FILE, OPT_AUTHFILE, OPT_CERT_DIR,
	OPT_CREDS, OPT_IPC, OPT_NAME, OPT_NETWORK,
	OPT_PID, OPT_PLATFORM, OPT_PULL, OPT_TLS_VERIFY, OPT_USERNS, OPT_UTS,
};

static const struct option longopts[] = {
	{ "authfile", required_argument, NULL, OPT_AUTHFILE },
	{ "cert-dir", required_argument, NULL, OPT_CERT_DIR },
	{ "creds", required_argument, NULL, OPT_CREDS },
	{ "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
	{ "env", required_argument, NULL, 'e' },
	{ "env-file", required_argument, NULL, OPT_ENV_FILE },
	{ "help", no_argument, NULL, 'H' },
	{ "hostname", required_argument, NULL, 'h' },
	{ "interactive", no_argument, NULL, 'i' },
	{ "ipc", required_argument, NULL, OPT_IPC },
	{ "label", required_argument, NULL, 'l' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "net", required_argument, NULL, OPT_NETWORK },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "pull", required_argument, NULL, OPT_PULL },
	{ "tls-verify", optional_argument, NULL, OPT_TLS_VERIFY },
	{ "tty", no_argument, NULL, 't' },
	{ "user", required_argument, NULL, 'u' },
	{ "userns", required_argument, NULL, OPT_USERNS },
	{ "uts", required_argument, NULL, OPT_UTS },
	{ "volume", required_argument, NULL, 'v' },
	{ "workdir", required_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 },
};

struct create_args {
	const char *name, *entrypoint, *hostname, *user, *workdir;
	const char *ipc, *net, *pid, *uts, *userns, *pull, *platform;
	const char *authfile, *cert_dir, *creds;
	int tls_verify;
	bool tty, interactive;
	char **env, **env_files, **labels, **volumes;
	const char *image;
	char **cmd;		/* command args after the image, or NULL */
};

static const char *one_of(const char *flag, const char *v,
			  const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (!strcmp(v, *allowed))
			return v;
	die_usage("invalid value '%s' for --%s", v, flag);
}

static void parse_long(struct create_args *a, int c, char **argv)
{
	static const char *const hp[] = { "host", "private", NULL };
	static const char *const net[] = { "host", "private", "none", NULL };
	static const char *const pull[] = { "missing", "always", "never",
					    "newer", NULL };

	switch (c) {
	case OPT_AUTHFILE: a->authfile = optarg; break;
	case OPT_CERT_DIR: a->cert_dir = optarg; break;
	case OPT_CREDS: a->creds = optarg; break;
	case OPT_ENTRYPOINT: a->entrypoint = optarg; break;
	case OPT_ENV_FILE: a->env_files = strv_append(a->env_files, optarg);
		break;
	case OPT_IPC: a->ipc = one_of("ipc", optarg, hp); break;
	case OPT_NAME: a->name = optarg; break;
	case OPT_NETWORK: a->net = one_of("network", optarg, net); break;
	case OPT_PID: a->pid = one_of("pid", optarg, hp); break;
	case OPT_PLATFORM: a->platform = optarg; break;
	case OPT_PULL: a->pull = one_of("pull", optarg, pull); break;
	case OPT_TLS_VERIFY:
		a->tls_verify = parse_bool_flag("tls-verify", optarg);
		break;
	case OPT_USERNS:
		if (userns_mode_parse(optarg) < 0)
			die_usage("invalid value '%s' for --userns", optarg);
		a->userns = optarg;
		break;
	case OPT_UTS: a->uts = one_of("uts", optarg, hp); break;
	default: die_bad_option(c, argv);
	}
}

static void parse(struct create_args *a, int argc, char **argv)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:e:h:il:tu:v:w:", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'e': a->env = strv_append(a->env, optarg); break;
		case 'h': a->hostname = optarg; break;
		case 'H': applet_usage_exit("create", AF_CMD);
		case 'i': a->interactive = true; break;
		case 'l': a->labels = strv_append(a->labels, optarg); break;
		case 't': a->tty = true; break;
		case 'u': a->user = optarg; break;
		case 'v': a->volumes = strv_append(a->volumes, optarg); break;
		case 'w': a->workdir = optarg; break;
		default: parse_long(a, c, argv);
		}
	}
	if (optind >= argc)
		die_usage("missing IMAGE");
	a->image = argv[optind];
	if (optind + 1 < argc)
		a->cmd = strv_dup(argv + optind + 1);
	if (a->name && !chroot_name_is_valid(a->name))
		die_usage("invalid name '%s': names must match "
			  "[a-zA-Z0-9][a-zA-Z0-9_.-]*", a->name);
}

static void args_release(struct create_args *a)
{
	strv_free(a->env);
	strv_free(a->env_files);
	strv_free(a->labels);
	strv_free(a->volumes);
	strv_free(a->cmd);
}

/* Sets KEY=VALUE in env, replacing an earlier KEY. */
static char **env_set(char **env, const char *kv)
{
	size_t klen = strcspn(kv, "="), i;

	for (i = 0; env && env[i]; i++) {
		if (!strncmp(env[i], kv, klen) && env[i][klen] == '=') {
			free(env[i]);
			env[i] = xstrdup(kv);
			return env;
		}
	}
	return strv_append(env, kv);
}

static bool env_has(char *const *env, const char *key)
{
	size_t klen = strlen(key);

	for (; env && *env; env++)
		if (!strncmp(*env, key, klen) && (*env)[klen] == '=')
			return true;
	return false;
}

/* "-e KEY=V", or "-e KEY" taking the host's value (left out when unset). */
static char **env_add_arg(char **env, const char *arg)
{
	const char *v;
	char *kv;

	if (!*arg || *arg == '=')
		die_usage("invalid environment variable '%s'", arg);
	if (strchr(arg, '='))
		return env_set(env, arg);
	v = getenv(arg);
	if (!v)
		return env;
	kv = xasprintf("%s=%s", arg, v);
	env = env_set(env, kv);
	free(kv);
	return env;
}

static char **env_add_file(char **env, const char *path)
{
	struct err err = ERR_INIT;
	char **lines = envfile_read(path, &err);

	if (!lines)
		die_err(&err);
	for (size_t i = 0; lines[i]; i++)
		env = env_add_arg(env, lines[i]);
	strv_free(lines);
	return env;
}

/* The image's Env, then --env-file, then -e; PATH, TERM and HOSTNAME
 * added when missing, as podman does. */
static char **build_env(const struct create_args *a, const cJSON *cfg,
			const char *hostname)
{
	char **env = strv_from_json(cJSON_GetObjectItem(cfg, "Env"));
	size_t i;

	for (i = 0; a->env_files && a->env_files[i]; i++)
		env = env_add_file(env, a->env_files[i]);
	for (i = 0; a->env && a->env[i]; i++)
		env = env_add_arg(env, a->env[i]);
	if (!env_has(env, "PATH"))
		env = strv_append(env, "PATH=" DEFAULT_PATH);
	if (!env_has(env, "TERM"))
		env = strv_append(env, "TERM=xterm");
	if (!env_has(env, "HOSTNAME")) {
		char *kv = xasprintf("HOSTNAME=%s", hostname);

		env = strv_append(env, kv);
		free(kv);
	}
	return env;
}

/* --entrypoint: a JSON array, or one string ("" clears it). */
static char **parse_entrypoint(const char *s)
{
	cJSON *j;
	char **v;

	if (s[0] != '[')
		return *s ? strv_append(NULL, s) : NULL;
	j = cJSON_Parse(s);
	if (!cJSON_IsArray(j))
		die_usage("invalid --entrypoint '%s'", s);
	v = strv_from_json(j);
	cJSON_Delete(j);
	return v;
}

/* Entrypoint + Cmd of the image, overridden by the flags. */
static void build_command(struct chroot_config *c,
			  const struct create_args *a, const cJSON *cfg)
{
	size_t i;

	if (a->entrypoint)
		c->entrypoint = parse_entrypoint(a->entrypoint);
	else
		c->entrypoint = strv_from_json(
			cJSON_GetObjectItem(cfg, "Entrypoint"));
	if (a->cmd)
		c->cmd = strv_dup(a->cmd);
	else if (!a->entrypoint)
		c->cmd = strv_from_json(cJSON_GetObjectItem(cfg, "Cmd"));
	for (i = 0; c->entrypoint && c->entrypoint[i]; i++)
		c->argv = strv_append(c->argv, c->entrypoint[i]);
	for (i = 0; c->cmd && c->cmd[i]; i++)
		c->argv = strv_append(c->argv, c->cmd[i]);
	if (!c->argv)
		c->argv = strv_append(NULL, "/bin/sh");
}

static char **build_labels(const struct create_args *a, const cJSON *cfg)
{
	const cJSON *l = cJSON_GetObjectItem(cfg, "Labels"), *it;
	char **v = NULL, *kv;
	size_t i;

	cJSON_ArrayForEach(it, l) {
		if (!cJSON_IsString(it))
			continue;
		kv = xasprintf("%s=%s", it->string, it->valuestring);
		v = env_set(v, kv);
		free(kv);
	}
	for (i = 0; a->labels && a->labels[i]; i++) {
		kv = strchr(a->labels[i], '=') ? xstrdup(a->labels[i]) :
		     xasprintf("%s=", a->labels[i]);
		v = env_set(v, kv);
		free(kv);
	}
	return v;
}

static void check_volumes(char *const *vols)
{
	for (; vols && *vols; vols++) {
		const char *v = *vols, *c1 = strchr(v, ':'), *c2;

		if (!c1 || v[0] != '/' || c1[1] != '/')
			die_usage("invalid volume '%s': expected "
				  "/SRC:/DST[:ro|rw]", v);
		c2 = strchr(c1 + 1, ':');
		if (c2 && strcmp(c2 + 1, "ro") && strcmp(c2 + 1, "rw"))
			die_usage("invalid volume option in '%s'", v);
	}
}

static const char *cfg_str(const cJSON *cfg, const char *key)
{
	const cJSON *s = cJSON_GetObjectItem(cfg, key);

	return cJSON_IsString(s) && *s->valuestring ? s->valuestring : NULL;
}

/* HOSTNAME for the environment: the host's own name with --uts host and
 * no --hostname, as the chroot then shares it. */
static const char *env_hostname(const struct create_args *a,
				const char *chroot_hostname)
{
	static char host[HOST_NAME_MAX + 1];

	if (a->hostname || !a->uts || strcmp(a->uts, "host"))
		return chroot_hostname;
	if (gethostname(host, sizeof(host)) < 0)
		return chroot_hostname;
	host[sizeof(host) - 1] = '\0';
	return host;
}

/* -u, else the image's User; with --userns keep-id and neither, the
 * caller's own uid:gid, as podman's keep-id runs the command. */
static char *build_user(const struct create_args *a, const cJSON *cfg)
{
	const char *s = a->user ? a->user : cfg_str(cfg, "User");

	if (s && *s)
		return xstrdup(s);
	if (a->userns && userns_mode_parse(a->userns) == USERNS_KEEP_ID)
		return xasprintf("%u:%u", (unsigned)getuid(),
				 (unsigned)getgid());
	return xstrdup("");
}

static void build_config(struct chroot_config *c, const struct create_args *a,
			 const struct image *img, const char *root)
{
	const cJSON *cfg = cJSON_GetObjectItem(img->config, "config");
	char id[CHROOT_ID_LEN + 1];
	const char *s;

	chroot_id_generate(id);
	c->id = xstrdup(id);
	c->name = a->name ? xstrdup(a->name) : chroot_name_generate(root);
	c->image_id = xstrdup(img->id);
	c->image_name = xstrdup(img->ref ? img->ref : a->image);
	time_now(&c->created, &c->created_ns);
	build_command(c, a, cfg);
	c->hostname = xstrdup(a->hostname ? a->hostname : c->name);
	c->env = build_env(a, cfg, env_hostname(a, c->hostname));
	s = a->workdir ? a->workdir : cfg_str(cfg, "WorkingDir");
	c->workdir = xstrdup(s ? s : "/");
	c->user = build_user(a, cfg);
	c->volumes = strv_dup(a->volumes);
	c->labels = build_labels(a, cfg);
	c->pid_mode = xstrdup(a->pid ? a->pid : "private");
	c->ipc_mode = xstrdup(a->ipc ? a->ipc : "private");
	c->net_mode = xstrdup(a->net ? a->net : "host");
	c->uts_mode = xstrdup(a->uts ? a->uts : "private");
	c->userns_mode = xstrdup(a->userns ? a->userns : "auto");
	s = cfg_str(cfg, "StopSignal");
	c->stop_signal = s ? xstrdup(s) : NULL;
	c->tty = a->tty;
	c->interactive = a->interactive;
}

struct unpack_job {
	struct store *s;
	const struct image *img;
	const struct idmap *map;
	int stagefd;		/* the staging directory */
	int errfd;		/* the child's error message goes here */
	pid_t parent;		/* the child dies with it */
};

static void warn_ids(const struct unpack_job *j, uint64_t files,
		     uint32_t max_uid, uint32_t max_gid)
{
	uint32_t max = max_uid > max_gid ? max_uid : max_gid;

	if (!files || idmap_is_single(j->map))
		return;
	log_warn("%llu files have owners beyond the mapped ids 0-%u and are "
		 "owned by root instead; a subordinate range of %llu ids "
		 "would be needed (see /etc/subuid and /etc/subgid)",
		 (unsigned long long)files, idmap_uid_span(j->map) - 1,
		 (unsigned long long)max);
}

struct bar {
	int fd;			/* the layer blob: its offset is the progress */
	int64_t size;
	const char *id;		/* short layer id */
};

/* "Extracting <id> [=====>     ] 12.3 MB / 45.6 MB" redrawn in place. */
static void bar_draw(uint64_t bytes, void *arg)
{
	const struct bar *b = arg;
	char done[32], total[32], line[160], fill[31];
	off_t pos = lseek(b->fd, 0, SEEK_CUR);
	int n, w = 30;

	(void)bytes;
	if (pos < 0 || b->size <= 0)
		return;
	if (pos > b->size)
		pos = b->size;
	n = (int)(pos * w / b->size);
	memset(fill, ' ', w);
	memset(fill, '=', n);
	if (n < w)
		fill[n] = '>';
	fill[w] = '\0';
	size_human(pos, done, sizeof(done));
	size_human(b->size, total, sizeof(total));
	n = snprintf(line, sizeof(line), "\rExtracting %s [%s] %s / %s\033[K",
		     b->id, fill, done, total);
	if (write_all(2, line, n) < 0)
		return;
}

static int unpack_layer_at(const struct unpack_job *j, int rootfd, size_t i,
			   struct unpack_stats *st, struct err *err)
{
	const struct image_layer *l = &j->img->layers[i];
	struct unpack_opts o = {
		.oci_whiteouts = true,
		.chown = true,
		.uid_span = j->map->nuid ? idmap_uid_span(j->map) : 0,
		.gid_span = j->map->ngid ? idmap_gid_span(j->map) : 0,
		.keep_perms = true,
		.strict = true,
		.threaded = true,
		.diff_id = l->diff_id,
	};
	char *path = store_blob_path(j->s, l->digest);
	struct bar bar;
	char id[16];
	int fd, ret;

	if (!l->diff_id)
		return err_set(err, 0, "image config lists no diff_id for "
			       "layer '%s'", l->digest);
	fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0) {
		ret = err_set(err, path ? errno : EINVAL, "cannot open layer "
			      "'%s'", l->digest);
		free(path);
		return ret;
	}
	free(path);
	snprintf(id, sizeof(id), "%.12s",
		 l->digest + (str_has_prefix(l->digest, "sha256:") ? 7 : 0));
	bar = (struct bar){ fd, l->size, id };
	if (isatty(2)) {
		o.progress = bar_draw;
		o.progress_arg = &bar;
		bar_draw(0, &bar);
	} else {
		fprintf(stderr, "Extracting %s...\n", id);
	}
	ret = unpack_stream(rootfd, fd, &o, st, err);
	if (o.progress) {
		bar_draw(0, &bar);
		fputc('\n', stderr);
	}
	close(fd);
	if (ret < 0)
		return err_wrap(err, "extracting layer '%s'", l->digest);
	if (st->devices_skipped)
		log_warn("layer '%.19s': %llu device nodes not created "
			 "(mknod is not permitted in a user namespace)",
			 l->digest, (unsigned long long)st->devices_skipped);
	return 0;
}

/* Runs in the chroot's user namespace: every layer into rootfs/. */
static int unpack_child(void *arg)
{
	const struct unpack_job *j = arg;
	struct unpack_stats st;
	uint64_t overflow = 0;
	uint32_t max_uid = 0, max_gid = 0;
	struct err err = ERR_INIT;
	int rootfd;
	size_t i;

	/* A killed create must not leave a child filling the stage (and
	 * holding its lock) behind. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != j->parent)
		return 1;
	if (mkdirat(j->stagefd, "rootfs", 0755) < 0) {
		err_set(&err, errno, "cannot create the rootfs");
		goto out_fail;
	}
	rootfd = openat(j->stagefd, "rootfs", O_PATH | O_DIRECTORY |
			O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0) {
		err_set(&err, errno, "cannot open the rootfs");
		goto out_fail;
	}
	for (i = 0; i < j->img->nlayers; i++) {
		if (unpack_layer_at(j, rootfd, i, &st, &err) < 0)
			goto out_fail;
		overflow += st.id_overflow;
		if (st.max_uid > max_uid)
			max_uid = st.max_uid;
		if (st.max_gid > max_gid)
			max_gid = st.max_gid;
	}
	warn_ids(j, overflow, max_uid, max_gid);
	return 0;

out_fail:
	if (write_all(j->errfd, err.msg, strlen(err.msg)) < 0)
		return 2;
	return 1;
}

/* Removes a staging directory from inside the namespace that owns it. */
static int remove_child(void *arg)
{
	struct err err = ERR_INIT;

	return rmtree_at(AT_FDCWD, arg, &err) < 0 ? 1 : 0;
}

/* Unpacks every layer into <stage>/rootfs, passing the child's error
 * message back. */
static int unpack_image(struct store *s, const struct image *img,
			const struct idmap *map, int stagefd, struct err *err)
{
	struct unpack_job j = { s, img, map, stagefd, -1, getpid() };
	char msg[ERR_MSG_MAX];
	int pfd[2], rc;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return err_set(err, errno, "cannot create a pipe");
	j.errfd = pfd[1];
	rc = userns_run(map, 0, unpack_child, &j, err);
	close(pfd[1]);
	n = read_full(pfd[0], msg, sizeof(msg) - 1);
	close(pfd[0]);
	if (rc <= 0)
		return rc;
	if (n > 0) {
		msg[n] = '\0';
		return err_set(err, 0, "%s", msg);
	}
	return err_set(err, 0, "unpacking '%s' failed (status %d)", img->id,
		       rc);
}

static void remove_stage(const char *path, const struct idmap *map)
{
	struct err err = ERR_INIT;
	int rc = userns_run(map, 0, remove_child, (void *)path, &err);

	if (rc != 0)
		log_warn("cannot remove '%s'", path);
}

/* Staging directories left by a create that was killed: nobody holds
 * their lock any more. */
static void clean_stale_stages(const struct store *s, const struct idmap *map)
{
	struct dirent *de;
	DIR *d = opendir(s->tmp);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *p;
		int fd;

		if (!str_has_prefix(de->d_name, "create-"))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			p = path_join(s->tmp, de->d_name);
			remove_stage(p, map);
			free(p);
		}
		close(fd);
	}
	closedir(d);
}

static void find_image(struct store *s, const struct create_args *a,
		       struct image *img)
{
	struct pull_opts po = { .platform = a->platform,
				.tls_verify = a->tls_verify,
				.creds = a->creds, .cert_dir = a->cert_dir,
				.authfile = a->authfile };
	struct err err = ERR_INIT;
	bool always = a->pull && (!strcmp(a->pull, "always") ||
				  !strcmp(a->pull, "newer"));
	bool never = a->pull && !strcmp(a->pull, "never");

	if (!always && store_image_find(s, a->image, img, &err) == 0)
		return;
	if (!always && err.errnum != ENOENT)
		die_err(&err);
	if (never)
		die("'%s': image not known", a->image);
	if (pull_image(s, a->image, &po, img, &err) < 0)
		die_err(&err);
}

static int name_free(const char *root, const char *name, struct err *err)
{
	struct chroot c;
	struct err e2 = ERR_INIT;

	if (chroot_find(root, name, &c, &e2) == 0) {
		/* no errno text: the sentence says it all */
		err_setc(err, EEXIST, "the chroot name \"%s\" is already in use "
			"by %s. You have to remove that chroot to be able to "
			"reuse that name", name, c.cfg.id);
		chroot_release(&c);
		return -1;
	}
	if (e2.errnum != ENOENT && e2.errnum != EINVAL) {
		*err = e2;
		return -1;
	}
	return 0;
}

/* Under the exclusive store lock: the name is still free, then the
 * staging directory becomes <root>/chroots/<id>. */
static int publish(struct store *s, const char *stage,
		   const struct chroot_config *cfg, struct err *err)
{
	char *base = chroot_base(s->root), *dst;
	int ret = -1;

	if (store_lock(s, LOCK_EX, err) < 0)
		goto out_free;
	dst = path_join(base, cfg->id);
	if (name_free(s->root, cfg->name, err) == 0 &&
	    mkdir_p(base, 0700, err) == 0) {
		ret = rename(stage, dst);
		if (ret < 0)
			err_set(err, errno, "cannot rename '%s' to '%s'",
				stage, dst);
	}
	free(dst);
	store_unlock(s);
out_free:
	free(base);
	return ret;
}

int create_main(int argc, char **argv, struct gopts *g)
{
	struct create_args a = { .tls_verify = -1 };
	struct chroot_config cfg = { 0 };
	struct err err = ERR_INIT;
	struct image img;
	struct store s;
	char *warning, *stage;
	int mode, stagefd, gc_fd, ret;

	parse(&a, argc, argv);
	check_volumes(a.volumes);
	mode = userns_mode_parse(a.userns ? a.userns : "auto");
	if (idmap_for_caller(&cfg.idmap, mode, &warning, &err) < 0)
		die_err(&err);
	if (warning)
		log_warn("%s", warning);
	if (store_open(&s, g->root, &err) < 0)
		die_err(&err);
	/* rmi collects no blob while the image is read and unpacked. */
	gc_fd = store_gc_lock(&s, LOCK_SH, &err);
	if (gc_fd < 0)
		die_err(&err);
	find_image(&s, &a, &img);
	clean_stale_stages(&s, &cfg.idmap);
	build_config(&cfg, &a, &img, g->root);
	if (name_free(g->root, cfg.name, &err) < 0)
		die_err(&err);

	/* Acquire: a locked staging directory, removed again on failure. */
	stage = xasprintf("%s/create-%s", s.tmp, cfg.id);
	if (mkdir(stage, 0700) < 0)
		die_errno("cannot create '%s'", stage);
	stagefd = open(stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (stagefd < 0 || flock(stagefd, LOCK_EX) < 0)
		die_errno("cannot lock '%s'", stage);

	ret = unpack_image(&s, &img, &cfg.idmap, stagefd, &err);
	close(gc_fd);
	if (ret < 0 || chroot_config_save(stage, &cfg, &err) < 0 ||
	    publish(&s, stage, &cfg, &err) < 0) {
		remove_stage(stage, &cfg.idmap);
		die_err(&err);
	}
	close(stagefd);
	fprintf(stderr, "Created %s successfully.\n", cfg.name);
	printf("%s\n", cfg.id);
	free(stage);
	free(warning);
	args_release(&a);
	chroot_config_release(&cfg);
	image_release(&img);
	store_release(&s);
	return fflush(stdout) ? EXIT_ERR : 0;
}
