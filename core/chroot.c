/* SPDX-License-Identifier: MIT */
/* Chroots on disk: configuration, state, names, IDs, locks, liveness. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chroot.h"
#include "proc.h"
#include "util.h"

#define CHROOT_JSON_MAX (1 << 20)
#define CHROOT_NAME_MAX 128

/* String vectors */

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

char **strv_append(char **v, const char *s)
{
	size_t n = strv_len(v);

	v = xrealloc(v, (n + 2) * sizeof(*v));
	v[n] = xstrdup(s);
	v[n + 1] = NULL;
	return v;
}

char **strv_dup(char *const *v)
{
	char **out = NULL;

	if (!v)
		return NULL;
	out = xcalloc(1, sizeof(*out));
	for (size_t i = 0; v[i]; i++)
		out = strv_append(out, v[i]);
	return out;
}

char **strv_from_json(const cJSON *arr)
{
	const cJSON *it;
	char **v;

	if (!cJSON_IsArray(arr))
		return NULL;
	v = xcalloc(1, sizeof(*v));
	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it))
			v = strv_append(v, it->valuestring);
	return v;
}

cJSON *strv_to_json(char *const *v)
{
	cJSON *arr;

	if (!v)
		return cJSON_CreateNull();
	arr = cJSON_CreateArray();
	for (size_t i = 0; v[i]; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(v[i]));
	return arr;
}

/* Config <-> JSON */

