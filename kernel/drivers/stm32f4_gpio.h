// SPDX-License-Identifier: MIT
/*
 * stm32f4_gpio.h - RCC clock gates and GPIO alternate functions for the
 * STM32F2 and STM32F4 families (same RCC/GPIO register map).
 */
#ifndef TP_STM32F4_GPIO_H
#define TP_STM32F4_GPIO_H

#include <stdint.h>

enum { STM32F4_PORT_A = 0, STM32F4_PORT_B, STM32F4_PORT_C, STM32F4_PORT_D };

#define STM32F4_USART1_BASE 0x40011000u
#define STM32F4_USART2_BASE 0x40004400u
#define STM32F4_HSI_HZ 16000000u

/* Clock gate bits. */
#define STM32F4_APB2_USART1 (1u << 4)
#define STM32F4_APB1_USART2 (1u << 17)

void stm32f4_enable_apb1(uint32_t bits);
void stm32f4_enable_apb2(uint32_t bits);
/* Enables the port's clock and puts `pin` in alternate function `af`,
 * push-pull, high speed, pull-up (idle-high UART lines). */
void stm32f4_gpio_af(unsigned port, unsigned pin, unsigned af);

#endif
