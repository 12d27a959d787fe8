#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# libFuzzer harnesses for the daemon's parsers (tests/fuzz/*_fuzz.c), built
# with Debian's clang under ASan and UBSan, each run FUZZ_SECONDS (10 by
# default: `make check`'s short run; FUZZ_SECONDS=600 for a long one) from
# seeds.py's inputs. One TAP line each; a crash leaves its input in
# build/fuzz/NAME.crash-*.
set -u
ROOT=$(realpath "$(dirname "$0")/../..")
OUT=$ROOT/build/fuzz
SECONDS_EACH=${FUZZ_SECONDS:-10}
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
mkdir -p "$OUT"
rm -rf "$OUT"/corpus
python3 "$ROOT"/tests/fuzz/seeds.py "$OUT"/corpus || exit 1
harnesses=("$ROOT"/tests/fuzz/*_fuzz.c)
echo "TAP version 13"
echo "1..${#harnesses[@]}"
n=0 rc=0
for src in "${harnesses[@]}"; do
	n=$((n + 1))
	name=$(basename "$src" _fuzz.c)
	# shellcheck disable=SC2086
	if ! clang $CFLAGS -D_GNU_SOURCE -I"$ROOT"/include \
		-I"$ROOT"/userspace/lib -o "$OUT/$name" "$src" \
		"$ROOT/userspace/lib/$name.c" 2>"$OUT/$name.build.log"; then
		cat "$OUT/$name.build.log"
		echo "not ok $n $name builds"
		rc=1
		continue
	fi
	if (cd "$OUT" && "./$name" -max_total_time="$SECONDS_EACH" \
		-artifact_prefix="$name." -print_final_stats=1 \
		"corpus/$name" >"$name.log" 2>&1); then
		echo "ok $n $name: $(grep -o 'stat::number_of_executed_units: [0-9]*' \
			"$OUT/$name.log" | awk '{ print $2 }') inputs in ${SECONDS_EACH} s"
	else
		tail -30 "$OUT/$name.log"
		echo "not ok $n $name (input in build/fuzz/$name.crash-*)"
		rc=1
	fi
done
exit $rc
