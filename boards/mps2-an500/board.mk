# SPDX-License-Identifier: MIT
# Arm MPS2 with the AN500 FPGA image: Cortex-M7 (FPv5 double precision).
# QEMU only (the FPGA board is rare); console CMSDK UART0 or semihosting.
BOARD_CHIP     := Arm MPS2 AN500 (Cortex-M7)
CPU_FLAGS      := -mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16
QEMU_MACHINE   := mps2-an500
CORE_HZ        := 25000000
IRQ_COUNT      := 64
BOARD_SRCS     := kernel/drivers/cmsdk_uart.c
# the 16 MiB PSRAM region can be handed out as one block (tp_heap_max_request)
ALLOC_FLAGS    := -DTP_ALLOC_MAX_LOG2=25
CONSOLE        ?= semihost
SEMIHOSTING    ?= 1
FLASH_TOOL     :=
