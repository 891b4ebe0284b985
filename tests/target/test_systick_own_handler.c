// SPDX-License-Identifier: MIT
/*
 * test_systick_own_handler.c - a program with a SysTick_Handler of its own
 * (as an RTOS port has) and no TP_SYSTICK_USE: the kernel leaves SysTick
 * off, so no tick reaches the handler before the program starts SysTick.
 */
#include <stdint.h>

#include "cortexm.h"
#include "system.h"
#include "tests/harness.h"
#include "timer.h"
#include "vectors.h"

static volatile uint32_t ticks;
void SysTick_Handler(void) {
    ticks++;
    tp_timer_systick_isr();
}

static void test_left_to_the_program(void) {
    TP_CHECK_EQ(tp_systick_use(), TP_SYSTICK_APPLICATION);
    TP_CHECK_EQ(SYST_CSR & (SYST_CSR_ENABLE | SYST_CSR_TICKINT), 0u);
    for (volatile int i = 0; i < 100000; i++) {
    }
    TP_CHECK_EQ(ticks, 0u);
}

static void test_the_program_starts_it(void) {
    SYST_RVR = SystemCoreClock / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
    for (uint32_t i = 0; i < 10000000u && ticks < 3u; i++) {
    }
    TP_CHECK(ticks >= 3u);
    SYST_CSR = 0;
}

static const tp_test_case cases[] = {
    TP_CASE(test_left_to_the_program),
    TP_CASE(test_the_program_starts_it),
};

int main(void) { return tp_test_main("systick_own_handler", cases, TP_COUNT(cases)); }
