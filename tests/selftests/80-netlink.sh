#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad netlink requests and unprivileged users: the kselftest program
# netlink_test sends malformed and unknown requests (each must get an error
# reply) and tries admin operations as nobody (EPERM). Then, as nobody: the
# relay file cannot be read, knobs cannot be written, ctipfixctl flush is
# refused with a clear message. The module keeps working throughout.
source "$(dirname "$0")"/lib.sh

NETLINK_TEST=$CTIPFIX_ROOT/build/selftests/netlink_test

nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}

check "module loads" load_module
if "$NETLINK_TEST" >"$CTIPFIX_ARTIFACTS"/netlink_test.log 2>&1; then
	ksft_ok "netlink_test: all cases pass"
else
	ksft_not_ok "netlink_test: some case failed"
fi
# each of the program's own test points, as ours
sed -n 's/^\(not \)\{0,1\}ok [0-9]* \(.*\)$/\1ok \2/p' \
	"$CTIPFIX_ARTIFACTS"/netlink_test.log >"$CTIPFIX_ARTIFACTS"/netlink_points
while read -r line; do
	case $line in
	"not ok "*) ksft_not_ok "netlink_test ${line#not ok }" ;;
	"ok "*) ksft_ok "netlink_test ${line#ok }" ;;
	esac
done <"$CTIPFIX_ARTIFACTS"/netlink_points
check_eq "netlink_test ran its 21 cases" \
	"$(wc -l <"$CTIPFIX_ARTIFACTS"/netlink_points)" 21

chmod 755 /sys/kernel/debug	# let nobody reach the file itself
check "nobody cannot open the relay file" \
	bash -c "! setpriv --reuid=65534 --regid=65534 --clear-groups -- cat $RELAY >/dev/null 2>&1"
chmod 700 /sys/kernel/debug
check "nobody cannot write a knob" \
	bash -c "! setpriv --reuid=65534 --regid=65534 --clear-groups -- sh -c 'echo 5 > $PARAMS/active_timeout' 2>/dev/null"
check_eq "the knob kept its value" "$(cat "$PARAMS"/active_timeout)" 60
nobody "$CTIPFIXCTL" flush 2>"$CTIPFIX_ARTIFACTS"/ctl_flush.err
rc=$?
check "ctipfixctl flush as nobody fails" test $rc -ne 0
check "... saying why" grep -qi "permit" "$CTIPFIX_ARTIFACTS"/ctl_flush.err
check "nobody may read the statistics" nobody "$CTIPFIXCTL" stats
check "the module still answers root" "$CTIPFIXCTL" flush
check "unload" unload_module
ksft_exit
