// SPDX-License-Identifier: MIT
/*
 * test_alloc.c - the allocator on the host, under ASan/UBSan: unit tests of
 * every entry point and every reported error, then a randomised stress test
 * with tp_heap_validate() after every operation at 50 % and 100 % fill.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"
#include "tests/host/alloc_stress.h"
#include "tp_alloc.h"

/* room for a pool of every class as well as the large blocks, whatever the
 * settings (tests/host/host.mk also builds this file with 64 classes) */
#ifndef HEAP_BYTES
#define HEAP_BYTES (64u * 1024u)
#endif
/* A request of about n bytes that goes to the large level: n itself with
 * the default threshold, more with a higher TP_ALLOC_SMALL_MAX. */
#define LARGE_REQ(n) ((n) > TP_ALLOC_SMALL_MAX ? (n) : (n) + TP_ALLOC_SMALL_MAX)
static _Alignas(8) uint8_t arena[HEAP_BYTES + 4096u];

/* ---- error hook that records what it was told ---- */
static tp_alloc_err_t last_kind;
static const void *last_ptr;
static unsigned errors_seen;
static void record_error(const tp_alloc_error_t *e, void *ctx) {
    (void)ctx;
    last_kind = e->kind;
    last_ptr = e->ptr;
    errors_seen++;
}

static tp_heap_t *fresh_heap(size_t size) {
    memset(arena, 0x5A, sizeof arena); /* not zero: the allocator must not rely on it */
    tp_heap_t *h = tp_heap_init(arena, size);
    if (h != NULL) tp_heap_set_error_hook(h, record_error, NULL);
    last_kind = TP_ALLOC_OK;
    last_ptr = NULL;
    errors_seen = 0;
    return h;
}

static tp_heap_stats_t stats(const tp_heap_t *h) {
    tp_heap_stats_t s;
    tp_heap_stats(h, &s);
    return s;
}

