// SPDX-License-Identifier: MIT
/*
 * gc_bench.c - the collector's benchmark on netduinoplus2 under QEMU
 * -icount shift=0 (TIM2 counts guest instructions; docs/bench-method.md).
 *
 *  1. Pauses.  For each graph shape and live-heap size: build the live
 *     structure plus a third as much garbage of the same shape, then
 *     collect it incrementally (tp_gc_step calls of TP_GC_STEP_WORK units,
 *     each timed: the longest is the pause); rebuild the garbage and
 *     collect the same heap stop-the-world (one tp_gc_collect(2), timed).
 *     Then the same for chains over a series of live sizes, from 2 KiB to
 *     what the arena holds (80 KiB live + 27 of garbage): the pause against
 *     the live heap, which bench/plots/plot_gc_pause.py draws.
 *  2. Throughput: an acyclic workload (build and drop small trees and lists)
 *     with the collector enabled against the same with it disabled
 *     (refcounting alone).
 *  3. Peak memory: a workload that makes cyclic garbage, with incremental
 *     collections against the same policy run stop-the-world (each
 *     collection finished as soon as it starts).
 *  4. Header bytes and the collector's -Os text size (printed by run.sh).
 *
 * Every figure is printed as a line `BENCH gc.<key> <value>` too.
 */
#include <stdint.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/tim2.h"
#include "console.h"
#include "fmt.h"
#include "tests/gc_types.h"
#include "tp_gc.h"

#define ARENA_BYTES (112u * 1024u)
static _Alignas(8) uint8_t arena[ARENA_BYTES];
static uint32_t overhead; /* bench_timed_call around an empty function */

static void fresh(void) {
    tp_heap_t *h = tp_heap_init(arena, sizeof arena);
    if (h == NULL || tp_gc_init(h) != 0 || tt_register() != 0) {
        tp_printf("ERROR gc bench: cannot set up the heap\n");
        return;
    }
}

static size_t used(void) {
    tp_heap_stats_t st;
    tp_heap_stats(tp_gc_heap(), &st);
    return st.used_bytes;
}

static uint32_t timed(bench_fn_t fn, uintptr_t a0, uintptr_t *ret) {
    uint32_t t = bench_timed_call(fn, a0, 0, ret);
    return t > overhead ? t - overhead : 0;
}

/* ---- shapes: each adds `bytes` of objects reachable from `root` ---- */

enum { S_CHAINS, S_BIGLIST, S_CYCLES, NSHAPES };
static const char *const shape_names[] = {"chains", "biglist", "cycles"};

/* Ring-shaped chains of 64 nodes. */
static void add_chains(tp_obj_t *root, size_t bytes) {
    size_t start = used();
    while (used() - start < bytes) {
        tp_obj_t *first = tt_node(0), *p = first;
        if (first == NULL) return;
        for (int i = 1; i < 64; i++) {
            tp_obj_t *q = tt_node(i);
            if (q == NULL) break;
            tt_set_a(p, q);
            tp_decref(q);
            p = q;
        }
        tt_set_a(p, first);
        (void)tt_vec_append(root, first);
        tp_decref(first);
    }
}

/* One list with many items: references to 32 shared nodes that all point
 * back to the list (one big cycle). */
static void add_biglist(tp_obj_t *root, size_t bytes) {
    size_t start = used();
    tp_obj_t *big = tt_vec();
    if (big == NULL) return;
    tp_obj_t *shared[32];
    for (int i = 0; i < 32; i++) {
        shared[i] = tt_node(i);
        if (shared[i] == NULL) return;
        tt_set_a(shared[i], big);
    }
    for (uint32_t i = 0; used() - start < bytes; i++)
        if (tt_vec_append(big, shared[i % 32u]) != 0) break;
    for (int i = 0; i < 32; i++) tp_decref(shared[i]);
    (void)tt_vec_append(root, big);
    tp_decref(big);
}

/* Many two-node cycles. */
static void add_cycles(tp_obj_t *root, size_t bytes) {
    size_t start = used();
    while (used() - start < bytes) {
        tp_obj_t *a = tt_node(1), *b = tt_node(2);
        if (a == NULL || b == NULL) return;
        tt_set_a(a, b);
        tt_set_a(b, a);
        (void)tt_vec_append(root, a);
        tp_decref(a);
        tp_decref(b);
    }
}

