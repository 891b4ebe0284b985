# SPDX-License-Identifier: MIT
# NUCLEO-F401RE: STM32F401RE, Cortex-M4F, 512 KiB flash, 96 KiB SRAM.
# Build-only; the on-board ST-LINK flashes it and bridges USART2 to USB.
BOARD_CHIP     := STM32F401RE (Cortex-M4F)
CPU_FLAGS      := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
QEMU_MACHINE   :=
CORE_HZ        := 84000000
IRQ_COUNT      := 85
IRQ_NAMES      := stm32f401xe
BOARD_SRCS     := kernel/drivers/stm32_usart.c kernel/drivers/stm32f4_gpio.c kernel/drivers/stm32f4_clock.c
CONSOLE        ?= uart
SEMIHOSTING    ?= 0
FLASH_TOOL     := st-flash
OPENOCD_TARGET := target/stm32f4x.cfg
FLASH_ADDR     := 0x08000000
