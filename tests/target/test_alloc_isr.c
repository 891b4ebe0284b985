/*
 * test_alloc_isr.c - an interrupt handler allocates and frees while the main
 * loop does the same: SysTick is sped up to fire every few thousand cycles,
 * so it lands at arbitrary points inside malloc and free.
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

void tp_systick_hook(void) {
    /* replace one of the interrupt's own blocks, checking the old one */
    unsigned i = isr_runs % 8u;
    uint8_t tag = (uint8_t)(0x80u | i);
    if (isr_blocks[i] != NULL) {
        for (unsigned k = 0; k < 24u; k++)
            if (isr_blocks[i][k] != tag) isr_bad++;
        free(isr_blocks[i]);
    }
    size_t size = (isr_runs & 1u) ? 24u : big;
    isr_blocks[i] = malloc(size);
    if (isr_blocks[i] == NULL) isr_fail++;
    else memset(isr_blocks[i], tag, 24u);
    isr_runs++;
}

static void test_interrupt_and_thread_allocate(void) {
    tp_heap_stats_t st;
    tp_heap_stats(tp_malloc_heap(), &st);
    big = st.free_bytes / 32u > 300u ? 300u : st.free_bytes / 32u;
    uint32_t old = SYST_RVR;
    SYST_RVR = TP_CORE_HZ / 100000u; /* an interrupt every 10 us: 10,000 instructions under -icount shift=0 */
    SYST_CVR = 0;
    uint8_t *mine[16] = {0};
    unsigned bad = 0, fails = 0;
    uint32_t x = 12345u;
    for (unsigned op = 0; op < 20000u; op++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        unsigned i = x % 16u;
        if (mine[i] != NULL) {
            for (unsigned k = 0; k < 16u; k++)
                if (mine[i][k] != (uint8_t)i) bad++;
            free(mine[i]);
        }
        mine[i] = malloc(16u + x % big);
        if (mine[i] == NULL) fails++;
        else memset(mine[i], (int)i, 16u);
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
