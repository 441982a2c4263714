#!/bin/bash
# SPDX-License-Identifier: MIT
# The hostile layers again, with the O_NOFOLLOW walk that stands in for
# openat2(RESOLVE_IN_ROOT) on kernels without it.
export SCATMAN_TEST_NO_OPENAT2=1
. "$(dirname "$0")/unpack-hostile.sh"
