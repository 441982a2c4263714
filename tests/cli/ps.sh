#!/bin/bash
# SPDX-License-Identifier: MIT
# scatman ps: columns, status, filters, formats for created, running and
# exited chroots (records written as create and the supervisor write them).
. "$(dirname "$0")/../lib.sh"

pids=()
t_cleanup_cmds+=('kill "${pids[@]}"')

# mkc NAME STATUS EXIT AGE LABELS_JSON: a chroot record created AGE seconds
# ago, its ID in $id; a "running" one gets a live process as its
# supervisor.
mkc() {
	local name=$1 status=$2 code=$3 age=$4 labels=$5 dir now pid=0 st=0
	id=$(printf '%s' "$name" | sha256sum | cut -c1-64)
	dir=$t_tmp/root/chroots/$id
	mkdir -p "$dir/rootfs/etc"
	printf 'hello world\n' >"$dir/rootfs/etc/greeting"
	now=$(date -u -d "@$(($(date +%s) - age))" +%Y-%m-%dT%H:%M:%S.000000000Z)
	if [ "$status" = running ]; then
		sleep 1000 </dev/null >/dev/null 2>&1 &
		pid=$!
		pids+=("$pid")
		st=$(cut -d' ' -f22 "/proc/$pid/stat")
	fi
	cat >"$dir/config.json" <<JSON
{"Id":"$id","Name":"$name","Created":"$now",
 "Image":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
 "ImageName":"$SCATMAN_TEST_REGISTRY_NAME/test/busybox:latest",
 "Path":"/bin/sh","Args":["-c","sleep 100; echo done"],
 "Config":{"Labels":$labels}}
JSON
	cat >"$dir/state.json" <<JSON
{"Status":"$status","Pid":$pid,"PidStart":$st,"Supervisor":$pid,
 "SupervisorStart":$st,"ExitCode":$code,"StartedAt":"$now",
 "FinishedAt":"$now"}
JSON
}

SCATMAN_TEST_REGISTRY_NAME=127.0.0.1:5000
mkc made created 0 300 '{"app":"web"}'
idc=$id
mkc runner running 0 200 '{"app":"db","tier":"back"}'
idr=$id
mkc quitter exited 3 100 '{}'
ide=$id
mkc ghost running 0 50 '{}'
idd=$id
# ghost claims to run, but its supervisor is gone
kill "${pids[1]}"
wait "${pids[1]}" 2>/dev/null

testcmd "ps lists" 0 sm ps
is "$(echo "$out" | head -1)" \
	"CONTAINER ID  IMAGE                               COMMAND               CREATED        STATUS        PORTS       NAMES" \
	"podman's header"
is "$(echo "$out" | wc -l)" 2 "only the running chroot by default"
like "$(echo "$out" | sed -n 2p)" \
	"^${idr:0:12}  127.0.0.1:5000/test/busybox:latest  /bin/sh -c sleep \.\.\.  3 minutes ago  Up 3 minutes              runner$" \
	"running row: id, image, truncated command, ages, name"

testcmd "ps -a" 0 sm ps -a --format '{{.Names}}'
is "$out" "$(printf 'ghost\nquitter\nrunner\nmade')" "all, newest first"
testcmd "ps -a --format status" 0 sm ps -a --format '{{.Names}} {{.Status}}|{{.State}}'
like "$out" "^ghost Exited \(137\) .* ago\|Exited" "a dead supervisor reads as killed"
like "$out" "quitter Exited \(3\) About a minute ago\|Exited \(3\) About a minute ago" \
	"exited with its code"
like "$out" "made Created\|Created" "created"
like "$out" "runner Up 3 minutes\|Up 3 minutes" "running"

testcmd "ps -q" 0 sm ps -q
is "$out" "${idr:0:12}" "quiet prints short IDs"
testcmd "ps -aq --no-trunc" 0 sm ps -aq --no-trunc
is "$(echo "$out" | tail -1)" "$idc" "full IDs"
testcmd "--noheading" 0 sm ps --noheading
is "$(echo "$out" | wc -l)" 1 "no header line"
testcmd "--latest" 0 sm ps -l --format '{{.Names}}'
is "$out" ghost "the latest created"
testcmd "--no-trunc command" 0 sm ps --no-trunc --format '{{.Command}}'
is "$out" "/bin/sh -c sleep 100; echo done" "whole command"

f() { sm ps -a --format '{{.Names}}' "$@" | tr '\n' ' '; }
is "$(f --sort names)" "ghost made quitter runner " "--sort names"
is "$(f --sort created)" "ghost quitter runner made " "--sort created"
is "$(sm ps -n 2 --format '{{.Names}}' | tr '\n' ' ')" "ghost quitter " \
	"--last 2, any state"
