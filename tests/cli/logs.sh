#!/bin/bash
# SPDX-License-Identifier: MIT
# scatman logs: streams, restarts appending, --tail, -t, --since/--until
# with times, dates, Unix seconds and durations, partial lines, several
# chroots, and -f ending when the chroot stops.
. "$(dirname "$0")/../lib.sh"
need_registry
img=$SCATMAN_TEST_REGISTRY/test/busybox
dir_of() { echo "$t_tmp/root/chroots/$(sm inspect -f '{{.Id}}' "$1")"; }

testcmd "create" 0 sm create --tls-verify=false --name talk "$img" \
	sh -c 'echo one; echo two >&2; printf "part"; echo " whole"'
testcmd "run it attached" 0 sm start -a talk
testcmd "logs" 0 sm logs talk
is "$out" "$(printf 'one\npart whole')" "stdout lines to stdout, partials joined"
is "$err" "two" "stderr lines to stderr"
testcmd "start again" 0 sm start -a talk
testcmd "logs after a restart" 0 sm logs talk
is "$out" "$(printf 'one\npart whole\none\npart whole')" "appended across restarts"
is "$err" "$(printf 'two\ntwo')" "stderr lines of both runs"
testcmd "--tail 0" 0 sm logs --tail 0 talk
is "$out$err" "" "nothing"
testcmd "-t" 0 sm logs -t talk
like "$(echo "$out" | head -1)" \
	'^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z one$' \
	"RFC 3339 time with nanoseconds"
testcmd "options after the name" 0 sm logs talk -t --tail 1
like "$out$err" \
	'^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z (two|part whole)$' \
	"-t and --tail after the name apply"
testcmd "an unknown option" 125 sm logs talk --bogus
is "$err" "scatman: logs: unknown option '--bogus' (see 'scatman logs --help')" \
	"one line naming the option"
testcmd "--since without its argument" 125 sm logs talk --since
is "$err" "scatman: logs: option '--since' needs an argument (see 'scatman logs --help')" \
	"one line naming the option that needs an argument"

# a log with known times, written as the supervisor writes it
testcmd "create quiet" 0 sm create --tls-verify=false --name quiet "$img" true
now=$(date -u +%Y-%m-%dT%H:%M:%S.000000000Z)
cat >"$(dir_of quiet)/log" <<LOG
2020-01-01T00:00:01.000000000Z stdout F first
2020-01-01T00:00:02.500000000Z stdout P sec
2020-01-01T00:00:02.600000000Z stdout F ond
2020-01-01T00:00:03.000000000Z stderr F third
garbage that is not a record
2020-01-01T00:00:04.000000000Z stdout F fourth
$now stdout F recent
LOG
l() { sm logs "$@" quiet 2>&1 | tr '\n' ' '; }
is "$(l)" "first second third fourth recent " "all records"
is "$(l --since 2020-01-01T00:00:02Z)" "second third fourth recent " "--since RFC 3339"
is "$(l --until 2020-01-01T00:00:03Z)" "first second third " "--until RFC 3339"
is "$(l --since 2020-01-01T00:00:02Z --until 2020-01-01T00:00:03.5Z)" \
	"second third " "a window"
is "$(l --since 1577836802.7)" "third fourth recent " "--since Unix seconds"
is "$(l --since 1h)" "recent " "--since a duration"
is "$(l --since 1h30m)" "recent " "--since a compound duration"
is "$(l --until 10m)" "first second third fourth " "--until a duration"
is "$(l --since 2020-01-02)" "recent " "--since a date"
is "$(l --tail 1)" "recent " "--tail 1"
is "$(l --tail 3)" "third fourth recent " "--tail 3 across both streams"
is "$(l --tail 9)" "first second third fourth recent " "--tail beyond the start"
is "$(l --tail 2 --until 2020-01-01T00:00:05Z)" "third fourth " "--tail within the window"
testcmd "bad --since" 125 sm logs --since yesterday quiet
like "$err" "invalid --since 'yesterday'" "says which"
# times past the int64 nanosecond range saturate instead of wrapping
is "$(l --since 2300-01-01T00:00:00Z)" "" "--since past 2262: nothing"
is "$(l --until 2300-01-01T00:00:00Z)" "first second third fourth recent " \
	"--until past 2262: everything"
