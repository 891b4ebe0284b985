// SPDX-License-Identifier: MIT
/*
 * stm32f1_gpio.h - RCC clock gates and GPIO alternate-function output for the
 * STM32F1 family (F100, F103): CRL/CRH pin configuration, not MODER/AFR.
 */
#ifndef TP_STM32F1_GPIO_H
#define TP_STM32F1_GPIO_H

#include <stdint.h>

enum { STM32F1_PORT_A = 0, STM32F1_PORT_B, STM32F1_PORT_C };

#define STM32F1_USART1_BASE 0x40013800u
#define STM32F1_HSI_HZ 8000000u
#define STM32F1_APB2_AFIO (1u << 0)
#define STM32F1_APB2_USART1 (1u << 14)

void stm32f1_enable_apb2(uint32_t bits);
/* Enables the port clock; pin becomes an alternate-function push-pull output
 * at 50 MHz (a UART TX line). */
void stm32f1_gpio_af_output(unsigned port, unsigned pin);
/* Floating input (a UART RX line). */
void stm32f1_gpio_input(unsigned port, unsigned pin);

#endif