testcmd "bad --sort" 125 sm ps --sort color
is "$(f --filter status=exited)" "ghost quitter " "status filter"
is "$(sm ps --filter status=created --format '{{.Names}}')" made \
	"a status filter implies --all"
is "$(f -f name=^run)" "runner " "name filter is a regex"
is "$(f -f name=made -f name=quitter)" "quitter made " "one key: alternatives"
is "$(f -f label=app)" "runner made " "label key"
is "$(f -f label=app=db)" "runner " "label key=value"
is "$(f -f label=app -f status=created)" "made " "keys combine"
is "$(f -f id="${ide:0:5}")" "quitter " "id prefix"
is "$(f -f ancestor=127.0.0.1:5000/test/busybox)" "ghost quitter runner made " \
	"ancestor by name without tag"
is "$(f -f ancestor=busybox:other)" "" "ancestor mismatch"
is "$(f -f ancestor=0123456789ab)" "ghost quitter runner made " \
	"ancestor by image ID"
is "$(f -f exited=3)" "quitter " "exited code filter"
testcmd "an unknown option" 125 sm ps --bogus
is "$err" "scatman: ps: unknown option '--bogus' (see 'scatman ps --help')" \
	"one line naming the option"
testcmd "--format without its argument" 125 sm ps -a --format
is "$err" "scatman: ps: option '--format' needs an argument (see 'scatman ps --help')" \
	"one line naming the option that needs an argument"
testcmd "an operand" 125 sm ps extra -a
like "$err" "unexpected argument 'extra'" "operands are refused"
testcmd "unknown filter" 125 sm ps -f bogus=1
like "$err" "invalid filter 'bogus'" "says which"
testcmd "bad status" 125 sm ps -f status=sleepy
testcmd "bad template" 125 sm ps --format '{{.Nope}}'
like "$err" "Nope" "names the field"

testcmd "--format json" 0 sm ps -a --format json
is "$(echo "$out" | jq -r '.[2].Names[0]')" runner "json Names"
is "$(echo "$out" | jq -r '.[2].Id')" "$idr" "json Id"
is "$(echo "$out" | jq -r '.[2].State')" running "json State"
is "$(echo "$out" | jq -r '.[2].Labels.tier')" back "json Labels"
is "$(echo "$out" | jq -r '.[2].Pid')" "${pids[0]}" "json Pid"
is "$(echo "$out" | jq -r '.[1].ExitCode')" 3 "json ExitCode"
is "$(echo "$out" | jq -r '.[1].Command | join(" ")')" \
	"/bin/sh -c sleep 100; echo done" "json Command"
is "$(echo "$out" | jq -r '.[1].Status')" "Exited (3) About a minute ago" \
	"json Status"
is "$(echo "$out" | jq -r '.[3].Created')" \
	"$(jq -r .Created "$t_tmp/root/chroots/$idc/config.json" |
		xargs -I{} date -d {} +%s)" "json Created in seconds"

testcmd "table template" 0 sm ps -a --format 'table {{.ID}}\t{{.Names}}\t{{.Labels}}'
is "$(echo "$out" | head -2)" "$(printf '%s\n%s' \
	'CONTAINER ID  NAMES       LABELS' \
	"${idd:0:12}  ghost       map[]")" "table header and alignment"
like "$out" "runner      map\[app:db tier:back\]" "labels as a Go map"
testcmd "json action" 0 sm ps --format '{{json .Names}}'
is "$out" '["runner"]' "{{json .Names}}"

testcmd "--size" 0 sm ps -s --format '{{.Names}} {{.Size}}'
is "$out" "runner 12 B" "rootfs size"
testcmd "--size table" 0 sm ps -s
like "$(echo "$out" | head -1)" "NAMES +SIZE$" "SIZE column last"

testcmd "empty store" 0 "$SCATMAN_BIN" --root "$t_tmp/none" ps
is "$out" "CONTAINER ID  IMAGE       COMMAND     CREATED     STATUS      PORTS       NAMES" \
	"header only"
testcmd "stray argument" 125 sm ps extra

