#!/bin/bash
# SPDX-License-Identifier: MIT
# scatman cp: in and out of a chroot, directories, tar streams, owners,
# modes and times, and symlinks in the chroot that try to lead out of it
# (to /, to ../../.., to a host path): everything stays inside.
. "$(dirname "$0")/../lib.sh"
need_registry
img=$SCATMAN_TEST_REGISTRY/test/busybox

testcmd "create" 0 sm create --tls-verify=false --name box "$img"
r=$t_tmp/root/chroots/$out/rootfs
h=$t_tmp/host
mkdir -p "$h/dir/sub"
echo data >"$h/file"
chmod 0751 "$h/file"
touch -d '2003-04-05 06:07:08' "$h/file"
echo inner >"$h/dir/sub/f"
ln -s sub/f "$h/dir/link"
is_root && chown 1234:4321 "$h/file"

# in
testcmd "file into a directory" 0 sm cp "$h/file" box:/tmp
is "$(cat "$r/tmp/file")" data "copied"
is "$(stat -c '%a %Y' "$r/tmp/file")" "751 $(stat -c %Y "$h/file")" "mode and mtime kept"
is_root && is "$(stat -c '%u:%g' "$r/tmp/file")" "0:0" "owned by the chroot's root"
testcmd "file to a new name" 0 sm cp "$h/file" box:/tmp/renamed
is "$(cat "$r/tmp/renamed")" data "renamed"
if is_root; then
	testcmd "-a keeps ids" 0 sm cp -a "$h/file" box:/tmp/kept
	is "$(stat -c '%u:%g' "$r/tmp/kept")" "1234:4321" "ids kept"
fi
testcmd "directory to a new path" 0 sm cp "$h/dir" box:/opt
is "$(cat "$r/opt/sub/f")" inner "becomes the new path"
is "$(readlink "$r/opt/link")" sub/f "symlinks copied as links"
testcmd "directory into an existing one" 0 sm cp "$h/dir" box:/opt
is "$(cat "$r/opt/dir/sub/f")" inner "goes inside, as cp -r"
testcmd "missing parent" 125 sm cp "$h/file" box:/no/such/dir/x
testcmd "missing source" 125 sm cp "$h/nothere" box:/tmp
testcmd "an unknown option" 125 sm cp --bogus "$h/file" box:/tmp
is "$err" "scatman: cp: unknown option '--bogus' (see 'scatman cp --help')" \
	"one line naming the option"
testcmd "options stop at the first operand" 125 sm cp "$h/file" box:/tmp -a
like "$err" "exactly two arguments" "-a after the operands is an operand"

# out
testcmd "file out" 0 sm cp box:/etc/passwd "$h/passwd"
cmp -s "$h/passwd" "$r/etc/passwd"
ok $? "the chroot's passwd"
is "$(stat -c %u "$h/passwd")" "$(id -u)" "owned by the caller"
testcmd "directory out" 0 sm cp box:/opt "$h/optcopy"
is "$(tree_hash "$h/optcopy")" "$(tree_hash "$r/opt")" "same tree"
testcmd "root contents out" 0 sm cp box:/etc/. "$h/etc2"
ok "$([ -f "$h/etc2/passwd" ]; echo $?)" "contents of a directory with /."

# symlinks that try to escape
ln -s / "$r/to_root"
ln -s ../../../../../../../.. "$r/to_up"
ln -s /etc/passwd "$r/pw"
hostsum=$(sha256sum </etc/passwd)
testcmd "through a link to /" 0 sm cp box:/to_root/etc/passwd "$h/p1"
cmp -s "$h/p1" "$r/etc/passwd"
ok $? "reads the chroot's /etc/passwd"
testcmd "through ../../.." 0 sm cp box:/to_up/etc/passwd "$h/p2"
cmp -s "$h/p2" "$r/etc/passwd"
ok $? "reads the chroot's /etc/passwd"
testcmd "-L of a link to an absolute host path" 0 sm cp -L box:/pw "$h/p3"
cmp -s "$h/p3" "$r/etc/passwd"
ok $? "follows it inside the chroot"
testcmd "a link copied as a link" 0 sm cp box:/pw "$h/p4"
is "$(readlink "$h/p4")" /etc/passwd "not followed"
testcmd "directory through a link to /" 0 sm cp box:/to_root/etc "$h/etc3"
is "$(tree_hash "$h/etc3")" "$(tree_hash "$r/etc")" "the chroot's /etc"

name=escape-$$-$RANDOM
testcmd "write through a link to /" 0 sm cp "$h/file" "box:/to_root/tmp/$name"
ok "$([ -f "$r/tmp/$name" ] && [ ! -e "/tmp/$name" ]; echo $?)" "lands inside"
testcmd "write through ../../.." 0 sm cp "$h/file" "box:/to_up/$name"
ok "$([ -f "$r/$name" ] && [ ! -e "/$name" ] && [ ! -e "$t_tmp/$name" ] &&
	[ ! -e "$t_tmp/root/$name" ]; echo $?)" "lands at the chroot's root"
