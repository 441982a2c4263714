/* SPDX-License-Identifier: MIT */
/* Pulling an image from a registry into the store. */
#ifndef SCATMAN_PULL_H
#define SCATMAN_PULL_H

#include <stdbool.h>

#include "err.h"
#include "store.h"

struct pull_opts {
	const char *platform;	/* "os/arch[/variant]" or NULL */
	const char *os, *arch, *variant;	/* overrides, or NULL */
	int tls_verify;		/* -1 default (verify, unless registries.conf
				 * says insecure), 0 off, 1 on */
	const char *creds;	/* "user:pass" or NULL */
	const char *cert_dir;
	const char *authfile;
	bool quiet;		/* progress/status lines off */
};

/* Pulls ref into the store and fills *out (may be NULL). Status lines
 * ("Trying to pull ...", "Copying blob ...", "Writing manifest ...") go to
 * stderr unless quiet. */
int pull_image(struct store *s, const char *ref, const struct pull_opts *o,
	       struct image *out, struct err *err);

#endif
