# SPDX-License-Identifier: MIT
# STM32F4DISCOVERY: STM32F407VG, Cortex-M4F, 1 MiB flash, 128 KiB SRAM plus
# 64 KiB CCM (a second heap region).  Build-only; USART2 on PA2/PA3.
BOARD_CHIP     := STM32F407VG (Cortex-M4F)
CPU_FLAGS      := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
QEMU_MACHINE   :=
CORE_HZ        := 168000000
IRQ_COUNT      := 82
IRQ_NAMES      := stm32f407xx
BOARD_SRCS     := kernel/drivers/stm32_usart.c kernel/drivers/stm32f4_gpio.c kernel/drivers/stm32f4_clock.c
CONSOLE        ?= uart
SEMIHOSTING    ?= 0
FLASH_TOOL     := openocd
OPENOCD_TARGET := target/stm32f4x.cfg
FLASH_ADDR     := 0x08000000
