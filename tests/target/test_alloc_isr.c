// SPDX-License-Identifier: MIT
/*
 * test_alloc_isr.c - an interrupt handler allocates and frees while the main
 * loop does the same: SysTick is sped up to fire every few thousand cycles,
 * and its period changes at every interrupt, so it lands at ever other
 * points inside the allocator.  Both go through every entry point allowed
 * from an interrupt: malloc, calloc, realloc (growing and shrinking),
 * aligned_alloc, free, tp_heap_free_sized and a per-type free list (each
 * context its own list: a list belongs to one context, its blocks come from
 * and go back to the shared heap), in the same small class and in large
 * blocks.  A lost update shows as a block handed out twice (its tag
 * overwritten), a damaged heap, or counts that do not come back to where
 * they started.  tests/lockproof/run.sh checks that the test fails when any
 * single lock site of the allocator is compiled without its lock.
 * test_alloc_isr_debug.c runs the same on the allocator's debug build.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cortexm.h"
#include "critical.h"
#include "stack.h"
#include "tests/harness.h"
#include "timer.h"
#include "tp_alloc.h"
#include "tp_libc_malloc.h"

/* The thread's operations; tests/lockproof/run.sh runs more, so that an
 * interrupt lands in every short window often enough. */
#ifndef ISR_TEST_OPS
#define ISR_TEST_OPS 20000u
#endif

static volatile unsigned isr_runs, isr_bad, isr_fail;
static uint32_t isr_period; /* the shortest gap between interrupts, in cycles; 0: stopped */
static size_t big; /* scaled to the heap: the 8 KiB board has under 6 KiB */
static uint8_t *isr_blocks[8];

static size_t isr_sizes[8];
static tp_freelist_t isr_list, thread_list; /* one per context, same class */
enum { WAYS = 6, BURST_MAX = 64 };

/* A new block of `size` (>= 24) bytes by entry point `way`, its first 24
 * bytes set to `tag`; *old (if any, of old_size bytes, tagged) is freed or
 * reallocated.  Returns NULL on failure (*old then freed). */
static uint8_t *renew(uint8_t **old, size_t old_size, size_t *sizep, uint8_t tag, unsigned way,
                      unsigned *bad) {
    size_t size = *sizep;
    uint8_t *p;
    if (way == 2u && *old != NULL) { /* realloc: the contents move with it */
        p = realloc(*old, size);
        if (p == NULL) {
            free(*old);
            *old = NULL;
            return NULL;
        }
        for (unsigned k = 0; k < 24u; k++)
            if (p[k] != tag) (*bad)++;
        *old = NULL;
        return p;
    }
    tp_freelist_t *list = tp_in_interrupt() ? &isr_list : &thread_list;
    if (*old != NULL) {
        if (way == 4u)
            tp_heap_free_sized(tp_malloc_heap(), *old, old_size);
        else if (way == 5u && old_size == list->block_size)
            tp_freelist_free(tp_malloc_heap(), list, *old);
        else
            free(*old);
        *old = NULL;
    }
    if (way == 5u && size <= list->block_size) {
        *sizep = list->block_size;
        p = tp_freelist_alloc(tp_malloc_heap(), list);
    } else if (way == 1u) {
        p = calloc(1, size);
        for (size_t k = 0; p != NULL && k < size; k++)
            if (p[k] != 0) (*bad)++;
    } else if (way == 3u) {
        *sizep = (size + 31u) & ~(size_t)31u; /* a multiple of the alignment */
        p = aligned_alloc(32, *sizep);
        if (p != NULL && ((uintptr_t)p & 31u) != 0) (*bad)++;
    } else {
        p = malloc(size);
    }
    if (p != NULL) memset(p, tag, 24u);
    return p;
}

void tp_systick_hook(void) {
    /* replace one of the interrupt's own blocks, checking the old one, by
     * each entry point in turn */
    unsigned i = isr_runs % 8u, bad = 0;
    uint8_t tag = (uint8_t)(0x80u | i);
    if (isr_blocks[i] != NULL)
        for (unsigned k = 0; k < 24u; k++)
            if (isr_blocks[i][k] != tag) bad++;
    size_t size = (isr_runs & 1u) ? 24u : big;
    uint8_t *p = renew(&isr_blocks[i], isr_sizes[i], &size, tag, (isr_runs / 8u) % WAYS, &bad);
    isr_blocks[i] = p;
    isr_sizes[i] = size;
    if (p == NULL) isr_fail++;
    isr_bad += bad;
    isr_runs++;
    /* the next interrupt 2,000 to 6,000 instructions on, never at the same
     * point of the thread's loop twice */
    if (isr_period != 0) SYST_RVR = isr_period + (isr_runs * 2654435761u >> 20) % (2u * isr_period);
}

/* More blocks of the interrupt's class than a pool holds, taken and given
 * back: pools start on new pages and empty again, so the interrupt also
 * lands while a pool is started or handed back. */
