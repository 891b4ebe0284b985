# SPDX-License-Identifier: MIT
# Netduino 2: STM32F205RF, Cortex-M3, 128 KiB SRAM.
BOARD_CHIP     := STM32F205RF (Cortex-M3)
CPU_FLAGS      := -mcpu=cortex-m3 -mthumb -mfloat-abi=soft
QEMU_MACHINE   := netduino2
CORE_HZ        := 120000000
IRQ_COUNT      := 81
IRQ_NAMES      := stm32f205xx
BOARD_SRCS     := kernel/drivers/stm32_usart.c kernel/drivers/stm32f4_gpio.c kernel/drivers/stm32f4_clock.c
CONSOLE        ?= semihost
SEMIHOSTING    ?= 1
UART_UNDER_QEMU := 1
FLASH_TOOL     := st-flash
OPENOCD_TARGET := target/stm32f2x.cfg
FLASH_ADDR     := 0x08000000
