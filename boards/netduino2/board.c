// SPDX-License-Identifier: MIT
/*
 * netduino2 - STM32F205 (same RCC/GPIO/USART map as the F4): USART1 on PA9 (TX) / PA10 (RX), AF7, 115200 8N1.
 * No PLL set-up: the core runs from HSI (16 MHz) on a real chip; QEMU's SysTick
 * runs at 120 MHz whatever RCC says.
 */
#include "board.h"
#include "drivers/stm32_usart.h"
#include "drivers/stm32f4_gpio.h"

const char tp_board_name[] = "netduino2 (STM32F205, Cortex-M3)";

void board_init(void) {
#if TP_CONSOLE_UART
    stm32f4_enable_apb2(STM32F4_APB2_USART1);
    stm32f4_gpio_af(STM32F4_PORT_A, 9, 7);
    stm32f4_gpio_af(STM32F4_PORT_A, 10, 7);
    stm32_usart_init(STM32F4_USART1_BASE, STM32F4_HSI_HZ, 115200);
#endif
}

uint32_t board_core_hz(void) { return TP_CORE_HZ; }

void board_uart_putc(char c) { stm32_usart_putc(STM32F4_USART1_BASE, c); }
