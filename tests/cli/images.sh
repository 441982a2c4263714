#!/bin/bash
# SPDX-License-Identifier: MIT
# images and tag: podman's columns and options over a pulled image.
. "$(dirname "$0")/../lib.sh"
need_registry
reg=$SCATMAN_TEST_REGISTRY
id=$(cat "$SCATMAN_TEST_FIXTURES/busybox.id")

testcmd "images on an empty store" 0 sm images
is "$out" "REPOSITORY  TAG         IMAGE ID    CREATED     SIZE" "only the heading"
check "pull" sm pull -q --tls-verify=false "$reg/test/busybox"
testcmd "images lists the tag" 0 sm images
like "$out" "^$reg/test/busybox +latest +${id:0:12} +[0-9a-zA-Z ]+ ago +[0-9.]+ [kM]B$" \
	"repository, tag, short ID, age and size"
testcmd "images -q" 0 sm images -q
is "$out" "${id:0:12}" "-q prints short IDs"
testcmd "images -q --no-trunc" 0 sm images -q --no-trunc
is "$out" "$id" "--no-trunc prints full IDs"
testcmd "images --noheading" 0 sm images --noheading
unlike "$out" "REPOSITORY" "no heading"
testcmd "images --digests" 0 sm images --digests
like "$out" "DIGEST" "a digest column"
like "$out" "sha256:[0-9a-f]{64}" "with the manifest digest"
testcmd "images --format json" 0 sm images --format json
like "$out" "\"Id\": \"$id\"" "JSON has the ID"
like "$out" "\"RepoTags\": \\[\"$reg/test/busybox:latest\"\\]" "JSON has the tags"

testcmd "images --format template" 0 sm images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
is "$out" "$reg/test/busybox:latest ${id:0:12}" "fields filled in, no heading"
testcmd "images --format table" 0 sm images --format 'table {{.ID}}\t{{.Tag}}'
like "$out" "^IMAGE ID +TAG" "a table template gets headings"
testcmd "images --format with an unknown field" 125 sm images --format '{{.Nope}}'

testcmd "tag with a short name" 0 sm tag "$reg/test/busybox" mine:v1
testcmd "images filtered by reference" 0 sm images --noheading mine
like "$out" "^localhost/mine +v1 +${id:0:12}" "short new names are local, as podman's"
unlike "$out" "test/busybox" "the filter leaves other names out"
testcmd "tag by ID prefix" 0 sm tag "${id:0:8}" "$reg/other:x"
testcmd "images counts three tags" 0 sm images --noheading
is "$(printf '%s\n' "$out" | wc -l)" 3 "three lines"
testcmd "tag of an unknown image" 125 sm tag nosuch foo
like "$err" "'nosuch': image not known" "says so"
testcmd "tag to a bad name" 125 sm tag mine:v1 'Bad Name'
like "$err" "invalid reference" "says so"

# Option errors: one line; options may follow the operands.
testcmd "an unknown option" 125 sm images --bogus
is "$err" "scatman: images: unknown option '--bogus' (see 'scatman images --help')" \
	"one line naming the option"
testcmd "tag -x" 125 sm tag -x mine:v1 foo
is "$err" "scatman: tag: unknown option '-x' (see 'scatman tag --help')" \
	"one line naming the option"
testcmd "images NAME -q" 0 sm images mine -q
like "$out" "^[0-9a-f]{12}$" "the option after the name counts"
done_testing
