#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# client -- router -- server in network namespaces, IPv4 and IPv6.
# Conntrack runs in the router only (an nftables rule using ct state).
#
#   client c0 10.0.1.2 fd00:1::2 -- r0 10.0.1.1 fd00:1::1  router
#   router r1 10.0.2.1 fd00:2::1 -- s0 10.0.2.2 fd00:2::2  server
NS_C=ctc
NS_R=ctr
NS_S=cts

topology_up() {
	defer topology_down
	# one ip (and one sysctl) a namespace: under TCG each costs 0.1 s;
	# -force goes on past a line that fails, as separate commands did
	printf 'netns add %s\n' $NS_C $NS_R $NS_S | ip -force -batch -
	ip link add c0 netns $NS_C type veth peer name r0 netns $NS_R
	ip link add s0 netns $NS_S type veth peer name r1 netns $NS_R
	end_host $NS_C c0 10.0.1.2/24 fd00:1::2/64 10.0.1.1 fd00:1::1
	ip -n $NS_R -force -batch - <<-IP
	link set lo up
	addr add 10.0.1.1/24 dev r0
	addr add fd00:1::1/64 dev r0 nodad
	addr add 10.0.2.1/24 dev r1
	addr add fd00:2::1/64 dev r1 nodad
	link set r0 up
	link set r1 up
	IP
	end_host $NS_S s0 10.0.2.2/24 fd00:2::2/64 10.0.2.1 fd00:2::1
	router_sysctl net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	router_conntrack_on
}

# end_host NS DEV ADDR4 ADDR6 GW4 GW6: the client's or the server's side,
# its default routes through the router
end_host() {
	ip -n "$1" -force -batch - <<-IP
	link set lo up
	addr add $3 dev $2
	addr add $4 dev $2 nodad
	link set $2 up
	route add default via $5
	route add ::/0 via $6
	IP
}

# router_sysctl NAME=VALUE...: the router's sysctls, in one process
router_sysctl() {
	ip netns exec $NS_R sysctl -qw "$@"
}

# Conntrack in the router: a forward rule that uses ct state.
router_conntrack_on() {
	ip netns exec $NS_R nft -f - <<-NFT
	table inet ctipfix_test {
		chain forward {
			type filter hook forward priority 0; policy accept;
			ct state established,related,new counter accept
		}
	}
	NFT
}

# router_flows_end: every flow in the router ends (conntrack -F, both
# families), and the module exports them all
router_flows_end() {
	ip netns exec $NS_R conntrack -F 2>/dev/null
	ip netns exec $NS_R conntrack -f ipv6 -F 2>/dev/null
	check "every flow ended and was exported" wait_until 30 ctipfix_settled
}

# router_nat FAMILY DNAT SNAT: a nat table on the router (ip: ctipfix_nat,
# ip6: ctipfix_nat66), the rule DNAT in its prerouting chain and SNAT in
# its postrouting one ("" for none)
router_nat() {
	local table=ctipfix_nat

	[ "$1" = ip6 ] && table=ctipfix_nat66
	ip netns exec $NS_R nft -f - <<-NFT
	table $1 $table {
		chain prerouting {
			type nat hook prerouting priority dstnat; policy accept;
			$2
		}
		chain postrouting {
			type nat hook postrouting priority srcnat; policy accept;
			$3
		}
	}
	NFT
}

# Short conntrack timeouts in the router, so flows die during the test.
router_short_timeouts() {
	local t settings=()

	for t in udp_timeout udp_timeout_stream icmp_timeout icmpv6_timeout \
		 tcp_timeout_time_wait tcp_timeout_close tcp_timeout_fin_wait \
		 tcp_timeout_last_ack tcp_timeout_close_wait; do
		settings+=(net.netfilter.nf_conntrack_$t=2)
	done
	router_sysctl "${settings[@]}"
}

# router_udp_timeout SECONDS: the router's UDP timeouts, replied or not
router_udp_timeout() {
	router_sysctl net.netfilter.nf_conntrack_udp_timeout="$1" \
		net.netfilter.nf_conntrack_udp_timeout_stream="$1"
}

# router_ct_stat NAME: a `conntrack -S` counter of the router, all CPUs
router_ct_stat() {
	ip netns exec $NS_R conntrack -S 2>/dev/null |
		grep -oE "(^| )$1=[0-9]+" |
		awk -F= '{ n += $2 } END { print n + 0 }'
}

# router_ct_count: the router's live conntrack entries
router_ct_count() {
	ip netns exec $NS_R cat /proc/sys/net/netfilter/nf_conntrack_count
}

topology_down() {
	local ns
	for ns in $NS_C $NS_R $NS_S; do
		ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del $ns 2>/dev/null
	done
}

# Servers in the server namespace for traffic_mix.
servers_start() {
	bg ip netns exec $NS_S socat -u TCP4-LISTEN:5001,reuseaddr,fork OPEN:/dev/null
	bg ip netns exec $NS_S socat -u TCP6-LISTEN:5001,ipv6only=1,reuseaddr,fork OPEN:/dev/null
	bg ip netns exec $NS_S socat UDP4-RECVFROM:5353,fork SYSTEM:'echo reply'
	bg ip netns exec $NS_S socat UDP6-RECVFROM:5353,ipv6only=1,fork SYSTEM:'echo reply'
	bg ip netns exec $NS_S socat -u UDP4-RECV:7777 OPEN:/dev/null
	wait_until 10 servers_listen
}

