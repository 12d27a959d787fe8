#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ipClassOfService against the packets: flows through the router whose
# first packet carries a DSCP (IPv4 TOS, IPv6 traffic class), one that the
# router rewrites in its mangle hook, and one with 0. A capture on the
# router's server side says what each first packet carried as it left; the
# records must carry that (classcheck.py), as ipfixDump, tshark and nfdump
# decode it, and the flow with 0 goes out without the field. One 5-tuple
# also runs in conntrack zone 0 and zone 7 at once: two records, the
# second with ingressVRFID 7, the first without. One more comes in on a
# VLAN device (802.1Q id 42, over the client's link): its records carry
# vlanId 42, what a capture on the router's client side shows the first
# packet tagged with; no other record has the field. That flow, and one
# over IPv6, go to a server address the router reaches through a gateway
# (the server's link address): their records carry that next hop, as the
# router's own `ip route get` names it; the others, to a neighbour, none.
# Every record also
# names the router's interfaces the flow came in on and left by, as
# ifindexes of the router's namespace (ingressInterface, egressInterface).
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir class nfcapd

topology_up
# VLAN 42 over the client's link, and a server address the client
# reaches through it: 10.0.3.2, routed by the router to the server
vlans_up() {
	modprobe 8021q 2>/dev/null
	ip -n $NS_C link add link c0 name c0.42 type vlan id 42 &&
		ip -n $NS_R link add link r0 name r0.42 type vlan id 42
}
check "VLAN devices can be made (802.1Q)" vlans_up
ip -n $NS_C addr add 10.0.42.2/24 dev c0.42
ip -n $NS_R addr add 10.0.42.1/24 dev r0.42
ip -n $NS_C link set c0.42 up
ip -n $NS_R link set r0.42 up
ip -n $NS_S addr add 10.0.3.2/32 dev lo
ip -n $NS_R route add 10.0.3.2/32 via 10.0.2.2
ip -n $NS_C route add 10.0.3.2/32 via 10.0.42.1
ip -n $NS_S addr add fd00:3::2/128 dev lo
ip -n $NS_R -6 route add fd00:3::2/128 via fd00:2::2
# "PORT NEXTHOP" per flow routed through a gateway, as the router says
{
	echo "44007 $(ip -n $NS_R route get 10.0.3.2 | grep -o 'via [^ ]*' | cut -d' ' -f2)"
	echo "44008 $(ip -n $NS_R -6 route get fd00:3::2 | grep -o 'via [^ ]*' | cut -d' ' -f2)"
} >"$A"/nexthops.txt
ifindex() {
	ip -n $NS_R -o link show "$1" | cut -d: -f1 | tr -d ' '
}
echo "$(ifindex r0) $(ifindex r1) $(ifindex r0.42)" >"$A"/ifindex.txt
# the router marks UDP to port 5402 AF41, whatever it came with
ip netns exec $NS_R nft -f - <<-NFT
table inet ctipfix_class {
	chain postrouting {
		type filter hook postrouting priority mangle; policy accept;
		udp dport 5402 ip dscp set af41
	}
}
NFT
for port in 5400 5401 5402; do
	bg ip netns exec $NS_S socat UDP4-RECVFROM:$port,fork SYSTEM:'echo reply'
done
bg ip netns exec $NS_S socat UDP6-RECVFROM:5400,ipv6only=1,fork SYSTEM:'echo reply'
bg ip netns exec $NS_S socat -u TCP4-LISTEN:5001,reuseaddr,fork OPEN:/dev/null
servers_up() {
	udp_bound $NS_S 5400 && udp_bound $NS_S 5401 && udp_bound $NS_S 5402 &&
		ip netns exec $NS_S ss -Hlun6 "sport = :5400" | grep -q . &&
		ip netns exec $NS_S ss -Hltn "sport = :5001" | grep -q .
}
check "servers are up" wait_until 20 servers_up

check "module loads" load_module
decoders_start
bg ip netns exec $NS_R dumpcap -q -i r1 -w "$A"/r1.pcapng
bg ip netns exec $NS_R dumpcap -q -i r0 -w "$A"/r0.pcapng
check "captures running" wait_until 30 \
	test -s "$A"/ipfix.pcap -a -s "$A"/r1.pcapng -a -s "$A"/r0.pcapng
check "nfacctd listens" nfacctd_start 4741 "$A"/nfacctd.json \
	tos in_iface out_iface vlan peer_dst_ip
check "the daemon attaches" daemon_start 127.0.0.1:4739 127.0.0.1:4740 \
	127.0.0.1:4741,format=uniflow

