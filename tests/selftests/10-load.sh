#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module loads and unloads cleanly, with its knobs, relay file and
# netlink family in place while loaded, and nothing left behind after.
source "$(dirname "$0")"/lib.sh

# ctipfixctl's --json output parses, and says what the knobs say
json_config_matches_knobs() {
	"$CTIPFIXCTL" config --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(d["active_timeout"] != int(sys.argv[1]) or
         d["max_msg_size"] != int(sys.argv[2]))' \
		"$(cat $PARAMS/active_timeout)" "$(cat $PARAMS/max_msg_size)"
}

# A reader that opens data0 over and over, as ctipfixd does while it waits
# for the module, meets the file from the moment relay creates it: before
# the channel is whole, it must be told to come back (ENODEV).
loads_while_a_reader_opens() {
	local opener i

	bash -c "while :; do : < $RELAY; done" 2>/dev/null &
	opener=$!
	for ((i = 0; i < 5; i++)); do
		load_module && unload_module || break
	done
	kill "$opener"
	wait "$opener" 2>/dev/null
	[ "$i" = 5 ]
}

json_stats_has_counters() {
	"$CTIPFIXCTL" stats --json | python3 -c '
import json, sys
m = json.load(sys.stdin)["module"]
sys.exit(not all(isinstance(m.get(k), int)
                 for k in ("flows_live", "records_dropped", "scan_ns")))'
}

check "insmod ctipfix.ko" load_module
check "/sys/module/ctipfix exists" test -d /sys/module/ctipfix
check_eq "active_timeout default" "$(cat $PARAMS/active_timeout)" 60
check_eq "template_refresh default" "$(cat $PARAMS/template_refresh)" 60
check_eq "max_msg_size default" "$(cat $PARAMS/max_msg_size)" 1400
check_eq "flush_interval_ms default" "$(cat $PARAMS/flush_interval_ms)" 500
check_eq "relay file is 0400" "$(stat -c %a $RELAY)" 400
check "netlink family answers" "$CTIPFIXCTL" config
check "config --json parses and matches the knobs" json_config_matches_knobs
check "stats --json parses and has the module counters" json_stats_has_counters
check "rmmod ctipfix" unload_module
check "/sys/module/ctipfix gone" test ! -e /sys/module/ctipfix
check "relay dir gone" test ! -e /sys/kernel/debug/ctipfix
check "insmod again" load_module active_timeout=5
check_eq "load-time knob applied" "$(cat $PARAMS/active_timeout)" 5
check "rmmod again" unload_module
check "5 loads while a reader opens the relay file in a loop" \
	loads_while_a_reader_opens
check "insmod refuses max_msg_size > subbuf_size" \
	bash -c "! insmod $CTIPFIX_KO subbuf_size=4096 max_msg_size=8192"
check "module not left loaded" test ! -e /sys/module/ctipfix
ksft_exit