static void test_init_rejects_bad_regions(void) {
    TP_CHECK(tp_heap_init(NULL, 4096) == NULL);
    TP_CHECK(tp_heap_init(arena, 16) == NULL);
    TP_CHECK(tp_heap_init(arena, 0) == NULL);
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    TP_CHECK(h != NULL);
    tp_heap_stats_t s = stats(h);
    TP_CHECK_EQ(s.heap_size, HEAP_BYTES);
    TP_CHECK_EQ(s.used_bytes, 0);
    TP_CHECK_EQ(s.footprint, 0);
    TP_CHECK(s.metadata_bytes < 2048u); /* control block + page map + sentinel */
    TP_CHECK_EQ(s.free_bytes + s.metadata_bytes, HEAP_BYTES);
    TP_CHECK(s.largest_free >= HEAP_BYTES / 2u);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

static void test_small_classes_round_to_8(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    void *ps[TP_ALLOC_SMALL_MAX + 1];
    for (size_t n = 1; n <= TP_ALLOC_SMALL_MAX; n++) {
        ps[n] = tp_heap_alloc(h, n);
        TP_CHECK(ps[n] != NULL);
        TP_CHECK_EQ((uintptr_t)ps[n] % 8u, 0);
        TP_CHECK_EQ(tp_heap_usable_size(h, ps[n]), (n + 7u) & ~7u);
        memset(ps[n], (int)n, n);
    }
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    for (size_t n = 1; n <= TP_ALLOC_SMALL_MAX; n++) {
        const uint8_t *b = ps[n];
        for (size_t i = 0; i < n; i++)
            if (b[i] != (uint8_t)n) {
                TP_CHECK(!"block contents damaged by a neighbour");
                break;
            }
        tp_heap_free(h, ps[n]);
    }
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_stats_t s = stats(h);
    TP_CHECK_EQ(s.used_bytes, 0);
    TP_CHECK_EQ(s.used_blocks, 0);
    TP_CHECK_EQ(s.pools, 0);
    TP_CHECK_EQ(s.footprint, (size_t)s.free_pools * TP_ALLOC_POOL_SIZE);
    TP_CHECK_EQ(errors_seen, 0);
}

static void test_malloc_zero_is_unique(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    void *a = tp_heap_alloc(h, 0), *b = tp_heap_alloc(h, 0);
    TP_CHECK(a != NULL && b != NULL && a != b);
    tp_heap_free(h, a);
    tp_heap_free(h, b);
    tp_heap_free(h, NULL); /* no-op */
    TP_CHECK_EQ(errors_seen, 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

static void test_pool_recycles_blocks(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    void *a = tp_heap_alloc(h, 24);
    void *b = tp_heap_alloc(h, 24);
    tp_heap_free(h, a);
    void *c = tp_heap_alloc(h, 20); /* same class: gets a's block back */
    TP_CHECK(c == a);
    tp_class_stats_t cs;
    TP_CHECK_EQ(tp_heap_class_stats(h, 2, &cs), 0);
    TP_CHECK_EQ(cs.block_size, 24);
    TP_CHECK_EQ(cs.pools, 1);
    TP_CHECK_EQ(cs.blocks_used, 2);
    TP_CHECK_EQ(cs.blocks_used + cs.blocks_free, cs.blocks_per_pool);
    TP_CHECK_EQ(tp_heap_class_stats(h, TP_ALLOC_NCLASSES, &cs), -1);
    tp_heap_free(h, b);
    tp_heap_free(h, c);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

static void test_full_and_empty_pools(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    enum { N = 300 };
    void *p[N];
    for (int i = 0; i < N; i++) p[i] = tp_heap_alloc(h, 16);
    tp_class_stats_t cs;
    tp_heap_class_stats(h, 1, &cs);
    unsigned per_pool = cs.blocks_per_pool;
    TP_CHECK_EQ(cs.pools, (N + per_pool - 1u) / per_pool);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    /* free in an order that empties whole pools */
    for (int i = N - 1; i >= 0; i -= 2) tp_heap_free(h, p[i]);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    for (int i = N - 2; i >= 0; i -= 2) tp_heap_free(h, p[i]);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_stats_t s = stats(h);
    TP_CHECK_EQ(s.pools, 0);
    TP_CHECK(s.free_pools <= TP_ALLOC_KEEP_FREE_POOLS + 1u); /* + the class's last */
    /* the emptied pools went back to the large level, which coalesced them */
    TP_CHECK(s.largest_free >= HEAP_BYTES / 2u);
    TP_CHECK_EQ(errors_seen, 0);
}

/* Empty pools are kept for reuse, but never at the cost of a failed
 * allocation: they go back to the large level first. */
static void test_kept_pools_never_make_malloc_fail(void) {
    /* one free block (the heap smaller than the largest block) */
    size_t heap = (1u << TP_ALLOC_MAX_LOG2) / 2u < 16u * 1024u ? (1u << TP_ALLOC_MAX_LOG2) / 2u
                                                                 : 16u * 1024u;
    tp_heap_t *h = fresh_heap(heap);
    size_t largest0 = stats(h).largest_free, whole = stats(h).free_bytes - 4u;
    void *a = tp_heap_alloc(h, 8), *b = tp_heap_alloc(h, TP_ALLOC_SMALL_MAX);
    tp_heap_free(h, a);
    tp_heap_free(h, b);
    tp_heap_stats_t s = stats(h);
    TP_CHECK_EQ(s.pools, 0);
    TP_CHECK_EQ(s.free_pools, TP_ALLOC_NCLASSES > 1u ? 2u : 1u); /* each its class's only pool */
    void *big = tp_heap_alloc(h, whole); /* the whole free block: only without the kept pools */
    TP_CHECK(big != NULL);
    s = stats(h);
    TP_CHECK_EQ(s.free_pools, 0);
    TP_CHECK_EQ(s.fail_count, 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_free(h, big);
    TP_CHECK_EQ(stats(h).largest_free, largest0);
    TP_CHECK_EQ(errors_seen, 0);
}

/* A class's only pool with a free block stays when it empties; a pool that
 * was full and gets a block back is linked behind it, so that it is the one
 * used next, counted as kept, and handed back if an allocation would fail. */
static void test_empty_pool_stays_first(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    tp_class_stats_t cs;
    tp_heap_class_stats(h, 0, &cs);
    enum { MAXB = TP_ALLOC_POOL_SIZE / 8 };
    static void *full[MAXB];
    unsigned n = cs.blocks_per_pool;
    for (unsigned i = 0; i < n; i++) full[i] = tp_heap_alloc(h, 8); /* pool A, full */
    void *x = tp_heap_alloc(h, 8);                                   /* pool B */
    tp_heap_free(h, x); /* B empties, alone among the pools with a free block: it stays */
    tp_heap_stats_t s = stats(h);
    TP_CHECK_EQ(s.pools, 1);
    TP_CHECK_EQ(s.free_pools, 1);
    tp_heap_free(h, full[0]); /* A is no longer full: linked behind B */
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    s = stats(h);
    TP_CHECK_EQ(s.pools, 1);
    TP_CHECK_EQ(s.free_pools, 1);
    void *y = tp_heap_alloc(h, 8); /* from B, the first */
    TP_CHECK(y == x);
    TP_CHECK_EQ(stats(h).pools, 2);
    tp_heap_free(h, y); /* B empties again, not alone now: kept on freepools (if any are) */
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    s = stats(h);
    TP_CHECK_EQ(s.pools, 1);
    TP_CHECK_EQ(s.free_pools, TP_ALLOC_KEEP_FREE_POOLS > 0u ? 1u : 0u);
    /* again B first and empty, A behind it; an allocation that fails hands B back */
    void *z1 = tp_heap_alloc(h, 8); /* A's free block: A full */
    void *z2 = tp_heap_alloc(h, 8); /* B, from freepools or a new page */
    tp_heap_free(h, z2);             /* B empties, alone: stays */
    tp_heap_free(h, z1);             /* A linked behind B */
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(stats(h).free_pools, 1);
    /* (bigger than the heap's space, not than the largest request) */
    TP_CHECK(tp_heap_alloc(h, HEAP_BYTES < tp_heap_max_request() ? HEAP_BYTES : tp_heap_max_request()) == NULL);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    s = stats(h);
    TP_CHECK_EQ(s.pools, 1);
    TP_CHECK_EQ(s.free_pools, 0);
    for (unsigned i = 1; i < n; i++) tp_heap_free(h, full[i]);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    TP_CHECK_EQ(errors_seen, 0);
}

static void test_large_blocks_coalesce(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    size_t largest0 = stats(h).largest_free;
    void *a = tp_heap_alloc(h, 1000), *b = tp_heap_alloc(h, 2000), *c = tp_heap_alloc(h, 3000);
    TP_CHECK(a && b && c);
    TP_CHECK(tp_heap_usable_size(h, b) >= 2000u);
    TP_CHECK(tp_heap_usable_size(h, b) < 2000u + 16u);
    memset(a, 1, 1000);
    memset(b, 2, 2000);
    memset(c, 3, 3000);
    tp_heap_free(h, b);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_free(h, a); /* merges with b */
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_free(h, c); /* merges with a+b and the free rest */
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(stats(h).largest_free, largest0);
    TP_CHECK_EQ(stats(h).footprint, 0);
}

static void test_exhaustion_fails_cleanly(void) {
    tp_heap_t *h = fresh_heap(16u * 1024u);
    void *blocks[400];
    int n = 0;
    while (n < 400 && (blocks[n] = tp_heap_alloc(h, 200)) != NULL) n++;
    TP_CHECK(n > 40 && n < 400);
    TP_CHECK(tp_heap_alloc(h, 200) == NULL);
    TP_CHECK(tp_heap_alloc(h, 100000) == NULL);
    TP_CHECK(tp_heap_alloc(h, SIZE_MAX) == NULL);
    TP_CHECK(tp_heap_alloc(h, SIZE_MAX - 3) == NULL);
    TP_CHECK(stats(h).fail_count >= 4u);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    /* small requests still come from pools while a pool has room, else fail */
    for (int i = 0; i < n; i++) tp_heap_free(h, blocks[i]);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK(tp_heap_alloc(h, 12000) != NULL);
    TP_CHECK_EQ(errors_seen, 0);
}

/* largest_free is exact: over many heap states (random mixes of sizes taken
 * and given back), a request of largest_free bytes succeeds and one of 8
 * bytes more fails - when no kept empty pool could be handed back to make
 * room (the one exception the statistics state). */
static void test_largest_free_predicts(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    enum { N = 96 };
    void *live[N] = {0};
    uint32_t x = 2463534242u;
    unsigned checked = 0;
    for (unsigned round = 0; round < 400; round++) {
        for (unsigned k = 0; k < 24; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            unsigned i = x % N;
            if (live[i] != NULL) {
                tp_heap_free(h, live[i]);
                live[i] = NULL;
            } else {
                live[i] = tp_heap_alloc(h, TP_ALLOC_SMALL_MAX + 1u + (x >> 8) % (x & 0x10000u ? 3000u : 200u));
            }
        }
        tp_heap_stats_t s = stats(h);
        if (s.free_pools != 0 || s.largest_free <= TP_ALLOC_SMALL_MAX) continue;
        uint32_t fails = s.fail_count;
        TP_CHECK(tp_heap_alloc(h, s.largest_free + 8u) == NULL);
        TP_CHECK_EQ(stats(h).fail_count, fails + 1u);
        void *p = tp_heap_alloc(h, s.largest_free);
        TP_CHECK(p != NULL);
        tp_heap_free(h, p);
        checked++;
    }
    TP_CHECK(checked > 100u);
    for (unsigned i = 0; i < N; i++) tp_heap_free(h, live[i]);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(errors_seen, 0);
}

/* The largest request: served whole where a region holds it; one byte
 * more fails at once, without asking the out-of-memory hook. */
static unsigned oom_asked;
static int count_oom(tp_heap_t *heap, size_t size, void *ctx) {
    (void)heap, (void)size, (void)ctx;
    oom_asked++;
    return 0;
}
static void test_largest_request(void) {
    size_t max = tp_heap_max_request();
    TP_CHECK_EQ(max, (size_t)((1u << TP_ALLOC_MAX_LOG2) - 20u));
    size_t bytes = max + 64u * 1024u;
    uint8_t *mem = malloc(bytes);
    TP_CHECK(mem != NULL);
    tp_heap_t *h = tp_heap_init(mem, bytes);
    TP_CHECK(h != NULL);
    tp_heap_set_oom_hook(h, count_oom, NULL);
    oom_asked = 0;
    uint8_t *p = tp_heap_alloc(h, max);
    TP_CHECK(p != NULL);
    if (p != NULL) {
        p[0] = 1;
        p[max - 1u] = 2;
    }
    TP_CHECK(tp_heap_usable_size(h, p) >= max);
    TP_CHECK(tp_heap_alloc(h, max + 1u) == NULL);
    TP_CHECK_EQ(oom_asked, 0);
    TP_CHECK_EQ(stats(h).fail_count, 1u);
    void *rest = tp_heap_alloc(h, 32u * 1024u); /* from the region's second piece */
    TP_CHECK(rest != NULL);
    tp_heap_free(h, rest);
    tp_heap_free(h, p);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    /* a region a little bigger than one block (its first piece as big as a
     * piece gets, the rest a second one): that piece serves the
     * largest request, and largest_free says so */
    h = tp_heap_init(mem, max + 4096u);
    TP_CHECK(h != NULL);
    TP_CHECK_EQ(stats(h).largest_free, max);
    p = tp_heap_alloc(h, max);
    TP_CHECK(p != NULL);
    tp_heap_free(h, p);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    free(mem);
}

/* Heaps of every size around one block, at a few starts: each valid as
 * made (the fences between the pieces of a region are metadata, whatever is
 * left after a piece), and each serves the request largest_free names. */
static void test_sizes_around_one_block(void) {
    size_t max = tp_heap_max_request();
    uint8_t *mem = malloc(max + 4096u);
    TP_CHECK(mem != NULL);
    unsigned made = 0;
    for (size_t off = 0; off <= 8u; off += 8u)
        for (size_t size = max + 512u; size + off <= max + 2048u; size += 8u) {
            tp_heap_t *h = tp_heap_init(mem + off, size);
            if (h == NULL) continue;
            made++;
            TP_CHECK_EQ(tp_heap_validate(h), 0);
            size_t largest = stats(h).largest_free;
            TP_CHECK(largest <= max);
            TP_CHECK(tp_heap_alloc(h, largest) != NULL);
        }
    TP_CHECK(made > 300u);
    free(mem);
}

static void test_double_free_is_reported_not_corrupting(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    void *keep = tp_heap_alloc(h, 16);
    void *a = tp_heap_alloc(h, 16);
    tp_heap_free(h, a);
    tp_heap_free(h, a);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_DOUBLE_FREE);
    TP_CHECK(last_ptr == a);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    /* the block is handed out once, not twice */
    void *x = tp_heap_alloc(h, 16), *y = tp_heap_alloc(h, 16);
    TP_CHECK(x != y);

    void *big = tp_heap_alloc(h, 600);
    tp_heap_free(h, big);
    last_kind = TP_ALLOC_OK;
    tp_heap_free(h, big);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_DOUBLE_FREE);
    TP_CHECK_EQ(tp_heap_validate(h), 0);

    /* found by the fuzzer: a block between two free blocks is coalesced with
     * both; its old header, left inside the free block, must not pass for a
     * used one (the neighbour after it had been a free block too) */
    void *left = tp_heap_alloc(h, 37);
    void *mid = tp_heap_aligned_alloc(h, 1024, 37); /* free space before and after it */
    tp_heap_free(h, mid);
    last_kind = TP_ALLOC_OK;
    tp_heap_free(h, mid);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_DOUBLE_FREE);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_free(h, left);

    /* a block whose pool has emptied and is waiting on freepools */
    tp_heap_free(h, keep);
    tp_heap_free(h, x);
    tp_heap_free(h, y);
    last_kind = TP_ALLOC_OK;
    tp_heap_free(h, keep);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_DOUBLE_FREE);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(stats(h).error_count, 4u);

    /* a block whose emptied pool went back to the large level: the stale
     * pointer must not free anything.  Pools of one class, all full, emptied
     * one after the other: the first stays (the class's only pool with a
     * free block), the next TP_ALLOC_KEEP_FREE_POOLS are kept, the one after
     * is handed back. */
    h = fresh_heap(HEAP_BYTES);
    enum { NPOOLS = TP_ALLOC_KEEP_FREE_POOLS + 2, MAXB = NPOOLS * TP_ALLOC_POOL_SIZE / 8 };
    static void *bl[MAXB];
    tp_class_stats_t cs;
    tp_heap_class_stats(h, 0, &cs);
    unsigned nb = NPOOLS * cs.blocks_per_pool;
    for (unsigned i = 0; i < nb; i++) bl[i] = tp_heap_alloc(h, 8);
    void *big1 = tp_heap_alloc(h, LARGE_REQ(400u));
    for (unsigned i = 0; i < nb; i++) tp_heap_free(h, bl[i]); /* pool by pool */
    TP_CHECK_EQ(stats(h).pools, 0);
    TP_CHECK_EQ(stats(h).free_pools, NPOOLS - 1);
    void *m = bl[nb - 1];
    last_kind = TP_ALLOC_OK;
    tp_heap_free(h, m);
    TP_CHECK(last_kind == TP_ALLOC_ERR_BAD_HEADER || last_kind == TP_ALLOC_ERR_DOUBLE_FREE);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_free(h, big1);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

static void test_bad_pointers_are_reported(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    int on_stack;
    tp_heap_free(h, &on_stack);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_FOREIGN);
    uint8_t *s = tp_heap_alloc(h, 32);
    tp_heap_free(h, s + 1);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_MISALIGNED);
    uint8_t *pool_start = (uint8_t *)((uintptr_t)s & ~(uintptr_t)(TP_ALLOC_POOL_SIZE - 1u));
    tp_heap_free(h, pool_start); /* the pool header, not a block */
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_FOREIGN);
    uint8_t *l = tp_heap_alloc(h, 700);
    last_kind = TP_ALLOC_OK;
    tp_heap_free(h, l + 8); /* inside a large block: its "header" is user data */
    TP_CHECK(last_kind == TP_ALLOC_ERR_BAD_HEADER || last_kind == TP_ALLOC_ERR_DOUBLE_FREE);
    uint32_t saved;
    memcpy(&saved, l - 4, 4);
    uint32_t junk = 0xFFFFFFF8u;
    memcpy(l - 4, &junk, 4); /* an overrun from the block before wrote the header */
    last_kind = TP_ALLOC_OK;
    tp_heap_free(h, l);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_BAD_HEADER);
    memcpy(l - 4, &saved, 4);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_free(h, l);
    tp_heap_free(h, s);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK(tp_heap_realloc(h, &on_stack, 10) == NULL);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_FOREIGN);
    TP_CHECK(tp_heap_usable_size(h, &on_stack) == 0);
}

