/* SPDX-License-Identifier: MIT */
/*
 * Namespaces: the chroot's mount tree and joining running chroots.
 *
 * Every mount point inside the rootfs is opened with openat2(2) and
 * RESOLVE_IN_ROOT, and the mount is made on /proc/self/fd/N of that
 * descriptor, so a symbolic link in the image can never redirect a mount
 * to a host path. See mount(2), pivot_root(2), setns(2), openat2(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "ns.h"
#include "proc.h"
#include "util.h"

#define FD_PATH_MAX 64

int ns_open_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

static void fd_path(char buf[FD_PATH_MAX], int fd)
{
	snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

static int mount_on_fd(const char *src, int fd, const char *fstype,
		       unsigned long flags, const char *data)
{
	char target[FD_PATH_MAX];

	fd_path(target, fd);
	return mount(src, target, fstype, flags, data);
}

/* Remounts the bind mount on fd read-only, keeping the flags that a user
 * namespace may not drop (nosuid, nodev, noexec, atime). */
static int remount_ro(int fd)
{
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
	struct statvfs sv;

	if (fstatvfs(fd, &sv) < 0)
		return -1;
	if (sv.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	return mount_on_fd(NULL, fd, NULL, flags, NULL);
}

/* mkdir -p of path inside the root; returns an O_PATH fd of the
 * directory. Components that are symbolic links resolve inside root. */
static int mkdir_in_root(int rootfd, const char *path)
{
	char *p = xstrdup(path), *prefix = xcalloc(1, strlen(path) + 2);
	char *save = NULL;
	int cur, next, saved;

	cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	for (char *c = strtok_r(p, "/", &save); c && cur >= 0;
	     c = strtok_r(NULL, "/", &save)) {
		strcat(strcat(prefix, "/"), c);
		if (mkdirat(cur, c, 0755) < 0 && errno != EEXIST) {
			saved = errno;
			close(cur);
			errno = saved;
			cur = -1;
			break;
		}
		next = ns_open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY,
				       0);
		saved = errno;
		close(cur);
		errno = saved;
		cur = next;
	}
	saved = errno;
	free(p);
	free(prefix);
	errno = saved;
	return cur;
}

/* Splits path into a parent directory fd (created inside root) and its
 * last component, copied into base. */
static int parent_in_root(int rootfd, const char *path, char *base,
			  size_t len)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (!slash || !slash[1] || strlen(slash + 1) >= len) {
		errno = EINVAL;
		return -1;
	}
	snprintf(base, len, "%s", slash + 1);
	if (!strcmp(base, ".") || !strcmp(base, "..")) {
		errno = EINVAL;
		return -1;
	}
	dir = xstrndup(path, (size_t)(slash - path));
	fd = mkdir_in_root(rootfd, *dir ? dir : "/");
	free(dir);
	return fd;
}

/* The path of fd relative to the root whose own path is rootpath; NULL
 * when fd is outside it. */
static bool fd_is_under(int fd, const char *rootpath, const char *sub)
{
	char link[FD_PATH_MAX], real[PATH_MAX];
	size_t n = strlen(rootpath), m = strlen(sub);
	ssize_t r;

	fd_path(link, fd);
	r = readlink(link, real, sizeof(real) - 1);
	if (r < 0)
		return false;
	real[r] = '\0';
	return !strncmp(real, rootpath, n) && !strncmp(real + n, sub, m);
}

/*
 * The file mount point for a host file provided at path (/etc/hosts, ...).
 * A missing file gets an empty mount point. A symbolic link is followed
 * only to a regular file under /run of the chroot (as systemd's
 * resolv.conf link); anything else is left alone: returns -2, no mount.
 */
static int file_mountpoint(int rootfd, const char *rootpath,
			   const char *path)
{
	char base[NAME_MAX + 1];
	struct stat st;
	int dfd, fd = -2;

	dfd = parent_in_root(rootfd, path, base, sizeof(base));
	if (dfd < 0)
		return -1;
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			goto out_close_dir;
		fd = openat(dfd, base, O_CREAT | O_EXCL | O_WRONLY |
			    O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0) {
			close(fd);
			fd = openat(dfd, base,
				    O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
	} else if (S_ISREG(st.st_mode)) {
		fd = openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	} else if (S_ISLNK(st.st_mode)) {
		fd = ns_open_in_root(rootfd, path, O_PATH, 0);
		if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
				!fd_is_under(fd, rootpath, "/run/"))) {
			close(fd);
			fd = -2;
		} else if (fd < 0) {
			fd = -2;
		}
	}
