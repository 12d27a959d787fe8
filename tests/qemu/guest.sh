#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the test guest: run each selftest named on the kernel command line
# and leave its TAP output, exit code and the kernel log in /mnt (the results
# share), then power off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp
export CTIPFIX_ROOT=$ctroot
export CTIPFIX_BUILD=$ctroot/build/$ctkver
export CTIPFIX_KO=$CTIPFIX_BUILD/kmod/ctipfix.ko
export CTIPFIX_ARTIFACTS=/mnt/artifacts
OUT=/mnt
TEST_TIMEOUT=${TEST_TIMEOUT:-600}

mount -t debugfs debugfs /sys/kernel/debug
mkdir -p "$CTIPFIX_ARTIFACTS"
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
ln -sf /proc/self/fd /dev/fd
mount -t tmpfs shm /dev/shm
ip link set lo up
echo "guest: kernel $(uname -r), tests: $cttests" >/dev/console

# a test is named relative to tests/selftests (../bench/guest-bench.sh too);
# its log and exit code are kept under its base name
for t in ${cttests//,/ }; do
	name=$(basename "$t")
	echo "guest: running $t" >/dev/console
	(cd "$ctroot"/tests/selftests &&
	 timeout -k 5 "$TEST_TIMEOUT" ./"$t" >"$OUT/$name.log" 2>&1)
	echo $? >"$OUT/$name.rc"
	echo "guest: $t exited $(cat "$OUT/$name.rc")" >/dev/console
done
dmesg >"$OUT"/dmesg.log

# Self-test of the harness: a module that WARNs on load must be caught by
# the host's dmesg check. It runs last so that it cannot taint the real run.
if insmod "$CTIPFIX_BUILD"/warn/ctipfix_warn_test.ko 2>"$OUT"/warn-insmod.log; then
	rmmod ctipfix_warn_test
fi
dmesg >"$OUT"/dmesg-warn.log
sync
echo "guest: done" >/dev/console
echo o >/proc/sysrq-trigger
sleep 10
