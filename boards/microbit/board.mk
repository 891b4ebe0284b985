# SPDX-License-Identifier: MIT
# BBC micro:bit v1: nRF51822, Cortex-M0 (ARMv6-M: no CLZ, no LDREX/STREX, no
# hardware divide, no MPU).  256 KiB flash, 16 KiB RAM.
BOARD_CHIP     := nRF51822 (Cortex-M0)
CPU_FLAGS      := -mcpu=cortex-m0 -mthumb -mfloat-abi=soft
QEMU_MACHINE   := microbit
CORE_HZ        := 16000000
IRQ_COUNT      := 32
BOARD_SRCS     := kernel/drivers/nrf51_uart.c
CONSOLE        ?= semihost
SEMIHOSTING    ?= 1
FLASH_TOOL     := openocd
OPENOCD_TARGET := target/nrf51.cfg
FLASH_ADDR     := 0x00000000
ALLOC_FLAGS    := -DTP_ALLOC_MAX_LOG2=14 -DTP_TRACK_SLOTS=64
# a 2 KiB thread stack: deepcopy/repr/eq may nest 12 levels (about 104 B each)
OBJECTS_FLAGS  := -DTP_OBJ_MAX_DEPTH=12
