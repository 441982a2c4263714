# SPDX-License-Identifier: MIT
# Shared helpers for the shell tests: TAP output and the test environment.
# Source it from a test script; tests/run.sh sets the environment:
#   SCATMAN_BIN            the binary under test
#   SCATMAN_TEST_TMP       a scratch directory for this run (world-readable)
#   SCATMAN_TEST_REGISTRY  127.0.0.1:PORT of a plain-HTTP docker-registry
#                          holding the fixture images (see tests/run.sh)
#   SCATMAN_TEST_FIXTURES  the fixture directory (OCI layouts, tarballs)
#   SCATMAN_TEST_USER      an unprivileged user with subuid/subgid ranges
#                          (set when the run is as root)
# A test may run standalone: it then builds what it needs via run.sh.

set -u
: "${SCATMAN_BIN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scatman}"
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export SCATMAN_BIN

t_n=0
t_failed=0

# ok COND_STATUS DESCRIPTION: reports one test from a status (0 = pass).
ok() {
	t_n=$((t_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $t_n - $2"
	else
		echo "not ok $t_n - $2"
		t_failed=$((t_failed + 1))
	fi
}

# check DESCRIPTION CMD...: runs CMD, passes when it exits 0.
check() {
	local desc=$1
	shift
	"$@" >/dev/null 2>&1
	ok $? "$desc"
}

# is GOT EXPECTED DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:      %s\n#   expected: %s\n' "$1" "$2" | head -40
	fi
}

# like GOT REGEX DESCRIPTION (grep -E on the whole text)
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:      %s\n#   pattern:  %s\n' "$1" "$2" | head -40
	fi
}

# unlike GOT REGEX DESCRIPTION
unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 1 "$3"
		printf '#   got:      %s\n#   unwanted: %s\n' "$1" "$2" | head -40
	else
		ok 0 "$3"
	fi
}

# testcmd DESCRIPTION EXPECTED_STATUS CMD...: runs CMD capturing stdout in
# $out, stderr in $err and the status in $rc; passes on the status.
testcmd() {
	local desc=$1 want=$2 ef
	shift 2
	ef=$(mktemp)
	out=$("$@" 2>"$ef")
	rc=$?
	err=$(cat "$ef")
	rm -f "$ef"
	if [ "$rc" -eq "$want" ]; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		printf '#   status %s, expected %s\n' "$rc" "$want"
		printf '#   stderr: %s\n' "$err" | head -20
	fi
}

skip() {
	t_n=$((t_n + 1))
	echo "ok $t_n # skip $1"
}

bail() {
	echo "Bail out! $*"
	exit 255
}

done_testing() {
	echo "1..$t_n"
	[ "$t_failed" -eq 0 ]
}

# A fresh storage root for a test, removed at exit (see t_cleanup).
t_tmp=$(mktemp -d "${SCATMAN_TEST_TMP:-/tmp}/t.XXXXXX")
chmod 755 "$t_tmp"
t_cleanup_cmds=()
t_cleanup() {
	local c
	for c in "${t_cleanup_cmds[@]}"; do eval "$c" >/dev/null 2>&1; done
	# Rootless stores hold files of subordinate ids: remove as root.
	rm -rf "$t_tmp" 2>/dev/null || true
}
trap t_cleanup EXIT

# A watchdog: a test that hangs fails (not ok) instead of stalling the
# whole run. SCATMAN_TEST_TIMEOUT seconds, 600 by default.
(
	trap 'kill $w 2>/dev/null; exit 0' TERM
	sleep "${SCATMAN_TEST_TIMEOUT:-600}" </dev/null >/dev/null 2>&1 &
	w=$!
	wait $w 2>/dev/null
	echo "not ok - $(basename "$0") timed out after ${SCATMAN_TEST_TIMEOUT:-600}s"
	# Everything the test started goes too, or its open pipes stall prove.
	t_kill_tree() {
		local c
		for c in $(pgrep -P "$1"); do
			[ "$c" = "$BASHPID" ] || t_kill_tree "$c"
		done
		kill -KILL "$1" 2>/dev/null
	}
	t_kill_tree $$
) &
t_watchdog=$!
t_cleanup_cmds+=("kill $t_watchdog")

# sm ARGS...: the binary under test with the test's own storage root.
sm() {
	"$SCATMAN_BIN" --root "$t_tmp/root" "$@"
}

is_root() {
	[ "$(id -u)" -eq 0 ]
}

# as_user CMD...: runs CMD as the unprivileged test user, with a HOME of
# its own under the test's temp dir. Only when running as root.
as_user() {
	local home="$t_tmp/home-$SCATMAN_TEST_USER"
	[ -d "$home" ] || { mkdir -p "$home"; chown "$SCATMAN_TEST_USER:" "$home"; }
	setpriv --reuid="$SCATMAN_TEST_USER" --regid="$SCATMAN_TEST_USER" \
		--init-groups --reset-env -- \
		env HOME="$home" PATH="$PATH" XDG_RUNTIME_DIR= \
		SCATMAN_BIN="$SCATMAN_BIN" "$@"
}

# smu ARGS...: the binary under test as the test user, with its own root.
smu() {
	as_user "$SCATMAN_BIN" --root "$t_tmp/home-$SCATMAN_TEST_USER/root" "$@"
}

# start_front NAME [OPTION...]: starts tests/fixtures/front-registry.py in
# front of the test registry, logging to $t_tmp/NAME.log, and sets
# front_addr to its address (127.0.0.1:PORT). It is stopped when the test
# ends. (Not in $(...): the cleanup must be registered in this shell.)
start_front() {
	local name=$1
	shift
	python3 "$TESTS_DIR/fixtures/front-registry.py" \
		--upstream "$SCATMAN_TEST_REGISTRY" --port-file "$t_tmp/$name.port" \
		--log "$t_tmp/$name.log" "$@" >/dev/null 2>"$t_tmp/$name.err" &
	t_cleanup_cmds+=("kill $!")
	for _ in $(seq 100); do
		[ -s "$t_tmp/$name.port" ] && break
		sleep 0.05
	done
	front_addr=127.0.0.1:$(cat "$t_tmp/$name.port")
}

need_registry() {
	[ -n "${SCATMAN_TEST_REGISTRY:-}" ] ||
		bail "no test registry: run the tests through tests/run.sh"
}

# tree_hash DIR: a hash of every path, type, mode, owner, size, link target
# and file content under DIR (for "nothing outside changed" checks).
tree_hash() {
	(cd "$1" && find . -printf '%p %y %m %U %G %s %l\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0r sha256sum) |
		sha256sum | cut -d' ' -f1
}