out_close_dir:
	close(dfd);
	return fd;
}

/* Remounts the mount on path inside root read-only; the path is opened
 * again because a descriptor of the mount point names the covered inode,
 * not the new mount. */
static int remount_ro_path(int rootfd, const char *path)
{
	int fd = ns_open_in_root(rootfd, path, O_PATH, 0), r, saved;

	if (fd < 0)
		return -1;
	r = remount_ro(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

static int bind_on_fd(const char *src, int fd, bool rec)
{
	return mount_on_fd(src, fd, NULL, MS_BIND | (rec ? MS_REC : 0), NULL);
}

/* /proc, /sys, /dev: a directory of the rootfs itself, never a symlink
 * that would move the kernel's file systems elsewhere in the tree. */
static int sys_dir(int rootfd, const char *name)
{
	if (mkdirat(rootfd, name, 0755) < 0 && errno != EEXIST)
		return -1;
	return openat(rootfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		      O_CLOEXEC);
}

static int mount_proc_sys(int rootfd, const struct ns_root_opts *o,
			  struct err *err)
{
	int fd, r;

	fd = sys_dir(rootfd, "proc");
	if (fd < 0)
		return err_set(err, errno, "creating mount point '/proc'");
	if (o->pid_private)
		r = mount_on_fd("proc", fd, "proc",
				MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	else
		r = bind_on_fd("/proc", fd, true);
	close(fd);
	if (r < 0)
		return err_set(err, errno, "mounting '/proc'");

	fd = sys_dir(rootfd, "sys");
	if (fd < 0)
		return err_set(err, errno, "creating mount point '/sys'");
	/* A sysfs mounted in a private network namespace shows its own
	 * devices; otherwise the host's is bound. */
	if (o->net_private) {
		r = mount_on_fd("sysfs", fd, "sysfs", MS_RDONLY | MS_NOSUID |
				MS_NODEV | MS_NOEXEC, NULL);
		close(fd);
	} else {
		r = mount_on_fd("/sys", fd, NULL, MS_BIND | MS_REC, NULL);
		close(fd);
		if (r == 0)
			r = remount_ro_path(rootfd, "/sys");
	}
	if (r < 0)
		return err_set(err, errno, "mounting '/sys' read-only");
	return 0;
}

/* An empty file in dir (a fresh tmpfs) with the host device bound on it. */
static int dev_bind(int devfd, const char *name)
{
	char src[64];
	int fd, r, saved;

	fd = openat(devfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	snprintf(src, sizeof(src), "/dev/%s", name);
	r = bind_on_fd(src, fd, false);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

static int mount_subdir(int devfd, const char *name, const char *fstype,
			unsigned long flags, const char *data,
			const char *bind_src)
{
	int fd, r, saved;

	if (mkdirat(devfd, name, 0755) < 0 && errno != EEXIST)
		return -1;
	fd = openat(devfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (bind_src)
		r = bind_on_fd(bind_src, fd, true);
	else
		r = mount_on_fd(fstype, fd, fstype, flags, data);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

static int dev_populate(int devfd, const struct ns_root_opts *o,
			struct err *err)
{
	static const char *const devs[] = {
		"null", "zero", "full", "random", "urandom", "tty",
	};
	static const char *const links[][2] = {
		{ "ptmx", "pts/ptmx" }, { "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
	};
	const unsigned long nse = MS_NOSUID | MS_NOEXEC;

	for (size_t i = 0; i < ARRAY_SIZE(devs); i++)
		if (dev_bind(devfd, devs[i]) < 0)
			return err_set(err, errno, "binding '/dev/%s'",
				       devs[i]);
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i][1], devfd, links[i][0]) < 0)
			return err_set(err, errno, "linking '/dev/%s'",
				       links[i][0]);
	/* gid 5 (tty) exists only when the map covers it */
	if (mount_subdir(devfd, "pts", "devpts", nse,
			 "newinstance,ptmxmode=0666,mode=0620,gid=5", NULL) < 0 &&
	    mount_subdir(devfd, "pts", "devpts", nse,
			 "newinstance,ptmxmode=0666,mode=0620", NULL) < 0)
		return err_set(err, errno, "mounting '/dev/pts'");
	if (mount_subdir(devfd, "shm", "tmpfs", nse | MS_NODEV,
			 "mode=1777,size=65536k",
			 o->ipc_private ? NULL : "/dev/shm") < 0)
		return err_set(err, errno, "mounting '/dev/shm'");
	if (o->ipc_private &&
	    mount_subdir(devfd, "mqueue", "mqueue", nse | MS_NODEV, NULL,
			 NULL) < 0)
		return err_set(err, errno, "mounting '/dev/mqueue'");
	return 0;
}

static int mount_dev(int rootfd, const struct ns_root_opts *o,
		     struct err *err)
{
	int fd, devfd, r;

	fd = sys_dir(rootfd, "dev");
	if (fd < 0)
		return err_set(err, errno, "creating mount point '/dev'");
	r = mount_on_fd("tmpfs", fd, "tmpfs", MS_NOSUID | MS_STRICTATIME,
			"mode=755,size=65536k");
	close(fd);
	if (r < 0)
		return err_set(err, errno, "mounting a tmpfs on '/dev'");
	devfd = ns_open_in_root(rootfd, "/dev", O_RDONLY | O_DIRECTORY, 0);
	if (devfd < 0)
		return err_set(err, errno, "opening '/dev'");
	r = dev_populate(devfd, o, err);
	close(devfd);
	return r;
}

/* Binds a host file read-only on path in the chroot (see
 * file_mountpoint for what is left alone). */
static int bind_host_file(int rootfd, const char *rootpath, const char *src,
			  const char *path, bool ro, struct err *err)
{
	int fd, r;

	if (access(src, R_OK) < 0)
		return 0;
	fd = file_mountpoint(rootfd, rootpath, path);
	if (fd == -2)
		return 0;
	if (fd < 0)
		return err_set(err, errno, "creating mount point '%s'", path);
	r = bind_on_fd(src, fd, false);
	close(fd);
	if (r == 0 && ro)
		r = remount_ro_path(rootfd, path);
	if (r < 0)
		return err_set(err, errno, "binding '%s' on '%s'", src, path);
	return 0;
}

/* A volume "SRC:DST[:OPT[,OPT]]": SRC a host path, DST absolute inside the
 * chroot, OPT ro or rw (others, as podman's z and Z, are ignored). */
static int mount_volume(int rootfd, const char *spec, struct err *err)
{
	char *s = xstrdup(spec), *dst, *opts, base[NAME_MAX + 1];
	struct stat st, dst_st;
	bool ro = false;
	int fd = -1, r = -1;

	dst = strchr(s, ':');
	if (!dst || dst == s || dst[1] != '/') {
		err_set(err, EINVAL, "invalid volume '%s'", spec);
		goto out_free;
	}
	*dst++ = '\0';
	opts = strchr(dst, ':');
	if (opts) {
		*opts++ = '\0';
		for (char *o = strtok(opts, ","); o; o = strtok(NULL, ","))
			ro = !strcmp(o, "ro") ? true :
			     !strcmp(o, "rw") ? false : ro;
	}
	if (stat(s, &st) < 0) {
		err_set(err, errno, "volume source '%s'", s);
		goto out_free;
	}
	if (S_ISDIR(st.st_mode)) {
		fd = mkdir_in_root(rootfd, dst);
	} else {
		int dfd = parent_in_root(rootfd, dst, base, sizeof(base));

		if (dfd >= 0) {
			/* O_EXCL: an existing entry is never opened for
			 * writing (a FIFO there would block). */
			int cfd = openat(dfd, base, O_CREAT | O_EXCL | O_WRONLY |
					 O_NOFOLLOW | O_CLOEXEC, 0644);
			if (cfd >= 0)
				close(cfd);
			fd = openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			close(dfd);
		}
	}
	if (fd < 0) {
		err_set(err, errno, "creating mount point '%s'", dst);
		goto out_free;
	}
	/* A file goes on a regular file, a directory on a directory: never
	 * on a FIFO, a device or a symlink planted by the image. */
	if (fstat(fd, &dst_st) < 0 ||
	    (S_ISDIR(st.st_mode) ? !S_ISDIR(dst_st.st_mode)
				 : !S_ISREG(dst_st.st_mode))) {
		err_set(err, 0, "volume destination '%s' is not a %s", dst,
			S_ISDIR(st.st_mode) ? "directory" : "regular file");
		close(fd);
		goto out_free;
	}
	r = bind_on_fd(s, fd, true);
	close(fd);
	if (r == 0 && ro)
		r = remount_ro_path(rootfd, dst);
	if (r < 0)
		err_set(err, errno, "mounting volume '%s' on '%s'", s, dst);
out_free:
	free(s);
	return r;
}

/* Enters the new root: pivot_root(".", ".") stacks the old root on top of
 * the new one, and detaching it leaves no path to the host's tree. */
static int pivot(int rootfd, struct err *err)
{
	if (fchdir(rootfd) < 0)
		return err_set(err, errno, "entering the rootfs");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return err_set(err, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return err_set(err, errno, "detaching the old root");
	if (chdir("/") < 0)
		return err_set(err, errno, "chdir '/'");
	return 0;
}

static int mount_files(int rootfd, const char *rootpath,
		       const struct ns_root_opts *o, struct err *err)
{
	if (bind_host_file(rootfd, rootpath, "/etc/resolv.conf",
			   "/etc/resolv.conf", true, err) < 0 ||
	    bind_host_file(rootfd, rootpath, "/etc/hosts", "/etc/hosts", true,
			   err) < 0)
		return -1;
	if (o->hostname_file &&
	    bind_host_file(rootfd, rootpath, o->hostname_file,
			   "/etc/hostname", true, err) < 0)
		return -1;
	if (o->containerenv_file &&
	    bind_host_file(rootfd, rootpath, o->containerenv_file,
			   "/run/.containerenv", true, err) < 0)
		return -1;
	for (char *const *v = o->volumes; v && *v; v++)
		if (mount_volume(rootfd, *v, err) < 0)
			return -1;
	return 0;
}

int ns_root_setup(const struct ns_root_opts *o, struct err *err)
{
	char rootpath[PATH_MAX];
	int rootfd, r = -1;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_set(err, errno, "making mounts private");
	if (mount(o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_set(err, errno, "binding the rootfs '%s'",
			       o->rootfs);
	rootfd = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return err_set(err, errno, "opening the rootfs '%s'",
			       o->rootfs);
	if (!realpath(o->rootfs, rootpath)) {
		err_set(err, errno, "resolving '%s'", o->rootfs);
		goto out_close_root;
	}
	if (mount_proc_sys(rootfd, o, err) < 0 ||
	    mount_dev(rootfd, o, err) < 0 ||
	    mount_files(rootfd, rootpath, o, err) < 0)
		goto out_close_root;
	if (o->uts_private && o->hostname &&
	    sethostname(o->hostname, strlen(o->hostname)) < 0) {
		err_set(err, errno, "setting the hostname");
		goto out_close_root;
	}
	if (o->net_private && ns_loopback_up(err) < 0)
		goto out_close_root;
	r = pivot(rootfd, err);
out_close_root:
	close(rootfd);
	return r;
}

int ns_join_pid(pid_t pid, uint64_t start, int flags, struct err *err)
{
	int fd, r;

	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return err_set(err, errno, "opening process %d", (int)pid);
	/* The pidfd pins the process: checked now, it stays the one. */
	if (start && !proc_is_alive(pid, start)) {
		close(fd);
		return err_set(err, ESRCH, "process %d", (int)pid);
	}
	r = setns(fd, flags);
	if (r < 0)
		err_set(err, errno, "joining the namespaces of process %d",
			(int)pid);
	close(fd);
	return r;
}

int ns_join_fd(int fd, int nstype, const char *what, struct err *err)
{
	if (setns(fd, nstype) < 0)
		return err_set(err, errno, "reassociate to namespace '%s' failed",
			       what);
	return 0;
}

int ns_loopback_up(struct err *err)
{
	struct ifreq ifr;
	int s, r = -1;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return err_set(err, errno, "socket");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto out_fail;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		goto out_fail;
	r = 0;
	goto out_close;
out_fail:
	err_set(err, errno, "bringing up 'lo'");
out_close:
	close(s);
	return r;
}