static void burst(unsigned n, unsigned *bad, unsigned *fails) {
    uint8_t *b[BURST_MAX];
    for (unsigned k = 0; k < n; k++) {
        b[k] = malloc(24);
        if (b[k] == NULL) {
            (*fails)++;
            continue;
        }
        memset(b[k], (int)(0x40u | (k & 0x3Fu)), 24);
    }
    for (unsigned k = 0; k < n; k++) {
        if (b[k] == NULL) continue;
        for (unsigned j = 0; j < 24u; j++)
            if (b[k][j] != (uint8_t)(0x40u | (k & 0x3Fu))) (*bad)++;
        free(b[k]);
    }
}

static void test_interrupt_and_thread_allocate(void) {
    tp_heap_stats_t st;
    tp_heap_stats(tp_malloc_heap(), &st);
    big = st.free_bytes / 32u > 300u ? 300u : st.free_bytes / 32u;
#if TP_ALLOC_DEBUG
    big /= 2u; /* guards and the quarantine: the 8 KiB board holds half as much */
#endif
    /* a pool and a half of 24-byte blocks where the heap has room; on the
     * smallest boards a few pools' worth, leaving room for the rest */
    unsigned burst_n = (unsigned)(st.free_bytes / 256u);
#if TP_ALLOC_DEBUG
    burst_n /= 3u; /* a debug block of 24 bytes takes about three times the room */
#endif
    if (burst_n > BURST_MAX) burst_n = BURST_MAX;
    tp_freelist_init(&isr_list, 24, 4);
    tp_freelist_init(&thread_list, 24, 4);
    tp_heap_stats_t before;
    tp_heap_stats(tp_malloc_heap(), &before);
    uint32_t old = SYST_RVR;
    /* cycles = instructions under -icount shift=0: 2,000 to 6,000 apart */
    isr_period = TP_CORE_HZ / 500000u;
    SYST_RVR = isr_period;
    SYST_CVR = 0;
    uint8_t *mine[16] = {0};
    size_t sizes[16] = {0};
    unsigned bad = 0, fails = 0;
    uint32_t x = 12345u;
    for (unsigned op = 0; op < ISR_TEST_OPS; op++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        unsigned i = x % 16u;
        if (mine[i] != NULL)
            for (unsigned k = 0; k < 24u; k++)
                if (mine[i][k] != (uint8_t)i) bad++;
        /* half in the small classes of 24 and 32 bytes (the interrupt's and the one above), half large */
        size_t size = (x & 0x100000u) ? 24u + ((x >> 4) & 8u) : 24u + x % big;
        mine[i] = renew(&mine[i], sizes[i], &size, (uint8_t)i, (x >> 8) % WAYS, &bad);
        sizes[i] = size;
        if (mine[i] == NULL) fails++;
        if (op % 32u == 31u) burst(burst_n, &bad, &fails);
    }
    isr_period = 0;
    SYST_RVR = old;
    SYST_CVR = 0;
    tp_irqstate_t s = tp_critical_enter(); /* the interrupt's blocks, freed while it cannot run */
    for (unsigned i = 0; i < 8; i++) {
        free(isr_blocks[i]);
        isr_blocks[i] = NULL;
    }
    tp_freelist_drain(tp_malloc_heap(), &isr_list);
    tp_critical_exit(s);
    for (unsigned i = 0; i < 16; i++) free(mine[i]);
    tp_freelist_drain(tp_malloc_heap(), &thread_list);
    tp_heap_stats_t after;
    tp_heap_stats(tp_malloc_heap(), &after);
    /* every block handed out came back, and the counts say so */
    TP_CHECK_EQ(after.used_blocks, before.used_blocks);
    TP_CHECK_EQ(after.used_bytes, before.used_bytes);
    TP_CHECK_EQ(after.alloc_count - before.alloc_count, after.free_count - before.free_count);
    TP_CHECK_EQ(after.error_count, before.error_count);
    TP_CHECK(isr_runs > 50u); /* the interrupt really interleaved */
    TP_CHECK_EQ(bad, 0);
    TP_CHECK_EQ(isr_bad, 0);
    TP_CHECK_EQ(fails, 0);
    TP_CHECK_EQ(isr_fail, 0);
    TP_CHECK_EQ(tp_heap_validate(tp_malloc_heap()), 0);
    tp_test_log("    %u interrupts allocated while the thread did %u malloc/free pairs; handler stack high-water %u of %u bytes\n",
                isr_runs, (unsigned)ISR_TEST_OPS, (unsigned)tp_handler_stack_high_water(), (unsigned)tp_handler_stack_size());
    TP_CHECK(tp_handler_stack_high_water() < tp_handler_stack_size());
}

static const tp_test_case cases[] = {
    TP_CASE(test_interrupt_and_thread_allocate),
};

int main(void) { return tp_test_main("alloc-isr", cases, TP_COUNT(cases)); }
