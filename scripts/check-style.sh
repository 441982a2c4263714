#!/bin/bash
# SPDX-License-Identifier: MIT
# House checks on the C sources: no line over 100 columns (tabs count 8),
# an SPDX line first, no editor modelines. Prints offenders, exits 1.
cd "$(dirname "$0")/.." || exit 2
status=0
for f in core/*.[ch] applets/*.[ch] tests/unit/*.[ch]; do
	[ -f "$f" ] || continue
	awk -v f="$f" '{ gsub(/\t/, "        "); if (length > 100) {
		printf "%s:%d: line over 100 columns\n", f, NR; bad = 1 } }
		END { exit bad }' "$f" || status=1
	head -1 "$f" | grep -q 'SPDX-License-Identifier' ||
		{ echo "$f:1: missing SPDX line"; status=1; }
	grep -nE '(vim?|ex):.*(set|ts=|sw=)' "$f" && status=1
done
exit $status
