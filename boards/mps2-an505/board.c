// SPDX-License-Identifier: MIT
/*
 * mps2-an505 - Cortex-M33 on the MPS2+ FPGA board: CMSDK UART0 at its Secure
 * alias 0x50200000, 20 MHz system clock (QEMU's model of the AN505).
 */
#include "board.h"
#include "drivers/cmsdk_uart.h"

#define UART0_BASE 0x50200000u

const char tp_board_name[] = "mps2-an505 (Arm MPS2+, Cortex-M33)";

void board_init(void) {
#if TP_CONSOLE_UART
    cmsdk_uart_init(UART0_BASE, TP_CORE_HZ, 115200);
#endif
}

void board_uart_putc(char c) { cmsdk_uart_putc(UART0_BASE, c); }
