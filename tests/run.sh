#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/run.sh - runs every test of tidepool and ends with "N passed, N failed".
#
#   1. host tests of the portable code (ASan + UBSan), a short,
#      deterministic run of the allocator's fuzz target (make fuzz-short),
#      the host scripts' tests (tests/scripts/test_*.sh), and the walls
#      between the layers (tests/layers/run.sh)
#   2. for every emulated board: every image in tests/target/ under QEMU,
#      the UART-console variant where the board's UART is emulated, the demo,
#      and the link checks
#   3. for every build-only board: the demo and the test images build, and
#      the link checks
#
# A test image passes when it ends with "N passed, 0 failed" and exit status 0,
# or, when its source declares expectations, when it meets them:
#   *@expect-exit N          QEMU's exit status must be N
#   *@expect-output REGEX    some output line must match (grep -E)
#   *@uart                   also run it built with CONSOLE=uart (boards whose
#                            board.mk sets UART_UNDER_QEMU := 1)
#   *@host-check CMD         after the run, CMD (bash, in the run's directory,
#                            where semihosted files land) must exit 0; it sees
#                            ROOT (the repository), ELF (the image) and LOG (its
#                            output, CR-free).  Each counts as one test.
# A hang is a failure (every run is under `timeout`).
#
#   4. on LOCKPROOF_BOARD: tests/lockproof/run.sh (the interrupt test run
#      with each lock site of the allocator compiled out in turn must fail)
#
# Environment: BOARDS="a b" limits the boards; NO_HOST=1 skips host tests.
set -u
LOCKPROOF_BOARD=${LOCKPROOF_BOARD:-netduinoplus2}
cd "$(dirname "$0")/.."

PASS=0
FAIL=0
FAILED=()
MAKE=(make --no-print-directory -s)
JOBS="-j$(nproc 2>/dev/null || echo 2)"
QEMU_TIMEOUT=${QEMU_TIMEOUT:-120}
WORK=$(mktemp -d)
PWD_ROOT=$PWD
trap 'rm -rf "$WORK"' EXIT

ok() { PASS=$((PASS + ${1:-1})); }
bad() {
    FAIL=$((FAIL + 1))
    FAILED+=("$1")
    echo "FAILED: $1"
}