/* Release build: an interior pointer into a pool block is caught on every
 * free - where freeing would empty the pool, un-fill a full pool, and
 * mid-pool (a pool neither empty nor full after the free). */
static void test_interior_pool_pointer_on_the_slow_path(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    uint8_t *a = tp_heap_alloc(h, 16); /* the only block of its pool */
    tp_heap_free(h, a + 8);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_INTERIOR);
    TP_CHECK(last_ptr == a + 8);
    TP_CHECK_EQ(stats(h).used_blocks, 1);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_free(h, a);
    TP_CHECK_EQ(stats(h).used_blocks, 0);

    /* a full pool of 24-byte blocks */
    tp_class_stats_t cs;
    tp_heap_class_stats(h, 2, &cs);
    uint8_t *blocks[TP_ALLOC_POOL_SIZE / 24u];
    unsigned n = cs.blocks_per_pool;
    TP_CHECK(n <= sizeof blocks / sizeof blocks[0]);
    for (unsigned i = 0; i < n; i++) blocks[i] = tp_heap_alloc(h, 24);
    tp_heap_class_stats(h, 2, &cs);
    TP_CHECK_EQ(cs.pools, 1);
    last_kind = TP_ALLOC_OK;
    tp_heap_free(h, blocks[n / 2u] + 16);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_INTERIOR);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    /* mid-pool: one block freed, so the pool is neither full nor emptying */
    tp_heap_free(h, blocks[0]);
    last_kind = TP_ALLOC_OK;
    tp_heap_free(h, blocks[n / 2u] + 8);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_INTERIOR);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    uint8_t *x = tp_heap_alloc(h, 24), *y = tp_heap_alloc(h, 24);
    TP_CHECK(x == blocks[0] && y != blocks[n / 2u] + 8); /* the free list is whole */
    tp_heap_free(h, y);
    for (unsigned i = 0; i < n; i++) tp_heap_free(h, blocks[i]);
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(errors_seen, 3);
}