# hostile text from an image's Cmd, labels and name reaches the table and
# templates with control characters as '?', cut on whole characters; JSON
# keeps it exact (escaped)
hrec() {
	local id dir
	id=$(printf '%s' "$1" | sha256sum | cut -c1-64)
	dir=$t_tmp/hroot/chroots/$id
	mkdir -p "$dir/rootfs"
	cat >"$dir/config.json" <<JSON
{"Id":"$id","Name":"$1","Created":"2020-01-01T00:00:00Z",
 "Image":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
 "ImageName":"r/e\u001b[2Jv:latest","Path":$2,"Args":$3,
 "Config":{"Labels":{"k\u001b]0;X\u0007":"v\nw"}}}
JSON
	printf '{"Status":"created"}' >"$dir/state.json"
}
hrec esc '"\u001b]0;OWNED\u0007\u001b[2J"' '["a\nb","\u009b2J\u007f"]'
hrec utf "\"$(printf '%.0s\\u00e9' $(seq 21))\"" '[]'
smh() { "$SCATMAN_BIN" --root "$t_tmp/hroot" "$@"; }
testcmd "ps -a with hostile records" 0 smh ps -a
unlike "$out" $'[\001-\010\013-\037\177]' "no control characters but tab and newline"
is "$(echo "$out" | wc -l)" 3 "a newline in an argument does not break a row"
like "$out" '  r/e\?\[2Jv:latest  \?\]0;OWNED\?\?\[2J a\?\.\.\.  ' \
	"command and image with '?' for control characters, cut to 17"
like "$out" "  $(printf '%.0s\303\251' $(seq 17))\.\.\.  " \
	"a cut command keeps whole UTF-8 characters"
testcmd "--no-trunc" 0 smh ps -a --no-trunc -f name=esc --format '{{.Command}}'
is "$out" '?]0;OWNED??[2J a?b ?2J?' "C1 and DEL become '?' too"
testcmd "labels template" 0 smh ps -a -f name=esc --format '{{.Labels}}'
is "$out" 'map[k?]0;X?:v?w]' "labels with '?' for control characters"
testcmd "json stays exact" 0 smh ps -a -f name=esc --format json
want='[["\u001b]0;OWNED\u0007\u001b[2J","a\nb","\u009b2J\u007f"],'
want+='{"k\u001b]0;X\u0007":"v\nw"},"r/e\u001b[2Jv:latest"]'
is "$(echo "$out" | jq -ac '[.[0].Command, .[0].Labels, .[0].Image]')" \
	"$want" "JSON values unchanged"
is "$(smh ps -a -f name=esc --format '{{json .Command}}' | jq -r '.[1]')" \
	"$(printf 'a\nb')" "{{json}} values unchanged"
testcmd "exited filter with a bad code" 125 sm ps -a -f exited=abc
like "$err" "invalid exited filter 'abc'" "says which"
testcmd "exited filter out of range" 125 sm ps -a -f exited=256

# podman itself, on a store of its own: the same header and record shapes
pm() {
	timeout 120 podman --root "$t_tmp/podman" --runroot "$t_tmp/podman-run" \
		--runtime runc --cgroup-manager cgroupfs "$@"
}
if [ -n "${SCATMAN_TEST_REGISTRY:-}" ] && pm ps -a >/dev/null 2>&1; then
	t_cleanup_cmds+=('pm rm -af; pm system reset -f')
	is "$("$SCATMAN_BIN" --root "$t_tmp/none" ps -a)" "$(pm ps -a)" \
		"empty listing as podman's"
	is "$("$SCATMAN_BIN" --root "$t_tmp/none" ps -a --format json)" \
		"$(pm ps -a --format json)" "empty JSON as podman's"
	img=$SCATMAN_TEST_REGISTRY/test/busybox
	pm create -q --tls-verify=false --name pc "$img" \
		sh -c 'sleep 100; echo done' >/dev/null 2>&1
	sm create --tls-verify=false --name pc "$img" \
		sh -c 'sleep 100; echo done' >/dev/null 2>&1
	f='{{.Names}}|{{.Status}}|{{.State}}|{{.Command}}|{{.Image}}'
	is "$(sm ps -a -f name=^pc\$ --format "$f")" \
		"$(pm ps -a -f name=^pc\$ --format "$f")" "a created chroot as podman's"
	is "$(sm ps -a -f name=^pc\$ --no-trunc --format '{{.Command}}')" \
		"$(pm ps -a -f name=^pc\$ --no-trunc --format '{{.Command}}')" \
		"--no-trunc command as podman's"
	is "$(sm ps -a -f name=^pc\$ --format json | jq -S '.[0] | keys')" \
		"$(pm ps -a -f name=^pc\$ --format json | jq -S '.[0] | keys' |
			jq -S '[.[] | select(. as $k | ["Id","Names","Image","Command",
			"Created","State","Status","ExitCode","Pid","Labels",
			"AutoRemove","CreatedAt","Exited","ExitedAt","ImageID",
			"Mounts","Ports","Size","StartedAt"] | index($k))]')" \
		"JSON keys are podman's"
else
	skip "podman cannot run here"
fi
done_testing