static void add_shape(int shape, tp_obj_t *root, size_t bytes) {
    if (shape == S_CHAINS) add_chains(root, bytes);
    else if (shape == S_BIGLIST) add_biglist(root, bytes);
    else add_cycles(root, bytes);
}

static uint32_t max_pause_all;

typedef struct {
    size_t live_bytes, objects;
    uint32_t steps;       /* tp_gc_step calls of the incremental collection */
    uint32_t longest;     /* its longest step */
    uint32_t total;       /* all its steps */
    uint32_t stw;         /* the stop-the-world collection */
    uintptr_t stw_found;  /* what that collection found */
} pauses_t;

static pauses_t measure_pauses(int shape, unsigned kib) {
    pauses_t p;
    fresh();
    tp_gc_disable(); /* only the collections measured here */
    tp_obj_t *live = tt_vec();
    add_shape(shape, live, (size_t)kib * 1024u);
    p.live_bytes = used();
    p.objects = 0;
    for (int g = 0; g < 3; g++) p.objects += tp_gc_get_objects(g, NULL, 0);

    /* incremental */
    tp_obj_t *junk = tt_vec();
    add_shape(shape, junk, (size_t)kib * 1024u / 3u);
    tp_decref(junk);
    tp_gc_start(2);
    uintptr_t more = 1;
    p.steps = p.longest = p.total = 0;
    while (more) {
        uint32_t t = timed((bench_fn_t)tp_gc_step, 0, &more);
        if (t > p.longest) p.longest = t;
        p.total += t;
        p.steps++;
    }
    /* stop-the-world, the same heap */
    junk = tt_vec();
    add_shape(shape, junk, (size_t)kib * 1024u / 3u);
    tp_decref(junk);
    p.stw = timed((bench_fn_t)tp_gc_collect, 2, &p.stw_found);
    tp_decref(live);
    if (p.longest > max_pause_all) max_pause_all = p.longest;
    return p;
}

static void print_pauses(int shape, unsigned kib, const pauses_t *p) {
    tp_printf("%-8s %4u KiB live (%5u objects, %6u bytes): incremental %5u steps, max pause "
              "%5u, total %8u | stop-the-world %8u (%u found)\n",
              shape_names[shape], kib, (unsigned)p->objects, (unsigned)p->live_bytes,
              (unsigned)p->steps, (unsigned)p->longest, (unsigned)p->total, (unsigned)p->stw,
              (unsigned)p->stw_found);
}

static void pauses(int shape, unsigned kib) {
    pauses_t p = measure_pauses(shape, kib);
    print_pauses(shape, kib, &p);
    tp_printf("BENCH gc.pause_max.%s.%uk %u\n", shape_names[shape], kib, (unsigned)p.longest);
    tp_printf("BENCH gc.stw_pause.%s.%uk %u\n", shape_names[shape], kib, (unsigned)p.stw);
}

/* The pause against the live heap: chains (the shape with the longest
 * incremental step above) at each size of the series, keyed by the size
 * asked for; live_bytes is what was built (whole rings: a little more). */
static void pause_series(unsigned kib) {
    pauses_t p = measure_pauses(S_CHAINS, kib);
    print_pauses(S_CHAINS, kib, &p);
    tp_printf("BENCH gc.pause.%uk.live_bytes %u\n", kib, (unsigned)p.live_bytes);
    tp_printf("BENCH gc.pause.%uk.incremental_max %u\n", kib, (unsigned)p.longest);
    tp_printf("BENCH gc.pause.%uk.incremental_steps %u\n", kib, (unsigned)p.steps);
    tp_printf("BENCH gc.pause.%uk.stw %u\n", kib, (unsigned)p.stw);
}

/* ---- throughput on an acyclic workload ---- */

static uint32_t acyclic_workload(uintptr_t rounds) {
    for (uintptr_t r = 0; r < rounds; r++) {
        tp_obj_t *list = tt_vec();
        for (int i = 0; i < 16; i++) {
            tp_obj_t *n = tt_node(i), *l = tt_leaf(i);
            tt_set_a(n, l);
            (void)tt_vec_append(list, n);
            tp_decref(l);
            tp_decref(n);
        }
        tp_decref(list);
    }
    return 0;
}

