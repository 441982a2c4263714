#!/bin/bash
# SPDX-License-Identifier: MIT
# create: unpacking a ~200 MB, three-layer Debian minbase image, against
# `umoci unpack` of the same OCI layout and a plain `tar -xzf` of its
# layers in order, as root and rootless; plus scatman's peak RSS. Each
# figure is the median of RUNS runs; the result is removed between runs
# (not timed); the tools take turns within each run. The minbase tree is made once with debootstrap and kept in
# $SCATMAN_BENCH_CACHE.
#
# env: SCATMAN_BIN, RUNS (default 5), SCATMAN_BENCH_CACHE
#      (default /var/tmp/scatman-bench), DEBIAN_MIRROR, BENCH_FS (tmpfs,
#      the default, or disk: /var/tmp), BENCH_SETTLE (seconds to wait
#      after each removal on disk, default 31)
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
# On a disk file system, creating inodes right after removing many (the
# previous run's tree) costs ext4 a scan of recently deleted inodes (those
# deleted in the last 30 s) that swamps what is measured: a tmpfs measures
# the tools themselves; on disk each removal is followed by a pause.
if [ "$fs" = tmpfs ]; then
	mount -t tmpfs -o size=4g scatman-bench "$tmp"
fi
chmod 755 "$tmp"
cleanup() {
	"$top/tests/registry.sh" stop "$tmp/registry" >/dev/null 2>&1 || true
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
"$bin" --root "$tmp/sroot" pull -q --tls-verify=false \
	"$reg/bench/minbase" >/dev/null
as_user "$bin" --root "$tmp/home/sroot" pull -q --tls-verify=false \
	"$reg/bench/minbase" >/dev/null

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

sm_create() { "$bin" --root "$tmp/sroot" create "$reg/bench/minbase"; }
smu_create() {
	as_user "$bin" --root "$tmp/home/sroot" create "$reg/bench/minbase"
}
sm_clean() { rm -rf "$tmp/sroot/chroots"; }
umoci_unpack() { umoci unpack --image "$tmp/oci:minbase" "$tmp/u"; }
umociu_unpack() {
	as_user umoci unpack --rootless --image "$tmp/oci:minbase" \
		"$tmp/home/u"
}
tar_chain() {
	mkdir "$tmp/t"
	for i in 1 2 3; do tar -xzf "$tmp/l$i.tar.gz" -C "$tmp/t"; done
}
taru_chain() {
	as_user mkdir "$tmp/home/t"
	for i in 1 2 3; do
		as_user tar -xzf "$tmp/l$i.tar.gz" -C "$tmp/home/t"
	done
}

# The tools take turns within each run, so that a file system slowing
# down (or speeding up) over time weighs on all of them alike; each result
# is removed and synced before the next command (not timed).
declare -A res times
names=(sm umoci tar smu umociu taru)
declare -A run=([sm]=sm_create [umoci]=umoci_unpack [tar]=tar_chain
	[smu]=smu_create [umociu]=umociu_unpack [taru]=taru_chain)
declare -A clean=([sm]=sm_clean [umoci]="rm -rf $tmp/u" [tar]="rm -rf $tmp/t"
	[smu]="rm -rf $tmp/home/sroot/chroots" [umociu]="rm -rf $tmp/home/u"
	[taru]="rm -rf $tmp/home/t")
for i in $(seq "$runs"); do
	for n in "${names[@]}"; do
		times[$n]+=" $(timeit "${run[$n]}")"
		${clean[$n]}
		sync
		[ "$fs" = tmpfs ] || sleep "${BENCH_SETTLE:-31}"
	done
done
for n in "${names[@]}"; do
	# shellcheck disable=SC2086
	res[$n]=$(median ${times[$n]})
done

rss=$(/usr/bin/time -f %M "$bin" --root "$tmp/sroot" create \
	"$reg/bench/minbase" 2>&1 >/dev/null | tail -1)
sm_clean
rssu=$(as_user /usr/bin/time -f %M "$bin" --root "$tmp/home/sroot" create \
	"$reg/bench/minbase" 2>&1 >/dev/null | tail -1)

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
