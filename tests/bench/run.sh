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
# The guest's clock is TCG's TSC, read with one instruction as on any
# router. TCG's TSC is the host's clock, one for every vCPU, but the kernel
# finds it unsynchronized at boot (the check's timing under emulation) and
# falls back to an emulated HPET, whose every read exits to QEMU's device
# model: a configuration that reads the clock once per new flow (ctipfix,
# or conntrack with timestamps on) would be charged for QEMU's HPET.
append="tsc=reliable"
# Developer shortcuts reach the guest on its command line, commas for
# spaces: BENCH_CONFIGS="conntrack ctipfix" BENCH_REPEAT=3 make run-bench
for var in ${!BENCH_@}; do
	append="$append $var=${!var// /,}"
done
# no slub_debug: it would slow every allocation and inflate every object
GUEST_APPEND=$append GUEST_SLUB_DEBUG= GUEST_TIMEOUT=5400 TEST_TIMEOUT=5100 \
	"$ROOT"/tests/qemu/run.sh "$KVER" "$OUT" ../bench/guest-bench.sh
grep '^RESULT ' "$OUT"/guest-bench.sh.log >"$RAW" || {
	echo "bench: no results; see $OUT" >&2
	exit 1
}
# Instructions per forwarded packet: a guest of its own (BENCH_MODE=insns
# in guest-bench.sh), run by QEMU with the insncount plugin, whose marks
# ("mark N TOTAL") go into the raw results beside the windows that name
# them. BENCH_INSNS=0 leaves it out.
INSN_OUT=$OUT/insns
PLUGIN_DIR=$ROOT/build/bench/qemu
if [ "${BENCH_INSNS:-1}" = 0 ]; then
	:
elif "$ROOT"/tests/bench/qemu-plugin.sh "$PLUGIN_DIR"; then
	mkdir -p "$INSN_OUT"
	GUEST_APPEND="$append BENCH_MODE=insns" GUEST_SLUB_DEBUG= \
	GUEST_TIMEOUT=1800 TEST_TIMEOUT=1500 \
	GUEST_QEMU_ARGS="-plugin $PLUGIN_DIR/insncount.so,out=$INSN_OUT/marks" \
		"$ROOT"/tests/qemu/run.sh "$KVER" "$INSN_OUT" ../bench/guest-bench.sh
	grep '^RESULT ' "$INSN_OUT"/guest-bench.sh.log >>"$RAW" || true
	sed 's/^mark /RESULT all insn_mark /' "$INSN_OUT"/marks >>"$RAW" || true
else
	echo "RESULT all insns unavailable: no qemu-plugin.h" >>"$RAW"
fi
echo "bench: raw results in ${RAW#"$ROOT"/}"
python3 "$ROOT"/tests/bench/table.py "$RAW" "$KVER" >"$ROOT"/BENCHMARKS.md
cat "$ROOT"/BENCHMARKS.md
