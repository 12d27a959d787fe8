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
# A test's files (captures, collectors' output) are written to the guest's
# tmpfs, and moved to the results share once it ends: a write to the 9p
# share waits for the host, and a collector that waits for a host busy
# with another guest lets its receive buffer overflow.
export CTIPFIX_ARTIFACTS=/tmp/artifacts
SHARED_ARTIFACTS=/mnt/artifacts
OUT=/mnt
TEST_TIMEOUT=${TEST_TIMEOUT:-600}

mount -t debugfs debugfs /sys/kernel/debug
# the debug kernel's modules live in the build tree, not in the host's /lib
if [ -d "$CTIPFIX_BUILD"/kernel/lib/modules ]; then
	mount --bind "$CTIPFIX_BUILD"/kernel/lib/modules /lib/modules
fi
# kmemleak (the debug kernel): what boot left is not ours; the tests' leaks
# are scanned for after them
KMEMLEAK=/sys/kernel/debug/kmemleak
[ -e $KMEMLEAK ] && echo clear >$KMEMLEAK
# events enabled at boot (run.sh) are recorded only while a test asks
mount -t tracefs tracefs /sys/kernel/tracing
echo 0 >/sys/kernel/tracing/tracing_on
mkdir -p "$CTIPFIX_ARTIFACTS" "$SHARED_ARTIFACTS"
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
ln -sf /proc/self/fd /dev/fd
mount -t tmpfs shm /dev/shm
ip link set lo up

# Multi-threaded TCG does not always survive the kernel patching its own
# text while another vCPU runs through it: an int3 oops (run.sh runs such
# a guest again, at the cost of all its tests). A static key is patched
# each time its first user comes or its last goes: a socket that asks for
# timestamps (ping, dumpcap) flips netstamp_needed_key, which every packet
# received tests (seen: netif_rx_internal, 6.12), and the first netfilter
# hook of its family and kind anywhere flips nf_hooks_needed (seen:
# ip_rcv, 6.12-rt). Both are held on for the guest's life: a socket with
# SO_TIMESTAMP, and a table of IPv4 and IPv6 base chains at every hook
# of the initial namespace, with no rule: they change no verdict and
# switch no conntrack on.
# (SO_TIMESTAMP is 29 on x86; Python's socket module does not name it)
python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 29, 1)
print("guest: timestamps held on", flush=True)
time.sleep(1 << 30)' >/dev/console 2>&1 &
{
	echo "add table inet guest_keys"
	for hook in prerouting input forward output postrouting; do
		echo "add chain inet guest_keys $hook" \
			"{ type filter hook $hook priority 0; }"
	done
} | nft -f - || echo "guest: netfilter hooks not held on" >/dev/console

echo "guest: kernel $(uname -r), tests: $cttests" >/dev/console

# stuck_where: every user task, with where it waits in the kernel (its
# wchan), so that a test killed at its timeout says what it waited for
stuck_where() {
	ps -e -o pid,ppid,pgid,stat,wchan:32,etimes,args |
		awk 'NR == 1 || ($1 != 2 && $2 != 2)'
}

# after_timeout: what a test killed at its timeout left behind (namespaces,
# the module, its daemons outside its process group) would fail the next
# tests too: gone, so that they fail only on their own account
after_timeout() {
	local ns

	pkill -KILL -x ctipfixd
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL
		ip netns delete "$ns"
	done
	rmmod ctipfix 2>/dev/null
	true
}

# run_test TEST NAME: the test's exit code. One still there a minute after
# its timeout is stuck where no signal reaches it (in the kernel): the
# blocked tasks go to the kernel log, and it returns 125.
run_test() {
	local waited=0 pid

	(cd "$ctroot"/tests/selftests &&
	 KSFT_TIMES=$OUT/$2.times exec timeout -k 5 "$TEST_TIMEOUT" ./"$1" >"$OUT/$2.log" 2>&1) &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		# just before its timeout: where each of its tasks waits
		[ $waited = $((TEST_TIMEOUT - 5)) ] && stuck_where >"$OUT/$2.stuck"
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
	started=$(date +%s)
	run_test "$t" "$name"
	rc=$?
	echo $(($(date +%s) - started)) >"$OUT/$name.secs"
	echo $rc >"$OUT/$name.rc"
	echo "guest: $t exited $rc" >/dev/console
	# what a test killed at its timeout left running stops first, so
	# that its files are whole when they are moved
	[ $rc = 124 ] || [ $rc = 137 ] && after_timeout
	cp -a "$CTIPFIX_ARTIFACTS"/. "$SHARED_ARTIFACTS"/ &&
		rm -rf "${CTIPFIX_ARTIFACTS:?}"/*
	# what it left stuck (the module, say) would fail every later test
	[ $rc = 125 ] && break
done
# A leak is reported once it has gone unreferenced through a scan and is
# older than five seconds: two scans apart, as kmemleak's documentation does.
if [ -e $KMEMLEAK ]; then
	echo scan >$KMEMLEAK
	sleep 6
	echo scan >$KMEMLEAK
	cat $KMEMLEAK >"$OUT"/kmemleak.log
fi
dmesg >"$OUT"/dmesg.log

# Self-tests of the harness, last so that they cannot taint the real run:
# a module that WARNs on load, and one that writes past a kmalloc buffer,
# must each be caught by the host's dmesg check (the overrun through
# slub_debug's red zones). Each gets the log from its own insmod on.
selftest_module() {
	local n

	n=$(dmesg | wc -l)
	if insmod "$CTIPFIX_BUILD/warn/$1.ko" 2>>"$OUT"/warn-insmod.log; then
		rmmod "$1"
	fi
	# a red zone is checked when the object is freed: by then it is
	dmesg | tail -n +$((n + 1)) >"$OUT/$2"
}
# the console from here on is theirs, not the real run's (check.sh)
echo "guest: harness self-tests" >/dev/console
selftest_module ctipfix_warn_test dmesg-warn.log
selftest_module ctipfix_overrun_test dmesg-overrun.log
sync
echo "guest: done" >/dev/console
echo o >/proc/sysrq-trigger
sleep 10
