#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl --strict on kmod/ and include/, one TAP point per file.
# checkpatch comes from Debian's linux-source, extracted once into build/.
# Then the netlink family's spec against the code written from it
# (tests/ynl_check.py).
set -u
ROOT=$(realpath "$(dirname "$0")/..")
KSRC=$("$ROOT"/tests/ksource.sh) || exit 1
n=0
fail=0
echo "TAP version 13"
# our sources only, not what kbuild generates beside them (*.mod.c)
for f in "$ROOT"/kmod/*.[ch] "$ROOT"/kmod/Kbuild "$ROOT"/include/*.h \
	"$ROOT"/include/uapi/linux/*.h; do
	case "$f" in *.mod.c) continue ;; esac
	n=$((n + 1))
	ignore=FILE_PATH_CHANGES
	# relay.c edits a copy of relay's fops (no .mmap: lockdown) on purpose
	[ "${f##*/}" = relay.c ] && ignore=$ignore,CONST_STRUCT
	# params.c's CTIPFIX_KNOB() names its knob in each declaration it
	# makes: an identifier, never an expression evaluated twice
	[ "${f##*/}" = params.c ] && ignore=$ignore,MACRO_ARG_REUSE
	if out=$(perl "$KSRC"/scripts/checkpatch.pl --strict --no-tree \
		--terse --file "$f" --ignore "$ignore" 2>&1); then
		echo "ok $n checkpatch ${f#"$ROOT"/}"
	else
		fail=1
		echo "not ok $n checkpatch ${f#"$ROOT"/}"
		echo "$out" | sed 's/^/# /'
	fi
done
n=$((n + 1))
if out=$(python3 "$ROOT"/tests/ynl_check.py "$ROOT" 2>&1); then
	echo "ok $n include/uapi/linux/ctipfix.yaml agrees with the header, kmod/netlink.c and ctipfix_nl.c"
else
	fail=1
	echo "not ok $n include/uapi/linux/ctipfix.yaml agrees with the header, kmod/netlink.c and ctipfix_nl.c"
	echo "$out" | sed 's/^/# /'
fi
echo "1..$n"
exit $fail
