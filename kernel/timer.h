// SPDX-License-Identifier: MIT
/*
 * timer.h - a 64-bit cycle counter.
 *
 * Source: the DWT cycle counter where the core has one and it counts (real
 * Cortex-M3/M4/M7/M33 parts), otherwise SysTick free-running at the core
 * clock with a wrap interrupt extending it to 64 bits (QEMU, Cortex-M0).
 * Under QEMU with -icount shift=0 SysTick ticks are deterministic:
 * ticks = instructions x core_hz / 1e9.
 *
 * tp_timer_cycles() may be called from thread or interrupt context.  The
 * SysTick extension needs a read at least once per 2^24 cycles, which its own
 * wrap interrupt provides - unless interrupts stay masked longer than that
 * (0.1 s at 168 MHz), when a period can be lost.
 */
#ifndef TP_TIMER_H
#define TP_TIMER_H

#include <stdint.h>

void tp_timer_init(void);
uint64_t tp_timer_cycles(void);
uint32_t tp_timer_hz(void);
const char *tp_timer_source(void); /* "DWT CYCCNT" or "SysTick" */
uint32_t tp_timer_wraps(void);     /* SysTick reloads seen so far */

/* Called from the SysTick interrupt after the kernel's own work; weak and
 * empty by default (tests use it to run code at interrupt time). */
void tp_systick_hook(void);

#endif /* TP_TIMER_H */
