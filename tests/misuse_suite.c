// SPDX-License-Identifier: MIT
/*
 * misuse_suite.c - the bad-input matrix: every way a program can misuse the
 * allocator or the object layer that the heap is meant to survive, done once
 * on a fresh heap, and each checked the same way:
 *   - reported through the error hook (in the release build, of the kind
 *     tp_alloc.h's contract names; the debug build may name another kind or
 *     see it at another moment, as long as it reports it);
 *   - the heap still valid (tp_heap_validate);
 *   - the blocks handed out afterwards whole and apart: a mix of sizes, each
 *     filled with its own byte, none overlapping another, every byte still
 *     its own once all are filled.
 * Shared by the host's release and debug builds (tests/host/test_misuse*.c).
 */
#include "tests/misuse_suite.h"

#include <string.h>

#include "tests/heap_fixture.h"
#include "tp_alloc.h"
#include "tp_gc.h"
#include "tp_objects.h"

static uint8_t *arena;
static size_t arena_size;

void misuse_suite_setup(void *mem, size_t size) {
    arena = mem;
    arena_size = size;
}

/* ---- what the error hooks were told ---- */
static unsigned alloc_errors;
static uint32_t kinds_seen; /* a bit per kind */
static void on_alloc_error(const tp_alloc_error_t *e, void *ctx) {
    (void)ctx;
    alloc_errors++;
    kinds_seen |= 1u << (unsigned)e->kind;
}
#define SAW(kind) ((kinds_seen >> (unsigned)(kind)) & 1u)

static tp_heap_t *fresh(void) {
    memset(arena, 0x5A, arena_size); /* nothing may rely on zeroed memory */
    tp_heap_t *h = tp_heap_init(arena, arena_size);
    if (h != NULL) tp_heap_set_error_hook(h, on_alloc_error, NULL);
    alloc_errors = 0;
    kinds_seen = 0;
    return h;
}

/* The release build names the kind; the debug build must report something. */
static void check_reported(tp_alloc_err_t release_kind) {
#if TP_ALLOC_DEBUG
    (void)release_kind;
    TP_CHECK(alloc_errors > 0);
#else
    TP_CHECK(alloc_errors > 0);
    TP_CHECK(SAW(release_kind));
#endif
}

/* Blocks of a mix of sizes (pool classes and large blocks) handed out after
 * the misuse: apart from each other, and each keeps what was written to it. */
static int blocks_whole_and_apart(tp_heap_t *h) {
    enum { N = 40 };
    static const uint16_t sizes[] = {8, 16, 24, 32, 40, 64, 100, 300};
    uint8_t *p[N];
    size_t sz[N];
    int ok = 1;
    for (unsigned i = 0; i < N; i++) {
        sz[i] = sizes[i % (sizeof sizes / sizeof sizes[0])];
        p[i] = tp_heap_alloc(h, sz[i]);
        if (p[i] != NULL) memset(p[i], (int)(i + 1u), sz[i]);
    }
    for (unsigned i = 0; i < N; i++) {
        if (p[i] == NULL) continue;
        for (size_t k = 0; k < sz[i]; k++)
            if (p[i][k] != (uint8_t)(i + 1u)) ok = 0;
        for (unsigned j = i + 1u; j < N; j++)
            if (p[j] != NULL && p[i] < p[j] + sz[j] && p[j] < p[i] + sz[i]) ok = 0;
    }
    for (unsigned i = 0; i < N; i++) tp_heap_free(h, p[i]);
    return ok;
}

