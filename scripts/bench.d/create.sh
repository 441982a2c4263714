#!/bin/bash
# SPDX-License-Identifier: MIT
# create: unpacking a ~200 MB, three-layer Debian minbase image, against
# `umoci unpack` of the same OCI layout and a plain `tar -xzf` of its
# layers in order, as root and rootless; plus scatman's peak RSS. Each
# figure is the median of RUNS runs; every measurement starts from an
# empty directory (preparation untimed) and the tools take turns within
# each run. The minbase tree is made once with debootstrap and kept in
# $SCATMAN_BENCH_CACHE.
#
# env: SCATMAN_BIN, RUNS (default 5), SCATMAN_BENCH_CACHE
#      (default /var/tmp/scatman-bench), DEBIAN_MIRROR, BENCH_FS (tmpfs,
#      the default, or ext4: a fresh loop-mounted ext4 per measurement)
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${SCATMAN_BIN:-$top/scatman}
runs=${RUNS:-5}
cache=${SCATMAN_BENCH_CACHE:-/var/tmp/scatman-bench}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
fs=${BENCH_FS:-tmpfs}
user=scatman-test

[ "$(id -u)" -eq 0 ] || { echo "create bench: run as root" >&2; exit 2; }
id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
grep -q "^$user:" /etc/subuid || usermod --add-subuids 200000-265535 "$user"
grep -q "^$user:" /etc/subgid || usermod --add-subgids 200000-265535 "$user"

mkdir -p "$cache"
if [ ! -d "$cache/minbase" ]; then
	echo "building the minbase tree (once) in $cache/minbase" >&2
	rm -rf "$cache/minbase.tmp"
	debootstrap --variant=minbase bookworm "$cache/minbase.tmp" \
		"$mirror" >"$cache/debootstrap.log" 2>&1
	mv "$cache/minbase.tmp" "$cache/minbase"
fi

tmp=$(mktemp -d /var/tmp/scatman-bench-run.XXXXXX)
# Measured on a tmpfs by default; with BENCH_FS=ext4 each measurement
# gets a fresh ext4 file system on a loop device instead (an ext4 that
# just had a tree removed spends its time scanning recently deleted inodes
# when the next tree is made, whatever the tool).
if [ "$fs" = tmpfs ]; then
	mount -t tmpfs -o size=4g scatman-bench "$tmp"
fi
chmod 755 "$tmp"
cleanup() {
	"$top/tests/registry.sh" stop "$tmp/registry" >/dev/null 2>&1 || true
	mountpoint -q "$tmp/x" && umount "$tmp/x"
	[ "$fs" = tmpfs ] && umount "$tmp"
	rm -rf "$tmp"
}
trap cleanup EXIT

# Three layers: /usr; /etc, /var and the rest; a small top layer that
# changes a few files and removes one (a whiteout).
mb=$cache/minbase
topts=(--numeric-owner --sort=name --format=pax)
tar -C "$mb" "${topts[@]}" -cf "$tmp/l1.tar" ./usr
tar -C "$mb" "${topts[@]}" --exclude=./usr --exclude=./proc \
	--exclude=./sys --exclude=./dev -cf "$tmp/l2.tar" .
mkdir -p "$tmp/top/etc"
echo scatman-bench >"$tmp/top/etc/hostname"
touch "$tmp/top/etc/.wh.motd"
tar -C "$tmp/top" "${topts[@]}" -cf "$tmp/l3.tar" ./etc
rm -rf "$tmp/top"
"$top/tests/fixtures/mkimage.sh" "$tmp/oci" minbase "$tmp/l1.tar" \
	"$tmp/l2.tar" "$tmp/l3.tar" >/dev/null
for i in 1 2 3; do
	gzip -6 -c "$tmp/l$i.tar" >"$tmp/l$i.tar.gz"
	rm "$tmp/l$i.tar"
done
chmod -R a+rX "$tmp"
unpacked=$(du -sm "$mb" | cut -f1)
packed=$(du -cm "$tmp"/l*.tar.gz | tail -1 | cut -f1)

reg=$("$top/tests/registry.sh" start "$tmp/registry")
skopeo copy -q --dest-tls-verify=false "oci:$tmp/oci:minbase" \
	"docker://$reg/bench/minbase:latest"
as_user() {
	setpriv --reuid="$user" --regid="$user" --init-groups --reset-env -- \
		env HOME="$tmp/home" PATH="$PATH" "$@"
}
mkdir -p "$tmp/home" && chown "$user:" "$tmp/home"
[ "$fs" = ext4 ] && truncate -s 2G "$tmp/x.img"

