#!/bin/bash
# SPDX-License-Identifier: MIT
# scatman inspect: chroot keys and values, images, --type, templates.
. "$(dirname "$0")/../lib.sh"
need_registry

img=$SCATMAN_TEST_REGISTRY/test/busybox
testcmd "create" 0 sm create --tls-verify=false --name box -l tier=web \
	-e FOO=bar -w /tmp -h boxhost -v /srv:/data:ro "$img" /bin/sh -c 'echo hi'
id=$out

testcmd "inspect a chroot" 0 sm inspect box
j=$out
q() { echo "$j" | jq -r "$1"; }
is "$(q 'length')" 1 "an array of one"
is "$(q '.[0].Id')" "$id" "Id"
is "$(q '.[0].Name')" box "Name"
is "$(q '.[0].Path')" /bin/sh "Path"
is "$(q '.[0].Args | join(" ")')" "-c echo hi" "Args"
is "$(q '.[0].ImageName')" "$img:latest" "ImageName"
like "$(q '.[0].Image')" '^[0-9a-f]{64}$' "Image is the image ID"
is "$(q '.[0].Rootfs')" "$t_tmp/root/chroots/$id/rootfs" "Rootfs"
like "$(q '.[0].Created')" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T' "Created"
is "$(q '.[0].State.Status')" created "State.Status"
is "$(q '.[0].State.Running')" false "State.Running"
is "$(q '.[0].State.Pid')" 0 "State.Pid"
is "$(q '.[0].State.ExitCode')" 0 "State.ExitCode"
is "$(q '.[0].State.StartedAt')" "0001-01-01T00:00:00Z" "never started"
is "$(q '.[0].Config.Hostname')" boxhost "Config.Hostname"
is "$(q '.[0].Config.WorkingDir')" /tmp "Config.WorkingDir"
is "$(q '.[0].Config.Labels.tier')" web "Config.Labels"
like "$(q '.[0].Config.Env | join(" ")')" 'FOO=bar' "Config.Env"
is "$(q '.[0].Config.Cmd | join(" ")')" "/bin/sh -c echo hi" "Config.Cmd"
is "$(q '.[0].HostConfig.Binds[0]')" /srv:/data:ro "HostConfig.Binds"
is "$(q '.[0].HostConfig.PidMode')" private "HostConfig.PidMode"
is "$(q '.[0].HostConfig.NetworkMode')" host "HostConfig.NetworkMode"
is "$(q '.[0].Mounts[0].Destination') $(q '.[0].Mounts[0].RW')" \
	"/data false" "Mounts"
for k in IpcMode UTSMode UsernsMode; do
	is "$(q ".[0].HostConfig | has(\"$k\")")" true "HostConfig.$k"
done
like "$(echo "$j" | sed -n 3p)" '^        "[A-Za-z]+": ' "indented as podman"

testcmd "by ID prefix" 0 sm inspect --format '{{.Name}}' "${id:0:8}"
is "$out" box "template field"
testcmd "options after the name" 0 sm inspect box --format '{{.Name}}'
is "$out" box "--format after the name applies"
testcmd "an unknown option" 125 sm inspect --bogus box
is "$err" "scatman: inspect: unknown option '--bogus' (see 'scatman inspect --help')" \
	"one line naming the option"
testcmd "-f without its argument" 125 sm inspect box -f
is "$err" "scatman: inspect: option '-f' needs an argument (see 'scatman inspect --help')" \
	"one line naming the option that needs an argument"
testcmd "nested fields" 0 sm inspect -f '{{.State.Status}} {{.Config.Labels}} {{json .Config.Labels.tier}}' box
is "$out" 'created map[org.scatman.test:busybox tier:web] "web"' \
	"dotted, Go map with sorted keys, json"
testcmd "--latest" 0 sm inspect -l --format '{{.Id}}'
is "$out" "$id" "latest chroot"

testcmd "an image" 0 sm inspect "$img"
is "$(echo "$out" | jq -r '.[0].Id')" "$(q '.[0].Image')" "image Id"
like "$(echo "$out" | jq -r '.[0].RepoTags[0]')" "test/busybox" "RepoTags"

# a chroot named like the image wins; --type picks the other one
testcmd "chroot named as an image" 0 sm create --tls-verify=false \
	--name busybox "$img"
testcmd "name clash" 0 sm inspect --format '{{.Name}}' busybox
is "$out" busybox "the chroot wins"
testcmd "--type image" 0 sm inspect --type image --format '{{.Id}}' "$img"
is "$out" "$(q '.[0].Image')" "image by --type"
testcmd "--type chroot of an image" 125 sm inspect --type chroot "$img"
like "$err" "no such object" "not a chroot"

testcmd "missing" 125 sm inspect box nothere
is "$(echo "$out" | jq -r '.[0].Name')" box "found ones still printed"
like "$err" "no such object: 'nothere'" "missing one named"
testcmd "bad type" 125 sm inspect --type pod box
testcmd "no name" 125 sm inspect

# podman's own inspect of a container made the same way: our keys are
# among podman's, at every level we fill
pm() {
	timeout 120 podman --root "$t_tmp/podman" --runroot "$t_tmp/podman-run" \
		--runtime runc --cgroup-manager cgroupfs "$@"
}
if pm ps -a >/dev/null 2>&1 &&
	pm create -q --tls-verify=false --name box "$img" /bin/sh -c 'echo hi' \
		>/dev/null 2>&1; then
	t_cleanup_cmds+=('pm rm -af; pm system reset -f')
	pj=$(pm inspect box)
	for lvl in "" .State .Config .HostConfig; do
		extra=$(jq -n --argjson a "$(sm inspect box | jq ".[0]$lvl | keys")" \
			--argjson b "$(echo "$pj" | jq ".[0]$lvl | keys")" \
			'$a - $b - ["IdMap"] | join(" ")')
		is "$extra" '""' "keys of ${lvl:-the record} are podman's"
	done
	is "$(sm inspect -f '{{.Path}} {{.Args}} {{.State.Status}}' box)" \
		"$(pm inspect -f '{{.Path}} {{.Args}} {{.State.Status}}' box)" \
		"Path, Args and State.Status as podman's"
else
	skip "podman cannot run here"
fi
done_testing