static const char *jstr(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static char *jdup(const cJSON *obj, const char *key, const char *fallback)
{
	const char *s = jstr(obj, key);

	return s ? xstrdup(s) : fallback ? xstrdup(fallback) : NULL;
}

static bool jbool(const cJSON *obj, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static void add_time(cJSON *obj, const char *key, int64_t sec, long nsec)
{
	char buf[64];

	if (sec == 0 && nsec == 0)
		snprintf(buf, sizeof(buf), "0001-01-01T00:00:00Z");
	else
		time_format_rfc3339(sec, nsec, buf, sizeof(buf));
	cJSON_AddStringToObject(obj, key, buf);
}

static void get_time(const cJSON *obj, const char *key, int64_t *sec,
		     long *nsec)
{
	const char *s = jstr(obj, key);

	*sec = 0;
	*nsec = 0;
	if (!s || str_has_prefix(s, "0001-") ||
	    time_parse_rfc3339(s, sec, nsec) < 0) {
		*sec = 0;
		*nsec = 0;
	}
}

static cJSON *labels_to_json(char *const *labels)
{
	cJSON *obj = cJSON_CreateObject();

	for (size_t i = 0; labels && labels[i]; i++) {
		const char *eq = strchr(labels[i], '=');
		char *k = eq ? xstrndup(labels[i], (size_t)(eq - labels[i]))
			     : xstrdup(labels[i]);

		cJSON_DeleteItemFromObjectCaseSensitive(obj, k);
		cJSON_AddStringToObject(obj, k, eq ? eq + 1 : "");
		free(k);
	}
	return obj;
}

static char **labels_from_json(const cJSON *obj)
{
	char **v = xcalloc(1, sizeof(*v));
	const cJSON *it;

	cJSON_ArrayForEach(it, obj) {
		char *kv;

		if (!cJSON_IsString(it) || !it->string)
			continue;
		kv = xasprintf("%s=%s", it->string, it->valuestring);
		v = strv_append(v, kv);
		free(kv);
	}
	return v;
}

cJSON *chroot_config_to_json(const struct chroot_config *cfg)
{
	cJSON *j = cJSON_CreateObject(), *c, *h, *args;

	cJSON_AddStringToObject(j, "Id", cfg->id);
	cJSON_AddStringToObject(j, "Name", cfg->name);
	add_time(j, "Created", cfg->created, cfg->created_ns);
	cJSON_AddStringToObject(j, "Image", cfg->image_id ? cfg->image_id : "");
	cJSON_AddStringToObject(j, "ImageName",
				cfg->image_name ? cfg->image_name : "");
	cJSON_AddStringToObject(j, "Path",
				cfg->argv && cfg->argv[0] ? cfg->argv[0] : "");
	args = cJSON_CreateArray();
	for (size_t i = 1; cfg->argv && cfg->argv[0] && cfg->argv[i]; i++)
		cJSON_AddItemToArray(args, cJSON_CreateString(cfg->argv[i]));
	cJSON_AddItemToObject(j, "Args", args);

	c = cJSON_AddObjectToObject(j, "Config");
	cJSON_AddStringToObject(c, "Hostname",
				cfg->hostname ? cfg->hostname : "");
	cJSON_AddStringToObject(c, "User", cfg->user ? cfg->user : "");
	cJSON_AddItemToObject(c, "Env", strv_to_json(cfg->env));
	cJSON_AddItemToObject(c, "Cmd", strv_to_json(cfg->cmd));
	cJSON_AddItemToObject(c, "Entrypoint", strv_to_json(cfg->entrypoint));
	cJSON_AddStringToObject(c, "WorkingDir",
				cfg->workdir ? cfg->workdir : "/");
	cJSON_AddItemToObject(c, "Labels", labels_to_json(cfg->labels));
	cJSON_AddBoolToObject(c, "Tty", cfg->tty);
	cJSON_AddBoolToObject(c, "OpenStdin", cfg->interactive);
	cJSON_AddStringToObject(c, "StopSignal",
				cfg->stop_signal ? cfg->stop_signal : "SIGTERM");

	h = cJSON_AddObjectToObject(j, "HostConfig");
	cJSON_AddItemToObject(h, "Binds", strv_to_json(cfg->volumes));
	cJSON_AddStringToObject(h, "PidMode", cfg->pid_mode ? cfg->pid_mode
							    : "private");
	cJSON_AddStringToObject(h, "IpcMode", cfg->ipc_mode ? cfg->ipc_mode
							    : "private");
	cJSON_AddStringToObject(h, "NetworkMode",
				cfg->net_mode ? cfg->net_mode : "host");
	cJSON_AddStringToObject(h, "UTSMode", cfg->uts_mode ? cfg->uts_mode
							    : "private");
	cJSON_AddStringToObject(h, "UsernsMode",
				cfg->userns_mode ? cfg->userns_mode : "auto");
	cJSON_AddItemToObject(j, "IdMap", idmap_to_json(&cfg->idmap));
	return j;
}

int chroot_config_from_json(struct chroot_config *cfg, const cJSON *j,
			    struct err *err)
{
	const cJSON *c, *h, *args, *it;
	const char *path;

	memset(cfg, 0, sizeof(*cfg));
	if (!cJSON_IsObject(j))
		return err_set(err, EINVAL, "chroot config is not an object");
	cfg->id = jdup(j, "Id", NULL);
	cfg->name = jdup(j, "Name", NULL);
	if (!cfg->id || !cfg->name) {
		chroot_config_release(cfg);
		return err_set(err, EINVAL, "chroot config has no Id or Name");
	}
	get_time(j, "Created", &cfg->created, &cfg->created_ns);
	cfg->image_id = jdup(j, "Image", "");
	cfg->image_name = jdup(j, "ImageName", "");
	path = jstr(j, "Path");
	cfg->argv = xcalloc(1, sizeof(char *));
	if (path && *path) {
		cfg->argv = strv_append(cfg->argv, path);
		args = cJSON_GetObjectItemCaseSensitive(j, "Args");
		cJSON_ArrayForEach(it, args)
			if (cJSON_IsString(it))
				cfg->argv = strv_append(cfg->argv,
							it->valuestring);
	}

	c = cJSON_GetObjectItemCaseSensitive(j, "Config");
	cfg->hostname = jdup(c, "Hostname", cfg->name);
	cfg->user = jdup(c, "User", "");
	cfg->env = strv_from_json(cJSON_GetObjectItemCaseSensitive(c, "Env"));
	cfg->cmd = strv_from_json(cJSON_GetObjectItemCaseSensitive(c, "Cmd"));
	cfg->entrypoint = strv_from_json(
		cJSON_GetObjectItemCaseSensitive(c, "Entrypoint"));
	cfg->workdir = jdup(c, "WorkingDir", "/");
	cfg->labels = labels_from_json(
		cJSON_GetObjectItemCaseSensitive(c, "Labels"));
	cfg->tty = jbool(c, "Tty");
	cfg->interactive = jbool(c, "OpenStdin");
	cfg->stop_signal = jdup(c, "StopSignal", "SIGTERM");

	h = cJSON_GetObjectItemCaseSensitive(j, "HostConfig");
	cfg->volumes = strv_from_json(
		cJSON_GetObjectItemCaseSensitive(h, "Binds"));
	cfg->pid_mode = jdup(h, "PidMode", "private");
	cfg->ipc_mode = jdup(h, "IpcMode", "private");
	cfg->net_mode = jdup(h, "NetworkMode", "host");
	cfg->uts_mode = jdup(h, "UTSMode", "private");
	cfg->userns_mode = jdup(h, "UsernsMode", "auto");
	if (idmap_from_json(&cfg->idmap,
			    cJSON_GetObjectItemCaseSensitive(j, "IdMap"),
			    err) < 0) {
		chroot_config_release(cfg);
		return -1;
	}
	return 0;
}

void chroot_config_release(struct chroot_config *cfg)
{
	free(cfg->id);
	free(cfg->name);
	free(cfg->image_id);
	free(cfg->image_name);
	strv_free(cfg->argv);
	strv_free(cfg->entrypoint);
	strv_free(cfg->cmd);
	strv_free(cfg->env);
	free(cfg->workdir);
	free(cfg->user);
	free(cfg->hostname);
	strv_free(cfg->volumes);
	strv_free(cfg->labels);
	free(cfg->pid_mode);
	free(cfg->ipc_mode);
	free(cfg->net_mode);
	free(cfg->uts_mode);
	free(cfg->userns_mode);
	free(cfg->stop_signal);
	memset(cfg, 0, sizeof(*cfg));
}

static int json_save(const char *dir, const char *file, cJSON *j,
		     bool durable, struct err *err)
{
	char *path = path_join(dir, file);
	char *text = cJSON_Print(j);
	int r;

	if (!text) {
		free(path);
		return err_set(err, ENOMEM, "cannot format '%s'", file);
	}
	if (durable)
		r = file_write_atomic(path, text, strlen(text), 0644, err);
	else
		r = file_replace(path, text, strlen(text), 0644, err);
	free(text);
	free(path);
	return r;
}

static cJSON *json_load(const char *dir, const char *file, struct err *err)
{
	char *path = path_join(dir, file);
	char *text = file_read(path, CHROOT_JSON_MAX, NULL, err);
	cJSON *j;

	if (!text) {
		free(path);
		return NULL;
	}
	j = cJSON_Parse(text);
	free(text);
	if (!j)
		err_set(err, EINVAL, "malformed JSON in '%s'", path);
	free(path);
	return j;
}

int chroot_config_save(const char *dir, const struct chroot_config *cfg,
		       struct err *err)
{
	cJSON *j = chroot_config_to_json(cfg);
	int r = json_save(dir, "config.json", j, true, err);

	cJSON_Delete(j);
	return r;
}

/* State */

static const char *const status_names[] = {
	[CHROOT_CREATED] = "created",
	[CHROOT_RUNNING] = "running",
	[CHROOT_EXITED] = "exited",
};

const char *chroot_status_name(enum chroot_status s)
{
	return (size_t)s < ARRAY_SIZE(status_names) ? status_names[s]
						    : "unknown";
}

static double jnum(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(it) ? it->valuedouble : 0;
}

int chroot_state_load(const char *dir, struct chroot_state *st,
		      struct err *err)
{
	struct err e2 = ERR_INIT;
	const char *status;
	cJSON *j;

	memset(st, 0, sizeof(*st));
	j = json_load(dir, "state.json", &e2);
	if (!j) {
		if (e2.errnum == ENOENT)
			return 0;
		*err = e2;
		return -1;
	}
	status = jstr(j, "Status");
	for (size_t i = 0; status && i < ARRAY_SIZE(status_names); i++)
		if (!strcmp(status, status_names[i]))
			st->status = (enum chroot_status)i;
	st->pid = (pid_t)jnum(j, "Pid");
	st->pid_start = (uint64_t)jnum(j, "PidStart");
	st->supervisor = (pid_t)jnum(j, "Supervisor");
	st->supervisor_start = (uint64_t)jnum(j, "SupervisorStart");
	st->exit_code = (int)jnum(j, "ExitCode");
	get_time(j, "StartedAt", &st->started_at, &st->started_ns);
	get_time(j, "FinishedAt", &st->finished_at, &st->finished_ns);
	cJSON_Delete(j);
	return 0;
}

int chroot_state_save(const char *dir, const struct chroot_state *st,
		      struct err *err)
{
	cJSON *j = cJSON_CreateObject();
	int r;

	cJSON_AddStringToObject(j, "Status", chroot_status_name(st->status));
	cJSON_AddNumberToObject(j, "Pid", st->pid);
	cJSON_AddNumberToObject(j, "PidStart", (double)st->pid_start);
	cJSON_AddNumberToObject(j, "Supervisor", st->supervisor);
	cJSON_AddNumberToObject(j, "SupervisorStart",
				(double)st->supervisor_start);
	cJSON_AddNumberToObject(j, "ExitCode", st->exit_code);
	add_time(j, "StartedAt", st->started_at, st->started_ns);
	add_time(j, "FinishedAt", st->finished_at, st->finished_ns);
	/* State describes processes: after a power loss it is stale anyway,
	 * so it is replaced atomically but not synced (start stays fast). */
	r = json_save(dir, "state.json", j, false, err);
	cJSON_Delete(j);
	return r;
}

void chroot_state_refresh(struct chroot_state *st)
{
	bool alive;

	if (st->status != CHROOT_RUNNING)
		return;
	if (st->supervisor)
		alive = proc_is_alive(st->supervisor, st->supervisor_start);
	else
		alive = proc_is_alive(st->pid, st->pid_start);
	if (alive)
		return;
	/* The supervisor died without recording an exit: report the chroot
	 * as killed. */
	st->status = CHROOT_EXITED;
	st->exit_code = 137;
	st->pid = 0;
}

bool chroot_is_running(const struct chroot *c)
{
	return c->st.status == CHROOT_RUNNING &&
	       (c->st.supervisor
			? proc_is_alive(c->st.supervisor, c->st.supervisor_start)
			: proc_is_alive(c->st.pid, c->st.pid_start));
}

/* Loading and finding */

char *chroot_base(const char *root)
{
	return path_join(root, "chroots");
}

int chroot_load(const char *dir, struct chroot *c, struct err *err)
{
	cJSON *j;
	int r;

	memset(c, 0, sizeof(*c));
	j = json_load(dir, "config.json", err);
	if (!j)
		return -1;
	r = chroot_config_from_json(&c->cfg, j, err);
	cJSON_Delete(j);
	if (r < 0)
		return -1;
	if (chroot_state_load(dir, &c->st, err) < 0) {
		chroot_config_release(&c->cfg);
		return -1;
	}
	chroot_state_refresh(&c->st);
	c->dir = xstrdup(dir);
	return 0;
}

void chroot_release(struct chroot *c)
{
	chroot_config_release(&c->cfg);
	free(c->dir);
	memset(c, 0, sizeof(*c));
}

static bool is_id(const char *s)
{
	size_t n = strlen(s);

	if (n != CHROOT_ID_LEN)
		return false;
	return strspn(s, "0123456789abcdef") == n;
}

static int by_created(const void *a, const void *b)
{
	const struct chroot *x = a, *y = b;

	if (x->cfg.created != y->cfg.created)
		return x->cfg.created < y->cfg.created ? -1 : 1;
	if (x->cfg.created_ns != y->cfg.created_ns)
		return x->cfg.created_ns < y->cfg.created_ns ? -1 : 1;
	return strcmp(x->cfg.id, y->cfg.id);
}

int chroot_list(const char *root, struct chroot **list, size_t *n,
		struct err *err)
{
	char *base = chroot_base(root);
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	*list = NULL;
	*n = 0;
	d = opendir(base);
	if (!d) {
		int e = errno, r = 0;

		if (e != ENOENT)
			r = err_set(err, e, "cannot read '%s'", base);
		free(base);
		return r;
	}
	while ((de = readdir(d))) {
		struct err e2 = ERR_INIT;
		char *dir;

		if (!is_id(de->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*list = xrealloc(*list, cap * sizeof(**list));
		}
		dir = path_join(base, de->d_name);
		/* A directory without a readable config is not a chroot (yet):
		 * skip it rather than fail every listing. */
		if (chroot_load(dir, &(*list)[*n], &e2) == 0)
			(*n)++;
		free(dir);
	}
	closedir(d);
	free(base);
	if (*n)
		qsort(*list, *n, sizeof(**list), by_created);
	return 0;
}

int chroot_find(const char *root, const char *name_or_id, struct chroot *c,
		struct err *err)
{
	struct chroot *list;
	size_t n, match = SIZE_MAX, nprefix = 0;
	int r = -1;

	if (!*name_or_id)
		return err_set(err, EINVAL, "empty chroot name");
	/* The common fast path: a full ID is a directory name. */
	if (is_id(name_or_id)) {
		char *base = chroot_base(root);
		char *dir = path_join(base, name_or_id);
		struct err e2 = ERR_INIT;

		free(base);
		r = chroot_load(dir, c, &e2);
		free(dir);
		if (r == 0)
			return 0;
	}
	if (chroot_list(root, &list, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(list[i].cfg.name, name_or_id)) {
			match = i;
			nprefix = 1;
			break;
		}
		if (str_has_prefix(list[i].cfg.id, name_or_id)) {
			match = i;
			nprefix++;
		}
	}
	if (nprefix == 1) {
		*c = list[match];
		memset(&list[match], 0, sizeof(list[match]));
		r = 0;
	} else if (nprefix > 1) {
		r = err_set(err, EINVAL, "more than one chroot matches '%s'",
			    name_or_id);
	} else {
		r = err_set(err, ENOENT, "no such chroot '%s'", name_or_id);
		err->errnum = ENOENT;
	}
	for (size_t i = 0; i < n; i++)
		chroot_release(&list[i]);
	free(list);
	return r;
}

int chroot_lock(const char *dir, int how, struct err *err)
{
	char *path = path_join(dir, "lock");
	int fd = file_lock(path, 0644, how, err);

	free(path);
	return fd;
}

/* Names and IDs */

bool chroot_name_is_valid(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > CHROOT_NAME_MAX)
		return false;
	if (!((name[0] >= 'a' && name[0] <= 'z') ||
	      (name[0] >= 'A' && name[0] <= 'Z') ||
	      (name[0] >= '0' && name[0] <= '9')))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static void random_bytes(void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = getrandom((char *)buf + got, len - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* No entropy source: fall back to time and pid,
			 * IDs only need to be unique, not secret. */
			int64_t s;
			long ns;

			time_now(&s, &ns);
			for (; got < len; got++)
				((unsigned char *)buf)[got] =
					(unsigned char)((ns >> (got % 8)) ^
							getpid() ^ (s >> got));
			return;
		}
		got += (size_t)n;
	}
}

void chroot_id_generate(char buf[CHROOT_ID_LEN + 1])
{
	unsigned char raw[CHROOT_ID_LEN / 2];

	random_bytes(raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(buf + 2 * i, 3, "%02x", raw[i]);
}

char *chroot_name_generate(const char *root)
{
	static const char *const adjectives[] = {
		"amber", "bold", "brave", "breezy", "bright", "calm", "clever",
		"cosy", "crisp", "dapper", "eager", "fancy", "gentle", "happy",
		"jolly", "keen", "lively", "lucky", "merry", "nimble", "plucky",
		"quiet", "rapid", "snappy", "spry", "sunny", "swift", "witty",
	};
	static const char *const nouns[] = {
		"badger", "beaver", "bongo", "box", "crate", "drum", "falcon",
		"ferret", "gecko", "heron", "jazz", "kestrel", "lynx", "marmot",
		"otter", "parcel", "puffin", "raven", "scat", "swing", "tin",
		"trunk", "vole", "walrus", "wren", "yak",
	};
	for (int tries = 0;; tries++) {
		struct chroot c;
		struct err e = ERR_INIT;
		unsigned char r[4];
		char *name;

		random_bytes(r, sizeof(r));
		/* Once the plain pairs run short, add a number. */
		if (tries < 32)
			name = xasprintf("%s_%s",
					 adjectives[r[0] % ARRAY_SIZE(adjectives)],
					 nouns[r[1] % ARRAY_SIZE(nouns)]);
		else
			name = xasprintf("%s_%s%u",
					 adjectives[r[0] % ARRAY_SIZE(adjectives)],
					 nouns[r[1] % ARRAY_SIZE(nouns)],
					 (unsigned)(r[2] << 8 | r[3]));
		if (chroot_find(root, name, &c, &e) < 0 && e.errnum == ENOENT)
			return name;
		if (e.errnum != ENOENT && e.errnum)
			return name;
		chroot_release(&c);
		free(name);
	}
}
