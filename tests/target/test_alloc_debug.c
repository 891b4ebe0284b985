// SPDX-License-Identifier: MIT
/*
 * test_alloc_debug.c - the allocator's debug build on the target: this image
 * and its copy of alloc/ are compiled with -DTP_ALLOC_DEBUG=1 (the Makefile
 * does so for tests/target/test_*_debug.c), so malloc() itself is the debug
 * build.  Fills and guards, each kind of bad free reported with the right
 * pointer and caller (the heap still valid after it), the quantization
 * figures, a randomised stress test with tp_heap_validate() after every
 * operation, and an interrupt handler allocating while the main loop does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cortexm.h"
#include "tests/alloc_error_log.h"
#include "tests/harness.h"
#include "timer.h"
#include "tp_alloc.h"
#include "tp_libc_malloc.h"

#if !TP_ALLOC_DEBUG
#error "this image tests the debug build: the Makefile compiles it with -DTP_ALLOC_DEBUG=1"
#endif

static tp_heap_t *heap(void) {
    tp_heap_t *h = tp_malloc_heap();
    tp_heap_set_error_hook(h, record_error, NULL);
    forget_errors();
    return h;
}

static int bytes_are(const volatile uint8_t *p, size_t n, uint8_t v) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != v) return 0;
    return 1;
}

/* A freed block in the quarantine: the free mark in its first word (where
 * an object's count would read 0: bytes 00 00 F4 00), 0xDD after it. */
static int freed_bytes(const volatile uint8_t *p, size_t n) {
    if (n < 4u) return bytes_are(p, n, 0xDD);
    return p[0] == 0 && p[1] == 0 && p[2] == 0xF4 && p[3] == 0 && bytes_are(p + 4, n - 4u, 0xDD);
}

/* The allocator's entry points called from known places. */
static volatile unsigned calls;
__attribute__((noinline)) static void free_here(void *p) {
    tp_heap_free(tp_malloc_heap(), p);
    calls++; /* no tail call: the return address stays in here */
}
__attribute__((noinline)) static void free_sized_here(void *p, size_t n) {
    tp_heap_free_sized(tp_malloc_heap(), p, n);
    calls++;
}

static int reported_from(uintptr_t fn) {
    fn &= ~(uintptr_t)1u; /* Thumb bit */
    return (uintptr_t)last.caller > fn && (uintptr_t)last.caller - fn < 64u;
}

/* Exactly one error, of that kind, about that place, from free_here (or
 * free_sized_here), and the heap is still consistent. */
static void expect(tp_alloc_err_t kind, const void *where, uintptr_t from) {
    TP_CHECK_EQ(errors_seen, 1);
    TP_CHECK_EQ(last.kind, kind);
    TP_CHECK(last.ptr == where);
    TP_CHECK(reported_from(from));
    TP_CHECK_EQ(tp_heap_validate(tp_malloc_heap()), 0);
    TP_CHECK_EQ(errors_seen, 1);
    errors_seen = 0;
}

static void test_fills_and_guards(void) {
    heap();
    uint8_t *volatile p = malloc(20);
    TP_CHECK(p != NULL);
    if (p == NULL) return;
    TP_CHECK_EQ(malloc_usable_size(p), 20);
    TP_CHECK(bytes_are(p, 20, 0xCD));
    TP_CHECK(bytes_are(p - 8, 8, 0xFD));
    TP_CHECK(bytes_are(p + 20, 4, 0xFD));
    uint8_t *volatile z = calloc(5, 5);
    TP_CHECK(z != NULL && bytes_are(z, 25, 0));
    free(p);
    TP_CHECK(freed_bytes(p, 20)); /* freed: waiting in the quarantine */
    free(z);
    TP_CHECK_EQ(errors_seen, 0);
    TP_CHECK_EQ(tp_heap_validate(tp_malloc_heap()), 0);
}

