#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every record's times against the packets: flows of each kind through the
# router, with the kernel's default conntrack timeouts, captured on the
# router's client side interface. flowStart must be the flow's first
# packet and the final record's end its last packet, whatever ended it
# (expiry, a TCP close, a RST, conntrack -D or -F), and an interim record's
# end the last packet it counted; each within a tick and a millisecond of
# encoding, and another of capture (timecheck.py). The first flows run
# without conntrack's timestamps, the later ones with them.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir times
TF="python3 $(dirname "$0")/timeflows.py"
ACTIVE_TIMEOUT=4

# The capture stamps each packet where the router's stack takes it, not
# where the sender queued it to the veth: a busy vCPU under TCG can leave
# a packet a few milliseconds in the backlog before the router sees it.
prequeue=$(cat /proc/sys/net/core/netdev_tstamp_prequeue)
defer "echo $prequeue >/proc/sys/net/core/netdev_tstamp_prequeue"
echo 0 >/proc/sys/net/core/netdev_tstamp_prequeue


# in_client COMMAND...: run in the client namespace
in_client() {
	ip netns exec $NS_C "$@"
}

# kind KIND PROTO CLIENT_PORT: a flow timecheck.py pairs with the capture
kind() {
	printf '%s\t%s\t%s\n' "$@" >>"$A"/kinds.txt
}

# final_records: how many final records the collector has so far
final_records() {
	ipfixDump --in "$A"/ipfix.bin 2>/dev/null | grep -cE 'flowEndReason : [^2]$'
}

hz=$(kernel_hz)
check "the kernel's HZ is known ($hz)" test -n "$hz"
tolerance=$(awk -v hz="${hz:-100}" 'BEGIN { print 1000 / hz + 2 }')

topology_up
ip netns exec $NS_R sysctl -qw net.netfilter.nf_conntrack_timestamp=0
# a custom timeout policy for UDP to port 5354: 5 s, replied or not
ip netns exec $NS_R nft -f - <<-NFT
table inet ctipfix_times {
	ct timeout udp_short {
		protocol udp;
		l3proto ip;
		policy = { unreplied : 5, replied : 5 }
	}
	chain pre {
		type filter hook prerouting priority filter; policy accept;
		udp dport 5354 ct timeout set "udp_short"
	}
}
NFT
check "router has the timeout policy" \
	ip netns exec $NS_R nft list ct timeout inet ctipfix_times udp_short

bg ip netns exec $NS_S socat -u TCP4-LISTEN:5001,reuseaddr,fork OPEN:/dev/null
bg ip netns exec $NS_S socat -u TCP6-LISTEN:5001,ipv6only=1,reuseaddr,fork OPEN:/dev/null
# UDP answered at once: socat's fork per datagram takes milliseconds
for server in "10.0.2.2 5353" "fd00:2::2 5353" "10.0.2.2 5354"; do
	# shellcheck disable=SC2086
	bg ip netns exec $NS_S $TF serve-udp $server
done
bg ip netns exec $NS_S socat -u UDP4-RECV:7777 OPEN:/dev/null
servers_up() {
	udp_bound $NS_S 5353 && udp_bound $NS_S 5354 && udp_bound $NS_S 7777 &&
		ip netns exec $NS_S ss -Hltn 'sport = :5001' | grep -q .
}
check "servers are up" wait_until 20 servers_up

collector_start 4739 "$A"/ipfix.bin
check "module loads (active_timeout=$ACTIVE_TIMEOUT)" \
	load_module active_timeout=$ACTIVE_TIMEOUT
bg "$CTIPFIXD" --foreground --collector 127.0.0.1:4739,format=biflow
ip netns exec $NS_R dumpcap -q -i r0 -w "$A"/router.pcapng 2>/dev/null &
capture=$!
pids="$pids $capture"
check "capture running" wait_until 30 test -s "$A"/router.pcapng

# The code each kind of packet runs through, translated once before the
# flows that are timed: under TCG a first pass through new kernel code
# takes milliseconds. These flows are not among the kinds checked.
# Pings go to a second address of the server, so that their records are
# not taken for the timed pings'.
ip -n $NS_S addr add 10.0.2.3/24 dev s0
ip -n $NS_S addr add fd00:2::3/64 dev s0 nodad
in_client ping -q -c 1 10.0.2.3 >/dev/null
in_client ping -q -c 1 fd00:2::3 >/dev/null
check "warm-up flows" in_client $TF <<-FLOWS
	udp 10.0.2.2 5353 41901 1 0
	udp fd00:2::2 5353 41902 1 0
	tcp-fin 10.0.2.2 5001 42901 1000
	tcp-fin fd00:2::2 5001 42902 1000
	tcp-refused 10.0.2.2 5999 42903
