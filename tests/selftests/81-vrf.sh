#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The next hop of a flow routed in a VRF. The router gets a VRF, "blue"
# (table 100), with a link of its own to the client and one to the
# server; the server's address 10.0.10.1 (fd00:10::1) is routed in blue
# through the server's address on blue's server link, and in the main
# table through another gateway, the server's first address. A flow that
# comes in through blue is routed by blue's table, and so is one the
# router sends from a socket bound to blue: their records must carry
# blue's gateway, as the router's own `ip route get ... vrf blue` names
# it, decoded by ipfixDump and nfdump (%nh), not the main table's. Flows
# to the same address that come in through the main link, and end in the
# same pass (conntrack -F), carry the main table's gateway: the pass's
# memo of its last lookup (route.c) must not hand one the other's.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir vrf nfcapd

topology_up
vrf_up() {
	modprobe vrf 2>/dev/null
	ip -n $NS_R link add blue type vrf table 100
}
check "VRF devices can be made" vrf_up
ip -n $NS_R link set blue up
ip link add c1 netns $NS_C type veth peer name r2 netns $NS_R
ip link add s1 netns $NS_S type veth peer name r3 netns $NS_R
ip -n $NS_R link set r2 master blue
ip -n $NS_R link set r3 master blue
ip -n $NS_C addr add 10.0.8.2/24 dev c1
ip -n $NS_C addr add fd00:8::2/64 dev c1 nodad
ip -n $NS_R addr add 10.0.8.1/24 dev r2
ip -n $NS_R addr add fd00:8::1/64 dev r2 nodad
ip -n $NS_R addr add 10.0.9.1/24 dev r3
ip -n $NS_R addr add fd00:9::1/64 dev r3 nodad
ip -n $NS_S addr add 10.0.9.2/24 dev s1
ip -n $NS_S addr add fd00:9::2/64 dev s1 nodad
ip -n $NS_C link set c1 up
ip -n $NS_R link set r2 up
ip -n $NS_R link set r3 up
ip -n $NS_S link set s1 up
ip -n $NS_S addr add 10.0.10.1/32 dev lo
ip -n $NS_S addr add fd00:10::1/128 dev lo
ip -n $NS_C route add 10.0.10.1/32 via 10.0.8.1
ip -n $NS_C -6 route add fd00:10::1/128 via fd00:8::1
ip -n $NS_S route add 10.0.8.0/24 via 10.0.9.1
ip -n $NS_S -6 route add fd00:8::/64 via fd00:9::1
ip -n $NS_R route add 10.0.10.1/32 via 10.0.9.2 vrf blue
ip -n $NS_R -6 route add fd00:10::1/128 via fd00:9::2 vrf blue
ip -n $NS_R route add 10.0.10.1/32 via 10.0.2.2
ip -n $NS_R -6 route add fd00:10::1/128 via fd00:2::2

# "PORT NEXTHOP" as the router routes each flow: in blue, and in main
via() {
	ip -n $NS_R "$@" | grep -o 'via [^ ]*' | cut -d' ' -f2
}
{
	echo "45001 $(via route get 10.0.10.1 vrf blue)"
	echo "45002 $(via -6 route get fd00:10::1 vrf blue)"
	echo "45003 $(via route get 10.0.10.1 vrf blue)"
	echo "45004 $(via route get 10.0.10.1 iif r0 from 10.0.1.2)"
	echo "45005 $(via -6 route get fd00:10::1 iif r0 from fd00:1::2)"
} >"$A"/want
check_eq "the router routes blue's flows through blue's gateways" \
	"$(head -3 "$A"/want | cut -d' ' -f2 | tr '\n' ' ')" \
	"10.0.9.2 fd00:9::2 10.0.9.2 "
check_eq "... and the main table through others" \
	"$(via route get 10.0.10.1) $(via -6 route get fd00:10::1)" \
	"10.0.2.2 fd00:2::2"
check_eq "... as it routes the main link's" \
	"$(tail -2 "$A"/want | cut -d' ' -f2 | tr '\n' ' ')" \
	"10.0.2.2 fd00:2::2 "

bg ip netns exec $NS_S socat UDP4-RECVFROM:5400,fork SYSTEM:'echo reply'
bg ip netns exec $NS_S socat UDP6-RECVFROM:5400,ipv6only=1,fork SYSTEM:'echo reply'
servers_up() {
	udp_bound $NS_S 5400 &&
		ip netns exec $NS_S ss -Hlun6 "sport = :5400" | grep -q .
}
check "servers are up" wait_until 20 servers_up
check "module loads" load_module
decoders_start
check "capture running" wait_until 30 test -s "$A"/ipfix.pcap
check "the daemon attaches" daemon_start 127.0.0.1:4739 127.0.0.1:4740

check "an IPv4 exchange through blue" \
	udp_query UDP4:10.0.10.1:5400,sourceport=45001
check "an IPv6 exchange through blue" \
	udp_query UDP6:[fd00:10::1]:5400,sourceport=45002
# the reply is not waited for: the record of the query is what counts
router_query() {
	echo query | ip netns exec $NS_R socat -T2 - "$1" >/dev/null
}
check "a query of the router's own, from a socket bound to blue" \
	router_query UDP4:10.0.10.1:5400,sourceport=45003,so-bindtodevice=blue
# the client's /32 routes go through blue: bound to c0, its default route
check "an IPv4 exchange to the same address through the main link" \
	udp_query UDP4:10.0.10.1:5400,sourceport=45004,so-bindtodevice=c0
check "an IPv6 exchange to the same address through the main link" \
	udp_query UDP6:[fd00:10::1]:5400,sourceport=45005,so-bindtodevice=c0
router_flows_end
check "the records reached the collector" \
	wait_until 10 records_at_least 5 '4500[1-5]'
check "ctipfixd exits 0 on SIGTERM" daemon_stop
bg_stop

# "PORT NEXTHOP" of each record from a client port of this test, as a
# decoder read it ("-" for none), IPv6 addresses in one form
ipfixDump --in "$A"/ipfix.bin 2>/dev/null | awk '
	function out() { if (sp ~ /^4500[1-5]$/) print sp, nh }
	/--- data record/ { out(); sp = ""; nh = "-" }
	/ sourceTransportPort :/ { sp = $NF }
	/ ipNextHopIPv[46]Address :/ { nh = $NF }
	END { out() }' | compress_ipv6 | sort -u >"$A"/ipfixdump
nfdump -R "$A"/nfcapd -q -N -o 'fmt:%sp %nh' 2>/dev/null |
	awk '$1 ~ /^4500[1-5]$/ { print $1, $2 }' | compress_ipv6 | sort -u >"$A"/nfdump
echo "# the router routed (port, next hop):"
sed 's/^/#   /' "$A"/want
for decoder in ipfixdump nfdump; do
	check "$decoder: each flow's records name its own table's gateway" \
		diff -u "$A"/want "$A"/$decoder
done
ksft_exit
