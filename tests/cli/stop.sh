#!/bin/bash
# SPDX-License-Identifier: MIT
# stop, kill and restart: the stop signal, SIGKILL after the timeout,
# signals forwarded by the init, --all.
. "$(dirname "$0")/../lib.sh"
need_registry
img=$SCATMAN_TEST_REGISTRY/test/busybox

exit_code_of() {
	local d
	d=$(dirname "$(grep -l "\"Name\":[[:space:]]*\"$2\"" "$1"/chroots/*/config.json)")
	sed -n 's/.*"ExitCode":[[:space:]]*\([0-9]*\).*/\1/p' "$d/state.json"
}

stop_tests() {
	local S=$1 who=$2 root=$3
	testcmd "$who: create a TERM ignorer" 0 $S create --tls-verify=false \
		--name stubborn "$img" sh -c 'trap "" TERM; while :; do sleep 1; done'
	testcmd "$who: start" 0 $S start stubborn
	testcmd "$who: stop -t 1" 0 $S stop -t 1 stubborn
	is "$out" "stubborn" "$who: stop prints the name"
	is "$(exit_code_of "$root" stubborn)" "137" "$who: killed after the timeout"
	testcmd "$who: exec after stop" 125 $S exec stubborn true

	testcmd "$who: create a signal catcher" 0 $S create --tls-verify=false \
		--name catcher "$img" sh -c \
		'trap "echo got-usr1; exit 9" USR1; trap "echo got-term; exit 3" TERM; while :; do sleep 0.1; done'
	testcmd "$who: start" 0 $S start catcher
	testcmd "$who: kill -s USR1" 0 $S kill -s USR1 catcher
	is "$out" "catcher" "$who: kill prints the name"
	for n in $(seq 100); do
		[ "$(exit_code_of "$root" catcher)" = 9 ] && break
		sleep 0.1
	done
	is "$(exit_code_of "$root" catcher)" "9" "$who: USR1 reached the main process"
	testcmd "$who: kill of a stopped chroot" 125 $S kill catcher
	testcmd "$who: restart" 0 $S restart -t 5 catcher
	testcmd "$who: stop forwards TERM" 0 $S stop -t 30 catcher
	is "$(exit_code_of "$root" catcher)" "3" "$who: the main process handled TERM"
	testcmd "$who: kill -s bogus" 125 $S kill -s BOGUS catcher

	testcmd "$who: start both" 0 $S start stubborn catcher
	testcmd "$who: stop --all" 0 $S stop -a -t 1
	testcmd "$who: stubborn stopped" 125 $S exec stubborn true
	testcmd "$who: catcher stopped" 125 $S exec catcher true
	testcmd "$who: create in the host's pid namespace" 0 $S create \
		--tls-verify=false --pid host --name hostpid "$img" \
		sh -c 'trap "" TERM; while :; do sleep 1; done'
	testcmd "$who: start" 0 $S start hostpid
	local d init main
	d=$(dirname "$(grep -l '"Name":[[:space:]]*"hostpid"' "$root"/chroots/*/config.json)")
	init=$(sed -n 's/.*"Pid":[[:space:]]*\([0-9]*\).*/\1/p' "$d/state.json")
	main=$(cut -d' ' -f1 "/proc/$init/task/$init/children")
	testcmd "$who: stop -t 1 with a host pid namespace" 0 $S stop -t 1 hostpid
	for n in $(seq 100); do
		[ "$(cut -d' ' -f3 "/proc/$main/stat" 2>/dev/null)" = "" ] && break
		sleep 0.1
	done
	is "$(cut -d' ' -f3 "/proc/$main/stat" 2>/dev/null)" "" \
		"$who: its main process is gone too"

	testcmd "$who: start it again" 0 $S start hostpid
	init=$(sed -n 's/.*"Pid":[[:space:]]*\([0-9]*\).*/\1/p' "$d/state.json")
	main=$(cut -d' ' -f1 "/proc/$init/task/$init/children")
	testcmd "$who: kill with a host pid namespace" 0 $S kill hostpid
	for n in $(seq 100); do
		[ "$(cut -d' ' -f3 "/proc/$main/stat" 2>/dev/null)" = "" ] && break
		sleep 0.1
	done
	is "$(cut -d' ' -f3 "/proc/$main/stat" 2>/dev/null)" "" \
		"$who: kill ends its main process too"

	# Options may follow the names, as podman takes them.
	testcmd "$who: start the ignorer again" 0 $S start stubborn
	testcmd "$who: stop NAME -t 1" 0 $S stop stubborn -t 1
	is "$out" "stubborn" "$who: -t after the name is an option, not a name"
	is "$(exit_code_of "$root" stubborn)" "137" "$who: its timeout applied"

	testcmd "$who: stop of a missing chroot" 125 $S stop nosuch
	testcmd "$who: stop -t garbage" 125 $S stop -t soon catcher
	# 2^32 must not wrap to a timeout of 0 (an immediate SIGKILL)
	testcmd "$who: start catcher again" 0 $S start catcher
	for t in 4294967296 2147483648 -1 +1 " 1"; do
		testcmd "$who: stop -t '$t' is refused" 125 $S stop -t "$t" catcher
		like "$err" "invalid timeout" "$who: stop -t '$t' says why"
		testcmd "$who: restart -t '$t' is refused" 125 \
			$S restart -t "$t" catcher
		testcmd "$who: rm -t '$t' is refused" 125 $S rm -f -t "$t" catcher
	done
	testcmd "$who: refused timeouts stop nothing" 0 $S exec catcher true
	testcmd "$who: stop -t 2147483647 is taken" 0 \
		$S stop -t 2147483647 catcher
	is "$(exit_code_of "$root" catcher)" "3" "$who: and TERM ended it"
}

stop_tests sm root "$t_tmp/root"
if is_root && [ -n "${SCATMAN_TEST_USER:-}" ]; then
	stop_tests smu rootless "$t_tmp/home-$SCATMAN_TEST_USER/root"
fi
done_testing
