// SPDX-License-Identifier: MIT
/*
 * stm32f1_gpio.c - see stm32f1_gpio.h.
 */
#include "stm32f1_gpio.h"

#define RCC_APB2ENR (*(volatile uint32_t *)(0x40021000u + 0x18u))
#define GPIO_BASE(port) (0x40010800u + 0x400u * (port))
#define GPIO_CR(port, pin) (*(volatile uint32_t *)(GPIO_BASE(port) + ((pin) >= 8u ? 0x04u : 0x00u)))

void stm32f1_enable_apb2(uint32_t bits) {
    RCC_APB2ENR |= bits;
    (void)RCC_APB2ENR;
}

static void pin_config(unsigned port, unsigned pin, uint32_t nibble) {
    stm32f1_enable_apb2(1u << (2u + port)); /* IOPxEN */
    unsigned shift = (pin % 8u) * 4u;
    volatile uint32_t *cr = &GPIO_CR(port, pin);
    *cr = (*cr & ~(0xFu << shift)) | (nibble << shift);
}

/* CNF=10 (AF push-pull), MODE=11 (50 MHz) */
void stm32f1_gpio_af_output(unsigned port, unsigned pin) { pin_config(port, pin, 0xBu); }

/* CNF=01 (floating input), MODE=00 */
void stm32f1_gpio_input(unsigned port, unsigned pin) { pin_config(port, pin, 0x4u); }
