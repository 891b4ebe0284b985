// SPDX-License-Identifier: MIT
/*
 * test_systick_hal.c - a program that links ST's HAL (here: defines
 * HAL_IncTick, as stm32xxxx_hal.c does) and chooses nothing gets SysTick at
 * 1 kHz, each tick counted by HAL_IncTick, so HAL_Delay works.
 */
#include <stdint.h>

#include "cortexm.h"
#include "system.h"
#include "tests/harness.h"
#include "timer.h"

static volatile uint32_t uw_tick; /* the HAL's tick count */
void HAL_IncTick(void);
void HAL_IncTick(void) { uw_tick++; }

/* HAL_Delay as the HAL writes it: wait on the tick count. */
static int hal_delay(uint32_t ms) {
    uint32_t start = uw_tick;
    for (uint32_t spins = 0; uw_tick - start < ms; spins++)
        if (spins > 100000000u) return 0; /* the tick never came */
    return 1;
}

static void test_tick_chosen_for_the_hal(void) {
    TP_CHECK_EQ(tp_systick_use(), TP_SYSTICK_TICK_1KHZ);
    TP_CHECK_EQ(SYST_RVR, SystemCoreClock / 1000u - 1u);
}

static void test_hal_delay_returns(void) {
    uint64_t c0 = tp_timer_cycles();
    TP_CHECK(hal_delay(5));
    uint64_t elapsed = tp_timer_cycles() - c0;
    uint32_t period = SystemCoreClock / 1000u;
    TP_CHECK(elapsed >= 4ull * period && elapsed <= 6ull * period);
}

static const tp_test_case cases[] = {
    TP_CASE(test_tick_chosen_for_the_hal),
    TP_CASE(test_hal_delay_returns),
};

int main(void) { return tp_test_main("systick_hal", cases, TP_COUNT(cases)); }
