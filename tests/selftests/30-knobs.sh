#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Knobs: a runtime change of active_timeout or hash_buckets takes effect
# on live flows; invalid writes are refused with EINVAL and the old value
# stays.
source "$(dirname "$0")"/lib.sh
source "$(dirname "$0")"/topology.sh

artifacts_dir knobs

# write_refused KNOB VALUE: the write fails and the value is unchanged
write_refused() {
	local before after
	before=$(cat "$PARAMS/$1")
	if echo "$2" >"$PARAMS/$1" 2>/dev/null; then
		return 1
	fi
	after=$(cat "$PARAMS/$1")
	[ "$before" = "$after" ]
}

topology_up
check "module loads" load_module

for knob in active_timeout template_refresh max_msg_size flush_interval_ms \
	    sweep_rate hash_buckets unload_wait_s; do
	for bad in -1 0 abc "" 1x 99999999999 4294967296; do
		check "$knob refuses '$bad'" write_refused $knob "$bad"
	done
done
check "max_msg_size refuses 287 (below the smallest message)" \
	write_refused max_msg_size 287
check "active_timeout accepts 010" bash -c "echo 010 > $PARAMS/active_timeout"
check_eq "and reads it as ten, not octal eight" "$(cat $PARAMS/active_timeout)" 10
echo 60 >$PARAMS/active_timeout
check "max_msg_size refuses 65536" write_refused max_msg_size 65536
check "observation_domain refuses -1" write_refused observation_domain -1
check "observation_domain refuses 4294967296" \
	write_refused observation_domain 4294967296
check "load-time knob subbuf_size is read-only" \
	bash -c "! echo 8192 > $PARAMS/subbuf_size"
check "hash_buckets refuses 100 (not a power of two)" \
	write_refused hash_buckets 100
check "hash_buckets refuses 8388608 (above 4194304)" \
	write_refused hash_buckets 8388608
check "load-time knob destroy_events is read-only" \
	bash -c "! echo 1 > $PARAMS/destroy_events"
check_eq "destroy_events is off by default" "$(cat $PARAMS/destroy_events)" N
check "sweep_rate refuses 99 (below the floor)" write_refused sweep_rate 99
check "unload_wait_s refuses 3601 (above an hour)" \
	write_refused unload_wait_s 3601
check_eq "unload_wait_s is 60 by default" "$(cat $PARAMS/unload_wait_s)" 60
for v in 1 3600 60; do
	check "unload_wait_s accepts $v" bash -c "echo $v > $PARAMS/unload_wait_s"
	check_eq "... and reads it back" "$(cat $PARAMS/unload_wait_s)" $v
done
check "max_msg_size accepts 9000" bash -c "echo 9000 > $PARAMS/max_msg_size"
check_eq "max_msg_size now 9000" "$(cat $PARAMS/max_msg_size)" 9000
echo 1400 >$PARAMS/max_msg_size

# The passes run on an unbound workqueue an operator can keep to some
# CPUs: pinned to CPU 0, then to the last one, the passes run where they
# are told, as the workqueue tracepoint shows. The guest enables that event
# at boot (tests/qemu/run.sh); here only its recording is turned on.
WQ=/sys/devices/virtual/workqueue/ctipfix
T=/sys/kernel/tracing
EVENT=$T/events/workqueue/workqueue_execute_start
mountpoint -q $T || mount -t tracefs nodev $T
last_cpu=$(($(nproc) - 1))

# pin_passes CPU: the passes' workqueue to CPU alone; the trace emptied
# once a pass queued before may have run
pin_passes() {
	printf '%x' $((1 << $1)) >$WQ/cpumask && sleep 1 && : >$T/trace
}

# pass_cpus: the CPUs the traced passes ran on, as "NNN NNN "
pass_cpus() {
	grep "function ctipfix_export_work" $T/trace |
		sed -n 's/^.*\[\([0-9]*\)\] .*/\1/p' | sort -u | tr '\n' ' '
}

