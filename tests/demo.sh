#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh KVER: boot the guest, let a small router export its flows and
# print them as nfdump decoded them from the IPFIX on the wire.
set -eu
ROOT=$(realpath "$(dirname "$0")/..")
OUT=$ROOT/build/demo
"$ROOT"/tests/qemu/run.sh "$1" "$OUT" demo.sh
echo "Flows exported by ctipfix from the router namespace (kernel $1),"
echo "as nfdump decoded them (In = client to server, Out = reply):"
echo
cat "$OUT"/artifacts/demo/flows.txt
echo
cat "$OUT"/artifacts/demo/stats.txt
