/* SPDX-License-Identifier: MIT */
/* User and group id maps: subordinate ranges, newuidmap/newgidmap, the
 * single-id fallback, and running a function in a new user namespace. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idmap.h"
#include "util.h"

static const char *const userns_names[] = {
	[USERNS_AUTO] = "auto",
	[USERNS_HOST] = "host",
	[USERNS_KEEP_ID] = "keep-id",
	[USERNS_PRIVATE] = "private",
};

int userns_mode_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(userns_names); i++)
		if (!strcmp(s, userns_names[i]))
			return (int)i;
	if (!strcmp(s, ""))
		return USERNS_AUTO;
	return -1;
}

const char *userns_mode_name(enum userns_mode mode)
{
	return (size_t)mode < ARRAY_SIZE(userns_names) ? userns_names[mode]
						       : "auto";
}

/* Finds a setuid helper (newuidmap) in the usual places or on PATH. */
static bool helper_exists(const char *name)
{
	static const char *const dirs[] = { "/usr/bin", "/bin", "/usr/sbin",
					    "/sbin", "/usr/local/bin" };
	const char *path = getenv("PATH");

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char *p = path_join(dirs[i], name);
		bool ok = access(p, X_OK) == 0;

		free(p);
		if (ok)
			return true;
	}
	while (path && *path) {
		const char *end = strchrnul(path, ':');
		char *dir = xstrndup(path, (size_t)(end - path));
		char *p = path_join(*dir ? dir : ".", name);
		bool ok = access(p, X_OK) == 0;

		free(dir);
		free(p);
		if (ok)
			return true;
		path = *end ? end + 1 : end;
	}
	return false;
}

/*
 * Reads the ranges of the user (by name or numeric id) from a subid file
 * ("name:start:count" lines) into r; returns how many were found.
 */
static size_t subid_ranges(const char *file, const char *name, uid_t id,
			   struct idmap_range *r, size_t max)
{
	char idstr[16], line[512];
	size_t n = 0;
	FILE *f;

	snprintf(idstr, sizeof(idstr), "%u", (unsigned)id);
	f = fopen(file, "re");
	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		char *who = strtok(line, ":\n");
		char *start = strtok(NULL, ":\n");
		char *count = strtok(NULL, ":\n");
		unsigned long s, c;
		char *e1, *e2;

		if (!who || !start || !count)
			continue;
		if (strcmp(who, idstr) && (!name || strcmp(who, name)))
			continue;
		s = strtoul(start, &e1, 10);
		c = strtoul(count, &e2, 10);
		if (*e1 || *e2 || !c || s > UINT32_MAX || c > UINT32_MAX - s)
			continue;
		r[n].outside = (uint32_t)s;
		r[n].count = (uint32_t)c;
		n++;
	}
	fclose(f);
	return n;
}

/* Lays out one dimension (uids or gids) of the map. */
static size_t layout(struct idmap_range *out, uint32_t self,
		     const struct idmap_range *sub, size_t nsub,
		     enum userns_mode mode)
{
	uint32_t next = 1;
	size_t n = 0;

	if (mode != USERNS_KEEP_ID || self == 0) {
		out[n++] = (struct idmap_range){ 0, self, 1 };
		for (size_t i = 0; i < nsub && n < IDMAP_MAX; i++) {
			out[n] = sub[i];
			out[n++].inside = next;
			next += sub[i].count;
		}
		return n;
	}
	/* keep-id: 0..self-1 and self+1.. come from the ranges, self is
	 * the caller. */
	next = 0;
	for (size_t i = 0; i < nsub && n + 2 < IDMAP_MAX; i++) {
		struct idmap_range r = sub[i];

		if (next < self && next + r.count > self) {
			uint32_t before = self - next;

			out[n++] = (struct idmap_range){ next, r.outside,
							 before };
			out[n++] = (struct idmap_range){ self, self, 1 };
			out[n++] = (struct idmap_range){
				self + 1, r.outside + before, r.count - before
			};
			next += r.count + 1;
			continue;
		}
		out[n] = r;
		out[n++].inside = next;
		next += r.count;
		if (next == self) {
			out[n++] = (struct idmap_range){ self, self, 1 };
			next++;
		}
	}
	return n;
}

