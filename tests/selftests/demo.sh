#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`, guest side: a router exports its flows with ctipfix while
# traffic passes; nfcapd collects the IPFIX on loopback and nfdump (not our
# code) prints the flows.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

A=$CTIPFIX_ARTIFACTS/demo
mkdir -p "$A"/nfcapd

topology_up
router_short_timeouts
load_module active_timeout=3
bg nfcapd -w "$A"/nfcapd -b 127.0.0.1 -p 4739 -t 3600
"$CTIPFIXD" --foreground --collector 127.0.0.1:4739,format=biflow 2>/dev/null &
daemon=$!
defer kill $daemon
servers_start
traffic_mix
wait_until 60 bash -c "[ -z \"\$(ip netns exec $NS_R conntrack -L 2>/dev/null)\" ]"
sleep 3
"$CTIPFIXCTL" stats >"$A"/stats.txt
kill -TERM $daemon
wait $daemon
kill -TERM $pids
wait 2>/dev/null
pids=""
nfdump -R "$A"/nfcapd -o "fmt:%ts %td %pr %sap -> %dap %ipkt %ibyt %opkt %obyt" \
	>"$A"/flows.txt 2>&1
ksft_ok "demo ran"
ksft_exit
