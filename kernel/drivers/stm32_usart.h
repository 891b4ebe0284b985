// SPDX-License-Identifier: MIT
/*
 * stm32_usart.h - polled transmit on the STM32 USART (F1, F2, F4 families:
 * the SR/DR/BRR/CR1 register layout they share).  Clock and pin set-up are the
 * family's (stm32f4_gpio.h, stm32f1_gpio.h); this file owns the USART itself.
 */
#ifndef TP_STM32_USART_H
#define TP_STM32_USART_H

#include <stdint.h>

/* 8N1, transmitter and receiver on, at `baud` from a peripheral clock of pclk_hz. */
void stm32_usart_init(uintptr_t base, uint32_t pclk_hz, uint32_t baud);
void stm32_usart_putc(uintptr_t base, char c);
/* The BRR value for oversampling by 16 (exposed for tests). */
uint32_t stm32_usart_brr(uint32_t pclk_hz, uint32_t baud);

#endif
