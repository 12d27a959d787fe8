#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NAT in the same record: the router masquerades IPv4 to one server port,
# forwards a port of its own to the server (DNAT), and masquerades IPv6
# (NAT66). Each translated flow's record carries where its original
# direction left the router (postNAT addresses and ports, IEs 225-228,
# 281, 282), which must equal what a capture on the router's server-side
# interface saw; a flow the router did not translate carries none. Four
# decoders read them: ipfixDump, tshark, nfdump (its xlate fields) and
# nfacctd (sent uniflow); the last two IPv4 only, as neither nfdump 1.7.1
# nor nfacctd 1.7.7 reads IEs 281 and 282.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir nat nfcapd

# the router: masquerade to 10.0.2.2:5300 and [fd00:2::2]:5300, and its
# own 10.0.1.1:8053 forwarded to 10.0.2.2:5301; 5302 goes untranslated
router_nat_on() {
	router_nat ip 'iifname "r0" udp dport 8053 dnat to 10.0.2.2:5301' \
		'oifname "r1" udp dport 5300 masquerade' &&
		router_nat ip6 "" 'oifname "r1" udp dport 5300 masquerade'
}


# "SPORT POST-SRC POST-DST POST-SPORT POST-DPORT" per flow record, "-"
# for what a record does not carry, as ipfixDump decodes them
ipfixdump_nat() {
	ipfixDump --in "$A"/ipfix.bin 2>/dev/null | awk '
		function out() { if (sp != "") print sp, sa, da, xsp, xdp }
		/--- data record/ { out(); sp = ""; sa = da = xsp = xdp = "-" }
		/ sourceTransportPort :/ { sp = $NF }
		/ postNATSourceIPv[46]Address :/ { sa = $NF }
		/ postNATDestinationIPv[46]Address :/ { da = $NF }
		/ postNAPTSourceTransportPort :/ { xsp = $NF }
		/ postNAPTDestinationTransportPort :/ { xdp = $NF }
		END { out() }' | compress_ipv6 | sort -u
}

# the same, as tshark decodes the capture of the collector's traffic
tshark_nat() {
	tshark -r "$A"/ipfix.pcap -d udp.port==4739,cflow -O cflow -V \
		2>/dev/null | awk '
		function out() { if (sp != "") print sp, sa, da, xsp, xdp }
		/^ +Flow [0-9]+$/ { out(); sp = ""; sa = da = xsp = xdp = "-" }
		/^ +SrcPort: / { sp = $NF }
		/^ +Post NAT Source IPv[46] Address: / { sa = $NF }
		/^ +Post NAT Destination IPv[46] Address: / { da = $NF }
		/^ +Post NAPT Source Transport Port: / { xsp = $NF }
		/^ +Post NAPT Destination Transport Port: / { xdp = $NF }
		END { out() }' | sort -u
}

# what the router sent towards the server, for each flow: from the capture
# on r1, the first packet to the server port that flow used
wire_nat() {
	tshark -r "$A"/r1.pcap -T fields -e ip.src -e ipv6.src -e ip.dst \
		-e ipv6.dst -e udp.srcport -e udp.dstport \
		-Y "udp.dstport >= 5300 && udp.dstport <= 5302" 2>/dev/null |
		awk -F'\t' '
		{ src = $1 $2; dst = $3 $4; key = ($1 != "" ? 4 : 6) "/" $6 }
		!seen[key]++ { post[key] = src " " dst " " $5 " " $6 }
		END {
			print 41001, post["4/5300"]
			print 41002, post["4/5301"]
			print 41003, post["6/5300"]
			print 41004, "- - - -"
		}' | sort
}

topology_up
check "module loads" load_module
router_nat_on
decoders_start
bg ip netns exec $NS_R dumpcap -q -i r1 -f udp -w "$A"/r1.pcap
for port in 5300 5301 5302; do
	bg ip netns exec $NS_S socat UDP4-RECVFROM:$port,fork SYSTEM:'echo reply'
