// SPDX-License-Identifier: MIT
/*
 * nrf51_uart.h - the nRF51 UART (BBC micro:bit), transmit only.
 */
#ifndef TP_NRF51_UART_H
#define TP_NRF51_UART_H

void nrf51_uart_init(unsigned tx_pin, unsigned rx_pin);
void nrf51_uart_putc(char c);

#endif
