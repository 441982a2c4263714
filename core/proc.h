/* SPDX-License-Identifier: MIT */
/* Reading /proc: process start times for liveness checks (shared by the
 * chroot state, the runtime and the ps utility). */
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

#endif
