#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark, in the guest: the same client - router - server topology
# measured under each router configuration, side by side in one run:
#   none        no conntrack in the router
#   conntrack   conntrack only, accounting on
#   ctipfix     conntrack + ctipfix.ko + ctipfixd, to a collector on lo
# Prints "RESULT config metric value" lines; tests/bench/run.sh makes the
# table. Figures from a TCG guest compare configurations with each other;
# they say nothing about real hardware.
source "$CTIPFIX_ROOT"/tests/selftests/lib.sh >/dev/null
source "$CTIPFIX_ROOT"/tests/selftests/topology.sh

A=$CTIPFIX_ARTIFACTS/bench
rm -rf "$A"
mkdir -p "$A"
UDPFLOWS="python3 $CTIPFIX_ROOT/tests/selftests/udpflows.py"
REPEAT=${BENCH_REPEAT:-3}
FLOWS=${BENCH_FLOWS:-20000}

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
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

slab_kb() {
	awk '/^Slab:/ { print $2 }' /proc/meminfo
}

# kernel memory per concurrent flow: slab growth over FLOWS live flows
memory_per_flow() {
	local before after
	ip netns exec $NS_R sysctl -qw net.netfilter.nf_conntrack_udp_timeout=120
	sync; echo 2 >/proc/sys/vm/drop_caches
	before=$(slab_kb)
	ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 10000 "$FLOWS" 100000 \
		"$A"/mem-opened >/dev/null
	after=$(slab_kb)
	ip netns exec $NS_R conntrack -F >/dev/null 2>&1
	ip netns exec $NS_R sysctl -qw net.netfilter.nf_conntrack_udp_timeout=2
	echo $(((after - before) * 1024 / FLOWS))
}

topology_up
router_short_timeouts
bg ip netns exec $NS_S iperf3 -s -D
bg ip netns exec $NS_S $UDPFLOWS serve 5300
modprobe nf_conntrack
sleep 1

for config in none conntrack ctipfix; do
	case $config in
	none) router_conntrack off ;;
	conntrack) router_conntrack on ;;
	ctipfix)
		load_module
		socat -u UDP-RECV:4739,bind=127.0.0.1 OPEN:"$A"/ipfix.bin,creat,append &
		collector=$!
		"$CTIPFIXD" --foreground --collector 127.0.0.1:4739 2>/dev/null &
		daemon=$!
		sleep 1
		;;
	esac
	for i in $(seq 1 "$REPEAT"); do
		udp_pps
		sleep 1
	done >"$A"/pps-$config
	result $config udp_pps_median "$(median <"$A"/pps-$config)"
	result $config udp_pps_all "$(tr '\n' ' ' <"$A"/pps-$config)"
	[ $config = none ] && continue
	result $config slab_bytes_per_flow "$(memory_per_flow)"
done

# bytes on the wire per DNS-like IPv4 exchange, ctipfix, default knobs
ip netns exec $NS_R conntrack -F >/dev/null 2>&1
sleep 4
: >"$A"/ipfix.bin
ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 40000 1000 200 "$A"/dns-opened
wait_until 60 ctipfix_settled
sleep 1
result ctipfix bytes_per_dns_exchange \
	"$(awk -v b="$(stat -c %s "$A"/ipfix.bin)" 'BEGIN { printf "%.1f", b / 1000 }')"
kill $daemon $collector 2>/dev/null
wait $daemon 2>/dev/null
rmmod ctipfix
topology_down
echo "ok 1 bench ran"
echo "1..1"