int idmap_for_caller(struct idmap *m, enum userns_mode mode, char **warning,
		     struct err *err)
{
	struct idmap_range subu[IDMAP_MAX - 1], subg[IDMAP_MAX - 1];
	uid_t uid = getuid();
	gid_t gid = getgid();
	struct passwd *pw;
	size_t nu, ng;

	memset(m, 0, sizeof(*m));
	if (warning)
		*warning = NULL;
	if (uid == 0) {
		if (mode == USERNS_HOST || mode == USERNS_AUTO)
			return 0;
		/* A private namespace for root: every id as it is. */
		m->uid[0] = (struct idmap_range){ 0, 0, UINT32_MAX };
		m->gid[0] = m->uid[0];
		m->nuid = m->ngid = 1;
		return 0;
	}
	if (mode == USERNS_HOST)
		return err_set(err, EPERM, "--userns host needs root");

	pw = getpwuid(uid);
	nu = subid_ranges("/etc/subuid", pw ? pw->pw_name : NULL, uid, subu,
			  ARRAY_SIZE(subu));
	ng = subid_ranges("/etc/subgid", pw ? pw->pw_name : NULL, uid, subg,
			  ARRAY_SIZE(subg));
	if (!nu || !ng || !helper_exists("newuidmap") ||
	    !helper_exists("newgidmap")) {
		if (warning)
			*warning = xasprintf(
				"%s: only your own id is mapped (files of other "
				"owners become root's); install newuidmap/"
				"newgidmap (package uidmap) and add ranges for "
				"'%s' to /etc/subuid and /etc/subgid, e.g. "
				"'%s:100000:65536'",
				!nu || !ng ? "no subordinate id range"
					   : "newuidmap/newgidmap not found",
				pw ? pw->pw_name : "you",
				pw ? pw->pw_name : "you");
		m->uid[0] = (struct idmap_range){ 0, uid, 1 };
		m->gid[0] = (struct idmap_range){ 0, gid, 1 };
		m->nuid = m->ngid = 1;
		return 0;
	}
	m->nuid = layout(m->uid, uid, subu, nu, mode);
	m->ngid = layout(m->gid, gid, subg, ng, mode);
	return 0;
}

bool idmap_is_single(const struct idmap *m)
{
	return m->nuid == 1 && m->uid[0].count == 1;
}

static uint32_t map_to_host(const struct idmap_range *r, size_t n,
			    uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= r[i].inside && id - r[i].inside < r[i].count)
			return r[i].outside + (id - r[i].inside);
	return UINT32_MAX;
}

uint32_t idmap_uid_to_host(const struct idmap *m, uint32_t id)
{
	return m->nuid ? map_to_host(m->uid, m->nuid, id) : id;
}

uint32_t idmap_gid_to_host(const struct idmap *m, uint32_t id)
{
	return m->ngid ? map_to_host(m->gid, m->ngid, id) : id;
}

static uint32_t span(const struct idmap_range *r, size_t n)
{
	uint32_t top = 0;

	for (size_t i = 0; i < n; i++)
		if (r[i].inside + r[i].count > top)
			top = r[i].inside + r[i].count;
	return top;
}

uint32_t idmap_uid_span(const struct idmap *m)
{
	return span(m->uid, m->nuid);
}

uint32_t idmap_gid_span(const struct idmap *m)
{
	return span(m->gid, m->ngid);
}

static int write_proc(pid_t pid, const char *file, const char *text,
		      struct err *err)
{
	char path[64];
	int fd, r;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, errno, "cannot open '%s'", path);
	r = write_all(fd, text, strlen(text));
	close(fd);
	if (r < 0)
		return err_set(err, errno, "cannot write '%s'", path);
	return 0;
}

