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
# An image a chroot was made from stays unless forced.
check "pull for a chroot" sm pull -q --tls-verify=false "$reg/test/busybox"
check "tag it twice" sm tag "$reg/test/busybox" second:1
testcmd "create a chroot from it" 0 sm create --name user1 "$reg/test/busybox" true
testcmd "rmi of one of two tags is fine" 0 sm rmi second:1
testcmd "rmi of the last tag is refused" 2 sm rmi "$reg/test/busybox"
like "$err" "in use by chroot 'user1'" "names the chroot"
is "$(sm images -q)" "${id:0:12}" "the image stays"
testcmd "rmi -f removes it anyway" 0 sm rmi -f "$reg/test/busybox"
like "$out" "Deleted: $id" "and says so"
check "remove the chroot" sm rm user1

testcmd "rmi without names" 125 sm rmi
testcmd "rmi -z" 125 sm rmi -z foo
is "$err" "scatman: rmi: unknown option '-z' (see 'scatman rmi --help')" \
	"one line naming the option"
done_testing
