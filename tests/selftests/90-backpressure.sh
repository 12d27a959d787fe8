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
# collector's sequence gap equals the drop counter. The in-band statistics
# (RFC 7011 §4.3 options records, in their own observation domain) report
# the same losses, and nfdump sees a sequence failure at each gap they
# left, and no other. Last, unload hands
# a reader that is stopped most of the time more than the relay holds,
# and loses none of it; but one that takes too little for unload_wait_s
# does not hold unload longer, and what it left is counted as lost. And a
# collector on a backed-up path, or paced slowly, does not hold up another.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir backpressure nfcapd


# kill_idle: SIGKILL the daemon while it waits in poll(), where all it has
# sent is acknowledged. Killed between a send and its acknowledgment, it
# leaves that message to the next daemon, which sends it again: delivery
# is at least once (README, Daemon), and the collectors here, which count
# each flow once, would see it twice.
kill_idle() {
	stop_idle $daemon || return 1
	kill -KILL $daemon
	wait $daemon 2>/dev/null
	return 0
}

# sequence_gap [gaps]: records the collector never got in the router's
# domain, by the header sequence numbers (RFC 7011: data records sent
# before this message); or, with "gaps", in how many places they are
# missing
sequence_gap() {
	tshark -r "$A"/ipfix.pcap -d udp.port==4739,cflow -Y udp.dstport==4739 \
		-T fields -e cflow.od_id -e cflow.sequence -e cflow.srcport \
		2>/dev/null |
		awk -F'\t' -v d="$R" -v what="${1:-records}" '$1 == d {
			n = $3 == "" ? 0 : split($3, x, ",")
			if (seen && $2 > next_seq) {
				gap += $2 - next_seq
				gaps++
			}
			if (!seen || $2 >= next_seq) next_seq = $2 + n
			seen = 1 }
		     END { print what == "gaps" ? gaps + 0 : gap + 0 }'
}

# reliability FIELD: the field's value in the last in-band statistics
# record on the router's domain, as ipfixDump decodes it
reliability() {
	ipfixDump --in "$A"/ipfix.bin 2>/dev/null | awk -v d="$R" -v f="$1" '
		/--- data record/ { rel = 0; dom = "" }
		/tid: +258 / { rel = 1 }
		rel && / observationDomainId :/ { dom = $NF }
		rel && dom == d && $0 ~ " " f " :" { v = $NF }
		END { print v }'
}

flow_records_of_router() {
	ipfix_records "$A"/ipfix.bin | awk -v d="$R" '$1 == d' | wc -l
}


rcvbuf0=$(udp_rcvbuf_errors)
topology_up
router_short_timeouts
R=$(stat -L -c %i /run/netns/$NS_R)
check "module loads with an 8 KiB relay" \
	load_module subbuf_size=4096 n_subbufs=2 max_msg_size=1400 \
	template_refresh=86400 stats_interval=2
bg dumpcap -q -i lo -f "udp port 4739" -w "$A"/ipfix.pcap
bg nfcapd -w "$A"/nfcapd -b 127.0.0.1 -p 4740 -t 3600
collector_start 4739 "$A"/ipfix.bin
bg ip netns exec $NS_S $UDPFLOWS serve 5300
check "capture running" wait_until 60 test -s "$A"/ipfix.pcap
check "the daemon attaches" daemon_start 127.0.0.1:4739 127.0.0.1:4740

# --- 1: SIGKILL and restart within 10 s, under 40 new flows a second ---
ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 20000 800 40 "$A"/opened1 &
gen=$!
# killed once it has passed flow records on (not only the interface
# names, which come first): what it left must need templates
check "the daemon delivers flow records" \
	wait_until 30 records_at_least 1 "2[0-9]{4}"
check "SIGKILL, while it waits for data" kill_idle
sleep 8
check "backlog holds records while no one reads" \
	test "$(ctipfix_stat backlog_bytes)" -gt 0
