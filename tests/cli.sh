#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The command-line tools against bad input, on the host (no module there):
# bad collector addresses and ports, unknown options and commands give a
# clear message and exit 2; a missing module gives a message and exit 1.
# TAP output.
set -u
ROOT=$(realpath "$(dirname "$0")/..")
CTIPFIXD=$ROOT/userspace/ctipfixd/ctipfixd
CTIPFIXCTL=$ROOT/userspace/ctipfixctl/ctipfixctl
ERR=$(mktemp)
trap 'rm -f "$ERR"' EXIT
n=0
failed=0

echo "TAP version 13"

# expect RC PATTERN DESC COMMAND...: exit status RC, stderr matching PATTERN
expect() {
	local want=$1 pattern=$2 desc=$3 rc
	shift 3
	timeout 10 "$@" >/dev/null 2>"$ERR"
	rc=$?
	n=$((n + 1))
	if [ "$rc" = "$want" ] && { [ -z "$pattern" ] || grep -qiE "$pattern" "$ERR"; }; then
		echo "ok $n $desc"
	else
		failed=$((failed + 1))
		echo "not ok $n $desc (exit $rc, stderr: $(head -c 200 "$ERR"))"
	fi
}

for bad in 192.0.2.1: 192.0.2.1:0 192.0.2.1:65536 192.0.2.1:abc \
	   192.0.2.1:-5 "[2001:db8::1" "2001:db8::1:4739" 300.1.1.1:4739 ""; do
	expect 2 "collector" "ctipfixd refuses --collector '$bad'" \
		"$CTIPFIXD" --foreground --collector "$bad"
done
expect 2 "not an IP address" "ctipfixd refuses a bracketed host that is no IPv6 address" \
	"$CTIPFIXD" --foreground --collector "[collector.example]:4739"
# a name that does not resolve now may later (DNS not up yet at boot):
# it is looked up again, not refused (the guest's 71-names shows that)
expect 1 "ctipfix.ko loaded" "ctipfixd takes a collector name it cannot resolve yet" \
	"$CTIPFIXD" --foreground --collector no-such-host.invalid:4739
for bad in -1 x 86401 "" " 5"; do
	expect 2 "lookup interval" "ctipfixd refuses --lookup-interval '$bad'" \
		"$CTIPFIXD" --foreground --lookup-interval "$bad"
done
expect 1 "ctipfix.ko loaded" "--lookup-interval 0 is accepted" \
	"$CTIPFIXD" --foreground --lookup-interval 0
for bad in 0 63 65537 x -64 ""; do
	expect 2 "bad queue" "ctipfixd refuses --queue '$bad'" \
		"$CTIPFIXD" --foreground --queue "$bad"
done
for good in 64 65536; do
	expect 1 "ctipfix.ko loaded" "--queue $good is accepted" \
		"$CTIPFIXD" --foreground --queue $good
done
expect 2 "usage|unrecognized|invalid" "ctipfixd refuses an unknown option" \
	"$CTIPFIXD" --bogus
expect 2 "unexpected argument" "ctipfixd refuses a stray argument" \
	"$CTIPFIXD" --foreground stray
expect 2 "collector" "ctipfixd refuses --collector without a value" \
	"$CTIPFIXD" --foreground --collector
expect 1 "ctipfix.ko loaded" "ctipfixd without the module says so, exit 1" \
	"$CTIPFIXD" --foreground --collector 127.0.0.1:4739
expect 1 "ctipfix.ko loaded" "a collector without a port means 4739" \
	"$CTIPFIXD" --foreground --collector 192.0.2.1
expect 1 "ctipfix.ko loaded" "an IPv6 collector in brackets is accepted" \
	"$CTIPFIXD" --foreground --collector "[2001:db8::1]:4739"
for bad in rate= rate=x rate=-1 rate=+5 "rate= 5" rate=1000001 format=v9 speed=5; do
	expect 2 "unknown option '(rate|format|speed)=" \
		"ctipfixd refuses a collector's $bad" \
		"$CTIPFIXD" --foreground --collector "127.0.0.1:4739,$bad"
done
expect 2 "longer than" "ctipfixd refuses a collector spec it would cut short" \
	"$CTIPFIXD" --foreground --collector "127.0.0.1:4739,rate=1000$(printf '%0300d' 0)"
expect 1 "ctipfix.ko loaded" "a collector's own rate=0 and format are accepted" \
	"$CTIPFIXD" --foreground --collector "127.0.0.1:4739,rate=0,format=standard"
expect 0 "" "ctipfixd --help exits 0" "$CTIPFIXD" --help

expect 2 "unknown command" "ctipfixctl refuses an unknown command" \
	"$CTIPFIXCTL" frobnicate
expect 2 "unknown option" "ctipfixctl refuses an unknown option" \
	"$CTIPFIXCTL" stats --bogus
expect 2 "usage" "ctipfixctl without a command shows usage, exit 2" \
	"$CTIPFIXCTL"
expect 0 "" "ctipfixctl --help exits 0" "$CTIPFIXCTL" --help
expect 1 "ctipfix" "ctipfixctl stats without the module says so, exit 1" \
	"$CTIPFIXCTL" stats
expect 1 "ctipfix" "ctipfixctl flush without the module says so, exit 1" \
	"$CTIPFIXCTL" flush

echo "1..$n"
[ "$failed" = 0 ]
