/* SPDX-License-Identifier: MIT */
/* Namespaces: the chroot's mount tree (proc, sys, dev, host files,
 * volumes, pivot_root) built inside a new mount namespace, and joining the
 * namespaces of a running process (exec and the nsenter utility). */
#ifndef SCATMAN_NS_H
#define SCATMAN_NS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* What the new root gets; every path except rootfs's is a host path. */
struct ns_root_opts {
	const char *rootfs;	/* the chroot's rootfs directory */
	const char *hostname;	/* set in a private uts namespace */
	const char *hostname_file;	/* bound on /etc/hostname */
	const char *containerenv_file;	/* bound on /run/.containerenv */
	char *const *volumes;	/* "SRC:DST[:ro|rw]", NULL-ended; may be NULL */
	bool pid_private;	/* a new /proc instance, else the host's bound */
	bool ipc_private;	/* /dev/mqueue and a fresh /dev/shm */
	bool net_private;	/* bring up lo */
	bool uts_private;
};

/*
 * Run by the chroot's init, in its new mount namespace: makes propagation
 * private, builds the tree described by o under o->rootfs, pivots into it
 * and detaches the old root. Every mount point inside the rootfs is
 * resolved without leaving it. On return the cwd is the new "/".
 */
int ns_root_setup(const struct ns_root_opts *o, struct err *err);

/*
 * Joins the namespaces (CLONE_NEW* flags) of pid, the user namespace
 * first; one setns(2) on a pidfd, so the set is entered atomically. A
 * pid namespace applies to the children forked afterwards. When start is
 * not 0 the process must have started then (a recycled pid is refused
 * with ESRCH).
 */
int ns_join_pid(pid_t pid, uint64_t start, int flags, struct err *err);

/* Joins the namespace open on fd (nstype a CLONE_NEW* flag or 0). */
int ns_join_fd(int fd, int nstype, const char *what, struct err *err);

/* Brings up the loopback interface of the current network namespace. */
int ns_loopback_up(struct err *err);

/*
 * Opens path inside the directory rootfd as if rootfd were "/": symbolic
 * links and ".." never leave it (openat2 RESOLVE_IN_ROOT). Returns the fd
 * or -1 with errno set.
 */
int ns_open_in_root(int rootfd, const char *path, int flags, mode_t mode);

#endif
