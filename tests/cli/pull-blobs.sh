#!/bin/bash
# SPDX-License-Identifier: MIT
# Blobs pull finds on disk are admitted only once verified: a bad verified
# download left in the temp area, and a stored blob of the wrong size, are
# fetched again and the image stays usable.
. "$(dirname "$0")/../lib.sh"
need_registry
reg=$SCATMAN_TEST_REGISTRY
id=$(cat "$SCATMAN_TEST_FIXTURES/busybox.id")
root=$t_tmp/root
blobs=$root/images/blobs/sha256

raw=$(skopeo inspect --tls-verify=false --raw "docker://$reg/test/busybox:latest")
layer=$(printf '%s' "$raw" | python3 -c 'import json,sys
print(json.load(sys.stdin)["layers"][-1]["digest"][7:])')
config=$(printf '%s' "$raw" | python3 -c 'import json,sys
print(json.load(sys.stdin)["config"]["digest"][7:])')
hash_of() { sha256sum <"$1" | cut -c1-64; }
unpacks() {
	rm -rf "$t_tmp/bundle"
	umoci unpack --rootless --image "$root/images:$reg/test/busybox:latest" \
		"$t_tmp/bundle" >/dev/null 2>&1
}

# A zero-filled file under the name of a verified download.
check "the store is created" sm images
head -c 1000000 /dev/zero >"$root/tmp/blob-$layer.ok"
testcmd "pull with a bad verified download in the temp area" 0 \
	sm pull -q --tls-verify=false "$reg/test/busybox"
is "$out" "$id" "the image ID"
is "$(hash_of "$blobs/$layer")" "$layer" "the stored layer is the real one"
check "the bad file is gone" test ! -e "$root/tmp/blob-$layer.ok"
check "the image unpacks" unpacks
check "rmi" sm rmi -a

# A verified download of the right size but other bytes.
check "the store is empty" sm images
size=$(printf '%s' "$raw" | python3 -c 'import json,sys
print(json.load(sys.stdin)["layers"][-1]["size"])')
head -c "$size" /dev/zero >"$root/tmp/blob-$layer.ok"
testcmd "pull with a same-size bad download" 0 \
	sm pull -q --tls-verify=false "$reg/test/busybox"
is "$(hash_of "$blobs/$layer")" "$layer" "the stored layer is the real one"
check "rmi" sm rmi -a

# A stored layer of the wrong size: corrupt, so replaced.
check "pull" sm pull -q --tls-verify=false "$reg/test/busybox"
head -c 1000000 /dev/zero >"$blobs/$layer"
testcmd "pull over a corrupt stored layer" 0 \
	sm pull --tls-verify=false "$reg/test/busybox"
like "$err" "blob sha256:$layer in the store is corrupt; fetching it again" "says so"
is "$(hash_of "$blobs/$layer")" "$layer" "the stored layer is repaired"
check "the image unpacks" unpacks
testcmd "create from the repaired image" 0 sm create --name c "$reg/test/busybox" true
check "rm" sm rm c

# A stored config of the wrong size: replaced too.
printf '{}' >"$blobs/$config"
testcmd "pull over a corrupt stored config" 0 \
	sm pull -q --tls-verify=false "$reg/test/busybox"
is "$out" "$id" "the image ID"
is "$(hash_of "$blobs/$config")" "$config" "the stored config is repaired"
testcmd "inspect reads it" 0 sm inspect --format '{{.Id}}' "$reg/test/busybox"
is "$out" "$id" "the image ID"
done_testing
