#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/fuzz/run.sh MODE N FUZZER... - runs libFuzzer targets (tests/fuzz/fuzz.mk)
#   time N   each for N seconds; the corpus is kept in build/fuzz/corpus-NAME/
#   runs N   each for N inputs with -seed=1 from the seeds alone, without the
#            time-based corpus reload and the address-dependent comparison
#            tracing: the same inputs every run
# Prints "pass fuzz NAME: ..." per target, or the end of its log and the
# crashing input; exits non-zero if any target failed.
set -u
mode=$1
n=$2
shift 2
seeds=tests/fuzz/corpus
status=0
for f in "$@"; do
    name=$(basename "$f")
    dir=$(dirname "$f")
    log="$dir/$name.log"
    common=(-max_len=4096 -timeout=30 -print_final_stats=1 "-artifact_prefix=$dir/$name-")
    rm -f "$dir/$name"-crash-* "$dir/$name"-leak-* "$dir/$name"-timeout-*
    if [ "$mode" = time ]; then
        corpus="$dir/corpus-$name"
        mkdir -p "$corpus"
        "$f" "${common[@]}" -max_total_time="$n" "$corpus" "$seeds" >"$log" 2>&1
    else
        corpus=$(mktemp -d)
        "$f" "${common[@]}" -seed=1 -runs="$n" -reload=0 -use_cmp=0 "$corpus" "$seeds" >"$log" 2>&1
    fi
    rc=$?
    [ "$mode" = time ] || rm -rf "$corpus"
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ $rc -eq 0 ]; then
        echo "pass fuzz $name: ${runs:-?} inputs ($([ "$mode" = time ] && echo "$n s" || echo "seed 1")), heap valid after every operation"
    else
        echo "FAIL fuzz $name (status $rc):"
        grep -E 'fuzz_[a-z]*:[0-9]|ERROR|collector:|allocator:|runtime error|SUMMARY|Test unit written' "$log" | head -20 | sed 's/^/    | /'
        echo "    | replay: $f $(ls "$dir/$name"-crash-* "$dir/$name"-timeout-* 2>/dev/null | head -1) (FUZZ_ALLOC_TRACE=1 prints each operation)"
        status=1
    fi
done
exit $status
