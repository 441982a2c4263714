#!/bin/bash
# SPDX-License-Identifier: MIT
# pull: platform choice from an index (skipping attestations) and layer
# compressions (gzip, zstd, none).
. "$(dirname "$0")/../lib.sh"
need_registry
reg=$SCATMAN_TEST_REGISTRY
fx=$SCATMAN_TEST_FIXTURES
root=$t_tmp/root
amd=$(cat "$fx/multi-amd64.id") arm=$(cat "$fx/multi-arm64.id")

[ "$(uname -m)" = x86_64 ] || bail "the platform tests expect an x86_64 host"
testcmd "an index gives the host's image" 0 sm pull -q --tls-verify=false "$reg/test/multi"
is "$out" "$amd" "linux/amd64, not the attestation listed first"
testcmd "--platform linux/arm64" 0 sm pull -q --tls-verify=false --platform linux/arm64 "$reg/test/multi"
is "$out" "$arm" "the arm64 image"
testcmd "--platform linux/arm64/v8" 0 sm pull -q --tls-verify=false --platform linux/arm64/v8 \
	"$reg/test/multi"
is "$out" "$arm" "the arm64 image with its variant"
testcmd "--arch arm64" 0 sm pull -q --tls-verify=false --arch arm64 "$reg/test/multi"
is "$out" "$arm" "--arch overrides the host's"
testcmd "inspect shows the pulled architecture" 0 sm images --format json
like "$out" '"Architecture": "arm64"' "the tag now holds the arm64 image"

before=$(tree_hash "$root")
testcmd "an unknown platform fails" 125 sm pull --tls-verify=false --platform linux/s390x \
	"$reg/test/multi"
like "$err" "no image for platform linux/s390x .*available: linux/arm64/v8, linux/amd64\)" \
	"lists the platforms the index offers"
unlike "$err" "unknown" "attestations are not offered"
testcmd "a malformed platform fails" 125 sm pull --tls-verify=false --platform linux \
	"$reg/test/multi"
like "$err" "invalid platform 'linux'" "says so"
is "$(tree_hash "$root")" "$before" "the store is unchanged"

for c in zstd none; do
	testcmd "pull a $c-layer image" 0 sm pull -q --tls-verify=false "$reg/test/layers-$c"
	is "$out" "$(cat "$fx/layers-$c.id")" "the $c image ID"
done
man=$(grep -o '"digest":"sha256:[0-9a-f]*","size":[0-9]*,"annotations":{"org.opencontainers.image.ref.name":"[^"]*layers-zstd' \
	"$root/images/index.json" | cut -d'"' -f4)
like "$(cat "$root/images/blobs/sha256/${man#sha256:}")" \
	'application/vnd.oci.image.layer.v1.tar\+zstd' "zstd layers keep their media type"
testcmd "pull the gzip twin" 0 sm pull -q --tls-verify=false "$reg/test/layers"
is "$out" "$(cat "$fx/layers.id")" "the gzip image ID"
testcmd "pull the Docker twin of the plain image" 0 sm pull -q --tls-verify=false \
	"$reg/test/layers-none-docker"
is "$out" "$(cat "$fx/layers-none.id")" "the same ID from Docker media types"
done_testing
