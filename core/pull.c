/* SPDX-License-Identifier: MIT */
/* Pulling an image (first cut: API only). */
#include <errno.h>

#include "pull.h"

int pull_image(struct store *s, const char *ref, const struct pull_opts *o,
	       struct image *out, struct err *err)
{
	return err_set(err, ENOSYS, "pulling '%s' is not implemented yet", ref);
}
