#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Each collector in the format it reads right (ctipfixd --collector
# HOST:PORT,format=F): the module writes one biflow stream, and the daemon
# re-encodes it per collector. Known traffic through the router (TCP and
# UDP of every size, ICMP, IPv4 and IPv6, a flow with no reply, NAT both
# ways, a flow longer than active_timeout, so with interim records) ends
# with `conntrack -F`. The biflow collector's records are the truth; what the
# others read must add up to the same counts:
#   - the default (no format given), uniflow: two records a flow, standard
#     IEs, paired by biflowDirection (ipfixDump, tshark, nfacctd,
#     FastNetMon, nfdump, whose sequence check must find no gap);
#   - standard: the biflow records at IANA lengths, which nfacctd 1.7
#     needs for small flows' counters (it reads reduced-size ones as 0);
#     nfdump must read both directions' counts from it, as from biflow.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir formats nfcapd nfcapd-biflow nfcapd-standard

# FastNetMon on PORT, its dump of every flow in $A/fastnetmon.log
fastnetmon_start() {
	printf '10.0.0.0/16\n' >"$A"/networks
	sed -e 's/^netflow = .*/netflow = on/' \
	    -e "s/^netflow_port = .*/netflow_port = $1/" \
	    -e 's/^netflow_host = .*/netflow_host = 127.0.0.1/' \
	    -e 's/^dump_all_traffic = .*/dump_all_traffic = on/' \
	    -e "s|^networks_list_path = .*|networks_list_path = $A/networks|" \
	    -e 's/^enable_ban = .*/enable_ban = off/' \
	    -e 's/^enable_ban_ipv6 = .*/enable_ban_ipv6 = off/' \
	    -e 's/^disable_usage_report = .*/disable_usage_report = on/' \
	    /etc/fastnetmon.conf >"$A"/fastnetmon.conf
	bg fastnetmon --configuration_file "$A"/fastnetmon.conf \
		--log_to_console --disable_pid_logic >"$A"/fastnetmon.log 2>&1
	wait_until 60 udp_bound_here "$1"
}

topology_up
# its in-band statistics every second: the last counts all (formatcheck)
# and a record every 2 s of a flow that lasts longer
check "module loads" load_module stats_interval=1 active_timeout=2
# masquerade (TCP over IPv4) and a port forward (the router's UDP 8053 to
# the server's 5353)
router_nat ip 'iifname "r0" udp dport 8053 dnat to 10.0.2.2:5353' \
	'oifname "r1" tcp dport 5001 masquerade'
# tshark reads the biflow (4739), uniflow (4740) and standard (4741)
# collectors' datagrams from a capture
bg dumpcap -q -i lo -f "udp dst portrange 4739-4741" -w "$A"/formats.pcap
wait_until 60 test -s "$A"/formats.pcap
collector_start 4739 "$A"/biflow.bin
collector_start 4740 "$A"/uniflow.bin
collector_start 4741 "$A"/standard.bin
check "nfacctd listens (uniflow)" nfacctd_start 4742 \
	"$A"/nfacctd-uniflow.json timestamp_start timestamp_end
check "nfacctd listens (standard)" nfacctd_start 4743 \
	"$A"/nfacctd-standard.json timestamp_start timestamp_end
check "FastNetMon listens (uniflow)" fastnetmon_start 4744
# nfcapd_start PORT DIR: nfcapd on 127.0.0.1:PORT, its files in DIR; its
# pid added to $nfcapd_pids
nfcapd_pids=""
nfcapd_start() {
	bg nfcapd -w "$2" -b 127.0.0.1 -p "$1" -t 3600
	nfcapd_pids="$nfcapd_pids $!"
	wait_until 30 udp_bound_here "$1"
}
check "nfcapd listens (uniflow)" nfcapd_start 4745 "$A"/nfcapd
check "nfcapd listens (biflow)" nfcapd_start 4746 "$A"/nfcapd-biflow
check "nfcapd listens (standard)" nfcapd_start 4747 "$A"/nfcapd-standard
# 4740 names no format: it gets the default
check "the daemon attaches" daemon_run --rate "$COLLECTOR_RATE" \
	--collector 127.0.0.1:4739,format=biflow --collector 127.0.0.1:4740 \
	--collector 127.0.0.1:4741,format=standard \
	--collector 127.0.0.1:4742,format=uniflow \
	--collector 127.0.0.1:4743,format=standard \
	--collector 127.0.0.1:4744,format=uniflow \
	--collector 127.0.0.1:4745,format=uniflow \
	--collector 127.0.0.1:4746,format=biflow \
	--collector 127.0.0.1:4747,format=standard
