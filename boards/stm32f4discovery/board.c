// SPDX-License-Identifier: MIT
/*
 * stm32f4discovery - STM32F407: USART2 on PA2 (TX) / PA3 (RX), AF7, 115200 8N1
 * (a USB-serial adapter on the header pins).  Core on HSI, 16 MHz.
 */
#include "board.h"
#include "drivers/stm32_usart.h"
#include "drivers/stm32f4_gpio.h"

const char tp_board_name[] = "stm32f4discovery (STM32F407, Cortex-M4F, +64 KiB CCM)";

void board_init(void) {
#if TP_CONSOLE_UART
    stm32f4_enable_apb1(STM32F4_APB1_USART2);
    stm32f4_gpio_af(STM32F4_PORT_A, 2, 7);
    stm32f4_gpio_af(STM32F4_PORT_A, 3, 7);
    stm32_usart_init(STM32F4_USART2_BASE, STM32F4_HSI_HZ, 115200);
#endif
}

uint32_t board_core_hz(void) { return TP_CORE_HZ; }

void board_uart_putc(char c) { stm32_usart_putc(STM32F4_USART2_BASE, c); }
