// SPDX-License-Identifier: MIT
/*
 * board.h - what the kernel asks of a board (boards/NAME/board.c provides it).
 *
 * A board folder holds: board.mk (CPU flags, QEMU machine, clock, flash
 * method), memory.ld (its memory regions and stack/heap sizes) and board.c
 * (these functions).  Adding a board means adding a folder.
 */
#ifndef TP_BOARD_H
#define TP_BOARD_H

#include <stdint.h>

/* Human-readable board and chip name, e.g. "netduinoplus2 (STM32F405)". */
extern const char tp_board_name[];

/* Sets the clock tree up so that the core runs at the board's CORE_HZ (the
 * PLL on an STM32).  Called by SystemInit (system.h) from the reset handler,
 * after .data/.bss are ready; must not print or use the console.  This and
 * board_clock_hz are optional: the kernel's weak defaults set nothing up and
 * say CORE_HZ (a board with a fixed clock). */
void board_clock_init(void);

/* The core clock now running, in Hz, read back from the clock tree where the
 * part has one; under an emulator, the emulator's clock (CORE_HZ).  The value
 * SystemCoreClockUpdate() stores in SystemCoreClock. */
uint32_t board_clock_hz(void);

/* Early hardware set-up after the clocks: the UART when it is the console.
 * Runs from the reset handler after SystemInit, before constructors. */
void board_init(void);

/* Blocking write of one byte to the board's UART console. */
void board_uart_putc(char c);

#endif /* TP_BOARD_H */