done
bg ip netns exec $NS_S socat UDP6-RECVFROM:5300,ipv6only=1,fork SYSTEM:'echo reply'
servers_up() {
	udp_bound $NS_S 5300 && udp_bound $NS_S 5301 && udp_bound $NS_S 5302 &&
		ip netns exec $NS_S ss -Hlun6 "sport = :5300" | grep -q .
}
check "servers up" wait_until 10 servers_up
check "captures running" wait_until 30 \
	test -s "$A"/ipfix.pcap -a -s "$A"/r1.pcap
check "nfacctd listens" nfacctd_start 4741 "$A"/nfacctd.json \
	post_nat_src_host post_nat_dst_host post_nat_src_port post_nat_dst_port
check "the daemon attaches" daemon_start 127.0.0.1:4739 127.0.0.1:4740 \
	127.0.0.1:4741,format=uniflow

udp_query UDP4:10.0.2.2:5300,sourceport=41001
udp_query UDP4:10.0.1.1:8053,sourceport=41002
udp_query UDP6:[fd00:2::2]:5300,sourceport=41003
udp_query UDP4:10.0.2.2:5302,sourceport=41004
router_flows_end
check "the last record reached the collector" \
	wait_until 10 bash -c "ipfixDump --in $A/ipfix.bin 2>/dev/null | grep -c 'sourceTransportPort : *4100[1-4]$' | grep -qx 4"
# what nfacctd got, printed (its checks below say what is missing)
wait_until 10 nfacctd_printed "$A"/nfacctd.json $(seq 41001 41004) || true
check "ctipfixd exits 0 on SIGTERM" daemon_stop
bg_stop

wire_nat >"$A"/want
ipfixdump_nat | awk '$1 >= 41001 && $1 <= 41004' >"$A"/ipfixdump
tshark_nat | awk '$1 >= 41001 && $1 <= 41004' >"$A"/tshark
echo "# the router sent (flow, post-NAT src, dst, sport, dport):"
sed 's/^/#   /' "$A"/want
check "the router translated: masquerade, port forward, NAT66" \
	awk '$1 == 41001 && $2 == "10.0.2.1" { n++ }
	     $1 == 41002 && $3 == "10.0.2.2" && $5 == 5301 { n++ }
	     $1 == 41003 && $2 == "fd00:2::1" { n++ }
	     END { exit n != 3 }' "$A"/want
check "ipfixDump: each flow's post-NAT fields are what left the router" \
	diff -u "$A"/want "$A"/ipfixdump
check "tshark: the same" diff -u "$A"/want "$A"/tshark
# nfdump 1.7.1 reads the IPv4 post-NAT addresses (225, 226) and the ports,
# not the IPv6 addresses (281, 282): the IPv4 flows
nfdump -R "$A"/nfcapd -q -N -o 'fmt:%sp %xsa %xda %xsp %xdp' 2>/dev/null |
	awk '$1 == 41001 || $1 == 41002 { print $1, $2, $3, $4, $5 }' |
	sort >"$A"/nfdump
check "nfdump: the translated IPv4 flows' xlate fields" \
	diff -u <(awk '$1 == 41001 || $1 == 41002' "$A"/want) "$A"/nfdump
# "SPORT POST-SRC POST-DST POST-SPORT POST-DPORT" of the initiators'
# records (those from the client) as nfacctd reads them, sent uniflow
python3 - "$A"/nfacctd.json >"$A"/nfacctd <<-'PY'
import json, sys
def v(x):
    return "-" if x in ("", "0.0.0.0", "::", 0, None) else str(x)
for line in open(sys.argv[1]):
    j = json.loads(line)
    if j.get("ip_src") in ("10.0.1.2", "fd00:1::2"):
        print(j["port_src"], *(v(j.get(k)) for k in (
            "post_nat_ip_src", "post_nat_ip_dst", "post_nat_port_src",
            "post_nat_port_dst")))
PY
sort -u -o "$A"/nfacctd "$A"/nfacctd
# nfacctd 1.7.7 does not read IEs 281 and 282 either: the IPv4 flows
check "nfacctd (sent uniflow): the IPv4 flows' post-NAT fields" \
	diff -u <(awk '$1 != 41003' "$A"/want) <(awk '$1 != 41003' "$A"/nfacctd)
ksft_exit
