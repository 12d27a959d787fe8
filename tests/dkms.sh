#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.sh KVER...: `dkms add` + `dkms build` of this tree for each kernel,
# in a private DKMS tree so that the machine's own DKMS state is untouched.
set -u
ROOT=$(realpath "$(dirname "$0")/..")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$ROOT"/dkms.conf)
SRC=$WORK/src/ctipfix-$VERSION
n=0
rc=0

echo "TAP version 13"
mkdir -p "$SRC"/kmod "$WORK/tree"
# what a DKMS source package ships: the module and the shared header
cp -r "$ROOT"/Kbuild "$ROOT"/dkms.conf "$ROOT"/include "$SRC"/
cp "$ROOT"/kmod/*.[ch] "$ROOT"/kmod/Kbuild "$SRC"/kmod/
DKMS="dkms --dkmstree $WORK/tree --sourcetree $WORK/src"

n=$((n + 1))
if $DKMS add -m ctipfix -v "$VERSION" >"$WORK/add.log" 2>&1; then
	echo "ok $n dkms add"
else
	echo "not ok $n dkms add"; sed 's/^/# /' "$WORK/add.log"; rc=1
fi
for kver in "$@"; do
	n=$((n + 1))
	ko=$WORK/tree/ctipfix/$VERSION/$kver/x86_64/module/ctipfix.ko
	if $DKMS build -m ctipfix -v "$VERSION" -k "$kver" \
		>"$WORK/build.log" 2>&1 && ls "$ko"* >/dev/null 2>&1; then
		echo "ok $n dkms build for $kver"
	else
		echo "not ok $n dkms build for $kver"
		sed 's/^/# /' "$WORK/build.log"
		cat "$WORK"/tree/ctipfix/"$VERSION"/build/make.log 2>/dev/null |
			sed 's/^/# /'
		rc=1
	fi
done
echo "1..$n"
exit $rc