FLOWS

# --- without conntrack's timestamps ---
: >"$A"/kinds.txt
kind "UDP request/response" 17 41001
kind "UDP request/response" 17 41002
kind "UDP, exchanges over 4.5 s (stream)" 17 41003
kind "UDP, custom timeout policy" 17 41004
kind "TCP closed by FIN" 6 42001
kind "TCP closed by FIN" 6 42002
kind "TCP closed by RST" 6 42003
kind "TCP refused (RST answers the SYN)" 6 42004
kind "TCP deleted (conntrack -D)" 6 42005
kind "ICMP echo, IPv4" 1 -
kind "ICMP echo, IPv6" 58 -
kind "UDP, 10 s long flow" 17 40000
echo "tcp-hold 10.0.2.2 5001 42005 4000" | in_client $TF >"$A"/hold.out &
hold=$!
pids="$pids $hold"
check "the held connection sent its data" wait_until 30 grep -q sent "$A"/hold.out
in_client $TF --go "$A"/go >"$A"/flows.out 2>&1 <<-FLOWS &
	udp 10.0.2.2 5353 41001 1 0
	udp fd00:2::2 5353 41002 1 0
	udp 10.0.2.2 5353 41003 4 1.5
	udp 10.0.2.2 5354 41004 2 1.0
	tcp-fin 10.0.2.2 5001 42001 30000
	tcp-fin fd00:2::2 5001 42002 20000
	tcp-rst 10.0.2.2 5001 42003 5000
	tcp-refused 10.0.2.2 5999 42004
	udp-send 10.0.2.2 7777 40000 20 0.5
FLOWS
flows=$!
# Under TCG the tick is late while a vCPU runs code it has not run before
# (a process starting up), and a packet then gets a stale jiffy: so the
# flows and the pings start together once the flows' process is up.
wait_until 30 test -e "$A"/go.ready
touch "$A"/go
in_client ping -q -c 3 -i 0.5 10.0.2.2 >/dev/null &
ping4=$!
in_client ping -q -c 3 -i 0.5 fd00:2::2 >/dev/null &
ping6=$!
check "the client flows ran to their ends" wait $flows
check "... and the pings" wait $ping4 $ping6

# --- with them, while the first flows expire ---
ip netns exec $NS_R sysctl -qw net.netfilter.nf_conntrack_timestamp=1
kind "UDP request/response (timestamps on)" 17 41101
kind "UDP, exchanges over 2.4 s (timestamps on)" 17 41102
kind "TCP closed by FIN, flushed (timestamps on)" 6 42101
check "the later client flows ran to their ends" in_client $TF <<-FLOWS
	udp 10.0.2.2 5353 41101 1 0
	udp 10.0.2.2 5353 41102 3 1.2
	tcp-fin 10.0.2.2 5001 42101 10000
FLOWS

# The UDP and ICMP flows expire (30 s unreplied, 5 s by the policy) and
# the RST one (10 s in CLOSE). Left: the two closed by FIN (TIME_WAIT,
# 120 s), the held one and the UDP stream (120 s): deleted one by one,
# 2 s or more after their last packets. Then a flush for the later ones.
expiring_gone() {
	! ip netns exec $NS_R conntrack -L 2>/dev/null |
		grep -qE "^icmp|sport=(41001|41002|41004|42003|40000) "
}
check "the expiring flows expired" wait_until 60 expiring_gone
for sport in 42001 42005; do
	ip netns exec $NS_R conntrack -D -p tcp --sport $sport >/dev/null 2>&1
done
ip netns exec $NS_R conntrack -D -f ipv6 -p tcp --sport 42002 >/dev/null 2>&1
ip netns exec $NS_R conntrack -D -p udp --sport 41003 >/dev/null 2>&1
ip netns exec $NS_R conntrack -F >/dev/null 2>&1
expected=$(wc -l <"$A"/kinds.txt)
finals_in() {
	[ "$(final_records)" -ge "$expected" ]
}
check "a final record of each of the $expected flows reached the collector" \
	wait_until 30 finals_in

kill $capture
wait $capture
tshark -r "$A"/router.pcapng -T fields -E occurrence=f \
	-e frame.time_epoch -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
	-e ip.proto -e ipv6.nxt -e tcp.srcport -e tcp.dstport \
	-e udp.srcport -e udp.dstport -e icmp.type -e icmpv6.type \
	>"$A"/capture.tsv 2>"$A"/tshark.err
ipfixDump --in "$A"/ipfix.bin >"$A"/ipfixdump.txt 2>&1
ksft_verdicts python3 "$(dirname "$0")"/timecheck.py "$A" "$tolerance"
ksft_exit
