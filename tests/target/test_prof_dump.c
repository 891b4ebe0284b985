// SPDX-License-Identifier: MIT
/*
 * test_prof_dump.c - the heap dump (prof/tp_heapdump.h) on the target.
 * Builds a known heap state (pools of several classes part full, an empty
 * pool kept, large blocks with holes between them), prints the runtime's own
 * figures (STATS/CSTATS lines, written here from tp_heap_stats and
 * tp_heap_class_stats), and dumps the heap twice: to a host file over
 * semihosting and framed on the console (the UART in the *@uart run).  The
 * host checks parse both dumps, check their frames, cross-check extents
 * against statistics, compare them with the printed figures, and draw the
 * heap map, checking its pixels against the dump.
 *
 *@uart
 *@host-check $ROOT/tools/py $ROOT/prof/host/tpdump.py --check --against $LOG work.tpdump libc.tpdump
 *@host-check $ROOT/tools/py $ROOT/prof/host/tpdump.py --check --against $LOG $LOG | grep -c agrees | grep -qx 2
 *@host-check $ROOT/tools/py $ROOT/prof/host/heapmap.py work.tpdump -o work.png --verify
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "tests/harness.h"
#include "tests/target/default_heap_block.h"
#include "tp_alloc.h"
#include "tp_heapdump.h"
#include "tp_libc_malloc.h"

static void print_stats(const char *label, const tp_heap_t *h) {
    tp_heap_stats_t st;
    tp_heap_stats(h, &st);
    tp_printf("STATS %s heap_size=%lu used_bytes=%lu used_blocks=%lu footprint=%lu free_bytes=%lu "
              "pools=%u free_pools=%u\n",
              label, (unsigned long)st.heap_size, (unsigned long)st.used_bytes,
              (unsigned long)st.used_blocks, (unsigned long)st.footprint,
              (unsigned long)st.free_bytes, st.pools, st.free_pools);
    for (unsigned c = 0; c < tp_heap_class_count(); c++) {
        tp_class_stats_t cs;
        tp_heap_class_stats(h, c, &cs);
        tp_printf("CSTATS %s %u %u %lu %lu\n", label, c, cs.pools, (unsigned long)cs.blocks_used,
                  (unsigned long)cs.blocks_free);
    }
}

typedef struct {
    size_t total, pools, used, free, meta, n;
} tally_t;

static int tally(const tp_extent_t *e, void *ctx) {
    tally_t *t = ctx;
    t->total += e->size;
    t->n++;
    if (e->kind == TP_EXTENT_POOL) t->pools++;
    if (e->kind == TP_EXTENT_USED) t->used += e->size;
    if (e->kind == TP_EXTENT_FREE) t->free += e->size;
    if (e->kind == TP_EXTENT_META) t->meta += e->size;
    return 0;
}

static tp_heap_t *work;
static void *arena;
static size_t arena_size;

/* A heap with something of everything in it. */
static void build_state(void) {
    static void *small[96], *large[12];
    unsigned nsmall = 0, nlarge = 0;
    for (unsigned i = 0; i < 96; i++) {
        small[nsmall] = tp_heap_alloc(work, 8u + 8u * (i % 4u));
        if (small[nsmall] != NULL) nsmall++;
    }
    for (unsigned i = 0; i < 12; i++) {
        large[nlarge] = tp_heap_alloc(work, 48u + 40u * i);
        if (large[nlarge] != NULL) nlarge++;
    }
    for (unsigned i = 0; i < nsmall; i += 3) tp_heap_free(work, small[i]); /* part-full pools */
    for (unsigned i = 0; i < nlarge; i += 2) tp_heap_free(work, large[i]); /* holes */
    (void)tp_heap_aligned_alloc(work, 64, 100);
}

static void test_walk_tiles_the_heap(void) {
    tally_t t = {0};
    tp_heap_stats_t st;
    tp_heap_stats(work, &st);
    TP_CHECK_EQ(tp_heap_walk(work, tally, &t), 0);
    TP_CHECK_EQ(t.total, st.heap_size);
    TP_CHECK_EQ(t.free, st.free_bytes);
    TP_CHECK_EQ(t.pools, (size_t)st.pools + st.free_pools);
    TP_CHECK_EQ(t.meta, st.metadata_bytes);
    TP_CHECK(t.used > 0 && t.free > 0);
}

static void test_dumps_written(void) {
    print_stats("work", work);
    print_stats("libc", tp_malloc_heap());
    long n = tp_heapdump_file(work, "work", "work.tpdump");
    TP_CHECK(n > 10);
    TP_CHECK(tp_heapdump_file(tp_malloc_heap(), "libc", "libc.tpdump") > 3);
    TP_CHECK_EQ(tp_heapdump_console(work, "work"), n);
    TP_CHECK(tp_heapdump_console(tp_malloc_heap(), "libc") > 3);
    tp_heapmap_print(work, 64, tp_test_log);
}

static void test_bad_inputs(void) {
    TP_CHECK(tp_heapdump(NULL, "x", NULL, NULL) == -1);
    TP_CHECK(tp_heapdump_file(work, "x", "") == -1); /* no such file */
    /* a damaged heap: no dump (the host would reject one without END) */
    static _Alignas(8) uint8_t scratch[2048]; /* (a board's control block can take 900) */
    tp_heap_t *h = tp_heap_init(scratch, sizeof scratch);
    void *p = tp_heap_alloc(h, 200);
    TP_CHECK(p != NULL);
    if (p == NULL) return;
    ((uint32_t *)p)[-1] = 0xFFFFFFF0u; /* its large-block header */
    TP_CHECK(tp_heap_walk(h, tally, &(tally_t){0}) == -1);
}

static const tp_test_case cases[] = {
    TP_CASE(test_walk_tiles_the_heap),
    TP_CASE(test_dumps_written),
    TP_CASE(test_bad_inputs),
};

int main(void) {
    arena = default_heap_block(1024u, 12u * 1024u, &arena_size);
    work = arena != NULL ? tp_heap_init(arena, arena_size) : NULL;
    if (work == NULL) return 2;
    build_state();
    return tp_test_main("prof_dump", cases, TP_COUNT(cases));
}
