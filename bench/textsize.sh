#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/textsize.sh - code size of tidepool's allocator, from the build of
# bench/bench.mk (target textsize).  Prints a short report and BENCH lines:
#   alloc.text_bytes      .text of the alloc objects kept in a minimal image
#                         (init + alloc + free) after --gc-sections
#   alloc.text_bytes_all  .text of every alloc object (-Os -ffunction-sections)
#   alloc.rodata_bytes    .rodata kept in the minimal image
#   newlib.text_bytes     .text of Debian's nano-mallocr + nano-freer objects
# Usage: bench/textsize.sh BUILD_DIR [newlib-only]
set -u
B=${1:-build/bench}
ONLY=${2:-}
MAP=$B/size/min.map
SIZE=arm-none-eabi-size

nl=0
if [ -d "$B/newlib" ]; then
    for o in "$B"/newlib/nl-nano-mallocr.o "$B"/newlib/nl-nano-freer.o; do
        n=$($SIZE -A "$o" | awk '$1 ~ /^\.text/ { s += $2 } END { print s + 0 }')
        nl=$((nl + n))
    done
    echo "BENCH newlib.text_bytes $nl"
fi

[ "$ONLY" = newlib-only ] && exit 0
if [ ! -f "$MAP" ]; then
    echo "# code size: $MAP missing (tidepool not built)"
    exit 0
fi

# Input sections listed after "Linker script and memory map" are the kept
# ones (discarded ones come before).  A long section name sits on its own
# line, its address/size/file on the next.
awk -v dir="$B/size/obj/alloc/" '
    /^Linker script and memory map/ { on = 1; next }
    !on { next }
    /^ \.(text|rodata)[^ ]*$/ { pend = $1; next }
    {
        name = ""; addr = ""; sz = ""; file = ""
        if (pend != "" && $1 ~ /^0x/ && NF >= 3) { name = pend; sz = $2; file = $3 }
        else if ($1 ~ /^\.(text|rodata)/ && NF >= 4 && $2 ~ /^0x/) { name = $1; sz = $3; file = $4 }
        pend = ""
        if (name == "" || index(file, dir) != 1) next
        n = strtonum_hex(sz)
        if (n == 0) next
        if (name ~ /^\.text/) { text += n; fn = name; sub(/^\.text\.?/, "", fn); funcs = funcs " " fn "(" n ")" }
        else rodata += n
    }
    function strtonum_hex(s,   i, c, v) {
        v = 0; s = tolower(s); sub(/^0x/, "", s)
        for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
        return v
    }
    END {
        printf "# tidepool code kept in a minimal image (init + alloc + free, --gc-sections):\n#  %s\n", funcs
        printf "BENCH alloc.text_bytes %d\n", text
        printf "BENCH alloc.rodata_bytes %d\n", rodata
    }' "$MAP"

all=0
for o in "$B"/size/obj/alloc/*.o; do
    [ -f "$o" ] || continue
    n=$($SIZE -A "$o" | awk '$1 ~ /^\.text/ { s += $2 } END { print s + 0 }')
    all=$((all + n))
done
echo "BENCH alloc.text_bytes_all $all"