check "the pass's workqueue has a writable cpumask" test -w $WQ/cpumask
check_eq "the workqueue event was enabled at boot" "$(cat $EVENT/enable)" 1
check "its cpumask accepts CPU 0 alone" pin_passes 0
echo 1 >$T/tracing_on

# A steady flow with active_timeout=60 gives no interim record in a few
# seconds; after writing 1 it does, without reloading anything.
ip netns exec $NS_S socat -u UDP4-RECV:7777 OPEN:/dev/null &
srv=$!
check "the flow's receiver is up" wait_until 10 udp_bound $NS_S 7777
(for i in $(seq 1 60); do echo "tick $i"; sleep 0.2; done |
	ip netns exec $NS_C socat -u - UDP4:10.0.2.2:7777,sourceport=40001) &
gen=$!
sleep 4
check_eq "no interim record at active_timeout=60" "$(ctipfix_stat records_interim)" 0
check_eq "the passes ran on CPU 0 only" "$(pass_cpus)" "000 "
check "the cpumask accepts CPU $last_cpu alone" pin_passes $last_cpu
check "active_timeout accepts 1 at runtime" \
	bash -c "echo 1 > $PARAMS/active_timeout"
# two within 20 s (four in 4 s on a quiet guest): none would come in a
# minute at the old value
wait_until 20 prints_at_least 2 ctipfix_stat records_interim
n=$(ctipfix_stat records_interim)
check "interim records follow at active_timeout=1 (got $n)" test "$n" -ge 2
check "the module keeps working after refused writes" "$CTIPFIXCTL" stats
check_eq "the passes ran on CPU $last_cpu only" "$(pass_cpus)" \
	"$(printf '%03d ' $last_cpu)"
echo 0 >$T/tracing_on
kill $gen $srv 2>/dev/null
wait 2>/dev/null

# hash_buckets at runtime: 1000 live flows grow the router's table from 64
# to 512 buckets; lowered to 128, the next pass shrinks it to 128; raised
# again, it grows back. The flows live on and each gets its final record.
echo 60 >$PARAMS/active_timeout
router_udp_timeout 600
bg ip netns exec $NS_S $UDPFLOWS serve 5300
check "the flows' server is up" wait_until 10 udp_bound $NS_S 5300
ip netns exec $NS_C conntrack -F 2>/dev/null
ip netns exec $NS_R conntrack -F 2>/dev/null
check "no flow followed" wait_until 10 ctipfix_settled
buckets0=$(ctipfix_stat flow_buckets)
final0=$(ctipfix_stat records_final)
ip netns exec $NS_C $UDPFLOWS open 10.0.2.2 5300 30000 1000 500 "$A"/opened
check_eq "1000 flows opened" "$(wc -l <"$A"/opened)" 1000
check "they grow the router's table to 512 buckets" \
	wait_until 10 prints $((buckets0 + 512 - 64)) ctipfix_stat flow_buckets
check "hash_buckets accepts 128 at runtime" \
	bash -c "echo 128 > $PARAMS/hash_buckets"
check "the next pass shrinks the table to 128 buckets" \
	wait_until 10 prints $((buckets0 + 128 - 64)) ctipfix_stat flow_buckets
check "hash_buckets accepts 1048576 again" \
	bash -c "echo 1048576 > $PARAMS/hash_buckets"
check "the table grows back to 512 buckets" \
	wait_until 10 prints $((buckets0 + 512 - 64)) ctipfix_stat flow_buckets
live=$(ctipfix_stat flows_live)
check "the flows are followed still ($live)" test "$live" -ge 1000
ip netns exec $NS_R conntrack -F 2>/dev/null
check "every flow settled" wait_until 30 ctipfix_settled
final=$(($(ctipfix_stat records_final) - final0))
check "each has its final record ($final)" test "$final" -ge 1000
check_eq "none dropped" "$(ctipfix_stat records_dropped)" 0
ksft_exit
