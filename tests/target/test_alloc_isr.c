/*
 * test_alloc_isr.c - an interrupt handler allocates and frees while the main
 * loop does the same: SysTick is sped up to fire every few thousand cycles,
 * so it lands at arbitrary points inside the allocator.  Both go through
 * every entry point allowed from an interrupt: malloc, calloc, realloc
 * (growing and shrinking), aligned_alloc, free, and tp_heap_free_sized (the
 * per-type free lists are not among them: a list belongs to one context).
 * test_alloc_isr_debug.c runs the same on the allocator's debug build.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cortexm.h"
#include "stack.h"
#include "tests/harness.h"
#include "timer.h"
#include "tp_alloc.h"
#include "tp_libc_malloc.h"

static volatile unsigned isr_runs, isr_bad, isr_fail;
static size_t big; /* scaled to the heap: the 8 KiB board has under 6 KiB */
static uint8_t *isr_blocks[8];

static size_t isr_sizes[8];

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
    if (*old != NULL) {
        if (way == 4u)
            tp_heap_free_sized(tp_malloc_heap(), *old, old_size);
        else
            free(*old);
        *old = NULL;
    }
    if (way == 1u) {
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
    uint8_t *p = renew(&isr_blocks[i], isr_sizes[i], &size, tag, (isr_runs / 8u) % 5u, &bad);
    isr_blocks[i] = p;
    isr_sizes[i] = size;
    if (p == NULL) isr_fail++;
    isr_bad += bad;
    isr_runs++;
}

static void test_interrupt_and_thread_allocate(void) {
    tp_heap_stats_t st;
    tp_heap_stats(tp_malloc_heap(), &st);
    big = st.free_bytes / 32u > 300u ? 300u : st.free_bytes / 32u;
#if TP_ALLOC_DEBUG
    big /= 2u; /* guards and the quarantine: the 8 KiB board holds half as much */
#endif
    uint32_t old = SYST_RVR;
    SYST_RVR = TP_CORE_HZ / 100000u; /* an interrupt every 10 us: 10,000 instructions under -icount shift=0 */
    SYST_CVR = 0;
    uint8_t *mine[16] = {0};
    size_t sizes[16] = {0};
    unsigned bad = 0, fails = 0;
    uint32_t x = 12345u;
    for (unsigned op = 0; op < 20000u; op++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        unsigned i = x % 16u;
        if (mine[i] != NULL)
            for (unsigned k = 0; k < 24u; k++)
                if (mine[i][k] != (uint8_t)i) bad++;
        size_t size = 24u + x % big;
        mine[i] = renew(&mine[i], sizes[i], &size, (uint8_t)i, (x >> 8) % 5u, &bad);
        sizes[i] = size;
        if (mine[i] == NULL) fails++;
    }
    SYST_RVR = old;
    SYST_CVR = 0;
    for (unsigned i = 0; i < 16; i++) free(mine[i]);
    TP_CHECK(isr_runs > 50u); /* the interrupt really interleaved */
    TP_CHECK_EQ(bad, 0);
    TP_CHECK_EQ(isr_bad, 0);
    TP_CHECK_EQ(fails, 0);
    TP_CHECK_EQ(isr_fail, 0);
    TP_CHECK_EQ(tp_heap_validate(tp_malloc_heap()), 0);
    tp_test_log("    %u interrupts allocated while the thread did 20000 malloc/free pairs; handler stack high-water %u of %u bytes\n",
                isr_runs, (unsigned)tp_handler_stack_high_water(), (unsigned)tp_handler_stack_size());
    TP_CHECK(tp_handler_stack_high_water() < tp_handler_stack_size());
}

static const tp_test_case cases[] = {
    TP_CASE(test_interrupt_and_thread_allocate),
};

int main(void) { return tp_test_main("alloc-isr", cases, TP_COUNT(cases)); }