static void test_bad_frees_reported(void) {
    heap();
    uintptr_t at_free = (uintptr_t)free_here, at_sized = (uintptr_t)free_sized_here;
    uint8_t *volatile a = malloc(40);
    uint8_t *volatile b = malloc(8);
    free_here(a);
    free_here(a);
    expect(TP_ALLOC_ERR_DOUBLE_FREE, a, at_free);
    static int not_heap;
    free_here(&not_heap);
    expect(TP_ALLOC_ERR_FOREIGN, &not_heap, at_free);
    free_here(b + 4);
    expect(TP_ALLOC_ERR_MISALIGNED, b + 4, at_free);
    uint8_t *volatile c = malloc(100);
    free_here(c + 16);
    expect(TP_ALLOC_ERR_INTERIOR, c + 16, at_free);
    TP_CHECK_EQ(last.size, 100);
    free_sized_here(c, 99);
    expect(TP_ALLOC_ERR_SIZE_MISMATCH, c, at_sized);
    c[100] = 0; /* overrun */
    free_here(c);
    expect(TP_ALLOC_ERR_OVERRUN, c + 100, at_free);
    b[-1] = 0; /* underrun */
    free_here(b);
    expect(TP_ALLOC_ERR_UNDERRUN, b - 1, at_free);
    TP_CHECK_EQ(last.size, 8);
    TP_CHECK_EQ(last.size_class, 0);
}

static void test_write_after_free_reported(void) {
    heap();
    uint8_t *volatile p = malloc(12);
    free_here(p);
    p[5] = 1;
    TP_CHECK_EQ(tp_heap_validate(tp_malloc_heap()), -1);
    TP_CHECK_EQ(last.kind, TP_ALLOC_ERR_WRITE_AFTER_FREE);
    errors_seen = 0;
    /* push it out of the quarantine: reported then, from that free */
    void *others[TP_ALLOC_DEBUG_QUARANTINE];
    for (unsigned i = 0; i < TP_ALLOC_DEBUG_QUARANTINE; i++) others[i] = malloc(16);
    for (unsigned i = 0; i < TP_ALLOC_DEBUG_QUARANTINE; i++) free_here(others[i]);
    expect(TP_ALLOC_ERR_WRITE_AFTER_FREE, p + 5, (uintptr_t)free_here);
    TP_CHECK_EQ(last.size, 12);
    TP_CHECK_EQ(last.size_class, 1);
}

static void test_quantization(void) {
    tp_heap_t *h = heap();
    tp_class_stats_t before, after;
    tp_heap_class_stats(h, 0, &before);
    void *volatile a = malloc(1); /* volatile: GCC may drop an unused malloc/free pair */
    void *volatile b = malloc(5);
    void *volatile c = malloc(8);
    tp_heap_class_stats(h, 0, &after);
    TP_CHECK_EQ(after.quantization - before.quantization, 7u + 3u + 0u);
    free(a);
    free(b);
    free(c);
    tp_heap_class_stats(h, 0, &after);
    TP_CHECK_EQ(after.quantization, before.quantization);
}

/* ---- randomised stress on a heap carved from the main one ---- */
static uint32_t rng = 88172645u;
static uint32_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

