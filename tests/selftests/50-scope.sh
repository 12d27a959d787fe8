#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netns knob narrows the module to chosen namespaces. Conntrack runs in
# the router and in the client; records come only from the namespaces in
# scope, each in its own observation domain (its inode number). Leaving the
# scope ends each followed flow (forced end) and puts accounting back as it
# was; entering it adopts live entries. Bad lists are refused.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir scope

# records DOMAIN DPORT [REASON]: how many the collector got
records() {
	ipfix_records "$A"/ipfix.bin |
		awk -v d="$1" -v p="$2" -v r="${3:-}" \
			'$1 == d && $3 == p && (r == "" || $4 == r)' | wc -l
}

records_at_least() {
	[ "$(records "$@")" -ge "$4" ]
}

# first_packet DOMAIN DPORT: "IN OUT CLASS VLAN" for each record of that
# flow in the domain, as ipfixDump decodes them: its first packet's
# interfaces, class of service and VLAN, "-" for a field left out
first_packet() {
	ipfixDump --in "$A"/ipfix.bin 2>/dev/null | awk -v d="$1" -v p="$2" '
		function flush() { if (dom == d && dp == p) print ii, oi, cs, vl }
		/observation domain id:/ { next_dom = $NF }
		/--- data record/ {
			flush(); dom = next_dom; dp = ii = oi = cs = vl = "-"
		}
		/ destinationTransportPort :/ { dp = $NF }
		/ ingressInterface :/ { ii = $NF }
		/ egressInterface :/ { oi = $NF }
		/ ipClassOfService :/ { cs = $NF }
		/ vlanId :/ { vl = $NF }
		END { flush() }'
}

# one live UDP flow client -> server:PORT (default timeouts keep it)
open_flow() {
	echo hello | ip netns exec $NS_C \
		socat -T0.5 - UDP4:10.0.2.2:"$1",sourceport=$(($1 - 1000)) \
		>/dev/null 2>&1
}

acct_of() {
	ip netns exec "$1" sysctl -n net.netfilter.nf_conntrack_acct
}

# write_refused VALUE: the netns knob refuses it and keeps its value
write_refused() {
	local before
	before=$(cat "$PARAMS"/netns)
	! echo "$1" >"$PARAMS"/netns 2>/dev/null &&
		[ "$(cat "$PARAMS"/netns)" = "$before" ]
}

topology_up
# conntrack in the client too: its output path uses ct state
ip netns exec $NS_C nft -f - <<NFT
table inet ctipfix_scope {
	chain output {
		type filter hook output priority 0; policy accept;
		ct state new counter accept
	}
}
NFT
ip netns exec $NS_C sysctl -qw net.netfilter.nf_conntrack_acct=0
ip netns exec $NS_R sysctl -qw net.netfilter.nf_conntrack_acct=0
R=$(stat -L -c %i /run/netns/$NS_R)
C=$(stat -L -c %i /run/netns/$NS_C)

check "module loads with netns=router" load_module netns="$R"
check_eq "netns knob reads back" "$(cat "$PARAMS"/netns)" "$R"
check_eq "accounting on in the router" "$(acct_of $NS_R)" 1
check_eq "accounting untouched in the client" "$(acct_of $NS_C)" 0

collector_start 4739 "$A"/ipfix.bin
check "the daemon attaches" daemon_start 127.0.0.1:4739
for p in 6101 6102 6103; do
	bg ip netns exec $NS_S socat UDP4-RECVFROM:$p,fork SYSTEM:'echo reply'
	wait_until 10 udp_bound $NS_S $p
done

open_flow 6101
"$CTIPFIXCTL" flush
check "router's flow reported in the router's domain" \
	wait_until 10 records_at_least "$R" 6101 2 1
check_eq "nothing from the client's namespace" "$(records "$C" 6101)" 0

check "netns accepts the client instead" \
	bash -c "echo $C > $PARAMS/netns"
