#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the C programs the guest selftests run (kselftest harness, libnl),
# on the host, into build/selftests/.
set -eu
ROOT=$(realpath "$(dirname "$0")/../../..")
KSRC=$("$ROOT"/tests/ksource.sh)
OUT=$ROOT/build/selftests
mkdir -p "$OUT"
for src in "$ROOT"/tests/selftests/progs/*.c; do
	name=$(basename "$src" .c)
	# shellcheck disable=SC2046
	cc -O1 -g -std=gnu11 -Wall -Wextra -Wno-sign-compare -Werror \
		-D_GNU_SOURCE -isystem "$KSRC"/tools/testing/selftests \
		-I"$ROOT"/include/uapi $(pkg-config --cflags libnl-genl-3.0) \
		-o "$OUT/$name" "$src" $(pkg-config --libs libnl-genl-3.0)
done
