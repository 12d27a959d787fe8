#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark, in the guest: the same client - router - server topology
# measured under each router configuration, side by side in one run:
#   none        no conntrack in the router
#   conntrack   conntrack only, accounting on
#   ctipfix     conntrack + ctipfix.ko + ctipfixd, to a collector on lo
#   ipt_netflow Debian's ipt_NETFLOW (tests/bench/ipt-netflow.sh), IPFIX
#   softflowd   softflowd on the router's client side interface, IPFIX
#               (bidirectional records), to a collector on the router's lo
#   ulogd2      conntrack + ulogd2's NFCT input (destroy events) and IPFIX
#               output, to a collector on the router's lo
# Every exporter writes to a socat collector, one file per configuration.
# Prints "RESULT config metric value" lines; tests/bench/run.sh makes the
# table. Figures from a TCG guest compare configurations with each other;
# they say nothing about real hardware.
source "$CTIPFIX_ROOT"/tests/selftests/lib.sh >/dev/null
source "$CTIPFIX_ROOT"/tests/selftests/topology.sh

artifacts_dir bench
REPEAT=${BENCH_REPEAT:-5}
FLOWS=${BENCH_FLOWS:-20000}
SCALE=${BENCH_SCALE:-10000 100000 500000}
IPTNF=$CTIPFIX_ROOT/build/ipt-netflow/$(uname -r)
SERVER_PORTS=$(seq 5300 5309)

result() {
	echo "RESULT $1 $2 $3"
}

router_conntrack() {
	if [ "$1" = on ]; then
		router_conntrack_on
		ip netns exec $NS_R sysctl -qw net.netfilter.nf_conntrack_acct=1
	else
		ip netns exec $NS_R nft flush ruleset
	fi
}

# small-packet UDP through the router: packets/s the server received
udp_pps() {
	local out
	out=$(ip netns exec $NS_C iperf3 -c 10.0.2.2 -u -l 64 -b 0 -t 5 -J 2>/dev/null)
	python3 -c 'import json,sys
d = json.loads(sys.stdin.read())
s = d["end"]["sum"]
print(int(s["packets"] - s["lost_packets"]) / s["seconds"])' <<<"$out"
}

median() {
	sort -n | percentile 50
}

slab_kb() {
	awk '/^Slab:/ { print $2 }' /proc/meminfo
}

# kernel memory per concurrent flow: slab growth over FLOWS live flows
memory_per_flow() {
	local before after
	ip netns exec $NS_R conntrack -F >/dev/null 2>&1
	sleep 3
	ip netns exec $NS_R sysctl -qw net.netfilter.nf_conntrack_udp_timeout=120
	sync; echo 2 >/proc/sys/vm/drop_caches
	before=$(slab_kb)
	ip netns exec $NS_C $UDPFLOWS burst 10.0.2.2 5300 10000 "$FLOWS" \
		"$A"/mem-opened
	after=$(slab_kb)
	ip netns exec $NS_R conntrack -F >/dev/null 2>&1
	ip netns exec $NS_R sysctl -qw net.netfilter.nf_conntrack_udp_timeout=2
	echo $(((after - before) * 1024 / FLOWS))
}

# recorded FILE FIRST COUNT: how many of the flows from source ports
# FIRST.. to port 5300 have a record in the collector's FILE
recorded() {
	ipfix_ports "$1" | awk -v lo="$2" -v hi=$(($2 + $3 - 1)) '
		$2 == 5300 && $1 >= lo && $1 <= hi { seen[$1] = 1 }
		END { print length(seen) }'
}

all_recorded() {
	[ "$(recorded "$@")" = "$3" ]
}

# bytes on the wire per DNS-like IPv4 exchange, and whether each exchange
# got its record, with the exporter's default encoding
dns_exchanges() {
	local file n=1000

	file=$(collector_file "$1")
	ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 40000 $n 200 \
		"$A"/dns-opened-$1
	wait_until 60 all_recorded "$file" 40000 $n
	sleep 3		# the exporter's last datagrams, templates included
	result "$1" bytes_per_dns_exchange \
		"$(awk -v b="$(stat -c %s "$file")" -v n=$n 'BEGIN { printf "%.1f", b / n }')"
	result "$1" dns_recorded "$(recorded "$file" 40000 $n)/$n"
}

