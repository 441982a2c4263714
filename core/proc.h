/* SPDX-License-Identifier: MIT */
/* Reading /proc: process start times for liveness checks (shared by the
 * chroot state, the runtime and the ps utility) and the process details
 * the ps utility shows. */
#ifndef SCATMAN_PROC_H
#define SCATMAN_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The start time of pid in clock ticks since boot (field 22 of
 * /proc/PID/stat); 0 when the process does not exist. */
uint64_t proc_start_time(pid_t pid);

/* True when pid exists and started at start_time (so a recycled pid is
 * never mistaken for the recorded one). */
bool proc_is_alive(pid_t pid, uint64_t start_time);

/* What the ps utility shows of a process (from /proc/PID/stat, status and
 * cmdline). */
struct proc_info {
	pid_t pid, ppid, pgrp, sid, tpgid;
	char state;
	char comm[64];
	unsigned tty_nr;	/* the controlling terminal, 0 for none */
	uint64_t utime, stime;	/* clock ticks */
	uint64_t start;		/* clock ticks since boot */
	long nice, priority, nlwp;
	uint64_t vsize;		/* bytes */
	uint64_t rss;		/* pages, from stat */
	uint64_t rss_kb;	/* VmRSS from status, 0 for kernel threads */
	uint64_t vm_lock;	/* kB */
	uid_t ruid, euid;
	gid_t rgid, egid;
	char *args;		/* the command line, NUL bytes turned into
				 * spaces; "" for kernel threads */
};

/* Reads pid's /proc entries into pi (pi->args is malloc'd; release with
 * proc_info_release). -1 with errno when the process is gone. */
int proc_info_read(pid_t pid, struct proc_info *pi);
void proc_info_release(struct proc_info *pi);

/* The numeric entries of /proc, ascending, as a malloc'd array. */
pid_t *proc_pids(size_t *n);

/* Seconds since boot (/proc/uptime) and the boot time in seconds since
 * the epoch (btime in /proc/stat); 0 when unknown. */
double proc_uptime(void);
int64_t proc_boot_time(void);

#endif
