// SPDX-License-Identifier: MIT
/*
 * system.h - the CMSIS system interface: SystemInit, SystemCoreClock and
 * SystemCoreClockUpdate, by the names CMSIS code and vendor HALs expect.
 *
 * The reset handler calls SystemInit() after .data and .bss are set up (ST's
 * startup files call it before; tidepool's needs SystemCoreClock to keep the
 * value SystemInit gives it).  The kernel's SystemInit sets the board's clock
 * tree up (board_clock_init: the PLL on an STM32, so the core runs at the
 * board's CORE_HZ on silicon as under QEMU) and stores the clock it reads
 * back in SystemCoreClock.
 *
 * All three are weak: a project that brings its own system_<device>.c (a
 * CubeMX project) replaces them, and its clock set-up (SystemClock_Config)
 * must then keep SystemCoreClock true, as the vendor's HAL does.  The
 * kernel's time base reads SystemCoreClock (tp_timer_hz).
 */
#ifndef TP_SYSTEM_H
#define TP_SYSTEM_H

#include <stdint.h>

extern uint32_t SystemCoreClock; /* the core clock in Hz */

void SystemInit(void);
void SystemCoreClockUpdate(void);

#endif /* TP_SYSTEM_H */
