#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tools/size.sh ELF - per-section and per-region memory use of an image,
# from the symbols linker/sections.ld defines.
set -euo pipefail
elf=$1
declare -A S
while read -r addr _ name; do S[$name]=$((16#$addr)); done < <(arm-none-eabi-nm "$elf")

row() { # name start end [total]
    local size=$(($3 - $2))
    if [ $# -ge 4 ]; then
        printf '  %-16s 0x%08x..0x%08x %9d B  %5s%% of %d B\n' "$1" "$2" "$3" "$size" \
            "$(awk -v a="$size" -v b="$4" 'BEGIN { printf "%.1f", 100 * a / b }')" "$4"
    else
        printf '  %-16s 0x%08x..0x%08x %9d B\n' "$1" "$2" "$3" "$size"
    fi
}

flash_total=$((S[__flash_end] - S[__flash_start]))
ram_total=$((S[__ram_end] - S[__ram_start]))
echo "$elf"
echo "FLASH"
row ".text" "${S[__text_start]}" "${S[__text_end]}"
row ".rodata" "${S[__rodata_start]}" "${S[__rodata_end]}"
row ".data (image)" "${S[_sidata]}" "$((S[_sidata] + S[_edata] - S[_sdata]))"
row "used" "${S[__flash_start]}" "${S[__flash_used_end]}" "$flash_total"
echo "RAM"
row ".data" "${S[_sdata]}" "${S[_edata]}"
row ".bss" "${S[_sbss]}" "${S[_ebss]}"
row "heap" "${S[__heap_start]}" "${S[__heap_end]}" "$ram_total"
row "handler stack" "${S[__handler_stack_bottom]}" "${S[__handler_stack_top]}"
row "stack guard" "${S[__stack_guard_start]}" "${S[__stack_limit]}"
row "thread stack" "${S[__stack_limit]}" "${S[__stack_top]}"
if [ "${S[__heap2_end]:-0}" -gt "${S[__heap2_start]:-0}" ]; then
    echo "EXTRA RAM"
    row "heap2" "${S[__heap2_start]}" "${S[__heap2_end]}"
fi
echo
arm-none-eabi-size -A -x "$elf" | grep -E '^\.(isr_vector|text|rodata|ARM|data|bss|heap|stacks)'
