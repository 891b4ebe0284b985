# SPDX-License-Identifier: MIT
# Arm MPS2+ with the AN505 FPGA image: Cortex-M33 (ARMv8-M Mainline, with
# TrustZone; tidepool runs in the Secure state it boots in).  QEMU only.
BOARD_CHIP     := Arm MPS2+ AN505 (Cortex-M33)
CPU_FLAGS      := -mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16
QEMU_MACHINE   := mps2-an505
CORE_HZ        := 20000000
IRQ_COUNT      := 96
BOARD_SRCS     := kernel/drivers/cmsdk_uart.c
# the heap in the 2 MiB SSRAM2 can be handed out as one block (tp_heap_max_request)
ALLOC_FLAGS    := -DTP_ALLOC_MAX_LOG2=21
CONSOLE        ?= semihost
SEMIHOSTING    ?= 1
FLASH_TOOL     :=
