// SPDX-License-Identifier: MIT
/*
 * stm32f4_gpio.c - see stm32f4_gpio.h.
 */
#include "stm32f4_gpio.h"

#define RCC_BASE 0x40023800u
#define RCC_AHB1ENR (*(volatile uint32_t *)(RCC_BASE + 0x30u))
#define RCC_APB1ENR (*(volatile uint32_t *)(RCC_BASE + 0x40u))
#define RCC_APB2ENR (*(volatile uint32_t *)(RCC_BASE + 0x44u))

#define GPIO_BASE(port) (0x40020000u + 0x400u * (port))
#define GPIO_REG(port, off) (*(volatile uint32_t *)(GPIO_BASE(port) + (off)))
#define GPIO_MODER 0x00u
#define GPIO_OTYPER 0x04u
#define GPIO_OSPEEDR 0x08u
#define GPIO_PUPDR 0x0Cu
#define GPIO_AFRL 0x20u

static void field(volatile uint32_t *reg, unsigned shift, uint32_t width_mask, uint32_t value) {
    *reg = (*reg & ~(width_mask << shift)) | (value << shift);
}

void stm32f4_enable_apb1(uint32_t bits) {
    RCC_APB1ENR |= bits;
    (void)RCC_APB1ENR; /* read back: the clock is on before the first access */
}

void stm32f4_enable_apb2(uint32_t bits) {
    RCC_APB2ENR |= bits;
    (void)RCC_APB2ENR;
}

void stm32f4_gpio_af(unsigned port, unsigned pin, unsigned af) {
    RCC_AHB1ENR |= 1u << port;
    (void)RCC_AHB1ENR;
    field(&GPIO_REG(port, GPIO_MODER), pin * 2u, 3u, 2u);   /* alternate function */
    field(&GPIO_REG(port, GPIO_OTYPER), pin, 1u, 0u);       /* push-pull */
    field(&GPIO_REG(port, GPIO_OSPEEDR), pin * 2u, 3u, 2u); /* high speed */
    field(&GPIO_REG(port, GPIO_PUPDR), pin * 2u, 3u, 1u);   /* pull-up */
    field(&GPIO_REG(port, GPIO_AFRL + 4u * (pin / 8u)), (pin % 8u) * 4u, 0xFu, af);
}