static char *map_text(const struct idmap_range *r, size_t n)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%u %u %u\n", s, r[i].inside,
				    r[i].outside, r[i].count);

		free(s);
		s = t;
	}
	return s;
}

/* Runs newuidmap/newgidmap PID inside outside count ... */
static int run_helper(const char *helper, pid_t pid,
		      const struct idmap_range *r, size_t n, struct err *err)
{
	char *argv[3 + 3 * IDMAP_MAX + 1];
	int status, k = 0;
	pid_t child;

	argv[k++] = (char *)helper;
	argv[k++] = xasprintf("%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		argv[k++] = xasprintf("%u", r[i].inside);
		argv[k++] = xasprintf("%u", r[i].outside);
		argv[k++] = xasprintf("%u", r[i].count);
	}
	argv[k] = NULL;
	child = fork();
	if (child == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, STDIN_FILENO);
		execvp(helper, argv);
		_exit(127);
	}
	for (int i = 1; i < k; i++)
		free(argv[i]);
	if (child < 0)
		return err_set(err, errno, "cannot run %s", helper);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(err, errno, "cannot wait for %s",
				       helper);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return err_set(err, 0, "%s not found: install the uidmap "
			       "package", helper);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return err_set(err, 0, "%s failed for the ranges in "
			       "/etc/sub%cid", helper,
			       helper[3] == 'u' ? 'u' : 'g');
	return 0;
}

int idmap_apply(pid_t pid, const struct idmap *m, struct err *err)
{
	bool direct = geteuid() == 0 || idmap_is_single(m);
	char *text;
	int r;

	if (!m->nuid)
		return 0;
	if (!direct) {
		if (run_helper("newuidmap", pid, m->uid, m->nuid, err) < 0 ||
		    run_helper("newgidmap", pid, m->gid, m->ngid, err) < 0)
			return -1;
		return 0;
	}
	text = map_text(m->uid, m->nuid);
	r = write_proc(pid, "uid_map", text, err);
	free(text);
	if (r < 0)
		return -1;
	/* Without the setuid helper an unprivileged writer must give up
	 * setgroups before it may write a gid map. */
	if (geteuid() != 0 &&
	    write_proc(pid, "setgroups", "deny", err) < 0)
		return -1;
	text = map_text(m->gid, m->ngid);
	r = write_proc(pid, "gid_map", text, err);
	free(text);
	return r;
}

static cJSON *ranges_to_json(const struct idmap_range *r, size_t n)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++) {
		cJSON *t = cJSON_CreateArray();

		cJSON_AddItemToArray(t, cJSON_CreateNumber(r[i].inside));
		cJSON_AddItemToArray(t, cJSON_CreateNumber(r[i].outside));
		cJSON_AddItemToArray(t, cJSON_CreateNumber(r[i].count));
		cJSON_AddItemToArray(arr, t);
	}
	return arr;
}

cJSON *idmap_to_json(const struct idmap *m)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddItemToObject(j, "uid", ranges_to_json(m->uid, m->nuid));
	cJSON_AddItemToObject(j, "gid", ranges_to_json(m->gid, m->ngid));
	return j;
}

static int ranges_from_json(struct idmap_range *r, size_t *n,
			    const cJSON *arr, struct err *err)
{
	const cJSON *t;

	*n = 0;
	if (!arr)
		return 0;
	if (!cJSON_IsArray(arr))
		return err_set(err, EINVAL, "id map is not an array");
	cJSON_ArrayForEach(t, arr) {
		double v[3];

		if (*n >= IDMAP_MAX || cJSON_GetArraySize(t) != 3)
			return err_set(err, EINVAL, "malformed id map");
		for (int i = 0; i < 3; i++) {
			const cJSON *x = cJSON_GetArrayItem(t, i);

			if (!cJSON_IsNumber(x) || x->valuedouble < 0 ||
			    x->valuedouble > UINT32_MAX)
				return err_set(err, EINVAL,
					       "malformed id map");
			v[i] = x->valuedouble;
		}
		r[*n] = (struct idmap_range){ (uint32_t)v[0], (uint32_t)v[1],
					      (uint32_t)v[2] };
		(*n)++;
	}
	return 0;
}

