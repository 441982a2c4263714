/* SPDX-License-Identifier: MIT */
/* --env-file: KEY=VALUE lines, as podman reads them. */
#ifndef SCATMAN_ENVFILE_H
#define SCATMAN_ENVFILE_H

#include "err.h"

/*
 * Reads an env file of at most 1 MiB: one entry per line, leading blanks
 * and a trailing CR dropped, empty lines and '#' comments skipped. Returns
 * a NULL-ended vector of the entries (free with strv_free), or NULL with err
 * set; a NUL byte in the file is an error, not the end of its text.
 */
char **envfile_read(const char *path, struct err *err);

#endif
