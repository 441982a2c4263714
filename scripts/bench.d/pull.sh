#!/bin/bash
# SPDX-License-Identifier: MIT
# Pull of a ~100 MB, 3-layer image from a loopback registry: scatman pull
# against skopeo copy docker://... oci:... of the same image, in the same
# run. Prints the best wall time and the peak RSS of each over RUNS runs,
# and the ratios.
#
# env: SCATMAN_BIN (default ./scatman), RUNS (default 5)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${SCATMAN_BIN:-$top/scatman}
runs=${RUNS:-5}

tmp=$(mktemp -d /tmp/scatman-bench-pull.XXXXXX)
cleanup() {
	"$top/tests/registry.sh" stop "$tmp/registry" || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# The image: two layers of incompressible data and one of text.
mkdir -p "$tmp/l1/opt/a" "$tmp/l2/opt/b" "$tmp/l3/usr/share/c"
head -c 55000000 /dev/urandom >"$tmp/l1/opt/a/blob"
head -c 40000000 /dev/urandom >"$tmp/l2/opt/b/blob"
for i in $(seq 1 40); do
	seq -f "line %.0f of some text that compresses" $((i * 100000)) \
		$((i * 100000 + 20000)) >"$tmp/l3/usr/share/c/f$i"
done
for l in l1 l2 l3; do
	tar -C "$tmp/$l" --numeric-owner --owner=0 --group=0 -cf "$tmp/$l.tar" .
done
"$top/tests/fixtures/mkimage.sh" "$tmp/oci" big "$tmp/l1.tar" "$tmp/l2.tar" \
	"$tmp/l3.tar" >/dev/null
reg=$("$top/tests/registry.sh" start "$tmp/registry")
skopeo copy -q --dest-tls-verify=false "oci:$tmp/oci:big" "docker://$reg/bench/big:latest"
size=$(du -sb "$tmp/oci/blobs" | cut -f1)
echo "image: 3 layers, $((size / 1000000)) MB compressed, registry $reg"

# measure NAME CMD...: runs CMD under time -v; appends "wall rss" to NAME.
measure() {
	local name=$1
	shift
	/usr/bin/time -v -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" ||
		{ cat "$tmp/err" "$tmp/time" >&2; exit 1; }
	awk -F': ' '/Elapsed/ { n = split($2, t, ":"); w = t[n] + (n > 1 ? t[n-1] * 60 : 0) }
		/Maximum resident/ { r = $2 } END { print w, r }' "$tmp/time" >>"$tmp/res-$name"
}

for i in $(seq 1 "$runs"); do
	rm -rf "$tmp/root" "$tmp/skopeo"
	measure scatman "$bin" --root "$tmp/root" pull -q --tls-verify=false "$reg/bench/big"
	measure skopeo skopeo copy -q --src-tls-verify=false "docker://$reg/bench/big:latest" \
		"oci:$tmp/skopeo:big"
done

best() { sort -n "$tmp/res-$1" | head -1; }
read -r sw sr <<<"$(best scatman)"
read -r kw kr <<<"$(best skopeo)"
printf '%-8s best wall %6.3f s   peak RSS %6d kB   (of %d runs)\n' scatman "$sw" "$sr" "$runs"
printf '%-8s best wall %6.3f s   peak RSS %6d kB\n' skopeo "$kw" "$kr"
awk -v a="$sw" -v b="$kw" 'BEGIN { printf "ratio wall scatman/skopeo: %.2f (goal <= 1.0)\n", a / b }'
awk -v a="$sr" -v b="$kr" 'BEGIN { printf "ratio RSS scatman/skopeo:  %.2f\n", a / b }'
[ "$sr" -le 16384 ] && echo "scatman peak RSS within 16 MB" ||
	echo "scatman peak RSS OVER 16 MB"