testcmd "write onto a link to a host file" 0 sm cp "$h/file" box:/pw
is "$(sha256sum </etc/passwd)" "$hostsum" "the host's passwd is untouched"
is "$(cat "$r/pw")" data "the chroot's entry was written"
testcmd "a directory through ../.." 0 sm cp "$h/dir" "box:/to_up/d-$name"
ok "$([ -f "$r/d-$name/sub/f" ] && [ ! -e "/d-$name" ]; echo $?)" "inside"

# tar streams
testcmd "tar out" 0 sh -c "\"\$SCATMAN_BIN\" --root '$t_tmp/root' cp box:/opt - >'$h/opt.tar'"
like "$(tar -tvf "$h/opt.tar")" "opt/dir/sub/f" "an archive of the path"
like "$(tar -tvf "$h/opt.tar")" "opt/link -> sub/f" "links as links"
testcmd "tar out of a link to /" 0 sh -c "\"\$SCATMAN_BIN\" --root '$t_tmp/root' cp box:/to_root - >'$h/l.tar'"
is "$(tar -tf "$h/l.tar")" "to_root" "only the link itself"
mkdir -p "$r/srv/in"
testcmd "tar in" 0 sh -c "tar -C '$h' -cf - dir | \"\$SCATMAN_BIN\" --root '$t_tmp/root' cp - box:/srv/in"
is "$(cat "$r/srv/in/dir/sub/f")" inner "unpacked in the directory"
python3 - "$h/evil.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    def add(name, data=b"x", **kw):
        i = tarfile.TarInfo(name)
        for k, v in kw.items():
            setattr(i, k, v)
        i.size = len(data) if i.type == tarfile.REGTYPE else 0
        t.addfile(i, io.BytesIO(data) if i.type == tarfile.REGTYPE else None)
    add("../../../../../../evil-up")
    add("/evil-abs")
    add("up", type=tarfile.SYMTYPE, linkname="../../../../../..")
    add("up/evil-link")
PY
"$SCATMAN_BIN" --root "$t_tmp/root" cp - box:/srv/in <"$h/evil.tar" >/dev/null 2>&1
ok "$([ ! -e /evil-up ] && [ ! -e /evil-abs ] && [ ! -e /evil-link ] &&
	[ -z "$(find "$t_tmp" -name 'evil-*' -not -path "$r/*")" ]; echo $?)" \
	"a hostile archive writes nothing outside the chroot"

# a running chroot sees what is copied in at once
testcmd "create live" 0 sm create --tls-verify=false --name live "$img" sleep 1000
testcmd "start live" 0 sm start live
testcmd "copy into a running chroot" 0 sm cp "$h/file" live:/tmp/x
testcmd "seen inside" 0 sm exec live cat /tmp/x
is "$out" data "the running command's view"
testcmd "made inside, copied out" 0 sm exec live sh -c 'echo made >/tmp/y'
testcmd "copy out of a running chroot" 0 sm cp live:/tmp/y "$h/y"
is "$(cat "$h/y")" made "copied out"
sm rm -f -t 0 live >/dev/null

testcmd "host to host" 125 sm cp "$h/file" "$h/file2"
like "$err" "must be a chroot path" "refused"
testcmd "unknown chroot" 125 sm cp "$h/file" nobox:/tmp
testcmd "one argument" 125 sm cp "$h/file"

if is_root && [ -n "${SCATMAN_TEST_USER:-}" ]; then
	hu=$t_tmp/home-$SCATMAN_TEST_USER
	testcmd "rootless create" 0 smu create --tls-verify=false --name rb "$img"
	rr=$hu/root/chroots/$out/rootfs
	sub=$(awk -F: -v u="$SCATMAN_TEST_USER" '$1 == u { print $2 + 999 }' /etc/subuid)
	echo secret >"$rr/secret"
	chown "$sub:$sub" "$rr/secret"
	chmod 0600 "$rr/secret"
	testcmd "rootless: a subordinate-owned file out" 0 smu cp rb:/secret "$hu/secret"
	is "$(cat "$hu/secret")" secret "read inside the user namespace"
	is "$(stat -c %U "$hu/secret")" "$SCATMAN_TEST_USER" "owned by the caller"
	mkdir -p "$rr/home/app"
	chown "$sub:$sub" "$rr/home/app"
	chmod 0700 "$rr/home/app"
	as_user sh -c "echo hi >'$hu/in'"
	testcmd "rootless: into a subordinate-owned directory" 0 smu cp "$hu/in" rb:/home/app/
	is "$(stat -c %U "$rr/home/app/in")" "$SCATMAN_TEST_USER" \
		"owned by the chroot's root, the caller on the host"
else
	skip "rootless cp needs root to set up the test user"
fi
done_testing
