// SPDX-License-Identifier: MIT
/*
 * mps2-an500 - Cortex-M7 on the MPS2 FPGA board: CMSDK UART0 at 0x40004000,
 * 25 MHz system clock.
 */
#include "board.h"
#include "drivers/cmsdk_uart.h"

#define UART0_BASE 0x40004000u

const char tp_board_name[] = "mps2-an500 (Arm MPS2, Cortex-M7)";

void board_init(void) {
#if TP_CONSOLE_UART
    cmsdk_uart_init(UART0_BASE, TP_CORE_HZ, 115200);
#endif
}

void board_uart_putc(char c) { cmsdk_uart_putc(UART0_BASE, c); }