int idmap_from_json(struct idmap *m, const cJSON *j, struct err *err)
{
	memset(m, 0, sizeof(*m));
	if (!j)
		return 0;
	if (ranges_from_json(m->uid, &m->nuid,
			     cJSON_GetObjectItemCaseSensitive(j, "uid"),
			     err) < 0 ||
	    ranges_from_json(m->gid, &m->ngid,
			     cJSON_GetObjectItemCaseSensitive(j, "gid"), err) < 0)
		return -1;
	return 0;
}

static int read_sysctl(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

int userns_explain_failure(int errnum, struct err *err)
{
	if (read_sysctl("/proc/sys/user/max_user_namespaces") == 0)
		return err_set(err, errnum, "cannot create a user namespace: "
			       "user.max_user_namespaces is 0; an "
			       "administrator can raise it with 'sysctl -w "
			       "user.max_user_namespaces=15000'");
	if (read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
	    == 1)
		return err_set(err, errnum, "cannot create a user namespace: "
			       "AppArmor restricts unprivileged user "
			       "namespaces (kernel.apparmor_restrict_"
			       "unprivileged_userns=1); an administrator can "
			       "set it to 0 or give scatman an AppArmor "
			       "profile with 'userns,'");
	if (read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0)
		return err_set(err, errnum, "cannot create a user namespace: "
			       "kernel.unprivileged_userns_clone is 0; an "
			       "administrator can set it to 1");
	return err_set(err, errnum, "cannot create a user namespace");
}

/* The child's side of userns_run: unshare, report, wait for the map. */
static int userns_child(int ready_fd, int go_fd, int flags,
			int (*fn)(void *), void *arg)
{
	char c;
	int e;

	if (unshare(flags) < 0) {
		e = errno;
		if (write(ready_fd, &e, sizeof(e)) < 0)
			_exit(125);
		_exit(125);
	}
	e = 0;
	if (write(ready_fd, &e, sizeof(e)) != sizeof(e))
		_exit(125);
	close(ready_fd);
	if (read(go_fd, &c, 1) != 1)
		_exit(125);
	close(go_fd);
	if ((flags & CLONE_NEWUSER) &&
	    (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		_exit(125);
	return fn(arg);
}

int userns_run(const struct idmap *m, int extra_flags, int (*fn)(void *),
	       void *arg, struct err *err)
{
	int flags = extra_flags | (m->nuid ? CLONE_NEWUSER : 0);
	int ready[2], go[2], status, e = 0;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return err_set(err, errno, "cannot create a pipe");
	if (pipe2(go, O_CLOEXEC) < 0) {
		close(ready[0]);
		close(ready[1]);
		return err_set(err, errno, "cannot create a pipe");
	}
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		_exit(userns_child(ready[1], go[0], flags, fn, arg) & 0xff);
	}
	close(ready[1]);
	close(go[0]);
	if (pid < 0) {
		close(ready[0]);
		close(go[1]);
		return err_set(err, errno, "cannot fork");
	}
	if (read_full(ready[0], &e, sizeof(e)) != sizeof(e))
		e = EIO;
	close(ready[0]);
	if (e == 0 && idmap_apply(pid, m, err) == 0) {
		if (write(go[1], "g", 1) != 1)
			e = errno;
	} else if (e == 0) {
		e = -1;
	}
	close(go[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(err, errno, "cannot wait for a child");
	if (e > 0)
		return (flags & CLONE_NEWUSER) && (e == EPERM || e == ENOSPC ||
						   e == EACCES)
			       ? userns_explain_failure(e, err)
			       : err_set(err, e, "cannot unshare namespaces");
	if (e < 0)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
