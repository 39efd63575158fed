#!/bin/sh
# scripts/fuzz.sh run|replay TARGET... - the libFuzzer targets (README,
# "Fuzzing"), built by make into build/fuzz/.
#   run     fuzz each target for FUZZ_SECONDS (default 60), one at a time,
#           from tests/fuzz/corpus/<target>/ (read only: new inputs go to
#           build/fuzz/corpus/<target>/); prints executions, exec/s and
#           coverage; a crash, leak or sanitizer report fails, and its
#           reproducer is left in tests/fuzz/crashes/<target>/.
#   replay  run each committed corpus input and crash reproducer once.
set -u
mode=$1; shift
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
summary=""
for t in "$@"; do
    bin=build/fuzz/$t
    corpus=tests/fuzz/corpus/$t
    crashes=tests/fuzz/crashes/$t
    case $mode in
    replay)
        set -- $(find "$corpus" "$crashes" -type f 2>/dev/null | sort)
        if [ $# -eq 0 ]; then echo "fuzz-replay: $t has no corpus" >&2; status=1; continue; fi
        if "$bin" -runs=1 "$@" > "build/fuzz/$t.replay.log" 2>&1; then
            echo "    $t: $# inputs replayed"
        else
            cat "build/fuzz/$t.replay.log"; echo "FAIL: $t on a replayed input" >&2; status=1
        fi
        ;;
    run)
        mkdir -p "build/fuzz/corpus/$t" "$crashes"
        log=build/fuzz/$t.log
        echo "==> fuzz $t for ${FUZZ_SECONDS}s"
        "$bin" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -timeout=10 \
            -rss_limit_mb=2048 -max_len=4096 -artifact_prefix="$crashes/" \
            "build/fuzz/corpus/$t" "$corpus" > "$log" 2>&1
        rc=$?
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
        ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
        line=$(printf '%-16s %10s execs %8s exec/s  cov %5s  ft %6s' "$t" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}")
        if [ $rc -ne 0 ]; then
            grep -E 'ERROR|invariant|SUMMARY|artifact' "$log" | head -20
            line="$line  FAILED (rc $rc; log $log; reproducer in $crashes/)"
            status=1
        fi
        echo "$line"
        summary="$summary$line
"
        ;;
    esac
done
[ -n "$summary" ] && printf '\n==> fuzz summary (%ss each)\n%s' "$FUZZ_SECONDS" "$summary"
exit $status
