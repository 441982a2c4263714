#!/bin/bash
# SPDX-License-Identifier: MIT
# scatman create: pulling when missing, the rootfs against the image's
# layers, the recorded config, names, rootless and as root.
. "$(dirname "$0")/../lib.sh"
need_registry

img=$SCATMAN_TEST_REGISTRY/test/busybox
flags=(--tls-verify=false)

# The tree the image describes, made by GNU tar from the fixture layers.
ref=$t_tmp/ref
mkdir -p "$ref"
for l in base home; do
	tar -xpf "$SCATMAN_TEST_FIXTURES/layers/$l.tar" -C "$ref" --numeric-owner
done

testcmd "create pulls a missing image and creates a chroot" 0 \
	sm create "${flags[@]}" --name bb "$img"
id=$out
like "$id" '^[0-9a-f]{64}$' "create prints the 64-hex ID on stdout"
like "$err" 'Extracting [0-9a-f]{12}\.\.\.' "an Extracting line per layer"
like "$err" 'Created bb successfully\.' "the Created line names the chroot"
rootfs=$t_tmp/root/chroots/$id/rootfs
check "the rootfs holds busybox" test -x "$rootfs/bin/busybox"
is "$(tree_hash "$rootfs")" "$(tree_hash "$ref")" \
	"the rootfs is the tree of the layers, owners and modes included"
check "config.json recorded" test -s "$t_tmp/root/chroots/$id/config.json"
like "$(cat "$t_tmp/root/chroots/$id/config.json")" '"Name":[[:space:]]*"bb"' \
	"config.json names the chroot"

testcmd "inspect finds the chroot by name" 0 sm inspect bb
is "$(printf '%s' "$out" | python3 -c 'import json, sys
o = json.load(sys.stdin)[0]
print(o["Id"], o["Name"], o["Rootfs"])')" "$id bb $rootfs" \
	"inspect gives Id, Name and the host path of the rootfs"
like "$out" '"ImageName"' "inspect gives the image name"

testcmd "a name in use is refused" 125 sm create "${flags[@]}" --name bb "$img"
is "$err" "scatman: create: the chroot name \"bb\" is already in use by $id. You have to remove that chroot to be able to reuse that name" \
	"the refusal is one sentence naming the holder, no errno text"

# Usage errors: one line naming what is wrong.
testcmd "an unknown option is refused" 125 sm create --bogus "$img"
is "$err" "scatman: create: unknown option '--bogus' (see 'scatman create --help')" \
	"one line naming the unknown option"
testcmd "an option without its argument is refused" 125 sm create --name
is "$err" "scatman: create: option '--name' needs an argument (see 'scatman create --help')" \
	"one line naming the option that needs an argument"
testcmd "no image" 125 sm create
is "$err" "scatman: create: missing IMAGE (see 'scatman create --help')" \
	"says the image is missing"
testcmd "options after the image belong to the command" 0 \
	sm create "${flags[@]}" "$img" /bin/echo --name x
like "$(cat "$t_tmp/root/chroots/$out/config.json")" '"--name",[[:space:]]*"x"' \
	"--name after the image is an argument of the command"

# Registry options of the pull.
testcmd "--creds reaches the pull" 125 \
	sm create "${flags[@]}" --pull always --creds nocolon "$img"
like "$err" "invalid --creds" "a malformed --creds is reported by the pull"
echo 'not json' >"$t_tmp/auth.json"
testcmd "--authfile reaches the pull" 125 \
	sm create "${flags[@]}" --pull always --authfile "$t_tmp/auth.json" "$img"
like "$err" "malformed credentials file '$t_tmp/auth.json'" \
	"the pull reads the given --authfile"
mkdir -p "$t_tmp/certs"
testcmd "--cert-dir is accepted" 0 \
	sm create "${flags[@]}" --pull always --cert-dir "$t_tmp/certs" "$img"
testcmd "an invalid name is refused" 125 sm create --name '-x' "$img"
testcmd "--pull never with a missing image fails" 125 \
	sm create --pull never "$img-docker"
testcmd "the docker-media-type twin creates" 0 \
	sm create "${flags[@]}" "$img-docker" /bin/echo hi
id2=$out
is "$(tree_hash "$t_tmp/root/chroots/$id2/rootfs")" "$(tree_hash "$ref")" \
	"docker schema 2 image gives the same tree"
