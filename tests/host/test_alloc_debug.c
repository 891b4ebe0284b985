// SPDX-License-Identifier: MIT
/*
 * test_alloc_debug.c - the allocator's debug build (TP_ALLOC_DEBUG=1, set for
 * this binary and its copy of alloc/ by host.mk) on the host, under
 * ASan/UBSan: the fills, one case per error kind (the hook gets exactly that
 * kind, the right pointer, size, class and caller, the heap is not modified
 * by the bad free and still validates), realloc, the statistics, the
 * quarantine, the type free lists, and a randomised stress test with
 * tp_heap_validate() after every operation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/alloc_error_log.h"
#include "tests/harness.h"
#include "tests/host/alloc_stress.h"
#include "tp_alloc.h"

#if !TP_ALLOC_DEBUG
#error "build this test with -DTP_ALLOC_DEBUG=1 (tests/host/host.mk)"
#endif

#define HEAP_BYTES (64u * 1024u)
#define GUARD_FRONT 8u    /* 0xFD bytes right before a block */
#define GUARD_BACK_MIN 4u /* at least this many 0xFD bytes right after it */
#define QUARANTINE TP_ALLOC_DEBUG_QUARANTINE

static _Alignas(8) uint8_t arena[HEAP_BYTES];
static uint8_t snapshot[HEAP_BYTES];

static tp_heap_t *fresh_heap(size_t size) {
    memset(arena, 0x5A, sizeof arena);
    tp_heap_t *h = tp_heap_init(arena, size);
    if (h != NULL) tp_heap_set_error_hook(h, record_error, NULL);
    forget_errors();
    return h;
}

static tp_heap_stats_t stats(const tp_heap_t *h) {
    tp_heap_stats_t s;
    tp_heap_stats(h, &s);
    return s;
}

static int all_bytes(const void *p, size_t n, uint8_t v) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != v) return 0;
    return 1;
}

/* A freed block in the quarantine: the free mark in its first word (where
 * an object's count would read 0), 0xDD after it. */
static int freed_bytes(const void *p, size_t n) {
    uint32_t w;
    if (n < 4u) return all_bytes(p, n, 0xDD);
    memcpy(&w, p, 4);
    return w == 0x00F40000u && all_bytes((const uint8_t *)p + 4, n - 4u, 0xDD);
}

/* ---- entry points called from known places, to check the caller ---- */
static volatile unsigned calls; /* after the call: no tail call */

__attribute__((noinline)) static void free_via(tp_heap_t *h, void *p) {
    tp_heap_free(h, p);
    calls++;
}
__attribute__((noinline)) static void free_sized_via(tp_heap_t *h, void *p, size_t n) {
    tp_heap_free_sized(h, p, n);
    calls++;
}
__attribute__((noinline)) static void *realloc_via(tp_heap_t *h, void *p, size_t n) {
    void *q = tp_heap_realloc(h, p, n);
    calls++;
    return q;
}

/* The reported caller is a return address inside fn. */
static int called_from(const void *caller, uintptr_t fn) {
    return (uintptr_t)caller > fn && (uintptr_t)caller - fn < 256u;
}
#define FROM(fn) called_from(last.caller, (uintptr_t)(fn))

/* The heap's memory is as it was at the last snapshot, but for the error
 * count and last error in the control block (a few bytes at its start). */
static void take_snapshot(void) { memcpy(snapshot, arena, sizeof arena); }
static int unchanged_but_error_count(void) {
    unsigned differ = 0;
    for (size_t i = 0; i < sizeof arena; i++)
        if (arena[i] != snapshot[i] && (i >= 1024u || ++differ > 8u)) return 0;
    return 1;
}

/* One bad call was reported, as `kind` about `ptr`, and changed nothing. */
static void check_one_error(tp_heap_t *h, tp_alloc_err_t kind, const void *ptr) {
    TP_CHECK_EQ(errors_seen, 1);
    TP_CHECK_EQ(last.kind, kind);
    TP_CHECK(last.ptr == ptr);
    TP_CHECK(last.detail != NULL);
    TP_CHECK_EQ(tp_heap_last_error(h), kind);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(errors_seen, 1); /* validate found nothing more */
    forget_errors();
}

