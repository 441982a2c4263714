#!/bin/bash
# SPDX-License-Identifier: MIT
# The house checks: code style limits and the applet table.
. "$(dirname "$0")/../lib.sh"

out=$("$TESTS_DIR/../scripts/check-style.sh" 2>&1)
ok $? "C sources keep the house limits"
[ -n "$out" ] && printf '# %s\n' "$out" | head -20
out=$("$TESTS_DIR/../scripts/check-applets.sh" 2>&1)
ok $? "applet table sorted, one entry per applet file"
[ -n "$out" ] && printf '# %s\n' "$out" | head -20
done_testing
