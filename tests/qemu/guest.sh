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
# events enabled at boot (run.sh) are recorded only while a test asks
mount -t tracefs tracefs /sys/kernel/tracing
echo 0 >/sys/kernel/tracing/tracing_on
mkdir -p "$CTIPFIX_ARTIFACTS"
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
ln -sf /proc/self/fd /dev/fd
mount -t tmpfs shm /dev/shm
ip link set lo up
echo "guest: kernel $(uname -r), tests: $cttests" >/dev/console

# run_test TEST NAME: the test's exit code. One still there a minute after
# its timeout is stuck where no signal reaches it (in the kernel): the
# blocked tasks go to the kernel log, and it returns 125.
run_test() {
	local waited=0 pid

	(cd "$ctroot"/tests/selftests &&
	 exec timeout -k 5 "$TEST_TIMEOUT" ./"$1" >"$OUT/$2.log" 2>&1) &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		if [ $waited -ge $((TEST_TIMEOUT + 60)) ]; then
			echo "guest: $1 stuck for ${waited}s, blocked tasks:" >/dev/console
			echo w >/proc/sysrq-trigger
			return 125
		fi
		sleep 1
		waited=$((waited + 1))
	done
	wait $pid
}

# a test is named relative to tests/selftests (../bench/guest-bench.sh too);
# its log and exit code are kept under its base name
for t in ${cttests//,/ }; do
	name=$(basename "$t")
	echo "guest: running $t" >/dev/console
	run_test "$t" "$name"
	rc=$?
	echo $rc >"$OUT/$name.rc"
	echo "guest: $t exited $rc" >/dev/console
	# what it left stuck (the module, say) would fail every later test
	[ $rc = 125 ] && break
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
