#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ipt-netflow.sh KVER: Debian's ipt_NETFLOW, built for the bench's guest
# kernel, into build/ipt-netflow/KVER/ (ipt_NETFLOW.ko and the iptables
# extensions under xtables/). The package is downloaded and unpacked, never
# installed: its DKMS hook would break installing kernels it cannot build
# for (Debian's 2.6 does not build for 6.12: asm/unaligned.h moved).
# Exits 1 with a message when it cannot be built.
set -eu
ROOT=$(realpath "$(dirname "$0")/../..")
KVER=${1:?usage: ipt-netflow.sh KVER}
OUT=$ROOT/build/ipt-netflow/$KVER
WORK=$ROOT/build/ipt-netflow/src

[ -s "$OUT"/ipt_NETFLOW.ko ] && exit 0
rm -rf "$WORK" "$OUT"
mkdir -p "$WORK" "$OUT"
(cd "$WORK" && apt-get download -q iptables-netflow-dkms >/dev/null 2>&1) || {
	echo "ipt-netflow: apt-get download iptables-netflow-dkms failed" >&2
	exit 1
}
dpkg-deb -x "$WORK"/iptables-netflow-dkms_*.deb "$WORK"/x
src=$(echo "$WORK"/x/usr/src/ipt-netflow-*)
(cd "$src" &&
 ./configure --kver="$KVER" --kdir=/lib/modules/"$KVER"/build \
	--disable-snmp-agent --disable-dkms \
	--ipt-bin=/usr/sbin/iptables-legacy >"$WORK"/configure.log 2>&1 &&
 make ipt_NETFLOW.ko >"$WORK"/make.log 2>&1) || {
	echo "ipt-netflow: does not build for $KVER; see $WORK/make.log" >&2
	exit 1
}
cp "$src"/ipt_NETFLOW.ko "$OUT"/
cp -r "$WORK"/x/usr/lib/x86_64-linux-gnu/xtables "$OUT"/