/* free_via(p) was reported exactly once, as `kind` about `where`, from
 * free_via, and the heap's memory did not change. */
static void bad_free(tp_heap_t *h, void *p, tp_alloc_err_t kind, const void *where) {
    take_snapshot();
    forget_errors();
    free_via(h, p);
    TP_CHECK(FROM(free_via));
    TP_CHECK(unchanged_but_error_count());
    TP_CHECK_EQ(errors_seen, 1);
    TP_CHECK_EQ(last.kind, kind);
    TP_CHECK(last.ptr == where);
}

/* Frees enough other blocks that `p`, freed before, leaves the quarantine. */
static void push_out_of_quarantine(tp_heap_t *h) {
    void *others[QUARANTINE + 1];
    for (unsigned i = 0; i <= QUARANTINE; i++) others[i] = tp_heap_alloc(h, 40);
    for (unsigned i = 0; i <= QUARANTINE; i++) free_via(h, others[i]);
}

static void test_fresh_memory_cd_with_guards(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    for (size_t n = 0; n <= 300; n += n < 40 ? 1 : 37) {
        uint8_t *p = tp_heap_alloc(h, n);
        TP_CHECK(p != NULL);
        if (p == NULL) continue;
        TP_CHECK_EQ((uintptr_t)p % 8u, 0);
        TP_CHECK_EQ(tp_heap_usable_size(h, p), n);
        TP_CHECK(all_bytes(p, n, 0xCD));
        TP_CHECK(all_bytes(p - GUARD_FRONT, GUARD_FRONT, 0xFD));
        TP_CHECK(all_bytes(p + n, GUARD_BACK_MIN, 0xFD));
        memset(p, 0x11, n);
        free_via(h, p);
        TP_CHECK(freed_bytes(p, n)); /* in the quarantine: the mark, then 0xDD */
        TP_CHECK_EQ(tp_heap_validate(h), 0);
    }
    TP_CHECK_EQ(errors_seen, 0);
    /* small requests still come from pools */
    void *s = tp_heap_alloc(h, 12);
    tp_class_stats_t cs;
    unsigned pools = 0;
    for (unsigned c = 0; c < tp_heap_class_count(); c++) {
        tp_heap_class_stats(h, c, &cs);
        pools += cs.pools;
    }
    TP_CHECK(pools > 0);
    tp_heap_free(h, s);
}

static void test_double_free(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    uint8_t *a = tp_heap_alloc(h, 20), *keep = tp_heap_alloc(h, 20);
    free_via(h, a);
    bad_free(h, a, TP_ALLOC_ERR_DOUBLE_FREE, a); /* in the quarantine */
    TP_CHECK_EQ(last.size, 20);
    TP_CHECK_EQ(last.size_class, 2);
    check_one_error(h, TP_ALLOC_ERR_DOUBLE_FREE, a);

    uint8_t *big = tp_heap_alloc(h, 500);
    free_via(h, big);
    push_out_of_quarantine(h); /* both have gone back to the release allocator */
    forget_errors();
    take_snapshot();
    free_sized_via(h, a, 20);
    TP_CHECK(FROM(free_sized_via));
    TP_CHECK(unchanged_but_error_count());
    check_one_error(h, TP_ALLOC_ERR_DOUBLE_FREE, a);
    bad_free(h, big, TP_ALLOC_ERR_DOUBLE_FREE, big);
    check_one_error(h, TP_ALLOC_ERR_DOUBLE_FREE, big);
    tp_heap_free(h, keep);
    TP_CHECK_EQ(stats(h).used_blocks, 0);
}