static void check_heap_intact(tp_heap_t *h) {
    TP_CHECK(blocks_whole_and_apart(h));
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

/* ---- the allocator ---- */

static void test_double_free(void) {
    tp_heap_t *h = fresh();
    void *keep = tp_heap_alloc(h, 16), *a = tp_heap_alloc(h, 16), *big = tp_heap_alloc(h, 300);
    tp_heap_free(h, a);
    tp_heap_free(h, a);
    tp_heap_free(h, big);
    tp_heap_free(h, big);
    check_reported(TP_ALLOC_ERR_DOUBLE_FREE);
    check_heap_intact(h);
    tp_heap_free(h, keep);
}

static void test_foreign_and_misaligned(void) {
    tp_heap_t *h = fresh();
    uint32_t on_stack[4] = {0};
    uint8_t *a = tp_heap_alloc(h, 64);
    tp_heap_free(h, on_stack);
    check_reported(TP_ALLOC_ERR_FOREIGN);
    kinds_seen = 0;
    tp_heap_free(h, a + 3);
    check_reported(TP_ALLOC_ERR_MISALIGNED);
    check_heap_intact(h);
    tp_heap_free(h, a);
}

/* An interior pointer, mid-pool: the pool's free list would be broken. */
static void test_interior_small(void) {
    tp_heap_t *h = fresh();
    uint8_t *a = tp_heap_alloc(h, 24), *b = tp_heap_alloc(h, 24);
    tp_heap_free(h, a + 8);
    check_reported(TP_ALLOC_ERR_INTERIOR);
    check_heap_intact(h);
    tp_heap_free(h, a);
    tp_heap_free(h, b);
}

/* An interior pointer into a large block whose data looks like a header
 * (a plausible size, no flags): no block inside the live one is freed. */
static void test_interior_large_header_lookalike(void) {
    tp_heap_t *h = fresh();
    uint8_t *big = tp_heap_alloc(h, 400);
    memset(big, 0, 400);
    uint32_t fake = 48u; /* a used block of 48 bytes */
    memcpy(big + 100, &fake, 4);
    tp_heap_free(h, big + 104);
    check_reported(TP_ALLOC_ERR_BAD_HEADER);
    check_heap_intact(h);
    tp_heap_free(h, big);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

/* A pool block carved but never handed out (the one after the first block
 * of a fresh pool): freeing it would make a loop of the free list. */
static void test_free_never_handed_out(void) {
    tp_heap_t *h = fresh();
    uint8_t *a = tp_heap_alloc(h, 16);
    tp_heap_free(h, a + 16);
    check_reported(TP_ALLOC_ERR_DOUBLE_FREE);
    check_heap_intact(h);
    tp_heap_free(h, a);
}

static void test_realloc_of_freed_and_interior(void) {
    tp_heap_t *h = fresh();
    uint8_t *keep = tp_heap_alloc(h, 16), *a = tp_heap_alloc(h, 16);
    tp_heap_free(h, a);
    TP_CHECK(tp_heap_realloc(h, a, 12) == NULL); /* same class: would hand it back live */
    check_reported(TP_ALLOC_ERR_DOUBLE_FREE);
    TP_CHECK_EQ(tp_heap_usable_size(h, a), 0);
    uint8_t *big = tp_heap_alloc(h, 600), *big2 = tp_heap_alloc(h, 600);
    tp_heap_free(h, big);
    kinds_seen = 0;
    TP_CHECK(tp_heap_realloc(h, big, 200) == NULL); /* shrinking a free block */
    check_reported(TP_ALLOC_ERR_DOUBLE_FREE);
    kinds_seen = 0;
    TP_CHECK(tp_heap_realloc(h, big2 + 64, 100) == NULL); /* interior */
    check_reported(TP_ALLOC_ERR_BAD_HEADER);
    check_heap_intact(h);
    tp_heap_free(h, keep);
    tp_heap_free(h, big2);
}

/* Of two blocks of `size` bytes, *lo the one just below *hi (release build:
 * neighbours; the debug build puts guards between them). */
static void neighbours(tp_heap_t *h, size_t size, uint8_t **lo, uint8_t **hi, uint8_t **third) {
    uint8_t *x = tp_heap_alloc(h, size), *y = tp_heap_alloc(h, size);
    *third = tp_heap_alloc(h, size);
    *lo = x < y ? x : y;
    *hi = x < y ? y : x;
}

/* One byte written past a block into the free block after it (same pool). */
static void test_overrun_into_free_small(void) {
    tp_heap_t *h = fresh();
    uint8_t *a, *b, *c;
    neighbours(h, 16, &a, &b, &c);
#if !TP_ALLOC_DEBUG
    TP_CHECK(b == a + 16);
#endif
    tp_heap_free(h, b);
    a[16] = 'x'; /* release: the first byte of b */
    tp_heap_free(h, a);   /* debug: the guard after a is seen here */
    check_heap_intact(h); /* release: the allocations take b: the change is seen */
    check_reported(TP_ALLOC_ERR_WRITE_AFTER_FREE);
    tp_heap_free(h, c);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

/* Eight bytes written past a block into the free large block after it: its
 * header and its mark. */
static void test_overrun_into_free_large(void) {
    tp_heap_t *h = fresh();
    uint8_t *a, *b, *c;
    neighbours(h, 100, &a, &b, &c);
    size_t ua = tp_heap_usable_size(h, a);
#if !TP_ALLOC_DEBUG
    TP_CHECK(b == a + ua + 4u); /* b's header right after a's payload */
#endif
    tp_heap_free(h, b);
    memset(a + ua, 0x7E, 8);
    tp_heap_free(h, a);
    void *big = tp_heap_alloc(h, 2000); /* a search of the lists meets b */
    check_heap_intact(h);
    tp_heap_free(h, big);
    tp_heap_free(h, c);
    check_reported(TP_ALLOC_ERR_WRITE_AFTER_FREE);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

/* A write into a freed block's first words (a write after free, or a
 * reference count changed on a freed object), small and large. */
static void test_write_after_free(void) {
    tp_heap_t *h = fresh();
    uint8_t *keep = tp_heap_alloc(h, 24), *s = tp_heap_alloc(h, 24), *l = tp_heap_alloc(h, 120),
            *l2 = tp_heap_alloc(h, 120);
    tp_heap_free(h, s);
    tp_heap_free(h, l);
    uint16_t one = 1; /* what an incref of a freed object writes */
    memcpy(s, &one, 2);
    memcpy(l, &one, 2);
    check_heap_intact(h);
    check_reported(TP_ALLOC_ERR_WRITE_AFTER_FREE);
    tp_heap_free(h, keep);
    tp_heap_free(h, l2);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

/* The second word too (a pool block's link): never followed. */
static void test_link_overwritten(void) {
    tp_heap_t *h = fresh();
    uint8_t *keep = tp_heap_alloc(h, 32), *a = tp_heap_alloc(h, 32), *b = tp_heap_alloc(h, 32);
    tp_heap_free(h, b);
    tp_heap_free(h, a); /* a's link leads to b */
    memset(a, 0xC3, 8);
    check_heap_intact(h);
    check_reported(TP_ALLOC_ERR_WRITE_AFTER_FREE);
    tp_heap_free(h, keep);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

static void test_type_free_list_misuse(void) {
    tp_heap_t *h = fresh();
    tp_freelist_t fl;
    tp_freelist_init(&fl, 16, 8);
    void *a = tp_freelist_alloc(h, &fl), *b = tp_freelist_alloc(h, &fl);
    tp_freelist_free(h, &fl, a);
    tp_freelist_free(h, &fl, a); /* cached twice would be handed out twice */
    check_reported(TP_ALLOC_ERR_DOUBLE_FREE);
    void *x = tp_freelist_alloc(h, &fl), *y = tp_freelist_alloc(h, &fl);
    TP_CHECK(x != y);
    tp_freelist_free(h, &fl, b);
    uint16_t one = 1;
    memcpy(b, &one, 2); /* an incref of a cached (freed) object */
    kinds_seen = 0;
    void *z = tp_freelist_alloc(h, &fl);
    check_reported(TP_ALLOC_ERR_WRITE_AFTER_FREE);
    check_heap_intact(h);
    tp_freelist_free(h, &fl, x);
    tp_freelist_free(h, &fl, y);
    tp_freelist_free(h, &fl, z);
    tp_freelist_drain(h, &fl);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

/* Pointers of a heap that tp_heap_init made again in the same memory: the
 * old headers and pool pages are still there, but none is a block of the
 * new heap.  Freed (and realloc'ed) after the new heap has handed out blocks
 * of its own, each is reported and none is taken. */
static void test_stale_after_reinit(void) {
    tp_heap_t *h = fresh();
    enum { N = 24 };
    static const uint16_t sizes[] = {8, 24, 40, 100, 300, 1000};
    uint8_t *old[N];
    for (unsigned i = 0; i < N; i++) {
        old[i] = tp_heap_alloc(h, sizes[i % (sizeof sizes / sizeof sizes[0])]);
        TP_CHECK(old[i] != NULL);
    }
    h = tp_heap_init(arena, arena_size); /* no wipe in between: the old heap's words remain */
    TP_CHECK(h != NULL);
    tp_heap_set_error_hook(h, on_alloc_error, NULL);
    uint8_t *kept = tp_heap_alloc(h, 16), *kept_big = tp_heap_alloc(h, 200);
    memset(kept, 0x11, 16);
    memset(kept_big, 0x22, 200);
    unsigned reported = 0, stale = 0;
    for (unsigned i = 0; i < N; i++) {
        if (old[i] == kept || old[i] == kept_big) continue; /* a block of the new heap */
        stale++;
        alloc_errors = 0;
        if (i % 3u == 0)
            TP_CHECK(tp_heap_realloc(h, old[i], 64) == NULL);
        else
            tp_heap_free(h, old[i]);
        if (alloc_errors > 0) reported++;
        TP_CHECK_EQ(tp_heap_validate(h), 0);
    }
    TP_CHECK(stale >= N - 2u);
    TP_CHECK_EQ(reported, stale);
    for (unsigned k = 0; k < 16; k++) TP_CHECK_EQ(kept[k], 0x11);
    for (unsigned k = 0; k < 200; k++) TP_CHECK_EQ(kept_big[k], 0x22);
    check_heap_intact(h);
    tp_heap_free(h, kept);
    tp_heap_free(h, kept_big);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

/* ---- the object layer ---- */

static unsigned gc_errors;
static void on_gc_error(const char *what, const tp_obj_t *o, void *ctx) {
    (void)what;
    (void)o;
    (void)ctx;
    gc_errors++;
}

static tp_heap_t *fresh_objects(void) {
    if (fx_fresh(arena, arena_size, tp_objects_init) != 0) return NULL;
    tp_gc_set_error_hook(on_gc_error, NULL);
    tp_heap_t *h = tp_gc_heap();
    tp_heap_set_error_hook(h, on_alloc_error, NULL);
    gc_errors = 0;
    alloc_errors = 0;
    kinds_seen = 0;
    return h;
}

/* One decref too many of a list (a pool block), a long str (a large block)
 * and an int (on the int type's free list), after each is freed: reported,
 * and the memory under it is left as it is. */
static void test_decref_too_many(void) {
    tp_heap_t *h = fresh_objects();
    if (!TP_CHECK(h != NULL)) return;
    tp_obj_t *keep = tp_list_new();
    tp_obj_t *l = tp_list_new();
    tp_obj_t *s = tp_str_from("a string longer than a pool block holds", 39);
    tp_obj_t *i = tp_int_new(123456);
    tp_decref(l);
    tp_decref(s);
    tp_decref(i);
    tp_gc_collect(0); /* deaths still pending: freed now */
    tp_decref(l);
    tp_decref(s);
    tp_decref(i);
    TP_CHECK_EQ(gc_errors, 3);
    /* the objects made next are sound */
    tp_obj_t *l2 = tp_list_new(), *i2 = tp_int_new(654321);
    tp_obj_t *s2 = tp_str_from("another string longer than a pool block", 39);
    TP_CHECK(tp_list_append(l2, i2) == 0 && tp_list_append(l2, s2) == 0);
    TP_CHECK(tp_len(l2) == 2);
    tp_decref(i2);
    tp_decref(s2);
    tp_decref(l2);
    tp_decref(keep);
    tp_gc_collect(2);
    TP_CHECK_EQ(alloc_errors, 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK(blocks_whole_and_apart(h));
}

/* An object whose count is too small, referenced from cyclic garbage: kept
 * (immortal) and reported, never freed while something points at it. */
static void test_count_too_small_in_garbage(void) {
    tp_heap_t *h = fresh_objects();
    if (!TP_CHECK(h != NULL)) return;
    tp_obj_t *a = tp_list_new(), *b = tp_list_new(), *victim = tp_list_new();
    tp_list_append(a, b);
    tp_list_append(b, a);
    tp_list_append(a, victim);
    tp_list_append(b, victim);
    tp_decref(victim); /* its count is 2: the references from a and b */
    tp_decref(victim); /* one too many: 1, and two references to it */
    tp_obj_t *mine = victim; /* the program still "holds" it (a borrowed pointer) */
    tp_decref(a);
    tp_decref(b);
    tp_gc_collect(2);
    TP_CHECK(gc_errors > 0);
    TP_CHECK(tp_list_append(mine, mine) == 0); /* still a list: never freed */
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    TP_CHECK(blocks_whole_and_apart(h));
}

/* NULL where an object or a buffer is required: an error value, no crash. */
static void test_null_arguments(void) {
    tp_heap_t *h = fresh_objects();
    if (!TP_CHECK(h != NULL)) return;
    char buf[8];
    TP_CHECK(tp_weakref_new(NULL, NULL, NULL) == NULL);
    TP_CHECK(tp_weakref_get(NULL) == NULL);
    tp_gc_track(NULL);
    tp_gc_untrack(NULL);
    TP_CHECK_EQ(tp_gc_is_tracked(NULL), 0);
    tp_obj_t *l = tp_list_new();
    (void)tp_repr(l, NULL, 8);
    (void)tp_repr(NULL, buf, sizeof buf);
    tp_objects_get_stats(NULL);
    TP_CHECK(tp_list_append(NULL, l) != 0);
    TP_CHECK(tp_list_append(l, NULL) != 0);
    TP_CHECK(tp_dict_set(NULL, l, l) != 0);
    TP_CHECK(gc_errors >= 4);
    tp_decref(l);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

const tp_test_case misuse_cases[] = {
    TP_CASE(test_double_free),
    TP_CASE(test_foreign_and_misaligned),
    TP_CASE(test_interior_small),
    TP_CASE(test_interior_large_header_lookalike),
    TP_CASE(test_free_never_handed_out),
    TP_CASE(test_realloc_of_freed_and_interior),
    TP_CASE(test_overrun_into_free_small),
    TP_CASE(test_overrun_into_free_large),
    TP_CASE(test_write_after_free),
    TP_CASE(test_link_overwritten),
    TP_CASE(test_type_free_list_misuse),
    TP_CASE(test_stale_after_reinit),
    TP_CASE(test_decref_too_many),
    TP_CASE(test_count_too_small_in_garbage),
    TP_CASE(test_null_arguments),
};
const size_t misuse_count = TP_COUNT(misuse_cases);
