#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What a hostile edge router does to the module, one item at a time:
# - max_msg_size at its bounds: the smallest message the builder opens
#   (header, the longest template, the longest record: 288 bytes) is the
#   floor, and full-template IPv6 records of translated flows (NAT66),
#   with templates due, fill such messages without writing past them
#   (slub_debug's red zones would say so);
# - conntrack's counters zeroed (conntrack -L -z) under a live flow: the next
#   record carries what was counted since, not 2^52 bytes;
# - a module reload under a live flow: what its records carry adds up to
#   conntrack's own counters exactly, nothing counted twice; accounting
#   an operator changed meanwhile is left as the operator set it;
# - root in another network namespace (a container with CAP_NET_ADMIN):
#   the family is out of its reach, it can neither read nor flush;
# - twenty namespaces deleted while the daemon is stopped and the relay is
#   full: namespace creation and other generic netlink families are not
#   held up, and every final record reaches the collector once the daemon
#   is back;
# - a relay reader whose buffer page faults forever (userfaultfd) holds up
#   no export pass; one whose buffer is read-only gets EFAULT, losing
#   nothing;
# - a tenant (any namespace but the initial one) fills at most half the
#   backlog, so the host's records still find room;
# - namespaces where conntrack never runs cost no pass;
# - the scope toggled and the module reloaded under new flows.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir hostile
HOSTS=""
HOST_NFT=
# the namespaces and the host's table this test makes, as they are at exit
defer 'for h in $HOSTS probe; do ip netns del $h; done'
defer '[ -n "$HOST_NFT" ] && nft delete table inet ctipfix_host'

# exchange SPORT N: N request/reply datagrams client -> server:5300 from
# source port SPORT, one conntrack entry
exchange() {
	ip netns exec $NS_C python3 - "$1" "$2" <<-'PY'
	import socket, sys
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(("0.0.0.0", int(sys.argv[1])))
	s.settimeout(2)
	for i in range(int(sys.argv[2])):
	    s.sendto(b"x" * 20, ("10.0.2.2", 5300))
	    s.recv(2048)
	PY
}

# ipfix_counts FILE: "DOMAIN SPORT PKTS OCTETS RPKTS ROCTETS REASON" per
# data record ipfixDump decodes
ipfix_counts() {
	ipfixDump --in "$1" 2>/dev/null | awk '
		function out() { if (r != "") print dom, sp, p, o, rp, ro, r; r = "" }
		/^--- / { out() }
		/observation domain id:/ { dom = $NF }
		/--- data record/ { sp = "-"; p = o = rp = ro = 0 }
		/ sourceTransportPort :/ { sp = $NF }
		/ packetDeltaCount :/ { p = $NF }
		/ octetDeltaCount :/ { o = $NF }
		/ reversePacketDeltaCount :/ { rp = $NF }
		/ reverseOctetDeltaCount :/ { ro = $NF }
		/ flowEndReason :/ { r = $NF }
		END { out() }'
}

# flow_sums SPORT: "PKTS OCTETS RPKTS ROCTETS" over every record of the flow
flow_sums() {
	ipfix_counts "$A"/ipfix.bin | awk -v s="$1" '$2 == s {
		p += $3; o += $4; rp += $5; ro += $6 }
		END { print p + 0, o + 0, rp + 0, ro + 0 }'
}

# flow_records SPORT [REASON]: how many records of the flow arrived
flow_records() {
	ipfix_counts "$A"/ipfix.bin |
		awk -v s="$1" -v r="${2:-}" '$2 == s && (r == "" || $7 == r)' |
		wc -l
}

# ct_counts SPORT: the router's "PKTS OCTETS RPKTS ROCTETS" of the flow
ct_counts() {
	ip netns exec $NS_R conntrack -L -p udp --sport "$1" -o extended \
		2>/dev/null | sed -n 's/.*packets=\([0-9]*\) bytes=\([0-9]*\).*packets=\([0-9]*\) bytes=\([0-9]*\).*/\1 \2 \3 \4/p'
}

# msg_sizes FILE: the length of each IPFIX message in FILE, one a line;
# "bad" where a header is not IPFIX's
msg_sizes() {
	python3 - "$1" <<-'PY'
	import struct, sys
	d = open(sys.argv[1], "rb").read()
	i = 0
	while i + 16 <= len(d):
	    v, n = struct.unpack_from(">HH", d, i)
	    if v != 10 or n < 16:
	        print("bad")
	        break
	    print(n)
	    i += n
	PY
}

