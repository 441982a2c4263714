#!/bin/bash
# SPDX-License-Identifier: MIT
# The bundled nsenter against util-linux nsenter on the same targets (the
# main process of a running chroot), as root and as an unprivileged user.
. "$(dirname "$0")/../lib.sh"
need_registry
command -v nsenter >/dev/null || bail "util-linux nsenter is needed"
img=$SCATMAN_TEST_REGISTRY/test/busybox

# what a command sees of its namespaces, ids, root and cwd
probe='for n in mnt pid ipc uts net user cgroup; do readlink /proc/self/ns/$n; done; id; hostname; ls /; pwd'

# same NAME RUNNER ARGS...: runs both nsenters with ARGS; compares output
# and status. An argument ALL stands for -a; for util-linux, as an
# unprivileged user, for the chroot's own namespaces listed: its --all
# also tries the ones the caller shares (cgroup, net here), which a user
# namespace's root may not enter, where ours skips them (a deliberate
# difference, see applets/nsenter.c).
same() {
	local desc=$1 run=$2 peer_out peer_rc a
	local -a ours=() peer=()
	shift 2
	for a in "$@"; do
		if [ "$a" = ALL ]; then
			ours+=(-a)
			peer+=($peer_all)
		else
			ours+=("$a")
			peer+=("$a")
		fi
	done
	peer_out=$($run nsenter "${peer[@]}" 2>&1)
	peer_rc=$?
	out=$($run "$SCATMAN_BIN" nsenter "${ours[@]}" 2>&1)
	rc=$?
	is "$rc" "$peer_rc" "$desc: status as util-linux"
	is "$out" "$peer_out" "$desc: output as util-linux"
}

nsenter_tests() {
	local S=$1 who=$2 run=$3 d pid m
	testcmd "$who: create" 0 $S create --tls-verify=false --name ns "$img" sleep 1000
	testcmd "$who: start" 0 $S start ns
	d=$(dirname "$(grep -l '"Name":[[:space:]]*"ns"' "$4"/chroots/*/config.json)")
	pid=$(sed -n 's/.*"Pid":[[:space:]]*\([0-9]*\).*/\1/p' "$d/state.json")
	m=$(cut -d' ' -f1 "/proc/$pid/task/$pid/children")

	same "$who: -a" "$run" -t "$m" ALL sh -c "$probe"
	like "$out" "^ns$" "$who: -a reaches the chroot's hostname"
	same "$who: -U -m -u" "$run" -t "$m" -U -m -u sh -c "$probe"
	same "$who: -U -m -p" "$run" -t "$m" -U -m -p sh -c "$probe"
	same "$who: -a -r -w" "$run" -t "$m" ALL -r -w sh -c "$probe"
	same "$who: -a -w/tmp" "$run" -t "$m" ALL --wd=/tmp pwd
	same "$who: files as arguments" "$run" -t "$m" --user=/proc/$m/ns/user \
		--mount=/proc/$m/ns/mnt --uts=/proc/$m/ns/uts hostname
	same "$who: -S -G" "$run" -t "$m" ALL -S 1000 -G 1000 id
	same "$who: --preserve-credentials" "$run" -t "$m" -U -m \
		--preserve-credentials cat /proc/self/status
	same "$who: status" "$run" -t "$m" ALL sh -c 'exit 9'
	same "$who: missing program" "$run" -t "$m" ALL nosuchprogram
	same "$who: no target" "$run" -m true
	same "$who: gone target" "$run" -t 2147483 -U -m true
	same "$who: gone target, -a" "" -t 2147483 -a true
	same "$who: bad option" "$run" --frobnicate
	same "$who: bad short option" "$run" -x
	same "$who: missing argument" "$run" -t
	same "$who: missing argument of a long option" "$run" --target
	same "$who: missing argument in a cluster" "$run" -at
	same "$who: -F with -p" "$run" -t "$m" -U -m -p -F sh -c 'readlink /proc/self/ns/pid'
	# out-of-range numbers are refused, never wrapped (2^32+pid is pid)
	testcmd "$who: -t 2^32+pid refused" 1 \
		$run "$SCATMAN_BIN" nsenter -t $((4294967296 + m)) -m true
	like "$err" "failed to parse pid" "$who: says the pid is bad"
	testcmd "$who: -t 0 refused" 1 $run "$SCATMAN_BIN" nsenter -t 0 -m true
	testcmd "$who: -t 2^31 refused" 1 $run "$SCATMAN_BIN" \
		nsenter -t 2147483648 -m true
	like "$err" "failed to parse pid" "$who: -t 2^31 says why"
	for o in -S -G; do
		for v in 4294967296 4294967295 -1; do
			testcmd "$who: $o $v refused" 1 $run "$SCATMAN_BIN" \
				nsenter -t "$m" -a $o $v id
			like "$err" "failed to parse [ug]id" "$who: $o $v says why"
			is "$out" "" "$who: $o $v runs nothing"
		done
	done
	testcmd "$who: -S 0 -G 0 taken" 0 $run "$SCATMAN_BIN" \
		nsenter -t "$m" -a -S 0 -G 0 id -u
	is "$out" 0 "$who: as uid 0"
	testcmd "$who: stop" 0 $S stop -t 1 ns
}

peer_all=-a
nsenter_tests sm root "" "$t_tmp/root"
peer_all="-U -m -u -i -p"
if is_root && [ -n "${SCATMAN_TEST_USER:-}" ]; then
	nsenter_tests smu rootless as_user "$t_tmp/home-$SCATMAN_TEST_USER/root"
fi
done_testing
