#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The export pipeline end to end: a router namespace forwards TCP, UDP and
# ICMP over IPv4 and IPv6 between a client and a server; ctipfix.ko follows
# the router's conntrack, ctipfixd sends the IPFIX to collectors on
# loopback, and independent decoders (tshark, nfdump, ipfixDump) must agree
# with conntrack's own account (`conntrack -E`, running all along, which also
# shows that ctnetlink listeners keep working beside the module).
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir pipeline nfcapd
pids=""


no_live_entries() {
	[ -z "$(ip netns exec $NS_R conntrack -L 2>/dev/null)" ]
}

no_live_flows() {
	"$CTIPFIXCTL" stats | grep -qE '^ +flows_live +0$'
}

topology_up
router_short_timeouts
check "module loads (active_timeout=3)" load_module active_timeout=3

# collectors first, then the ground truth, then the daemon
bg dumpcap -q -i lo -f "udp port 4739 or udp port 4740" -w "$A"/ipfix.pcap
bg nfcapd -w "$A"/nfcapd -b 127.0.0.1 -p 4739 -t 3600
collector_start 4740 "$A"/ipfix.bin
bg ip netns exec $NS_R conntrack -E -o extended,id,timestamp -e NEW,DESTROY \
	>"$A"/events.txt
check "capture running" wait_until 60 test -s "$A"/ipfix.pcap
daemon_run --collector 127.0.0.1:4739,format=biflow --collector 127.0.0.1:4740,format=biflow

# ctipfixctl stats --json: the running daemon's counters are JSON numbers,
# its collectors' addresses strings, in the order they were given, and it
# says it has the module
daemon_json_numbers() {
	"$CTIPFIXCTL" stats --json | python3 -c '
import json, sys
d = json.load(sys.stdin)["daemon"]
assert d["read_messages"] > 0, d
assert d["module"] == "attached", d
assert d["collector.0.address"] == "127.0.0.1:4739", d
assert d["collector.1.address"] == "127.0.0.1:4740", d
assert d["collector.0.format"] == "biflow", d
assert d["collector.0.state"] == "127.0.0.1:4739", d
text = ("address", "format", "last_error", "module", "state")
assert all(type(v) is int for k, v in d.items() if not k.endswith(text)), d
'
}

# --- traffic ---
servers_start
traffic_mix

# --- every flow dies (2 s timeouts), is reaped, and is exported ---
check "router conntrack table empties" wait_until 60 no_live_entries
check "module follows no flow any more" wait_until 30 no_live_flows
"$CTIPFIXCTL" flush	# the last message reaches the relay
check "the daemon sent what the module wrote" wait_until 10 daemon_caught_up
"$CTIPFIXCTL" stats >"$A"/stats.txt
check "stats --json: the daemon's counters as numbers" daemon_json_numbers
kill -TERM $daemon
wait $daemon
check_eq "ctipfixd exits 0 on SIGTERM" $? 0
sleep 1
# shellcheck disable=SC2086
kill -TERM $pids
wait 2>/dev/null
pids=""

# --- decode independently and compare with conntrack ---
# the daemon sent every message to both collectors: decode one copy
tshark -r "$A"/ipfix.pcap -d udp.port==4739,cflow -Y udp.dstport==4739 \
	-T json --no-duplicate-keys >"$A"/tshark.json 2>"$A"/tshark.err
nfdump -R "$A"/nfcapd -o csv -6 >"$A"/nfdump.csv 2>&1
nfdump -I -R "$A"/nfcapd >"$A"/nfdump-info.txt 2>&1
ipfixDump --in "$A"/ipfix.bin >"$A"/ipfixdump.txt 2>&1
ksft_verdicts python3 "$(dirname "$0")"/flowcheck.py "$A"
ksft_exit
