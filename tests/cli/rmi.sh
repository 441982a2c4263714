#!/bin/bash
# SPDX-License-Identifier: MIT
# rmi: untagging, deleting, garbage collection of blobs, exit codes.
. "$(dirname "$0")/../lib.sh"
need_registry
reg=$SCATMAN_TEST_REGISTRY
id=$(cat "$SCATMAN_TEST_FIXTURES/busybox.id")
blobs=$t_tmp/root/images/blobs/sha256

check "pull" sm pull -q --tls-verify=false "$reg/test/busybox"
check "tag" sm tag "$reg/test/busybox" extra:1
testcmd "rmi by ID with two tags needs -f" 125 sm rmi "${id:0:12}"
like "$err" "more than one tag" "says why"
testcmd "rmi one tag" 0 sm rmi extra:1
is "$out" "Untagged: localhost/extra:1" "prints the untagged name"
is "$(ls "$blobs" | wc -l)" 4 "the blobs stay while a tag remains"
testcmd "rmi unknown image" 1 sm rmi nosuch
like "$err" "'nosuch': image not known" "says so"
testcmd "rmi the last tag by ID" 0 sm rmi "${id:0:12}"
like "$out" "Deleted: $id" "prints the deleted ID"
is "$(ls "$blobs" | wc -l)" 0 "every unreferenced blob is collected"
check "pull again" sm pull -q --tls-verify=false "$reg/test/busybox"
check "tag again" sm tag "$reg/test/busybox" extra:2
testcmd "rmi -a" 0 sm rmi -a
is "$(sm images -q)" "" "no image left"
is "$(ls "$blobs" | wc -l)" 0 "no blob left"
testcmd "rmi without names" 125 sm rmi
done_testing
