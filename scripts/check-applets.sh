#!/bin/bash
# SPDX-License-Identifier: MIT
# Checks the applet table: sorted by name (a command before a utility of
# the same name), and every applets/*.c has exactly one entry.
cd "$(dirname "$0")/.." || exit 2
status=0
entries=$(grep -E '^APPLET\(' applets/applets.def |
	sed -E 's/^APPLET\(([^,]+), ([^,]+), ([^,]+),.*/\1 \2 \3/')
keys=$(printf '%s\n' "$entries" | awk '{ k = ($3 ~ /AF_TOOL/) ? 1 : 0; print $1 " " k }')
if [ "$keys" != "$(printf '%s\n' "$keys" | LC_ALL=C sort)" ]; then
	echo "applets/applets.def: entries are not sorted"
	status=1
fi
for f in applets/*.c; do
	id=$(basename "$f" .c)
	n=$(printf '%s\n' "$entries" | awk -v id="$id" '$2 == id' | wc -l)
	[ "$n" -eq 1 ] || { echo "$f: $n entries in applets.def"; status=1; }
done
for id in $(printf '%s\n' "$entries" | awk '{ print $2 }'); do
	[ -f "applets/$id.c" ] || { echo "applets.def: no applets/$id.c"; status=1; }
done
exit $status
