#!/bin/bash
# SPDX-License-Identifier: MIT
# The bundled ps utility against procps ps on the same processes.
. "$(dirname "$0")/../lib.sh"

tps() { "$SCATMAN_BIN" tool ps "$@"; }
pids=()
t_cleanup_cmds+=('kill "${pids[@]}"')
spawn() {
	"$@" </dev/null >/dev/null 2>&1 &
	pids+=("$!")
}
spawn sleep 1001
spawn nice -n 5 sleep 1002
spawn setsid sleep 1003
spawn sh -c 'sleep 1004; : "a  b"'
# wait until every child has exec'd its final program
for p in "${pids[@]}"; do
	for _ in $(seq 100); do
		grep -q '^sleep\|^sh' "/proc/$p/comm" && break
		sleep 0.05
	done
done
sleep 0.2
list=$(IFS=,; echo "1,${pids[*]}")

same() {
	local desc=$1
	shift
	is "$(tps "$@" 2>&1)" "$(ps "$@" 2>&1)" "$desc"
}
same "default format" -p "$list"
same "-f" -f -p "$list"
same "-o with procps columns" -o pid,ppid,user,stat,time,comm,args -p "$list"
same "-o more columns" -o uid,gid,group,tty,ni,pri,vsz,c,nlwp,pgid,sid,s,ucmd,cmd -p "$list"
same "-o args not last is cut" -o args,pid -p "$list"
same "custom headers" -o pid=PROCESS,user=WHO,comm= -p "$list"
same "all headers empty: no header line" -o pid=,comm= -p "${pids[0]}"
same "-p repeated and with spaces" -p "${pids[0]}" -p "${pids[1]} ${pids[2]}"
same "rss" -o rss -p "${pids[0]}"
mine_only=$(IFS=,; echo "${pids[*]}")
same "BSD u" u -p "$mine_only"
same "%CPU, %MEM, START" -o pcpu,pmem,start_time,vsz -p "$mine_only"
like "$(tps -o etime= -p "${pids[0]}")" '^ +[0-9]{2}:[0-9]{2}$' "etime format"

# hostile command lines and names: non-printable characters show as '?',
# as procps shows them (a newline in the command line as a space)
evil=$(printf 'evil\033]0;X\007\033[2Jname\ttab\nnl\177end')
ename=$(printf 'e\033[2Jv\til')
ln -s "$(command -v sleep)" "$t_tmp/$ename"
hpids=()
spawn bash -c 'exec -a "$0" sleep 1005' "$evil"
hpids+=("$!")
spawn "$t_tmp/$ename" 1006
hpids+=("$!")
spawn bash -c 'exec -a "$0" sleep 1007' "$(printf '%.0s\303\251' $(seq 30))"
hpids+=("$!")
for p in "${hpids[@]}"; do
	for _ in $(seq 100); do
		grep -q '100[5-7]' "/proc/$p/cmdline" && break
		sleep 0.05
	done
done
hl=$(IFS=,; echo "${hpids[*]:0:2}")
same "hostile args, -f" -f -p "$hl"
same "hostile comm and args" -o pid,comm,args -p "$hl"
same "hostile args cut" -o args,pid -p "$hl"
like "$(tps -o args= -p "${hpids[0]}")" '^evil\?\]0;X\?\?\[2Jname\?tab nl\?end 1005$' \
	"control characters become '?'"
is "$(tps -o comm= -p "${hpids[1]}")" 'e?[2Jv?il' "in comm too"
# How much of it fits depends on the PID column's width: check that only
# whole characters are left, whatever the count.
e=$(printf '\303\251')
like "$(tps -o args,pid -p "${hpids[2]}" | sed -n 2p)" \
	"^($e)+ +${hpids[2]}\$" \
	"a cut command keeps whole UTF-8 characters"

# ax and -e: compare the lines of our processes (others come and go)
mine() { awk -v l=",$list," 'NR == 1 || index(l, "," $1 ",")'; }
is "$(tps ax | mine | wc -l)" 6 "BSD ax shows our processes"
is "$(tps ax | mine)" "$(ps ax | mine)" "BSD ax"
is "$(tps -e | mine)" "$(ps -e | mine)" "-e"
is "$(tps -A -o pid,stat,args | mine)" "$(ps -A -o pid,stat,args | mine)" "-A with -o"
is "$(tps x | head -1)" "$(ps x | head -1)" "BSD x header"
like "$(tps -ef)" "sleep 1002" "-ef lists everything"

testcmd "a missing pid" 1 tps -p 999999999
is "$out" "$(ps -p 999999999)" "header only, as procps"
testcmd "unknown column" 1 tps -o bogus
like "$err" "bogus" "names the column"
testcmd "bad pid list" 1 tps -p 1x
testcmd "an unknown long option" 1 tps --bogus
is "$err" "ps: unknown option '--bogus' (see 'ps --help')" \
	"one line naming the option"
testcmd "BSD aux" 0 tps aux
is "$(echo "$out" | head -1)" "$(ps aux | head -1)" "aux: the BSD user format"
like "$out" "sleep 1002" "aux lists every process"

# in a pid namespace of its own, as inside a chroot
if unshare -pf --mount-proc true 2>/dev/null; then
	got=$(unshare -pf --mount-proc "$SCATMAN_BIN" tool ps -e -o pid,ppid,user,stat)
	want=$(unshare -pf --mount-proc ps -e -o pid,ppid,user,stat)
	is "$got" "$want" "inside a new pid namespace"
	is "$(echo "$got" | sed -n 2p | awk '{print $1}')" 1 "it is pid 1 there"
else
	skip "no pid namespaces here"
fi

# inside a scatman chroot, against procps run there too (both through the
# host's loader and libraries, mounted read-only)
if [ -n "${SCATMAN_TEST_REGISTRY:-}" ]; then
	ld=$(readlink -f /lib64/ld-linux-x86-64.so.2)
	libs=/hostusr${ld#/usr}
	libs=${libs%/*}
	run_in() {
		sm exec box "$libs/${ld##*/}" --library-path "$libs" "$@"
	}
	sm create --tls-verify=false --name box -v /usr:/hostusr:ro \
		-v "$SCATMAN_BIN:/x/scatman:ro" \
		"$SCATMAN_TEST_REGISTRY/test/busybox" sleep 1000 >/dev/null 2>&1
	testcmd "start a chroot" 0 sm start box
	t_cleanup_cmds+=('sm rm -f -t 0 box')
	if file -L -b "$SCATMAN_BIN" | grep -q 'statically linked'; then
		tps_in() { sm exec box /x/scatman tool ps "$@"; }
	else
		tps_in() { run_in /x/scatman tool ps "$@"; }
	fi
	testcmd "ps utility in the chroot" 0 tps_in -e -o pid,ppid,user,stat,comm
	got=$out
	testcmd "procps in the chroot" 0 run_in /hostusr/bin/ps -e -o pid,ppid,user,stat,comm
	is "$(echo "$got" | awk 'NR == 1 || $1 <= 2')" \
		"$(echo "$out" | awk 'NR == 1 || $1 <= 2')" "its init and command as procps"
	is "$(echo "$got" | wc -l)" 4 "only the chroot's processes"
	is "$(echo "$got" | awk '$1 == 1 { print $5 }')" scatman-init "pid 1 is its init"
	sm rm -f -t 0 box >/dev/null 2>&1
else
	skip "no test registry: run through tests/run.sh for the chroot check"
fi
done_testing
