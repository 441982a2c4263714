#!/bin/bash
# SPDX-License-Identifier: MIT
# pull from a hostile front of the test registry: sizes that are not
# byte counts, sizes that disagree with the blobs, unknown compressions,
# tokens and realms that would inject headers, urls on ordinary layers.
# Every refusal leaves the store as it was.
. "$(dirname "$0")/../lib.sh"
need_registry
id=$(cat "$SCATMAN_TEST_FIXTURES/busybox.id")
root=$t_tmp/root
flog=$t_tmp/front.log

start_front front
front=$front_addr

pullf() {
	sm pull --tls-verify=false "$front/fault/$1/${2:-busybox}"
}

testcmd "a token with an absurd expires_in" 0 pullf bigexpiry
is "$out" "$id" "the image ID"
is "$(grep -c '^token /bigexpiry/token' "$flog")" 1 "the token is kept, not fetched per request"
check "rmi" sm rmi -a
check "an empty store" sm images
before=$(tree_hash "$root/images")
for mode in sizehuge sizeneg sizefrac sizebig size53; do
	testcmd "layer size of $mode refused" 125 pullf $mode
	like "$err" "malformed manifest: bad layer descriptor" "as a malformed manifest"
done
for img in busybox busybox-docker; do
	testcmd "a bzip2 layer of $img refused" 125 pullf bzip2 $img
	like "$err" "unsupported layer media type 'application/vnd.oci.image.layer.v1.tar\+bzip2'" \
		"names the media type"
done
: >"$flog"
testcmd "urls of an ordinary layer are not followed" 125 pullf foreignplain
like "$err" "blobs/sha256:[0-9a-f]{64}': HTTP status 404" "the registry's answer stands"
unlike "$(cat "$flog")" "GET /foreign/" "nothing fetched from the urls"
testcmd "an index entry size that disagrees with the manifest" 125 pullf idxsize multi
like "$err" "malformed manifest list: entry size [0-9]+, manifest size [0-9]+" \
	"as a malformed manifest list"
testcmd "a media type with terminal escapes" 125 pullf ctlchars
like "$err" "unsupported layer media type 'application/x-\?\[31mred\?\[0m'" \
	"the escapes are not printed"
testcmd "a token with CR LF refused" 125 pullf badtoken
like "$err" "sent a token with characters not allowed in a header" "says why"
unlike "$(cat "$flog")" "fault/badtoken/busybox/manifests/latest range= auth=yes" \
	"the token was never sent"
testcmd "a file:// realm refused" 125 pullf badrealm
like "$err" "invalid token realm \(want an http\(s\) URL\)" "says why"
ok $([ -z "$(ls "$root/tmp")" ]; echo $?) "no temp file left"
# (The layers it verified stay in the temp area for the next pull.)
testcmd "a config size that disagrees with the blob" 125 pullf cfgsize
like "$err" "malformed manifest: config 'sha256:[0-9a-f]{64}': size [0-9]+, blob [0-9]+" \
	"as a malformed manifest"
is "$(tree_hash "$root/images")" "$before" "the store is unchanged after every refusal"
rm -f "$root"/tmp/*.ok


# Docker's name for foreign layers, and OCI's non-distributable ones.
for img in busybox busybox-docker; do
	: >"$flog"
	testcmd "non-distributable layers of $img come from their urls" 0 \
		sm pull -q --tls-verify=false "$front/fault/foreign/$img"
	is "$out" "$(cat "$SCATMAN_TEST_FIXTURES/${img%-docker}.id")" "the image ID"
	like "$(cat "$flog")" "GET /foreign/$img/sha256:" "fetched from the layer's URL"
	check "rmi" sm rmi -a
done

testcmd "a Docker manifest without mediaType fields" 0 \
	sm pull -q --tls-verify=false "$front/fault/nomt/busybox-docker"
is "$out" "$id" "the image ID"
m=$(python3 -c 'import json, sys
for e in json.load(open(sys.argv[1]))["manifests"]:
	print(e["digest"][7:])' "$root/images/index.json")
like "$(cat "$root/images/blobs/sha256/$m")" \
	'^\{"schemaVersion":2,.*"config":\{[^}]*"mediaType":"application/vnd.oci.image.config.v1\+json".*"mediaType":"application/vnd.oci.image.manifest.v1\+json"\}$' \
	"is stored with OCI media types"
check "rmi" sm rmi -a

# A blob already stored: the manifest's size must still match it.
check "pull the image" sm pull -q --tls-verify=false "$front/test/busybox"
before=$(tree_hash "$root")
testcmd "a layer size that disagrees with the stored blob" 125 pullf sizeoff
like "$err" "malformed manifest: layer 'sha256:[0-9a-f]{64}': size [0-9]+, blob [0-9]+" \
	"as a malformed manifest"
testcmd "a config size that disagrees with the stored blob" 125 pullf cfgsize
like "$err" "malformed manifest: config 'sha256:[0-9a-f]{64}': size [0-9]+, blob [0-9]+" \
	"as a malformed manifest"
is "$(tree_hash "$root")" "$before" "the store is unchanged"
done_testing
