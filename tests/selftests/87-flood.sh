#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A SYN flood from random sources through the router to a closed port,
# with nf_conntrack_max at 2000: conntrack alone deletes each entry when
# the server's RST comes back. With ctipfix the dead entries must not pile
# up behind its references: the peak of nf_conntrack_count and of the
# nf_conntrack slab stay within 5% of nf_conntrack_max of what conntrack
# alone reaches in the same run, a legitimate connection still gets
# through, and every flood flow the module followed gets its final record
# (nothing dropped).
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir flood
CT_MAX=2000
old_max=$(cat /proc/sys/net/netfilter/nf_conntrack_max 2>/dev/null)
trap 'kill $pids 2>/dev/null; topology_down; rmmod ctipfix 2>/dev/null
      [ -n "$old_max" ] && echo $old_max >/proc/sys/net/netfilter/nf_conntrack_max' EXIT

command -v hping3 >/dev/null || ksft_skip "hping3 missing"

topology_up
modprobe nf_conntrack
echo $CT_MAX >/proc/sys/net/netfilter/nf_conntrack_max
# the replies to random sources go back towards the client, through the
# router's POST_ROUTING, where the RST kills each entry
ip -n $NS_R route add default via 10.0.1.2
for ns in $NS_R $NS_C; do
	ip netns exec $ns sysctl -qw net.ipv4.conf.all.rp_filter=0
	ip netns exec $ns sysctl -qw net.ipv4.conf.default.rp_filter=0
	for dev in r0 r1 c0; do
		ip netns exec $ns sysctl -qw net.ipv4.conf.$dev.rp_filter=0 2>/dev/null
	done
done
bg ip netns exec $NS_S socat -u TCP4-LISTEN:5001,reuseaddr,fork OPEN:/dev/null
check "the legitimate server is up" wait_until 10 bash -c \
	"ip netns exec $NS_S ss -Hltn 'sport = :5001' | grep -q ."

ct_slab() {
	awk '$1 == "nf_conntrack" { print $2 }' /proc/slabinfo
}

# flood LABEL: 6 s of flood; prints "PEAK_COUNT PEAK_SLAB LEGIT_OK"
flood() {
	local samples=$A/$1.samples legit=1
	: >"$samples"
	(for i in $(seq 1 80); do
		echo "$(router_ct_count) $(ct_slab)" >>"$samples"
		sleep 0.1
	 done) &
	local sampler=$!
	ip netns exec $NS_C timeout 6 hping3 -q -S -p 80 --flood \
		--rand-source 10.0.2.2 >/dev/null 2>&1 &
	local flooder=$!
	sleep 3
	echo hello | ip netns exec $NS_C timeout 5 \
		socat -u - TCP4:10.0.2.2:5001,connect-timeout=3 2>/dev/null ||
		legit=0
	wait $flooder
	wait $sampler
	awk -v l=$legit '$1 > c { c = $1 } $2 > s { s = $2 }
		END { print c + 0, s + 0, l }' "$samples"
}

read -r ct0 slab0 legit0 <<<"$(flood alone)"
echo "# conntrack alone: peak count $ct0, peak slab $slab0"
check "conntrack alone: a legitimate connection gets through" test "$legit0" = 1

bg socat -u UDP-RECV:4739,bind=127.0.0.1 OPEN:/dev/null
check "module loads" load_module
bg "$CTIPFIXD" --foreground --collector 127.0.0.1:4739
sleep 1
new0=$(ctipfix_stat flows_new)
read -r ct1 slab1 legit1 <<<"$(flood ctipfix)"
echo "# with ctipfix: peak count $ct1, peak slab $slab1"
margin=$((CT_MAX * 5 / 100))
check "with ctipfix the peak count ($ct1) stays within $margin of conntrack alone ($ct0)" \
	test "$ct1" -le $((ct0 + margin))
check "... and the nf_conntrack slab ($slab1) within $margin of its peak alone ($slab0)" \
	test "$slab1" -le $((slab0 + margin))
check "with ctipfix: a legitimate connection gets through" test "$legit1" = 1
flows=$(($(ctipfix_stat flows_new) - new0))
check "the flood's flows were followed ($flows)" test "$flows" -ge 1000
settled() {
	[ "$(ctipfix_stat flows_live)" -le 2 ]
}
check "every flood flow let go" wait_until 20 settled
check_eq "nothing dropped" "$(ctipfix_stat records_dropped)" 0
final=$(ctipfix_stat records_final)
abandoned=$(ctipfix_stat flows_abandoned)
live=$(ctipfix_stat flows_live)
check "one final record per flow followed ($final final + $abandoned never confirmed + $live alive)" \
	test $((final + abandoned + live)) -ge "$flows"
bytes=$(ctipfix_stat bytes_written)
written=$(ctipfix_stat records_final)
echo "# $((bytes / (written ? written : 1))) bytes written a final record under the flood"
kill $pids 2>/dev/null
wait 2>/dev/null
check "unload" unload_module
ksft_exit
