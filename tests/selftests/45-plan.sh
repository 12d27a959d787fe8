#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The pass plans each bucket's next look, so that it need not look at every
# flow every time; the plan must not make it late. With 20 000 flows and a
# sweep too slow to find them (100 flows a second), interim records come
# only through the plan: none before active_timeout, and when active_timeout
# is lowered at runtime, one per flow within a few passes (the buckets are
# replanned). Then each flow's final record, and nothing more.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir plan
FLOWS=20000

stat_is_at_least() {
	[ "$(ctipfix_stat "$1")" -ge "$2" ]
}

modprobe nf_conntrack
topology_up
router_udp_timeout 600
# active_timeout far beyond the burst, however slow the machine
check "module loads (active_timeout=300, sweep_rate=100)" \
	load_module active_timeout=300 sweep_rate=100
bg ip netns exec $NS_S $UDPFLOWS serve 5300
wait_until 10 udp_bound $NS_S 5300

ip netns exec $NS_C $UDPFLOWS burst 10.0.2.2 5300 10000 $FLOWS "$A"/opened
check_eq "the generator opened $FLOWS flows" "$(wc -l <"$A"/opened)" $FLOWS
check "ctipfix follows them all" \
	wait_until 5 stat_is_at_least flows_live $FLOWS
sleep 4
check_eq "no interim record before active_timeout" \
	"$(ctipfix_stat records_interim)" 0

start=$SECONDS
echo 5 >/sys/module/ctipfix/parameters/active_timeout
check "active_timeout lowered to 5 s: every flow reports within 8 s" \
	wait_until 8 stat_is_at_least records_interim $FLOWS
echo "# $(ctipfix_stat records_interim) interim records" \
	"$((SECONDS - start)) s after the change"
sleep 6
check_eq "one interim record per flow, none for flows idle since" \
	"$(ctipfix_stat records_interim)" $FLOWS

ip netns exec $NS_R conntrack -F >/dev/null 2>&1
check "all end at once and leave the module" wait_until 10 ctipfix_settled
check_eq "one final record per flow" "$(ctipfix_stat records_final)" $FLOWS
check_eq "nothing dropped" "$(ctipfix_stat records_dropped)" 0
ksft_exit
