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

# The PREEMPT_RT kernels run the tests that stress locking and context
# (sleeping in atomic context, lock order, teardown and floods under
# traffic): the rest exercise the same code, in the same context, as on
# the standard kernel of the same version.
RT_SELFTESTS=${RT_SELFTESTS:-"20-pipeline.sh 87-flood.sh 95-faults.sh 97-scale.sh 99-soak.sh"}

# guest_tests KVER: the selftests that KVER's guest runs
guest_tests() {
	local t

	case "$1" in
	*-rt-*)
		for t in $SELFTESTS; do
			case " $RT_SELFTESTS " in *" $t "*) printf '%s ' "$t" ;; esac
		done ;;
	*) echo "$SELFTESTS" ;;
	esac
}

# run_guest KVER: boot its guest and run its tests; the time it took
# goes to OUT/guest.secs
run_guest() {
	local out=$RESULTS/$1 started=$(date +%s)

	# shellcheck disable=SC2046
	"$ROOT"/tests/qemu/run.sh "$1" "$out" $(guest_tests "$1")
	echo $(($(date +%s) - started)) >"$out"/guest.secs
}

# The standard guests one after another; the PREEMPT_RT ones side by side
# after them, two at a time. Their tests wait for traffic at set rates
# much of the time, so two guests share the two CPUs with little loss,
# and none of the tests they run asserts a wall-clock bound.
guest_times=""
rt_kvers=""
for kver in "$@"; do
	case "$kver" in
	*-rt-*) rt_kvers="$rt_kvers $kver"; continue ;;
	esac
	echo "== guest $kver: $(guest_tests "$kver")"
	run_guest "$kver"
done
rt_pids=""
for kver in $rt_kvers; do
	echo "== guest $kver: $(guest_tests "$kver") (alongside the other PREEMPT_RT guest)"
	run_guest "$kver" &
	rt_pids="$rt_pids $!"
done
# shellcheck disable=SC2086
[ -n "$rt_pids" ] && wait $rt_pids

for kver in "$@"; do
	out=$RESULTS/$kver
	died=0
	tests=$(guest_tests "$kver")
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