start_daemon() {
	daemon_run --collector 127.0.0.1:4739,format=biflow
}

topology_up
router_udp_timeout 600
bg ip netns exec $NS_S $UDPFLOWS serve 5300
collector_start 4739 "$A"/ipfix.bin
collector_bound() {
	ss -Hlun "sport = :4739" | grep -q .
}
check "the server is up" wait_until 10 udp_bound $NS_S 5300
check "the collector is up" wait_until 10 collector_bound
# the client's operator had accounting on before the module came
ip netns exec $NS_C sysctl -qw net.netfilter.nf_conntrack_acct=1
check "module loads" load_module
start_daemon

# --- max_msg_size at its floor ---
FLOOR=288
check "max_msg_size refuses $((FLOOR - 1)) (template + the longest record = $FLOOR)" \
	bash -c "! echo $((FLOOR - 1)) > $PARAMS/max_msg_size"
check "max_msg_size accepts $FLOOR" bash -c "echo $FLOOR > $PARAMS/max_msg_size"
echo 1 >$PARAMS/template_refresh
# the longest record: ICMPv6 (the full template) of a translated flow
ip netns exec $NS_R nft -f - <<-NFT
table ip6 ctipfix_nat66 {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "r1" masquerade
	}
}
NFT
for i in $(seq 1 12); do
	ip netns exec $NS_C ping -6 -q -c 1 -W 1 fd00:2::2 >/dev/null
done
sleep 1.1	# templates due again
"$CTIPFIXCTL" flush
icmp6_records() {
	[ "$(ipfixDump --in "$A"/ipfix.bin 2>/dev/null |
		grep -c 'postNATSourceIPv6Address :')" -ge 12 ]
}
check "the translated ICMPv6 flows' records arrive" wait_until 10 icmp6_records
ip netns exec $NS_R nft delete table ip6 ctipfix_nat66
msg_sizes "$A"/ipfix.bin >"$A"/sizes
check "every message is IPFIX" bash -c "! grep -q bad $A/sizes"
check_eq "no message above $FLOOR bytes" "$(awk -v f=$FLOOR '$1 > f' "$A"/sizes | wc -l)" 0
check "messages of exactly $FLOOR bytes were written (the bound was reached)" \
	grep -qx $FLOOR "$A"/sizes
echo 1400 >$PARAMS/max_msg_size
echo 60 >$PARAMS/template_refresh

# --- counters zeroed under a live flow ---
exchange 41002 10
"$CTIPFIXCTL" flush
check "the flow's first record arrives" wait_until 10 prints_at_least 1 flow_records 41002
ip netns exec $NS_R conntrack -L -z >/dev/null 2>&1
exchange 41002 3
"$CTIPFIXCTL" flush
check "its record after conntrack -L -z arrives" wait_until 10 prints_at_least 2 flow_records 41002
last=$(ipfix_counts "$A"/ipfix.bin | awk '$2 == 41002' | tail -1)
check_eq "that record counts the 3 exchanges since conntrack -L -z" \
	"$(echo "$last" | awk '{ print $3, $5 }')" "3 3"
check_eq "the flow's records add up to what passed: 13 each way" \
	"$(flow_sums 41002 | awk '{ print $1, $3 }')" "13 13"

# --- a reload under a live flow ---
exchange 41001 5
# ... and turns it off while the module serves: unload must not undo that
ip netns exec $NS_C sysctl -qw net.netfilter.nf_conntrack_acct=0
check "unload under the live flow" unload_module
check_eq "the operator's later accounting setting survives unload" \
	"$(ip netns exec $NS_C sysctl -n net.netfilter.nf_conntrack_acct)" 0
check "its final record at unload arrives" wait_until 10 prints_at_least 1 flow_records 41001 4
check "load again" load_module
reattached() {
	ls -l /proc/$daemon/fd 2>/dev/null | grep -q data0
}
check "the daemon reattaches" wait_until 10 reattached
exchange 41001 2
ct=$(ct_counts 41001)
ip netns exec $NS_R conntrack -D -p udp --sport 41001 >/dev/null 2>&1
check "the reloaded module's final record arrives" \
	wait_until 10 prints_at_least 2 flow_records 41001 4
