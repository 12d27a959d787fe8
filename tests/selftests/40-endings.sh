#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Final records whatever kills the flow: `conntrack -F`, `conntrack -D`,
# deletion of the namespace, unload of the module. Each live flow gets
# exactly one final record with flowEndReason 4 (forced end), delivered to
# the running daemon; ipfixDump (libfixbuf) decodes what the collector got.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir endings

# open_flows N PORT: N live UDP flows client -> server, one datagram each
# way is enough for conntrack (default timeouts keep them alive)
open_flows() {
	local i
	for i in $(seq 1 "$1"); do
		echo "hello $i" | ip netns exec $NS_C \
			socat -T0.5 - UDP4:10.0.2.2:"$2",sourceport=$((41000 + i)) \
			>/dev/null 2>&1
	done
}

entries() {
	ip netns exec $NS_R conntrack -L 2>/dev/null | grep -c "dport=$1 "
}

forced_records() {
	ipfixDump --in "$A"/ipfix.bin 2>/dev/null |
		grep -cE 'flowEndReason : 4$'
}

topology_up
check "module loads" load_module
collector_start 4739 "$A"/ipfix.bin
daemon_run --collector 127.0.0.1:4739,format=biflow
bg ip netns exec $NS_S socat UDP4-RECVFROM:6001,fork SYSTEM:'echo reply'
bg ip netns exec $NS_S socat UDP4-RECVFROM:6002,fork SYSTEM:'echo reply'
wait_until 10 udp_bound $NS_S 6001
wait_until 10 udp_bound $NS_S 6002

open_flows 5 6001
check_eq "5 live entries before conntrack -F" "$(entries 6001)" 5
ip netns exec $NS_R conntrack -F 2>/dev/null
check "5 forced-end records after conntrack -F" \
	wait_until 20 prints 5 forced_records

open_flows 3 6002
check_eq "3 live entries before conntrack -D" "$(entries 6002)" 3
ip netns exec $NS_R conntrack -D -p udp --dport 6002 >/dev/null 2>&1
check "3 more forced-end records after conntrack -D" \
	wait_until 20 prints 8 forced_records

open_flows 4 6001
check_eq "4 live entries before the namespace goes" "$(entries 6001)" 4
ip netns pids $NS_R | xargs -r kill 2>/dev/null
ip netns del $NS_R
check "4 more forced-end records after netns deletion" \
	wait_until 20 prints 12 forced_records
check_eq "no flow left followed" "$(ctipfix_stat flows_live)" 0

# rebuild the router, leave flows alive, unload the module under them
topology_down
topology_up
bg ip netns exec $NS_S socat UDP4-RECVFROM:6003,fork SYSTEM:'echo reply'
wait_until 10 udp_bound $NS_S 6003
open_flows 6 6003
check_eq "6 live entries before unload" "$(entries 6003)" 6
check "rmmod with live flows" unload_module
check "6 more forced-end records after unload" \
	wait_until 20 prints 18 forced_records
check_eq "router entries survive the unload" "$(entries 6003)" 6
check "the router namespace can still be deleted" ip netns del $NS_R
kill -TERM $daemon
wait $daemon
check_eq "ctipfixd exits 0 after the module went" $? 0
ksft_exit
