// SPDX-License-Identifier: MIT
/*
 * cmsdk_uart.c - see cmsdk_uart.h.
 */
#include "cmsdk_uart.h"

#define UART_DATA(b) (*(volatile uint32_t *)((b) + 0x00u))
#define UART_STATE(b) (*(volatile uint32_t *)((b) + 0x04u))
#define UART_CTRL(b) (*(volatile uint32_t *)((b) + 0x08u))
#define UART_BAUDDIV(b) (*(volatile uint32_t *)((b) + 0x10u))
#define STATE_TXFULL (1u << 0)
#define CTRL_TXEN (1u << 0)

void cmsdk_uart_init(uintptr_t base, uint32_t pclk_hz, uint32_t baud) {
    UART_BAUDDIV(base) = pclk_hz / baud; /* must be >= 16 */
    UART_CTRL(base) = CTRL_TXEN;
}

void cmsdk_uart_putc(uintptr_t base, char c) {
    while (UART_STATE(base) & STATE_TXFULL) {
    }
    UART_DATA(base) = (uint8_t)c;
}