static void test_foreign_pointers(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES / 2u);
    int on_stack = 0;
    uint8_t *p = tp_heap_alloc(h, 8);
    take_snapshot();
    free_via(h, &on_stack);
    TP_CHECK(FROM(free_via));
    TP_CHECK_EQ(last.size, 0);
    TP_CHECK_EQ(last.size_class, -1);
    check_one_error(h, TP_ALLOC_ERR_FOREIGN, &on_stack);
    free_via(h, arena + HEAP_BYTES / 2u + 64u); /* just past the heap */
    check_one_error(h, TP_ALLOC_ERR_FOREIGN, arena + HEAP_BYTES / 2u + 64u);
    uint8_t *pool_header = (uint8_t *)((uintptr_t)p & ~(uintptr_t)(TP_ALLOC_POOL_SIZE - 1u));
    free_via(h, pool_header);
    check_one_error(h, TP_ALLOC_ERR_FOREIGN, pool_header);
    TP_CHECK(unchanged_but_error_count());
    TP_CHECK(realloc_via(h, &on_stack, 10) == NULL);
    TP_CHECK(FROM(realloc_via));
    check_one_error(h, TP_ALLOC_ERR_FOREIGN, &on_stack);
    TP_CHECK_EQ(tp_heap_usable_size(h, &on_stack), 0);
    tp_heap_free(h, p);
    TP_CHECK_EQ(errors_seen, 0);
}

static void test_misaligned_pointers(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    uint8_t *p = tp_heap_alloc(h, 64);
    for (unsigned k = 1; k < 8; k++) {
        bad_free(h, p + k, TP_ALLOC_ERR_MISALIGNED, p + k);
        check_one_error(h, TP_ALLOC_ERR_MISALIGNED, p + k);
    }
    TP_CHECK(all_bytes(p, 64, 0xCD));
    tp_heap_free(h, p);
    TP_CHECK_EQ(errors_seen, 0);
}

