#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Small records for short flows, with default knobs: DNS-like exchanges (one
# small request, one small reply, a new source port each) cost at most 32
# bytes of IPFIX each at the collector, templates and headers included;
# and three independent decoders still read every value right: per-direction
# packets and octets, and start/end times within the test's own window.
# The collectors' path (loopback) has an MTU of 1280 meanwhile: messages
# longer than one packet carries go out in IP fragments, which ctipfixd
# counts per collector (its path MTU as IP_MTU gives it) and warns of once,
# and which reach the collectors whole all the same.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir wire nfcapd
N=400
FIRST=27000


topology_up
router_short_timeouts
check "module loads (default knobs)" load_module
collector_start 4739 "$A"/ipfix.bin
bg nfcapd -w "$A"/nfcapd -b 127.0.0.1 -p 4740 -t 3600
bg ip netns exec $NS_S $UDPFLOWS serve 5300
wait_until 10 udp_bound_here 4740
wait_until 10 udp_bound $NS_S 5300
lo_mtu=$(cat /sys/class/net/lo/mtu)
ip link set lo mtu 1280
defer ip link set lo mtu "$lo_mtu"
DAEMON_CPU=0	# nfdump counts its sequence failures (lib.sh)
daemon_run --collector 127.0.0.1:4739,format=biflow --collector 127.0.0.1:4740,format=biflow
t0=$(date +%s)
ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 $FIRST $N 100 "$A"/opened
check "every exchange ended and was exported" wait_until 30 ctipfix_settled
t1=$(date +%s)
"$CTIPFIXCTL" flush	# the last message reaches the relay
check "the daemon sent what the module wrote" wait_until 10 daemon_caught_up
check_eq "ctipfixd knows the collectors' path MTU" \
	"$(daemon_stat collector.0.path_mtu) $(daemon_stat collector.1.path_mtu)" \
	"1280 1280"
fragmented=$(daemon_stat collector.0.fragmented)
check "... counts the messages it sent in fragments ($fragmented)" \
	test "$fragmented" -gt 0
check "... and says so once, with the max_msg_size that avoids it" \
	test "$(grep -c 'IP fragments (path MTU 1280: 1252 bytes a packet).*max_msg_size of 1252' "$A"/ctipfixd.err)" = 2
kill -TERM $daemon
wait $daemon
sleep 1
kill -TERM $pids
wait 2>/dev/null
pids=""

bytes=$(stat -c %s "$A"/ipfix.bin)
per=$(awk -v b="$bytes" -v n=$N 'BEGIN { printf "%.1f", b / n }')
check "at most 32 bytes per DNS-like exchange ($bytes bytes / $N = $per)" \
	test "$bytes" -le $((32 * N))

# what each exchange really was: 1 packet each way of 28 + payload bytes
want=$(awk -v f=$FIRST -v n=$N 'BEGIN {
	for (i = 0; i < n; i++) s += 28 + length("q" i); print s }')

ipfixDump --in "$A"/ipfix.bin >"$A"/ipfixdump.txt 2>&1
check_eq "ipfixDump: forward octets add up" \
	"$(awk '/ octetDeltaCount :/ && !/reverse/ { s += $NF } END { print s + 0 }' "$A"/ipfixdump.txt)" "$want"
check_eq "ipfixDump: reverse octets add up" \
	"$(awk '/ reverseOctetDeltaCount :/ { s += $NF } END { print s + 0 }' "$A"/ipfixdump.txt)" "$want"
check_eq "ipfixDump: one packet each way, every record" \
	"$(awk '/ (reverse)?[pP]acketDeltaCount :/ && $NF != 1' "$A"/ipfixdump.txt | wc -l)" 0
check "ipfixDump: no sequence problem" \
	bash -c "! grep -qi 'out of sequence' $A/ipfixdump.txt"

nfdump -R "$A"/nfcapd -o csv >"$A"/nfdump.csv 2>&1
check_eq "nfdump decodes $N records" \
	"$(awk -F, 'NR > 1 && $8 == "UDP"' "$A"/nfdump.csv | wc -l)" $N
check_eq "nfdump: octets both ways add up" \
	"$(awk -F, 'NR > 1 && $8 == "UDP" { s += $13 + $15 } END { print s + 0 }' "$A"/nfdump.csv)" $((2 * want))
check "nfdump: start and end times within the test's window" \
	awk -F, -v t0=$t0 -v t1=$t1 '
	# "YYYY-MM-DD HH:MM:SS" in local time, as date(1) reads it, without
	# a process per field: mktime() takes the same fields space-separated
	function secs(t) { gsub(/[-:]/, " ", t); return mktime(t) }
	NR > 1 && $8 == "UDP" {
		s = secs($1); e = secs($2)
		if (s < t0 - 1 || e > t1 + 1 || e < s) bad = 1 }
		END { exit bad }' "$A"/nfdump.csv
nfdump -I -R "$A"/nfcapd >"$A"/nfdump-info.txt 2>&1
check "nfdump -I: Sequence failures: 0" \
	grep -q "Sequence failures: 0" "$A"/nfdump-info.txt
ksft_exit
