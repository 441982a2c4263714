/* SPDX-License-Identifier: MIT */
/* --env-file: KEY=VALUE lines, as podman reads them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chroot.h"
#include "envfile.h"
#include "util.h"

#define ENVFILE_MAX (1 << 20)

char **envfile_read(const char *path, struct err *err)
{
	char *text, *save = NULL, **v;
	size_t len;

	text = file_read(path, ENVFILE_MAX, &len, err);
	if (!text)
		return NULL;
	if (memchr(text, '\0', len)) {
		free(text);
		err_set(err, 0, "env file '%s' holds a NUL byte", path);
		return NULL;
	}
	v = xcalloc(1, sizeof(*v));
	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		size_t n;

		while (*l == ' ' || *l == '\t')
			l++;
		n = strlen(l);
		if (n && l[n - 1] == '\r')
			l[--n] = '\0';
		if (*l && *l != '#')
			v = strv_append(v, l);
	}
	free(text);
	return v;
}