static void test_realloc_edges(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    uint8_t *p = tp_heap_realloc(h, NULL, 10); /* NULL: allocate */
    TP_CHECK(p != NULL);
    memcpy(p, "0123456789", 10);
    uint8_t *q = tp_heap_realloc(h, p, 14); /* same class: in place */
    TP_CHECK(q == p);
    q = tp_heap_realloc(h, p, 100); /* another class */
    TP_CHECK(q != NULL && memcmp(q, "0123456789", 10) == 0);
    p = tp_heap_realloc(h, q, 5000); /* across the threshold */
    TP_CHECK(p != NULL && memcmp(p, "0123456789", 10) == 0);
    TP_CHECK(tp_heap_usable_size(h, p) >= 5000u);
    uint8_t *r = tp_heap_realloc(h, p, 3000); /* shrink: in place */
    TP_CHECK(r == p);
    r = tp_heap_realloc(h, p, 6000); /* grow into the free space after it */
    TP_CHECK(r == p);
    TP_CHECK(memcmp(r, "0123456789", 10) == 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK(tp_heap_realloc(h, r, SIZE_MAX / 2u) == NULL); /* fails: old block untouched */
    TP_CHECK(memcmp(r, "0123456789", 10) == 0);
    TP_CHECK(tp_heap_realloc(h, r, 0) == NULL); /* size 0: frees */
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(errors_seen, 0);
}

static void test_calloc_and_overflow(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    uint8_t *a = tp_heap_alloc(h, 64);
    memset(a, 0xEE, 64);
    tp_heap_free(h, a);
    uint8_t *z = tp_heap_calloc(h, 8, 8); /* likely a's block again: must be zeroed */
    TP_CHECK(z != NULL);
    for (int i = 0; i < 64; i++) TP_CHECK_EQ(z[i], 0);
    TP_CHECK(tp_heap_calloc(h, SIZE_MAX / 2u, 4) == NULL);
    tp_heap_free(h, z);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

static void test_aligned_alloc(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    void *ps[8];
    size_t aligns[8] = {1, 8, 16, 32, 64, 256, 1024, 4096};
    for (int i = 0; i < 8; i++) {
        ps[i] = tp_heap_aligned_alloc(h, aligns[i], 40);
        TP_CHECK(ps[i] != NULL);
        TP_CHECK_EQ((uintptr_t)ps[i] % aligns[i], 0);
        memset(ps[i], i, 40);
        TP_CHECK_EQ(tp_heap_validate(h), 0);
    }
    TP_CHECK(tp_heap_aligned_alloc(h, 24, 40) == NULL); /* not a power of two */
    TP_CHECK(tp_heap_aligned_alloc(h, 0, 40) == NULL);
    for (int i = 0; i < 8; i++) tp_heap_free(h, ps[i]);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    TP_CHECK_EQ(errors_seen, 0);
}

/* Found by the fuzzer: an aligned request near the largest block size made
 * the search for a free block index past the free-list table. */
static void test_aligned_alloc_near_the_largest_block(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    size_t largest = (1u << TP_ALLOC_MAX_LOG2) - 8u - 4u; /* the largest request there is */
    for (size_t align = 16; align <= 4096; align *= 4) {
        TP_CHECK(tp_heap_aligned_alloc(h, align, largest) == NULL);
        TP_CHECK(tp_heap_aligned_alloc(h, align, largest - align) == NULL);
    }
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    void *p = tp_heap_aligned_alloc(h, 64, HEAP_BYTES / 2u); /* still fine */
    TP_CHECK(p != NULL && (uintptr_t)p % 64u == 0);
    tp_heap_free(h, p);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(errors_seen, 0);
}

/* Found by the fuzzer: a new pool taken from the only free block, of exactly
 * two pools + 16 bytes, which starts 8 bytes short of a page: a page fits in
 * it only with an 8-byte piece left over, too small for a block. */
static void test_pool_from_a_block_of_two_pools(void) {
    tp_heap_t *h = fresh_heap(16u * TP_ALLOC_POOL_SIZE);
    uint8_t *probe = tp_heap_alloc(h, LARGE_REQ(600u)); /* the first block of the region */
    uintptr_t first = (uintptr_t)probe - 4u;
    tp_heap_free(h, probe);
    /* a block before it so that the next one starts at page - 12 */
    uintptr_t want = (uintptr_t)TP_ALLOC_POOL_SIZE - 12u;
    size_t need_a = TP_ALLOC_POOL_SIZE + ((want - first) & (TP_ALLOC_POOL_SIZE - 1u));
    void *a = tp_heap_alloc(h, need_a - 4u);
    uint8_t *b = tp_heap_alloc(h, 2u * TP_ALLOC_POOL_SIZE + 16u - 4u);
    TP_CHECK(a != NULL && b != NULL);
    TP_CHECK_EQ(((uintptr_t)b - 4u) % TP_ALLOC_POOL_SIZE, TP_ALLOC_POOL_SIZE - 12u);
    for (size_t s = 4096; s >= 40; s /= 2) /* use up the rest of the heap */
        while (tp_heap_alloc(h, s) != NULL) {
        }
    tp_heap_free(h, b);
    void *small = tp_heap_alloc(h, 8); /* needs a pool */
    TP_CHECK(small != NULL);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(errors_seen, 0);
}

/* ---- out-of-memory hook ---- */
static void *reserve;
static unsigned oom_calls;
static int release_reserve(tp_heap_t *h, size_t size, void *ctx) {
    (void)size;
    (void)ctx;
    oom_calls++;
    if (reserve == NULL) return 0;
    tp_heap_free(h, reserve);
    reserve = NULL;
    return 1;
}

static void test_oom_hook_frees_and_retries(void) {
    tp_heap_t *h = fresh_heap(16u * 1024u);
    tp_heap_set_oom_hook(h, release_reserve, NULL);
    reserve = tp_heap_alloc(h, 6000);
    void *fill = tp_heap_alloc(h, stats(h).largest_free);
    TP_CHECK(fill != NULL);
    oom_calls = 0;
    void *p = tp_heap_alloc(h, 5000); /* only possible once the reserve is gone */
    TP_CHECK(p != NULL);
    TP_CHECK_EQ(oom_calls, 1);
    TP_CHECK(reserve == NULL);
    void *q = tp_heap_alloc(h, 5000); /* hook has nothing left: NULL */
    TP_CHECK(q == NULL);
    TP_CHECK_EQ(oom_calls, 2);
    tp_heap_free(h, p);
    tp_heap_free(h, fill);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

/* A pointer that is no block in use - freed, inside a block, never carved -
 * given to realloc is reported and nothing changes; usable_size says 0. */
static void test_realloc_and_usable_size_of_no_block(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    uint8_t *s1 = tp_heap_alloc(h, 16), *s2 = tp_heap_alloc(h, 16);
    uint8_t *l1 = tp_heap_alloc(h, LARGE_REQ(300)), *l2 = tp_heap_alloc(h, LARGE_REQ(300));
    TP_CHECK(s1 && s2 && l1 && l2);
    TP_CHECK_EQ(tp_heap_usable_size(h, s1), 16);
    TP_CHECK_EQ(tp_heap_usable_size(h, s1 + 8), 0); /* inside a block */
    TP_CHECK_EQ(tp_heap_usable_size(h, s2 + 16 * 8), 0); /* never carved yet */
    /* the block carved after s2, on the pool's free list but never handed
     * out: freeing it is a double free, reported, and the list keeps no loop */
    uint8_t *carved = s2 + 16;
    TP_CHECK_EQ(tp_heap_usable_size(h, carved), 0);
    errors_seen = 0;
    tp_heap_free(h, carved);
    TP_CHECK_EQ(errors_seen, 1);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_DOUBLE_FREE);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_free(h, s1);
    tp_heap_free(h, l1);
    TP_CHECK_EQ(tp_heap_usable_size(h, s1), 0);
    TP_CHECK_EQ(tp_heap_usable_size(h, l1), 0);
    size_t used = stats(h).used_bytes;
    errors_seen = 0;
    TP_CHECK(tp_heap_realloc(h, s1, 12) == NULL); /* freed, same class */
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_DOUBLE_FREE);
    TP_CHECK(tp_heap_realloc(h, l1, 64) == NULL); /* freed large, shrinking */
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_DOUBLE_FREE);
    TP_CHECK(tp_heap_realloc(h, s2 + 8, 40) == NULL); /* inside a live block */
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_INTERIOR);
    TP_CHECK_EQ(errors_seen, 3);
    TP_CHECK_EQ(stats(h).used_bytes, used); /* nothing changed */
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    /* the freed block is handed out once, not twice */
    uint8_t *a = tp_heap_alloc(h, 16), *b = tp_heap_alloc(h, 16);
    TP_CHECK(a != b && a != s2 && b != s2);
    tp_heap_free(h, a);
    tp_heap_free(h, b);
    tp_heap_free(h, s2);
    tp_heap_free(h, l2);
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