check_eq "records over the reload add up to conntrack's counters ($ct)" \
	"$(flow_sums 41001)" "$ct"

# --- a daemon that detaches after opening the relay still acknowledges ---
kill $daemon
wait $daemon 2>/dev/null
rm -f /run/ctipfixd.stats	# the foreground daemon's, not this one's
# what a detached daemon says goes to syslog; the guest has none: a sink
bg socat -u UNIX-RECV:/dev/log OPEN:"$A"/syslog,creat,append
check "a syslog sink listens" wait_until 10 test -S /dev/log
# a link where the stats file's temporary copy used to be written
ln -sf "$A"/victim /run/ctipfixd.stats.tmp
(umask 077; exec "$CTIPFIXD" --collector 127.0.0.1:4739,format=biflow 2>>"$A"/ctipfixd.err)
check "ctipfixd detaches" test $? = 0
exchange 41003 2
"$CTIPFIXCTL" flush
check "the detached daemon delivers" wait_until 10 prints_at_least 1 flow_records 41003
acked_clean() {
	[ "$(daemon_stat ack_errors)" = 0 ] &&
		daemon_stat_positive read_messages
}
check "none of its acknowledgments refused" wait_until 10 acked_clean
check_eq "its stats file names it, and is readable whatever its umask" \
	"$(daemon_stat pid) $(stat -c %a /run/ctipfixd.stats)" \
	"$(pgrep -x ctipfixd) 644"
check "nothing was written through the link" test ! -e "$A"/victim
rm -f /run/ctipfixd.stats.tmp
pkill -USR1 -x ctipfixd
check "its counters reach syslog on SIGUSR1" wait_until 10 \
	grep -qE "ctipfixd\[[0-9]+\]: collector\.0\.sent [1-9]" "$A"/syslog
pkill -x ctipfixd
check "it stops" wait_until 10 bash -c "! pgrep -x ctipfixd"
check "... and takes its stats file with it" test ! -e /run/ctipfixd.stats
start_daemon

# --- root in another namespace ---
check "ctipfixctl stats fails from another namespace" \
	bash -c "! ip netns exec $NS_C $CTIPFIXCTL stats >/dev/null 2>&1"
# A flush sends an interim record for each live flow (41003's at least);
# with active_timeout far off, nothing else does. (Finals are no sign:
# the pings above expire whenever they do.)
echo 3600 >"$PARAMS"/active_timeout
interim=$(ctipfix_stat records_interim)
check "ctipfixctl flush fails from another namespace" \
	bash -c "! ip netns exec $NS_C $CTIPFIXCTL flush >/dev/null 2>&1"
check_eq "and flushed nothing" "$(ctipfix_stat records_interim)" "$interim"
echo 60 >"$PARAMS"/active_timeout

# --- namespaces deleted with the daemon stopped and the relay full ---
kill $daemon
wait $daemon 2>/dev/null
unload_module
check "load with an 8 KiB relay" load_module subbuf_size=4096 n_subbufs=2
# host_with_a_flow NS: a namespace whose conntrack follows one UDP flow,
# alive until the namespace goes, however slow the guest (one netns exec:
# twenty of them side by side take a few seconds, not a minute)
host_with_a_flow() {
	ip netns add "$1"
	ip netns exec "$1" sh -ec '
		ip link set lo up
		printf "%s\n" "add table inet t" \
			"add chain inet t o { type filter hook output priority 0; ct state new accept; }" |
			nft -f -
		sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600
		echo x | socat -u - UDP4:127.0.0.1:9999'
}
declare -A inum
setups=""
for i in $(seq 1 20); do
	HOSTS="$HOSTS cth$i"
	host_with_a_flow cth$i &
	setups="$setups $!"
done
failed_setups=0
for pid in $setups; do
	wait $pid || failed_setups=$((failed_setups + 1))
done
check_eq "twenty namespaces, each with a flow" $failed_setups 0
for h in $HOSTS; do
	inum[$h]=$(stat -L -c %i /run/netns/$h)
done
ip netns exec $NS_C $UDPFLOWS burst 10.0.2.2 5300 30000 400 "$A"/burst >/dev/null
"$CTIPFIXCTL" flush
check "the relay is full: messages wait in the backlog" \
	test "$(ctipfix_stat backlog_bytes)" -gt 0
