#!/bin/bash
# SPDX-License-Identifier: MIT
# pull against the loopback registry: OCI and Docker media types, the store
# as an OCI layout other tools read, shared blobs, and failures that leave
# the store unchanged.
. "$(dirname "$0")/../lib.sh"
need_registry
reg=$SCATMAN_TEST_REGISTRY
id=$(cat "$SCATMAN_TEST_FIXTURES/busybox.id")
root=$t_tmp/root

testcmd "pull an OCI image" 0 sm pull --tls-verify=false "$reg/test/busybox:latest"
is "$out" "$id" "the image ID alone on stdout"
like "$err" "^Trying to pull $reg/test/busybox:latest\.\.\." "says what it pulls"
like "$err" "Copying blob [0-9a-f]{12} done" "one line per blob"
like "$err" "Writing manifest to image destination" "writes the manifest"
check "the store holds a valid OCI layout" test -f "$root/images/oci-layout"
like "$(cat "$root/images/index.json")" \
	"\"org.opencontainers.image.ref.name\":\"$reg/test/busybox:latest\"" \
	"index.json names the tag with the full reference"

out=$(skopeo inspect "oci:$root/images:$reg/test/busybox:latest" 2>&1)
like "$out" '"Architecture": "amd64"' "skopeo reads the stored image"
rm -rf "$t_tmp/bundle"
check "umoci unpacks the stored image" \
	umoci unpack --rootless --image "$root/images:$reg/test/busybox:latest" "$t_tmp/bundle"
check "the unpacked tree has busybox" test -e "$t_tmp/bundle/rootfs/bin/busybox"

testcmd "pull the Docker schema 2 twin" 0 sm pull --tls-verify=false "$reg/test/busybox-docker"
is "$out" "$id" "same image ID from Docker media types"
like "$err" "Copying blob [0-9a-f]{12} skipped: already exists" "shared blobs are not fetched again"
rm -rf "$t_tmp/bundle"
check "umoci unpacks the Docker image as stored" \
	umoci unpack --rootless --image "$root/images:$reg/test/busybox-docker:latest" "$t_tmp/bundle"

rdig=$(skopeo inspect --tls-verify=false "docker://$reg/test/busybox-docker:latest" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')
testcmd "images --digests of the Docker twin" 0 sm images --digests --noheading busybox-docker
like "$out" "busybox-docker +latest +$rdig " "shows the registry's manifest digest"
testcmd "pull the Docker twin by its registry digest" 0 sm pull -q --tls-verify=false \
	"$reg/test/busybox-docker@$rdig"
is "$out" "$id" "the same image"

testcmd "quiet pull" 0 sm pull -q --tls-verify=false "$reg/test/busybox"
is "$out" "$id" "-q prints the ID"
is "$err" "" "-q prints nothing else"

nblobs=$(ls "$root/images/blobs/sha256" | wc -l)
is "$nblobs" 5 "two manifests, one config and two layers stored once"

testcmd "pull by digest" 0 sm pull --tls-verify=false \
	"$reg/test/busybox@$(grep -o 'sha256:[0-9a-f]*' "$root/images/index.json" | head -1)"
is "$out" "$id" "a digest reference pulls the same image"

# Failures: one clear message, exit 125, the store exactly as before.
before=$(tree_hash "$root")
testcmd "unknown repository fails" 125 sm pull --tls-verify=false "$reg/test/nosuch:latest"
like "$err" "manifest 'latest' of 'test/nosuch' not found in registry '$reg'" \
	"names the reference and the registry"
testcmd "unknown tag fails" 125 sm pull --tls-verify=false "$reg/test/busybox:nosuch"
like "$err" "not found" "says the tag is not found"
testcmd "TLS to a plain HTTP registry fails" 125 sm pull "$reg/test/busybox"
like "$err" "TLS failure.*--tls-verify=false" "tells how to skip verification"
like "$err" "server gave HTTP response to HTTPS client" "says the server spoke plain HTTP"
testcmd "refused connection fails" 125 sm pull --tls-verify=false 127.0.0.1:1/test/busybox
like "$err" "cannot connect to" "says the connection failed"
testcmd "unknown host fails" 125 sm pull --tls-verify=false nosuchhost.invalid/test/busybox
like "$err" "cannot resolve" "says the host is unknown"
testcmd "upper-case repository refused" 125 sm pull --tls-verify=false "$reg/Test/busybox"
like "$err" "repository name must be lowercase" "says why"
testcmd "bad digest refused" 125 sm pull --tls-verify=false "$reg/test/busybox@sha256:1234"
like "$err" "invalid digest" "says why"
is "$(tree_hash "$root")" "$before" "failed pulls leave the store unchanged"

if is_root; then
	testcmd "pull as an unprivileged user" 0 smu pull -q --tls-verify=false "$reg/test/busybox"
	is "$out" "$id" "the image ID"
	testcmd "images as that user" 0 smu images --noheading
	like "$out" "^$reg/test/busybox +latest" "lists the image"
else
	skip "the unprivileged-user pull needs root to switch users"
fi

# On a terminal: a progress bar per blob.
out=$(script -qc "'$SCATMAN_BIN' --root '$t_tmp/tty-root' pull --tls-verify=false $reg/test/busybox" /dev/null)
like "$out" "Copying blob [0-9a-f]{12} 100% \[=+\] [0-9.]+ [kM]?B / [0-9.]+ [kM]?B \(.*/s\) done" \
	"a terminal gets progress bars with percentage, bytes and rate"
like "$out" "$id" "and the ID"

testcmd "pull of two images" 0 sm pull -q --tls-verify=false "$reg/test/busybox" "$reg/test/busybox-docker"
is "$out" "$id
$id" "one ID per image"

testcmd "pull needs an image" 125 sm pull

# Option errors: one line; options may follow the image as with podman.
testcmd "a misspelt option" 125 sm pull --tls-verfy=false "$reg/test/busybox"
is "$err" "scatman: pull: unknown option '--tls-verfy' (see 'scatman pull --help')" \
	"one line naming the option"
testcmd "an option after the image" 0 sm pull "$reg/test/busybox" -q --tls-verify=false
is "$out" "$id" "only the ID"
is "$err" "" "quietly"
done_testing
