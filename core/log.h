/* SPDX-License-Identifier: MIT */
/* Diagnostics on stderr, one write(2) per message, and exit helpers. */
#ifndef SCATMAN_LOG_H
#define SCATMAN_LOG_H

#include <stdbool.h>

#include "err.h"

/* Exit codes of the scatman commands, as podman's. */
enum {
	EXIT_OK = 0,
	EXIT_ERR = 125,		/* an error of scatman itself */
	EXIT_CANNOT_INVOKE = 126,
	EXIT_NOT_FOUND = 127,
};

enum log_level {
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
	LOG_TRACE,
};

/* Sets the prefix of every message, e.g. "scatman: pull" or "tar", and the
 * command line that usage hints name, e.g. "scatman pull". */
void log_set_prog(const char *prog, const char *cmd);
const char *log_prog(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "error", "warn", "info", "debug", "trace"; -1 when unknown. */
int log_parse_level(const char *s);
/* Exit status used by die(); 125 by default, 1 or 2 for the utilities. */
void log_set_exit_code(int code);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Prints "prog: message" and exits with the exit code set above. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* As die, with ": strerror(errno)" appended. */
void die_errno(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* Prints err's message and exits. */
void die_err(const struct err *err) __attribute__((noreturn));
/* Prints "prog: message" and a hint to run --help, exits. */
void die_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif
