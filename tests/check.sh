#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh KVER...: the whole test run behind `make check`. Lint, userspace
# unit tests, the DKMS build, then for each kernel a QEMU guest running every
# selftest; the guest's kernel log must be clean. Ends with one line
# "N passed, N failed" (skips counted apart) and fails on any failure.
set -u
ROOT=$(realpath "$(dirname "$0")/..")
RESULTS=$ROOT/build/results
SELFTESTS=${SELFTESTS:-$(cd "$ROOT"/tests/selftests &&
			 ls [0-9][0-9]-*.sh 2>/dev/null | sort | tr '\n' ' ')}
# .ci/run sets this when it starts, before installing anything
run_started=${CTIPFIX_RUN_STARTED:-$(date +%s)}
passed=0
failed=0
skipped=0
# one line per failure, printed again just above the closing line, where a
# reader of a long log (or of its tail only) looks first
summary=""

# fail_line TEXT: remember a failure for the summary
fail_line() {
	summary="$summary$1"$'\n'
}

# Count one TAP log: "ok", "not ok", "# SKIP".
count_tap() {
	local log=$1 rc=$2 p f s first
	first=$(grep -m1 -E '^not ok [0-9]+' "$log")
	p=$(grep -cE '^ok [0-9]+' "$log" | head -1)
	f=$(grep -cE '^not ok [0-9]+' "$log" | head -1)
	s=$(grep -cE '^(ok [0-9]+.*# SKIP|1\.\.0 # SKIP)' "$log" | head -1)
	p=$((p - s + (s > 0 && p == 0 ? s : 0)))
	[ "$rc" = 4 ] && s=$((s > 0 ? s : 1))
	if [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ "$f" = 0 ]; then
		f=1	# died or timed out before saying what failed
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$f" != 0 ]; then
		echo "---- FAILED: $log (exit $rc)"
		cat "$log"
		# killed at its timeout: where its tasks waited (guest.sh)
		if [ -s "${log%.log}.stuck" ]; then
			echo "---- its tasks 5 s before its timeout:"
			cat "${log%.log}.stuck"
		fi
		echo "----"
		fail_line "$(basename "$(dirname "$log")")/$(basename "$log" .log): exit $rc$(
			[ "$rc" = 125 ] && echo ", stuck in the kernel")${first:+; $first}"
	fi
	echo "  $(basename "$log" .log): $p passed, $f failed, $s skipped"
}

# run_host NAME COMMAND...: a host-side test producing TAP
run_host() {
	local name=$1 log=$RESULTS/host/$1.log rc
	shift
	mkdir -p "$RESULTS"/host
	"$@" >"$log" 2>&1
	rc=$?
	count_tap "$log" $rc
}

# CHECK_HOST=0: the guests only (make check-debug)
if [ "${CHECK_HOST:-1}" != 0 ]; then
	echo "== host"
	run_host lint "$ROOT"/tests/lint.sh
	run_host unit "$ROOT"/tests/unit/run.sh
	run_host cli "$ROOT"/tests/cli.sh
	run_host fuzz "$ROOT"/tests/fuzz/run.sh
	run_host dkms "$ROOT"/tests/dkms.sh "$@"
fi

# check_caught LOG WHAT: the dmesg check must fail on a harness self-test's
# log (the guest ran it last, after the real tests)
check_caught() {
	if [ -f "$1" ] && ! "$ROOT"/tests/qemu/check-dmesg.sh "$1" >/dev/null; then
		passed=$((passed + 1))
		echo "  harness self-test: $2 detected"
	else
		failed=$((failed + 1))
		echo "---- harness self-test: the $2 went unnoticed"
		[ -f "$1" ] && cat "$1"
		fail_line "$kver: the harness's $2 went unnoticed"
	fi
}

# a guest sharing the CPUs with another takes up to half as long again
export GUEST_TIMEOUT=${GUEST_TIMEOUT:-2400}

# The PREEMPT_RT kernels run the tests that stress locking and context
# (sleeping in atomic context, lock order, teardown and floods under
# traffic, and 85-hostile: a reader that stalls its copy with page faults
# off, under a lock that sleeps on PREEMPT_RT; namespaces torn down by
# the score): the rest exercise the same code, in the same context, as on
# the standard kernel of the same version. And 76-formats, the collector
# matrix, which the README says holds on every guest kernel.
RT_SELFTESTS=${RT_SELFTESTS:-"20-pipeline.sh 76-formats.sh 85-hostile.sh 87-flood.sh 95-faults.sh 97-scale.sh 99-soak.sh"}

# The tests that compare the module's times with a capture's: they need
# the machine to themselves, so each standard kernel runs them in a guest
# of its own once the others are done (RUN.quiet in the results). That
# guest has one vCPU. With two, a host thread descheduled for a few ms
# stalls the vCPU that keeps jiffies while the other goes on forwarding:
# jiffies then lag the monotonic clock by up to MAX_STALLED_JIFFIES, and
# the packets conntrack stamps meanwhile look that much older than they
# are (9 ms at HZ=250, seen once in CI). A real router's CPUs are not
# descheduled under it; one vCPU catches jiffies up before it runs
# anything else, as hardware does.
QUIET_SELFTESTS=${QUIET_SELFTESTS:-"47-times.sh"}

# in_list WORD LIST: is WORD one of LIST's words?
in_list() {
	case " $2 " in *" $1 "*) return 0 ;; esac
	return 1
}

# guest_tests RUN: the selftests that run RUN (KVER or KVER.quiet) runs
guest_tests() {
	local t

	for t in $SELFTESTS; do
		case "$1" in
		*.quiet) in_list "$t" "$QUIET_SELFTESTS" || continue ;;
		*-rt-*) in_list "$t" "$RT_SELFTESTS" || continue
			in_list "$t" "$QUIET_SELFTESTS" && continue ;;
		*) in_list "$t" "$QUIET_SELFTESTS" && continue ;;
		esac
		printf '%s ' "$t"
	done
}

# run_guest RUN: boot RUN's kernel and run its tests; the time it took
# goes to OUT/guest.secs
run_guest() {
	local out=$RESULTS/$1 started=$(date +%s)

	[ -n "$(guest_tests "$1")" ] || return 0
	# shellcheck disable=SC2046
	GUEST_SMP=$(case "$1" in *.quiet) echo 1 ;; *) echo 2 ;; esac) \
	"$ROOT"/tests/qemu/run.sh "${1%.quiet}" "$out" $(guest_tests "$1")
	echo $(($(date +%s) - started)) >"$out"/guest.secs
}

# run_lane RUN...: these runs one after another
run_lane() {
	local run

	for run in "$@"; do
		echo "== guest $run: $(guest_tests "$run")"
		run_guest "$run"
	done
}

# Two lanes side by side, each a standard guest and then a PREEMPT_RT
# one. Their tests wait for traffic at set rates much of the time, so two
# guests share the two CPUs with little loss; the few wall-clock bounds
# they assert (a record within 2 s of its flow's death, a genl answer
# within 1.5 s while namespaces go) hold with the CPUs shared. Then the
# quiet runs, one at a time.
runs=""
lanes=("" "")
n=0
for kver in $(printf '%s\n' "$@" | grep -v -- -rt-) \
	    $(printf '%s\n' "$@" | grep -- -rt-); do
	lanes[n % 2]="${lanes[n % 2]} $kver"
	n=$((n + 1))
done
lane_pids=""
for lane in "${lanes[@]}"; do
	[ -n "$lane" ] || continue
	# shellcheck disable=SC2086
	run_lane $lane &
	lane_pids="$lane_pids $!"
	runs="$runs $lane"
done
# shellcheck disable=SC2086
[ -n "$lane_pids" ] && wait $lane_pids
for kver in "$@"; do
	case "$kver" in *-rt-*) continue ;; esac
	[ -n "$(guest_tests "$kver.quiet")" ] || continue
	run_lane "$kver.quiet"
	runs="$runs $kver.quiet"
done

guest_times=""
for kver in $runs; do
	out=$RESULTS/$kver
	died=0
	tests=$(guest_tests "$kver")
	[ -n "$tests" ] || continue
	echo "== results of $kver"
	guest_times="$guest_times  $kver: $(cat "$out"/guest.secs 2>/dev/null || echo '?')s ($(for t in $tests; do
		printf '%s %ss, ' "${t%.sh}" "$(cat "$out/$t.secs" 2>/dev/null || echo '?')"
	done | sed 's/, $//'))"$'\n'
	for t in $tests; do
		if [ -f "$out/$t.rc" ]; then
			count_tap "$out/$t.log" "$(cat "$out/$t.rc")"
		else
			echo "---- $t did not run to the end on $kver"
			[ -f "$out/$t.log" ] && cat "$out/$t.log"
			failed=$((failed + 1))
			fail_line "$kver/$t: did not run to the end"
			died=1
		fi
	done
	# The kernel log of the real run must be clean, and its console up to
	# the harness's self-tests, and kmemleak's report where there is one
	# (the debug kernel)...
	sed '/guest: harness self-tests/q' "$out"/console.log \
		>"$out"/console-tests.log 2>/dev/null
	if [ -f "$out"/dmesg.log ] &&
	   "$ROOT"/tests/qemu/check-dmesg.sh "$out"/dmesg.log "$out"/console-tests.log \
		$(ls "$out"/kmemleak.log 2>/dev/null) >"$out"/dmesg-check.txt; then
		passed=$((passed + 1))
		echo "  dmesg clean"
	else
		failed=$((failed + 1))
		echo "---- kernel log of $kver is not clean:"
		cat "$out"/dmesg-check.txt
		echo "---- guest dmesg:"
		cat "$out"/dmesg.log "$out"/console.log 2>/dev/null
		echo "----"
		if [ -f "$out"/dmesg.log ]; then
			fail_line "$kver: kernel log not clean: $(head -n 3 "$out"/dmesg-check.txt)"
		else
			fail_line "$kver: no kernel log: the guest did not finish"
		fi
	fi
	# ...and the same check must catch the harness's deliberate WARN and
	# its deliberate heap overrun (through slub_debug)
	check_caught "$out"/dmesg-warn.log "deliberate WARN"
	check_caught "$out"/dmesg-overrun.log "deliberate heap overrun"
	# a guest that died or hung: the end of its console says how
	if [ "$died" = 1 ]; then
		fail_line "$kver: the guest's console ended with:"
		fail_line "$(tail -n 25 "$out"/console.log 2>/dev/null | tr -d '\r' |
			     sed 's/^/    /')"
	fi
done

echo "== time per guest"
printf '%s' "$guest_times"
echo "  whole run: $(($(date +%s) - run_started))s"

if [ -n "$summary" ]; then
	echo "== failures"
	printf '%s' "$summary"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
