/* SPDX-License-Identifier: MIT */
/* Unit tests for core/safepath: escapes through "..", absolute names and
 * symlinks stay inside the root, with openat2 and with the fallback walk. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../core/safepath.h"
#include "../../core/util.h"
#include "tap.h"

static char top[PATH_MAX];
static int rootfd;

/* The inode of path relative to dirfd (0 when absent). */
static ino_t ino_at(int dirfd, const char *path)
{
	struct stat st;

	return fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) ? 0 : st.st_ino;
}

static ino_t ino_fd(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

static void setup(void)
{
	char *p;
	int fd;

	snprintf(top, sizeof(top), "/tmp/safepath_test.XXXXXX");
	if (!mkdtemp(top))
		exit(1);
	p = path_join(top, "root/etc/sub");
	mkdir_p(p, 0755, NULL);
	free(p);
	p = path_join(top, "outside");
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	close(fd);
	free(p);
	p = path_join(top, "root");
	rootfd = open(p, O_PATH | O_DIRECTORY);
	free(p);
	fd = openat(rootfd, "etc/passwd", O_CREAT | O_WRONLY, 0644);
	close(fd);
	if (symlinkat("/", rootfd, "toroot") ||
	    symlinkat("../../..", rootfd, "etc/up") ||
	    symlinkat("/etc/passwd", rootfd, "abs") ||
	    symlinkat("../outside", rootfd, "out") ||
	    symlinkat("/proc/self/root", rootfd, "magic") ||
	    symlinkat("loop2", rootfd, "loop1") ||
	    symlinkat("loop1", rootfd, "loop2")) {
		printf("Bail out! cannot set up the test tree\n");
		exit(1);
	}
}

static void test_resolve(const char *mode)
{
	struct err e = ERR_INIT;
	char desc[128];
	char *leaf = NULL;
	int fd;

	fd = safepath_open(rootfd, "../../../etc/passwd", O_PATH, 0, &e);
	snprintf(desc, sizeof(desc), "%s: '..' stops at the root", mode);
	tap_ok(fd >= 0 && ino_fd(fd) == ino_at(rootfd, "etc/passwd"), desc);
	close(fd);

	fd = safepath_open(rootfd, "/toroot/etc/up/etc/passwd", O_PATH, 0, &e);
	snprintf(desc, sizeof(desc), "%s: symlinks to / and .. stay in", mode);
	tap_ok(fd >= 0 && ino_fd(fd) == ino_at(rootfd, "etc/passwd"), desc);
	close(fd);

	fd = safepath_open(rootfd, "abs", O_PATH, 0, &e);
	snprintf(desc, sizeof(desc), "%s: absolute link resolved in root",
		 mode);
	tap_ok(fd >= 0 && ino_fd(fd) == ino_at(rootfd, "etc/passwd"), desc);
	close(fd);

	fd = safepath_open(rootfd, "out", O_PATH, 0, &e);
	snprintf(desc, sizeof(desc), "%s: link to ../outside not found", mode);
	tap_ok(fd < 0 && e.errnum == ENOENT, desc);

	fd = safepath_open(rootfd, "abs", O_PATH | O_NOFOLLOW, 0, &e);
	snprintf(desc, sizeof(desc), "%s: O_NOFOLLOW opens the link", mode);
	tap_ok(fd >= 0 && ino_fd(fd) == ino_at(rootfd, "abs"), desc);
	close(fd);

	fd = safepath_open(rootfd, "loop1/x", O_PATH, 0, &e);
	snprintf(desc, sizeof(desc), "%s: symlink loop is ELOOP", mode);
	tap_ok(fd < 0 && e.errnum == ELOOP, desc);

	fd = safepath_open(rootfd, "toroot/new", O_CREAT | O_WRONLY, 0600, &e);
	snprintf(desc, sizeof(desc), "%s: O_CREAT through a link lands in root",
		 mode);
	tap_ok(fd >= 0 && ino_at(rootfd, "new") == ino_fd(fd), desc);
	close(fd);
	unlinkat(rootfd, "new", 0);

	fd = safepath_open_parent(rootfd, "toroot/etc/up/sub/x/", &leaf, &e);
	snprintf(desc, sizeof(desc), "%s: open_parent resolves in root", mode);
	tap_ok(fd < 0 && e.errnum == ENOENT, desc);
	fd = safepath_open_parent(rootfd, "etc/up/etc/sub/x/", &leaf, &e);
	snprintf(desc, sizeof(desc), "%s: open_parent gives the leaf", mode);
	tap_ok(fd >= 0 && ino_fd(fd) == ino_at(rootfd, "etc/sub") &&
	       !strcmp(leaf, "x"), desc);
	close(fd);
	free(leaf);

	fd = safepath_mkdir_p(rootfd, "toroot/a/../etc/up/made/deep", 0755,
			      &e);
	snprintf(desc, sizeof(desc), "%s: mkdir_p follows links inside", mode);
	tap_ok(fd >= 0 && ino_fd(fd) == ino_at(rootfd, "made/deep") &&
	       ino_at(rootfd, "a") != 0, desc);
	close(fd);
}

static void test_magic(void)
{
	struct err e = ERR_INIT;
	int fd = safepath_open(rootfd, "magic/etc", O_PATH, 0, &e);

	tap_ok(fd < 0, "a /proc magic link does not leave the root");
}

static void test_clean(void)
{
	char out[64];

	tap_ok(safepath_clean("./a//b/./c/", out) && !strcmp(out, "a/b/c"),
	       "clean drops ./, // and trailing /");
	tap_ok(safepath_clean("/etc/x", out) && !strcmp(out, "etc/x"),
	       "clean makes absolute names relative");
	tap_ok(!safepath_clean("a/../../x", out), "clean refuses ..");
	tap_ok(safepath_clean("./", out) && !*out, "clean of ./ is the root");
	tap_ok(safepath_clean("a/..b/c..", out) && !strcmp(out, "a/..b/c.."),
	       "clean keeps names that only start with ..");
}

int main(void)
{
	char cmd[PATH_MAX + 16];
	int rc;

	setup();
	test_resolve("openat2");
	test_magic();
	safepath_force_walk(true);
	test_resolve("walk");
	test_magic();
	test_clean();
	rc = tap_done();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	if (system(cmd) != 0)
		return 1;
	return rc;
}
