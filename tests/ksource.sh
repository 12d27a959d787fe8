#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the directory holding the few files we use from Debian's
# linux-source-6.1 (checkpatch.pl and its data, the kselftest headers),
# extracting them into build/ once. Nothing of it is kept in the repository.
#
#   tests/ksource.sh [--all]
#
# --all: the whole tree, for the debug kernel (tests/debug/kernel.sh).
set -eu
ROOT=$(realpath "$(dirname "$0")/..")
TARBALL=$(ls /usr/src/linux-source-6.1*.tar.xz 2>/dev/null | head -1)
DIR=$ROOT/build/linux-source
TOP=linux-source-6.1
FILES="scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	tools/testing/selftests/kselftest.h tools/testing/selftests/kselftest_harness.h"
if [ "${1-}" = --all ]; then
	DIR=$ROOT/build/debug-kernel/src
	FILES=""
fi

if [ -z "$TARBALL" ]; then
	echo "ksource: linux-source-6.1 is not installed (make deps)" >&2
	exit 1
fi
if [ ! -f "$DIR/.stamp" ] || [ "$TARBALL" -nt "$DIR/.stamp" ]; then
	rm -rf "$DIR"
	mkdir -p "$DIR"
	# shellcheck disable=SC2086
	tar -xJf "$TARBALL" -C "$DIR" --strip-components=1 \
		$(for f in $FILES; do echo "$TOP/$f"; done)	# none: all
	touch "$DIR/.stamp"
fi
echo "$DIR"
