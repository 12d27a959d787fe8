#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tcpControlBits against the packets: TCP connections through the router
# that end each way a connection can (the initiator's FIN, the responder's
# FIN first, the initiator's RST, refused, unanswered, held and deleted),
# over IPv4 and IPv6, masqueraded, long enough for the full template, and
# one long enough for interim records. A capture on the router's client
# side says which of SYN, ACK, FIN and RST the initiator sent; the bits
# its records claim (kmod/tcp_flags.h) must be exactly those, the SYN in
# the first record only, as ipfixDump, tshark and nfdump decode them.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir tcp-flags nfcapd
TF="python3 $(dirname "$0")/timeflows.py"
ACTIVE_TIMEOUT=2

topology_up
# the router masquerades TCP to port 5003; the server drops SYNs to 5998
ip netns exec $NS_R nft -f - <<-NFT
table ip ctipfix_flags_nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "r1" tcp dport 5003 masquerade
	}
}
NFT
server_drop_tcp ctipfix_flags_drop 5998
for port in 5001 5003; do
	bg ip netns exec $NS_S socat -u TCP4-LISTEN:$port,reuseaddr,fork OPEN:/dev/null
done
bg ip netns exec $NS_S socat -u TCP6-LISTEN:5001,ipv6only=1,reuseaddr,fork OPEN:/dev/null
# the server that closes first: a line, then its FIN
bg ip netns exec $NS_S socat TCP4-LISTEN:5002,reuseaddr,fork SYSTEM:'echo hello'
servers_up() {
	local port
	for port in 5001 5002 5003; do
		ip netns exec $NS_S ss -Hltn4 "sport = :$port" | grep -q . || return 1
	done
	ip netns exec $NS_S ss -Hltn6 "sport = :5001" | grep -q .
}
check "servers are up" wait_until 20 servers_up

check "module loads (active_timeout=$ACTIVE_TIMEOUT)" \
	load_module active_timeout=$ACTIVE_TIMEOUT
decoders_start
ip netns exec $NS_R dumpcap -q -i r0 -f tcp -w "$A"/router.pcapng 2>/dev/null &
capture=$!
pids="$pids $capture"
check "captures running" wait_until 30 \
	test -s "$A"/ipfix.pcap -a -s "$A"/router.pcapng
check "nfacctd listens" nfacctd_start 4741 "$A"/nfacctd.json tcpflags
check "the daemon attaches" daemon_start 127.0.0.1:4739 127.0.0.1:4740 \
	127.0.0.1:4741,format=uniflow

# "KIND<TAB>CLIENT PORT" per connection, for flagcheck.py
cat >"$A"/kinds.txt <<-KINDS
	the initiator closes (FIN)	43001
	the initiator closes, IPv6	43002
	the initiator resets (RST)	43003
	refused (the responder's RST)	43004
	held, then deleted	43005
	the responder closes first	43006
	unanswered SYN	43007
	masqueraded, closed (compact NAT template)	43008
	100 kB, closed (full template)	43009
	6 s long, interim records	43010
KINDS
echo "tcp-hold 10.0.2.2 5001 43005 1000" | ip netns exec $NS_C $TF >"$A"/hold.out &
pids="$pids $!"
check "the held connection sent its data" wait_until 30 grep -q sent "$A"/hold.out
check "the client's connections ran to their ends" ip netns exec $NS_C $TF <<-FLOWS
	tcp-fin 10.0.2.2 5001 43001 20000
	tcp-fin fd00:2::2 5001 43002 5000
	tcp-rst 10.0.2.2 5001 43003 5000
	tcp-refused 10.0.2.2 5999 43004
	tcp-wait-fin 10.0.2.2 5002 43006
	tcp-unanswered 10.0.2.2 5998 43007
	tcp-fin 10.0.2.2 5003 43008 3000
	tcp-fin 10.0.2.2 5001 43009 100000
	tcp-trickle 10.0.2.2 5001 43010 7 1.0
FLOWS
router_flows_end
check "the records reached the collector" \
	wait_until 10 records_at_least 10 '430(0[1-9]|10)'
# what nfacctd got, printed (its checks below say what is missing)
wait_until 10 nfacctd_printed "$A"/nfacctd.json $(seq 43001 43010) || true
# the capture ends before the held connection's FIN, after its entry went
kill $capture
wait $capture
check "ctipfixd exits 0 on SIGTERM" daemon_stop
bg_stop

tshark -r "$A"/router.pcapng -T fields -e ip.src -e ipv6.src \
	-e tcp.srcport -e tcp.flags >"$A"/capture.tsv 2>"$A"/tshark.err
ipfixDump --in "$A"/ipfix.bin >"$A"/ipfixdump.txt 2>&1
# "SPORT FLAGS" per record, as tshark decodes the collector's traffic
tshark -r "$A"/ipfix.pcap -d udp.port==4739,cflow -O cflow -V 2>/dev/null |
	awk '/^ +Flow [0-9]+$/ { if (sp != "") print sp, fl; sp = fl = "" }
	     /^ +SrcPort: / { sp = $NF }
	     /^ +TCP Flags: / { fl = $3; sub(",", "", fl) }
	     END { if (sp != "") print sp, fl }' >"$A"/tshark.txt
nfdump -R "$A"/nfcapd -q -N -o 'fmt:%sp %flg' >"$A"/nfdump.txt 2>&1
ksft_verdicts python3 "$(dirname "$0")"/flagcheck.py "$A"
ksft_exit
