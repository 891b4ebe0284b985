#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the host test binaries given as arguments and prints one combined
# "N passed, N failed" line.
set -u
pass=0
fail=0
for t in "$@"; do
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 "$t" >"$t.log" 2>&1
    status=$?
    cat "$t.log"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$t.log" | tail -1)
    if [ -z "$line" ]; then
        echo "FAIL $t: crashed or sanitizer error (status $status)"
        fail=$((fail + 1))
        continue
    fi
    p=${line%% passed*}
    f=${line#*, }
    f=${f%% failed*}
    pass=$((pass + p))
    fail=$((fail + f))
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $t: exit status $status"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
