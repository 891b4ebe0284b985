# SPDX-License-Identifier: MIT
# Netduino Plus 2: STM32F405RG, Cortex-M4F.  Runs under QEMU 7.2 and, with the
# real chip's memory map (128 KiB SRAM, the CCM left unused because QEMU does
# not model it), flashes to an STM32F405 board.
BOARD_CHIP     := STM32F405RG (Cortex-M4F)
CPU_FLAGS      := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
QEMU_MACHINE   := netduinoplus2
# The core clock: SystemInit sets the PLL up for it on the chip; QEMU runs at it.
CORE_HZ        := 168000000
IRQ_COUNT      := 82
IRQ_NAMES      := stm32f405xx
BOARD_SRCS     := kernel/drivers/stm32_usart.c kernel/drivers/stm32f4_gpio.c kernel/drivers/stm32f4_clock.c
CONSOLE        ?= semihost
SEMIHOSTING    ?= 1
# The USART console is also exercised under QEMU (its USART model prints).
UART_UNDER_QEMU := 1
FLASH_TOOL     := st-flash
OPENOCD_TARGET := target/stm32f4x.cfg
FLASH_ADDR     := 0x08000000
