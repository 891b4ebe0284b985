// SPDX-License-Identifier: MIT
/*
 * timer.c - DWT CYCCNT when it counts, SysTick otherwise; SysTick's use as
 * the program chose it (see timer.h).
 */
#include "timer.h"

#include "cortexm.h"
#include "critical.h"
#include "stack.h"
#include "system.h"
#include "vectors.h"

#define SYSTICK_FULL_RELOAD 0x00FFFFFFu /* full 24-bit period: fewest interrupts */
#define TICK_HZ 1000u

__attribute__((weak)) tp_systick_use_t tp_systick_use(void) { return TP_SYSTICK_FREE_RUNNING; }

static tp_systick_use_t systick_use; /* read once, at tp_timer_init */

/* ST's HAL, when the program links it: its tick counter. */
extern void HAL_IncTick(void) __attribute__((weak));

static int use_dwt;
static uint32_t dwt_high, dwt_last; /* extends the 32-bit CYCCNT */

/* SysTick is extended to 64 bits by counting its reloads.  A read that
 * finds the count above the previous one has seen a reload (the counter
 * counts down).  That alone misses a reload when two reads fall at the same
 * point of successive periods, as the interrupt's own reads do; so the
 * interrupt counts the reload that raised it unless a read has already seen
 * one since the last interrupt.  (It cannot simply count: QEMU raises it
 * later than the counter reloads, after a read may have seen the reload.
 * COUNTFLAG cannot settle it either: QEMU sets it as late.)  The period is
 * read at each reload, so a program that re-programs SysTick (an RTOS, HAL's
 * HAL_InitTick) loses at most the part of one period it cut short. */
static uint64_t systick_base; /* cycles up to the last reload counted */
static uint32_t systick_last, systick_wraps;
static int reload_seen; /* a read counted a reload since the last interrupt */

static uint32_t systick_period(void) { return (SYST_RVR & SYSTICK_FULL_RELOAD) + 1u; }

/* Caller holds a critical section. */
static uint64_t systick_now_locked(void) {
    uint32_t cur = SYST_CVR;
    if (cur > systick_last) {
        systick_base += systick_period();
        systick_wraps++;
        reload_seen = 1;
    }
    systick_last = cur;
    return systick_base + (systick_period() - 1u - cur);
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
    systick_base = 0;
    systick_wraps = 0;
    reload_seen = 0;
    systick_use = tp_systick_use();
    if (systick_use != TP_SYSTICK_APPLICATION) {
        /* SysTick runs whatever the source: its interrupt also checks the
         * stack canary. */
        uint32_t reload = SYSTICK_FULL_RELOAD;
        if (systick_use == TP_SYSTICK_TICK_1KHZ) reload = SystemCoreClock / TICK_HZ - 1u;
        SYST_CSR = 0;
        SYST_RVR = reload;
        SYST_CVR = 0;
        SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
    }
    systick_last = SYST_CVR;
}

__attribute__((weak)) void tp_systick_hook(void) {}

void tp_timer_systick_isr(void) {
    tp_irqstate_t s = tp_critical_enter();
    (void)systick_now_locked();
    if (!reload_seen) {
        systick_base += systick_period();
        systick_wraps++;
    }
    reload_seen = 0;
    tp_critical_exit(s);
    tp_stack_check();
    if (systick_use == TP_SYSTICK_TICK_1KHZ && HAL_IncTick) HAL_IncTick();
    tp_systick_hook();
}

__attribute__((weak)) void SysTick_Handler(void) { tp_timer_systick_isr(); }

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

uint32_t tp_timer_hz(void) { return SystemCoreClock; }

uint32_t tp_timer_ms(void) {
    uint32_t per_ms = SystemCoreClock / 1000u;
    return per_ms ? (uint32_t)(tp_timer_cycles() / per_ms) : 0u;
}

const char *tp_timer_source(void) { return use_dwt ? "DWT CYCCNT" : "SysTick"; }