static void test_type_free_lists(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    tp_freelist_t ints;
    tp_freelist_init(&ints, 16, 2);
    void *a = tp_freelist_alloc(h, &ints), *b = tp_freelist_alloc(h, &ints),
         *c = tp_freelist_alloc(h, &ints);
    TP_CHECK(a && b && c);
    size_t used = stats(h).used_blocks;
    tp_freelist_free(h, &ints, a);
    tp_freelist_free(h, &ints, b);
    tp_freelist_free(h, &ints, c); /* over the cap: back to the heap */
    TP_CHECK_EQ(ints.count, 2);
    TP_CHECK_EQ(stats(h).used_blocks, used - 1u);
    /* a second free of a cached block: reported, not cached twice */
    tp_freelist_free(h, &ints, b);
    TP_CHECK_EQ(errors_seen, 1);
    TP_CHECK_EQ(tp_heap_last_error(h), TP_ALLOC_ERR_DOUBLE_FREE);
    TP_CHECK_EQ(ints.count, 2);
    errors_seen = 0;
    void *d = tp_freelist_alloc(h, &ints); /* recycled, not from the heap */
    TP_CHECK(d == b);
    void *e = tp_freelist_alloc(h, &ints);
    TP_CHECK(e == a && e != d); /* never the same block twice */
    tp_freelist_free(h, &ints, e);
    TP_CHECK_EQ(ints.hits, 2);
    TP_CHECK_EQ(stats(h).used_blocks, used - 1u);
    /* the block a float would get is not the int's cached block */
    void *f = tp_heap_alloc(h, 16);
    TP_CHECK(f != a);
    tp_freelist_drain(h, &ints);
    TP_CHECK_EQ(ints.count, 0);
    tp_heap_free(h, d);
    tp_heap_free(h, f);
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

static void test_several_regions(void) {
    tp_heap_t *h = fresh_heap(8u * 1024u);
    TP_CHECK_EQ(tp_heap_add_region(h, arena + 16u * 1024u, 8u * 1024u), 0);
    TP_CHECK_EQ(tp_heap_add_region(h, arena + 20u * 1024u, 1024u), -1); /* overlaps */
    TP_CHECK_EQ(tp_heap_add_region(h, arena + 4u * 1024u, 1024u), -1);  /* overlaps region 1 */
    TP_CHECK_EQ(tp_heap_add_region(h, NULL, 1024u), -1);
    void *a = tp_heap_alloc(h, 6000), *b = tp_heap_alloc(h, 6000);
    TP_CHECK(a != NULL && b != NULL);
    int in_second = (uint8_t *)a >= arena + 16u * 1024u || (uint8_t *)b >= arena + 16u * 1024u;
    TP_CHECK(in_second);
    void *smalls[200];
    for (int i = 0; i < 200; i++) smalls[i] = tp_heap_alloc(h, 8);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_free(h, a);
    tp_heap_free(h, b);
    for (int i = 0; i < 200; i++) tp_heap_free(h, smalls[i]);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    TP_CHECK_EQ(stats(h).heap_size, 16u * 1024u);
    TP_CHECK_EQ(errors_seen, 0);
}

/* free_sized: right sizes free like free; a size that does not fit the block
 * is reported and the block freed all the same; every other error is the
 * one free reports. */
static void test_free_sized(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    /* right sizes: each class, sizes of the same class, large, malloc(0),
     * fallbacks, aligned, after realloc, usable size */
    for (size_t n = 0; n <= TP_ALLOC_SMALL_MAX; n++) {
        void *p = tp_heap_alloc(h, n);
        tp_heap_free_sized(h, p, n);
        void *q = tp_heap_alloc(h, n);
        tp_heap_free_sized(h, q, n == 0 ? 1u : ((n - 1u) | 7u) + 1u); /* the class size */
    }
    size_t large[] = {TP_ALLOC_SMALL_MAX + 1u, 100, 500, 501, 1000, 4093, 12000};
    for (unsigned i = 0; i < sizeof large / sizeof large[0]; i++) {
        void *p = tp_heap_alloc(h, large[i]);
        TP_CHECK(p != NULL);
        tp_heap_free_sized(h, p, large[i]);
        p = tp_heap_alloc(h, large[i]);
        tp_heap_free_sized(h, p, tp_heap_usable_size(h, p));
    }
    void *al = tp_heap_aligned_alloc(h, 256, 40);
    tp_heap_free_sized(h, al, 40);
    void *rl = tp_heap_alloc(h, 3000);
    rl = tp_heap_realloc(h, rl, 2000); /* in place */
    tp_heap_free_sized(h, rl, 2000);
    rl = tp_heap_alloc(h, 300);
    rl = tp_heap_realloc(h, rl, 296); /* the block stays as it is */
    tp_heap_free_sized(h, rl, 296);
    tp_heap_free_sized(h, NULL, 5); /* no-op */
    TP_CHECK_EQ(errors_seen, 0);
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);

    /* wrong sizes: reported, the block freed */
    struct {
        size_t alloc, freed;
    } wrong[] = {{16, 8}, {16, 17}, {8, 0 + TP_ALLOC_SMALL_MAX}, {24, 600}, {600, 24},
                 {600, 700}, {600, 500}, {5000, 4000}, {5000, 0}, {40, SIZE_MAX}};
    for (unsigned i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        void *keep = tp_heap_alloc(h, wrong[i].alloc); /* the pool stays */
        void *p = tp_heap_alloc(h, wrong[i].alloc);
        size_t used = stats(h).used_blocks;
        last_kind = TP_ALLOC_OK;
        tp_heap_free_sized(h, p, wrong[i].freed);
        TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_SIZE_MISMATCH);
        TP_CHECK(last_ptr == p);
        TP_CHECK_EQ(stats(h).used_blocks, used - 1u);
        TP_CHECK_EQ(tp_heap_validate(h), 0);
        last_kind = TP_ALLOC_OK;
        tp_heap_free_sized(h, p, wrong[i].alloc); /* now it is a double free */
        /* (a large block may have been merged into a free neighbour: its
         * old header is then just bytes of a free block) */
        TP_CHECK(last_kind == TP_ALLOC_ERR_DOUBLE_FREE ||
                 (wrong[i].alloc > TP_ALLOC_SMALL_MAX && last_kind == TP_ALLOC_ERR_BAD_HEADER));
        tp_heap_free(h, keep);
        TP_CHECK_EQ(tp_heap_validate(h), 0);
    }
    /* the errors of free, whatever the size */
    int on_stack;
    last_kind = TP_ALLOC_OK;
    tp_heap_free_sized(h, &on_stack, sizeof on_stack);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_FOREIGN);
    uint8_t *s = tp_heap_alloc(h, 32);
    tp_heap_free_sized(h, s + 1, 31);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_MISALIGNED);
    tp_heap_free_sized(h, (uint8_t *)((uintptr_t)s & ~(uintptr_t)(TP_ALLOC_POOL_SIZE - 1u)), 16);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_FOREIGN);
    uint8_t *l = tp_heap_alloc(h, 700);
    last_kind = TP_ALLOC_OK;
    tp_heap_free_sized(h, l + 8, 692);
    TP_CHECK(last_kind == TP_ALLOC_ERR_BAD_HEADER || last_kind == TP_ALLOC_ERR_DOUBLE_FREE);
    tp_heap_free_sized(h, l, 700);
    tp_heap_free_sized(h, s, 32);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(stats(h).used_blocks, 0);
}

