#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TAP helpers for the guest selftests, kselftest style: "ok N desc" /
# "not ok N desc", a plan at the end, exit 0 pass, 1 fail, 4 skip.
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

ksft_n=0
ksft_failed=0

echo "TAP version 13"

# defer COMMAND: cleanup, registered where the thing it undoes is made, run
# when the test exits, the last registered first (as the kernel's
# tools/testing/selftests/net/lib.sh does). COMMAND is a string expanded
# when it runs: defer 'kill $daemon' stops whichever daemon runs then.
deferred=()
defer() {
	deferred+=("$*")
}

defer_run() {
	local i

	for ((i = ${#deferred[@]} - 1; i >= 0; i--)); do
		eval "${deferred[i]}" 2>/dev/null
	done
	deferred=()
}
trap defer_run EXIT

# KSFT_TIMES (set by the guest's runner): a file that gets "SECONDS N" for
# each test point, the seconds since the test started, to show where a
# test spends its time
ksft_stamp() {
	[ -n "${KSFT_TIMES:-}" ] && echo "$SECONDS $ksft_n" >>"$KSFT_TIMES"
	true
}

ksft_ok() {
	ksft_n=$((ksft_n + 1))
	ksft_stamp
	echo "ok $ksft_n $*"
}

ksft_not_ok() {
	ksft_n=$((ksft_n + 1))
	ksft_failed=$((ksft_failed + 1))
	ksft_stamp
	echo "not ok $ksft_n $*"
}

# check DESC COMMAND...: one test point from a command's exit status
check() {
	local desc=$1
	shift
	if "$@"; then
		ksft_ok "$desc"
	else
		ksft_not_ok "$desc"
	fi
}

# check_eq DESC GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then
		ksft_ok "$1"
	else
		ksft_not_ok "$1 (got '$2', want '$3')"
	fi
}

ksft_exit() {
	echo "1..$ksft_n"
	[ "$ksft_failed" -eq 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
}

ksft_skip() {
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

: "${CTIPFIX_ROOT:?run me in the guest harness}"
CTIPFIXD=$CTIPFIX_ROOT/userspace/ctipfixd/ctipfixd
CTIPFIXCTL=$CTIPFIX_ROOT/userspace/ctipfixctl/ctipfixctl
PARAMS=/sys/module/ctipfix/parameters
RELAY=/sys/kernel/debug/ctipfix/data0
UDPFLOWS=$CTIPFIX_ROOT/build/selftests/udpflows
CTPEAK=$CTIPFIX_ROOT/build/selftests/ctpeak
RELAYSTALL=$CTIPFIX_ROOT/build/selftests/relaystall

# kernel_hz: the guest kernel's CONFIG_HZ
kernel_hz() {
	local c
	for c in /boot/config-"$(uname -r)" "$CTIPFIX_BUILD"/kernel/obj/.config; do
		[ -f "$c" ] && sed -n 's/^CONFIG_HZ=//p' "$c" && return
	done
}

# stop_idle PID: SIGSTOP the daemon PID where it waits for data, in poll(),
# between rounds: every message it sent went to each collector it could,
# and was acknowledged. Stopped first, so that /proc/PID/syscall says where
# it is (poll(2) is 7 on x86-64, ppoll 271); else it goes on, and again.
stop_idle() {
	local i nr

	for i in $(seq 1 200); do
		kill -STOP "$1"
		nr=$(cut -d' ' -f1 /proc/"$1"/syscall 2>/dev/null)
		[ "$nr" = 7 ] || [ "$nr" = 271 ] && return 0
		kill -CONT "$1"
		sleep 0.02
	done
	return 1
}

# daemon_stat NAME: one of the running ctipfixd's counters, from the
# "name value" lines of its stats file
daemon_stat() {
	awk -v name="$1" '$1 == name { print $2 }' /run/ctipfixd.stats 2>/dev/null
}

# daemon_caught_up: the daemon has read every message the module wrote,
# flow messages and reports, holds none back now, and each collector has
# had each (what its stats file, a second old at most, says). After a
# `ctipfixctl flush`, which writes the module's open message out, it means
# the collectors were sent everything.
daemon_caught_up() {
	[ "$(daemon_stat read_messages)" = "$(ctipfix_stat messages_written)" ] &&
		[ "$(daemon_stat holding)" = 0 ] &&
		[ "$(daemon_stat queued)" = 0 ]
}

# daemon_stat_positive NAME: has that counter counted anything?
daemon_stat_positive() {
	[ "$(daemon_stat "$1")" -gt 0 ] 2>/dev/null
}

# DAEMON_CPU: the CPU daemon_run keeps ctipfixd on; none unless a test
# sets it. Loopback queues a datagram on the sending CPU's backlog. When a
# softirq run is deferred to ksoftirqd (often under TCG, constant on the
# debug kernel), a datagram sent next from the other CPU can be delivered
# first, and nfdump counts the swap as a sequence failure (39 and 60 in
# 97-scale on the debug kernel). A NIC keeps a connected socket's
# datagrams on one queue; one CPU does the same here. Tests that expect
# nfdump to count no sequence failure set it.
DAEMON_CPU=

# daemon_run ARG...: ctipfixd in the foreground with these arguments, its
# messages appended to $A/ctipfixd.err, its pid in $daemon (stopped at
# exit); returns once it has the relay open, which it does before it first
# writes its stats file, or fails after 10 s
daemon_run() {
	local on_cpu=()

	[ -n "$DAEMON_CPU" ] && on_cpu=(taskset -c "$DAEMON_CPU")
	rm -f /run/ctipfixd.stats
	"${on_cpu[@]}" "$CTIPFIXD" --foreground "$@" 2>>"$A"/ctipfixd.err &
	daemon=$!
	defer kill $daemon
	wait_until 10 test -s /run/ctipfixd.stats
}

# daemon_start COLLECTOR...: daemon_run sending to each, paced at the
# tests' COLLECTOR_RATE. The tests read the module's own encoding: a
# collector is sent biflow unless it names its format (HOST:PORT,format=F).
daemon_start() {
	local c args=(--rate "$COLLECTOR_RATE")

	for c in "$@"; do
		[[ $c == *,* ]] || c=$c,format=biflow
		args+=(--collector "$c")
	done
	daemon_run "${args[@]}"
}

# collector_start PORT [FILE]: a collector on 127.0.0.1:PORT that keeps
# what it receives in FILE (appended; none by default), ready once bound
collector_start() {
	bg socat -u UDP-RECV:"$1",bind=127.0.0.1 OPEN:"${2:-/dev/null}",creat,append
	wait_until 10 udp_bound_here "$1"
}

# decoders_start: what the decoders read the export from: the datagrams
# to 127.0.0.1:4739 as a file (ipfixDump) and as a capture (tshark), and
# nfcapd on 4740 (nfdump); the daemon then sends to both ports
decoders_start() {
	bg dumpcap -q -i lo -f "udp port 4739" -w "$A"/ipfix.pcap
	collector_start 4739 "$A"/ipfix.bin
	bg nfcapd -w "$A"/nfcapd -b 127.0.0.1 -p 4740 -t 3600
}

# nfacctd_start PORT FILE [PRIMITIVE...]: pmacct's nfacctd on
# 127.0.0.1:PORT, its flows keyed by the 5-tuple and each PRIMITIVE, as
# JSON lines appended to FILE every second; ready once bound. It does not
# stop on SIGTERM: it goes at exit with SIGKILL, its plugin too. Not a
# child of the test, whose `wait` it would hold.
#
# The print plugin is fed over ZeroMQ, not nfacctd's shared ring: in
# 1.7.7 the plugin reads a ring slot ahead, and a wakeup the core sends
# for that slot once it has been read makes the plugin rewind and count
# it again (print_plugin.c, exec_plugins() in plugin_hooks.c), silently
# unless debug is on. A stall of the core between the two (a preemption
# on PREEMPT_RT) once doubled a record in CI; forced, it doubles nearly
# every burst's last record, and over ZeroMQ none.
nfacctd_start() {
	local port=$1 file=$2 conf=$A/nfacctd-$1.conf key
	local keys="src_host, dst_host, src_port, dst_port, proto"

	shift 2
	for key in "$@"; do
		keys="$keys, $key"
	done
	cat >"$conf" <<-CONF
	daemonize: false
	nfacctd_ip: 127.0.0.1
	nfacctd_port: $port
	plugins: print
	print_output: json
	print_output_file: $file
	print_output_file_append: true
	print_refresh_time: 1
	aggregate: $keys
	nfacctd_net: netflow
	use_ip_next_hop: true
	pidfile: $A/nfacctd-$port.pid
	plugin_pipe_zmq: true
	CONF
	(setsid nfacctd -f "$conf" >"$A"/nfacctd-$port.log 2>&1 &)
	defer "kill -KILL -- -\$(cat $A/nfacctd-$port.pid)"
	wait_until 30 udp_bound_here "$port"
}

# records_at_least N REGEX: ipfixDump decodes at least N data records
# from source ports matching REGEX in the collector's $A/ipfix.bin
records_at_least() {
	[ "$(ipfixDump --in "$A"/ipfix.bin 2>/dev/null |
		grep -cE "sourceTransportPort : *($2)\$")" -ge "$1" ]
}

# compress_ipv6: each IPv6 address on stdin in its short form, as tshark
# and nfdump print it (ipfixDump writes each group whole)
compress_ipv6() {
	python3 -c 'import ipaddress, sys
for line in sys.stdin:
	print(" ".join(str(ipaddress.ip_address(w)) if ":" in w else w
		       for w in line.split()))'
}

# nfacctd_printed FILE PORT...: nfacctd's print plugin (which writes what
# it got once a second) has written a record from each source PORT
nfacctd_printed() {
	local file=$1 port

	shift
	for port in "$@"; do
		grep -qE "\"port_src\": ?$port[,}]" "$file" 2>/dev/null || return 1
	done
}

# udp_query SOCAT-ADDRESS: from the client, one query, its reply
udp_query() {
	echo query | ip netns exec $NS_C socat -T2 - "$1" >/dev/null
}

# SLOW: how many times a wall-clock bound is stretched on this kernel: 3
# on the debug kernel of `make check-debug` (KASAN, lockdep, kmemleak:
# several times slower under TCG), 1 on the kernels of `make check`
SLOW=1
[ -e /sys/kernel/debug/kmemleak ] && SLOW=3

# COLLECTOR_RATE: datagrams a second the guest's collectors keep up with.
# Under TCG nfcapd reads several times slower than on a host, and even
# unpaced ctipfixd overflows its default receive buffer (97-scale with
# --rate 0: 57 of 2180 datagrams lost); the daemon's default rate is
# for collectors on real hardware.
COLLECTOR_RATE=1000

# udp_rcvbuf_errors: datagrams dropped for a full receive buffer, in this
# (the collectors') namespace
udp_rcvbuf_errors() {
	awk '$1 == "Udp:" && !n++ { for (i = 2; i <= NF; i++) col[$i] = i; next }
	     $1 == "Udp:" { print $col["RcvbufErrors"] }' /proc/net/snmp
}

# artifacts_dir NAME [SUBDIR...]: a fresh $CTIPFIX_ARTIFACTS/NAME, in $A,
# for the files a test leaves behind
artifacts_dir() {
	local d

	A=$CTIPFIX_ARTIFACTS/$1
	rm -rf "$A"
	mkdir -p "$A"
	shift
	for d in "$@"; do
		mkdir -p "$A/$d"
	done
}

# bg COMMAND...: start in the background, remembered in $pids, stopped at
# exit
pids=""
bg() {
	"$@" &
	pids="$pids $!"
	defer kill $!
}

# bg_stop: what bg started ends (SIGTERM), waited for
bg_stop() {
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null
	wait 2>/dev/null
	pids=""
}

# daemon_stop: ctipfixd stops as on SIGTERM, sending what it read first;
# returns its exit status
daemon_stop() {
	local rc

	[ -n "$daemon" ] || return 0	# a bare wait would wait for all
	kill -TERM $daemon
	wait $daemon
	rc=$?
	daemon=""
	return $rc
}

# wait_until SECONDS COMMAND...: poll until the command succeeds
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.2
	done
}

# prints WANT COMMAND...: what the command prints is WANT; with
# wait_until, a wait for a count or a gauge to reach a value
prints() {
	local want=$1

	shift
	[ "$("$@")" = "$want" ]
}

# prints_at_least N COMMAND...: the command prints a number, at least N
prints_at_least() {
	local least=$1

	shift
	[ "$("$@")" -ge "$least" ] 2>/dev/null
}

# udp_bound NS PORT: a UDP socket is bound to PORT in namespace NS. A
# sender that starts before its receiver gets an ICMP port unreachable,
# and socat stops at the first one.
udp_bound() {
	ip netns exec "$1" ss -Hlun "sport = :$2" | grep -q .
}

# udp_bound_here PORT: the same, in this namespace
udp_bound_here() {
	ss -Hlun "sport = :$1" | grep -q .
}

load_module() {
	defer rmmod ctipfix
	modprobe -a nf_conntrack nfnetlink && insmod "$CTIPFIX_KO" "$@"
}

unload_module() {
	rmmod ctipfix
}

# ipfix_records FILE: one line per data record that ipfixDump (libfixbuf)
# decodes from FILE: "DOMAIN SPORT DPORT END_REASON"
ipfix_records() {
	ipfixDump --in "$1" 2>/dev/null | awk '
		/observation domain id:/ { dom = $NF }
		/--- data record/ { sp = dp = "-" }
		/ sourceTransportPort :/ { sp = $NF }
		/ destinationTransportPort :/ { dp = $NF }
		/ flowEndReason :/ { print dom, sp, dp, $NF }'
}

# ipfix_ports FILE: "SPORT DPORT" of every data record ipfixDump decodes
# from FILE that has ports, whichever exporter wrote it
ipfix_ports() {
	ipfixDump --in "$1" 2>/dev/null | awk '
		/--- data record/ { if (sp != "") print sp, dp; sp = dp = "" }
		/ sourceTransportPort :/ { sp = $NF }
		/ destinationTransportPort :/ { dp = $NF }
		END { if (sp != "") print sp, dp }'
}

# ksft_verdicts COMMAND...: a test point for each "PASS desc" or "FAIL
# desc" line a checker prints (flowcheck.py, timecheck.py); a checker that
# dies fails one more
ksft_verdicts() {
	local verdict desc

	while read -r verdict desc; do
		if [ "$verdict" = PASS ]; then
			ksft_ok "$desc"
		else
			ksft_not_ok "$desc"
		fi
	done < <("$@" 2>&1 || echo "FAIL $* ran to the end")
}

# ctipfix_stat NAME: one module counter, as ctipfixctl prints it
ctipfix_stat() {
	"$CTIPFIXCTL" stats | awk -v k="$1" '$1 == k { print $2 }'
}

# ctipfix_settled: no flow followed any more, nothing waiting in the backlog
ctipfix_settled() {
	[ "$(ctipfix_stat flows_live)" = 0 ] &&
		[ "$(ctipfix_stat backlog_bytes)" = 0 ]
}

# final_sports FILE [FIRST LAST]: the source port of every final record
# (flowEndReason other than 2) that ipfixDump (libfixbuf) decodes from a
# collector's FILE, sorted. Not tshark on a capture: under TCG each tshark
# takes 5 s to start, ipfixDump a tenth of a second, and tests poll this.
final_sports() {
	ipfix_records "$1" | awk -v lo="${2:-0}" -v hi="${3:-65535}" '
		$2 ~ /^[0-9]+$/ && $4 != 2 && $2 >= lo && $2 <= hi { print $2 }' |
		sort -n
}

# ulogd_conf LOGFILE PORT [LOGLEVEL]: ulogd2 exporting conntrack's destroy
# events (NFCT input) as IPFIX to 127.0.0.1:PORT. At LOGLEVEL 1 the log has
# a line per flow ("Got new packet ... sport = S, dport = D"). Set up as
# Debian's example ulogd.conf suggests for destroy events, as an operator
# who wants every flow would: the event socket's buffer grows on overrun,
# and reliable mode has conntrack deliver a lost destroy event again.
ulogd_conf() {
	cat <<-CONF
	[global]
	logfile="$1"
	loglevel=${3:-5}
	plugin="/usr/lib/x86_64-linux-gnu/ulogd/ulogd_inpflow_NFCT.so"
	plugin="/usr/lib/x86_64-linux-gnu/ulogd/ulogd_output_IPFIX.so"
	stack=ct1:NFCT,ipfix1:IPFIX

	[ct1]
	hash_enable=0
	event_mask=0x00000004
	netlink_socket_buffer_size=217088
	netlink_socket_buffer_maxsize=1085440
	reliable=1

	[ipfix1]
	oid=1
	host="127.0.0.1"
	port=$2
	proto="udp"
	CONF
}
