#!/bin/bash
# SPDX-License-Identifier: MIT
# lifecycle: the bundled ps and cp utilities against procps ps and
# coreutils cp, and `scatman rm` of a chroot against `rm -rf` of the same
# tree. The tree: 100 directories of 100 files (4 kB each), plus symlinks
# and hard links. Each figure is the median of RUNS runs; the tools take
# turns within each run.
#
# env: SCATMAN_BIN, RUNS (default 5), PS_LOOPS (default 200)
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${SCATMAN_BIN:-$top/scatman}
runs=${RUNS:-5}
loops=${PS_LOOPS:-200}

tmp=$(mktemp -d /var/tmp/scatman-bench-lc.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

mkdir "$tmp/tree"
head -c 4096 /dev/urandom >"$tmp/blob"
for d in $(seq 100); do
	mkdir "$tmp/tree/d$d"
	for f in $(seq 100); do cp "$tmp/blob" "$tmp/tree/d$d/f$f"; done
	ln -s f1 "$tmp/tree/d$d/link"
	ln "$tmp/tree/d$d/f1" "$tmp/tree/d$d/hard"
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
	END { print v[int((NR + 1) / 2)] }'; }
timeit() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

ps_sm() { for _ in $(seq "$loops"); do "$bin" tool ps -ef; done; }
ps_procps() { for _ in $(seq "$loops"); do ps -ef; done; }
cp_sm() { "$bin" tool cp -a "$tmp/tree" "$tmp/c1"; }
cp_gnu() { cp -a "$tmp/tree" "$tmp/c2"; }
# a chroot record around a copy of the tree, as create leaves it
mkchroot() {
	local id
	id=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
	mkdir -p "$tmp/root/chroots/$id"
	cp -a "$tmp/tree" "$tmp/root/chroots/$id/rootfs"
	printf '{"Id":"%s","Name":"b%s"}\n' "$id" "${id:0:8}" \
		>"$tmp/root/chroots/$id/config.json"
	echo "b${id:0:8}"
}
rm_sm() { "$bin" --root "$tmp/root" rm "$name"; }
rm_gnu() { rm -rf "$tmp/r2"; }

# settle: the file system's deferred work (journal, freed blocks) of the
# previous step must not fall on the next tool's time
settle() { sync; sleep 2; }
declare -A t
for i in $(seq "$runs"); do
	t[ps_sm]+=" $(timeit ps_sm)"
	t[ps_procps]+=" $(timeit ps_procps)"
	# alternate who goes first
	if [ $((i % 2)) -eq 1 ]; then order="cp_sm cp_gnu"; else order="cp_gnu cp_sm"; fi
	for k in $order; do
		settle
		t[$k]+=" $(timeit $k)"
	done
	rm -rf "$tmp/c1" "$tmp/c2"
	name=$(mkchroot)
	cp -a "$tmp/tree" "$tmp/r2"
	if [ $((i % 2)) -eq 1 ]; then order="rm_sm rm_gnu"; else order="rm_gnu rm_sm"; fi
	for k in $order; do
		settle
		t[$k]+=" $(timeit $k)"
	done
done
declare -A m
for k in "${!t[@]}"; do
	# shellcheck disable=SC2086
	m[$k]=$(median ${t[$k]})
done
echo "median of $runs runs; ps: $loops runs of 'ps -ef' ($(ps -e | wc -l)" \
	"processes); tree: 10000 files of 4 kB in 100 directories"
printf '%-34s %8ss   %-18s %8ss   ratio %sx\n' \
	"scatman tool ps -ef" "${m[ps_sm]}" "procps ps -ef" "${m[ps_procps]}" \
	"$(ratio "${m[ps_sm]}" "${m[ps_procps]}")"
printf '%-34s %8ss   %-18s %8ss   ratio %sx\n' \
	"scatman tool cp -a" "${m[cp_sm]}" "coreutils cp -a" "${m[cp_gnu]}" \
	"$(ratio "${m[cp_sm]}" "${m[cp_gnu]}")"
printf '%-34s %8ss   %-18s %8ss   ratio %sx\n' \
	"scatman rm (chroot of the tree)" "${m[rm_sm]}" "rm -rf" "${m[rm_gnu]}" \
	"$(ratio "${m[rm_sm]}" "${m[rm_gnu]}")"
