// SPDX-License-Identifier: MIT
/*
 * bench_tidepool.c - tidepool's allocator (alloc/tp_alloc.h) as a benchmark
 * back end: tp_heap_init at bench_heap (its control block and page maps
 * inside the given size), tp_heap_alloc, tp_heap_free.  The image links the
 * allocator's library without libc/'s malloc glue.
 */
#include <stddef.h>
#include <stdint.h>

#include "alloc/tp_alloc.h"
#include "bench/bench.h"
#include "console.h"
#if TP_ALLOC_TRACK
#include "tp_track.h"
#endif

static tp_heap_t *heap;
static uint32_t hook_errors;
static unsigned hook_printed;

static void on_error(const tp_alloc_error_t *e, void *ctx) {
    (void)ctx;
    hook_errors++;
    if (hook_printed++ < 8)
        tp_printf("ERROR tidepool reported %s at %p (size %u, class %d): %s\n",
                  tp_alloc_err_name(e->kind), e->ptr, (unsigned)e->size, e->size_class,
                  e->detail != NULL ? e->detail : "");
}

#if TP_ALLOC_TRACK
/* The tracking build (bench.mk's tidepool-track image): every heap gets a
 * tracker, so each timed call includes recording or forgetting its block.
 * 1024 slots hold 896 live blocks (the table's 7/8 limit), more than any
 * trace keeps (T2's peak is under 700); the fragmentation search runs
 * tracked too, and finds the same heap sizes (the tracker is outside the
 * heap). */
#define TRACK_SLOTS 1024u
static tp_track_t tracker;
static tp_track_entry_t track_slots[TRACK_SLOTS];
#endif

static int tp_init(size_t size, uintptr_t *ctx) {
    if (bench_heap + size > bench_buf + BENCH_BUF_SIZE) return -1;
    heap = tp_heap_init(bench_heap, size);
    if (heap == NULL) return -1;
    tp_heap_set_error_hook(heap, on_error, NULL);
#if TP_ALLOC_TRACK
    if (tp_track_attach(heap, &tracker, track_slots, TRACK_SLOTS) != 0) return -1;
#endif
    hook_errors = 0;
    *ctx = (uintptr_t)heap;
    return 0;
}

/* Free space as tp_heap_stats reports it: free bytes at the large-block
 * level.  Blocks still free inside pools are not counted (they can only
 * serve their own size class). */
static size_t tp_free_space(void) {
    tp_heap_stats_t st;
    tp_heap_stats(heap, &st);
    return st.free_bytes;
}

/* Errors the allocator reported through its hook since init, after a full
 * consistency check of the heap (which reports through the same hook). */
static uint32_t tp_errors(void) {
    if (tp_heap_validate(heap) != 0 && hook_errors == 0) hook_errors++;
    return hook_errors;
}

/* Pools in use and empty pools kept, as tp_heap_stats counts them. */
static void tp_pools(uint32_t *in_use, uint32_t *kept) {
    tp_heap_stats_t st;
    tp_heap_stats(heap, &st);
    *in_use = st.pools;
    *kept = st.free_pools;
}

/* The heap at the end of a timed run (nominal size, the trace's blocks
 * still live), as tp_heap_stats sees it. */
static void tp_after_run(const char *trace) {
    tp_heap_stats_t st;
    tp_heap_stats(heap, &st);
    tp_printf("# tidepool %s at the end of the timed run: %u blocks, %u bytes handed out; "
              "footprint %u (peak %u), %u pools + %u kept empty; free %u, largest free %u; "
              "metadata %u\n",
              trace, (unsigned)st.used_blocks, (unsigned)st.used_bytes, (unsigned)st.footprint,
              (unsigned)st.footprint_peak, (unsigned)st.pools, (unsigned)st.free_pools,
              (unsigned)st.free_bytes, (unsigned)st.largest_free, (unsigned)st.metadata_bytes);
#if TP_ALLOC_TRACK
    /* every live block must be in the table, or the figures miss work */
    tp_printf("# tracker after %s: %u blocks recorded (%u bytes, peak %u), %u dropped, "
              "%u frees of unrecorded blocks\n",
              trace, (unsigned)tracker.live, (unsigned)tracker.live_bytes,
              (unsigned)tracker.peak_bytes, (unsigned)tracker.dropped,
              (unsigned)tracker.unknown_frees);
    if (tracker.live != st.used_blocks || tracker.dropped != 0 || tracker.unknown_frees != 0)
        tp_printf("ERROR tracker does not hold every live block after %s\n", trace);
    tp_printf("BENCH track.%s.dropped %u\n", trace, (unsigned)tracker.dropped);
    tp_printf("BENCH track.slot_bytes %u\n", (unsigned)sizeof track_slots);
#endif
}

/* The same 1000 x 16-byte allocation as bytes_for_16, seen through every
 * figure tp_heap_stats has, and the heap checked by tp_heap_validate. */
static void tp_report(void) {
    uintptr_t ctx, ret;
    tp_heap_stats_t a, b;
    if (tp_init(48u * 1024u, &ctx) != 0) return;
    tp_heap_stats(heap, &a);
    for (unsigned i = 0; i < 1000u; i++)
        (void)bench_timed_call((bench_fn_t)tp_heap_alloc, ctx, 16u, &ret);
    tp_heap_stats(heap, &b);
    tp_class_stats_t cs = {0};
    int have_cs = tp_heap_class_stats(heap, 1u, &cs) == 0;
    tp_printf("# tidepool stats, fresh 48 KiB heap -> after 1000 x malloc(16):\n");
    tp_printf("#   heap_size %u, metadata %u -> %u, free_bytes %u -> %u, footprint %u -> %u, "
              "used_bytes %u -> %u, pools %u -> %u, free_pools %u -> %u\n",
              (unsigned)a.heap_size, (unsigned)a.metadata_bytes, (unsigned)b.metadata_bytes,
              (unsigned)a.free_bytes, (unsigned)b.free_bytes, (unsigned)a.footprint,
              (unsigned)b.footprint, (unsigned)a.used_bytes, (unsigned)b.used_bytes,
              (unsigned)a.pools, (unsigned)b.pools, (unsigned)a.free_pools,
              (unsigned)b.free_pools);
    if (have_cs)
        tp_printf("#   class 1 (16 B): %u pools, %u blocks per pool, %u used, %u free in its "
                  "pools, pool overhead %u bytes\n",
                  (unsigned)cs.pools, (unsigned)cs.blocks_per_pool, (unsigned)cs.blocks_used,
                  (unsigned)cs.blocks_free, (unsigned)cs.pool_overhead);
    int v = tp_heap_validate(heap);
    tp_printf("#   tp_heap_validate: %d\n", v);
    tp_printf("BENCH alloc.metadata_48k %u\n", (unsigned)a.metadata_bytes);
}

const bench_alloc_t bench_allocator = {
#if TP_ALLOC_TRACK
    .name = "tidepool+tracking",
    .key = "track",
#else
    .name = "tidepool",
    .key = "alloc",
#endif
    .init = tp_init,
    .malloc_fn = (bench_fn_t)tp_heap_alloc,
    .free_fn = (bench_fn_t)tp_heap_free,
    .free_sized_fn = (bench_fn_t)tp_heap_free_sized,
    .free_space = tp_free_space,
    .errors = tp_errors,
    .high_water = NULL,
    .pools = tp_pools,
    .after_run = tp_after_run,
    /* the untracked image's report describes the same heap */
    .report = TP_ALLOC_TRACK ? NULL : tp_report,
};
