/* SPDX-License-Identifier: MIT */
/* Unit tests for core/rmtree: symlinks, modes, mounts, sizes. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../core/err.h"
#include "../../core/rmtree.h"
#include "../../core/util.h"
#include "tap.h"

static char base[] = "/tmp/rmtree_test.XXXXXX";

static void put(const char *rel, const char *data)
{
	char *p = path_join(base, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write_all(fd, data, strlen(data)) < 0) {
		perror(p);
		exit(2);
	}
	close(fd);
	free(p);
}

static void dir(const char *rel, mode_t mode)
{
	char *p = path_join(base, rel);

	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		perror(p);
		exit(2);
	}
	free(p);
}

static void sym(const char *target, const char *rel)
{
	char *p = path_join(base, rel);

	if (symlink(target, p) < 0) {
		perror(p);
		exit(2);
	}
	free(p);
}

static int exists(const char *rel)
{
	struct stat st;
	char *p = path_join(base, rel);
	int r = lstat(p, &st) == 0;

	free(p);
	return r;
}

static void mode(const char *rel, mode_t m)
{
	char *p = path_join(base, rel);

	chmod(p, m);
	free(p);
}

/* A tree with symlinks out of it and directories we may not enter. */
static void build_tree(void)
{
	char *out = path_join(base, "outside");

	dir("outside", 0755);
	put("outside/keep", "keep");
	dir("t", 0755);
	dir("t/a", 0755);
	dir("t/a/b", 0755);
	put("t/a/b/f", "x");
	put("t/a/f", "y");
	sym(out, "t/abs");
	sym("../outside", "t/rel");
	sym("../../../../../../..", "t/up");
	dir("t/locked", 0755);
	dir("t/locked/inner", 0755);
	put("t/locked/inner/f", "z");
	dir("t/ro", 0755);
	put("t/ro/f", "w");
	mode("t/locked/inner", 0);
	mode("t/locked", 0);
	mode("t/ro", 0555);
	free(out);
}

/* As an unprivileged user, so the 000 and 0555 modes really bite. */
static int rm_as_nobody(void)
{
	struct err e = ERR_INIT;
	pid_t pid;
	int st;

	pid = fork();
	if (pid == 0) {
		if (getuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(3);
		build_tree();
		_exit(rmtree_at(AT_FDCWD, strcat(strcpy(malloc(4096), base),
						 "/t"), &e) ? 1 : 0);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 4;
}

static void test_tree(void)
{
	if (getuid() == 0 && chown(base, 65534, 65534) < 0)
		perror("chown");
	tap_is_int(rm_as_nobody(), 0, "removes a tree with 000 and 0555 dirs");
	tap_ok(!exists("t"), "the tree is gone");
	tap_ok(exists("outside/keep"), "symlink targets outside are kept");
}

static void test_missing(void)
{
	struct err e = ERR_INIT;
	char *p = path_join(base, "nothing");

	tap_is_int(rmtree_at(AT_FDCWD, p, &e), 0, "a missing name is fine");
	free(p);
	tap_is_int(rmtree_at(AT_FDCWD, "..", &e), -1, "refuses '..'");
}

static void test_du(void)
{
	struct err e = ERR_INIT;
	uint64_t n = 0;
	char *a, *b;

	dir("d", 0755);
	dir("d/s", 0755);
	put("d/one", "12345");
	put("d/s/two", "123");
	a = path_join(base, "d/one");
	b = path_join(base, "d/s/hard");
	tap_ok(link(a, b) == 0, "hard link made");
	sym("/etc", "d/etc");
	free(b);
	b = path_join(base, "d");
	tap_is_int(rmtree_du_at(AT_FDCWD, b, &n, &e), 0, "du succeeds");
	tap_is_int(n, 8, "du counts hard links once, follows no symlink");
	tap_is_int(rmtree_at(AT_FDCWD, b, &e), 0, "removes d");
	free(a);
	free(b);
}

/* Deeper than there are descriptors: levels are moved up as it goes. */
static void test_deep(void)
{
	struct rlimit rl = { 64, 64 };
	struct err e = ERR_INIT;
	pid_t pid;
	int st, fd, next;

	pid = fork();
	if (pid == 0) {
		char *top = path_join(base, "deep");

		if (mkdir(top, 0755) < 0)
			_exit(3);
		fd = open(top, O_RDONLY | O_DIRECTORY);
		for (int i = 0; fd >= 0 && i < 1000; i++) {
			if (mkdirat(fd, "d", 0755) < 0)
				_exit(3);
			next = openat(fd, "d", O_RDONLY | O_DIRECTORY);
			close(fd);
			fd = next;
		}
		if (fd < 0)
			_exit(3);
		close(fd);
		setrlimit(RLIMIT_NOFILE, &rl);
		_exit(rmtree_at(AT_FDCWD, top, &e) == 0 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "removes 1000 levels with 64 descriptors");
	tap_ok(!exists("deep"), "the deep tree is gone");
}

/* A bind mount inside the tree: nothing below it may go. */
static void test_mount(void)
{
	struct err e = ERR_INIT;
	char *src, *dst, *t;

	if (getuid() != 0 || unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		tap_ok(0, "mount test needs root");
		return;
	}
	dir("host", 0755);
	put("host/precious", "p");
	dir("m", 0755);
	dir("m/sub", 0755);
	dir("m/sub/mnt", 0755);
	put("m/sub/f", "f");
	src = path_join(base, "host");
	dst = path_join(base, "m/sub/mnt");
	t = path_join(base, "m");
	tap_ok(mount(src, dst, NULL, MS_BIND, NULL) == 0, "bind mount made");
	tap_is_int(rmtree_at(AT_FDCWD, t, &e), -1, "fails at a mount");
	tap_is_int(e.errnum, EXDEV, "with EXDEV");
	tap_ok(strstr(e.msg, "m/sub/mnt") != NULL, "naming the mount point");
	tap_ok(exists("host/precious"), "nothing under the mount is removed");
	tap_ok(!exists("m/sub/f"), "the rest is removed");
	umount2(dst, MNT_DETACH);
	tap_is_int(rmtree_at(AT_FDCWD, t, &e), 0, "removes after unmount");
	dir("m", 0755);
	tap_ok(mount(src, t, NULL, MS_BIND, NULL) == 0, "bind mount on m");
	tap_is_int(rmtree_at(AT_FDCWD, t, &e), -1, "refuses a mount root");
	tap_ok(exists("host/precious"), "nothing under it is removed");
	umount2(t, MNT_DETACH);
	free(src);
	free(dst);
	free(t);
}

int main(void)
{
	struct err e = ERR_INIT;

	if (!mkdtemp(base))
		return 2;
	chmod(base, 0755);
	test_tree();
	test_missing();
	test_du();
	test_deep();
	test_mount();
	rmtree_at(AT_FDCWD, base, &e);
	return tap_done();
}
