#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug kernel of `make check-debug` from Debian's linux-source-6.1
# (KASAN, lockdep, atomic-sleep checks, kmemleak; guest.config), once, and
# print its release. The tree, the objects and the modules stay in
# build/debug-kernel/; nothing is installed on the host.
#
# The harness finds it by its release: build/RELEASE/kernel/bzImage and
# build/RELEASE/kernel/lib/modules/RELEASE (tests/qemu/run.sh, guest.sh),
# and the module builds against build/RELEASE/kernel/obj.
set -eu
ROOT=$(realpath "$(dirname "$0")/../..")
SRC=$("$ROOT"/tests/ksource.sh --all)
FRAGMENT=$ROOT/tests/debug/guest.config
LOCALVERSION=-ctipfix-debug
release=$(make -s -C "$SRC" LOCALVERSION=$LOCALVERSION kernelversion)$LOCALVERSION
KDIR=$ROOT/build/$release/kernel
OBJ=$KDIR/obj
if [ -f "$KDIR/.stamp" ] && [ "$KDIR/.stamp" -nt "$FRAGMENT" ]; then
	echo "$release"
	exit 0
fi

kmake() {
	make -C "$SRC" O="$OBJ" LOCALVERSION=$LOCALVERSION "$@"
}

build() {
	local missing

	mkdir -p "$OBJ"
	kmake x86_64_defconfig kvm_guest.config
	"$SRC"/scripts/kconfig/merge_config.sh -m -O "$OBJ" "$OBJ"/.config "$FRAGMENT"
	kmake olddefconfig
	# what the fragment asks and the tree could not give
	missing=$(grep -E '^CONFIG_.*=[ym]' "$FRAGMENT" | while read -r line; do
		grep -qx "$line" "$OBJ"/.config || echo "$line"
	done)
	if [ -n "$missing" ]; then
		echo "debug kernel: not in the config: $missing"
		return 1
	fi
	kmake -j"$(nproc)" bzImage modules
	rm -rf "$KDIR"/lib
	kmake INSTALL_MOD_PATH="$KDIR" modules_install
	cp "$OBJ"/arch/x86/boot/bzImage "$KDIR"/bzImage
}

LOG=$ROOT/build/debug-kernel/build.log
echo "debug kernel: building $release (log in $LOG)" >&2
# set -e does not reach into a function called as a condition, so the
# subshell is not one
set +e
(set -e; build) >"$LOG" 2>&1
rc=$?
set -e
if [ $rc -ne 0 ]; then
	tail -30 "$LOG" >&2
	exit 1
fi
[ "$(cat "$OBJ"/include/config/kernel.release)" = "$release" ]
touch "$KDIR/.stamp"
echo "$release"
