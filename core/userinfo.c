/* SPDX-License-Identifier: MIT */
/* Users and groups from a chroot's own /etc/passwd and /etc/group. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "userinfo.h"
#include "util.h"

/* Caps what a chroot's account files may make us read; a larger file is
 * refused whole (a truncated one could give a cut-off name an entry). */
#define USERINFO_FILE_MAX (64 << 20)

/*
 * Reads the chroot's account file: only a regular file (a FIFO or a
 * device planted there must not block or flood us) of at most
 * USERINFO_FILE_MAX bytes. NULL when it cannot be read.
 */
static char *read_account_file(int rootfd, const char *path)
{
	char *buf = NULL;
	struct stat st;
	ssize_t n;
	int fd;

	fd = openat(rootfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY |
		    O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size <= USERINFO_FILE_MAX) {
		buf = xmalloc((size_t)st.st_size + 1);
		n = read_full(fd, buf, (size_t)st.st_size);
		if (n < 0)
			n = 0;
		buf[n] = '\0';
	}
	close(fd);
	return buf;
}

static bool parse_id(const char *s, unsigned long *id)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*id = strtoul(s, &end, 10);
	return !errno && !*end && *id < 0xffffffffUL;
}

/* Splits line into at most n ':'-separated fields; returns the count. */
static size_t split_fields(char *line, char **f, size_t n)
{
	size_t i = 0;

	f[i++] = line;
	for (char *p = line; *p && i < n; p++) {
		if (*p == ':') {
			*p = '\0';
			f[i++] = p + 1;
		}
	}
	return i;
}

/* Finds the passwd entry whose name (or uid, when byid) matches. */
static bool passwd_find(char *text, const char *name, bool byid,
			unsigned long id, struct userinfo *ui)
{
	char *save = NULL, *f[7];
	unsigned long u, g;

	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		if (split_fields(l, f, 7) < 7)
			continue;
		if (!parse_id(f[2], &u) || !parse_id(f[3], &g))
			continue;
		if (byid ? u != id : strcmp(f[0], name) != 0)
			continue;
		ui->uid = (uid_t)u;
		ui->gid = (gid_t)g;
		snprintf(ui->name, sizeof(ui->name), "%s", f[0]);
		snprintf(ui->home, sizeof(ui->home), "%s", *f[5] ? f[5] : "/");
		return true;
	}
	return false;
}

static bool member_of(const char *members, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = members; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && !strncmp(p, name, n))
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

static void add_group(struct userinfo *ui, gid_t gid)
{
	for (size_t i = 0; i < ui->ngroups; i++)
		if (ui->groups[i] == gid)
			return;
	if (ui->ngroups < USERINFO_MAX_GROUPS)
		ui->groups[ui->ngroups++] = gid;
}

/*
 * One pass over group: resolves gspec (when not NULL) to *gid and collects
 * the supplementary groups naming the user. Returns false when gspec is a
 * name that has no entry.
 */
static bool group_scan(char *text, const char *gspec, gid_t *gid,
		       struct userinfo *ui)
{
	char *save = NULL, *f[4];
	bool found = !gspec;
	unsigned long g;

	if (gspec && parse_id(gspec, &g)) {
		*gid = (gid_t)g;
		found = true;
	}
	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		if (split_fields(l, f, 4) < 4 || !parse_id(f[2], &g))
			continue;
		if (!found && !strcmp(f[0], gspec)) {
			*gid = (gid_t)g;
			found = true;
		}
		if (*ui->name && member_of(f[3], ui->name))
			add_group(ui, (gid_t)g);
	}
	return found;
}

static int resolve_user(int rootfd, const char *uspec, struct userinfo *ui,
			struct err *err)
{
	unsigned long id = 0;
	bool byid = parse_id(uspec, &id);
	char *text;

	text = read_account_file(rootfd, "etc/passwd");
	if (text && passwd_find(text, uspec, byid, id, ui)) {
		free(text);
		return 0;
	}
	free(text);
	if (!byid)
		return err_set(err, 0,
			       "unable to find user %s: no matching entries in passwd file",
			       uspec);
	/* As podman: a uid with no entry gets the root group. */
	ui->uid = (uid_t)id;
	ui->gid = 0;
	return 0;
}

int userinfo_resolve(int rootfd, const char *spec, struct userinfo *ui,
		     struct err *err)
{
	char *uspec, *gspec, *text;
	gid_t gid;
	int r = -1;

	memset(ui, 0, sizeof(*ui));
	snprintf(ui->home, sizeof(ui->home), "/");
	uspec = xstrdup(spec && *spec ? spec : "0");
	gspec = strchr(uspec, ':');
	if (gspec)
		*gspec++ = '\0';
	if (resolve_user(rootfd, *uspec ? uspec : "0", ui, err) < 0)
		goto out_free_spec;

	gid = ui->gid;
	/* As initgroups(3): a user named in passwd is in its primary group
	 * too, first; an explicit group replaces that. */
	if (!gspec && *ui->name)
		add_group(ui, ui->gid);
	text = read_account_file(rootfd, "etc/group");
	if (!text)
		text = xstrdup("");
	if (!group_scan(text, gspec, &gid, ui)) {
		err_set(err, 0,
			"unable to find group %s: no matching entries in group file",
			gspec);
		free(text);
		goto out_free_spec;
	}
	free(text);
	ui->gid = gid;
	r = 0;
out_free_spec:
	free(uspec);
	return r;
}
