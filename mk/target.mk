# mk/target.mk - the cross toolchain and the flags every target image is built
# with; included by the Makefile and bench/bench.mk after a board's board.mk.
# The includer sets OPT, CONSOLE_UART and SEMIHOSTING first.

CROSS   := arm-none-eabi-
CC      := $(CROSS)gcc
AR      := $(CROSS)ar
NM      := $(CROSS)nm
OBJCOPY := $(CROSS)objcopy
SIZE    := $(CROSS)size

WARNINGS := -Wall -Wextra -Werror -Wconversion -Wsign-conversion -Wshadow \
            -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wcast-align
CFLAGS := $(CPU_FLAGS) -std=c11 $(OPT) -g3 $(WARNINGS) \
          -ffunction-sections -fdata-sections -fno-common \
          -Iport -Ikernel -Ialloc -Igc -Iobjects -Iprof -Ilibc -I. \
          -DTP_CORE_HZ=$(CORE_HZ)u -DTP_IRQ_COUNT=$(IRQ_COUNT) \
          -DTP_CONSOLE_UART=$(CONSOLE_UART) -DTP_SEMIHOSTING=$(SEMIHOSTING) $(ALLOC_FLAGS) $(OBJECTS_FLAGS)
LDFLAGS := $(CPU_FLAGS) --specs=nano.specs -nostartfiles -Wl,--gc-sections \
           -Llinker -T $(BOARD_DIR)/memory.ld -Wl,--no-warn-rwx-segments
