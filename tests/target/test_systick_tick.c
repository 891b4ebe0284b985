// SPDX-License-Identifier: MIT
/*
 * test_systick_tick.c - SysTick at 1 kHz for a vendor HAL: the program
 * chooses it at link time (TP_SYSTICK_USE), the kernel programs the period
 * from SystemCoreClock, calls HAL_IncTick() once a tick, and its time base
 * stays true across many short periods.
 */
#include <stdint.h>

#include "cortexm.h"
#include "system.h"
#include "tests/harness.h"
#include "timer.h"

TP_SYSTICK_USE(TP_SYSTICK_TICK_1KHZ);

/* What ST's HAL defines: its tick counter (uwTick). */
static volatile uint32_t hal_ticks;
void HAL_IncTick(void);
void HAL_IncTick(void) { hal_ticks++; }

static volatile uint32_t hook_calls;
void tp_systick_hook(void) { hook_calls++; }

static void test_period_is_one_millisecond(void) {
    TP_CHECK_EQ(SYST_RVR, SystemCoreClock / 1000u - 1u);
    TP_CHECK_EQ(SYST_CSR & (SYST_CSR_ENABLE | SYST_CSR_TICKINT),
                SYST_CSR_ENABLE | SYST_CSR_TICKINT);
}

static void test_hal_tick_counts_milliseconds(void) {
    uint32_t t0 = hal_ticks, hooks0 = hook_calls;
    uint64_t c0 = tp_timer_cycles();
    while (hal_ticks - t0 < 20u) {
    }
    uint64_t elapsed = tp_timer_cycles() - c0;
    uint32_t period = SystemCoreClock / 1000u;
    /* 20 ticks: between 19 and 21 periods of time, whatever the phase */
    TP_CHECK(elapsed >= 19ull * period);
    TP_CHECK(elapsed <= 21ull * period);
    TP_CHECK_EQ(hook_calls - hooks0, hal_ticks - t0);
}

static void test_time_never_steps_back(void) {
    uint64_t prev = tp_timer_cycles();
    int backwards = 0;
    uint32_t t0 = hal_ticks;
    while (hal_ticks - t0 < 5u) {
        uint64_t now = tp_timer_cycles();
        if (now < prev) backwards++;
        prev = now;
    }
    TP_CHECK_EQ(backwards, 0);
}

static void test_milliseconds_agree(void) {
    uint32_t ms0 = tp_timer_ms(), t0 = hal_ticks;
    while (hal_ticks - t0 < 10u) {
    }
    uint32_t ms = tp_timer_ms() - ms0;
    TP_CHECK(ms >= 9u && ms <= 11u);
}

static const tp_test_case cases[] = {
    TP_CASE(test_period_is_one_millisecond),
    TP_CASE(test_hal_tick_counts_milliseconds),
    TP_CASE(test_time_never_steps_back),
    TP_CASE(test_milliseconds_agree),
};

int main(void) { return tp_test_main("systick_tick", cases, TP_COUNT(cases)); }
