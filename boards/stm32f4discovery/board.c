// SPDX-License-Identifier: MIT
/*
 * stm32f4discovery - STM32F407: 168 MHz from the PLL fed by HSI (the board's
 * 8 MHz crystal is not needed), APB1 at 42 MHz, APB2 at 84 MHz; USART2 on
 * PA2 (TX) / PA3 (RX), AF7, 115200 8N1 (a USB-serial adapter on the header
 * pins).
 */
#include "board.h"
#include "drivers/stm32_clock.h"
#include "drivers/stm32_usart.h"
#include "drivers/stm32f4_gpio.h"

const char tp_board_name[] = "stm32f4discovery (STM32F407, Cortex-M4F, +64 KiB CCM)";

void board_clock_init(void) { (void)stm32f4_clock_init(&stm32f4_clock_f405_168mhz); }

/* The crystal's frequency, for reading back a clock a program sets up from
 * it (SystemCoreClockUpdate): the board's 8 MHz crystal. */
#define BOARD_HSE_HZ 8000000u

uint32_t board_clock_hz(void) {
    uint32_t hz = stm32f4_sysclk_hz(BOARD_HSE_HZ);
    return hz ? hz : TP_CORE_HZ; /* 0: no RCC (an emulator) or no known crystal */
}

void board_init(void) {
#if TP_CONSOLE_UART
    stm32f4_enable_apb1(STM32F4_APB1_USART2);
    stm32f4_gpio_af(STM32F4_PORT_A, 2, 7);
    stm32f4_gpio_af(STM32F4_PORT_A, 3, 7);
    stm32_usart_init(STM32F4_USART2_BASE, stm32f4_pclk1_hz(BOARD_HSE_HZ), 115200);
#endif
}

void board_uart_putc(char c) { stm32_usart_putc(STM32F4_USART2_BASE, c); }