# "KIND<TAB>CLIENT PORT" per flow, for classcheck.py
cat >"$A"/kinds.txt <<-KINDS
	UDP, EF (0xb8)	44001
	UDP over IPv6, AF11 (0x28)	44002
	UDP, no class (0)	44003
	UDP, CS1 rewritten to AF41 by the router	44004
	TCP, AF21 (0x48)	44005
	UDP, no class, zones 0 and 7	44006
	UDP in on VLAN 42, through a gateway	44007
	UDP over IPv6, through a gateway	44008
KINDS
udp_query UDP4:10.0.2.2:5400,sourceport=44001,ip-tos=0xb8
udp_query UDP6:[fd00:2::2]:5400,sourceport=44002,ipv6-tclass=0x28
udp_query UDP4:10.0.2.2:5401,sourceport=44003
udp_query UDP4:10.0.2.2:5402,sourceport=44004,ip-tos=0x20
head -c 3000 /dev/zero |
	ip netns exec $NS_C socat -u - TCP4:10.0.2.2:5001,sourceport=44005,ip-tos=0x48
# the same 5-tuple in zone 0, then in zone 7 while the first lives
udp_query UDP4:10.0.2.2:5401,sourceport=44006
ip netns exec $NS_R nft -f - <<-NFT
table inet ctipfix_zone {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		udp sport 44006 ct zone set 7
		udp dport 44006 ct zone set 7
	}
}
NFT
udp_query UDP4:10.0.2.2:5401,sourceport=44006
udp_query UDP4:10.0.3.2:5401,sourceport=44007
udp_query UDP6:[fd00:3::2]:5400,sourceport=44008
ip netns exec $NS_R conntrack -L -p udp --sport 44006 >"$A"/zones 2>/dev/null
check_eq "the router has the 5-tuple twice, once in zone 7" \
	"$(wc -l <"$A"/zones) $(grep -c 'zone=7 ' "$A"/zones)" "2 1"
router_flows_end
check "the records reached the collector" \
	wait_until 10 records_at_least 9 '4400[1-8]'
# what nfacctd got, printed (its checks below say what is missing)
wait_until 10 nfacctd_printed "$A"/nfacctd.json $(seq 44001 44008) || true
check "ctipfixd exits 0 on SIGTERM" daemon_stop
bg_stop

tshark -r "$A"/r1.pcapng -T fields -E occurrence=f -e ip.src -e ipv6.src \
	-e udp.srcport -e tcp.srcport -e ip.dsfield -e ipv6.tclass \
	>"$A"/capture.tsv 2>"$A"/tshark.err
# "SPORT VLAN" of each packet on the router's client side, as it came in
tshark -r "$A"/r0.pcapng -T fields -E occurrence=f -e udp.srcport \
	-e vlan.id -Y udp >"$A"/vlans.tsv 2>>"$A"/tshark.err
ipfixDump --in "$A"/ipfix.bin >"$A"/ipfixdump.txt 2>&1
# "SPORT CLASS ZONE IN OUT VLAN NEXTHOP" per record, as tshark decodes
# the collector's traffic
tshark -r "$A"/ipfix.pcap -d udp.port==4739,cflow -O cflow -V 2>/dev/null |
	awk 'function out() {
		if (sp != "") print sp, tos, vrf, in_if, out_if, vlan, nh
	     }
	     /^ +Flow [0-9]+$/ {
		out(); sp = ""; tos = vrf = in_if = out_if = vlan = nh = "-"
	     }
	     /^ +NextHop: / { nh = $NF }
	     /^ +SrcPort: / { sp = $NF }
	     /^ +IP ToS: / { tos = $NF }
	     /^ +Ingress VRFID: / { vrf = $NF }
	     /^ +InputInt: / { in_if = $NF }
	     /^ +OutputInt: / { out_if = $NF }
	     /^ +Vlan Id: / { vlan = $NF }
	     END { out() }' >"$A"/tshark.txt
nfdump -R "$A"/nfcapd -q -N -o 'fmt:%sp %tos %ivrf %in %out %svln %nh' \
	>"$A"/nfdump.txt 2>&1
# the same columns from nfacctd (sent uniflow), the initiators' records;
# it has no zone
python3 - "$A"/nfacctd.json >"$A"/nfacctd.txt <<-'PY'
import json, sys
def v(x):
    return "-" if x in ("", None) else str(x)
for line in open(sys.argv[1]):
    j = json.loads(line)
    if 44001 <= j.get("port_src", 0) <= 44008:
        print(j["port_src"], v(j.get("tos")), "-", v(j.get("iface_in")),
              v(j.get("iface_out")), v(j.get("vlan")), v(j.get("peer_ip_dst")))
PY
ksft_verdicts python3 "$(dirname "$0")"/classcheck.py "$A"
ksft_exit