static void test_validate_detects_corruption(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    uint8_t *a = tp_heap_alloc(h, LARGE_REQ(300u));
    uint8_t *b = tp_heap_alloc(h, LARGE_REQ(300u));
    tp_heap_free(h, a); /* a is free: its footer sits just before b's header */
    uint32_t saved;
    memcpy(&saved, b - 8, 4);
    uint32_t junk = 12345u;
    memcpy(b - 8, &junk, 4); /* an underrun of b damaged a's footer */
    TP_CHECK_EQ(tp_heap_validate(h), -1);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_CORRUPT);
    memcpy(b - 8, &saved, 4);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    /* a damaged pool free list */
    uint8_t *s1 = tp_heap_alloc(h, 16), *s2 = tp_heap_alloc(h, 16);
    tp_heap_free(h, s1);
    uint32_t link;
    memcpy(&link, s1, 4);
    uint32_t wild = link + 3u;
    memcpy(s1, &wild, 4); /* write after free */
    TP_CHECK_EQ(tp_heap_validate(h), -1);
    memcpy(s1, &link, 4);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_free(h, s2);
    tp_heap_free(h, b);
}

/* A new pool needs an aligned page inside a free block with whole blocks (or
 * nothing) left before and after it.  A free block of two pools + 16 bytes
 * placed so that the page after a 16-byte front leaves an 8-byte tail has no
 * such page: the small request must fall back to the large level (it once
 * made a pool at address 0). */
