/* SPDX-License-Identifier: MIT */
/* userinfo: -u specs resolved in a chroot's own passwd and group, with
 * hostile and odd entries. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../core/userinfo.h"
#include "../../core/util.h"
#include "tap.h"

static const char passwd[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"broken line without fields\n"
	"bad:x:notanumber:1:x:/:/bin/sh\n"
	"tester:x:1000:1000:Test:/home/tester:/bin/sh\n"
	"nohome:x:1001:1001:::/bin/sh\n"
	"dup:x:2000:2000::/first:/bin/sh\n"
	"dup:x:2001:2001::/second:/bin/sh\n";
static const char group[] =
	"root:x:0:\n"
	"wheel:x:10:tester,other\n"
	"audio:x:29:othertester,tester\n"
	"notmine:x:30:testers,atester\n"
	"tester:x:1000:\n"
	"garbage\n";

static int make_root(char *dir)
{
	struct err err = ERR_INIT;
	char *p;
	int fd;

	if (!mkdtemp(dir))
		return -1;
	p = path_join(dir, "etc");
	mkdir(p, 0755);
	free(p);
	p = path_join(dir, "etc/passwd");
	file_write_atomic(p, passwd, sizeof(passwd) - 1, 0644, &err);
	free(p);
	p = path_join(dir, "etc/group");
	file_write_atomic(p, group, sizeof(group) - 1, 0644, &err);
	free(p);
	fd = open(dir, O_PATH | O_DIRECTORY);
	return fd;
}

/* An entry after a 10 MB line is still found: the file is read whole,
 * not cut at a cap. */
static void test_big_passwd(const char *dir, int root)
{
	size_t big = 10u << 20, n = 0;
	struct err err = ERR_INIT;
	struct userinfo ui;
	char *text, *p;

	text = xmalloc(big + 256);
	n += (size_t)sprintf(text, "root:x:0:0:root:/root:/bin/sh\nhuge:x:5:5:");
	memset(text + n, 'g', big);
	n += big;
	n += (size_t)sprintf(text + n, ":/:/bin/sh\nafter:x:4242:4242::/a:/bin/sh\n");
	p = path_join(dir, "etc/passwd");
	file_write_atomic(p, text, n, 0644, &err);
	tap_is_int(userinfo_resolve(root, "after", &ui, &err), 0,
		   "an entry after a 10 MB line is found");
	tap_is_int(ui.uid, 4242, "with its uid");
	free(p);
	free(text);
}

int main(void)
{
	char dir[] = "/tmp/userinfo_test.XXXXXX", cmd[64];
	struct err err = ERR_INIT;
	struct userinfo ui;
	int root = make_root(dir);

	tap_ok(root >= 0, "a root with passwd and group");
	tap_is_int(userinfo_resolve(root, "", &ui, &err), 0, "empty spec");
	tap_is_int(ui.uid, 0, "empty spec is root");
	tap_is_str(ui.home, "/root", "root's home");

	tap_is_int(userinfo_resolve(root, "tester", &ui, &err), 0, "by name");
	tap_is_int(ui.uid, 1000, "uid from passwd");
	tap_is_int(ui.gid, 1000, "gid from passwd");
	tap_is_str(ui.home, "/home/tester", "home from passwd");
	tap_is_int(ui.ngroups, 3, "the primary group and those naming the user");
	tap_ok(ui.ngroups == 3 && ui.groups[0] == 1000 && ui.groups[1] == 10 &&
	       ui.groups[2] == 29,
	       "tester, wheel and audio, not 'testers' or 'atester'");

	tap_is_int(userinfo_resolve(root, "1000", &ui, &err), 0, "by uid");
	tap_is_int(ui.gid, 1000, "uid with an entry takes its gid");
	tap_is_int(userinfo_resolve(root, "4242", &ui, &err), 0,
		   "a uid with no entry");
	tap_ok(ui.uid == 4242 && ui.gid == 0, "its gid is root's");
	tap_is_str(ui.home, "/", "its home is /");
	tap_is_int(userinfo_resolve(root, "tester:audio", &ui, &err), 0,
		   "user:group by name");
	tap_is_int(ui.gid, 29, "group by name");
	tap_is_int(userinfo_resolve(root, "tester:77", &ui, &err), 0,
		   "user:gid with no entry");
	tap_is_int(ui.gid, 77, "a numeric gid works");
	tap_is_int(userinfo_resolve(root, ":10", &ui, &err), 0, ":gid");
	tap_ok(ui.uid == 0 && ui.gid == 10, ":gid is root with that group");
	tap_is_int(userinfo_resolve(root, "nohome", &ui, &err), 0,
		   "an entry with an empty home");
	tap_is_str(ui.home, "/", "empty home reads as /");
	tap_is_int(userinfo_resolve(root, "dup", &ui, &err), 0, "duplicates");
	tap_is_int(ui.uid, 2000, "the first entry wins");

	tap_is_int(userinfo_resolve(root, "nosuch", &ui, &err), -1,
		   "unknown user");
	tap_ok(strstr(err.msg, "unable to find user nosuch") != NULL,
	       "unknown user message");
	tap_is_int(userinfo_resolve(root, "bad", &ui, &err), -1,
		   "an entry with a bad uid is skipped");
	tap_is_int(userinfo_resolve(root, "tester:nosuch", &ui, &err), -1,
		   "unknown group");
	tap_ok(strstr(err.msg, "unable to find group nosuch") != NULL,
	       "unknown group message");
	tap_is_int(userinfo_resolve(root, "-1", &ui, &err), -1,
		   "a negative id is a name, and unknown");

	/* A FIFO planted as passwd must not block the lookup. */
	{
		char *p = path_join(dir, "etc/passwd");

		unlink(p);
		tap_is_int(mkfifo(p, 0644), 0, "passwd replaced by a FIFO");
		free(p);
	}
	tap_is_int(userinfo_resolve(root, "1000", &ui, &err), 0,
		   "a numeric user with a FIFO passwd, without blocking");
	tap_is_int(userinfo_resolve(root, "tester", &ui, &err), -1,
		   "a named user with a FIFO passwd is unknown");

	test_big_passwd(dir, root);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		tap_ok(0, "cleanup");
	return tap_done();
}
