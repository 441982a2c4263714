/* SPDX-License-Identifier: MIT */
/* Users and groups looked up in a chroot's own /etc/passwd and /etc/group
 * (never the host's), for "-u name|uid[:group|gid]". */
#ifndef SCATMAN_USERINFO_H
#define SCATMAN_USERINFO_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define USERINFO_MAX_GROUPS 64

struct userinfo {
	uid_t uid;
	gid_t gid;
	gid_t groups[USERINFO_MAX_GROUPS];	/* supplementary groups */
	size_t ngroups;
	char home[256];		/* "/" when the user has no passwd entry */
	char name[64];		/* "" when the user has no passwd entry */
};

/*
 * Resolves spec ("", "name", "uid", "name:group", "uid:gid", ...) with the
 * files etc/passwd and etc/group read relative to rootfd (a directory
 * descriptor of the chroot's root, opened after the root was entered so
 * that symbolic links resolve inside it). A numeric id that has no entry
 * still works. An empty or NULL spec is root.
 */
int userinfo_resolve(int rootfd, const char *spec, struct userinfo *ui,
		     struct err *err);

#endif
