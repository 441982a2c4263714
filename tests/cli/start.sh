#!/bin/bash
# SPDX-License-Identifier: MIT
# start: detached supervisor and state, attached start with output and
# status, the log records, failures to start, a killed supervisor,
# restart; and mount points that an image's symlinks must not redirect.
. "$(dirname "$0")/../lib.sh"
need_registry
img=$SCATMAN_TEST_REGISTRY/test/busybox

# state_of ROOT NAME: the Status field of the chroot's state.json
state_of() {
	local d
	d=$(grep -l "\"Name\":[[:space:]]*\"$2\"" "$1"/chroots/*/config.json)
	sed -n 's/.*"Status":[[:space:]]*"\([a-z]*\)".*/\1/p' "$(dirname "$d")/state.json"
}
dir_of() {
	dirname "$(grep -l "\"Name\":[[:space:]]*\"$2\"" "$1"/chroots/*/config.json)"
}

start_tests() {
	local S=$1 who=$2 root=$3
	testcmd "$who: create" 0 $S create --tls-verify=false --name st "$img" sleep 1000
	testcmd "$who: start" 0 $S start st
	is "$out" "st" "$who: start prints the name"
	is "$(state_of "$root" st)" "running" "$who: state is running"
	testcmd "$who: start of a running chroot" 0 $S start st
	is "$out" "st" "$who: starting again is fine"
	testcmd "$who: start -a of a running chroot" 125 $S start -a st
	like "$err" "already running" "$who: says it is running"
	testcmd "$who: exec works" 0 $S exec st true
	testcmd "$who: stop" 0 $S stop st
	is "$out" "st" "$who: stop prints the name"
	is "$(state_of "$root" st)" "exited" "$who: state is exited"
	like "$(cat "$(dir_of "$root" st)/state.json")" '"ExitCode":[[:space:]]*143' \
		"$who: exit code of a SIGTERM"
	testcmd "$who: stop of a stopped chroot" 0 $S stop st
	testcmd "$who: restart" 0 $S restart st
	testcmd "$who: running after restart" 0 $S exec st true

	# the supervisor killed: state reads as exited, nothing hangs
	local sup
	sup=$(sed -n 's/.*"Supervisor":[[:space:]]*\([0-9]*\).*/\1/p' "$(dir_of "$root" st)/state.json")
	local init
	init=$(sed -n 's/.*"Pid":[[:space:]]*\([0-9]*\).*/\1/p' "$(dir_of "$root" st)/state.json")
	kill -9 "$sup"
	for n in $(seq 100); do
		kill -0 "$sup" 2>/dev/null || kill -0 "$init" 2>/dev/null || break
		sleep 0.1
	done
	testcmd "$who: the chroot's init died with its supervisor" 1 kill -0 "$init"
	testcmd "$who: exec after the supervisor was killed" 125 $S exec st true
	testcmd "$who: stop after the supervisor was killed" 0 $S stop st
	testcmd "$who: start again after the supervisor was killed" 0 $S start st
	testcmd "$who: and exec" 0 $S exec st true
	testcmd "$who: kill" 0 $S kill st
	for n in $(seq 50); do [ "$(state_of "$root" st)" = exited ] && break; sleep 0.1; done
	is "$(state_of "$root" st)" "exited" "$who: killed reads as exited"

	testcmd "$who: create attached" 0 $S create --tls-verify=false --name at \
		"$img" sh -c 'echo out; echo err >&2; printf part; exit 5'
	testcmd "$who: start -a" 5 $S start -a at
	is "$out" "$(printf 'out\npart')" "$who: start -a shows stdout"
	is "$err" "err" "$who: start -a shows stderr"
	local log
	log=$(cat "$(dir_of "$root" at)/log")
	like "$log" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z stdout F out$' \
		"$who: log record of a full line"
	like "$log" 'Z stderr F err$' "$who: log record of stderr"
	like "$log" 'Z stdout P part$' "$who: log record of a partial line"
	testcmd "$who: start -a again" 5 $S start -a at
	is "$(grep -c 'stdout F out' "$(dir_of "$root" at)/log")" "2" \
		"$who: the log is appended across starts"
	testcmd "$who: start -i" 0 $S create --tls-verify=false --name in "$img" cat
	testcmd "$who: start -i passes stdin" 0 $S start -i in <<<"to cat"
	is "$out" "to cat" "$who: stdin reaches the command"

	testcmd "$who: create with a missing command" 0 $S create --tls-verify=false \
		--name nf "$img" /no/such/cmd
	testcmd "$who: start of a missing command" 127 $S start nf
	like "$err" "/no/such/cmd" "$who: the message names the command"
	testcmd "$who: start of a missing chroot" 125 $S start nosuch
	testcmd "$who: start without a name" 125 $S start
}

start_tests sm root "$t_tmp/root"
if is_root && [ -n "${SCATMAN_TEST_USER:-}" ]; then
	start_tests smu rootless "$t_tmp/home-$SCATMAN_TEST_USER/root"
fi

# A recorded pid whose start time differs is another process (a recycled
# pid): the chroot reads as not running.
testcmd "recycled pid: create" 0 sm create --tls-verify=false --name rp "$img" sleep 1000
testcmd "recycled pid: start" 0 sm start rp
st=$(dir_of "$t_tmp/root" rp)/state.json
cp "$st" "$t_tmp/state.saved"
sed -i 's/"\(PidStart\|SupervisorStart\)":[[:space:]]*\([0-9]*\)/"\1": 1\2/' "$st"
testcmd "recycled pid: exec" 125 sm exec rp true
like "$err" "not running" "recycled pid: exec says not running"
testcmd "recycled pid: stop signals nothing" 0 sm stop -t 1 rp
cp "$t_tmp/state.saved" "$st"
testcmd "recycled pid: the real chroot was left alone" 0 sm exec rp true
testcmd "recycled pid: stop" 0 sm stop -t 1 rp

# A kernel that refuses user namespaces: said so, with what to change.
# user.max_user_namespaces is per user namespace, so a nested one set to 0
# stands in for the host's setting.
if is_root && [ -n "${SCATMAN_TEST_USER:-}" ]; then
	testcmd "no userns: create" 0 smu create --tls-verify=false --name nou "$img" true
	testcmd "no userns: start" 125 as_user unshare -U -r sh -c \
		"echo 0 >/proc/sys/user/max_user_namespaces && exec \"\$SCATMAN_BIN\" --root '$t_tmp/home-$SCATMAN_TEST_USER/root' start nou"
	like "$err" "user\.max_user_namespaces is 0" "no userns: the setting is named"
	like "$err" "sysctl -w user\.max_user_namespaces=" "no userns: what to change"
fi

# An image's /etc/resolv.conf, /etc/hosts and /etc/hostname as symlinks:
# never a mount over the link's target unless it is a file under /run.
if [ -r /etc/resolv.conf ]; then
	testcmd "symlinks: create" 0 sm create --tls-verify=false --name ln "$img" sleep 1000
	rootfs=$(dir_of "$t_tmp/root" ln)/rootfs
	ln -s /etc/passwd "$rootfs/etc/resolv.conf"
	ln -s ../../../../../../../../../tmp/scatman-nonexistent-$$ "$rootfs/etc/hosts"
	mkdir -p "$rootfs/run/systemd"
	echo "image's own" >"$rootfs/run/systemd/hostname"
	ln -s ../run/systemd/hostname "$rootfs/etc/hostname"
	before=$(sha256sum </etc/passwd)
	testcmd "symlinks: start" 0 sm start ln
	testcmd "symlinks: passwd" 0 sm exec ln cat /etc/passwd
	like "$out" '^tester:x:1000' "symlinks: the image's passwd is not covered"
	is "$(sha256sum </etc/passwd)" "$before" "symlinks: the host's passwd is untouched"
	testcmd "symlinks: dangling link" 1 sm exec ln test -e /etc/hosts
	is "$(ls /tmp/scatman-nonexistent-$$ 2>&1 >/dev/null | wc -l)" "1" \
		"symlinks: nothing created on the host"
	testcmd "symlinks: a link to a file under /run" 0 sm exec ln cat /etc/hostname
	is "$out" "ln" "symlinks: the file under /run is covered"
	is "$(cat "$rootfs/run/systemd/hostname")" "image's own" \
		"symlinks: the image's file itself is unchanged"
	testcmd "symlinks: stop" 0 sm stop -t 1 ln

	testcmd "symlinks: create with /proc a link" 0 sm create \
		--tls-verify=false --name lp "$img" true
	rootfs=$(dir_of "$t_tmp/root" lp)/rootfs
	rmdir "$rootfs/proc" && ln -s etc "$rootfs/proc"
	testcmd "symlinks: /proc as a symlink is refused" 125 sm start lp
	like "$err" "'/proc'" "symlinks: the message names /proc"
	is "$(ls "$rootfs/etc/passwd")" "$rootfs/etc/passwd" "symlinks: /etc is left as it was"
fi
done_testing
