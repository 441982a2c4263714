/* SPDX-License-Identifier: MIT */
/* Error values passed up from core/ modules to the applets. */
#ifndef SCATMAN_ERR_H
#define SCATMAN_ERR_H

#include <stdarg.h>

#define ERR_MSG_MAX 1024

/*
 * A failure description filled by core/ functions. Functions return -1 (or
 * NULL) and fill *err; on success err is left untouched.
 */
struct err {
	int errnum;		/* errno value, 0 when none applies */
	char msg[ERR_MSG_MAX];
};

#define ERR_INIT { 0, "" }

/* Sets err to the formatted message (plus ": strerror(errnum)" when errnum
 * is not 0). Always returns -1 so failure paths read "return err_set(...)". */
int err_set(struct err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepends "context: " to the message already in err. Returns -1. */
int err_wrap(struct err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