is "$(l --since 9999-12-31)" "" "--since a far date: nothing"
is "$(l --since 100000000000)" "" "--since far Unix seconds: nothing"
is "$(l --until 100000000000)" "first second third fourth recent " \
	"--until far Unix seconds: everything"
is "$(l --since 100000000h)" "first second third fourth recent " \
	"--since a huge duration: everything"
is "$(l --until 100000000h)" "" "--until a huge duration: nothing"
is "$(l --since 1e99h)" "first second third fourth recent " \
	"--since an exponent duration: everything"
is "$(l --since=-100000000h)" "" "--since a huge negative duration: nothing"
for v in inf nan 1e99 infh nanh 1e999h; do
	testcmd "--since $v" 125 sm logs --since "$v" quiet
	like "$err" "invalid --since '$v'" "--since $v is refused"
done
testcmd "bad --tail" 125 sm logs --tail x quiet

testcmd "two chroots" 0 sm logs --until 2020-01-01T00:00:01Z quiet talk
is "$out" "quiet first" "each line prefixed with the name"
testcmd "--names" 0 sm logs -n --tail 1 quiet
is "$out" "quiet recent" "--names for one chroot"
testcmd "--latest" 0 sm logs --latest --tail 1
is "$out" "recent" "the latest created chroot"
testcmd "create silent" 0 sm create --tls-verify=false --name silent "$img" true
testcmd "a chroot never started" 0 sm logs silent
is "$out$err" "" "has no output"
testcmd "missing chroot" 125 sm logs nothere

# -f: follows until the chroot stops
testcmd "create slow" 0 sm create --tls-verify=false --name slow "$img" \
	sh -c 'echo a; sleep 1; echo b; sleep 1; echo c'
testcmd "start slow" 0 sm start slow
testcmd "logs -f ends with the chroot" 0 timeout 30 "$SCATMAN_BIN" \
	--root "$t_tmp/root" logs -f slow
is "$out" "$(printf 'a\nb\nc')" "every line, then the end"
like "$(sm ps -a --format '{{.Names}} {{.Status}}' | grep slow)" \
	"^slow Exited \(0\)" "the chroot had stopped"
testcmd "logs -f of a stopped chroot returns" 0 timeout 30 "$SCATMAN_BIN" \
	--root "$t_tmp/root" logs -f --tail 1 slow
is "$out" "c" "prints and returns"
testcmd "start slow again" 0 sm start slow
testcmd "logs -f --tail 0" 0 timeout 30 "$SCATMAN_BIN" \
	--root "$t_tmp/root" logs -f --tail 0 slow
like "$out" "c$" "only what came after, up to the end"
unlike "$(echo "$out" | head -1)" "^c$" "nothing of the first run's last line first"

testcmd "create slow2" 0 sm create --tls-verify=false --name slow2 "$img" \
	sh -c 'sleep 1; echo x; sleep 1; echo y'
since=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
testcmd "start both" 0 sm start slow slow2
testcmd "logs -f of two chroots" 0 timeout 30 "$SCATMAN_BIN" \
	--root "$t_tmp/root" logs -f --since "$since" slow slow2
is "$(echo "$out" | grep -c '^slow ')" 3 "every line of the first, named"
is "$(echo "$out" | grep '^slow2 ' | tr '\n' ' ')" "slow2 x slow2 y " \
	"every line of the second, named"

if is_root && [ -n "${SCATMAN_TEST_USER:-}" ]; then
	testcmd "rootless create" 0 smu create --tls-verify=false --name ru "$img" \
		sh -c 'echo rootless; sleep 1000'
	testcmd "rootless start" 0 smu start ru
	testcmd "rootless ps" 0 smu ps --format '{{.Names}} {{.Status}}'
	like "$out" "^ru Up " "running, seen by its user"
	for _ in $(seq 50); do
		[ -n "$(smu logs ru 2>/dev/null)" ] && break
		sleep 0.1
	done
	testcmd "rootless logs" 0 smu logs ru
	is "$out" rootless "its output"
	testcmd "rootless rm -f" 0 smu rm -f -t 0 ru
else
	skip "rootless logs need root to set up the test user"
fi
done_testing