# servers_listen: each of servers_start's sockets is bound
servers_listen() {
	ip netns exec $NS_S ss -Hltn4 "sport = :5001" | grep -q . &&
		ip netns exec $NS_S ss -Hltn6 "sport = :5001" | grep -q . &&
		ip netns exec $NS_S ss -Hlun4 "sport = :5353" | grep -q . &&
		ip netns exec $NS_S ss -Hlun6 "sport = :5353" | grep -q . &&
		udp_bound $NS_S 7777
}

# A mix of known traffic through the router: TCP transfers of known sizes,
# UDP request/response, ICMP echo, over IPv4 and IPv6, and one long UDP flow.
traffic_mix() {
	for size in 100000 30000; do
		head -c $size /dev/zero |
			ip netns exec $NS_C socat -u - TCP4:10.0.2.2:5001
	done
	head -c 50000 /dev/zero | ip netns exec $NS_C socat -u - TCP6:[fd00:2::2]:5001
	for i in 1 2 3; do
		echo "query $i" | ip netns exec $NS_C socat -T1 - UDP4:10.0.2.2:5353 >/dev/null
	done
	echo query | ip netns exec $NS_C socat -T1 - UDP6:[fd00:2::2]:5353 >/dev/null
	ip netns exec $NS_C ping -q -c 3 -i 0.2 10.0.2.2 >/dev/null
	ip netns exec $NS_C ping -q -c 3 -i 0.2 fd00:2::2 >/dev/null
	# the long flow: 9 s of UDP, longer than active_timeout
	for i in $(seq 1 45); do echo "tick $i"; sleep 0.2; done |
		ip netns exec $NS_C socat -u - UDP4:10.0.2.2:7777,sourceport=40000
}

# SYN floods from random sources to a closed port of the server: the
# router's replies go back towards the client, through the router's
# POST_ROUTING, where the server's RST kills each entry.
router_syn_flood_setup() {
	local ns dev

	ip -n $NS_R route add default via 10.0.1.2
	for ns in $NS_R $NS_C; do
		for dev in all default r0 r1 c0; do
			ip netns exec $ns sysctl -qw \
				net.ipv4.conf.$dev.rp_filter=0 2>/dev/null
		done
	done
}

# server_drop_tcp TABLE PORT: the server drops TCP to PORT unanswered (no
# RST), by an nft table TABLE that server_answer_tcp TABLE removes
server_drop_tcp() {
	ip netns exec $NS_S nft -f - <<-NFT
	table inet $1 {
		chain input {
			type filter hook input priority filter; policy accept;
			tcp dport $2 drop
		}
	}
	NFT
}

server_answer_tcp() {
	ip netns exec $NS_S nft delete table inet "$1"
}

router_syn_flood_teardown() {
	ip -n $NS_R route del default via 10.0.1.2 2>/dev/null
}

# softnet_cpu CPU: the packets processed, dropped and squeezed on CPU's
# backlog (/proc/net/softnet_stat)
softnet_cpu() {
	local f

	read -r -a f < <(sed -n "$(($1 + 1))p" /proc/net/softnet_stat)
	echo "processed $((16#${f[0]})) dropped $((16#${f[1]}))" \
	     "squeezed $((16#${f[2]}))"
}

# router_syn_flood SECONDS SAMPLES [UNTIL...]: flood for SECONDS, or,
# given a command UNTIL, until it succeeds (SECONDS at most), sampling
# the router's conntrack count and the nf_conntrack slab's objects into
# SAMPLES every 10 ms, from the flood's start to 2 s after its end
# (ctpeak, at nice -20: a flood and CPU hogs do not hold it back);
# prints "PEAK_COUNT PEAK_SLAB". hping3 floods as
# fast as the client's CPU lets it, at nice 19. A packet it sends is
# forwarded, answered and its RST seen by conntrack in the same softirq
# run, so an entry lives for one packet's round trip. But once a softirq
# run overstays (2 ms: a guest's vCPU descheduled by a busy host is
# enough), 6.1 hands the backlog to ksoftirqd and stops processing it in
# the sender's context; a sender at ksoftirqd's priority then keeps the
# backlog full (1000 packets), a third of them SYNs forwarded and waiting
# for their RST, and the peak measures that queue, with or without
# ctipfix. At nice 19 the sender yields to ksoftirqd, which drains the
# backlog at once. (6.2 dropped the hand-over.)
router_syn_flood() {
	local secs=$1 samples=$2 sampler flooder sn0 peaks=$2.peaks
	shift 2

	ip netns exec $NS_R nice -n -20 "$CTPEAK" $((secs + 2)) "$samples" \
		>"$peaks" &
	sampler=$!
	sn0=$(softnet_cpu 0)
	ip netns exec $NS_C timeout "$secs" nice -n 19 hping3 -q -S -p 80 \
		--flood --rand-source 10.0.2.2 >/dev/null 2>&1 &
	flooder=$!
	if [ $# -gt 0 ]; then
		wait_until "$secs" "$@"
		kill $flooder 2>/dev/null	# timeout passes it on to hping3
	fi
	wait $flooder
	if [ $# -gt 0 ]; then
		sleep 2
		kill $sampler 2>/dev/null
	fi
	wait $sampler
	echo "# softnet cpu0 before: $sn0, after: $(softnet_cpu 0)" >&2
	cat "$peaks"
}
