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

/* The kernel's handler (below); SysTick_Handler is its weak alias, so that a
 * program's own SysTick_Handler replaces it and tp_systick_use() can tell. */
static void kernel_systick_handler(void);
void SysTick_Handler(void) __attribute__((weak, alias("kernel_systick_handler")));

/* ST's HAL, when the program links it: its tick counter. */
extern void HAL_IncTick(void) __attribute__((weak));

/* The kernel's choice, when the program makes none: SysTick is left to a
 * program that has a SysTick_Handler of its own (an RTOS port's); it ticks at
 * 1 kHz for a program that links ST's HAL (whose HAL_Delay counts those
 * ticks); otherwise it runs free. */
__attribute__((weak)) tp_systick_use_t tp_systick_use(void) {
    if (SysTick_Handler != kernel_systick_handler) return TP_SYSTICK_APPLICATION;
    if (HAL_IncTick) return TP_SYSTICK_TICK_1KHZ;
    return TP_SYSTICK_FREE_RUNNING;
}

static tp_systick_use_t systick_use; /* read once, at tp_timer_init */

static int use_dwt;
static uint32_t dwt_high, dwt_last; /* extends the 32-bit CYCCNT */

/* Caller holds a critical section; needs a call at least every 2^32 cycles,
 * which the SysTick interrupt gives (tp_timer_systick_isr). */
static uint64_t dwt_now_locked(void) {
    uint32_t c = DWT_CYCCNT;
    if (c < dwt_last) dwt_high++;
    dwt_last = c;
    return ((uint64_t)dwt_high << 32) | c;
}

/* SysTick is extended to 64 bits by counting its reloads.  A read that
 * finds the count above the previous one has seen a reload (the counter
 * counts down).  That alone misses a reload when two reads fall at the same
 * point of successive periods, as the interrupt's own reads do; so the
 * interrupt counts the reload that raised it unless a read has already seen
 * one since the last interrupt.  (It cannot simply count: QEMU raises it
 * later than the counter reloads, after a read may have seen the reload.
 * COUNTFLAG cannot settle it either: QEMU sets it as late.)
 *
 * A reload adds the period that just ended, the one latched at the reload
 * before: a program that changes SYST_RVR (an RTOS, HAL's HAL_InitTick)
 * changes only the periods after the next reload, as the hardware does.
 * Writing SYST_CVR cuts a period short and may put the time off by up to one
 * period; it never makes time go back. */
static uint64_t systick_base;      /* cycles up to the last reload counted */
static uint32_t systick_counting;  /* the period being counted down */
static uint32_t systick_last, systick_wraps;
static int reload_seen; /* a read counted a reload since the last interrupt */

/* Caller holds a critical section. */
static void count_reload_locked(void) {
    systick_base += systick_counting;
    systick_counting = (SYST_RVR & SYSTICK_FULL_RELOAD) + 1u;
    systick_wraps++;
}

/* Caller holds a critical section. */
static uint64_t systick_now_locked(void) {
    uint32_t cur = SYST_CVR;
    if (cur > systick_last) {
        count_reload_locked();
        reload_seen = 1;
    }
    systick_last = cur;
    if (cur >= systick_counting) cur = systick_counting - 1u; /* from a period not latched */
    return systick_base + (systick_counting - 1u - cur);
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
    SYST_CSR = 0; /* off; with TP_SYSTICK_APPLICATION until the application starts it */
    if (systick_use != TP_SYSTICK_APPLICATION) {
        /* SysTick runs whatever the source: its interrupt also checks the
         * stack canary and keeps DWT's extension. */
        uint32_t reload = SYSTICK_FULL_RELOAD;
        if (systick_use == TP_SYSTICK_TICK_1KHZ) reload = SystemCoreClock / TICK_HZ - 1u;
        SYST_RVR = reload;
        SYST_CVR = 0;
        SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
        /* The cleared count loads the reload value at the next tick; start
         * from there, so that the load is not taken for a period gone by. */
        for (int i = 0; i < 1000 && SYST_CVR == 0; i++) {
        }
    }
    systick_counting = (SYST_RVR & SYSTICK_FULL_RELOAD) + 1u;
    systick_last = SYST_CVR;
}

__attribute__((weak)) void tp_systick_hook(void) {}

void tp_timer_systick_isr(void) {
    tp_irqstate_t s = tp_critical_enter();
    (void)systick_now_locked();
    if (!reload_seen) count_reload_locked();
    reload_seen = 0;
    if (use_dwt) (void)dwt_now_locked();
    tp_critical_exit(s);
    tp_stack_check();
    if (systick_use == TP_SYSTICK_TICK_1KHZ && HAL_IncTick) HAL_IncTick();
    tp_systick_hook();
}

__attribute__((used)) static void kernel_systick_handler(void) { tp_timer_systick_isr(); }

uint32_t tp_timer_wraps(void) {
    tp_irqstate_t s = tp_critical_enter();
    (void)systick_now_locked();
    uint32_t w = systick_wraps;
    tp_critical_exit(s);
    return w;
}

static uint64_t cycles_locked(void) { return use_dwt ? dwt_now_locked() : systick_now_locked(); }

uint64_t tp_timer_cycles(void) {
    tp_irqstate_t s = tp_critical_enter();
    uint64_t now = cycles_locked();
    tp_critical_exit(s);
    return now;
}

uint32_t tp_timer_hz(void) { return SystemCoreClock; }

/* Milliseconds are counted at the clock rate in force: when SystemCoreClock
 * changes, the cycles before are kept as the milliseconds they were. */
static uint32_t ms_base, ms_cycles_per_ms;
static uint64_t ms_mark;

uint32_t tp_timer_ms(void) {
    tp_irqstate_t s = tp_critical_enter();
    uint64_t now = cycles_locked();
    uint32_t per_ms = SystemCoreClock / 1000u;
    if (per_ms != ms_cycles_per_ms) {
        if (ms_cycles_per_ms != 0) {
            /* whole milliseconds at the old rate; the part of one carried
             * over as the same fraction of a millisecond at the new rate */
            uint64_t gone = now - ms_mark;
            ms_base += (uint32_t)(gone / ms_cycles_per_ms);
            ms_mark = now - gone % ms_cycles_per_ms * per_ms / ms_cycles_per_ms;
        }
        ms_cycles_per_ms = per_ms;
    }
    uint32_t ms = per_ms ? ms_base + (uint32_t)((now - ms_mark) / per_ms) : ms_base;
    tp_critical_exit(s);
    return ms;
}

const char *tp_timer_source(void) { return use_dwt ? "DWT CYCCNT" : "SysTick"; }
