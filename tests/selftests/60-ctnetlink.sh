#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Life beside ctnetlink, in every load/unload order: conntrack -E listening
# before the module loads keeps its events while the module runs and after
# it goes; ctnetlink can be unloaded and loaded again under the running
# module, which keeps exporting meanwhile. The daemon rides out a module
# reload. The module never takes conntrack's event notifier slot, so ulogd2
# exporting conntrack's events runs beside it and both see every flow.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir ctnetlink

# exchanges PORT N: N UDP request/replies to PORT, one flow each
exchanges() {
	local i
	for i in $(seq 1 "$2"); do
		echo "hello $i" | ip netns exec $NS_C \
			socat -T0.3 - UDP4:10.0.2.2:"$1",sourceport=$(($1 * 10 + i)) \
			>/dev/null 2>&1
	done
}

final_records() {
	ipfix_records "$A"/ipfix.bin | awk -v p="$1" '$3 == p && $4 != 2' | wc -l
}

# ulogd_flows PORT: how many destroyed entries to PORT ulogd2 handled. Its
# log, not its collector: ulogd2 2.0.8 sends a message only once it is
# full (its flush timer fires once), so a few records wait there.
ulogd_flows() {
	grep -c "Got new packet.*dport = $1)" "$A"/ulogd.log
}

# events_start FILE: conntrack -E in the router, new entries and deaths
events_start() {
	ip netns exec $NS_R conntrack -E -e NEW,DESTROY -p udp >"$1" 2>&1 &
	events=$!
	defer kill $events
	sleep 0.5
}

events_stop() {
	kill $events
	wait $events 2>/dev/null
	events=""
}

# event_count FILE TYPE PORT
event_count() {
	grep -c "\[$2\].*dport=$3 " "$1"
}

# ct_delete PORT: conntrack -D of the router's UDP entries to PORT; prints
# how many it deleted
ct_delete() {
	ip netns exec $NS_R conntrack -D -p udp --dport "$1" 2>&1 >/dev/null |
		sed -n 's/.* \([0-9]*\) flow entries have been deleted.*/\1/p'
}


topology_up
router_short_timeouts
for p in 6201 6202 6203 6204 6205; do
	bg ip netns exec $NS_S socat UDP4-RECVFROM:$p,fork SYSTEM:'echo reply'
done
collector_start 4739 "$A"/ipfix.bin

# 1. ctnetlink first, listening; then the module
check "ctnetlink loads" modprobe nf_conntrack_netlink
events_start "$A"/events1
check "module loads beside a listening conntrack -E" load_module
daemon_run --collector 127.0.0.1:4739,format=biflow
# Entries conntrack -D is to kill must outlive the exchanges (over 2 s in a
# TCG guest): one that expires first dies whenever conntrack's garbage
# collector next runs, up to a minute later, and so does its event.
router_udp_timeout 60
exchanges 6201 3
check "conntrack -E sees the 3 new entries" \
	wait_until 10 prints 3 event_count "$A"/events1 NEW 6201
check_eq "conntrack -D kills the 3 entries" "$(ct_delete 6201)" 3
check "conntrack -E sees the 3 deaths by conntrack -D" \
	wait_until 10 prints 3 event_count "$A"/events1 DESTROY 6201
check "ctipfix exports the 3 final records" \
	wait_until 10 prints 3 final_records 6201
router_udp_timeout 2

# 2. the module goes; conntrack -E carries on
check "module unloads under conntrack -E" unload_module
exchanges 6202 3
check "conntrack -E still sees new entries after the unload" \
	wait_until 10 prints 3 event_count "$A"/events1 NEW 6202
events_stop

# 3. module back (the daemon reattaches), then ctnetlink goes
check "module loads again" load_module
check "ctnetlink unloads under the module" rmmod nf_conntrack_netlink
sleep 1
exchanges 6203 3
check "without ctnetlink, the running daemon delivers 3 final records" \
	wait_until 15 prints 3 final_records 6203

# 4. ctnetlink back under the module
check "ctnetlink loads again under the module" modprobe nf_conntrack_netlink
events_start "$A"/events2
exchanges 6204 3
# listed first: the entries live for the 2 s UDP timeout, which a slow
# (debug) kernel spends on waiting for the events
check "conntrack -L lists entries" \
	bash -c "ip netns exec $NS_R conntrack -L -p udp 2>/dev/null | grep -q dport=6204"
check "conntrack -E sees the new entries" \
	wait_until 10 prints 3 event_count "$A"/events2 NEW 6204
check "ctipfix exports their final records too" \
	wait_until 15 prints 3 final_records 6204
events_stop

# 5. ulogd2 exporting conntrack's destroy events, beside the module
ulogd_conf "$A"/ulogd.log 4739 1 >"$A"/ulogd.conf
ip netns exec $NS_R ulogd -c "$A"/ulogd.conf >/dev/null 2>&1 &
ulogd=$!
defer kill $ulogd
sleep 1
router_udp_timeout 60
exchanges 6205 3
check_eq "conntrack -D kills the 3 entries beside ulogd2" "$(ct_delete 6205)" 3
router_udp_timeout 2
check "beside ulogd2, ctipfix exports the 3 final records" \
	wait_until 15 prints 3 final_records 6205
check "ulogd2 gets the 3 destroyed entries too" \
	wait_until 15 prints 3 ulogd_flows 6205
kill $ulogd
check "module unloads" unload_module
kill -TERM $daemon
wait $daemon
check_eq "ctipfixd exits 0" $? 0
check "ctipfixd said it waited for the module and got it back" \
	grep -q "module back" "$A"/ctipfixd.err
check_eq "no flow exported twice (entries dead before a load are not adopted)" \
	"$(ipfix_records "$A"/ipfix.bin | awk '$4 != 2' | sort | uniq -d | wc -l)" 0
ksft_exit
