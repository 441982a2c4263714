#!/bin/bash
# SPDX-License-Identifier: MIT
# scatman rm: stopped and running chroots, missing names, rootless rootfs
# with subordinate ids and 000 directories, symlinks and leaked mounts
# that must not lead outside.
. "$(dirname "$0")/../lib.sh"
need_registry
img=$SCATMAN_TEST_REGISTRY/test/busybox
base=$t_tmp/root/chroots

testcmd "create" 0 sm create --tls-verify=false --name one "$img"
id=$out
testcmd "rm" 0 sm rm one
is "$out" one "prints the removed name"
ok "$([ ! -e "$base/$id" ] && [ -z "$(ls "$base")" ]; echo $?)" \
	"the directory is gone"
testcmd "rm again" 1 sm rm one
like "$err" "no chroot with name or ID 'one' found" "missing name"
testcmd "rm -i of a missing name" 0 sm rm -i one
is "$out" "" "nothing printed for a name passed over"
testcmd "rm -f of a missing name" 0 sm rm -f one
is "$out$err" "" "-f passes over a missing name in silence"
testcmd "an unknown option" 125 sm rm --bogus one
is "$err" "scatman: rm: unknown option '--bogus' (see 'scatman rm --help')" \
	"one line naming the option"
testcmd "-t without its argument" 125 sm rm one -t
is "$err" "scatman: rm: option '-t' needs an argument (see 'scatman rm --help')" \
	"one line naming the option that needs an argument"
testcmd "rm without names" 125 sm rm

# symlinks in the rootfs pointing at host directories are not followed
mkdir -p "$t_tmp/host/keep"
echo precious >"$t_tmp/host/keep/file"
before=$(tree_hash "$t_tmp/host")
testcmd "create two" 0 sm create --tls-verify=false --name two "$img"
r=$base/$out/rootfs
ln -s "$t_tmp/host" "$r/abs"
ln -s ../../../../../../../../.. "$r/up"
mkdir -p "$r/deep/locked" && touch "$r/deep/locked/f" && chmod 0 "$r/deep/locked"
chmod 0555 "$r/deep"
testcmd "rm with symlinks out and locked dirs" 0 sm rm two
is "$(tree_hash "$t_tmp/host")" "$before" "nothing outside changed"

# running chroots need --force
testcmd "create three" 0 sm create --tls-verify=false --name three "$img" sleep 1000
testcmd "start three" 0 sm start three
testcmd "rm of a running chroot" 2 sm rm three
like "$err" "cannot remove running chroot 'three'" "says why"
is "$(sm ps --format '{{.Names}}')" three "still running"
testcmd "rm -f -t 1" 0 sm rm -f -t 1 three
is "$out" three "removed"
is "$(sm ps -a --format '{{.Names}}')" "" "gone from the list"
testcmd "mixed: missing and present" 1 sm rm nothere
testcmd "create four" 0 sm create --tls-verify=false --name four "$img" sleep 1000
testcmd "create five" 0 sm create --tls-verify=false --name five "$img"
testcmd "start four" 0 sm start four
testcmd "rm -a without -f" 2 sm rm -a
is "$(sm ps -a --format '{{.Names}}')" four "the stopped one went"
testcmd "rm -af" 0 sm rm -af
is "$(sm ps -a --format '{{.Names}}')" "" "all gone"

# options after the names, as podman takes them
testcmd "create seven" 0 sm create --tls-verify=false --name seven "$img" sleep 1000
testcmd "start seven" 0 sm start seven
testcmd "rm NAME --force -t 1" 0 sm rm seven --force -t 1
is "$out" seven "the option after the name applied"
# a missing name among found ones: the found ones go, the status is 1
testcmd "create eight" 0 sm create --tls-verify=false --name eight "$img"
testcmd "rm of a found and a missing name" 1 sm rm eight nosuch
is "$out" eight "the found one is removed"
like "$err" "no chroot with name or ID 'nosuch' found" "the missing one is named"
is "$(sm ps -a --format '{{.Names}}')" "" "eight is gone"

# a bind mount that leaked into a rootfs: rm refuses to go through it
testcmd "create six" 0 sm create --tls-verify=false --name six "$img"
r=$base/$out/rootfs
mkdir -p "$r/mnt/leak"
before=$(tree_hash "$t_tmp/host")
testcmd "rm through a leaked mount" 125 unshare -m --propagation private \
	sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' - \
	"$t_tmp/host" "$r/mnt/leak" "$SCATMAN_BIN" --root "$t_tmp/root" rm six
like "$err" "refusing to cross the mount at '.*mnt/leak'" "names the mount"
is "$(tree_hash "$t_tmp/host")" "$before" "nothing under the mount removed"
is "$(sm ps -a --format '{{.Names}}')" "" "the chroot is out of the list"
is "$(ls "$base" | grep -c '^[0-9a-f]\{64\}\.removing-[0-9]*$')" 1 \
	"the failed rm left its renamed directory"

