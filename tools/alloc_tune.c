// SPDX-License-Identifier: MIT
/*
 * tools/alloc_tune.c - host-side tuning aid: replays the benchmark traces
 * T1/T2/T3 (see docs/bench-method.md) against the allocator built with the
 * settings on the command line and prints the fragmentation of each (the
 * smallest heap, in 256-byte steps, that completes the trace / peak live
 * bytes).  The allocator's layout is the same on host and target, so these
 * figures equal the target's for the same heap start; `make bench` measures
 * them on target.
 *
 *   gcc -O2 -Ialloc -Ikernel -I. -DTP_HOST -DTP_ALLOC_POOL_SHIFT=9 ... \
 *       tools/alloc_tune.c alloc/tp_alloc.c alloc/tp_alloc_diag.c -o tune && ./tune [N]
 *
 * The figure moves with where the heap starts relative to the pool pages (a
 * few hundredths, more on T3), so a change of settings is best judged over
 * many starts: with N, the heap starts at N offsets 8 bytes apart (from a
 * 4 KiB boundary) and the mean, least and greatest figure are printed too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tp_alloc.h"

static uint32_t x;
static uint32_t next(void) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

static uint32_t t2_size(uint32_t v) {
    uint32_t r = v % 100u;
    return r < 30 ? 16 : r < 50 ? 24 : r < 70 ? 32 : r < 80 ? 48 : r < 90 ? 64 : r < 95 ? 128 : r < 98 ? 256 : 512;
}

static uint32_t trace_size(int t) {
    uint32_t v = next();
    if (t == 1) return 8u + v % 505u;
    if (t == 3 && v % 100u < 5u) return 1024u + next() % 3073u;
    return t2_size(v);
}

static _Alignas(4096) uint8_t mem[(1 << 20) + 4096];
static void *live[20000];
static uint32_t live_size[20000];

/* Runs the whole trace on a heap at mem + off; returns failures; *peak = peak
 * live bytes. */
static unsigned run(int t, size_t off, size_t heap_bytes, uint32_t *peak) {
    tp_heap_t *h = tp_heap_init(mem + off, heap_bytes);
    if (h == NULL) return 1;
    uint32_t target = t == 3 ? 32768u : 24576u;
    unsigned n = 0, fails = 0, ops = 0, warm = 0;
    uint32_t bytes = 0;
    *peak = 0;
    x = 2463534242u;
    int ramped = 0;
    while (ops < 20000u) {
        if (bytes < target) {
            uint32_t s = trace_size(t);
            void *p = tp_heap_alloc(h, s);
            if (p == NULL) return fails + 1u;
            else {
                live[n] = p;
                live_size[n++] = s;
                bytes += s;
                if (bytes > *peak) *peak = bytes;
            }
        } else {
            ramped = 1;
            uint32_t v = next();
            if (!(v & 0x80000000u)) continue;
            uint32_t i = v % n;
            tp_heap_free(h, live[i]);
            bytes -= live_size[i];
            live[i] = live[--n];
            live_size[i] = live_size[n];
        }
        if (ramped) {
            if (warm < 5000u) warm++;
            else ops++;
        }
    }
    return fails;
}

/* The smallest heap at mem + off, in 256-byte steps, that completes trace t. */
static size_t smallest(int t, size_t off, uint32_t peak) {
    size_t size = ((size_t)peak + 255u) & ~(size_t)255u;
    uint32_t p2;
    while (run(t, off, size, &p2) != 0) size += 256;
    return size;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1;
    if (n < 1 || n > 512) n = 1;
    for (int t = 1; t <= 3; t++) {
        uint32_t peak;
        run(t, 0, 1 << 19, &peak);
        size_t size = smallest(t, 0, peak);
        printf("T%d: smallest heap %zu, peak live %u, frag %.3f", t, size, peak, (double)size / peak);
        if (n > 1) {
            double sum = 0, lo = 1e9, hi = 0;
            for (int k = 0; k < n; k++) {
                double f = (double)smallest(t, (size_t)k * 8u, peak) / peak;
                sum += f;
                lo = f < lo ? f : lo;
                hi = f > hi ? f : hi;
            }
            printf("; over %d heap starts: mean %.3f, least %.3f, greatest %.3f", n, sum / n, lo, hi);
        }
        printf("\n");
    }
    return 0;
}