daemon_start 127.0.0.1:4739 127.0.0.1:4740
wait $gen
check "every flow ended and was written out" wait_until 60 ctipfix_settled
check_eq "no record dropped" "$(ctipfix_stat records_dropped)" 0
check_eq "no message dropped" "$(ctipfix_stat messages_dropped)" 0
check "messages waited in the backlog" \
	test "$(ctipfix_stat backlog_queued)" -gt 0
sleep 1
final_sports "$A"/ipfix.bin >"$A"/received1
check_eq "generator opened 800 distinct flows" \
	"$(sort -u "$A"/opened1 | wc -l)" 800
check "a final record for every flow opened, none twice" \
	cmp -s "$A"/received1 <(sort -n "$A"/opened1)
check_eq "no gap in the collector's sequence numbers" "$(sequence_gap)" 0
check "the restarted daemon put templates first" \
	daemon_stat_positive templates_primed

# --- 2: past the bound, drops are counted ---
echo 1 >"$PARAMS"/backlog_max_kb
check "SIGKILL again, while it waits" kill_idle
ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 30000 500 60 "$A"/opened2
sleep 4
daemon_start 127.0.0.1:4739 127.0.0.1:4740
# the drops were the newest records: the next message shows the gap
ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 31000 5 10 "$A"/opened3
check "every flow ended" wait_until 60 ctipfix_settled
dropped=$(ctipfix_stat records_dropped)
check "records were dropped past a 1 KiB backlog ($dropped)" test "$dropped" -gt 0
sleep 1
final_sports "$A"/ipfix.bin | awk '$1 >= 30000 && $1 < 31000' >"$A"/received2
got=$(wc -l <"$A"/received2)
check_eq "records received + dropped = flows opened ($got + $dropped)" \
	$((got + dropped)) 500
check_eq "the sequence gap equals the drop counter" "$(sequence_gap)" "$dropped"

# --- 3: unload with more to hand over than the relay holds, to a reader
# that is stopped for 1.5 s at a time: it takes its part between stops,
# and unload waits for it as long as it does ---
echo 32768 >"$PARAMS"/backlog_max_kb
router_udp_timeout 60
ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 32000 1200 400 "$A"/opened4
klog=$(dmesg | wc -l)
(while kill -STOP $daemon; do sleep 1.5; kill -CONT $daemon; sleep 0.1; done) &
throttle=$!
check "unload: the last statistics go out" unload_module
kill $throttle
wait $throttle 2>/dev/null
kill -CONT $daemon
check "unload lost nothing, by the kernel log" \
	test -z "$(dmesg | tail -n +$((klog + 1)) | grep 'lost at unload\|no reader took')"
sleep 1
final_sports "$A"/ipfix.bin | awk '$1 >= 32000 && $1 < 34000' >"$A"/received4
check "unload: a final record for every live flow, none twice" \
	cmp -s "$A"/received4 <(sort -n "$A"/opened4)
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
check_eq "ipfixDump decoded every flow record tshark did" \
	"$(ipfix_records "$A"/ipfix.bin | wc -l)" \
	"$(tshark -r "$A"/ipfix.pcap -d udp.port==4739,cflow -Y udp.dstport==4739 -T fields -e cflow.srcport 2>/dev/null | tr ',' '\n' | grep -c .)"
check "ipfixDump decoded all 800 of the first outage's flows" \
	test "$(ipfix_records "$A"/ipfix.bin | awk '$2 >= 20000 && $2 < 20800' | wc -l)" -eq 800
check_eq "in-band: notSentFlowTotalCount = records dropped" \
	"$(reliability notSentFlowTotalCount)" "$dropped"
check "in-band: notSentPacketTotalCount counts their packets ($(reliability notSentPacketTotalCount))" \
	test "$(reliability notSentPacketTotalCount)" -ge $((2 * dropped))
check "in-band: notSentOctetTotalCount counts their octets" \
	test "$(reliability notSentOctetTotalCount)" -gt 0
check_eq "in-band: exportedFlowRecordTotalCount = flow records received" \
	"$(reliability exportedFlowRecordTotalCount)" "$(flow_records_of_router)"
