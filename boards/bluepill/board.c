// SPDX-License-Identifier: MIT
/*
 * bluepill - STM32F103C8: 72 MHz from the PLL fed by the board's 8 MHz
 * crystal (64 MHz from HSI/2 if the crystal does not start), APB1 at 36 MHz,
 * APB2 at 72 MHz; USART1 on PA9 (TX) / PA10 (RX), 115200 8N1.  The F103 has
 * no MPU: the stack guard falls back to the canary when MPU_TYPE reports no
 * regions.
 */
#include "board.h"
#include "drivers/stm32_clock.h"
#include "drivers/stm32_usart.h"
#include "drivers/stm32f1_gpio.h"

const char tp_board_name[] = "bluepill (STM32F103C8, Cortex-M3)";

void board_clock_init(void) { (void)stm32f1_clock_init(&stm32f1_clock_f103_72mhz_hse8); }

/* The crystal's frequency, for reading back a clock a program sets up from
 * it (SystemCoreClockUpdate): the board's 8 MHz crystal. */
#define BOARD_HSE_HZ 8000000u

uint32_t board_clock_hz(void) {
    uint32_t hz = stm32f1_sysclk_hz(BOARD_HSE_HZ);
    return hz ? hz : TP_CORE_HZ; /* 0: no RCC (an emulator) or no known crystal */
}

void board_init(void) {
#if TP_CONSOLE_UART
    stm32f1_enable_apb2(STM32F1_APB2_USART1 | STM32F1_APB2_AFIO);
    stm32f1_gpio_af_output(STM32F1_PORT_A, 9);
    stm32f1_gpio_input(STM32F1_PORT_A, 10);
    stm32_usart_init(STM32F1_USART1_BASE, stm32f1_pclk2_hz(BOARD_HSE_HZ), 115200);
#endif
}

void board_uart_putc(char c) { stm32_usart_putc(STM32F1_USART1_BASE, c); }
