/* SPDX-License-Identifier: MIT */
/* Diagnostics on stderr, one write(2) per message, and exit helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* The only mutable globals of the project: the logging state. */
static char log_prefix[128] = "scatman";
static char log_cmd[128] = "scatman";
static enum log_level log_level = LOG_INFO;
static int log_exit_code = EXIT_ERR;

void log_set_prog(const char *prog, const char *cmd)
{
	snprintf(log_prefix, sizeof(log_prefix), "%s", prog);
	snprintf(log_cmd, sizeof(log_cmd), "%s", cmd);
}

const char *log_prog(void)
{
	return log_prefix;
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

int log_parse_level(const char *s)
{
	static const char *const names[] = {
		"error", "warn", "info", "debug", "trace",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	if (!strcmp(s, "warning"))
		return LOG_WARN;
	return -1;
}

void log_set_exit_code(int code)
{
	log_exit_code = code;
}

/* Formats the whole line first so that it goes out in one write(2). */
static void log_vwrite(const char *tag, const char *fmt, va_list ap,
		       int errnum)
{
	char buf[2048];
	size_t n;
	int r;

	r = snprintf(buf, sizeof(buf), "%s: %s", log_prefix, tag);
	n = r < 0 ? 0 : (size_t)r;
	if (n < sizeof(buf)) {
		r = vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
		n += r < 0 ? 0 : (size_t)r;
	}
	if (errnum && n < sizeof(buf)) {
		r = snprintf(buf + n, sizeof(buf) - n, ": %s",
			     strerror(errnum));
		n += r < 0 ? 0 : (size_t)r;
	}
	if (n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, n) < 0)
		return;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const tags[] = {
		"", "warning: ", "", "debug: ", "trace: ",
	};
	int saved = errno;
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	log_vwrite(tags[level], fmt, ap, 0);
	va_end(ap);
	errno = saved;
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite("", fmt, ap, 0);
	va_end(ap);
	exit(log_exit_code);
}

void die_errno(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite("", fmt, ap, errnum);
	va_end(ap);
	exit(log_exit_code);
}

void die_err(const struct err *err)
{
	die("%s", err->msg);
}

void die_usage(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	die("%s (see '%s --help')", buf, log_cmd);
}
