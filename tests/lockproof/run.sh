#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/lockproof/run.sh BOARD - shows that the interrupt test
# (tests/target/test_alloc_isr*.c) would catch any one of the allocator's
# lock sites losing its lock.  For each site named in
# alloc/tp_alloc_internal.h (TP_LOCK_SITE_*), the allocator is compiled with
# that one lock left out (-DTP_ALLOC_TEST_UNLOCKED), linked with the
# interrupt test (the debug layer's sites with its debug build) and run
# under QEMU: the run must fail - a failed check, a fault or a hang - after
# the test has started.  A control run, every lock in place and the same
# length, must pass first.  Ends with "N passed, N failed"; needs the
# board's test images built.
set -u
cd "$(dirname "$0")/../.."
board=${1:?usage: tests/lockproof/run.sh BOARD}
M=(make --no-print-directory -s BOARD="$board")
build=$("${M[@]}" print-BUILD)
cflags=$("${M[@]}" print-CFLAGS)
ldflags=$("${M[@]}" print-LDFLAGS)
machine=$("${M[@]}" print-QEMU_MACHINE)
cc=$("${M[@]}" print-CC)
inc_program=$("${M[@]}" print-TP_INC_program)
inc_alloc=$("${M[@]}" print-TP_INC_alloc)
libs=$("${M[@]}" print-LIBS)
harness=$("${M[@]}" print-HARNESS_OBJ)
others=() # every layer's library but the allocator's
for l in $libs; do
    case $l in */libtp_alloc.a) ;; *) others+=("$l") ;; esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
sites=$(sed -n 's/^#define TP_LOCK_SITE_\([A-Z_]*\) \([0-9]*\).*$/\1:\2/p' alloc/tp_alloc_internal.h)
sites="CONTROL:0 $sites"
[ -n "$sites" ] || { echo "no lock sites found"; echo "0 passed, 1 failed"; exit 1; }
for entry in $sites; do
    name=${entry%%:*}
    num=${entry##*:}
    flags="-DTP_ALLOC_TEST_UNLOCKED=$num" # (0: no site; every lock in place)
    test_src=tests/target/test_alloc_isr.c
    case $name in DEBUG_* | QUARANTINE)
        flags="$flags -DTP_ALLOC_DEBUG=1"
        test_src=tests/target/test_alloc_isr_debug.c ;;
    esac
    dir=$work/$name
    mkdir -p "$dir"
    alloc_objs=()
    ok=1
    # the test itself runs three times as long as in make test's own run
    test_obj=$dir/test.o
    # shellcheck disable=SC2086
    $cc $cflags $inc_program $flags -DISR_TEST_OPS=60000u -c "$test_src" -o "$test_obj" || ok=0
    for src in alloc/*.c; do
        o=$dir/$(basename "$src" .c).o
        # shellcheck disable=SC2086
        $cc $cflags $inc_alloc $flags -c "$src" -o "$o" || ok=0
        alloc_objs+=("$o")
    done
    # shellcheck disable=SC2086
    [ $ok = 1 ] && $cc $ldflags "$test_obj" "$harness" "${alloc_objs[@]}" -Wl,-u,tp_malloc_heap \
        -Wl,--start-group "${others[@]}" -lc -Wl,--end-group -o "$dir/t.elf" || ok=0
    if [ $ok = 0 ]; then
        echo "FAIL lock site $name: did not build"
        fail=$((fail + 1))
        continue
    fi
    timeout 20 qemu-system-arm -M "$machine" -display none -icount shift=0 -monitor none \
        -serial stdio -semihosting-config enable=on,target=native -kernel "$dir/t.elf" \
        </dev/null >"$dir/log" 2>&1
    status=$?
    if [ "$name" = CONTROL ]; then
        if [ $status -eq 0 ] && grep -qE '^1 passed, 0 failed' "$dir/log"; then
            echo "pass the control run, every lock in place, passes"
            pass=$((pass + 1))
        else
            echo "FAIL the control run, every lock in place, does not pass (status $status)"
            tail -5 "$dir/log"
            fail=$((fail + 1))
        fi
        continue
    fi
    if ! grep -q '^suite alloc-isr' "$dir/log"; then
        echo "FAIL lock site $name: the test did not start (status $status)"
        fail=$((fail + 1))
    elif [ $status -eq 0 ] && grep -qE '^[0-9]+ passed, 0 failed' "$dir/log"; then
        echo "FAIL lock site $name: the interrupt test passed without its lock"
        fail=$((fail + 1))
    else
        why=$(grep -m1 -E '^    [a-z].*(failed|!=)|HardFault|fault|HEAP ERROR' "$dir/log" | sed 's/^ *//' | cut -c1-110)
        [ $status = 124 ] && why="hung"
        echo "pass lock site $name: the interrupt test fails without it (${why:-status $status})"
        pass=$((pass + 1))
    fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
