#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tools/symbolize.sh ELF [LOG] - names the code addresses in a run's output:
# every line of a fault report (PC=0x..., LR=0x...), a heap error ("called
# from 0x...") or a tracker report ("site 0x...") gets the function, file
# and line of each address, from ELF's debug information:
#     PC=0x080001c4 LR=0x08000dd1 ...
#       PC=0x080001c4: fault_test at tests/target/test_fault.c:41
# Reads LOG (a saved log, e.g. a real board's UART capture) or standard
# input; `make run` passes its output through it.
set -u
elf=$1
log=${2:-/dev/stdin}
addr2line=arm-none-eabi-addr2line
command -v "$addr2line" >/dev/null 2>&1 || exec cat "$log"
while IFS= read -r line || [ -n "$line" ]; do
    printf '%s\n' "$line"
    case $line in *PC=0x* | *LR=0x* | *"called from 0x"* | *"site 0x"*) ;; *) continue ;; esac
    for m in $(grep -oE '(PC|LR|from|site)[= ]0x[0-9a-fA-F]{8}' <<<"$line"); do
        addr=${m##*[= ]}
        where=$("$addr2line" -f -C -e "$elf" "$addr" 2>/dev/null | paste -sd' ' | sed 's/ / at /')
        case $where in "?? at ??:0" | "" | "?? at ??:?") continue ;; esac
        printf '  %s: %s\n' "${m//from /called from }" "$where"
    done
done <"$log"
