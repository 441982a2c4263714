#!/bin/bash
# SPDX-License-Identifier: MIT
# startup: time to run `scatman version` with the dynamic build and with the
# static one (no dynamic loader, no shared libraries to map), and Debian's
# busybox-static running `true` for scale. Mean of RUNS runs each, by
# hyperfine, all in the same run.
#
# env: SCATMAN_DYN_BIN (default ./scatman), SCATMAN_STATIC_BIN (default
#      ./scatman-static), BUSYBOX (default /bin/busybox), RUNS (default 300)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dyn=${SCATMAN_DYN_BIN:-$top/scatman}
sta=${SCATMAN_STATIC_BIN:-$top/scatman-static}
bb=${BUSYBOX:-/bin/busybox}
runs=${RUNS:-300}

for f in "$dyn" "$sta" "$bb"; do
	[ -x "$f" ] || { echo "startup: $f is not built, skipped"; exit 0; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Both called "scatman", as installed.
mkdir "$tmp/dyn" "$tmp/static"
cp "$dyn" "$tmp/dyn/scatman"
cp "$sta" "$tmp/static/scatman"

hyperfine -N -w 20 -r "$runs" --export-json "$tmp/r.json" \
	"$tmp/dyn/scatman version" "$tmp/static/scatman version" \
	"$bb true" >/dev/null 2>&1
python3 - "$tmp/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
names = ["scatman version (dynamic)", "scatman version (static)",
         "busybox-static true"]
ms = [x["mean"] * 1000 for x in r]
for n, m, x in zip(names, ms, r):
    print("%-28s %8.2f ms  (sd %.2f)" % (n, m, x["stddev"] * 1000))
print("ratio dynamic/static:        %8.2f" % (ms[0] / ms[1]))
print("ratio static/busybox:        %8.2f" % (ms[1] / ms[2]))
PY