# new flows as fast as the generator opens them (it is the limit in TCG):
# the rate reached, and how many of the flows got a record
new_flow_burst() {
	local file n=10000 start end

	file=$(collector_file "$1")
	start=$(date +%s.%N)
	ip netns exec $NS_C $UDPFLOWS burst 10.0.2.2 5300 10000 $n \
		"$A"/burst-opened-$1
	end=$(date +%s.%N)
	result "$1" burst_flows_per_s \
		"$(awk -v a="$start" -v b="$end" -v n=$n 'BEGIN { printf "%.0f", n / (b - a) }')"
	[ "$1" = conntrack ] && return
	wait_until 60 all_recorded "$file" 10000 $n
	result "$1" burst_recorded "$(recorded "$file" 10000 $n)/$n"
}

# The periodic pass's time with N live flows, over 10 idle seconds: the
# module's own scan_ns counter (wall time in the passes, an upper bound of
# their CPU).
scan_cost() {
	local n=$1 per_port port first=10000 left=$1 ns0 sc0 ns1 sc1

	ip netns exec $NS_R sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600
	for port in $SERVER_PORTS; do
		[ "$left" -le 0 ] && break
		per_port=$((left > 50000 ? 50000 : left))
		ip netns exec $NS_C $UDPFLOWS burst 10.0.2.2 "$port" $first \
			$per_port "$A"/scale-opened >/dev/null
		left=$((left - per_port))
	done
	sleep 2
	result ctipfix "scan_live_flows_$n" "$(ctipfix_stat flows_live)"
	ns0=$(ctipfix_stat scan_ns)
	sc0=$(ctipfix_stat scans)
	sleep 10
	ns1=$(ctipfix_stat scan_ns)
	sc1=$(ctipfix_stat scans)
	result ctipfix "scan_cpu_percent_$n" \
		"$(awk -v d=$((ns1 - ns0)) 'BEGIN { printf "%.3f", d / 1e9 * 10 }')"
	result ctipfix "scan_us_per_pass_$n" \
		"$(awk -v d=$((ns1 - ns0)) -v s=$((sc1 - sc0)) 'BEGIN { printf "%.0f", d / s / 1000 }')"
	if [ "$n" -le 100000 ]; then
		flush_latency "$n"
	else
		ip netns exec $NS_R conntrack -F >/dev/null 2>&1
	fi
	ip netns exec $NS_R sysctl -qw net.netfilter.nf_conntrack_udp_timeout=2
	wait_until 300 ctipfix_settled
}

# flush_latency N: every live flow ended at once by conntrack -F; for each
# final record, the time from the start of the flush to its arrival at the
# collector (deaths spread over the flush itself, so this is an upper bound)
flush_latency() {
	local n=$1 cap t0 pcap=$A/flush-$1.pcap

	dumpcap -q -i lo -f "udp dst port 4739" -w "$pcap" 2>/dev/null &
	cap=$!
	wait_until 30 test -s "$pcap"
	t0=$(date +%s.%N)
	ip netns exec $NS_R conntrack -F >/dev/null 2>&1
	wait_until 300 ctipfix_settled
	sleep 2
	kill $cap
	wait $cap 2>/dev/null
	tshark -r "$pcap" -d udp.port==4739,cflow -Y cflow -T fields \
		-E aggregator=' ' -e frame.time_epoch -e cflow.srcport \
		2>/dev/null |
		awk -v t0="$t0" '{ for (i = 2; i <= NF; i++) printf "%.3f\n", $1 - t0 }' |
		sort -n >"$A"/flush-latency-$n
	result ctipfix "flush_records_$n" "$(wc -l <"$A"/flush-latency-$n)"
	result ctipfix "flush_latency_p50_$n" "$(percentile 50 <"$A"/flush-latency-$n)"
	result ctipfix "flush_latency_p99_$n" "$(percentile 99 <"$A"/flush-latency-$n)"
	result ctipfix "flush_latency_max_$n" "$(percentile 100 <"$A"/flush-latency-$n)"
}

# percentile P: of sorted numbers on stdin
percentile() {
	awk -v p="$1" '{ v[NR] = $1 }
		END { i = int((NR * p + 99) / 100); if (i < 1) i = 1; print v[i] }'
}

# Each phase of the bench starts every exporter afresh with a collector file
# of its own, so each file holds the phase's templates.
collector_file() {
	echo "$A/$phase-$1.bin"
}

