// SPDX-License-Identifier: MIT
/*
 * stm32_usart.c - see stm32_usart.h.
 */
#include "stm32_usart.h"

#define USART_SR(b) (*(volatile uint32_t *)((b) + 0x00u))
#define USART_DR(b) (*(volatile uint32_t *)((b) + 0x04u))
#define USART_BRR(b) (*(volatile uint32_t *)((b) + 0x08u))
#define USART_CR1(b) (*(volatile uint32_t *)((b) + 0x0Cu))
#define USART_CR2(b) (*(volatile uint32_t *)((b) + 0x10u))
#define USART_CR3(b) (*(volatile uint32_t *)((b) + 0x14u))

#define SR_TXE (1u << 7)
#define SR_TC (1u << 6)
#define CR1_UE (1u << 13) /* bit 13 on F1/F2/F4 */
#define CR1_TE (1u << 3)
#define CR1_RE (1u << 2)

uint32_t stm32_usart_brr(uint32_t pclk_hz, uint32_t baud) {
    /* USARTDIV in 12.4 fixed point is pclk/baud, rounded to nearest */
    return (pclk_hz + baud / 2u) / baud;
}

void stm32_usart_init(uintptr_t base, uint32_t pclk_hz, uint32_t baud) {
    USART_CR1(base) = 0;
    USART_CR2(base) = 0; /* 1 stop bit */
    USART_CR3(base) = 0; /* no flow control */
    USART_BRR(base) = stm32_usart_brr(pclk_hz, baud);
    USART_CR1(base) = CR1_UE | CR1_TE | CR1_RE; /* 8 data bits, no parity */
}

void stm32_usart_putc(uintptr_t base, char c) {
    while ((USART_SR(base) & SR_TXE) == 0) {
    }
    USART_DR(base) = (uint8_t)c;
}
