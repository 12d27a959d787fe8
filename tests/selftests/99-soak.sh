#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The soak: a steady new-flow rate through the router while the faults are
# injected one after another, one fault per segment of traffic. Each segment
# opens its flows from its own range of source ports, so the generator's
# list of what it opened is the ground truth for that fault:
#
#   0 nothing              5 nf_conntrack_netlink unloaded and reloaded
#   1 ctipfixd SIGKILLed,     with conntrack -E listening
#     back 5 s later       6 ctipfix unloaded and reloaded
#   2 ctipfixd SIGTERMed   7 the conntrack table full (nf_conntrack_max)
#   3 a collector restarted 8 the router namespace deleted
#   4 conntrack -F
#
# At the end, for what an independent collector received (decoded by
# libfixbuf's ipfixDump): every flow opened in segments 0-6 has a final
# record, and the only flows with two are the ones the reload found alive
# (flows_adopted).
# In segments 7 and 8 conntrack itself refuses or never sees some requests:
# there, every flow that got its reply has a final record, no flow has two,
# and every flow without a record is one that conntrack counted as dropped.
# Nothing is dropped by ctipfix in either module lifetime, by its counters
# and by the in-band statistics.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir soak
RATE=40		# new flows a second
SEGMENT=320	# flows a segment: 8 s
SEGMENTS=9

first_port() {
	echo $((20000 + $1 * 1000))
}

last_port() {
	echo $((20000 + $1 * 1000 + SEGMENT - 1))
}

# segment K: the segment's flows in the background, pid in $gen
segment() {
	ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 "$(first_port "$1")" \
		$SEGMENT $RATE "$A"/opened$1 &
	gen=$!
}

start_daemon() {
	daemon_run --collector 127.0.0.1:4739,format=biflow --collector 127.0.0.1:4741,format=biflow
}

start_listener() {
	ip netns exec $NS_R conntrack -E -o id >>"$A"/events 2>&1 &
	listener=$!
	defer kill $listener
}

start_late_collector() {
	socat -u UDP-RECV:4741,bind=127.0.0.1 OPEN:"$A"/late$1.bin,creat &
	late=$!
	defer kill $late
}

late_decodes() {
	[ "$(ipfixDump --in "$A"/late$1.bin 2>/dev/null |
	     grep -c -- '--- data record')" -ge 1 ]
}

# finals K: the source ports of segment K's final records, one per record
finals() {
	awk -v lo="$(first_port "$1")" -v hi="$(last_port "$1")" \
		'$1 >= lo && $1 <= hi' "$A"/finals
}

# every_flow K: segment K's flows opened, each with a final record
every_flow() {
	cmp -s <(finals "$1" | uniq) <(sort -n "$A"/opened$1)
}

# replied_final K: each of segment K's flows that got a reply has a final
# record (in "$A"/gotK, written here)
replied_final() {
	finals "$1" | uniq >"$A"/got$1
	[ -z "$(comm -23 <(sort -n "$A"/opened$1.replied) "$A"/got$1)" ]
}

# bounded K: what got a reply <= what has a final record <= what was opened
bounded() {
	replied_final "$1" &&
		[ -z "$(comm -13 <(sort -n "$A"/opened$1) "$A"/got$1)" ]
}

# segments_complete: in the collector's file as it is now ("$A"/finals),
# segments 0 to 6 each have every flow's final record, and 7 and 8 each
# flow's that got a reply (8's came last)
segments_complete() {
	local k

	final_sports "$A"/ipfix.bin "$(first_port 0)" \
		"$(last_port $((SEGMENTS - 1)))" >"$A"/finals
	for k in 0 1 2 3 4 5 6; do
		every_flow $k || return 1
	done
	replied_final 7 && replied_final 8
}

twice() {
	finals "$1" | uniq -d | wc -l
}

# in-band statistics: the largest notSentFlowTotalCount ever reported
inband_not_sent() {
	ipfixDump --in "$A"/ipfix.bin 2>/dev/null |
		awk '/ notSentFlowTotalCount :/ { if ($NF > m) m = $NF }
		     END { print m + 0 }'
}

inband_reports() {
	ipfixDump --in "$A"/ipfix.bin 2>/dev/null |
		grep -c ' notSentFlowTotalCount :'
}

topology_up
router_short_timeouts
check "module loads" load_module template_refresh=2 stats_interval=5
collector_start 4739 "$A"/ipfix.bin
bg ip netns exec $NS_S $UDPFLOWS serve 5300
check "the server is up" wait_until 10 udp_bound $NS_S 5300
start_daemon
start_late_collector 0
start_listener
sleep 1

segment 0
wait $gen

segment 1
sleep 3
kill -KILL $daemon
wait $daemon 2>/dev/null
sleep 5
start_daemon
wait $gen

segment 2
sleep 3
kill -TERM $daemon
wait $daemon
check_eq "SIGTERM: ctipfixd drains and exits 0" $? 0
sleep 1
start_daemon
wait $gen

segment 3
sleep 2
kill $late
wait $late 2>/dev/null
sleep 2
start_late_collector 1
check "the restarted collector decodes records within template_refresh" \
	wait_until 6 late_decodes 1
