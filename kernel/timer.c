// SPDX-License-Identifier: MIT
/*
 * timer.c - DWT CYCCNT when it counts, SysTick otherwise (see timer.h).
 */
#include "timer.h"

#include "board.h"
#include "cortexm.h"
#include "critical.h"
#include "stack.h"
#include "vectors.h"

#define SYSTICK_RELOAD 0x00FFFFFFu /* full 24-bit period: fewest interrupts */

static int use_dwt;
static uint32_t dwt_high, dwt_last; /* extends the 32-bit CYCCNT */

/* SysTick is extended to 64 bits by noticing each reload: the counter counts
 * down, so a value above the previous one means it wrapped.  The wrap
 * interrupt only guarantees a look at least once per period; it does not
 * count wraps itself, because QEMU raises it later than the counter reloads
 * (counting it would make time step back by a period). */
static uint32_t systick_wraps;
static uint32_t systick_last;

/* Caller holds a critical section. */
static uint64_t systick_now_locked(void) {
    uint32_t cur = SYST_CVR;
    if (cur > systick_last) systick_wraps++;
    systick_last = cur;
    return (uint64_t)systick_wraps * (SYSTICK_RELOAD + 1u) + (SYSTICK_RELOAD - cur);
}

#if TP_HAS_CONFIGURABLE_FAULTS
static int dwt_counts(void) {
    DEMCR |= DEMCR_TRCENA;
    if (DWT_CTRL & DWT_CTRL_NOCYCCNT) return 0;
    DWT_CYCCNT = 0;
    DWT_CTRL |= DWT_CTRL_CYCCNTENA;
    uint32_t a = DWT_CYCCNT;
    for (volatile int i = 0; i < 8; i++) {
    }
    return DWT_CYCCNT != a; /* QEMU does not model it: reads stay 0 */
}
#endif

void tp_timer_init(void) {
#if TP_HAS_CONFIGURABLE_FAULTS
    use_dwt = dwt_counts();
#endif
    /* SysTick runs in every case: its interrupt also checks the stack canary. */
    SYST_CSR = 0;
    SYST_RVR = SYSTICK_RELOAD;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
    systick_last = SYST_CVR;
    systick_wraps = 0;
}

__attribute__((weak)) void tp_systick_hook(void) {}

__attribute__((weak)) void SysTick_Handler(void) {
    tp_irqstate_t s = tp_critical_enter();
    (void)systick_now_locked();
    tp_critical_exit(s);
    tp_stack_check();
    tp_systick_hook();
}

uint32_t tp_timer_wraps(void) {
    tp_irqstate_t s = tp_critical_enter();
    (void)systick_now_locked();
    uint32_t w = systick_wraps;
    tp_critical_exit(s);
    return w;
}

uint64_t tp_timer_cycles(void) {
    tp_irqstate_t s = tp_critical_enter();
    uint64_t now;
    if (use_dwt) {
        uint32_t c = DWT_CYCCNT;
        if (c < dwt_last) dwt_high++; /* needs a call at least every 2^32 cycles */
        dwt_last = c;
        now = ((uint64_t)dwt_high << 32) | c;
    } else {
        now = systick_now_locked();
    }
    tp_critical_exit(s);
    return now;
}

uint32_t tp_timer_hz(void) { return board_core_hz(); }

const char *tp_timer_source(void) { return use_dwt ? "DWT CYCCNT" : "SysTick"; }
