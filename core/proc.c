/* SPDX-License-Identifier: MIT */
/* Reading /proc: process start times for liveness checks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

uint64_t proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: skip to the last
	 * ')' and count fields from there (state is field 3). */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &start) != 1)
		return 0;
	return start;
}

bool proc_is_alive(pid_t pid, uint64_t start_time)
{
	return pid > 0 && start_time && proc_start_time(pid) == start_time;
}

/* Fields 3 onwards of /proc/PID/stat, after the command name. */
static int parse_stat(const char *buf, struct proc_info *pi)
{
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	unsigned long long utime, stime, start, vsize, rss;
	long nice, prio, nlwp;
	size_t len;
	int n;

	if (!open || !close || close < open)
		return -1;
	len = (size_t)(close - open - 1);
	if (len >= sizeof(pi->comm))
		len = sizeof(pi->comm) - 1;
	memcpy(pi->comm, open + 1, len);
	pi->comm[len] = '\0';
	n = sscanf(close + 2,
		   "%c %d %d %d %u %d %*u %*u %*u %*u %*u %llu %llu %*d %*d "
		   "%ld %ld %ld %*d %llu %llu %llu",
		   &pi->state, &pi->ppid, &pi->pgrp, &pi->sid, &pi->tty_nr,
		   &pi->tpgid, &utime, &stime, &prio, &nice, &nlwp, &start,
		   &vsize, &rss);
	if (n != 14)
		return -1;
	pi->utime = utime;
	pi->stime = stime;
	pi->priority = prio;
	pi->nice = nice;
	pi->nlwp = nlwp;
	pi->start = start;
	pi->vsize = vsize;
	pi->rss = rss;
	return 0;
}

static void parse_status(const char *buf, struct proc_info *pi)
{
	const char *p;
	unsigned long long kb;

	p = strstr(buf, "\nUid:");
	if (p)
		sscanf(p + 5, "%u %u", &pi->ruid, &pi->euid);
	p = strstr(buf, "\nGid:");
	if (p)
		sscanf(p + 5, "%u %u", &pi->rgid, &pi->egid);
	p = strstr(buf, "\nVmLck:");
	if (p && sscanf(p + 7, "%llu", &kb) == 1)
		pi->vm_lock = kb;
	/* the stat field lags behind per-thread counters; procps reads
	 * this one */
	p = strstr(buf, "\nVmRSS:");
	if (p && sscanf(p + 7, "%llu", &kb) == 1)
		pi->rss_kb = kb;
}

static char *read_small(pid_t pid, const char *what, size_t max, size_t *len)
{
	char path[64];
	struct err e = ERR_INIT;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	return file_read(path, max, len, &e);
}

/* The command line, cut at 128 KiB as procps cuts long ones. */
static char *read_cmdline(pid_t pid, size_t *len)
{
	size_t max = 128 * 1024;
	char path[64], *buf = xmalloc(max + 1);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? 0 : read_full(fd, buf, max);
	if (fd >= 0)
		close(fd);
	*len = n > 0 ? (size_t)n : 0;
	buf[*len] = '\0';
	return buf;
}

int proc_info_read(pid_t pid, struct proc_info *pi)
{
	size_t len = 0;
	char *buf;

	memset(pi, 0, sizeof(*pi));
	pi->pid = pid;
	buf = read_small(pid, "stat", 4096, NULL);
	if (!buf)
		return -1;
	if (parse_stat(buf, pi) < 0) {
		free(buf);
		errno = EINVAL;
		return -1;
	}
	free(buf);
	buf = read_small(pid, "status", 16384, NULL);
	if (buf)
		parse_status(buf, pi);
	free(buf);
	pi->args = read_cmdline(pid, &len);
	while (len > 0 && pi->args[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++)
		if (pi->args[i] == '\0' || pi->args[i] == '\n')
			pi->args[i] = ' ';
	pi->args[len] = '\0';
	return 0;
}

void proc_info_release(struct proc_info *pi)
{
	free(pi->args);
	pi->args = NULL;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

pid_t *proc_pids(size_t *n)
{
	DIR *d = opendir("/proc");
	pid_t *v = NULL;
	size_t cap = 0;
	struct dirent *de;

	*n = 0;
	if (!d)
		return xcalloc(1, sizeof(*v));
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || end == de->d_name)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = (pid_t)pid;
	}
	closedir(d);
	if (!v)
		v = xcalloc(1, sizeof(*v));
	qsort(v, *n, sizeof(*v), pid_cmp);
	return v;
}

double proc_uptime(void)
{
	struct err e = ERR_INIT;
	char *buf = file_read("/proc/uptime", 256, NULL, &e);
	double up = 0;

	if (buf && sscanf(buf, "%lf", &up) != 1)
		up = 0;
	free(buf);
	return up;
}

int64_t proc_boot_time(void)
{
	struct err e = ERR_INIT;
	char *buf = file_read("/proc/stat", 1 << 20, NULL, &e), *p;
	long long bt = 0;

	p = buf ? strstr(buf, "\nbtime ") : NULL;
	if (p && sscanf(p + 7, "%lld", &bt) != 1)
		bt = 0;
	free(buf);
	return bt;
}