check "in-band: time of the first and last drop reported" \
	test "$(reliability flowStartMilliseconds)" != "00:00:00.000" -a \
	     "$(reliability flowEndMilliseconds)" != "00:00:00.000"
# what else would make a gap: a datagram the collectors' sockets dropped
check_eq "the collectors' receive buffers never overflowed" \
	$(($(udp_rcvbuf_errors) - rcvbuf0)) 0
# The bounded drop leaves one gap, or more: a message that fits what is
# left of the backlog is kept between dropped ones (msg.c), and each
# dropped run is a gap.
gaps=$(sequence_gap gaps)
check "the drops left a gap ($gaps)" test "$gaps" -ge 1
check "nfdump -I: a sequence failure for each gap, no other" \
	grep -q "Sequence failures: $gaps$" "$A"/nfdump-info.txt

# --- 4: a reader that takes a little now and then holds unload no longer
# than unload_wait_s (and the relay's close wait, 1 s): the rest is lost,
# and the kernel log counts it. It is stopped for less than the 2 s that
# unload gives a reader that takes nothing, so only the deadline ends the
# wait: waiting while it made progress, as phase 3 does, would take some
# 12 s for this many records. ---
collector_start 4739
bg ip netns exec $NS_S $UDPFLOWS serve 5300
wait_until 10 udp_bound $NS_S 5300
router_udp_timeout 60
check "module loads with unload_wait_s=2" \
	load_module subbuf_size=4096 n_subbufs=2 max_msg_size=1400 \
	unload_wait_s=2
check "the daemon attaches again" daemon_start 127.0.0.1:4739
ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 40000 4000 500 "$A"/opened5
follows_all() {
	[ "$(ctipfix_stat flows_live)" -ge 4000 ]
}
check "the module follows the 4000 flows" wait_until 10 follows_all
klog=$(dmesg | wc -l)
(while kill -STOP $daemon; do sleep 1; kill -CONT $daemon; sleep 0.1; done) &
throttle=$!
started=$(date +%s.%N)
check "unload with a reader that trickles" unload_module
took=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
kill $throttle
wait $throttle 2>/dev/null
kill -CONT $daemon
check "... returns within unload_wait_s and the close wait (${took} s)" \
	awk -v t="$took" 'BEGIN { exit !(t <= 2 + 1 + 3) }'
check "... and the kernel log counts the records the reader did not take" \
	test -n "$(dmesg | tail -n +$((klog + 1)) | grep '[1-9][0-9]* records lost at unload')"
kill -TERM $daemon
wait $daemon
check_eq "ctipfixd exits 0 on SIGTERM" $? 0
daemon=""

# --- A collector whose path backs up does not hold the other back. Its
# link is slow (50 kbit/s through a long tbf queue) and the daemon's send
# buffers small, so a send that waited would wait a fifth of a second for
# each datagram that link carries. ---
NS_K=ctk
ip netns add $NS_K
defer "ip netns del $NS_K"
ip link add k0 type veth peer name k1 netns $NS_K
defer "ip link del k0"
ip addr add 10.9.0.1/24 dev k0
ip link set k0 up
ip -n $NS_K addr add 10.9.0.2/24 dev k1
ip -n $NS_K link set k1 up
tc qdisc add dev k0 root tbf rate 50kbit burst 1600 limit 10000000
bg ip netns exec $NS_K socat -u UDP-RECV:4750,bind=10.9.0.2 OPEN:/dev/null
wait_until 10 udp_bound $NS_K 4750
collector_start 4741 "$A"/fast.bin
# the last phase's flows are not this one's
ip netns exec $NS_R conntrack -F >/dev/null 2>&1
check "module loads" load_module
wmem=$(sysctl -n net.core.wmem_default)
defer "sysctl -qw net.core.wmem_default=$wmem"
sysctl -qw net.core.wmem_default=16384
check "the daemon attaches to a collector on lo and one on the slow link" \
	daemon_start 127.0.0.1:4741 10.9.0.2:4750