config_up() {
	case $1 in
	none) router_conntrack off ;;
	conntrack) router_conntrack on ;;
	ctipfix)
		router_conntrack on
		load_module
		socat -u UDP-RECV:4739,bind=127.0.0.1 \
			OPEN:"$(collector_file ctipfix)",creat,append &
		collector=$!
		"$CTIPFIXD" --foreground --collector 127.0.0.1:4739 2>/dev/null &
		exporter=$!
		;;
	ipt_netflow | ipt_netflow_ct)
		if [ $1 = ipt_netflow_ct ]; then
			router_conntrack on
		else
			router_conntrack off
		fi
		modprobe x_tables
		insmod "$IPTNF"/ipt_NETFLOW.ko destination=127.0.0.1:4739 \
			protocol=10 inactive_timeout=2 || return 1
		socat -u UDP-RECV:4739,bind=127.0.0.1 \
			OPEN:"$(collector_file $1)",creat,append &
		collector=$!
		XTABLES_LIBDIR=$IPTNF/xtables:/usr/lib/x86_64-linux-gnu/xtables \
			ip netns exec $NS_R iptables-legacy -A FORWARD -j NETFLOW
		;;
	softflowd)
		router_conntrack off
		ip netns exec $NS_R socat -u UDP-RECV:4739,bind=127.0.0.1 \
			OPEN:"$(collector_file softflowd)",creat,append &
		collector=$!
		ip netns exec $NS_R softflowd -d -i r0 -n 127.0.0.1:4739 \
			-v 10 -b -t udp=2 -t expint=1 -m 65536 \
			-p /tmp/softflowd.pid -c /tmp/softflowd.ctl \
			>/dev/null 2>&1 &
		exporter=$!
		;;
	ulogd2)
		router_conntrack on
		modprobe nf_conntrack_netlink
		ip netns exec $NS_R socat -u UDP-RECV:4739,bind=127.0.0.1 \
			OPEN:"$(collector_file ulogd2)",creat,append &
		collector=$!
		ulogd_conf "$A"/ulogd.log 4739 >/tmp/ulogd.conf
		ip netns exec $NS_R ulogd -c /tmp/ulogd.conf >/dev/null 2>&1 &
		exporter=$!
		;;
	esac
	sleep 1
}

config_down() {
	if [ -n "$exporter$collector" ]; then
		kill $exporter $collector 2>/dev/null
		wait $exporter $collector 2>/dev/null
	fi
	exporter=""
	collector=""
	case $1 in
	ctipfix) rmmod ctipfix ;;
	ipt_netflow | ipt_netflow_ct)
		ip netns exec $NS_R iptables-legacy -F FORWARD
		rmmod ipt_NETFLOW
		;;
	esac
	ip netns exec $NS_R conntrack -F >/dev/null 2>&1
	sleep 3		# the exchanges of one configuration end before the next
}

topology_up
router_short_timeouts
modprobe nf_conntrack
sysctl -qw net.netfilter.nf_conntrack_max=1048576
sysctl -qw net.netfilter.nf_conntrack_buckets=262144
bg ip netns exec $NS_S iperf3 -s -D
for port in $SERVER_PORTS; do
	bg ip netns exec $NS_S $UDPFLOWS serve "$port"
done
sleep 1

configs="none conntrack ctipfix softflowd ulogd2"
pps_configs=$configs
if [ -s "$IPTNF"/ipt_NETFLOW.ko ]; then
	configs="none conntrack ctipfix ipt_netflow softflowd ulogd2"
	# ipt_NETFLOW on a router that runs conntrack anyway (NAT, a
	# stateful firewall): the setting ctipfix is made for
	pps_configs="none conntrack ctipfix ipt_netflow ipt_netflow_ct softflowd ulogd2"
else
	result ipt_netflow unavailable "not built for $(uname -r)"
fi
exporter=""
collector=""
phase=pps
# forwarding, interleaved: each round measures every configuration once,
# so a slow spell of the host touches all of them alike
for i in $(seq 1 "$REPEAT"); do
	for config in $pps_configs; do
		config_up $config || continue
		udp_pps >>"$A"/pps-$config
		config_down $config
	done
done
for config in $pps_configs; do
	result $config udp_pps_median "$(median <"$A"/pps-$config)"
	result $config udp_pps_all "$(tr '\n' ' ' <"$A"/pps-$config)"
done

for config in $configs; do
	[ $config = none ] && continue
	phase=burst
	config_up $config || continue
	new_flow_burst $config
	case $config in
	conntrack | ctipfix)
		result $config slab_bytes_per_flow "$(memory_per_flow)"
		;;
	esac
	config_down $config
	[ $config = conntrack ] && continue
	phase=dns
	config_up $config
	dns_exchanges $config
	config_down $config
done
phase=scale
config_up ctipfix
for n in $SCALE; do
	scan_cost "$n"
done
config_down ctipfix
topology_down
echo "ok 1 bench ran"
echo "1..1"
