/* SPDX-License-Identifier: MIT */
/* Unit tests for core/chroot and core/idmap (JSON, names, state). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../core/chroot.h"
#include "../../core/idmap.h"
#include "../../core/util.h"
#include "tap.h"

static void test_names(void)
{
	char id[CHROOT_ID_LEN + 1], id2[CHROOT_ID_LEN + 1];

	tap_ok(chroot_name_is_valid("first-scatman"), "plain name valid");
	tap_ok(chroot_name_is_valid("a.b_c-1"), "dots and underscores");
	tap_ok(!chroot_name_is_valid("-x"), "leading dash refused");
	tap_ok(!chroot_name_is_valid("../x"), "slashes refused");
	tap_ok(!chroot_name_is_valid(""), "empty refused");
	tap_ok(!chroot_name_is_valid("a b"), "space refused");
	chroot_id_generate(id);
	chroot_id_generate(id2);
	tap_is_int((long long)strlen(id), 64, "id is 64 chars");
	tap_ok(strspn(id, "0123456789abcdef") == 64, "id is hex");
	tap_ok(strcmp(id, id2) != 0, "ids differ");
}

static void test_config_roundtrip(const char *root)
{
	char *argv[] = { "/bin/sh", "-c", "echo hi", NULL };
	char *env[] = { "PATH=/bin", "TERM=xterm", NULL };
	char *labels[] = { "a=1", "b=two=2", NULL };
	struct chroot_config cfg = { 0 };
	struct err e = ERR_INIT;
	struct chroot c, c2;
	char *base = chroot_base(root), *dir;
	char id[CHROOT_ID_LEN + 1];

	chroot_id_generate(id);
	dir = path_join(base, id);
	mkdir_p(dir, 0755, &e);
	cfg.id = id;
	cfg.name = "box1";
	cfg.image_id = "abc";
	cfg.image_name = "docker.io/library/alpine:latest";
	cfg.created = 1796398213;
	cfg.created_ns = 42;
	cfg.argv = argv;
	cfg.env = env;
	cfg.labels = labels;
	cfg.workdir = "/tmp";
	cfg.tty = true;
	cfg.idmap.nuid = cfg.idmap.ngid = 2;
	cfg.idmap.uid[0] = (struct idmap_range){ 0, 1000, 1 };
	cfg.idmap.uid[1] = (struct idmap_range){ 1, 100000, 65536 };
	cfg.idmap.gid[0] = cfg.idmap.uid[0];
	cfg.idmap.gid[1] = cfg.idmap.uid[1];
	tap_is_int(chroot_config_save(dir, &cfg, &e), 0, "config saved");
	tap_is_int(chroot_find(root, "box1", &c, &e), 0, "found by name");
	tap_is_str(c.cfg.id, id, "id round trip");
	tap_is_str(c.cfg.argv[2], "echo hi", "argv round trip");
	tap_is_int((long long)strv_len(c.cfg.argv), 3, "argv length");
	tap_is_str(c.cfg.labels[1], "b=two=2", "label with '=' in value");
	tap_is_str(c.cfg.workdir, "/tmp", "workdir");
	tap_ok(c.cfg.tty, "tty");
	tap_is_int(c.cfg.created_ns, 42, "created nanoseconds");
	tap_is_int(c.cfg.idmap.uid[1].outside, 100000, "id map round trip");
	tap_is_int(c.st.status, CHROOT_CREATED, "no state file = created");
	tap_is_str(c.cfg.pid_mode, "private", "pid mode default");
	tap_is_str(c.cfg.net_mode, "host", "network default");
	tap_is_int(chroot_find(root, id, &c2, &e), 0, "found by full id");
	chroot_release(&c2);
	id[5] = '\0';
	tap_is_int(chroot_find(root, id, &c2, &e), 0, "found by id prefix");
	chroot_release(&c2);
	tap_is_int(chroot_find(root, "nope", &c2, &e), -1, "unknown name");
	tap_is_int(e.errnum, ENOENT, "unknown name is ENOENT");

	/* A running state whose processes are gone reads as exited. */
	c.st.status = CHROOT_RUNNING;
	c.st.supervisor = 999999;
	c.st.supervisor_start = 12345;
	c.st.started_at = 1796398213;
	tap_is_int(chroot_state_save(c.dir, &c.st, &e), 0, "state saved");
	chroot_release(&c);
	tap_is_int(chroot_find(root, "box1", &c, &e), 0, "found again");
	tap_is_int(c.st.status, CHROOT_EXITED, "dead supervisor = exited");
	tap_is_int(c.st.started_at, 1796398213, "start time kept");
	tap_ok(!chroot_is_running(&c), "not running");
	chroot_release(&c);
	free(dir);
	free(base);
}

static void test_idmap(void)
{
	struct idmap m = { 0 };

	m.nuid = 2;
	m.uid[0] = (struct idmap_range){ 0, 1000, 1 };
	m.uid[1] = (struct idmap_range){ 1, 100000, 65536 };
	tap_is_int(idmap_uid_to_host(&m, 0), 1000, "0 maps to the caller");
	tap_is_int(idmap_uid_to_host(&m, 1000), 100999, "1000 maps in range");
	tap_is_int(idmap_uid_to_host(&m, 70000), UINT32_MAX, "out of range");
	tap_is_int(idmap_uid_span(&m), 65537, "span");
	tap_ok(!idmap_is_single(&m), "not single");
	tap_is_int(userns_mode_parse("keep-id"), USERNS_KEEP_ID, "keep-id");
	tap_is_int(userns_mode_parse("bogus"), -1, "bad mode");
}

int main(void)
{
	char root[] = "/tmp/chroot_test.XXXXXX";

	if (!mkdtemp(root))
		return 1;
	test_names();
	test_config_roundtrip(root);
	test_idmap();
	return tap_done();
}
