// SPDX-License-Identifier: MIT
/*
 * timer.h - a 64-bit cycle counter, and who owns SysTick.
 *
 * Source: the DWT cycle counter where the core has one and it counts (real
 * Cortex-M3/M4/M7/M33 parts), otherwise SysTick at the core clock, extended
 * to 64 bits by counting its reloads (QEMU, Cortex-M0).  Under QEMU with
 * -icount shift=0 SysTick ticks are deterministic:
 * ticks = instructions x core_hz / 1e9.  Cycles are cycles of the core clock
 * as it runs; tp_timer_hz() is SystemCoreClock (system.h), which a program
 * that changes the clock keeps true (SystemCoreClockUpdate(), as CMSIS code
 * and ST's HAL do).  tp_timer_ms() converts at the rate in force and keeps
 * the milliseconds counted before a change.
 *
 * tp_timer_cycles() may be called from thread or interrupt context.  Each
 * extension needs a look at least once per period (2^24 SysTick cycles, or
 * SysTick's own period if shorter; 2^32 for DWT), which the SysTick interrupt
 * gives (tp_timer_systick_isr) - unless interrupts stay masked longer than
 * that, when a period can be lost.  A program that re-programs SysTick
 * (SYST_RVR, SYST_CVR) may put the time off by up to one period each time;
 * time never goes back.
 *
 * SysTick's use is the program's choice, made at link time by writing
 * TP_SYSTICK_USE(...) at file scope in a file of the program's own objects
 * (not one that reaches the link only inside a library, which the linker
 * would not open for it; in C++, inside extern "C"):
 *
 *   TP_SYSTICK_FREE_RUNNING (the default)  the kernel's, over its full 24-bit
 *       period: the fewest interrupts (one per 0.1 s at 168 MHz).  The default
 *       is TP_SYSTICK_APPLICATION instead when the program defines its own
 *       SysTick_Handler (an RTOS port's, or CubeMX's stm32xxxx_it.c, which
 *       calls HAL_IncTick itself), so that no tick reaches it before the
 *       program has set SysTick up; failing that, TP_SYSTICK_TICK_1KHZ when it
 *       links ST's HAL (HAL_IncTick), whose HAL_Delay needs the tick.  A HAL
 *       whose time base is a TIM (HAL_InitTick replaced) must say
 *       TP_SYSTICK_USE(TP_SYSTICK_FREE_RUNNING), or HAL_IncTick would run
 *       from both.  The default sees the handler the linker put in the vector
 *       table; a program that installs one at run time (a vector table in RAM)
 *       says TP_SYSTICK_USE(TP_SYSTICK_APPLICATION).
 *   TP_SYSTICK_TICK_1KHZ  the kernel's, at 1 kHz: the tick vendor HALs
 *       expect.  Each tick calls HAL_IncTick() when the program links ST's
 *       HAL (so HAL_GetTick and HAL_Delay work); do not define another
 *       SysTick_Handler.  HAL_InitTick's own 1 kHz set-up is compatible.
 *   TP_SYSTICK_APPLICATION  the kernel turns SysTick off (a boot loader may
 *       have left it running) and leaves it: the application or its RTOS owns
 *       SysTick and defines SysTick_Handler (FreeRTOS: xPortSysTickHandler).
 *       Time comes from DWT CYCCNT on parts that have it; elsewhere
 *       (Cortex-M0, QEMU) from SysTick as the application runs it, which
 *       counts only while SysTick is enabled.  Either stays exact over long
 *       intervals only if the application's handler calls
 *       tp_timer_systick_isr() each tick (FreeRTOS: from vApplicationTickHook).
 *
 * The stack canary is checked from tp_timer_systick_isr(): with
 * TP_SYSTICK_APPLICATION only if the application calls it (the MPU guard,
 * where there is one, works regardless).
 */
#ifndef TP_TIMER_H
#define TP_TIMER_H

#include <stdint.h>

typedef enum {
    TP_SYSTICK_FREE_RUNNING = 0,
    TP_SYSTICK_TICK_1KHZ = 1,
    TP_SYSTICK_APPLICATION = 2,
} tp_systick_use_t;

/* The choice, as a function: the kernel's is weak (see the default above)
 * and a program's TP_SYSTICK_USE(...) replaces it.  (A weak constant would
 * not do: the compiler may fold the kernel's own value into its code.) */
tp_systick_use_t tp_systick_use(void);
#define TP_SYSTICK_USE(use)                                                                        \
    tp_systick_use_t tp_systick_use(void) { return (use); }

void tp_timer_init(void);
uint64_t tp_timer_cycles(void);
uint32_t tp_timer_hz(void);          /* SystemCoreClock */
uint32_t tp_timer_ms(void);          /* milliseconds since reset, from tp_timer_cycles */
const char *tp_timer_source(void);   /* "DWT CYCCNT" or "SysTick" */
uint32_t tp_timer_wraps(void);       /* SysTick reloads seen so far */

/* The kernel's share of a SysTick interrupt: time, the stack check, the tick
 * hooks.  The kernel's SysTick_Handler calls it; an application that owns
 * SysTick calls it from its own handler. */
void tp_timer_systick_isr(void);

/* Called from tp_timer_systick_isr after the kernel's own work; weak and
 * empty by default (tests use it to run code at interrupt time). */
void tp_systick_hook(void);

#endif /* TP_TIMER_H */
