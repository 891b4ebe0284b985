# SPDX-License-Identifier: MIT
# "Blue pill": STM32F103C8, Cortex-M3, 64 KiB flash, 20 KiB SRAM.  Build-only
# (no QEMU machine); flash with an ST-LINK.  Console: USART1 on PA9/PA10.
BOARD_CHIP     := STM32F103C8 (Cortex-M3)
CPU_FLAGS      := -mcpu=cortex-m3 -mthumb -mfloat-abi=soft
QEMU_MACHINE   :=
CORE_HZ        := 72000000
IRQ_COUNT      := 60
IRQ_NAMES      := stm32f103xb
BOARD_SRCS     := kernel/drivers/stm32_usart.c kernel/drivers/stm32f1_gpio.c kernel/drivers/stm32f1_clock.c
CONSOLE        ?= uart
SEMIHOSTING    ?= 0
FLASH_TOOL     := st-flash
OPENOCD_TARGET := target/stm32f1x.cfg
FLASH_ADDR     := 0x08000000
ALLOC_FLAGS    := -DTP_ALLOC_MAX_LOG2=15
