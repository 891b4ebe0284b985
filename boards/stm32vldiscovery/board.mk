# SPDX-License-Identifier: MIT
# STM32VLDISCOVERY: STM32F100RB, Cortex-M3, 128 KiB flash, 8 KiB SRAM - the
# smallest target: proves the runtime scales down.
BOARD_CHIP     := STM32F100RB (Cortex-M3)
CPU_FLAGS      := -mcpu=cortex-m3 -mthumb -mfloat-abi=soft
QEMU_MACHINE   := stm32vldiscovery
CORE_HZ        := 24000000
IRQ_COUNT      := 61
IRQ_NAMES      := stm32f100xb
BOARD_SRCS     := kernel/drivers/stm32_usart.c kernel/drivers/stm32f1_gpio.c kernel/drivers/stm32f1_clock.c
CONSOLE        ?= semihost
SEMIHOSTING    ?= 1
FLASH_TOOL     := st-flash
OPENOCD_TARGET := target/stm32f1x.cfg
FLASH_ADDR     := 0x08000000
ALLOC_FLAGS    := -DTP_ALLOC_POOL_SHIFT=8 -DTP_ALLOC_MAX_LOG2=13 -DTP_TRACK_SLOTS=32
# a 1.5 KiB thread stack: deepcopy/repr/eq may nest 8 levels (about 104 B each)
OBJECTS_FLAGS  := -DTP_OBJ_MAX_DEPTH=8
