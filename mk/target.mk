# SPDX-License-Identifier: MIT
# mk/target.mk - the cross toolchain and the flags every target image is built
# with; included by the Makefile and bench/bench.mk after a board's board.mk.
# The includer sets OPT, CONSOLE_UART and SEMIHOSTING first.

CROSS   := arm-none-eabi-
CC      := $(CROSS)gcc
AR      := $(CROSS)ar
NM      := $(CROSS)nm
OBJCOPY := $(CROSS)objcopy
SIZE    := $(CROSS)size

include $(dir $(lastword $(MAKEFILE_LIST)))layers.mk

# Every layer's flags but its include path: a rule adds $(call tp_inc,$<)
# (mk/layers.mk), so a layer sees only itself and the layers below it.
WARNINGS := $(TP_WARNINGS)
# The board's settings, which tidepool's code and headers read
TP_BOARD_DEFS := -DTP_CORE_HZ=$(CORE_HZ)u -DTP_IRQ_COUNT=$(IRQ_COUNT) \
                 $(if $(IRQ_NAMES),-DTP_IRQ_TABLE=$(IRQ_NAMES)) \
                 -DTP_CONSOLE_UART=$(CONSOLE_UART) -DTP_SEMIHOSTING=$(SEMIHOSTING)
CFLAGS := $(CPU_FLAGS) $(TP_CSTD) $(OPT) -g3 $(WARNINGS) \
          -ffunction-sections -fdata-sections -fno-common \
          $(TP_BOARD_DEFS) $(ALLOC_FLAGS) $(GC_FLAGS) $(OBJECTS_FLAGS)
# QEMU for a board's image: deterministic time (one instruction = 1 ns),
# the serial console on stdio, semihosting; and a run of image $1 that ends
# with the program's status and names the addresses it reports
# (tools/qemu-run.sh, tools/symbolize.sh; QEMU_TIMEOUT seconds, 60 unless set)
TP_QEMU_ARGS = -M $(QEMU_MACHINE) -icount shift=0 -display none -monitor none -serial stdio \
               -semihosting-config enable=on,target=native
tp_qemu_run = SYMBOLIZE_ELF=$1 $(TP_DIR)/tools/qemu-run.sh $(or $(QEMU_TIMEOUT),60) $(TP_QEMU_ARGS) -kernel $1

LDFLAGS := $(CPU_FLAGS) --specs=nano.specs -nostartfiles -Wl,--gc-sections \
           -L$(TP_DIR)/linker -T $(BOARD_DIR)/memory.ld -Wl,--no-warn-rwx-segments