# a later rm retries what a failed rm left; failing again is a warning
testcmd "create nine" 0 sm create --tls-verify=false --name nine "$img"
touch "$base/$out/rootfs/stuck"
chattr +i "$base/$out/rootfs/stuck" || bail "chattr +i is needed"
testcmd "rm of an undeletable chroot fails" 125 sm rm nine
testcmd "a later rm -a" 0 sm rm -a
like "$err" "warning: removing what an earlier rm left: .*stuck" \
	"the leftover that still fails is a warning"
is "$(ls "$base")" "$(ls "$base" | grep '\.removing-')" \
	"only leftovers remain"
like "$(ls "$base")" "^[0-9a-f]{64}\.removing-[0-9]+$" \
	"the other leftover (the leaked mount's) is gone"
chattr -i "$base"/*/rootfs/stuck
testcmd "rm of a missing name" 1 sm rm nosuch
unlike "$err" "warning" "no warning once the leftover can go"
is "$(ls -A "$base")" "" "a later rm removed every leftover"

if is_root && [ -n "${SCATMAN_TEST_USER:-}" ]; then
	# rootless: files of subordinate ids, 000 and read-only dirs
	hu=$t_tmp/home-$SCATMAN_TEST_USER
	testcmd "rootless create" 0 smu create --tls-verify=false --name r1 "$img" sleep 1000
	rid=$out
	r=$hu/root/chroots/$rid/rootfs
	sub=$(awk -F: -v u="$SCATMAN_TEST_USER" '$1 == u { print $2 + 999 }' /etc/subuid)
	size1=$(smu ps -a -s --format json | jq '.[0].Size')
	mkdir -p "$r/home/app/hidden"
	head -c 100000 /dev/zero >"$r/home/app/hidden/blob"
	chown -R "$sub:$sub" "$r/home/app"
	chmod 0700 "$r/home/app/hidden"
	size2=$(smu ps -a -s --format json | jq '.[0].Size')
	is "$((size2 - size1))" 100000 \
		"ps -s counts what only the chroot's users can read"
	mkdir -p "$r/home/app/a/b" "$r/ro/x"
	touch "$r/home/app/a/b/f" "$r/ro/x/g"
	chown -R "$sub:$sub" "$r/home/app" "$r/ro"
	chmod 0 "$r/home/app/a/b" "$r/home/app/a"
	chmod 0555 "$r/ro" "$r/ro/x"
	testcmd "rootless start" 0 smu start r1
	testcmd "rootless rm -f" 0 smu rm -f r1
	is "$out" r1 "removed"
	ok "$([ ! -e "$hu/root/chroots/$rid" ]; echo $?)" \
		"subordinate-owned rootfs is gone"
	is "$(ls -A "$hu/root/chroots")" "" "nothing left behind"

	# a killed rm leaves its directory renamed to <id>.removing-<pid>
	# with a rootfs of subordinate ids the user cannot delete; a later
	# rm removes it in the chroot's user namespace, unless that rm lives
	hb=$hu/root/chroots
	testcmd "rootless create k1" 0 smu create --tls-verify=false --name k1 "$img"
	k1=$out
	mkdir -p "$hb/$k1/rootfs/home/app/x"
	touch "$hb/$k1/rootfs/home/app/x/f"
	chown -R "$sub:$sub" "$hb/$k1/rootfs/home/app"
	chmod 0 "$hb/$k1/rootfs/home/app/x"
	dead=$(sh -c 'echo $$')
	mv "$hb/$k1" "$hb/$k1.removing-$dead"
	testcmd "rootless create k2" 0 smu create --tls-verify=false --name k2 "$img"
	k2=$out
	sleep 1000 &
	live=$!
	mv "$hb/$k2" "$hb/$k2.removing-$live"
	testcmd "by hand the user cannot remove it" 1 \
		as_user rm -rf "$hb/$k1.removing-$dead/rootfs"
	# one whose config.json is gone: the user's default map
	testcmd "rootless create k3" 0 smu create --tls-verify=false --name k3 "$img"
	k3=$out
	mkdir -p "$hb/$k3/rootfs/home/app/y"
	chown -R "$sub:$sub" "$hb/$k3/rootfs/home/app"
	chmod 0 "$hb/$k3/rootfs/home/app/y"
	rm "$hb/$k3/config.json"
	mv "$hb/$k3" "$hb/$k3.removing-$dead"
	testcmd "rootless rm -a" 0 smu rm -a
	is "$err" "" "no warning"
	is "$(ls -A "$hb")" "$k2.removing-$live" \
		"the killed rm's leftover is gone, a live rm's is kept"
	kill "$live"
	wait "$live" 2>/dev/null
	testcmd "rootless rm of a missing name" 1 smu rm nosuch
	is "$(ls -A "$hb")" "" "its leftover goes once that rm is gone"
else
	skip "rootless rm needs root to set up the test user"
fi
done_testing
