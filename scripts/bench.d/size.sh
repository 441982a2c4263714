#!/bin/bash
# SPDX-License-Identifier: MIT
# Binary sizes: the dynamic build (as built and stripped), the static build
# (stripped at link time; its limit is 2 MiB) and Debian's busybox-static
# for scale. A binary that is not built is reported as such.
#
# env: SCATMAN_DYN_BIN (default ./scatman), SCATMAN_STATIC_BIN (default
#      ./scatman-static), BUSYBOX (default /bin/busybox)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dyn=${SCATMAN_DYN_BIN:-$top/scatman}
sta=${SCATMAN_STATIC_BIN:-$top/scatman-static}
bb=${BUSYBOX:-/bin/busybox}
limit=$((2 * 1024 * 1024))

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

size_of() { if [ -f "$1" ]; then stat -L -c %s "$1"; else echo 0; fi; }
stripped_size_of() {
	[ -f "$1" ] || { echo 0; return; }
	strip -o "$tmp/s" "$1" && stat -c %s "$tmp/s"
}
row() {
	if [ "$2" -gt 0 ]; then
		printf '%-32s %10d bytes %8.2f MiB\n' "$1" "$2" \
			"$(awk -v b="$2" 'BEGIN { print b / 1048576 }')"
	else
		printf '%-32s %10s\n' "$1" "not built"
	fi
}
ratio() {
	[ "$2" -gt 0 ] && [ "$3" -gt 0 ] &&
		awk -v a="$2" -v b="$3" -v n="$1" \
			'BEGIN { printf "ratio %-26s %10.2f\n", n ":", a / b }'
	true
}

d=$(size_of "$dyn")
ds=$(stripped_size_of "$dyn")
s=$(size_of "$sta")
b=$(size_of "$bb")
row "scatman (dynamic)" "$d"
row "scatman (dynamic, stripped)" "$ds"
row "scatman-static (stripped)" "$s"
row "busybox-static ($bb)" "$b"
ratio "static/dynamic-stripped" "$s" "$ds"
ratio "static/busybox" "$s" "$b"
if [ "$s" -gt 0 ]; then
	file -b "$sta" | grep -q 'statically linked' ||
		echo "warning: $sta is not statically linked"
	if [ "$s" -le "$limit" ]; then
		echo "scatman-static within the 2 MiB limit"
	else
		echo "scatman-static OVER the 2 MiB limit by $((s - limit)) bytes"
	fi
fi
