// SPDX-License-Identifier: MIT
/*
 * test_systick_app.c - SysTick left to the application, as an RTOS takes it:
 * the kernel neither starts SysTick nor handles its interrupt; the
 * application's SysTick_Handler is the one in the vector table, and the
 * kernel's time base follows the application's SysTick when the handler
 * calls tp_timer_systick_isr() (or DWT CYCCNT where the part has one).
 */
#include <stdint.h>

#include "cortexm.h"
#include "system.h"
#include "tests/harness.h"
#include "timer.h"
#include "vectors.h"

TP_SYSTICK_USE(TP_SYSTICK_APPLICATION);

static volatile uint32_t app_ticks;
void SysTick_Handler(void) { /* the application's (an RTOS's tick) */
    app_ticks++;
    tp_timer_systick_isr();
}

#define APP_TICK_HZ 2000u

static void test_kernel_left_systick_alone(void) {
    TP_CHECK_EQ(SYST_CSR & (SYST_CSR_ENABLE | SYST_CSR_TICKINT), 0u);
    TP_CHECK_EQ(app_ticks, 0u);
    const uint32_t *table = (const uint32_t *)(uintptr_t)SCB_VTOR;
    TP_CHECK_EQ(table[15], (uint32_t)(uintptr_t)SysTick_Handler);
}

static void test_application_tick_runs(void) {
    SYST_RVR = SystemCoreClock / APP_TICK_HZ - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
    uint32_t t0 = app_ticks;
    for (uint32_t i = 0; i < 10000000u && app_ticks - t0 < 3u; i++) {
    }
    TP_CHECK(app_ticks - t0 >= 3u);
}

static void test_time_follows_the_application_tick(void) {
    uint32_t period = SystemCoreClock / APP_TICK_HZ;
    uint32_t t0 = app_ticks;
    uint64_t c0 = tp_timer_cycles();
    uint64_t prev = c0;
    int backwards = 0;
    while (app_ticks - t0 < 40u) {
        uint64_t now = tp_timer_cycles();
        if (now < prev) backwards++;
        prev = now;
    }
    uint64_t elapsed = tp_timer_cycles() - c0;
    TP_CHECK_EQ(backwards, 0);
    TP_CHECK(elapsed >= 39ull * period);
    TP_CHECK(elapsed <= 41ull * period);
}

/* An RTOS's tickless idle writes a shorter reload while a longer period is
 * still counting down: the hardware finishes that period, then runs the new
 * one.  Time must neither jump nor step back. */
static void test_reload_lowered_mid_period(void) {
    uint32_t old_period = SystemCoreClock / APP_TICK_HZ;
    uint32_t new_period = SystemCoreClock / (APP_TICK_HZ * 10u);
    uint32_t t0 = app_ticks;
    while (app_ticks == t0) {
    }
    while (SYST_CVR > old_period / 2u) { /* halfway down a long period */
    }
    uint64_t c0 = tp_timer_cycles();
    SYST_RVR = new_period - 1u;
    uint32_t t1 = app_ticks;
    uint64_t prev = c0;
    int backwards = 0;
    while (app_ticks - t1 < 40u) {
        uint64_t now = tp_timer_cycles();
        if (now < prev) backwards++;
        prev = now;
    }
    uint64_t elapsed = tp_timer_cycles() - c0;
    TP_CHECK_EQ(backwards, 0);
    /* the rest of the long period, then 39 or 40 short ones */
    TP_CHECK(elapsed >= 39ull * new_period);
    TP_CHECK(elapsed <= old_period / 2u + 41ull * new_period);
    SYST_RVR = old_period - 1u;
    t1 = app_ticks;
    while (app_ticks - t1 < 2u) {
    }
}

static void test_long_interval_without_reads(void) {
    /* nothing reads the time for 30 periods but the application's handler */
    uint32_t period = SystemCoreClock / APP_TICK_HZ;
    uint32_t t0 = app_ticks;
    uint64_t c0 = tp_timer_cycles();
    while (app_ticks - t0 < 30u) {
    }
    uint64_t elapsed = tp_timer_cycles() - c0;
    TP_CHECK(elapsed >= 29ull * period);
    TP_CHECK(elapsed <= 31ull * period);
    SYST_CSR = 0;
}

static const tp_test_case cases[] = {
    TP_CASE(test_kernel_left_systick_alone),
    TP_CASE(test_application_tick_runs),
    TP_CASE(test_time_follows_the_application_tick),
    TP_CASE(test_reload_lowered_mid_period),
    TP_CASE(test_long_interval_without_reads),
};

int main(void) { return tp_test_main("systick_app", cases, TP_COUNT(cases)); }
