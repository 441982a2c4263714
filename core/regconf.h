/* SPDX-License-Identifier: MIT */
/*
 * The registries.conf subset scatman honours (TOML v2 format):
 * unqualified-search-registries, [aliases], [[registry]] with prefix,
 * location, insecure, blocked and [[registry.mirror]] (location,
 * insecure). Files: /etc/containers/registries.conf, then
 * /etc/containers/registries.conf.d/NAME.conf, then
 * $XDG_CONFIG_HOME/containers/registries.conf (or ~/.config/...), later
 * ones overriding; $CONTAINERS_REGISTRIES_CONF names a single file instead.
 */
#ifndef SCATMAN_REGCONF_H
#define SCATMAN_REGCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct regconf_mirror {
	char *location;
	bool insecure;
};

struct regconf_registry {
	char *prefix;		/* "example.com/foo"; defaults to location */
	char *location;		/* "" or NULL = same as prefix */
	bool insecure, blocked;
	struct regconf_mirror *mirrors;
	size_t nmirrors;
};

struct regconf {
	char **search;		/* unqualified-search-registries */
	size_t nsearch;
	char **alias_keys, **alias_vals;
	size_t naliases;
	struct regconf_registry *regs;
	size_t nregs;
};

int regconf_load(struct regconf *c, struct err *err);
/* Parses one file's text into c (adding to or overriding what is there). */
int regconf_parse(struct regconf *c, const char *text, const char *path,
		  struct err *err);
void regconf_release(struct regconf *c);
/* The [[registry]] whose prefix is the longest match of name ("host/path"
 * or "host/path:tag"), or NULL. */
const struct regconf_registry *regconf_find(const struct regconf *c,
					    const char *name);
/* The alias target for a short name ("busybox"), or NULL. */
const char *regconf_alias(const struct regconf *c, const char *name);

#endif