check "router's live flow ends (forced) as the router leaves" \
	wait_until 10 records_at_least "$R" 6101 4 1
check_eq "router's accounting back as it was" "$(acct_of $NS_R)" 0
check_eq "client's accounting on" "$(acct_of $NS_C)" 1
"$CTIPFIXCTL" flush
check "client's live flow adopted and reported" \
	wait_until 10 records_at_least "$C" 6101 2 1
open_flow 6102
"$CTIPFIXCTL" flush
check "new flow reported by the client" \
	wait_until 10 records_at_least "$C" 6102 2 1
# an adopted flow's first packet passed before the client was served:
# where it came in and went out, its class and VLAN are unknown, and said
# so by absence
check_eq "the adopted flow's records leave its first packet's facts out" \
	"$(first_packet "$C" 6101 | sort -u)" "- - - -"
c0=$(ip netns exec $NS_C cat /sys/class/net/c0/ifindex)
check_eq "the new flow's records carry its interfaces (sent from the client, out c0)" \
	"$(first_packet "$C" 6102 | sort -u)" "0 $c0 - -"
check_eq "and not by the router" "$(records "$R" 6102)" 0

check "netns accepts all" bash -c "echo all > $PARAMS/netns"
check_eq "netns reads all" "$(cat "$PARAMS"/netns)" all
open_flow 6103
"$CTIPFIXCTL" flush
check "with all, the router reports the new flow" \
	wait_until 10 records_at_least "$R" 6103 2 1
check "with all, the client reports it too" \
	wait_until 10 records_at_least "$C" 6103 2 1
check_eq "no flow ended twice in one domain" \
	"$(ipfix_records "$A"/ipfix.bin | awk '$4 == 4' | sort | uniq -d | wc -l)" 0

check "netns accepts a list" bash -c "echo $R,$C > $PARAMS/netns"
check_eq "netns reads the list back" "$(cat "$PARAMS"/netns)" "$R,$C"
too_many=$(seq -s, 1 65)
for bad in abc "" -1 0 "$R,,$C" "$R," 4294967296 "$R x" "$too_many"; do
	check "netns refuses '${bad:0:20}'" write_refused "$bad"
done
check "the module keeps working after refused writes" "$CTIPFIXCTL" stats
check "unload" unload_module
check_eq "router's accounting back after unload" "$(acct_of $NS_R)" 0
check_eq "client's accounting back after unload" "$(acct_of $NS_C)" 0

# Leaving the scope while messages wait for the reader: the domain's
# backlog is handed over and written, before anything newer, once the
# reader makes room. None is dropped, none is kept, and the backlog
# empties (it is charged against backlog_max_kb, all domains together).
kill -TERM $daemon
wait $daemon
check "module loads with an 8 KiB relay, serving the router" \
	load_module netns="$R" subbuf_size=4096 n_subbufs=2
check "the daemon attaches again" daemon_start 127.0.0.1:4739
bg ip netns exec $NS_S $UDPFLOWS serve 5300
wait_until 10 udp_bound $NS_S 5300
kill -STOP $daemon
ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 40000 400 200 "$A"/opened
follows_all() {
	[ "$(ctipfix_stat flows_live)" -ge 400 ]
}
check "the router's 400 flows are followed" wait_until 20 follows_all
echo $C >"$PARAMS"/netns
check "the router leaves the scope with records waiting ($(ctipfix_stat backlog_bytes) bytes)" \
	test "$(ctipfix_stat backlog_bytes)" -gt 0
kill -CONT $daemon
check "once the reader is back, each of the 400 ends (forced), once" \
	wait_until 30 records_at_least "$R" 5300 4 400
check_eq "... not twice" "$(records "$R" 5300 4)" 400
check_eq "... nothing dropped" "$(ctipfix_stat records_dropped)" 0
check_eq "... and the backlog is empty" "$(ctipfix_stat backlog_bytes)" 0
check "unload" unload_module
ksft_exit
