#!/bin/bash
# SPDX-License-Identifier: MIT
# registries.conf: short-name search, aliases, insecure and blocked
# registries, locations and mirrors.
. "$(dirname "$0")/../lib.sh"
need_registry
reg=$SCATMAN_TEST_REGISTRY
id=$(cat "$SCATMAN_TEST_FIXTURES/busybox.id")
root=$t_tmp/root
conf=$t_tmp/registries.conf
export CONTAINERS_REGISTRIES_CONF=$conf

cat >"$conf" <<CONF
# the first search registry refuses connections
unqualified-search-registries = [
	"127.0.0.1:1",  # a comment inside the array
	'$reg',
]

[aliases]
"bb" = "$reg/test/busybox"

[[registry]]
prefix = "127.0.0.1:1"
insecure = true

[[registry]]
location = "$reg"
insecure = true

[[registry]]
prefix = "$reg/test/multi"
location = "$reg/test/multi"
blocked = true

[[registry]]
prefix = "example.test/mirrored"
location = "$reg/test"
insecure = true

[[registry]]
prefix = "example.test/m2"
location = "127.0.0.1:1/nowhere"
insecure = true
[[registry.mirror]]
location = "$reg/test"
insecure = true
CONF

testcmd "a short name goes through the search list" 0 sm pull test/busybox
is "$out" "$id" "the image ID"
like "$err" "Trying to pull 127.0.0.1:1/test/busybox:latest\.\.\." "tries the first registry"
like "$err" "Trying to pull $reg/test/busybox:latest\.\.\." "then the second, insecure by configuration"
testcmd "an alias" 0 sm pull bb
like "$err" 'Resolved "bb" as an alias' "says it used the alias"
like "$err" "Trying to pull $reg/test/busybox:latest" "pulls the alias target"
testcmd "images finds the short name" 0 sm images --noheading busybox
like "$out" "^$reg/test/busybox " "the full name is listed"

before=$(tree_hash "$root")
testcmd "a blocked registry is refused" 125 sm pull "$reg/test/multi"
like "$err" "blocked in registries.conf" "says so"
is "$(tree_hash "$root")" "$before" "the store is unchanged"

testcmd "a location rewrites the name" 0 sm pull -q example.test/mirrored/busybox
is "$out" "$id" "the image from the location"
like "$(sm images --noheading)" "example.test/mirrored/busybox +latest" "stored under the name asked for"
testcmd "a mirror is tried first" 0 sm pull -q example.test/m2/busybox
is "$out" "$id" "the image from the mirror"

printf 'unqualified-search-registries = ["unterminated\n' >"$conf"
testcmd "a malformed registries.conf" 125 sm pull test/busybox
like "$err" "malformed '$conf'" "names the file"
done_testing
