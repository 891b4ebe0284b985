// SPDX-License-Identifier: MIT
/*
 * microbit - nRF51822: UART TX on P0.24, RX on P0.25 (the USB interface chip's
 * serial port), 115200 8N1, 16 MHz core.
 */
#include "board.h"
#include "drivers/nrf51_uart.h"

const char tp_board_name[] = "microbit (nRF51822, Cortex-M0)";

void board_init(void) {
#if TP_CONSOLE_UART
    nrf51_uart_init(24, 25);
#endif
}

void board_uart_putc(char c) { nrf51_uart_putc(c); }
