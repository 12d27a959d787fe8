#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install from Debian everything the build and the tests need: the two
# supported kernels (image + headers), the guest harness and the test peers.
# Idempotent, and quick when everything is already there.
#
#   tests/install-deps.sh [--debug-kernel]
set -eu

KERNEL_61=linux-image-amd64
HEADERS_61=linux-headers-amd64
# PREEMPT_RT (6.1): catches sleeping in atomic context and lock-order
# mistakes that the standard kernel hides
KERNEL_RT=linux-image-rt-amd64
HEADERS_RT=linux-headers-rt-amd64
PKGS="build-essential clang pkg-config git kmod cpio xz-utils
	qemu-system-x86 busybox-static linux-source-6.1
	libnl-3-dev libnl-genl-3-dev libnetfilter-conntrack-dev
	dkms conntrack iproute2 nftables iperf3 socat tshark nfdump
	libfixbuf-tools pmacct fastnetmon python3 python3-yaml iputils-ping procps
	softflowd ulogd2 iptables libxtables-dev hping3 strace
	$KERNEL_61 $HEADERS_61 $KERNEL_RT $HEADERS_RT"
# `make check-debug` builds a kernel from linux-source-6.1 (tests/debug/)
if [ "${1-}" = --debug-kernel ]; then
	PKGS="$PKGS flex bison bc libelf-dev libssl-dev dwarves"
fi
BPO_PKGS="linux-image-amd64 linux-headers-amd64"
BPO_LIST=/etc/apt/sources.list.d/ctipfix-bookworm-backports.list

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed' || echo "$p"
	done
}

# bookworm-backports carries the 6.12 kernel. Both kernel sets are wanted, so
# the 6.1 image is pinned by its versioned name once backports is on.
have_bpo_kernel() {
	ls /lib/modules 2>/dev/null | grep -q '^6\.12\.'
}

have_61_kernel() {
	ls /lib/modules 2>/dev/null | grep -q '^6\.1\.'
}

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: must run as root" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer once.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections

todo=$(missing $PKGS)
if ! have_61_kernel || ! have_bpo_kernel || [ -n "$todo" ]; then
	if [ ! -e "$BPO_LIST" ]; then
		echo "deb http://deb.debian.org/debian bookworm-backports main" \
			>"$BPO_LIST"
	fi
	apt-get update -qq
	if [ -n "$todo" ] || ! have_61_kernel; then
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $PKGS $todo
	fi
	if ! have_bpo_kernel; then
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends \
			-t bookworm-backports $BPO_PKGS
	fi
fi
ls /lib/modules
