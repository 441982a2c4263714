#!/bin/bash
# SPDX-License-Identifier: MIT
# pull through a faulty front of the test registry: digest mismatch,
# truncation, retries, Range resume across runs, malformed and oversized
# manifests. Every failure leaves the store as it was.
. "$(dirname "$0")/../lib.sh"
need_registry
id=$(cat "$SCATMAN_TEST_FIXTURES/busybox.id")
root=$t_tmp/root
flog=$t_tmp/front.log

start_front front
front=$front_addr

pullf() {
	sm pull --tls-verify=false "$front/fault/$1/busybox"
}

check "an empty store" sm images
before=$(tree_hash "$root/images")
testcmd "corrupted blob fails" 125 pullf corrupt
like "$err" "digest mismatch: expected 'sha256:[0-9a-f]{64}', got 'sha256:[0-9a-f]{64}'" \
	"names the expected and actual digests"
is "$(ls "$root/tmp" | grep -c 'partial')" 0 "the corrupt data is discarded"
testcmd "truncated blob fails" 125 pullf short
like "$err" "truncated response" "says the body was truncated"
# (The other layer may not have started when the first failure stopped
# the pull: at least one partial file.)
n=$(find "$root/tmp" -name '*.partial' -size +0 | wc -l)
ok $([ "$n" -ge 1 ]; echo $?) "truncated downloads are kept to be resumed"
testcmd "malformed manifest fails" 125 pullf badjson
like "$err" "malformed manifest" "says the manifest is malformed"
testcmd "oversized manifest fails" 125 pullf bigmanifest
like "$err" "larger than 4194304 bytes" "says the manifest is too big"
testcmd "schema 1 refused" 125 pullf schema1
like "$err" "unsupported manifest \(deprecated schema 1\)" "says schema 1 is unsupported"
testcmd "a blob longer than its size fails" 125 pullf long
like "$err" "sent more than the expected [0-9]+ bytes" "says the blob is too long"
testcmd "a layer digest that is a path fails" 125 pullf evil
like "$err" "malformed manifest: bad layer descriptor" "says the manifest is malformed"
check "nothing written outside" test ! -e /tmp/evil
testcmd "a redirect to file:// fails" 125 pullf fileredir
like "$err" "not followed \(only http and https are\)" "the scheme is refused"
is "$(tree_hash "$root/images")" "$before" "the store is unchanged after every failure"
is "$(find "$root/tmp" -name '*.partial' -size 0 | wc -l)" 0 "no empty partial file left"
rm -f "$root"/tmp/*.partial

testcmd "a Docker manifest list" 0 sm pull -q --tls-verify=false "$front/fault/dockerlist/multi"
is "$out" "$(cat "$SCATMAN_TEST_FIXTURES/multi-amd64.id")" "gives the host's image"
check "rmi" sm rmi -a
testcmd "foreign layers come from their urls" 0 sm pull -q --tls-verify=false "$front/fault/foreign/busybox"
is "$out" "$id" "the image ID"
like "$(cat "$flog")" "GET /foreign/busybox/sha256:" "fetched from the layer's URL"
check "rmi" sm rmi -a
testcmd "503 on first blob request is retried" 0 pullf flaky
is "$out" "$id" "and the pull succeeds"
check "rmi" sm rmi -a
testcmd "429 with Retry-After is retried" 0 pullf ratelimit
is "$out" "$id" "and the pull succeeds"
check "rmi" sm rmi -a
testcmd "a broken transfer resumes with Range" 0 pullf cut
is "$out" "$id" "and the pull succeeds"
like "$(cat "$flog")" "fault/cut/busybox/blobs/sha256:[0-9a-f]+ range=bytes=[1-9][0-9]*-" \
	"the retry asked for the rest only"
check "rmi" sm rmi -a
testcmd "a server ignoring Range still works" 0 pullf norange
is "$out" "$id" "the image ID"
check "rmi" sm rmi -a

# Resume across runs: kill -9 a pull stalled half way through its blobs.
"$SCATMAN_BIN" --root "$root" pull -q --tls-verify=false \
	"$front/fault/stall/busybox" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 200); do
	n=$(find "$root/tmp" -name '*.partial' -size +0 2>/dev/null | wc -l)
	[ "$n" -ge 2 ] && break
	sleep 0.05
done
{ kill -9 $pid; wait $pid; } 2>/dev/null
ok $([ "$n" -ge 2 ]; echo $?) "partial downloads are on disk when the pull is killed"
: >"$flog"
testcmd "the next pull completes" 0 sm pull --tls-verify=false "$front/test/busybox"
is "$out" "$id" "with the right image"
like "$(cat "$flog")" "/v2/test/busybox/blobs/sha256:[0-9a-f]+ range=bytes=[1-9][0-9]*-" \
	"continuing the partial blobs with Range requests"
is "$(ls "$root/tmp" | grep -c 'partial')" 0 "no partial file left"
rm -rf "$t_tmp/bundle"
check "the resumed image unpacks" \
	umoci unpack --rootless --image "$root/images:$front/test/busybox:latest" "$t_tmp/bundle"
done_testing