static void test_pool_page_needs_room_at_both_ends(void) {
    enum { N = 8192, SPAN = 2 * TP_ALLOC_POOL_SIZE + 16 };
    /* large blocks (of a request above TP_ALLOC_SMALL_MAX) that tile SPAN */
    unsigned need = (TP_ALLOC_SMALL_MAX + 4u + 1u + 7u) & ~7u;
    while (SPAN % need != 0) need += 8u;
    const unsigned NEED = need, RUN = SPAN / need;
    static uint8_t *blocks[N];
    tp_heap_t *h = NULL;
    void *shift = NULL;
    int n = 0, first = -1;
    /* the blocks are cut one after the other (from the high end downwards
     * below TP_ALLOC_SPLIT_HIGH_BELOW, upwards above): a first block of
     * another size shifts them until a run starts where it must */
    for (unsigned phase = 0; phase < TP_ALLOC_POOL_SIZE / 8u && first < 0; phase++) {
        h = fresh_heap(HEAP_BYTES);
        shift = phase != 0 ? tp_heap_alloc(h, NEED - 4u + 8u * phase) : NULL;
        n = 0;
        while (n < N && (blocks[n] = tp_heap_alloc(h, NEED - 4)) != NULL) n++;
        TP_CHECK(n > 0 && n < N);
        /* a run of RUN blocks side by side whose lowest header is 12 bytes
         * before a page boundary plus 16 */
        for (int i = (int)RUN - 1; i < n && first < 0; i++) {
            uintptr_t x = (uintptr_t)blocks[i - (int)RUN + 1], y = (uintptr_t)blocks[i];
            uintptr_t b = (x < y ? x : y) - 4u;
            if (((b + 4u + 8u) & (TP_ALLOC_POOL_SIZE - 1u)) == 0 &&
                (x < y ? y - x : x - y) == (RUN - 1) * NEED)
                first = i;
        }
    }
    TP_CHECK(first >= 0);
    if (first < 0) return;
    for (int i = first - (int)RUN + 1; i <= first; i++) tp_heap_free(h, blocks[i]);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    uint8_t *s = tp_heap_alloc(h, 8); /* no pool yet: it cannot get a page here */
    TP_CHECK(s != NULL);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_free(h, s);
    for (int i = 0; i < n; i++)
        if (i <= first - (int)RUN || i > first) tp_heap_free(h, blocks[i]);
    tp_heap_free(h, shift);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    TP_CHECK_EQ(errors_seen, 0);
}

