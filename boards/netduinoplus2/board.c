// SPDX-License-Identifier: MIT
/*
 * netduinoplus2 - STM32F405: 168 MHz from the PLL fed by HSI (no crystal
 * assumed), APB1 at 42 MHz, APB2 at 84 MHz; USART1 on PA9 (TX) / PA10 (RX),
 * AF7, 115200 8N1.  Under QEMU the RCC is not modelled and the core runs at
 * the emulator's 168 MHz.
 */
#include "board.h"
#include "drivers/stm32_clock.h"
#include "drivers/stm32_usart.h"
#include "drivers/stm32f4_gpio.h"

const char tp_board_name[] = "netduinoplus2 (STM32F405, Cortex-M4F)";

void board_clock_init(void) { (void)stm32f4_clock_init(&stm32f4_clock_f405_168mhz); }

/* The crystal's frequency, for reading back a clock a program sets up from
 * it (SystemCoreClockUpdate); not assumed here, so an HSE-fed clock reads
 * back as CORE_HZ. */
#define BOARD_HSE_HZ 0u

uint32_t board_clock_hz(void) {
    uint32_t hz = stm32f4_sysclk_hz(BOARD_HSE_HZ);
    return hz ? hz : TP_CORE_HZ; /* 0: no RCC (an emulator) or no known crystal */
}

void board_init(void) {
#if TP_CONSOLE_UART
    stm32f4_enable_apb2(STM32F4_APB2_USART1);
    stm32f4_gpio_af(STM32F4_PORT_A, 9, 7);
    stm32f4_gpio_af(STM32F4_PORT_A, 10, 7);
    stm32_usart_init(STM32F4_USART1_BASE, stm32f4_pclk2_hz(BOARD_HSE_HZ), 115200);
#endif
}

void board_uart_putc(char c) { stm32_usart_putc(STM32F4_USART1_BASE, c); }
