#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-dmesg.sh LOG...: fail (exit 1, printing the offending lines) if a
# kernel log shows a warning, a bug, an oops, a sleep in atomic context, a
# lockdep or refcount splat, a slab corruption that slub_debug found, or a
# taint other than out-of-tree/unsigned (O, E).
bad='WARNING:|BUG:|Oops|general protection fault|sleeping function called from invalid context'
bad="$bad|possible recursive locking|possible circular locking|inconsistent lock state"
bad="$bad|refcount_t:|kernel BUG|Kernel panic|UBSAN:|KASAN:|suspected memory leak|unreferenced object|hung_task|blocked for more than"
# slub_debug's reports: "BUG kmalloc-64 (Tainted: ...): Right Redzone
# overwritten", "Poison overwritten", "Object already free", ...
bad="$bad|BUG [^ ]+ \\(|Redzone overwritten|Poison overwritten|Padding overwritten"
bad="$bad|Object already free|Freepointer corrupt|Invalid object pointer|Objects remaining"
status=0
for log in "$@"; do
	if grep -E -n "$bad" "$log"; then
		status=1
	fi
	# "Tainted: G           OE     6.1.0 ..." lists taint letters; only O and E
	# (out-of-tree, unsigned) are expected for our module.
	if grep -E -o 'Tainted: [A-Z ]+' "$log" | sed 's/Tainted: //' |
	   tr -d ' GOE\n' | grep -q .; then
		grep -E -n 'Tainted:' "$log"
		status=1
	fi
done
exit $status
