#!/bin/bash
# SPDX-License-Identifier: MIT
# run: create + start, attached unless -d; exit statuses, stdin with -i,
# --rm leaving nothing, -d.
. "$(dirname "$0")/../lib.sh"
need_registry
img=$SCATMAN_TEST_REGISTRY/test/busybox

run_tests() {
	local S=$1 who=$2 root=$3
	testcmd "$who: run" 0 $S run --tls-verify=false --name r1 "$img" echo hello
	is "$out" "hello" "$who: run shows the output"
	testcmd "$who: run exit 3" 3 $S run --tls-verify=false "$img" sh -c 'exit 3'
	testcmd "$who: run of a missing command" 127 $S run --tls-verify=false "$img" nosuchcmd
	testcmd "$who: run -i" 0 $S run -i --tls-verify=false "$img" cat <<<"stdin text"
	is "$out" "stdin text" "$who: stdin reaches the command with -i"
	testcmd "$who: run with create's options" 0 $S run --tls-verify=false \
		-e A=b -w /tmp -u tester --hostname hn "$img" sh -c 'echo $A $(pwd) $(id -u) $(hostname)'
	is "$out" "b /tmp 1000 hn" "$who: create's options apply"
	testcmd "$who: run keeps the command's own flags" 0 $S run --tls-verify=false \
		"$img" ls -d /
	is "$out" "/" "$who: flags after the image belong to the command"

	local before
	before=$(ls "$root/chroots" | wc -l)
	testcmd "$who: run --rm" 4 $S run --rm --tls-verify=false "$img" sh -c 'exit 4'
	before=$(ls "$root/chroots" | wc -l)
	testcmd "$who: run --rm of a missing user" 125 $S run --rm \
		--tls-verify=false -u nosuchuser "$img" true
	is "$out" "" "$who: a failed run --rm prints nothing on stdout"
	is "$(ls "$root/chroots" | wc -l)" "$before" "$who: and leaves no chroot"
	testcmd "$who: run takes create's registry options" 0 $S run --rm \
		--tls-verify=false --pull always --creds "a:b" \
		--cert-dir /nonexistent "$img" true
	echo '{ malformed' >"$t_tmp/bad-auth-$who.json"
	chmod 644 "$t_tmp/bad-auth-$who.json"
	testcmd "$who: run passes --authfile on to the pull" 125 $S run --rm \
		--tls-verify=false --pull always \
		--authfile "$t_tmp/bad-auth-$who.json" "$img" true
	like "$err" "bad-auth-$who.json" "$who: the pull read run's --authfile"
	is "$(ls "$root/chroots" | wc -l)" "$before" "$who: run --rm leaves no chroot"

	testcmd "$who: run -d" 0 $S run -d --tls-verify=false --name bg "$img" sleep 1000
	like "$out" '^[0-9a-f]{64}$' "$who: run -d prints the ID"
	testcmd "$who: exec into it" 0 $S exec bg true
	testcmd "$who: stop" 0 $S stop -t 1 bg
	testcmd "$who: run -d --rm" 0 $S run -d --rm --tls-verify=false --name bgrm "$img" sleep 1000
	local id=$out
	is "$(ls "$root/chroots" | grep -c "$id")" "1" "$who: it exists while running"
	testcmd "$who: stop it" 0 $S stop -t 1 bgrm
	is "$(ls "$root/chroots" | grep -c "$id")" "0" "$who: run -d --rm removed it after stop"
	testcmd "$who: run without an image" 125 $S run

	testcmd "$who: --network none" 0 $S run --rm --tls-verify=false \
		--network none "$img" ls /sys/class/net
	is "$out" "lo" "$who: a private network has only lo"
	testcmd "$who: --network none: lo is up" 0 $S run --rm --tls-verify=false \
		--network none "$img" ip -o link show lo
	like "$out" "[<,]UP[,>]" "$who: lo is up"
	testcmd "$who: --network host" 0 $S run --rm --tls-verify=false "$img" \
		ls /sys/class/net
	is "$out" "$(ls /sys/class/net)" "$who: host network by default"
	testcmd "$who: --pid host --uts host" 0 $S run --rm --tls-verify=false \
		--pid host --uts host "$img" sh -c 'cat /proc/1/comm; hostname; cat /etc/hostname'
	is "$out" "$(cat /proc/1/comm; hostname; hostname)" "$who: host pid and uts namespaces"
	testcmd "$who: private ipc" 0 $S run --rm --tls-verify=false "$img" \
		test -d /dev/mqueue
}

run_tests sm root "$t_tmp/root"
if is_root && [ -n "${SCATMAN_TEST_USER:-}" ]; then
	run_tests smu rootless "$t_tmp/home-$SCATMAN_TEST_USER/root"
fi
done_testing
