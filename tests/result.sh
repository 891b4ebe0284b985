# SPDX-License-Identifier: MIT
# tests/result.sh - sourced by the test scripts that count their own cases:
#   result OK MESSAGE [LOG]   counts a case (OK 1: passed), prints
#                             "pass MESSAGE" or "FAIL MESSAGE" and, on a
#                             failure, the end of LOG
#   summary                   prints "N passed, N failed"; fails if any failed
pass=0
fail=0
result() {
    if [ "$1" = 1 ]; then
        echo "pass $2"
        pass=$((pass + 1))
    else
        echo "FAIL $2"
        [ -n "${3:-}" ] && [ -f "$3" ] && tail -15 "$3" | sed 's/^/    | /'
        fail=$((fail + 1))
    fi
    return 0
}
summary() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