live0=$(ctipfix_stat flows_live)
for h in $HOSTS; do
	ip netns del $h
done
# A flush meanwhile: it must not sit on genl_mutex (every generic netlink
# family's) while it waits for the namespaces.
"$CTIPFIXCTL" flush &
flusher=$!
sleep 0.2
t0=$(date +%s%N)
timeout 20 devlink dev show >/dev/null 2>&1
t1=$(date +%s%N)
ip netns add probe
t2=$(date +%s%N)
wait $flusher
ip netns del probe
genl_ms=$(((t1 - t0) / 1000000))
add_ms=$(((t2 - t1) / 1000000))
echo "# devlink took ${genl_ms} ms, ip netns add ${add_ms} ms"
# each exit used to hold the namespaces' lock for up to 2 s while it
# waited for a reader, and the flush genl_mutex while it waited for that:
# 20 exits, up to 40 s
check "another genl family answers meanwhile (${genl_ms} ms)" \
	test $genl_ms -lt $((1500 * SLOW))
check "ip netns add is not held up by the exits (${add_ms} ms)" \
	test $add_ms -lt $((1500 * SLOW))
gone() {
	[ "$(ctipfix_stat flows_live)" -le $((live0 - 20)) ]
}
# twenty exits used to wait 2 s each, one after another
check "the twenty exits end within 10 s, their flows with them" \
	wait_until 10 gone
start_daemon
drained() {
	[ "$(ctipfix_stat backlog_bytes)" = 0 ]
}
check "the daemon drains every backlog" wait_until 30 drained
host_finals() {
	ipfix_counts "$A"/ipfix.bin | awk '$7 == 4 { print $1 }' | sort -u |
		comm -12 - "$A"/host_domains >"$A"/host_domains_seen
	[ "$(wc -l <"$A"/host_domains_seen)" -ge 20 ]
}
for h in $HOSTS; do
	echo "${inum[$h]}"
done | sort >"$A"/host_domains
wait_until 10 host_finals
check_eq "each deleted namespace's final record reached the collector" \
	"$(wc -l <"$A"/host_domains_seen)" 20
check_eq "nothing was dropped" "$(ctipfix_stat records_dropped)" 0
HOSTS=""

# --- a tenant cannot crowd the host out of the backlog ---
# With a 16 KiB bound and no reader, the router's (a tenant's) messages
# may fill half of it; the initial namespace's still find room.
kill $daemon
wait $daemon 2>/dev/null
unload_module
load_module subbuf_size=4096 n_subbufs=2 backlog_max_kb=16
ip netns exec $NS_C $UDPFLOWS burst 10.0.2.2 5300 31000 600 "$A"/burst2 >/dev/null
"$CTIPFIXCTL" flush
tenant_bytes=$(ctipfix_stat backlog_bytes)
dropped=$(ctipfix_stat messages_dropped)
check "the tenant's messages past its half are dropped ($dropped)" \
	test "$dropped" -gt 0
check "the tenant holds at most half the bound ($tenant_bytes bytes)" \
	test "$tenant_bytes" -le 8192
nft -f - <<-NFT
table inet ctipfix_host {
	chain output {
		type filter hook output priority 0; policy accept;
		ct state new counter accept
	}
}
NFT
HOST_NFT=1
# 150 flows: more than the relay has left (less than one message), less
# than the half of the bound the tenant left free
bg $UDPFLOWS serve 9999
check "a server on the host" wait_until 10 udp_bound_here 9999
$UDPFLOWS burst 127.0.0.1 9999 42001 150 "$A"/hostburst
"$CTIPFIXCTL" flush
check "the host's messages are kept ($(ctipfix_stat backlog_bytes) bytes)" \
	test "$(ctipfix_stat backlog_bytes)" -gt "$tenant_bytes"
nft delete table inet ctipfix_host
HOST_NFT=
start_daemon
check "the daemon drains them" wait_until 30 drained
# the flush also reported the router's flows again, past its half: those
# were dropped, the host's (observation domain 0) were not
host_records() {
	ipfix_counts "$A"/ipfix.bin |
		awk '$1 == 0 && $2 >= 42001 && $2 <= 42150 { print $2 }' |
		sort -u | wc -l
}
host_records_all() {
	[ "$(host_records)" = 150 ]
}
check "each of the host's 150 flows reached the collector" \
	wait_until 10 host_records_all
