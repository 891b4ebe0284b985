// SPDX-License-Identifier: MIT
/*
 * stm32vldiscovery - STM32F100: USART1 on PA9 (TX) / PA10 (RX), 115200 8N1,
 * from HSI (8 MHz).  The silicon has no MPU (QEMU models one anyway): the
 * stack guard falls back to the canary when MPU_TYPE reports no regions.
 */
#include "board.h"
#include "drivers/stm32_usart.h"
#include "drivers/stm32f1_gpio.h"

const char tp_board_name[] = "stm32vldiscovery (STM32F100, Cortex-M3, 8 KiB RAM)";

void board_init(void) {
#if TP_CONSOLE_UART
    stm32f1_enable_apb2(STM32F1_APB2_USART1 | STM32F1_APB2_AFIO);
    stm32f1_gpio_af_output(STM32F1_PORT_A, 9);
    stm32f1_gpio_input(STM32F1_PORT_A, 10);
    stm32_usart_init(STM32F1_USART1_BASE, STM32F1_HSI_HZ, 115200);
#endif
}

uint32_t board_core_hz(void) { return TP_CORE_HZ; }

void board_uart_putc(char c) { stm32_usart_putc(STM32F1_USART1_BASE, c); }
