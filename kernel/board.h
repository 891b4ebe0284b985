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

/* Early hardware set-up: clocks, and the UART when it is the console.
 * Runs from the reset handler after .data/.bss are ready, before constructors. */
void board_init(void);

/* Core clock in Hz, as configured by board_init (the SysTick/DWT rate). */
uint32_t board_core_hz(void);

/* Blocking write of one byte to the board's UART console. */
void board_uart_putc(char c);

#endif /* TP_BOARD_H */
