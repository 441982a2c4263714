#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs every test: builds the fixtures once, starts a loopback registry
# holding the fixture images, creates the unprivileged test user (as root),
# then runs the shell tests and unit tests under prove.
#
# usage: tests/run.sh [TEST...]   (default: tests/cli/*.sh build/unit/*)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
: "${SCATMAN_BIN:=$top/scatman}"
export SCATMAN_BIN

tmp=$(mktemp -d /tmp/scatman-tests.XXXXXX)
chmod 755 "$tmp"
export SCATMAN_TEST_TMP=$tmp
cleanup() {
	"$top/tests/registry.sh" stop "$tmp/registry" || true
	[ -n "${SCATMAN_TEST_REGISTRY_TLS:-}" ] &&
		"$top/tests/registry.sh" stop "$tmp/registry-tls" || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# The unprivileged user for the rootless tests, with subordinate ids.
if [ "$(id -u)" -eq 0 ]; then
	user=scatman-test
	id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
	grep -q "^$user:" /etc/subuid || usermod --add-subuids 200000-265535 "$user"
	grep -q "^$user:" /etc/subgid || usermod --add-subgids 200000-265535 "$user"
	export SCATMAN_TEST_USER=$user
	# The test user must reach the binary (the clone may sit in a private
	# home) and the scratch directory.
	chmod o+rx "$tmp"
	mkdir -p "$tmp/bin"
	cp "$SCATMAN_BIN" "$tmp/bin/scatman"
	chmod 755 "$tmp/bin" "$tmp/bin/scatman"
	SCATMAN_BIN=$tmp/bin/scatman
fi

# Fixtures: built once per run.
fx=$tmp/fixtures
mkdir -p "$fx"
"$top/tests/fixtures/build.sh" "$fx" >"$tmp/fixtures.log" 2>&1 ||
	{ cat "$tmp/fixtures.log"; echo "fixtures failed" >&2; exit 1; }
export SCATMAN_TEST_FIXTURES=$fx

reg=$("$top/tests/registry.sh" start "$tmp/registry")
export SCATMAN_TEST_REGISTRY=$reg
"$top/tests/fixtures/push.sh" "$fx" "$reg" >>"$tmp/fixtures.log" 2>&1 ||
	{ cat "$tmp/fixtures.log"; echo "pushing fixtures failed" >&2; exit 1; }

if [ $# -eq 0 ]; then
	set -- tests/cli/*.sh
	for u in build/unit/*_test; do [ -x "$u" ] && set -- "$@" "$u"; done
fi
prove -f --timer "$@"