static void test_interior_pointers(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    uint8_t *small = tp_heap_alloc(h, 12); /* a pool block */
    uint8_t *large = tp_heap_alloc(h, 100);
    uint8_t *aligned = tp_heap_aligned_alloc(h, 64, 40);
    take_snapshot();
    free_via(h, small + 8);
    TP_CHECK(FROM(free_via));
    TP_CHECK_EQ(last.size, 12);
    TP_CHECK_EQ(last.size_class, 1);
    check_one_error(h, TP_ALLOC_ERR_INTERIOR, small + 8);
    free_via(h, large + 48);
    TP_CHECK_EQ(last.size, 100);
    TP_CHECK_EQ(last.size_class, -1);
    check_one_error(h, TP_ALLOC_ERR_INTERIOR, large + 48);
    free_via(h, large - 8); /* into its guard */
    check_one_error(h, TP_ALLOC_ERR_INTERIOR, large - 8);
    free_via(h, aligned - 32); /* into the padding of an aligned block */
    TP_CHECK_EQ(last.size, 40);
    check_one_error(h, TP_ALLOC_ERR_INTERIOR, aligned - 32);
    free_sized_via(h, aligned + 8, 40);
    TP_CHECK(FROM(free_sized_via));
    check_one_error(h, TP_ALLOC_ERR_INTERIOR, aligned + 8);
    TP_CHECK(unchanged_but_error_count());
    TP_CHECK(realloc_via(h, large + 16, 200) == NULL);
    check_one_error(h, TP_ALLOC_ERR_INTERIOR, large + 16);
    TP_CHECK_EQ(stats(h).used_blocks, 3);
    tp_heap_free(h, small);
    tp_heap_free(h, large);
    tp_heap_free(h, aligned);
    TP_CHECK_EQ(errors_seen, 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

static void test_overrun(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    size_t sizes[] = {1, 12, 30, 200};
    for (unsigned i = 0; i < 4; i++) {
        size_t n = sizes[i];
        uint8_t *p = tp_heap_alloc(h, n);
        size_t used = stats(h).used_blocks;
        p[n] = 0; /* one byte too far */
        TP_CHECK_EQ(tp_heap_validate(h), -1);
        TP_CHECK_EQ(last.kind, TP_ALLOC_ERR_OVERRUN);
        TP_CHECK(last.ptr == p + n);
        forget_errors();
        free_via(h, p);
        TP_CHECK(FROM(free_via));
        TP_CHECK_EQ(last.size, n);
        TP_CHECK_EQ(last.size_class, n <= TP_ALLOC_SMALL_MAX ? (int)((n - 1u) / 8u) : -1);
        check_one_error(h, TP_ALLOC_ERR_OVERRUN, p + n);
        TP_CHECK_EQ(stats(h).used_blocks, used - 1u); /* freed, but never reused */
        /* a write further on, within the guard */
        p = tp_heap_alloc(h, n);
        p[n + GUARD_BACK_MIN - 1u] = 0x42;
        free_via(h, p);
        check_one_error(h, TP_ALLOC_ERR_OVERRUN, p + n + GUARD_BACK_MIN - 1u);
        /* realloc sees it too, and leaves the block alone */
        p = tp_heap_alloc(h, n);
        p[n + 1u] = 0;
        TP_CHECK(realloc_via(h, p, n + 100u) == NULL);
        TP_CHECK(FROM(realloc_via));
        TP_CHECK_EQ(last.kind, TP_ALLOC_ERR_OVERRUN);
        TP_CHECK(last.ptr == p + n + 1u);
        TP_CHECK_EQ(tp_heap_usable_size(h, p), n);
        p[n + 1u] = 0xFD; /* repaired: now it frees normally */
        forget_errors();
        free_via(h, p);
        TP_CHECK_EQ(errors_seen, 0);
    }
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

static void test_underrun(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    uint8_t *p = tp_heap_alloc(h, 24);
    p[-1] = 0;
    p[-5] = 0;
    TP_CHECK_EQ(tp_heap_validate(h), -1);
    TP_CHECK_EQ(last.kind, TP_ALLOC_ERR_UNDERRUN);
    TP_CHECK(last.ptr == p - 1); /* the damaged byte nearest the block */
    forget_errors();
    free_via(h, p);
    TP_CHECK(FROM(free_via));
    TP_CHECK_EQ(last.size, 24);
    TP_CHECK_EQ(last.size_class, 2);
    check_one_error(h, TP_ALLOC_ERR_UNDERRUN, p - 1);

    uint8_t *q = tp_heap_alloc(h, 300);
    *(q - GUARD_FRONT) = 7;
    free_via(h, q);
    check_one_error(h, TP_ALLOC_ERR_UNDERRUN, q - GUARD_FRONT);

    /* into the padding in front of an over-aligned block */
    uint8_t *a = tp_heap_aligned_alloc(h, 128, 50);
    TP_CHECK_EQ((uintptr_t)a % 128u, 0);
    a[-40] = 1;
    free_via(h, a);
    check_one_error(h, TP_ALLOC_ERR_UNDERRUN, a - 40);

    /* past the guard into the header: the block is no longer recognised */
    uint8_t *r = tp_heap_alloc(h, 16);
    uint8_t saved[16];
    memcpy(saved, r - 16, 16);
    memset(r - 16, 0, 16);
    TP_CHECK_EQ(tp_heap_validate(h), -1);
    TP_CHECK_EQ(last.kind, TP_ALLOC_ERR_UNDERRUN);
    bad_free(h, r, TP_ALLOC_ERR_UNDERRUN, r - 1);
    memcpy(r - 16, saved, 16);
    forget_errors();
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    free_via(h, r);
    TP_CHECK_EQ(errors_seen, 0);
}

static void test_write_after_free(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    uint8_t *p = tp_heap_alloc(h, 40), *q = tp_heap_alloc(h, 10);
    free_via(h, p);
    free_via(h, q);
    p[3] = 0x42; /* through a stale pointer */
    TP_CHECK_EQ(tp_heap_validate(h), -1);
    TP_CHECK_EQ(last.kind, TP_ALLOC_ERR_WRITE_AFTER_FREE);
    TP_CHECK(last.ptr == p + 3);
    TP_CHECK_EQ(last.size, 40);
    forget_errors();
    q[9] = 0; /* the last byte of a small block */
    push_out_of_quarantine(h);
    TP_CHECK_EQ(errors_seen, 2);
    /* the first was reported when p left the quarantine, during a free */
    TP_CHECK(FROM(free_via));
    TP_CHECK_EQ(last.kind, TP_ALLOC_ERR_WRITE_AFTER_FREE);
    TP_CHECK(last.ptr == q + 9);
    TP_CHECK_EQ(last.size, 10);
    TP_CHECK_EQ(last.size_class, 1);
    forget_errors();
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    /* the damage was inside the blocks: their memory is used again */
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    tp_heap_stats_t st = stats(h);
    TP_CHECK_EQ(st.free_count, st.alloc_count);

    /* a write past a freed block's end: reported, and the block retired */
    uint8_t *r = tp_heap_alloc(h, 64);
    free_via(h, r);
    r[64] = 0;
    TP_CHECK_EQ(tp_heap_validate(h), -1);
    TP_CHECK_EQ(last.kind, TP_ALLOC_ERR_WRITE_AFTER_FREE);
    TP_CHECK(last.ptr == r + 64);
    forget_errors();
    push_out_of_quarantine(h);
    TP_CHECK_EQ(errors_seen, 1);
    TP_CHECK_EQ(last.kind, TP_ALLOC_ERR_WRITE_AFTER_FREE);
    TP_CHECK(last.ptr == r + 64);
    forget_errors();
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    free_via(h, r); /* and it stays freed */
    check_one_error(h, TP_ALLOC_ERR_DOUBLE_FREE, r);
}

static void test_free_sized_checks_the_size(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    uint8_t *p = tp_heap_alloc(h, 20);
    take_snapshot();
    free_sized_via(h, p, 24); /* same class, but not what was asked for */
    TP_CHECK(FROM(free_sized_via));
    TP_CHECK_EQ(last.size, 20);
    TP_CHECK_EQ(last.size_class, 2);
    TP_CHECK(unchanged_but_error_count());
    check_one_error(h, TP_ALLOC_ERR_SIZE_MISMATCH, p);
    free_sized_via(h, p, 0);
    check_one_error(h, TP_ALLOC_ERR_SIZE_MISMATCH, p);
    TP_CHECK_EQ(stats(h).used_blocks, 1); /* ignored: still live */
    TP_CHECK(all_bytes(p, 20, 0xCD));
    free_sized_via(h, p, 20);
    TP_CHECK_EQ(errors_seen, 0);
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    uint8_t *c = tp_heap_calloc(h, 7, 9);
    free_sized_via(h, c, 63);
    TP_CHECK_EQ(errors_seen, 0);
}

static void test_realloc_keeps_contents_and_guards(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    uint8_t *p = tp_heap_realloc(h, NULL, 10);
    memcpy(p, "0123456789", 10);
    uint8_t *q = tp_heap_realloc(h, p, 12); /* same class: moves all the same */
    TP_CHECK(q != NULL && q != p);
    TP_CHECK(memcmp(q, "0123456789", 10) == 0);
    TP_CHECK(all_bytes(q + 10, 2, 0xCD));
    TP_CHECK(freed_bytes(p, 10)); /* the old block, in the quarantine */
    uint8_t *r = tp_heap_realloc(h, q, 3000);
    TP_CHECK(r != NULL && memcmp(r, "0123456789", 10) == 0);
    TP_CHECK(all_bytes(r + 10, 2990, 0xCD));
    TP_CHECK(all_bytes(r - GUARD_FRONT, GUARD_FRONT, 0xFD));
    TP_CHECK(all_bytes(r + 3000, GUARD_BACK_MIN, 0xFD));
    TP_CHECK_EQ(tp_heap_usable_size(h, r), 3000);
    uint8_t *s = tp_heap_realloc(h, r, 4); /* shrink */
    TP_CHECK(s != NULL && memcmp(s, "0123", 4) == 0);
    TP_CHECK(all_bytes(s + 4, GUARD_BACK_MIN, 0xFD));
    TP_CHECK_EQ(tp_heap_usable_size(h, s), 4);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK(tp_heap_realloc(h, s, SIZE_MAX / 2u) == NULL); /* fails: old block untouched */
    TP_CHECK(memcmp(s, "0123", 4) == 0);
    TP_CHECK_EQ(tp_heap_usable_size(h, s), 4);
    TP_CHECK_EQ(errors_seen, 0);
    /* realloc of a freed block */
    free_via(h, s);
    TP_CHECK(realloc_via(h, s, 8) == NULL);
    TP_CHECK(FROM(realloc_via));
    check_one_error(h, TP_ALLOC_ERR_DOUBLE_FREE, s);
    uint8_t *t = tp_heap_alloc(h, 5);
    TP_CHECK(tp_heap_realloc(h, t, 0) == NULL); /* size 0 frees */
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(errors_seen, 0);
}

static void test_calloc_and_aligned(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    uint8_t *z = tp_heap_calloc(h, 10, 10);
    TP_CHECK(z != NULL && all_bytes(z, 100, 0));
    TP_CHECK(all_bytes(z + 100, GUARD_BACK_MIN, 0xFD));
    TP_CHECK(tp_heap_calloc(h, SIZE_MAX / 2u, 4) == NULL);
    size_t aligns[] = {1, 8, 16, 32, 64, 256, 4096};
    uint8_t *ps[7];
    for (unsigned i = 0; i < 7; i++) {
        ps[i] = tp_heap_aligned_alloc(h, aligns[i], 33);
        TP_CHECK(ps[i] != NULL);
        if (ps[i] == NULL) return;
        TP_CHECK_EQ((uintptr_t)ps[i] % aligns[i], 0);
        TP_CHECK_EQ(tp_heap_usable_size(h, ps[i]), 33);
        TP_CHECK(all_bytes(ps[i], 33, 0xCD));
        TP_CHECK(all_bytes(ps[i] - GUARD_FRONT, GUARD_FRONT, 0xFD));
        TP_CHECK(all_bytes(ps[i] + 33, GUARD_BACK_MIN, 0xFD));
        TP_CHECK_EQ(tp_heap_validate(h), 0);
    }
    TP_CHECK(tp_heap_aligned_alloc(h, 24, 40) == NULL);
    uint8_t *moved = tp_heap_realloc(h, ps[5], 70); /* realloc of an aligned block */
    TP_CHECK(moved != NULL && all_bytes(moved, 33, 0xCD));
    ps[5] = moved;
    for (unsigned i = 0; i < 7; i++) tp_heap_free(h, ps[i]);
    tp_heap_free(h, z);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    TP_CHECK_EQ(errors_seen, 0);
}

static void test_quantization_adds_up(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    static const size_t sizes[] = {1, 5, 8, 9, 16, 17, 31, 32, 0, 33, 100};
    /* class 0: 7 + 3 + 0 + 8 (size 0: a 1-byte request); 1: 7 + 0; 2: 7; 3: 1 + 0 */
    static const uint32_t want[4] = {18, 7, 7, 1};
    void *ps[11];
    size_t bytes = 0;
    for (unsigned i = 0; i < 11; i++) {
        ps[i] = tp_heap_alloc(h, sizes[i]);
        bytes += sizes[i];
    }
    tp_class_stats_t cs;
    for (unsigned c = 0; c < 4 && c < tp_heap_class_count(); c++) {
        TP_CHECK_EQ(tp_heap_class_stats(h, c, &cs), 0);
        TP_CHECK_EQ(cs.quantization, want[c]);
    }
    tp_heap_stats_t st = stats(h);
    TP_CHECK_EQ(st.used_bytes, bytes);
    TP_CHECK_EQ(st.used_blocks, 11);
    tp_heap_free(h, ps[0]); /* size 1: class 0 loses 7 bytes less */
    tp_heap_free(h, ps[6]); /* size 31 */
    tp_heap_class_stats(h, 0, &cs);
    TP_CHECK_EQ(cs.quantization, want[0] - 7u);
    tp_heap_class_stats(h, 3, &cs);
    TP_CHECK_EQ(cs.quantization, 0);
    void *r = tp_heap_realloc(h, ps[1], 2); /* 5 -> 2: class 0 loses 3 more */
    tp_heap_class_stats(h, 0, &cs);
    TP_CHECK_EQ(cs.quantization, want[0] - 7u + 3u);
    ps[1] = r;
    TP_CHECK_EQ(stats(h).used_bytes, bytes - 1u - 31u - 3u);
    for (unsigned i = 0; i < 11; i++)
        if (i != 0 && i != 6) tp_heap_free(h, ps[i]);
    for (unsigned c = 0; c < tp_heap_class_count(); c++) {
        tp_heap_class_stats(h, c, &cs);
        TP_CHECK_EQ(cs.quantization, 0);
    }
    TP_CHECK_EQ(stats(h).used_bytes, 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

static void test_stats_are_the_users_view(void) {
    tp_heap_t *h = fresh_heap(16u * 1024u);
    tp_heap_stats_t st = stats(h);
    void *big = tp_heap_alloc(h, st.largest_free); /* the guarantee holds with the overhead */
    TP_CHECK(big != NULL);
    TP_CHECK_EQ(tp_heap_usable_size(h, big), st.largest_free);
    tp_heap_free(h, big);
    void *a = tp_heap_alloc(h, 3), *b = tp_heap_alloc(h, 300);
    tp_heap_free(h, a);
    st = stats(h);
    TP_CHECK_EQ(st.used_blocks, 1); /* a counts as freed though it waits in the quarantine */
    TP_CHECK_EQ(st.used_bytes, 300);
    TP_CHECK_EQ(st.alloc_count - st.free_count, 1);
    tp_heap_free(h, b);
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    TP_CHECK_EQ(errors_seen, 0);
}

/* ---- out of memory: the quarantine is drained before the user's hook ---- */
static unsigned oom_calls;
static int count_oom(tp_heap_t *h, size_t size, void *ctx) {
    (void)h;
    (void)size;
    (void)ctx;
    oom_calls++;
    return 0;
}

static void test_out_of_memory_drains_the_quarantine(void) {
    tp_heap_t *h = fresh_heap(16u * 1024u);
    tp_heap_set_oom_hook(h, count_oom, NULL);
    oom_calls = 0;
    void *blocks[8];
    for (int i = 0; i < 8; i++) blocks[i] = tp_heap_alloc(h, 1000);
    void *rest = tp_heap_alloc(h, stats(h).largest_free);
    TP_CHECK(rest != NULL);
    for (int i = 0; i < 8; i++) tp_heap_free(h, blocks[i]); /* all in the quarantine */
    void *p = tp_heap_alloc(h, 5000);
    TP_CHECK(p != NULL); /* made possible by draining the quarantine */
    TP_CHECK_EQ(oom_calls, 0);
    TP_CHECK(tp_heap_alloc(h, 5000) == NULL);
    TP_CHECK_EQ(oom_calls, 1);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_free(h, p);
    tp_heap_free(h, rest);
    TP_CHECK_EQ(errors_seen, 0);
}

static void test_type_free_lists(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    tp_freelist_t list;
    tp_freelist_init(&list, 24, 2);
    uint8_t *a = tp_freelist_alloc(h, &list), *b = tp_freelist_alloc(h, &list);
    TP_CHECK(a != NULL && all_bytes(a, 24, 0xCD));
    tp_freelist_free(h, &list, a); /* cached: still a live block of the heap */
    TP_CHECK_EQ(list.count, 1);
    TP_CHECK(all_bytes(a + 8, 24 - 8, 0xDD)); /* after the mark and the link */
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    a[20] = 1; /* write to a cached block */
    uint8_t *c = tp_freelist_alloc(h, &list);
    TP_CHECK(c == a);
    TP_CHECK_EQ(last.kind, TP_ALLOC_ERR_WRITE_AFTER_FREE);
    TP_CHECK(last.ptr == a + 20);
    TP_CHECK(all_bytes(c, 24, 0xCD));
    forget_errors();
    c[24] = 0; /* overrun: not cached, reported */
    tp_freelist_free(h, &list, c);
    TP_CHECK_EQ(last.kind, TP_ALLOC_ERR_OVERRUN);
    TP_CHECK_EQ(list.count, 0);
    c[24] = 0xFD;
    forget_errors();
    tp_freelist_free(h, &list, c);
    tp_freelist_free(h, &list, c); /* a second free of a cached block: reported */
    TP_CHECK_EQ(last.kind, TP_ALLOC_ERR_DOUBLE_FREE);
    TP_CHECK_EQ(list.count, 1);
    forget_errors();
    tp_freelist_free(h, &list, b);
    TP_CHECK_EQ(list.count, 2);
    tp_freelist_drain(h, &list);
    TP_CHECK_EQ(stats(h).used_blocks, 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK_EQ(errors_seen, 0);
}

static void test_damaged_release_header(void) {
    tp_heap_t *h = fresh_heap(HEAP_BYTES);
    uint8_t *a = tp_heap_alloc(h, 200), *b = tp_heap_alloc(h, 200);
    uint8_t *raw_hdr = b - 16 - 4; /* the release allocator's header of b's block */
    uint8_t saved[4];
    memcpy(saved, raw_hdr, 4);
    memset(raw_hdr, 0xFF, 4);
    bad_free(h, b, TP_ALLOC_ERR_BAD_HEADER, raw_hdr);
    memcpy(raw_hdr, saved, 4);
    forget_errors();
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_free(h, a);
    tp_heap_free(h, b);
    TP_CHECK_EQ(errors_seen, 0);
}

/* ---- randomised stress with a shadow model (alloc_stress.h) ---- */
static void stress(size_t heap_bytes, unsigned fill_percent, unsigned ops, uint32_t seed) {
    tp_heap_t *h = fresh_heap(heap_bytes);
    stress_result_t r = stress_run(h, heap_bytes, fill_percent, ops, seed);
    TP_CHECK_EQ(r.invalid, 0);
    TP_CHECK_EQ(r.bad, 0);
    TP_CHECK_EQ(errors_seen, 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_stats_t st = stats(h);
    TP_CHECK_EQ(st.used_blocks, 0);
    TP_CHECK_EQ(st.used_bytes, 0);
    TP_CHECK_EQ(st.alloc_count, st.free_count);
    if (fill_percent >= 100) TP_CHECK(r.fails > 0);
}

/* other seeds than the release build's stress test: other sequences */
static void test_stress_half_full(void) { stress(24u * 1024u, 50, stress_ops(200000u, 5u), 521288629u); }
static void test_stress_full(void) { stress(24u * 1024u, 100, stress_ops(200000u, 5u), 362436069u); }

static const tp_test_case cases[] = {
    TP_CASE(test_fresh_memory_cd_with_guards),
    TP_CASE(test_double_free),
    TP_CASE(test_foreign_pointers),
    TP_CASE(test_misaligned_pointers),
    TP_CASE(test_interior_pointers),
    TP_CASE(test_overrun),
    TP_CASE(test_underrun),
    TP_CASE(test_write_after_free),
    TP_CASE(test_free_sized_checks_the_size),
    TP_CASE(test_realloc_keeps_contents_and_guards),
    TP_CASE(test_calloc_and_aligned),
    TP_CASE(test_quantization_adds_up),
    TP_CASE(test_stats_are_the_users_view),
    TP_CASE(test_out_of_memory_drains_the_quarantine),
    TP_CASE(test_type_free_lists),
    TP_CASE(test_damaged_release_header),
    TP_CASE(test_stress_half_full),
    TP_CASE(test_stress_full),
};

int main(void) { return tp_test_main("alloc debug build (host)", cases, TP_COUNT(cases)); }
