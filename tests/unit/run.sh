#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build and run the userspace unit tests (kselftest harness, TAP output),
# with the harness headers taken from Debian's linux-source at build time.
set -u
ROOT=$(realpath "$(dirname "$0")/../..")
KSRC=$("$ROOT"/tests/ksource.sh) || exit 1
OUT=$ROOT/build/unit
# the harness is a system header (its own warnings are not ours); its
# macros compare int literals with size_t: kselftest builds
# with -Wall only, so sign-compare stays off here
CFLAGS="-O1 -g -std=gnu11 -Wall -Wextra -Wno-sign-compare -Werror -D_GNU_SOURCE"
mkdir -p "$OUT"
rc=0
for src in "$ROOT"/tests/unit/*_test.c; do
	name=$(basename "$src" .c)
	# the userspace code under test, if it is code; kmod's pure headers
	# are not
	lib=$(ls "$ROOT"/userspace/{lib,ctipfixd}/"${name%_test}".c 2>/dev/null)
	libs=""
	# the netlink client's test includes its .c, which needs libnl
	[ "$name" = ctipfix_nl_test ] &&
		libs=$(pkg-config --cflags --libs libnl-genl-3.0) && lib=""
	# shellcheck disable=SC2086
	# tests/unit/kernel stands in for the kernel headers kmod's pure
	# code includes
	if ! cc $CFLAGS -isystem "$KSRC"/tools/testing/selftests \
		-I"$ROOT"/tests/unit/kernel -I"$ROOT"/userspace/lib \
		-I"$ROOT"/userspace/ctipfixd \
		-I"$ROOT"/include -I"$ROOT"/include/uapi -I"$ROOT"/kmod \
		-o "$OUT/$name" "$src" $lib $libs; then
		echo "not ok 1 $name builds"
		rc=1
		continue
	fi
	"$OUT/$name" || rc=1
done
exit $rc
