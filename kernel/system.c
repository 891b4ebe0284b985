// SPDX-License-Identifier: MIT
/*
 * system.c - the CMSIS system interface (see system.h).
 */
#include "system.h"

#include "board.h"

__attribute__((weak)) uint32_t SystemCoreClock = TP_CORE_HZ;

__attribute__((weak)) void SystemCoreClockUpdate(void) { SystemCoreClock = board_clock_hz(); }

__attribute__((weak)) void SystemInit(void) {
    board_clock_init();
    SystemCoreClockUpdate();
}