# Adds the counts of a "N passed, N failed" summary; fails if it is missing.
count_summary() { # name log status
    local name=$1 log=$2 status=$3 line p f
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
    if [ -z "$line" ]; then
        bad "$name: no summary line (status $status$([ "$status" = 124 ] && echo ', timed out'))"
        tail -20 "$log" | sed 's/^/    | /'
        return
    fi
    p=${line%% passed*}
    f=${line#*, }
    f=${f%% failed*}
    ok "$p"
    [ "$f" -eq 0 ] && [ "$status" -eq 0 ] && echo "pass $name ($p cases)"
    if [ "$f" -gt 0 ]; then
        grep -E '^FAIL |^    ' "$log" | sed 's/^/    | /'
        FAIL=$((FAIL + f))
        FAILED+=("$name: $f case(s) failed")
        echo "FAILED: $name: $f case(s)"
    elif [ "$status" -ne 0 ]; then
        bad "$name: exit status $status despite 0 failures"
    fi
}

# Runs the *@host-check commands of src on a finished run in dir.
host_checks() { # dir elf src label
    local dir=$1 elf=$2 src=$3 label=$4 cmd out
    while IFS= read -r cmd; do
        if out=$(cd "$dir" && ROOT=$PWD_ROOT ELF=$elf LOG=$dir/log.txt bash -c "$cmd" 2>&1); then
            ok 1
            echo "pass $label: host check: $cmd"
        else
            bad "$label: host check failed: $cmd"
            echo "$out" | tail -20 | sed 's/^/    | /'
        fi
    done < <(sed -n 's/^.*\*@host-check \(.*\)$/\1/p' "$src")
}

# Runs one image on one QEMU machine and checks it against its source.
run_image() { # board machine elf src label
    local board=$1 machine=$2 elf=$3 src=$4 label=$5 dir status want_exit re okay=1
    dir=$(mktemp -d "$WORK/run.XXXX")
    # -icount shift=0: one instruction = 1 ns of virtual time, so timers and
    # interrupts are deterministic and a busy host cannot make time jump
    (cd "$dir" && timeout "$QEMU_TIMEOUT" qemu-system-arm -M "$machine" -display none \
        -icount shift=0 -monitor none -serial stdio -semihosting-config enable=on,target=native \
        -kernel "$OLDPWD/$elf" </dev/null >"$dir/log" 2>&1)
    status=$?
    tr -d '\r' <"$dir/log" >"$dir/log.txt"
    host_checks "$dir" "$PWD_ROOT/$elf" "$src" "$label"
    want_exit=$(sed -n 's/^.*\*@expect-exit \([0-9]*\).*$/\1/p' "$src" | head -1)
    if [ -z "$want_exit" ]; then
        count_summary "$label" "$dir/log.txt" "$status"
        # declared output must be there too
        while IFS= read -r re; do
            grep -Eq -- "$re" "$dir/log.txt" || { bad "$label: no output line matching /$re/"; okay=0; }
        done < <(sed -n 's/^.*\*@expect-output \(.*\)$/\1/p' "$src")
        return
    fi
    [ "$status" = "$want_exit" ] || { okay=0; echo "    $label: exit status $status, expected $want_exit"; }
    while IFS= read -r re; do
        grep -Eq -- "$re" "$dir/log.txt" || { okay=0; echo "    $label: no output line matching /$re/"; }
    done < <(sed -n 's/^.*\*@expect-output \(.*\)$/\1/p' "$src")
    if [ $okay = 1 ]; then
        ok 1
        echo "pass $label (exit $status as expected)"
    else
        sed 's/^/    | /' "$dir/log.txt" | tail -25
        bad "$label"
    fi
}

link_checks() { # board
    local out
    if out=$("${MAKE[@]}" BOARD="$1" link-test 2>&1); then
        ok "$(grep -c '^pass ' <<<"$out")"
        grep '^pass ' <<<"$out"
    else
        echo "$out" | sed 's/^/    | /'
        bad "$1: link checks"
    fi
}

# ---- 1. host tests
if [ -z "${NO_HOST:-}" ]; then
    echo "== host tests (ASan + UBSan)"
    "${MAKE[@]}" host-test >"$WORK/host.log" 2>&1
    status=$?
    grep -vE '^PASS ' "$WORK/host.log"
    count_summary "host" "$WORK/host.log" "$status"
    echo "== fuzz (libFuzzer: the allocator's release and debug builds, the object layer with the collector)"
    if out=$("${MAKE[@]}" fuzz-short 2>&1); then
        ok "$(grep -c '^pass ' <<<"$out")"
        grep '^pass ' <<<"$out"
    else
        echo "$out" | sed 's/^/    | /' | tail -40
        bad "fuzz"
    fi
fi

# ---- host scripts: every tests/scripts/test_*.sh (each ends with a
# "N passed, N failed" line): the Python tools of prof/ and bench/ on small
# inputs, their pictures checked pixel by pixel against the data
if [ -z "${NO_HOST:-}" ]; then
    for t in tests/scripts/test_*.sh; do
        [ -e "$t" ] || continue
        echo "== $(basename "$t" .sh)"
        bash "$t" >"$WORK/script.log" 2>&1
        status=$?
        grep -vE '^PASS ' "$WORK/script.log"
        count_summary "$(basename "$t" .sh)" "$WORK/script.log" "$status"
    done
fi

# ---- the walls between the layers: an include of a header of a layer above
# (or beside) does not build, with the flags the build gives each layer
if [ -z "${NO_HOST:-}" ]; then
    echo "== layers (tests/layers/run.sh)"
    tests/layers/run.sh >"$WORK/layers.log" 2>&1
    status=$?
    grep -vE '^pass ' "$WORK/layers.log"
    count_summary "layers" "$WORK/layers.log" "$status"
fi

# ---- an application of its own, built from outside the tree with Make
# (tidepool.mk) and with CMake, and run under QEMU
if [ -z "${NO_HOST:-}" ]; then
    echo "== out-of-tree builds (tests/outoftree/run.sh)"
    # a Cortex-M4F, and a Cortex-M0 with 16 KiB of RAM and allocator settings in its board.mk
    for b in netduinoplus2 microbit; do
        tests/outoftree/run.sh "$b" >"$WORK/outoftree.log" 2>&1
        count_summary "out-of-tree $b" "$WORK/outoftree.log" $?
        grep -E '^(pass|FAIL) ' "$WORK/outoftree.log"
    done
fi

# ---- the allocator alone dropped into a CubeMX-style project, with each lock
if [ -z "${NO_HOST:-}" ]; then
    echo "== allocator drop-in (tests/dropin/run.sh)"
    tests/dropin/run.sh >"$WORK/dropin.log" 2>&1
    count_summary "drop-in" "$WORK/dropin.log" $?
    grep -E '^(pass|FAIL) ' "$WORK/dropin.log"
fi

# ---- 2./3. boards
BOARDS=${BOARDS:-$(ls boards)}
for board in $BOARDS; do
    machine=$("${MAKE[@]}" BOARD="$board" print-QEMU_MACHINE)
    uart=$("${MAKE[@]}" BOARD="$board" print-UART_UNDER_QEMU)
    echo "== $board (${machine:-build-only})"
    if ! "${MAKE[@]}" BOARD="$board" $JOBS all >"$WORK/build.log" 2>&1; then
        sed 's/^/    | /' "$WORK/build.log" | tail -30
        bad "$board: build"
        continue
    fi
    link_checks "$board"
    if [ -z "$machine" ]; then
        ok 1
        echo "pass $board: demo and test images build ($(ls "$("${MAKE[@]}" BOARD="$board" print-BUILD)"/tests/*.elf | wc -l) images)"
        continue
    fi
    for src in tests/target/test_*.c; do
        name=$(basename "$src" .c)
        run_image "$board" "$machine" "build/$board/tests/$name.elf" "$src" "$board/$name"
    done
    # the demo: boots, prints, exits 0
    run_image "$board" "$machine" "build/$board/demo.elf" tests/demo.expect "$board/demo"
    # the interrupt test fails when any one lock site of the allocator loses its lock
    if [ "$board" = "$LOCKPROOF_BOARD" ]; then
        tests/lockproof/run.sh "$board" >"$WORK/lockproof.log" 2>&1
        count_summary "$board/lockproof" "$WORK/lockproof.log" $?
        grep -E '^(pass|FAIL) ' "$WORK/lockproof.log"
    fi
    if [ "$uart" = 1 ]; then
        if ! "${MAKE[@]}" BOARD="$board" CONSOLE=uart $JOBS tests >"$WORK/build.log" 2>&1; then
            sed 's/^/    | /' "$WORK/build.log" | tail -30
            bad "$board: build with CONSOLE=uart"
            continue
        fi
        for src in $(grep -l '\*@uart' tests/target/test_*.c); do
            name=$(basename "$src" .c)
            run_image "$board" "$machine" "build/$board-uart/tests/$name.elf" "$src" "$board-uart/$name"
        done
    fi
done

echo
if [ ${#FAILED[@]} -gt 0 ]; then
    echo "failures:"
    printf '  %s\n' "${FAILED[@]}"
fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
