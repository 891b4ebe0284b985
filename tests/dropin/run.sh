#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/dropin/run.sh - tidepool's allocator dropped into a project of its
# own (tests/dropin/cubemx-f405: a CubeMX-style project with its own
# start-up file, linker script, syscalls.c and sysmem.c; the drop-in is the
# files of alloc/, port/standalone/tp_port_standalone.c and three include
# folders - docs/dropin.md).  Built from a scratch copy with each lock
# (interrupt masking, the project's hook, newlib's __malloc_lock), run on
# QEMU's netduinoplus2 (an STM32F405): every check of its main.c must hold
# and it must exit 0.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. tests/result.sh
for lock in IRQ HOOK NEWLIB; do
    dir=$work/$lock
    cp -r tests/dropin/cubemx-f405 "$dir"
    ok=0 log=$dir/build.log
    if make -C "$dir" -s TIDEPOOL_DIR="$root" C_DEFS="-DTP_PORT_LOCK=TP_PORT_LOCK_$lock" \
        >"$log" 2>&1; then
        log=$dir/run.log
        timeout 30 qemu-system-arm -M netduinoplus2 -icount shift=0 -display none -monitor none \
            -serial stdio -semihosting-config enable=on,target=native \
            -kernel "$dir/build/cubemx-f405.elf" </dev/null >"$log" 2>&1 &&
            grep -q '^dropin: all checks passed' "$log" && ok=1
    fi
    result $ok "drop-in with the $lock lock: builds, runs, malloc, stdio and newlib's _malloc_r are tidepool's, every check holds" "$log"
done
summary