sysctl -qw net.core.wmem_default="$wmem"
ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 50000 2000 1000 "$A"/opened6
ip netns exec $NS_R conntrack -F >/dev/null 2>&1
# has_all FILE OPENED: FILE has a record of each flow in OPENED (a source
# port a line)
has_all() {
	[ "$(ipfix_ports "$1" | awk 'NR == FNR { want[$1]; next }
		$1 in want' "$2" - | cut -d' ' -f1 | sort -u | wc -l)" \
		-ge "$(wc -l <"$2")" ]
}
check "the collector on lo has each of the $(wc -l <"$A"/opened6) flows within 5 s" \
	wait_until 5 has_all "$A"/fast.bin "$A"/opened6
# the stats file is rewritten every second
check "the slow one's datagrams that would wait fail at once, counted" \
	wait_until 5 daemon_stat_positive collector.1.failed
echo "# slow collector: $(grep -h '^collector\.1\.last_error ' /run/ctipfixd.stats)"

# --- Nor does one paced at 1 datagram a second: what it has not had waits
# in the daemon's queue (64 KiB here), not in the daemon's one thread.
# Once it is a whole queue behind it loses the oldest, counted as lagged,
# and what each collector was given, lost or still has queued adds up to
# what the daemon read. The flows are ended every half second while new
# ones open, so it keeps losing messages while it is sent more. ---
daemon_stop
collector_start 4742 "$A"/paced.bin
check "the daemon attaches to a collector on lo and one paced at 1/s" \
	daemon_run --queue 64 --collector 127.0.0.1:4741,format=biflow \
	--collector 127.0.0.1:4742,format=biflow,rate=1
ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 54000 8000 1000 "$A"/opened7 &
gen=$!
# flush_while PID: the router's flows ended every 0.5 s while PID runs,
# and once more after
flush_while() {
	while kill -0 "$1" 2>/dev/null; do
		ip netns exec $NS_R conntrack -F >/dev/null 2>&1
		sleep 0.5
	done
	ip netns exec $NS_R conntrack -F >/dev/null 2>&1
}
flush_while $gen &
flusher=$!
# (a queue is ~50 messages, ~2 000 flows: 12 s in one CI's 6.1 guest,
# over 15 s in another's 6.12 while two guests shared the host)
check "the paced one fell a queue behind and lost the oldest, counted" \
	wait_until 40 daemon_stat_positive collector.1.lagged
# its turns go on data while it loses messages: a message lost for lag
# takes back only the templates it brought itself, not those a primer in
# front of it did, so the next one needs no primer of its own (otherwise
# each turn would go on a primer, and it would be sent no data at all)
m1=$(daemon_stat collector.1.messages)
p1=$(daemon_stat collector.1.templates_primed)
sleep 3
m2=$(daemon_stat collector.1.messages)
p2=$(daemon_stat collector.1.templates_primed)
check "... and was sent messages meanwhile, $((m2 - m1)) in 3 s, and $((p2 - p1)) primers" \
	test $((m2 - m1)) -ge 1 -a $((p2 - p1)) -le 1
wait $gen
wait $flusher
check "the collector on lo has each of the $(wc -l <"$A"/opened7) flows within 5 s" \
	wait_until 5 has_all "$A"/fast.bin "$A"/opened7
# every message read is, for each collector, passed on, lost or queued
accounted() {
	awk -v i="$1" '$1 == "read_messages" { read = $2 }
		$1 == "collector." i ".messages" { got = $2 }
		$1 == "collector." i ".lagged" { lost = $2 }
		$1 == "collector." i ".queued" { queued = $2 }
		END { print got + lost + queued, read }' /run/ctipfixd.stats |
		awk '{ print ($1 == $2 && $2 > 0) ? "equal" : $0 }'
}
for i in 0 1; do
	check_eq "collector $i: given + lagged + queued = read ($(accounted $i))" \
		"$(accounted $i)" equal
done
echo "# paced: $(grep -hE '^collector\.1\.(messages|lagged|queued|sent|paced|templates_primed) ' /run/ctipfixd.stats | tr '\n' ' ')"
ksft_exit