static void print_line(const char *fmt, ...) {
    (void)fmt;
}

static void test_print_stats_runs(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    void *a = tp_heap_alloc(h, 16);
    tp_heap_print_stats(h, print_line);
    tp_heap_free(h, a);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

/* ---- randomised stress with a shadow model (alloc_stress.h) ---- */
static void stress(size_t heap_bytes, unsigned fill_percent, unsigned ops, uint32_t seed) {
    tp_heap_t *h = fresh_heap(heap_bytes);
    stress_result_t r = stress_run(h, heap_bytes, fill_percent, ops, seed);
    TP_CHECK_EQ(r.invalid, 0);
    TP_CHECK_EQ(r.bad, 0);
    TP_CHECK_EQ(errors_seen, 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    TP_CHECK_EQ(stats(h).footprint, (size_t)stats(h).free_pools * TP_ALLOC_POOL_SIZE);
    if (fill_percent >= 100) TP_CHECK(r.fails > 0); /* the full heap really was full */
}

static void test_stress_half_full(void) { stress(24u * 1024u, 50, stress_ops(1000000u, 1u), 2463534242u); }
static void test_stress_full(void) { stress(24u * 1024u, 100, stress_ops(1000000u, 1u), 88172645u); }

static const tp_test_case cases[] = {
    TP_CASE(test_init_rejects_bad_regions),
    TP_CASE(test_small_classes_round_to_8),
    TP_CASE(test_malloc_zero_is_unique),
    TP_CASE(test_pool_recycles_blocks),
    TP_CASE(test_full_and_empty_pools),
    TP_CASE(test_large_blocks_coalesce),
    TP_CASE(test_kept_pools_never_make_malloc_fail),
    TP_CASE(test_empty_pool_stays_first),
    TP_CASE(test_exhaustion_fails_cleanly),
    TP_CASE(test_largest_request),
    TP_CASE(test_largest_free_predicts),
    TP_CASE(test_sizes_around_one_block),
    TP_CASE(test_double_free_is_reported_not_corrupting),
    TP_CASE(test_bad_pointers_are_reported),
    TP_CASE(test_interior_pool_pointer_on_the_slow_path),
    TP_CASE(test_realloc_edges),
    TP_CASE(test_calloc_and_overflow),
    TP_CASE(test_aligned_alloc),
    TP_CASE(test_aligned_alloc_near_the_largest_block),
    TP_CASE(test_pool_from_a_block_of_two_pools),
    TP_CASE(test_oom_hook_frees_and_retries),
    TP_CASE(test_realloc_and_usable_size_of_no_block),
    TP_CASE(test_type_free_lists),
    TP_CASE(test_several_regions),
    TP_CASE(test_free_sized),
    TP_CASE(test_validate_detects_corruption),
    TP_CASE(test_pool_page_needs_room_at_both_ends),
    TP_CASE(test_print_stats_runs),
    TP_CASE(test_stress_half_full),
    TP_CASE(test_stress_full),
};

#ifndef SUITE_NAME
#define SUITE_NAME "alloc (host)"
#endif
int main(void) { return tp_test_main(SUITE_NAME, cases, TP_COUNT(cases)); }