like "$(cat "$t_tmp/root/chroots/$id2/config.json")" '"/bin/echo"' \
	"command args are recorded"
is "$(ls "$t_tmp/root/tmp" | grep -c '^create-')" 0 "no staging left behind"

# An env file with a NUL byte is refused, not cut short.
printf 'A=1\nB=x\0y\nD=ok\n' >"$t_tmp/envfile-nul"
testcmd "create with an env file holding a NUL byte" 125 \
	sm create "${flags[@]}" --env-file "$t_tmp/envfile-nul" "$img" true
like "$err" "NUL byte" "the NUL byte is named"

# The recorded config: flags over the image's defaults.
printf 'FROMFILE=1\n# a comment\n\nOVER=file\n' >"$t_tmp/envfile"
testcmd "create with config flags" 0 env HOSTVAR=fromhost \
	"$SCATMAN_BIN" --root "$t_tmp/root" create "${flags[@]}" --name cfg \
	-e A=1 -e HOSTVAR -e UNSETVAR --env-file "$t_tmp/envfile" -e OVER=flag \
	--entrypoint '["/bin/sh","-c"]' -w /tmp -u 1000:1000 -h box \
	--label k=v -v /tmp:/mnt:ro --pid host --network none --userns auto \
	"$img" 'echo hi'