#define SLOTS 64
static void test_stress_with_validate(void) {
    tp_heap_stats_t main_stats;
    tp_heap_stats(heap(), &main_stats);
    size_t size = main_stats.largest_free / 2u > 8192u ? 8192u : main_stats.largest_free / 2u;
    void *arena = malloc(size);
    TP_CHECK(arena != NULL);
    if (arena == NULL) return;
    tp_heap_t *h = tp_heap_init(arena, size);
    tp_heap_set_error_hook(h, record_error, NULL);
    uint8_t *slot[SLOTS] = {0};
    uint16_t len[SLOTS];
    unsigned bad = 0, invalid = 0, fails = 0;
    for (unsigned op = 0; op < 10000u && invalid == 0; op++) {
        unsigned i = rnd() % SLOTS;
        if (slot[i] != NULL) {
            if (!bytes_are(slot[i], len[i], (uint8_t)i)) bad++;
            tp_heap_free(h, slot[i]);
            if (!freed_bytes(slot[i], len[i])) bad++;
            slot[i] = NULL;
        } else {
            uint32_t r = rnd();
            len[i] = (uint16_t)(r % 4u != 0 ? r % 13u : 13u + r % 400u);
            slot[i] = r % 8u == 0 ? tp_heap_aligned_alloc(h, 32, len[i]) : tp_heap_alloc(h, len[i]);
            if (slot[i] == NULL) {
                fails++;
                continue;
            }
            if (!bytes_are(slot[i], len[i], 0xCD) || tp_heap_usable_size(h, slot[i]) != len[i]) bad++;
            memset(slot[i], (int)i, len[i]);
        }
        if (tp_heap_validate(h) != 0) invalid++;
    }
    for (unsigned i = 0; i < SLOTS; i++) tp_heap_free(h, slot[i]);
    tp_heap_stats_t st;
    tp_heap_stats(h, &st);
    TP_CHECK_EQ(st.used_blocks, 0);
    TP_CHECK_EQ(bad, 0);
    TP_CHECK_EQ(invalid, 0);
    TP_CHECK_EQ(errors_seen, 0);
    tp_test_log("    10000 operations on a %u-byte heap, %u failed for lack of memory\n",
                (unsigned)size, fails);
    free(arena);
}

/* ---- an interrupt handler allocating through the debug build ---- */
static volatile unsigned ticks, tick_bad;
static volatile int tick_on;
static uint8_t *tick_block[4];

void tp_systick_hook(void) {
    if (!tick_on) return;
    unsigned k = ticks++ % 4u;
    if (tick_block[k] != NULL) {
        if (!bytes_are(tick_block[k], 10, (uint8_t)(0xA0u + k))) tick_bad++;
        free(tick_block[k]);
    }
    tick_block[k] = malloc(10u + k * 30u);
    if (tick_block[k] != NULL) memset(tick_block[k], (int)(0xA0u + k), 10);
}

static void test_interrupts_allocate_too(void) {
    heap();
    uint32_t reload = SYST_RVR;
    SYST_RVR = TP_CORE_HZ / 50000u; /* every 20 us */
    SYST_CVR = 0;
    tick_on = 1;
    uint8_t *mine[8] = {0};
    unsigned bad = 0;
    for (unsigned op = 0; op < 4000u; op++) {
        unsigned i = rnd() % 8u;
        if (mine[i] != NULL && !bytes_are(mine[i], 8, (uint8_t)i)) bad++;
        free(mine[i]);
        mine[i] = malloc(8u + rnd() % 120u);
        if (mine[i] != NULL) memset(mine[i], (int)i, 8);
    }
    tick_on = 0;
    SYST_RVR = reload;
    SYST_CVR = 0;
    for (unsigned i = 0; i < 8; i++) free(mine[i]);
    for (unsigned k = 0; k < 4; k++) free(tick_block[k]);
    tp_test_log("    %u interrupts allocated and freed during 4000 malloc/free pairs\n", ticks);
    TP_CHECK(ticks > 20u);
    TP_CHECK_EQ(bad, 0);
    TP_CHECK_EQ(tick_bad, 0);
    TP_CHECK_EQ(errors_seen, 0);
    TP_CHECK_EQ(tp_heap_validate(tp_malloc_heap()), 0);
}

static const tp_test_case cases[] = {
    TP_CASE(test_fills_and_guards),
    TP_CASE(test_bad_frees_reported),
    TP_CASE(test_write_after_free_reported),
    TP_CASE(test_quantization),
    TP_CASE(test_stress_with_validate),
    TP_CASE(test_interrupts_allocate_too),
};

int main(void) { return tp_test_main("alloc debug build", cases, TP_COUNT(cases)); }
