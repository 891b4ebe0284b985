#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/layers/run.sh [BOARD] - the walls between the layers hold: every
# layer's sources, compiled with the flags the build gives that layer
# (mk/layers.mk), fail to build when they include the header of a layer
# they must not see, and build when they include one they may see.
#
# For each case a real source file of the layer is compiled with one more
# header forced in front (-include of a file in a scratch folder, so the
# header is looked up on the layer's include path and nowhere else).
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
board=${1:-netduinoplus2}
M=(make --no-print-directory -s BOARD="$board")
cc=$("${M[@]}" print-CC)
cflags=$("${M[@]}" print-CFLAGS)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. tests/result.sh

# layer  source-of-the-layer  headers-it-may-include  headers-it-must-not
cases=(
    "port    port/fmt.c                   fmt.h,tp_port.h          critical.h,tp_alloc.h,console.h"
    "kernel  kernel/console.c             fmt.h,tp_port.h,memmap.h tp_alloc.h,tp_gc.h,tp_objects.h,tp_heapdump.h,tp_libc_malloc.h"
    "alloc   alloc/tp_alloc.c             tp_alloc.h,tp_port.h     console.h,critical.h,memmap.h,tp_gc.h,tp_objects.h,tp_heapdump.h,tp_libc_malloc.h"
    "gc      gc/tp_gc_inspect.c           tp_gc.h,tp_alloc.h       console.h,critical.h,tp_objects.h,tp_heapdump.h,tp_libc_malloc.h"
    "objects objects/tp_objects.c         tp_objects.h,tp_gc.h,tp_alloc.h,fmt.h console.h,timer.h,tp_heapdump.h,tp_libc_malloc.h"
    "prof    prof/tp_heapdump.c           tp_heapdump.h,tp_alloc.h,console.h tp_gc.h,tp_objects.h,tp_libc_malloc.h"
    "libc    libc/libc_malloc.c           tp_libc_malloc.h,tp_alloc.h,memmap.h tp_gc.h,tp_objects.h,tp_heapdump.h"
)

probe() { # layer src header -> 0 if it builds
    local layer=$1 src=$2 header=$3 inc
    inc=$("${M[@]}" print-TP_INC_"$layer")
    printf '#include "%s"\n' "$header" >"$work/probe.h"
    # shellcheck disable=SC2086
    $cc $cflags $inc -include "$work/probe.h" -c "$src" -o "$work/probe.o" >"$work/log" 2>&1
}

for c in "${cases[@]}"; do
    read -r layer src may mustnot <<<"$c"
    [ -f "$src" ] || { result 0 "$layer: $src not found"; continue; }
    for h in ${may//,/ }; do
        ok=0
        probe "$layer" "$src" "$h" && ok=1
        result $ok "$layer: $src builds including $h" "$work/log"
    done
    for h in ${mustnot//,/ }; do
        ok=0
        # it must fail, and because the header is not on the layer's path
        probe "$layer" "$src" "$h" || { grep -q "$h: No such file" "$work/log" && ok=1; }
        result $ok "$layer: including $h does not build ($h is not on its include path)" "$work/log"
    done
done
# an include by a relative path would walk round the include path: none
found=$(grep -lE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"\.\./' \
    port/*.[ch] port/*/*.[ch] kernel/*.[ch] kernel/drivers/*.[ch] alloc/*.[ch] gc/*.[ch] \
    objects/*.[ch] prof/*.[ch] libc/*.[ch] 2>/dev/null | tr '\n' ' ')
ok=0
[ -z "$found" ] && ok=1
result $ok "no layer includes a header by a relative path (\"../\")${found:+: $found}"
summary