# scratch_up OWNER: an empty $tmp/x for one measurement (a fresh ext4 file
# system with BENCH_FS=ext4); scratch_down throws it away.
scratch_up() {
	mkdir -p "$tmp/x"
	if [ "$fs" = ext4 ]; then
		mkfs.ext4 -q -F "$tmp/x.img"
		mount -o loop "$tmp/x.img" "$tmp/x"
	fi
	chmod 755 "$tmp/x"
	chown "$1:" "$tmp/x"
}
scratch_down() {
	if [ "$fs" = ext4 ]; then umount "$tmp/x"; else rm -rf "$tmp/x"; fi
	sync
}

# median SECONDS...: the middle value.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
	END { print v[int((NR + 1) / 2)] }'; }
# timeit CMD...: seconds taken by CMD (its output discarded).
timeit() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# Each tool: an untimed preparation, then the timed command.
img=$reg/bench/minbase
sm_prep() { "$bin" --root "$tmp/x/s" pull -q --tls-verify=false "$img"; }
sm_run() { "$bin" --root "$tmp/x/s" create "$img"; }
smu_prep() {
	as_user "$bin" --root "$tmp/x/s" pull -q --tls-verify=false "$img"
}
smu_run() { as_user "$bin" --root "$tmp/x/s" create "$img"; }
umoci_prep() { :; }
umoci_run() { umoci unpack --image "$tmp/oci:minbase" "$tmp/x/u"; }
umociu_prep() { :; }
umociu_run() {
	as_user umoci unpack --rootless --image "$tmp/oci:minbase" "$tmp/x/u"
}
tar_prep() { mkdir "$tmp/x/t"; }
tar_run() {
	for i in 1 2 3; do tar -xzf "$tmp/l$i.tar.gz" -C "$tmp/x/t"; done
}
taru_prep() { as_user mkdir "$tmp/x/t"; }
taru_run() {
	for i in 1 2 3; do
		as_user tar -xzf "$tmp/l$i.tar.gz" -C "$tmp/x/t"
	done
}

# The tools take turns within each run, so that a machine slowing down
# (or speeding up) over time weighs on all of them alike.
declare -A res times owner=([sm]=root [umoci]=root [tar]=root
	[smu]=$user [umociu]=$user [taru]=$user)
names=(sm umoci tar smu umociu taru)
for i in $(seq "$runs"); do
	for n in "${names[@]}"; do
		scratch_up "${owner[$n]}"
		"${n}_prep" >/dev/null
		times[$n]+=" $(timeit "${n}_run")"
		scratch_down
	done
done
for n in "${names[@]}"; do
	# shellcheck disable=SC2086
	res[$n]=$(median ${times[$n]})
done

scratch_up root
sm_prep >/dev/null
rss=$(/usr/bin/time -f %M "$bin" --root "$tmp/x/s" create "$img" 2>&1 \
	>/dev/null | tail -1)
scratch_down
scratch_up "$user"
smu_prep >/dev/null
rssu=$(as_user /usr/bin/time -f %M "$bin" --root "$tmp/x/s" create "$img" \
	2>&1 >/dev/null | tail -1)
scratch_down

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "image: 3 layers, ${packed} MB gzip, ${unpacked} MB unpacked;" \
	"median of $runs runs on $fs"
printf '%-30s %8s %8s\n' "" root rootless
printf '%-30s %7ss %7ss\n' "scatman create" "${res[sm]}" "${res[smu]}"
printf '%-30s %7ss %7ss\n' "umoci unpack" "${res[umoci]}" "${res[umociu]}"
printf '%-30s %7ss %7ss\n' "tar -xzf of the layers" "${res[tar]}" \
	"${res[taru]}"
printf '%-30s %7sx %7sx   (goal >= 2)\n' "umoci / scatman" \
	"$(ratio "${res[umoci]}" "${res[sm]}")" \
	"$(ratio "${res[umociu]}" "${res[smu]}")"
printf '%-30s %7sx %7sx   (goal <= 1.2)\n' "scatman / tar chain" \
	"$(ratio "${res[sm]}" "${res[tar]}")" \
	"$(ratio "${res[smu]}" "${res[taru]}")"
printf '%-30s %7s kB %4s kB  (goal <= 16384)\n' "scatman create peak RSS" \
	"$rss" "$rssu"
