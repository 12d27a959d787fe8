#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A collector named by a host name (ctipfixd --collector NAME:PORT). A
# name that does not resolve at start (DNS not up yet at boot) is no
# error: the daemon looks it up again, and what the module wrote meanwhile
# waits for it, then goes out behind its templates. A name that moves to
# another address takes the daemon there, as a new transport session that
# starts with the templates: a collector at the new address decodes the
# very first record it gets. The daemon runs in a mount namespace of its
# own, whose /etc/hosts is this test's file.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir names
NAME=ctipfix-collector.test

topology_up
bg ip netns exec $NS_S socat UDP4-RECVFROM:5400,fork SYSTEM:'echo reply'
check "server is up" wait_until 20 udp_bound $NS_S 5400
check "module loads" load_module
collector_start 4739 "$A"/first.bin
bg socat -u UDP-RECV:4739,bind=127.0.0.2 OPEN:"$A"/second.bin,creat,append
second_bound() {
	ss -Hlun "src 127.0.0.2:4739" | grep -q .
}
check "a second collector on 127.0.0.2" wait_until 10 second_bound

# the daemon's /etc/hosts: written in place, the bind mount follows it
hosts=$(mktemp)
defer rm -f "$hosts"
echo "127.0.0.1 localhost" >"$hosts"
rm -f /run/ctipfixd.stats
unshare -m --propagation private sh -c \
	'mount --bind "$0" /etc/hosts && exec "$@"' "$hosts" \
	"$CTIPFIXD" --foreground --lookup-interval 1 \
	--collector "$NAME:4739,format=biflow" 2>>"$A"/ctipfixd.err &
daemon=$!
defer kill $daemon
check "the daemon starts" wait_until 10 test -s /run/ctipfixd.stats

state_says() {
	daemon_stat collector.0.state >/dev/null &&
		grep -q "^collector.0.state .*$1" /run/ctipfixd.stats
}
check "a name that does not resolve is looked up, not fatal" \
	wait_until 20 state_says "cannot resolve $NAME"
check_eq "... and the daemon goes on" "$(kill -0 $daemon && echo running)" \
	running

# records_from PORT FILE: how many records from client port PORT FILE
# holds, decoded (which needs their templates before them)
records_from() {
	ipfixDump --in "$2" 2>/dev/null |
		grep -cE "sourceTransportPort : *$1\$"
}
# records_are N PORT FILE
records_are() {
	[ "$(records_from "$2" "$3")" = "$1" ]
}
holding() {
	[ "$(daemon_stat holding)" = 1 ]
}
check "an exchange while the name does not resolve" \
	udp_query UDP4:10.0.2.2:5400,sourceport=46001
router_flows_end
check "its record waits for the collector" \
	wait_until 10 holding
check_eq "... and went nowhere" "$(records_from 46001 "$A"/first.bin)" 0

echo "127.0.0.1 $NAME" >"$hosts"
check "once the name resolves, the record goes out behind its templates" \
	wait_until 20 records_are 1 46001 "$A"/first.bin
check "the daemon logged where it sends" \
	grep -q "collector $NAME:4739.*: sending to 127.0.0.1:4739" \
	"$A"/ctipfixd.err

echo "127.0.0.2 $NAME" >"$hosts"
check "a name that moves is followed" \
	wait_until 20 state_says "127.0.0.2:4739"
check_eq "... once" "$(daemon_stat collector.0.moves)" 1
check "an exchange after the move" \
	udp_query UDP4:10.0.2.2:5400,sourceport=46002
router_flows_end
check "the new address decodes its first record: templates came first" \
	wait_until 20 records_are 1 46002 "$A"/second.bin
check_eq "the old address got nothing more" \
	"$(records_from 46002 "$A"/first.bin)" 0
check "the daemon logged the move" \
	grep -q "now at 127.0.0.2:4739 (was 127.0.0.1:4739)" "$A"/ctipfixd.err

# a name whose address in use takes nothing (ICMP port unreachable), but
# which has another: the daemon goes there. First the name moves to an
# address where nothing listens, then it gets a second address.
echo "127.0.0.3 $NAME" >"$hosts"
check "the name moves to an address where nothing listens" \
	wait_until 20 state_says "127.0.0.3:4739"
lookups=$(daemon_stat collector.0.lookups)
printf '127.0.0.3 %s\n127.0.0.2 %s\n' $NAME $NAME >"$hosts"
looked_up_again() {
	[ "$(daemon_stat collector.0.lookups)" -gt $((lookups + 1)) ]
}
check "... and gets a second address" wait_until 20 looked_up_again
check "... and stays where it is: nothing said a datagram was lost" \
	state_says "127.0.0.3:4739"
# exchanges whose records go to 127.0.0.3 until ICMP says they are lost
fails_over() {
	local port

	for port in 46003 46004 46005 46006; do
		udp_query UDP4:10.0.2.2:5400,sourceport=$port
		router_flows_end
		wait_until 5 state_says "127.0.0.2:4739" && return 0
	done
	return 1
}
check "ICMP port unreachable takes it to the name's other address" \
	fails_over
check_eq "... as a move" "$(daemon_stat collector.0.moves)" 3
check "... which the daemon logged" grep -q \
	"127.0.0.3:4739 takes nothing (Connection refused): now at 127.0.0.2:4739" \
	"$A"/ctipfixd.err
check "an exchange after it" udp_query UDP4:10.0.2.2:5400,sourceport=46010
router_flows_end
check "... decoded at the other address: templates came first" \
	wait_until 20 records_are 1 46010 "$A"/second.bin
check "ctipfixd exits 0 on SIGTERM" daemon_stop
bg_stop
ksft_exit