static uint32_t throughput(int enabled) {
    fresh();
    tp_obj_t *keep = tt_vec(); /* some long-lived objects for the collections to scan */
    add_chains(keep, 16u * 1024u);
    if (!enabled) tp_gc_disable();
    uintptr_t r;
    uint32_t t = timed((bench_fn_t)acyclic_workload, 300, &r);
    tp_decref(keep);
    return t;
}

/* ---- peak memory with cyclic garbage ---- */

static int stop_the_world;

static void cyclic_workload(unsigned rounds) {
    tp_obj_t *keep = tt_vec();
    add_chains(keep, 8u * 1024u);
    for (unsigned r = 0; r < rounds; r++) {
        tp_obj_t *a = tt_node(1), *b = tt_vec();
        if (a == NULL || b == NULL) break;
        tt_set_a(a, b);
        (void)tt_vec_append(b, a);
        tp_obj_t *l = tt_leaf((int32_t)r);
        (void)tt_vec_append(b, l);
        tp_decref(l);
        tp_decref(a);
        tp_decref(b);
        if (stop_the_world)
            while (tp_gc_step(UINT32_MAX)) {
            }
    }
    tp_decref(keep);
}

static size_t peak(int stw) {
    fresh();
    stop_the_world = stw;
    cyclic_workload(6000);
    tp_heap_stats_t st;
    tp_heap_stats(tp_gc_heap(), &st);
    return st.footprint_peak;
}

static void ratio(char *buf, uint32_t num, uint32_t den) {
    uint32_t x = den ? (uint32_t)(((uint64_t)num * 1000u + den / 2u) / den) : 0u;
    (void)tp_snprintf(buf, 16, "%u.%03u", (unsigned)(x / 1000u), (unsigned)(x % 1000u));
}

int main(void) {
    tim2_start();
    uintptr_t r;
    overhead = bench_timed_call((bench_fn_t)bench_empty, 0, 0, &r);
    tp_printf("# collector benchmark (netduinoplus2, TIM2 = guest instructions), step work %u "
              "units\n",
              (unsigned)TP_GC_STEP_WORK);
    static const unsigned sizes[] = {8, 32, 80};
    for (int s = 0; s < NSHAPES; s++)
        for (unsigned k = 0; k < 3; k++) pauses(s, sizes[k]);
    tp_printf("pause against the live heap (chains):\n");
    static const unsigned series[] = {2, 4, 8, 16, 24, 32, 48, 64, 80};
    for (unsigned k = 0; k < sizeof series / sizeof series[0]; k++) pause_series(series[k]);
    tp_printf("BENCH gc.pause_max %u\n", (unsigned)max_pause_all);

    uint32_t on = throughput(1), off = throughput(0);
    char b[16];
    int32_t pct10 = (int32_t)(((int64_t)on - (int64_t)off) * 1000 / (int64_t)off);
    tp_printf("acyclic workload: %u instructions with the collector, %u with refcounting "
              "alone\n",
              (unsigned)on, (unsigned)off);
    tp_printf("BENCH gc.overhead_pct %d.%d\n", (int)(pct10 / 10), (int)((pct10 < 0 ? -pct10 : pct10) % 10));

    size_t p_inc = peak(0), p_stw = peak(1);
    ratio(b, (uint32_t)p_inc, (uint32_t)p_stw);
    tp_printf("cyclic workload: peak footprint %u bytes incremental, %u stop-the-world\n",
              (unsigned)p_inc, (unsigned)p_stw);
    tp_printf("BENCH gc.peak_inc %u\nBENCH gc.peak_stw %u\nBENCH gc.peak_vs_stw %s\n",
              (unsigned)p_inc, (unsigned)p_stw, b);
    tp_printf("BENCH gc.header_leaf %u\nBENCH gc.header_container %u\n",
              (unsigned)sizeof(tp_obj_t), (unsigned)sizeof(tp_gc_head_t));
    return 0;
}