cfg=$t_tmp/root/chroots/$out/config.json
q() { python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$cfg" "$1"; }
is "$(q '" ".join(c["Config"]["Env"])')" \
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin FROMFILE=1 OVER=flag A=1 HOSTVAR=fromhost TERM=xterm HOSTNAME=box" \
	"Env: image, env file, flags (KEY from the host), TERM and HOSTNAME added"
is "$(q 'c["Path"], c["Args"]')" "('/bin/sh', ['-c', 'echo hi'])" \
	"the command is the entrypoint plus the arguments"
is "$(q 'c["Config"]["WorkingDir"], c["Config"]["User"], c["Config"]["Hostname"]')" \
	"('/tmp', '1000:1000', 'box')" "workdir, user and hostname"
is "$(q 'c["Config"]["Labels"], c["HostConfig"]["Binds"]')" \
	"({'org.scatman.test': 'busybox', 'k': 'v'}, ['/tmp:/mnt:ro'])" \
	"labels (the image's and the flag's) and volumes"
is "$(q 'c["HostConfig"]["PidMode"], c["HostConfig"]["NetworkMode"]')" \
	"('host', 'none')" "namespace modes"
testcmd "create with the image's defaults" 0 \
	sm create "${flags[@]}" "$img"
cfg=$t_tmp/root/chroots/$out/config.json
is "$(q 'c["Path"], c["Args"], c["Config"]["WorkingDir"]')" \
	"('/bin/sh', [], '/')" "the image's Cmd and workdir by default"
is "$(q '[e for e in c["Config"]["Env"] if e.startswith("HOSTNAME=")] == ["HOSTNAME=" + c["Config"]["Hostname"]]')" \
	True "HOSTNAME is the chroot's host name by default"
is "$(q 'c["Config"]["User"]')" "" "no user recorded without -u or keep-id"
testcmd "create --uts host" 0 sm create "${flags[@]}" --uts host "$img"
cfg=$t_tmp/root/chroots/$out/config.json
is "$(q '[e for e in c["Config"]["Env"] if e.startswith("HOSTNAME=")]')" \
	"['HOSTNAME=$(hostname)']" "HOSTNAME is the host's name with --uts host"
testcmd "create -e HOSTNAME" 0 sm create "${flags[@]}" -e HOSTNAME=mine "$img"
cfg=$t_tmp/root/chroots/$out/config.json
is "$(q '[e for e in c["Config"]["Env"] if e.startswith("HOSTNAME=")]')" \
	"['HOSTNAME=mine']" "a HOSTNAME given is kept"
testcmd "a volume without an absolute target is refused" 125 \
	sm create "${flags[@]}" -v /tmp:mnt "$img"
testcmd "an unknown --pid mode is refused" 125 \
	sm create "${flags[@]}" --pid nope "$img"

if is_root; then
	testcmd "rootless create as the test user" 0 \
		smu create "${flags[@]}" --name ub "$img"
	uid=$out
	urootfs=$t_tmp/home-$SCATMAN_TEST_USER/root/chroots/$uid/rootfs
	check "rootless rootfs holds busybox" test -x "$urootfs/bin/busybox"
	# Owners: 0 is the user, 1000 the first subordinate id + 999.
	sub=$(awk -F: -v u="$SCATMAN_TEST_USER" '$1 == u { print $2; exit }' \
		/etc/subuid)
	is "$(stat -c %U "$urootfs/bin/busybox")" "$SCATMAN_TEST_USER" \
		"root's files are owned by the user"
	is "$(stat -c %u "$urootfs/home/tester")" "$((sub + 999))" \
		"uid 1000 in the image is the mapped subordinate id"
	(cd "$ref" && find . -printf '%p %y %m %s %l\n' | sort) >"$t_tmp/r1"
	(cd "$urootfs" && find . -printf '%p %y %m %s %l\n' | sort) >"$t_tmp/r2"
	check "rootless tree matches paths, types, modes, sizes, links" \
		cmp "$t_tmp/r1" "$t_tmp/r2"
	testcmd "rootless create --userns keep-id" 0 \
		smu create "${flags[@]}" --userns keep-id "$img"
	cfg=$t_tmp/home-$SCATMAN_TEST_USER/root/chroots/$out/config.json
	is "$(q 'c["Config"]["User"]')" \
		"$(id -u "$SCATMAN_TEST_USER"):$(id -g "$SCATMAN_TEST_USER")" \
		"keep-id runs the command as the caller's uid:gid"
	testcmd "rootless keep-id chroot prints its ids" 0 \
		smu create "${flags[@]}" --userns keep-id --name kid "$img" \
		/bin/sh -c 'echo $(id -u):$(id -g) $HOSTNAME'
	testcmd "start it" 0 smu start -a kid
	is "$out" \
		"$(id -u "$SCATMAN_TEST_USER"):$(id -g "$SCATMAN_TEST_USER") kid" \
		"inside, the command runs as the caller's ids; HOSTNAME is set"
	testcmd "rootless create --userns keep-id -u" 0 \
		smu create "${flags[@]}" --userns keep-id -u 7:8 "$img"
	cfg=$t_tmp/home-$SCATMAN_TEST_USER/root/chroots/$out/config.json
	is "$(q 'c["Config"]["User"]')" "7:8" "-u wins over keep-id"
fi
# rmi -f of the image while create unpacks it: rmi waits for the unpack
# (gc.lock), create succeeds, then the image goes.
fx=$SCATMAN_TEST_FIXTURES
reg=$SCATMAN_TEST_REGISTRY
many=$t_tmp/many
mkdir -p "$many/d"
(cd "$many/d" && seq -f 'f%g' 1500 | xargs touch)
tar -C "$many" --numeric-owner --owner=0 --group=0 -cf "$t_tmp/many.tar" d
rm -rf "$many"
"$(dirname "$0")/../fixtures/mkimage.sh" "$t_tmp/oci" slow \
	"$fx/layers/base.tar" "$t_tmp/many.tar" "$fx/layers/home.tar" >/dev/null
check "push a slow-to-unpack image" skopeo copy -q --dest-tls-verify=false \
	"oci:$t_tmp/oci:slow" "docker://$reg/test/create-race:latest"
check "pull it" sm pull -q --tls-verify=false "$reg/test/create-race"
sm create --name race "$reg/test/create-race" true >"$t_tmp/race.out" 2>&1 &
cpid=$!
for _ in $(seq 3000); do
	compgen -G "$t_tmp/root/tmp/create-*" >/dev/null && break
	kill -0 "$cpid" 2>/dev/null || break
	sleep 0.01
done
testcmd "rmi -f while create unpacks" 0 sm rmi -f "$reg/test/create-race"
wait "$cpid"
ok $? "create succeeds"
unlike "$(cat "$t_tmp/race.out")" "cannot open layer" "no layer vanished"
check "the chroot has the last layer" \
	test -d "$t_tmp/root/chroots/$(tail -1 "$t_tmp/race.out")/rootfs/home/tester"
testcmd "the image is gone" 1 sm rmi "$reg/test/create-race"
check "rm the chroot" sm rm race
done_testing
