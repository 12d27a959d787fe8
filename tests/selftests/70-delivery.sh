#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Delivery with default knobs: a final record reaches the collector within
# 2 s of the conntrack entry's death, whether a deletion kills it (a
# ctnetlink request, as `conntrack -D` sends) or it times out (with
# destroy_events, whose events must name each deletion); and a new reader
# of the relay (a restarted daemon) gets the templates again before any
# data, long before template_refresh. A destroy
# message a process unicasts to the module's event socket is no hint.
# Arrival times are tshark's capture timestamps at the collector.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir delivery
UDP_TIMEOUT=2
N=10

# exchange PORT SPORT: one UDP request/reply, one flow
exchange() {
	echo hello | ip netns exec $NS_C \
		socat -T0.2 - UDP4:10.0.2.2:"$1",sourceport="$2" >/dev/null 2>&1
}

# arrivals: "EPOCH SPORT REASON" per final record tshark decodes
arrivals() {
	tshark -r "$A"/ipfix.pcap -d udp.port==4739,cflow -Y cflow \
		-T fields -E aggregator=' ' -e frame.time_epoch \
		-e cflow.srcport -e cflow.flow_end_reason 2>/dev/null |
		awk '{ n = (NF - 1) / 2
		       for (i = 1; i <= n; i++)
		               if ($(1 + n + i) != 2) print $1, $(1 + i), $(1 + n + i) }'
}

# latencies DEATHS: for each death (a file of "SPORT EPOCH"), the seconds
# from it to the arrival of that flow's final record (in "$A"/arrivals),
# and the record's flowEndReason; "missing" if none arrived
latencies() {
	awk 'NR == FNR { got[$2] = $1; why[$2] = $3; next }
	     { if ($1 in got) printf "%.3f %s\n", got[$1] - $2, why[$1]
	       else print "missing" }' "$A"/arrivals "$1"
}

# within_2s FILE REASON: N latencies, each known, within [0, 2] s, and
# every record ended for REASON. Conntrack times out in jiffies: an entry
# dies on the tick its timeout falls in, up to a tick before its last
# packet's capture time plus the timeout, so a record may come that much
# before the death it is measured from.
TICK=$(awk -v hz="$(kernel_hz)" 'BEGIN { print 1 / (hz ? hz : 100) }')
within_2s() {
	[ "$(wc -l <"$1")" -eq $N ] && ! grep -q missing "$1" &&
		awk -v r="$2" -v tick="$TICK" \
			'$1 < -tick || $1 > 2.0 || $2 != r { bad = 1 }
			 END { exit bad }' "$1"
}

summary() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { printf "median %s s, max %s s", v[int((NR + 1) / 2)], v[NR] }'
}

topology_up
bg ip netns exec $NS_S socat UDP4-RECVFROM:6301,fork SYSTEM:'echo reply'
bg ip netns exec $NS_S socat UDP4-RECVFROM:6302,fork SYSTEM:'echo reply'
check "module loads (default knobs, template_refresh 86400, destroy_events)" \
	load_module template_refresh=86400 destroy_events=1
bg dumpcap -q -i lo -f "udp dst port 4739" -w "$A"/ipfix.pcap
wait_until 60 test -s "$A"/ipfix.pcap
collector_start 4739
daemon_start 127.0.0.1:4739

hints0=$(ctipfix_stat hints)

# Killed by a deletion: death is when it was asked for. None may
# time out first, which the default 30 s allows where exchanging takes
# long (the debug kernel took over 30 s for the ten).
router_udp_timeout 600
for i in $(seq 1 $N); do
	exchange 6301 $((43000 + i))
done
# stamped by ctmsg.py just before each request, not before a process
# that would delete it starts (0.1 to 0.3 s a `conntrack -D`, more on a
# loaded host): that start is no part of the record's way
ip netns exec $NS_R python3 "$(dirname "$0")"/ctmsg.py delete \
	10.0.1.2 10.0.2.2 6301 $(seq 43001 $((43000 + N))) >"$A"/deaths_deleted
check "ctnetlink deleted the $N entries" test $? = 0

check "conntrack's destroy events named the $N deleted entries ($(($(ctipfix_stat hints) - hints0)))" \
	test $(($(ctipfix_stat hints) - hints0)) -ge $N

# A process may unicast to the module's event socket: a well-formed
# destroy message from it (naming a flow that never was) must be taken for
# what it is, not a hint. Sent to every conntrack-event socket in the
# router; nothing else listens there.
forge_destroy() {
	ip netns exec $NS_R python3 "$(dirname "$0")"/ctmsg.py forge-destroy \
		10.0.1.2 10.0.2.2 6302 45999
}
unread0=$(ctipfix_stat hints_unread)
forged=$(forge_destroy)
check "a forged destroy message reached the module's socket ($forged)" \
	test "$forged" -ge 1
check_eq "... and was not taken for a hint" \
	$(($(ctipfix_stat hints_unread) - unread0)) "$forged"

# Timed out: the entry dies UDP_TIMEOUT after its last packet, the
# reply, as the router's server side interface saw it. (Not after the
# client was started: under a loaded host that start alone can take
# longer than the record's whole way to the collector.)
router_udp_timeout $UDP_TIMEOUT
ip netns exec $NS_R dumpcap -q -i r1 -f "udp port 6302" \
	-w "$A"/router.pcap 2>/dev/null &
router_cap=$!
wait_until 60 test -s "$A"/router.pcap
for i in $(seq 1 $N); do
	exchange 6302 $((44000 + i))
