#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Back-pressure instead of loss: under a steady new-flow rate the daemon is
# killed with SIGKILL and restarted 8 s later. The relay is tiny (8 KiB), so
# records pile up in the module's backlog meanwhile; they must all reach the
# collectors, in sequence, decodable (the restarted daemon's new transport
# session gets the templates first). Then, with the backlog bound set tiny,
# a second outage must drop records, and every one dropped is counted: the
# records received plus the drop counter equal the flows opened, and the
# collector's sequence gap equals the drop counter.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

A=$CTIPFIX_ARTIFACTS/backpressure
rm -rf "$A"
mkdir -p "$A"/nfcapd
trap 'kill $pids $daemon 2>/dev/null; topology_down; rmmod ctipfix 2>/dev/null' EXIT
UDPFLOWS="python3 $(dirname "$(realpath "$0")")/udpflows.py"

daemon_start() {
	"$CTIPFIXD" --foreground --collector 127.0.0.1:4739 \
		--collector 127.0.0.1:4740 2>>"$A"/ctipfixd.err &
	daemon=$!
}

# final_sports: source port of every final record tshark decodes, sorted
final_sports() {
	tshark -r "$A"/ipfix.pcap -d udp.port==4739,cflow -Y udp.dstport==4739 \
		-T fields -E aggregator=' ' -e cflow.srcport \
		-e cflow.flow_end_reason 2>/dev/null |
		awk '{ n = NF / 2; for (i = 1; i <= n; i++)
			       if ($(n + i) != 2) print $i }' | sort -n
}

# sequence_gap: records the collector never got, by the header sequence
# numbers (RFC 7011: data records sent before this message, per domain)
sequence_gap() {
	tshark -r "$A"/ipfix.pcap -d udp.port==4739,cflow -Y udp.dstport==4739 \
		-T fields -e cflow.od_id -e cflow.sequence -e cflow.flowset_id \
		-e cflow.srcport 2>/dev/null |
		awk -F'\t' '{ n = $4 == "" ? 0 : split($4, x, ",")
			      if ($1 in next_seq && $2 > next_seq[$1])
				      gap += $2 - next_seq[$1]
			      if (!($1 in next_seq) || $2 >= next_seq[$1])
				      next_seq[$1] = $2 + n }
		     END { print gap + 0 }'
}

settled() {
	[ "$(ctipfix_stat flows_live)" = 0 ] && [ "$(ctipfix_stat backlog_bytes)" = 0 ]
}

topology_up
router_short_timeouts
check "module loads with an 8 KiB relay" \
	load_module subbuf_size=4096 n_subbufs=2 max_msg_size=1400 \
	template_refresh=86400
bg dumpcap -q -i lo -f "udp port 4739" -w "$A"/ipfix.pcap
bg nfcapd -w "$A"/nfcapd -b 127.0.0.1 -p 4740 -t 3600
bg socat -u UDP-RECV:4739,bind=127.0.0.1 OPEN:"$A"/ipfix.bin,creat,append
bg ip netns exec $NS_S $UDPFLOWS serve 5300
check "capture running" wait_until 60 test -s "$A"/ipfix.pcap
daemon_start
sleep 1

# --- 1: SIGKILL and restart within 10 s, under 40 new flows a second ---
ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 20000 800 40 "$A"/opened1 &
gen=$!
sleep 4
kill -KILL $daemon
wait $daemon 2>/dev/null
sleep 8
check "backlog holds records while no one reads" \
	test "$(ctipfix_stat backlog_bytes)" -gt 0
daemon_start
wait $gen
check "every flow ended and was written out" wait_until 60 settled
check_eq "no record dropped" "$(ctipfix_stat records_dropped)" 0
check_eq "no message dropped" "$(ctipfix_stat messages_dropped)" 0
check "messages waited in the backlog" \
	test "$(ctipfix_stat backlog_queued)" -gt 0
sleep 1
final_sports >"$A"/received1
check_eq "generator opened 800 distinct flows" \
	"$(sort -u "$A"/opened1 | wc -l)" 800
check "a final record for every flow opened, none twice" \
	cmp -s "$A"/received1 <(sort -n "$A"/opened1)
check_eq "no gap in the collector's sequence numbers" "$(sequence_gap)" 0
check "the restarted daemon put templates first" \
	grep -q "templates_primed [1-9]" /run/ctipfixd.stats

# --- 2: past the bound, drops are counted ---
echo 4 >"$PARAMS"/backlog_max_kb
kill -KILL $daemon
wait $daemon 2>/dev/null
ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 30000 300 60 "$A"/opened2
sleep 4
daemon_start
# the drops were the newest records: the next message shows the gap
ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 31000 5 10 "$A"/opened3
check "every flow ended" wait_until 60 settled
dropped=$(ctipfix_stat records_dropped)
check "records were dropped past a 4 KiB backlog ($dropped)" test "$dropped" -gt 0
sleep 1
final_sports | awk '$1 >= 30000 && $1 < 31000' >"$A"/received2
got=$(wc -l <"$A"/received2)
check_eq "records received + dropped = flows opened ($got + $dropped)" \
	$((got + dropped)) 300
check_eq "the sequence gap equals the drop counter" "$(sequence_gap)" "$dropped"

kill -TERM $daemon
wait $daemon
check_eq "ctipfixd exits 0 on SIGTERM" $? 0
daemon=""
sleep 1
kill -TERM $pids
wait 2>/dev/null
pids=""
nfdump -I -R "$A"/nfcapd >"$A"/nfdump-info.txt 2>&1
ipfixDump --in "$A"/ipfix.bin >"$A"/ipfixdump.txt 2>&1
check_eq "ipfixDump decoded every record tshark did" \
	"$(grep -c -- '--- data record' "$A"/ipfixdump.txt)" \
	"$(tshark -r "$A"/ipfix.pcap -d udp.port==4739,cflow -Y udp.dstport==4739 -T fields -e cflow.srcport 2>/dev/null | tr ',' '\n' | grep -c .)"
check "ipfixDump decoded all 800 of the first outage's flows" \
	test "$(grep -c -- '--- data record' "$A"/ipfixdump.txt)" -ge 800
ksft_exit
