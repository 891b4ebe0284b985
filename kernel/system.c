// SPDX-License-Identifier: MIT
/*
 * system.c - the CMSIS system interface (see system.h).
 */
#include "system.h"

#include "board.h"

__attribute__((weak)) uint32_t SystemCoreClock = TP_CORE_HZ;

/* A board with a fixed clock, or one that leaves the clock as it boots,
 * needs neither: its clock is CORE_HZ. */
__attribute__((weak)) void board_clock_init(void) {}

__attribute__((weak)) uint32_t board_clock_hz(void) { return TP_CORE_HZ; }

__attribute__((weak)) void SystemCoreClockUpdate(void) { SystemCoreClock = board_clock_hz(); }

__attribute__((weak)) void SystemInit(void) {
    board_clock_init();
    SystemCoreClockUpdate();
}
