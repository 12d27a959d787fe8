#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make check` in the debug kernel (kernel.sh): every
# selftest, or SELFTESTS, under KASAN, lockdep, the atomic-sleep checks
# and kmemleak, whose scan after the tests must find nothing. Under TCG
# this kernel runs several times slower than Debian's, so each test and
# the guest get longer; no assertion changes.
set -eu
ROOT=$(realpath "$(dirname "$0")/../..")
release=$("$ROOT"/tests/debug/kernel.sh)
export CHECK_HOST=0
export TEST_TIMEOUT=${TEST_TIMEOUT:-1800}
export GUEST_TIMEOUT=${GUEST_TIMEOUT:-14400}
exec "$ROOT"/tests/check.sh "$release"