collector_formats() {
	local i
	for i in 0 1 2 3 4 5 6 7 8; do
		daemon_stat collector.$i.format
	done | tr '\n' ' '
}
check_eq "the stats file names each collector's format" \
	"$(collector_formats)" \
	"biflow uniflow standard uniflow standard uniflow uniflow biflow standard "

servers_start
for size in 100000 3000; do
	head -c $size /dev/zero | ip netns exec $NS_C socat -u - TCP4:10.0.2.2:5001
done
head -c 20000 /dev/zero | ip netns exec $NS_C socat -u - TCP6:[fd00:2::2]:5001
for i in 1 2 3; do
	echo "query $i" | ip netns exec $NS_C socat -T1 - UDP4:10.0.2.2:5353 >/dev/null
done
echo query | ip netns exec $NS_C socat -T1 - UDP6:[fd00:2::2]:5353 >/dev/null
echo forwarded | ip netns exec $NS_C socat -T1 - UDP4:10.0.1.1:8053 >/dev/null
# one datagram a second for 4 s, one flow: interim records
for i in 1 2 3 4 5; do echo "tick $i"; sleep 1; done |
	ip netns exec $NS_C socat -u - UDP4:10.0.2.2:7777,sourceport=7000
# no reply: one record in uniflow
echo one-way | ip netns exec $NS_C socat -u - UDP4:10.0.2.2:7777
ip netns exec $NS_C ping -q -c 2 -i 0.2 10.0.2.2 >/dev/null
ip netns exec $NS_C ping -q -c 2 -i 0.2 fd00:2::2 >/dev/null

# an interface that comes and is renamed is named before the next pass's
# records; the routers' interfaces as they are, for formatcheck
ip -n $NS_R link add ifprobe0 type dummy
ip -n $NS_R link set ifprobe0 name ifprobe1
probe_named() {
	ipfixDump --in "$A"/biflow.bin 2>/dev/null | grep -q 'interfaceName : .* ifprobe1$'
}
check "an interface that comes is named at once" wait_until 10 probe_named
ip -n $NS_R -o link show >"$A"/router-links.txt

ip netns exec $NS_R conntrack -F >/dev/null 2>&1
check "every flow ends and leaves the module" wait_until 60 ctipfix_settled
"$CTIPFIXCTL" flush	# the last message reaches the relay
# a report written after the last records counts them all; then no more,
# so that what the module wrote stops growing
reports=$(ctipfix_stat reliability_sent)
reported_since() {
	[ "$(ctipfix_stat reliability_sent)" -gt "$reports" ]
}
check "the in-band statistics report on them" wait_until 10 reported_since
echo 86400 >"$PARAMS"/stats_interval
check "the daemon sent what the module wrote" wait_until 30 daemon_caught_up
sleep 2		# nfacctd prints what it got each second
kill -TERM $daemon
wait $daemon
check_eq "ctipfixd exits 0" $? 0
daemon=""
# nfcapd writes its file as it stops; the others have printed theirs
kill -TERM $nfcapd_pids
wait $nfcapd_pids

tshark -r "$A"/formats.pcap -d udp.port==4739,cflow -d udp.port==4740,cflow \
	-d udp.port==4741,cflow -T json --no-duplicate-keys \
	>"$A"/tshark.json 2>/dev/null
ipfixDump --in "$A"/biflow.bin >"$A"/biflow.txt 2>&1
ipfixDump --in "$A"/uniflow.bin >"$A"/uniflow.txt 2>&1
ipfixDump --in "$A"/standard.bin >"$A"/standard.txt 2>&1
# nfcapd (uniflow), nfcapd-biflow, nfcapd-standard: csv with its header
for s in "" -biflow -standard; do
	nfdump -R "$A"/nfcapd$s -o csv -6 >"$A"/nfdump$s.csv 2>>"$A"/nfdump.err
	nfdump -I -R "$A"/nfcapd$s >"$A"/nfdump$s-info.txt 2>&1
	nfdump -R "$A"/nfcapd$s -q -6 -o 'fmt:%in|%inam|%out|%onam|' \
		>"$A"/nfdump$s-names.txt 2>>"$A"/nfdump.err
done
ksft_verdicts python3 "$(dirname "$0")"/formatcheck.py "$A"
ksft_exit