kill $daemon
wait $daemon 2>/dev/null
unload_module
load_module
start_daemon

# --- namespaces where conntrack never runs cost no pass ---
for i in $(seq 1 30); do
	HOSTS="$HOSTS cti$i"
done
printf 'netns add %s\n' $HOSTS | ip -force -batch -
check_eq "thirty idle namespaces" \
	"$(ip netns list | grep -cE '^cti[0-9]+( |$)')" 30
sleep 1
s0=$(ctipfix_stat scans)
sleep 3
s1=$(ctipfix_stat scans)
echo "# passes in 3 s with 30 idle namespaces: $((s1 - s0))"
# each served namespace with flows has 6 in 3 s; the idle ones none
check "30 idle namespaces add no passes ($((s1 - s0)) in 3 s)" \
	test $((s1 - s0)) -lt 30
printf 'netns del %s\n' $HOSTS | ip -force -batch -
HOSTS=""

# --- a reader whose copy waits holds up no writer ---
# relaystall reads the relay into pages it leaves missing (userfaultfd)
# until told to fill them: a copy made under the lock the writers take
# would hold every export pass behind that page fault.
kill $daemon
wait $daemon 2>/dev/null
written=$(ctipfix_stat messages_written)
ip netns exec $NS_C $UDPFLOWS burst 10.0.2.2 5300 43001 20 "$A"/stall1 >/dev/null
"$CTIPFIXCTL" flush
written_more() {
	[ "$(ctipfix_stat messages_written)" -gt "$written" ]
}
check "no reader, and the relay has messages to read" wait_until 10 written_more
# its stdin, which it reads to the end once its copy waits: a pipe on
# the guest's tmpfs (QEMU's 9p server refuses to open special files)
STALL_GO=/tmp/ctipfix-stall-go
rm -f $STALL_GO
mkfifo $STALL_GO
"$RELAYSTALL" "$RELAY" <$STALL_GO >"$A"/stall-out 2>&1 &
stall=$!
exec {stall_go}>$STALL_GO
check "a reader's copy waits for its missing buffer" \
	wait_until 20 grep -qx stalled "$A"/stall-out
check "before that, a read into a read-only page got EFAULT" \
	grep -qx "readonly EFAULT" "$A"/stall-out
written=$(ctipfix_stat messages_written)
ip netns exec $NS_C $UDPFLOWS burst 10.0.2.2 5300 43101 20 "$A"/stall2 >/dev/null
ip netns exec $NS_R conntrack -F 2>/dev/null
check "meanwhile the export pass writes the flows that ended" \
	wait_until 10 written_more
exec {stall_go}>&-
check "once its buffer is there, its read returns" \
	wait_until 20 grep -q '^read ' "$A"/stall-out
wait $stall
rm -f $STALL_GO
read -r word bytes version < <(grep '^read ' "$A"/stall-out)
echo "# the stalled reader: $word $bytes $version"
# from a message's start: the read that failed took nothing
check "... whole messages ($bytes bytes, IPFIX version ${version:-none})" \
	test "$word" = read -a "${bytes:-0}" -gt 0 -a "${version:-0}" = 10
start_daemon

# --- the scope toggled, and the module reloaded, under new flows ---
# A hook still running when its namespace stops being served would hand
# over a flow after the last pass (flow.c WARNs, the dmesg check fails).
C=$(stat -L -c %i /run/netns/$NS_C)
ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 50000 3000 500 \
	"$A"/churn >/dev/null &
churn=$!
for i in $(seq 1 10); do
	echo "$C" >$PARAMS/netns
	echo all >$PARAMS/netns
done
check_eq "the scope is all again after ten toggles" "$(cat $PARAMS/netns)" all
kill $daemon
wait $daemon 2>/dev/null
for i in $(seq 1 5); do
	unload_module && load_module || break
done
check "five reloads under new flows" test "$i" = 5
wait $churn
start_daemon
ip netns exec $NS_R conntrack -F 2>/dev/null
check "every flow settles" wait_until 30 ctipfix_settled
kill $daemon
wait $daemon 2>/dev/null
check "unload" unload_module
ksft_exit
