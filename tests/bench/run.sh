#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot the 6.1 guest kernel (the one Debian's ipt_NETFLOW
# builds for), run tests/bench/guest-bench.sh
# (every configuration side by side in one run), keep the raw results in
# tests/bench/results/ and write the table into BENCHMARKS.md.
set -eu
ROOT=$(realpath "$(dirname "$0")/../..")
KVER=${1:?usage: run.sh KVER}
OUT=$ROOT/build/bench/$KVER
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW=$ROOT/tests/bench/results/$KVER-$STAMP.txt

rm -rf "$OUT"
mkdir -p "$OUT" "$ROOT"/tests/bench/results
# without it the table says ipt_NETFLOW was not measured, and why
"$ROOT"/tests/bench/ipt-netflow.sh "$KVER" || true
# no slub_debug: it would slow every allocation and inflate every object
GUEST_SLUB_DEBUG= GUEST_TIMEOUT=3600 TEST_TIMEOUT=3300 \
	"$ROOT"/tests/qemu/run.sh "$KVER" "$OUT" ../bench/guest-bench.sh
grep '^RESULT ' "$OUT"/guest-bench.sh.log >"$RAW" || {
	echo "bench: no results; see $OUT" >&2
	exit 1
}
echo "bench: raw results in ${RAW#"$ROOT"/}"
python3 "$ROOT"/tests/bench/table.py "$RAW" "$KVER" >"$ROOT"/BENCHMARKS.md
cat "$ROOT"/BENCHMARKS.md
