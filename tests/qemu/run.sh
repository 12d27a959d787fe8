#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a Debian kernel in QEMU (TCG), with the host's / shared read-only over
# 9p, and run the kernel selftests in it.
#
#   tests/qemu/run.sh KVER OUTDIR [TEST...]
#
# The guest writes one TAP log per test, the exit codes and its dmesg into
# OUTDIR; the serial console goes to OUTDIR/console.log.
set -eu

KVER=$1
OUT=$(realpath -m "$2")
shift 2
TESTS="$*"
ROOT=$(realpath "$(dirname "$0")/../..")
CACHE=$ROOT/build/qemu/$KVER
GUEST_TIMEOUT=${GUEST_TIMEOUT:-1500}
# A Debian kernel boots from /boot with its modules in /lib/modules; the
# debug kernel of `make check-debug` (tests/debug/kernel.sh) keeps both in
# build/KVER/kernel, where guest.sh finds its modules too.
KIMAGE=/boot/vmlinuz-$KVER
MODBASE=/
if [ -f "$ROOT/build/$KVER/kernel/bzImage" ]; then
	KIMAGE=$ROOT/build/$KVER/kernel/bzImage
	MODBASE=$ROOT/build/$KVER/kernel
fi

# Modules the initramfs needs to reach the 9p shares, dependencies first.
want_modules() {
	local m dep
	for m in "$@"; do
		[ "$(modinfo -b "$MODBASE" -k "$KVER" -F filename "$m")" = "(builtin)" ] &&
			continue
		for dep in $(modinfo -b "$MODBASE" -k "$KVER" -F depends "$m" | tr , ' '); do
			want_modules "$dep"
		done
		echo "$m"
	done
}

build_initramfs() {
	local dir=$CACHE/initramfs m f rel

	rm -rf "$dir"
	mkdir -p "$dir"/bin "$dir"/lib "$dir"/proc "$dir"/sys "$dir"/dev
	cp /bin/busybox "$dir"/bin/
	for m in sh mount insmod mkdir switch_root cat echo; do
		ln -s busybox "$dir/bin/$m"
	done
	: >"$dir"/modules.order
	for m in $(want_modules virtio_pci 9pnet_virtio 9p | awk '!seen[$0]++'); do
		f=$(modinfo -b "$MODBASE" -k "$KVER" -F filename "$m")
		rel=$(basename "${f%.xz}")
		case "$f" in
		*.xz) xz -dc "$f" >"$dir/lib/$rel" ;;
		*) cp "$f" "$dir/lib/$rel" ;;
		esac
		echo "$rel" >>"$dir"/modules.order
	done
	install -m 0755 "$ROOT"/tests/qemu/initramfs-init "$dir"/init
	(cd "$dir" && find . | cpio -o -H newc --quiet) | gzip -1 \
		>"$CACHE"/initramfs.cpio.gz.new
	mv "$CACHE"/initramfs.cpio.gz.new "$CACHE"/initramfs.cpio.gz
}

mkdir -p "$CACHE" "$OUT"
if [ ! -s "$CACHE"/initramfs.cpio.gz ] ||
   [ "$ROOT"/tests/qemu/initramfs-init -nt "$CACHE"/initramfs.cpio.gz ] ||
   [ "$ROOT"/tests/qemu/run.sh -nt "$CACHE"/initramfs.cpio.gz ] ||
   [ "$KIMAGE" -nt "$CACHE"/initramfs.cpio.gz ]; then
	build_initramfs
fi
rm -rf "${OUT:?}"/*

# Guest settings reach guest.sh as environment variables: the kernel hands
# unknown name=value parameters to init.
cmdline="console=ttyS0 panic=-1 oops=panic loglevel=4 net.ifnames=0"
# slab_nomerge: our flow cache keeps its own slab, so a leak shows in its
# counts and kmem_cache_destroy() complains about it
cmdline="$cmdline slab_nomerge"
# slub_debug: sanity checks (F), red zones (Z) and poisoning (P) on every
# slab, so that a heap overflow or a write after free is reported in the
# kernel log, where the dmesg check fails the run. The bench boots without
# it (GUEST_SLUB_DEBUG empty): it slows every allocation and inflates
# every slab object, which the bench measures.
GUEST_SLUB_DEBUG=${GUEST_SLUB_DEBUG-FZP}
if [ -n "$GUEST_SLUB_DEBUG" ]; then
	cmdline="$cmdline slub_debug=$GUEST_SLUB_DEBUG"
fi
# The one trace event a selftest reads (30-knobs), enabled while the kernel
# boots: enabling it later patches kernel text under a running vCPU, which
# multi-threaded TCG does not always survive (see the int3 below). The
# guest stops the ring buffer; the test turns it on for as long as it looks.
cmdline="$cmdline trace_event=workqueue:workqueue_execute_start"
cmdline="$cmdline ctroot=$ROOT ctkver=$KVER TEST_TIMEOUT=${TEST_TIMEOUT:-600}"
cmdline="$cmdline cttests=$(echo "$TESTS" | tr ' ' ,)"
# GUEST_APPEND: more kernel parameters (the bench's clocksource)
cmdline="$cmdline ${GUEST_APPEND:-}"

# GUEST_SMP: the guest's vCPUs (check.sh gives the times test one);
# GUEST_QEMU_ARGS: more of QEMU's options, words (the bench's plugin)
boot_guest() {
	# shellcheck disable=SC2086
	set -- ${GUEST_QEMU_ARGS:-}
	timeout --foreground -k 10 "$GUEST_TIMEOUT" \
	qemu-system-x86_64 -accel tcg,thread=multi -cpu max \
	-smp "${GUEST_SMP:-2}" -m 3072 \
	-nographic -no-reboot -nodefaults -serial "file:$OUT/console.log" \
	-kernel "$KIMAGE" -initrd "$CACHE"/initramfs.cpio.gz \
	-append "$cmdline" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$ROOT",mount_tag=ctroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$OUT",mount_tag=out,security_model=none,multidevs=remap \
	-device virtio-rng-pci "$@" ||
		echo "qemu exited with status $?" >>"$OUT"/console.log
}

# Multi-threaded TCG now and then oopses on an int3 while the kernel patches
# its own text during boot, long before our module or any test. Such a boot
# is kept as console-boot-failed.log and tried once more; a guest that
# reached the harness is never retried.
boot_guest
if ! grep -aq "guest: kernel" "$OUT"/console.log; then
	echo "run.sh: $KVER died before the harness started; booting again" >&2
	mv "$OUT"/console.log "$OUT"/console-boot-failed.log
	boot_guest
fi

# The same int3 can hit a running guest: the kernel patches a static branch
# (a netfilter hook registered, say) while the other vCPU runs through it,
# and dies in that code (6.12-rt, ip_rcv, once). Only an int3 oops whose
# trace names no frame of our module is taken for it. That run is kept in
# OUTDIR/int3-failed/ and run once more; no other failure is ever retried.
tcg_int3_oops() {
	grep -aq "Oops: int3" "$OUT"/console.log &&
		! grep -aA60 "Oops: int3" "$OUT"/console.log | grep -aq "\[ctipfix"
}
if tcg_int3_oops; then
	echo "run.sh: $KVER hit TCG's int3 in patched kernel text; running again" >&2
	failed=$(mktemp -d)
	mv "$OUT"/* "$failed"/
	mv "$failed" "$OUT"/int3-failed
	boot_guest
fi