wait $gen

segment 4
sleep 3
ip netns exec $NS_R conntrack -F >/dev/null 2>&1
wait $gen

segment 5
sleep 3
kill $listener
wait $listener 2>/dev/null
check "nf_conntrack_netlink unloads under traffic" rmmod nf_conntrack_netlink
check "nf_conntrack_netlink loads again" modprobe nf_conntrack_netlink
start_listener
wait $gen

# Flows that come and go while no module is loaded are seen by neither,
# and a reload takes seconds on a slow guest: segment 6's flows live 10 s.
router_udp_timeout 10
segment 6
sleep 3
dropped1=$(ctipfix_stat records_dropped)
check "ctipfix unloads under traffic" unload_module
check "ctipfix loads again" load_module template_refresh=2 stats_interval=5
wait $gen
adopted=$(ctipfix_stat flows_adopted)
router_short_timeouts
# segment 7 counts what conntrack refuses: segment 6's entries go first
router_table_empty() {
	[ "$(router_ct_count)" = 0 ]
}
check "segment 6's entries have ended" wait_until 30 router_table_empty

drop0=$(router_ct_stat drop)
early0=$(router_ct_stat early_drop)
sysctl -qw net.netfilter.nf_conntrack_max=40
segment 7
wait $gen
sysctl -qw net.netfilter.nf_conntrack_max=262144
ct_refused=$(($(router_ct_stat drop) - drop0))
ct_evicted=$(($(router_ct_stat early_drop) - early0))

segment 8
sleep 3
ip netns pids $NS_R | xargs -r kill 2>/dev/null
check "the router namespace deletes under traffic" \
	timeout 60 ip netns del $NS_R
wait $gen
check "no flow followed any more" wait_until 30 ctipfix_settled
# the last datagrams reach the collector; "$A"/finals is what it holds
# (the generator's flows: a reply that conntrack -F left without its
# entry starts a flow of its own, from the server's port, and has its
# record too)
wait_until 30 segments_complete
dropped2=$(ctipfix_stat records_dropped)

opened=0
for k in $(seq 0 $((SEGMENTS - 1))); do
	opened=$((opened + $(wc -l <"$A"/opened$k)))
done
for k in 0 1 2 3 4 5 6; do
	check "segment $k: every flow opened has a final record" every_flow $k
done
for k in 0 1 2 3 4 5; do
	check_eq "segment $k: no flow has two" "$(twice $k)" 0
done
check "the reload found flows alive ($adopted)" test "$adopted" -ge 1
# a flow alive across the reload has two final records, the forced end and
# its end after adoption; flows born while the module was out are adopted
# too, but have one
check "segment 6: flows with two final records ($(twice 6)) <= flows adopted" \
	test "$(twice 6)" -ge 1 -a "$(twice 6)" -le "$adopted"
for k in 7 8; do
	check "segment $k: replied <= final records <= opened" bounded $k
	check_eq "segment $k: no flow has two" "$(twice $k)" 0
done
missing7=$(($(wc -l <"$A"/opened7) - $(wc -l <"$A"/got7)))
check "segment 7: the table was full (conntrack refused $ct_refused, evicted $ct_evicted)" \
	test $((ct_refused + ct_evicted)) -ge 1
check "segment 7: each flow without a record is one conntrack refused ($missing7)" \
	test $ct_refused -ge $missing7
# the router went at one moment: the flows it never saw are the last ones
missing8=$(($(wc -l <"$A"/opened8) - $(wc -l <"$A"/got8)))
check "segment 8: the flows without a record ($missing8) were opened after all others" \
	test -z "$(comm -23 <(sort -n "$A"/opened8) "$A"/got8 |
		   awk -v m="$(tail -1 "$A"/got8)" '$1 < m')"
check_eq "ctipfix dropped nothing before the reload" "$dropped1" 0
check_eq "ctipfix dropped nothing after it" "$dropped2" 0
received=$(uniq <"$A"/finals | wc -l)
echo "# $opened flows opened; conntrack never had $missing7 (table full)" \
	"and $missing8 (router deleted); ctipfix dropped $((dropped1 + dropped2));" \
	"the collector received $received"
check_eq "received == opened - refused by conntrack - dropped by ctipfix" \
	$received $((opened - missing7 - missing8 - dropped1 - dropped2))

check "in-band statistics were sent ($(inband_reports) reports)" \
	test "$(inband_reports)" -ge 2
check_eq "in-band statistics: notSentFlowTotalCount stays 0" \
	"$(inband_not_sent)" 0
check "ctipfix unloads" unload_module
kill -TERM $daemon
wait $daemon
check_eq "ctipfixd exits 0" $? 0
daemon=""
# a failure here is rare and timing-bound: keep what explains it in the log
if [ "$ksft_failed" != 0 ]; then
	echo "# ctipfixd:"
	tail -n 30 "$A"/ctipfixd.err | sed "s/^/#   /"
	echo "# kernel log:"
	dmesg | grep ctipfix | tail -n 20 | sed "s/^/#   /"
fi
ksft_exit
