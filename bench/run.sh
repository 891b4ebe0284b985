#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/run.sh - runs the benchmark images of bench/bench.mk under QEMU
# (netduinoplus2, -icount shift=0: TIM2 counts guest instructions), in
# parallel, then prints each image's notes, one table of both allocators,
# the code sizes, and every `BENCH <key> <value>` line last.  The images'
# `HIST <key> <instructions> <calls>` lines (histograms of the timed runs)
# are not printed: they are saved in BUILD_DIR/hist.txt for the plots.
# Always exits 0: the benchmarks measure, they do not pass or fail.
#
# Usage: bench/run.sh BUILD_DIR IMAGE.elf...
set -u
B=$1
shift
QEMU_TIMEOUT=${QEMU_TIMEOUT:-150}
start=$(date +%s)

names=()
pids=()
for elf in "$@"; do
    name=$(basename "$elf" .elf)
    names+=("$name")
    # The figures need libc's malloc to be absent or renamed: say so if not.
    if arm-none-eabi-nm "$elf" | awk '$2 ~ /^[TtWw]$/ && ($3 == "_malloc_r" || $3 == "malloc")' | grep -q .; then
        echo "bench: note: $elf also contains the C library's malloc (not what is measured)"
    fi
    timeout "$QEMU_TIMEOUT" qemu-system-arm -M netduinoplus2 -icount shift=0 -display none \
        -monitor none -serial stdio -semihosting-config enable=on,target=native \
        -kernel "$elf" >"$B/$name.log" 2>&1 </dev/null &
    pids+=($!)
done

all_bench=$B/bench.txt
all_hist=$B/hist.txt
: >"$all_bench"
: >"$all_hist"
for i in "${!pids[@]}"; do
    wait "${pids[$i]}"
    st=$?
    name=${names[$i]}
    log=$B/$name.log
    echo "==== $name ($log)"
    grep -v -e '^BENCH ' -e '^HIST ' "$log"
    if [ "$st" -ne 0 ]; then
        how="exit status $st"
        [ "$st" = 124 ] && how="timed out after ${QEMU_TIMEOUT}s"
        echo "bench: $name: QEMU run ended with $how; its figures are incomplete"
    fi
    grep '^BENCH ' "$log" | tr -d '\r' >>"$all_bench"
    grep '^HIST ' "$log" | tr -d '\r' >>"$all_hist"
done

only=newlib-only
case " ${names[*]} " in *" tidepool "*) only= ;; esac
bench/textsize.sh "$B" $only >"$B/textsize.txt"
grep -v '^BENCH ' "$B/textsize.txt"
grep '^BENCH ' "$B/textsize.txt" >>"$all_bench"
# the tracker's own code, as the tracking image compiled it
if [ -f "$B/obj-track/alloc/tp_track.o" ]; then
    echo "BENCH track.text_bytes $(arm-none-eabi-size -A "$B/obj-track/alloc/tp_track.o" |
        awk '$1 ~ /^\.text/ { s += $2 } END { print s + 0 }')" >>"$all_bench"
fi

echo
awk '
    { v[$2] = $3 }
    END {
        printf "allocator benchmarks: netduinoplus2 (Cortex-M4), QEMU -icount shift=0, instructions per call\n"
        printf "%-5s %-12s %6s %16s %16s %7s %10s %9s %6s\n", "trace", "allocator", "heap", \
               "malloc mean/max", "free mean/max", "failed", "peak live", "min heap", "frag"
        split("T1 T2 T3", T, " ")
        nk = split("alloc newlib track", K, " ")
        name["alloc"] = "tidepool"; name["newlib"] = "newlib-nano"; name["track"] = "+tracking"
        for (t = 1; t <= 3; t++)
            for (k = 1; k <= nk; k++) {
                p = K[k] "." T[t] "."
                if (!((p "malloc_mean") in v)) continue
                printf "%-5s %-12s %6s %16s %16s %7s %10s %9s %6s\n", T[t], name[K[k]], v[p "heap"], \
                       v[p "malloc_mean"] " / " v[p "malloc_max"], v[p "free_mean"] " / " v[p "free_max"], \
                       v[p "failed"], v[p "peak_live"], v[p "min_heap"], v[p "frag"]
            }
        printf "\nby path (small = requests the pools serve, TP_ALLOC_SMALL_MAX; the same split for newlib-nano)\n"
        printf "%-5s %-12s %16s %16s %16s %16s %9s\n", "trace", "allocator", "small malloc", \
               "small free", "large malloc", "large free", "small>60"
        for (t = 1; t <= 3; t++)
            for (k = 1; k <= nk; k++) {
                p = K[k] "." T[t] "."
                if (!((p "small_malloc_mean") in v)) continue
                printf "%-5s %-12s %16s %16s %16s %16s %9s\n", T[t], name[K[k]], \
                       v[p "small_malloc_mean"] " / " v[p "small_malloc_max"], \
                       v[p "small_free_mean"] " / " v[p "small_free_max"], \
                       v[p "large_malloc_mean"] " / " v[p "large_malloc_max"], \
                       v[p "large_free_mean"] " / " v[p "large_free_max"], v[p "small_malloc_over60"]
            }
        printf "\n"
        if ("track.T2.malloc_mean" in v) {
            printf "tracking (TP_ALLOC_TRACK=1, a tracker on the heap) adds, per call, mean/max:"
            for (t = 1; t <= 3; t++)
                printf " %s malloc +%.1f/+%d free +%.1f/+%d;", T[t], \
                       v["track." T[t] ".malloc_mean"] - v["alloc." T[t] ".malloc_mean"], \
                       v["track." T[t] ".malloc_max"] - v["alloc." T[t] ".malloc_max"], \
                       v["track." T[t] ".free_mean"] - v["alloc." T[t] ".free_mean"], \
                       v["track." T[t] ".free_max"] - v["alloc." T[t] ".free_max"]
            printf " its code %s bytes, its table %s bytes here\n\n", v["track.text_bytes"], v["track.slot_bytes"]
        }
        if ("newlib.kernel_lock_extra" in v)
            printf "newlib-nano runs with Debian\x27s empty malloc lock; the kernel\x27s interrupt-safe lock adds %s to each of its figures (tidepool\x27s include its own lock)\n", \
                   v["newlib.kernel_lock_extra"]
        printf "code size, -Os Cortex-M4 .text:"
        if ("alloc.text_bytes" in v)
            printf " tidepool %s bytes reachable from init+alloc+free (%s in all alloc objects; +%s .rodata);", \
                   v["alloc.text_bytes"], v["alloc.text_bytes_all"], v["alloc.rodata_bytes"]
        printf " newlib-nano nano-mallocr + nano-freer %s bytes\n", v["newlib.text_bytes"]
        printf "bytes one 16-byte allocation costs (1000 from a fresh 48 KiB heap):"
        if ("alloc.bytes_for_16" in v) printf " tidepool %s,", v["alloc.bytes_for_16"]
        if ("newlib.bytes_for_16" in v) printf " newlib-nano %s", v["newlib.bytes_for_16"]
        printf "\n"
        printf "16-byte blocks a 48 KiB heap holds:"
        if ("alloc.blocks16_in_48k" in v) printf " tidepool %s,", v["alloc.blocks16_in_48k"]
        if ("newlib.blocks16_in_48k" in v) printf " newlib-nano %s", v["newlib.blocks16_in_48k"]
        printf "\n\n"
    }' "$all_bench"
cat "$all_bench"
echo "bench: $(($(date +%s) - start)) s; results also in $all_bench, histograms in $all_hist"
exit 0
