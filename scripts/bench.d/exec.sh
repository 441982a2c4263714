#!/bin/bash
# SPDX-License-Identifier: MIT
# Entering a running chroot: median wall time of "scatman exec NAME true"
# against, in the same run, util-linux "nsenter -t PID -a true" into the
# same chroot (the floor) and "podman exec" into a podman container of the
# same image; and "scatman run --rm IMAGE true" (create + start + rm)
# against bwrap running true in the same rootfs with the same namespaces.
# Goals (issue 5): exec <= 1.5x the floor, >= 30x faster than podman exec;
# run <= 2x bwrap. The static binary is measured too when it is built.
#
# env: SCATMAN_BIN (default ./scatman), SCATMAN_STATIC_BIN (default
#      ./scatman-static), RUNS (default 200)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${SCATMAN_BIN:-$top/scatman}
static=${SCATMAN_STATIC_BIN:-$top/scatman-static}
runs=${RUNS:-200}
[ "$(id -u)" -eq 0 ] || { echo "exec bench: run as root (podman, peers)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/scatman-bench.XXXXXX)
chmod 755 "$tmp"
# A podman of its own: storage, run state and file locks under $tmp (the
# default shared-memory locks collide with other podman users).
printf '[engine]\nlock_type = "file"\ntmp_dir = "%s"\nevents_logger = "none"\n' \
	"$tmp/podman-tmp" >"$tmp/containers.conf"
export CONTAINERS_CONF=$tmp/containers.conf
podman_=(podman --root "$tmp/podman" --runroot "$tmp/podman-run"
	--runtime runc --cgroup-manager cgroupfs)
asu=()
cleanup() {
	"$bin" --root "$tmp/store" stop -a -t 1 >/dev/null 2>&1 || true
	[ ${#asu[@]} -eq 0 ] ||
		"${asu[@]}" "$tmp/bin/scatman" --root "$tmp/u/store" stop -a -t 1 \
			>/dev/null 2>&1 || true
	"${podman_[@]}" rm -f -t 0 bench >/dev/null 2>&1 || true
	"$top/tests/registry.sh" stop "$tmp/registry" || true
	rm -rf "$tmp" 2>/dev/null || true
}
trap cleanup EXIT

# A multicall binary picks its applet by the name it is called by.
mkdir -p "$tmp/bin" "$tmp/static"
cp "$bin" "$tmp/bin/scatman"
sm=("$tmp/bin/scatman" --root "$tmp/store")
if [ -x "$static" ]; then
	cp "$static" "$tmp/static/scatman"
fi

"$top/tests/fixtures/busybox-rootfs.sh" "$tmp" >/dev/null
"$top/tests/fixtures/mkimage.sh" "$tmp/oci" busybox "$tmp/base.tar" \
	"$tmp/home.tar" >/dev/null
reg=$("$top/tests/registry.sh" start "$tmp/registry")
skopeo copy -q --dest-tls-verify=false "oci:$tmp/oci:busybox" \
	"docker://$reg/bench/busybox:latest"
img=$reg/bench/busybox:latest

"${sm[@]}" create -q --tls-verify=false --name bench "$img" sleep 100000 \
	>/dev/null 2>&1 || "${sm[@]}" create --tls-verify=false --name bench \
	"$img" sleep 100000 >/dev/null 2>&1
"${sm[@]}" start bench >/dev/null
init=$(sed -n 's/.*"Pid":[[:space:]]*\([0-9]*\).*/\1/p' \
	"$tmp"/store/chroots/*/state.json)
main=$(cut -d' ' -f1 "/proc/$init/task/$init/children")
rootfs=$(ls -d "$tmp"/store/chroots/*/rootfs)

"${podman_[@]}" pull -q --tls-verify=false "$img" >/dev/null
"${podman_[@]}" run -d --name bench --ulimit nofile=1024:1024 \
	--ulimit nproc=1024:1024 "$img" \
	sleep 100000 >/dev/null

median() {	# median NAME CMD...: prints the median in ms
	local json=$tmp/h.json
	hyperfine -N -w 3 -r "$runs" --export-json "$json" "$@" >"$tmp/h.log" 2>&1 ||
		{ cat "$tmp/h.log" >&2; return 1; }
	awk '/"median"/ { gsub(/[ ,]/, ""); split($0, a, ":");
		printf "%.2f\n", a[2] * 1000; exit }' "$json"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

floor=$(median "nsenter -t $main -a true")
dyn=$(median "${sm[*]} exec bench true")
printf '%-44s %8s ms\n' "nsenter -t PID -a true (floor)" "$floor"
printf '%-44s %8s ms  %sx floor\n' "scatman exec NAME true" "$dyn" \
	"$(ratio "$dyn" "$floor")"
best=$dyn
if [ -x "$tmp/static/scatman" ]; then
	sta=$(median "$tmp/static/scatman --root $tmp/store exec bench true")
	printf '%-44s %8s ms  %sx floor\n' "scatman exec NAME true (static)" \
		"$sta" "$(ratio "$sta" "$floor")"
	best=$sta
fi
# Rootless: the same, as an unprivileged user with subordinate ids (the
# tests' user) when there is one; hyperfine runs as that user.
user=scatman-test
if id "$user" >/dev/null 2>&1 && grep -q "^$user:" /etc/subuid; then
	mkdir -p "$tmp/u"
	chown "$user:" "$tmp/u"
	asu=(setpriv --reuid="$user" --regid="$user" --init-groups --reset-env --
		env HOME="$tmp/u" PATH=/usr/bin:/bin)
	ubin=$tmp/bin/scatman
	[ -x "$tmp/static/scatman" ] && ubin=$tmp/static/scatman
	"${asu[@]}" "$ubin" --root "$tmp/u/store" create --tls-verify=false \
		--name bench "$img" sleep 100000 >/dev/null 2>&1
	"${asu[@]}" "$ubin" --root "$tmp/u/store" start bench >/dev/null
	uinit=$(sed -n 's/.*"Pid":[[:space:]]*\([0-9]*\).*/\1/p' \
		"$tmp"/u/store/chroots/*/state.json)
	umain=$(cut -d' ' -f1 "/proc/$uinit/task/$uinit/children")
	"${asu[@]}" hyperfine -N -w 3 -r "$runs" --export-json "$tmp/u/h.json" \
		"nsenter -t $umain -U -m -u -i -p --preserve-credentials true" \
		"$ubin --root $tmp/u/store exec bench true" >/dev/null 2>&1
	read -r ufloor uexec < <(awk '/"median"/ { gsub(/[ ,]/, "");
		split($0, a, ":"); printf "%.2f ", a[2] * 1000 }
		END { print "" }' "$tmp/u/h.json")
	printf '%-44s %8s ms\n' "rootless: nsenter -t PID -U -m -u -i -p true" \
		"$ufloor"
	printf '%-44s %8s ms  %sx floor\n' "rootless: scatman exec NAME true" \
		"$uexec" "$(ratio "$uexec" "$ufloor")"
	"${asu[@]}" "$ubin" --root "$tmp/u/store" stop -t 1 bench >/dev/null
fi

# podman is slow: fewer runs; a failure is reported, not fatal
pod=$(runs=$((runs < 50 ? runs : 50)) median "${podman_[*]} exec bench true") ||
	pod=
if [ -n "$pod" ]; then
	printf '%-44s %8s ms  scatman is %sx faster (%sx dynamic)\n' \
		"podman exec NAME true" "$pod" "$(ratio "$pod" "$best")" \
		"$(ratio "$pod" "$dyn")"
else
	echo "podman exec NAME true: failed (see above)"
fi

# run and start with the static binary when there is one
fast=("${sm[@]}")
[ -x "$tmp/static/scatman" ] && fast=("$tmp/static/scatman" --root "$tmp/store")
bw=$(median "bwrap --bind $rootfs / --proc /proc --dev /dev --unshare-pid --unshare-ipc --unshare-uts --die-with-parent /bin/true")
run=$(median "${fast[*]} run --rm --pull never $img true")
printf '%-44s %8s ms\n' "bwrap (same rootfs, pid/ipc/uts) true" "$bw"
printf '%-44s %8s ms  %sx bwrap\n' "scatman run --rm IMAGE true (unpacks)" "$run" \
	"$(ratio "$run" "$bw")"
"${sm[@]}" create --tls-verify=false --name once "$img" true >/dev/null 2>&1
st=$(median "${fast[*]} start -a once")
printf '%-44s %8s ms  %sx bwrap\n' "scatman start -a NAME (created) true" \
	"$st" "$(ratio "$st" "$bw")"
