#!/bin/bash
# SPDX-License-Identifier: MIT
# The store under concurrency, kill -9 and a full disk: always one
# consistent store, and the next pull completes.
. "$(dirname "$0")/../lib.sh"
need_registry
reg=$SCATMAN_TEST_REGISTRY
fx=$SCATMAN_TEST_FIXTURES
root=$t_tmp/root

# Concurrent pulls of the same and of different images.
pids=()
for img in busybox busybox-docker layers busybox layers-zstd; do
	"$SCATMAN_BIN" --root "$root" pull -q --tls-verify=false "$reg/test/$img" \
		>"$t_tmp/out.$img.$RANDOM" 2>&1 &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
is "$fails" 0 "five concurrent pulls all succeed"
testcmd "images after concurrent pulls" 0 sm images --noheading
is "$(printf '%s\n' "$out" | wc -l)" 4 "four distinct tags"
ok=0
for img in busybox busybox-docker layers layers-zstd; do
	skopeo inspect "oci:$root/images:$reg/test/$img:latest" >/dev/null 2>&1 || ok=1
done
ok $ok "every tag reads back with skopeo"

# kill -9 at several moments of a pull: the next pull completes.
check "rmi -a" sm rmi -a
for delay in 0 0.01 0.02 0.05 0.1; do
	"$SCATMAN_BIN" --root "$root" pull -q --tls-verify=false "$reg/test/layers" \
		>/dev/null 2>&1 &
	p=$!
	sleep "$delay"
	{ kill -9 "$p"; wait "$p"; } 2>/dev/null
	tr -d '\n' <"$root/images/index.json" | python3 -c 'import json,sys; json.load(sys.stdin)' ||
		echo "index.json unreadable after kill at $delay"
done
testcmd "a pull after the kills" 0 sm pull -q --tls-verify=false "$reg/test/layers"
is "$out" "$(cat "$fx/layers.id")" "completes with the right image"
rm -rf "$t_tmp/bundle"
check "and the store unpacks" \
	umoci unpack --rootless --image "$root/images:$reg/test/layers:latest" "$t_tmp/bundle"
testcmd "a later run cleans leftovers" 0 sm images -q
unlike "$(ls -a "$root/images" "$root/images/blobs/sha256")" '\.tmp\.' \
	"no temporary files of dead processes"

# Download leftovers: kept while useful, dropped when the store has the
# blob or when a week old.
have=$(ls "$root/images/blobs/sha256" | head -1)
fresh=0000000000000000000000000000000000000000000000000000000000000001
old=0000000000000000000000000000000000000000000000000000000000000002
echo x >"$root/tmp/blob-$have.partial"
echo x >"$root/tmp/blob-$fresh.partial"
echo x >"$root/tmp/blob-$old.ok"
touch -d '10 days ago' "$root/tmp/blob-$old.ok"
check "a run of any command" sm images
check "a partial of a stored blob is dropped" test ! -e "$root/tmp/blob-$have.partial"
check "a recent partial is kept for resuming" test -e "$root/tmp/blob-$fresh.partial"
check "a week-old leftover is dropped" test ! -e "$root/tmp/blob-$old.ok"
rm -f "$root/tmp/blob-$fresh.partial"

# A full disk (a small tmpfs, as root): a clear error, nothing changed.
if is_root; then
	small=$t_tmp/small
	mkdir -p "$small"
	mount -t tmpfs -o size=600k tmpfs "$small"
	t_cleanup_cmds+=("umount $small")
	"$SCATMAN_BIN" --root "$small/root" images >/dev/null
	before=$(tree_hash "$small/root/images")
	testcmd "a full disk fails" 125 "$SCATMAN_BIN" --root "$small/root" pull \
		--tls-verify=false "$reg/test/busybox"
	like "$err" "No space left on device" "says the disk is full"
	is "$(tree_hash "$small/root/images")" "$before" "the store is unchanged"
	is "$(ls "$small/root/tmp" | grep -c partial)" 0 "the partial data is removed"
else
	skip "full-disk test needs root to mount a small tmpfs"
fi
done_testing