done
sleep $((UDP_TIMEOUT + 4))
kill -INT $router_cap
wait $router_cap
# deaths: "SPORT EPOCH", the client's port and its last packet's time
# plus the timeout
tshark -r "$A"/router.pcap -T fields -e frame.time_epoch -e udp.srcport \
	-e udp.dstport 2>/dev/null |
	awk -v d=$UDP_TIMEOUT '{ p = $2 == 6302 ? $3 : $2; last[p] = $1 }
		END { for (p in last) printf "%d %.6f\n", p, last[p] + d }' |
	sort -n >"$A"/deaths_expired
check_eq "the router saw the $N exchanges" "$(wc -l <"$A"/deaths_expired)" $N

arrivals >"$A"/arrivals
latencies "$A"/deaths_deleted >"$A"/lat_deleted
latencies "$A"/deaths_expired >"$A"/lat_expired
check "final record within 2 s of its deletion, $N flows ($(summary "$A"/lat_deleted))" \
	within_2s "$A"/lat_deleted 4
check "final record within 2 s of the timeout, $N flows ($(summary "$A"/lat_expired))" \
	within_2s "$A"/lat_expired 1

# A new reader gets each domain's templates before that domain's data.
# A statistics report is made due just as the second daemon starts
# (stats_interval 1), so that its first message is one of the statistics
# domain, which opens with that domain's options template, and the flow
# domain's first message comes after: both orders, every run. A flow
# that stays alive meanwhile keeps the pass, and so its reports, going (a
# pass with no flow to follow sleeps).
bg ip netns exec $NS_C ping -q -i 0.5 10.0.2.2
flow_alive() {
	[ "$(ctipfix_stat flows_live)" -ge 1 ]
}
check "a long flow (ping) is followed" wait_until 20 flow_alive
kill -TERM $daemon
wait $daemon
check_eq "first daemon exits 0" $? 0
echo 1 >/sys/module/ctipfix/parameters/stats_interval
stats_domain=$(cat /sys/module/ctipfix/parameters/stats_domain)
daemon_start 127.0.0.1:4739
check "the second daemon sent a message before any flow ended" \
	wait_until 30 daemon_stat_positive collector.0.sent
final0=$(ctipfix_stat records_final)
exchange 6302 45001
final_taken() {
	[ "$(ctipfix_stat records_final)" -gt "$final0" ]
}
sent_since() {
	[ "$(daemon_stat collector.0.sent)" -ge "$1" ]
}
check "its flow's final record was written" wait_until 30 final_taken
# The relay is in order: a report written a second (two flush intervals)
# after the record was taken comes after the record's message.
check "... and sent, before the next two statistics reports" \
	wait_until 30 sent_since $(($(daemon_stat collector.0.sent) + 2))
kill -TERM $daemon
wait $daemon
kill $pids 2>/dev/null
wait 2>/dev/null
pids=""
# "SPORT DOMAIN SET-IDS TEMPLATE-IDS" per datagram to the collector, ids
# comma-separated, "-" for none; the domain is the message header's (an
# in-band statistics record names the flow domain it is about too)
tshark -r "$A"/ipfix.pcap -d udp.port==4739,cflow -Y cflow \
	-T fields -E separator='|' -E aggregator=',' -e udp.srcport \
	-e cflow.od_id -e cflow.flowset_id -e cflow.template_id 2>/dev/null |
	awk -F'|' '{ split($2, od, ",")
		     print $1, od[1], $3, ($4 == "" ? "-" : $4) }' >"$A"/messages
check_eq "two daemons, two source ports" \
	"$(awk '{ print $1 }' "$A"/messages | uniq | wc -l)" 2
check_eq "the second daemon's first message: a statistics report, domain $stats_domain" \
	"$(awk -v p="$(awk '{ print $1 }' "$A"/messages | uniq | tail -1)" \
		'$1 == p { print $2; exit }' "$A"/messages)" "$stats_domain"
check "the second daemon sent the flow domain's records too" \
	awk -v p="$(awk '{ print $1 }' "$A"/messages | uniq | tail -1)" \
		-v s="$stats_domain" '$1 == p && $2 != s { n++ } END { exit !n }' \
		"$A"/messages
# Per daemon and domain: its first message opens with a template set (2,
# or 3 for options), and no data set comes before the template that
# describes it, in that message or an earlier one.
check "each domain's first message to each daemon opens with its templates, no data before its template" \
	awk '{ k = $1 " " $2; split($3, sets, ","); split($4, tids, ",")
	       if (!(k in seen) && sets[1] != 2 && sets[1] != 3) bad = 1
	       if (!(k in seen)) n++
	       seen[k] = 1
	       for (i in tids) if (tids[i] != "-") known[k " " tids[i]] = 1
	       for (i in sets) if (sets[i] >= 256 && !((k " " sets[i]) in known)) bad = 1 }
	     END { exit bad || !n }' "$A"/messages
# the module sends each template in use once, before its first record for
# that reader, and no more (the options template of the in-band statistics
# goes with each of their messages)
check "each template in use went once to each daemon (no refresh was due)" \
	awk '{ m = split($4, tids, ",")
	       for (i = 1; i <= m; i++) if (tids[i] != 258 && tids[i] != "-") n[$1 " " tids[i]]++ }
	     END { for (k in n) { t++; if (n[k] != 1) bad = 1 }
		   exit bad || !t }' "$A"/messages
check_eq "no template message from the daemons: the module's carried them" \
	"$(grep -o 'templates_primed [0-9]*' "$A"/ctipfixd.err | sort -u)" \
	"templates_primed 0"
ksft_exit
