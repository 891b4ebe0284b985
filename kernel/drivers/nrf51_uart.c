// SPDX-License-Identifier: MIT
/*
 * nrf51_uart.c - see nrf51_uart.h.
 */
#include "nrf51_uart.h"

#include <stdint.h>

#define UART_BASE 0x40002000u
#define UART_REG(off) (*(volatile uint32_t *)(UART_BASE + (off)))
#define TASKS_STARTTX UART_REG(0x008u)
#define EVENTS_TXDRDY UART_REG(0x11Cu)
#define ENABLE UART_REG(0x500u)
#define PSELTXD UART_REG(0x50Cu)
#define PSELRXD UART_REG(0x514u)
#define TXD UART_REG(0x51Cu)
#define BAUDRATE UART_REG(0x524u)
#define BAUD_115200 0x01D7E000u

static int started;

void nrf51_uart_init(unsigned tx_pin, unsigned rx_pin) {
    PSELTXD = tx_pin;
    PSELRXD = rx_pin;
    BAUDRATE = BAUD_115200;
    ENABLE = 4u;
    TASKS_STARTTX = 1u;
    started = 0;
}

void nrf51_uart_putc(char c) {
    /* TXDRDY is raised after each byte leaves; wait for it except before the
     * very first byte. */
    if (started) {
        while (EVENTS_TXDRDY == 0) {
        }
    }
    EVENTS_TXDRDY = 0;
    TXD = (uint8_t)c;
    started = 1;
}
