# SPDX-License-Identifier: MIT
# tidepool.mk - build your own firmware with tidepool, from a folder of your
# own.  Your Makefile sets a few variables and includes this file:
#
#   TIDEPOOL_DIR := ../tidepool          # this tree
#   BOARD        := netduinoplus2        # a board of boards/ ...
#   # BOARD_DIR  := myboard              # ... or a board folder of your own
#   APP_SRCS     := main.c sensor.c      # your C sources
#   APP_CFLAGS   := -Wall                # optional: your compiler flags
#   APP_INCLUDES := include              # optional: your include folders
#   include $(TIDEPOOL_DIR)/tidepool.mk
#
# Then:
#   make              build/BOARD/APP.elf and .bin (APP: your folder's name,
#                     or set APP)
#   make run          run it under QEMU (emulated boards); ends with its status
#   make flash        build with the UART console and write it to the board
#   make size         per-section and per-region memory use
#   make debug        QEMU halted with its gdb stub on :1234 (GDB_ARGS: gdb's
#                     arguments; GDB=none: the stub alone, for an IDE)
#   make clean
#
# Your code is compiled with your flags (APP_CFLAGS), the board's CPU flags
# and tidepool's include paths; tidepool's own layers are compiled with its
# own flags (mk/target.mk) into one library each (mk/layers.mk), linked as a
# group with the C library.  A board folder of your own holds board.mk,
# memory.ld (ending with INCLUDE sections.ld) and board.c, as boards/NAME/ do
# (docs/porting.md).
#
# Options: CONSOLE=semihost|uart, SEMIHOSTING=1|0, OPT (tidepool's; -Os),
# ALLOC_FLAGS / GC_FLAGS / OBJECTS_FLAGS (settings of the layers' config
# headers, for tidepool and for your code alike).

ifeq ($(TIDEPOOL_DIR),)
$(error set TIDEPOOL_DIR to the tidepool tree before including tidepool.mk)
endif
TP_DIR := $(patsubst %/,%,$(TIDEPOOL_DIR))
ifeq ($(wildcard $(TP_DIR)/mk/layers.mk),)
$(error TIDEPOOL_DIR=$(TIDEPOOL_DIR) is not a tidepool tree (no mk/layers.mk there))
endif
ifeq ($(BOARD_DIR),)
ifeq ($(BOARD),)
$(error set BOARD (one of: $(notdir $(wildcard $(TP_DIR)/boards/*))) or BOARD_DIR)
endif
BOARD_DIR := $(TP_DIR)/boards/$(BOARD)
endif
BOARD ?= $(notdir $(patsubst %/,%,$(BOARD_DIR)))
ifeq ($(wildcard $(BOARD_DIR)/board.mk),)
$(error no board.mk in $(BOARD_DIR); boards: $(notdir $(wildcard $(TP_DIR)/boards/*)))
endif
ifeq ($(strip $(APP_SRCS)),)
$(error set APP_SRCS to your C sources)
endif

include $(BOARD_DIR)/board.mk
CONSOLE ?= semihost
SEMIHOSTING ?= 1
ifeq ($(CONSOLE),uart)
CONSOLE_UART := 1
else ifeq ($(CONSOLE),semihost)
CONSOLE_UART := 0
else
$(error CONSOLE must be semihost or uart, not '$(CONSOLE)')
endif
OPT ?= -Os
include $(TP_DIR)/mk/target.mk

APP ?= $(notdir $(CURDIR))
APP_BUILD ?= build/$(BOARD)$(if $(filter uart,$(CONSOLE)),-uart)
TP_BUILD := $(APP_BUILD)/tidepool
ELF := $(APP_BUILD)/$(APP).elf

# A board's sources: board.c in its folder, and BOARD_SRCS, each a file of
# the tidepool tree (kernel/drivers/...) or else of the board's folder (as
# CMakeLists.txt reads them).  A board folder outside the tree is compiled
# apart (under own/), so a file of the same name in the tree never stands in
# for it.
tp_board_srcs := $(BOARD_DIR)/board.c \
    $(foreach s,$(BOARD_SRCS),$(if $(wildcard $(TP_DIR)/$s),$(TP_DIR)/$s,$(BOARD_DIR)/$s))
tp_in_tree = $(filter $(abspath $(TP_DIR))/%,$(abspath $1))
TP_BOARD_TREE_SRCS := $(foreach s,$(tp_board_srcs),$(if $(call tp_in_tree,$s),$s))
TP_BOARD_OWN_SRCS := $(foreach s,$(tp_board_srcs),$(if $(call tp_in_tree,$s),,$(abspath $s)))
TP_SRCS_kernel += $(TP_BOARD_TREE_SRCS)
TP_LIB_LAYERS := libc prof objects gc alloc kernel
TP_LIBS := $(patsubst %,$(TP_BUILD)/lib/libtp_%.a,$(TP_LIB_LAYERS))

# your code: the board's CPU and the settings tidepool's headers read, your flags
APP_ALL_CFLAGS := $(CPU_FLAGS) -std=gnu11 $(OPT) -g3 -ffunction-sections -fdata-sections \
    $(TP_BOARD_DEFS) $(ALLOC_FLAGS) $(GC_FLAGS) $(OBJECTS_FLAGS) \
    $(addprefix -I,$(APP_INCLUDES)) $(TP_INC_program) $(APP_CFLAGS)
APP_OBJS := $(patsubst %.c,$(APP_BUILD)/app/%.o,$(APP_SRCS))

# what was built with other flags is rebuilt
TP_FLAGS_STAMP := $(APP_BUILD)/flags.stamp
TP_FLAGS_NOW := $(CC) $(CFLAGS) | $(APP_ALL_CFLAGS) | $(LDFLAGS)
ifneq ($(file <$(TP_FLAGS_STAMP)),$(TP_FLAGS_NOW))
$(shell mkdir -p $(APP_BUILD))
$(file >$(TP_FLAGS_STAMP),$(TP_FLAGS_NOW))
endif
.SECONDARY:
TP_Q := $(if $(V),,@)

.PHONY: all run flash size debug clean tidepool-deps
.DEFAULT_GOAL := all
all: $(ELF) $(ELF:.elf=.bin)

tidepool-deps:
	@$(TP_DIR)/tools/ensure-deps.sh build

$(APP_BUILD)/app/%.o: %.c $(TP_FLAGS_STAMP) | tidepool-deps
	@mkdir -p $(@D)
	$(TP_Q)$(CC) $(APP_ALL_CFLAGS) -MMD -MP -c $< -o $@

# tidepool's own sources, each layer with its own include path
$(TP_BUILD)/obj/%.o: $(TP_DIR)/%.c $(TP_FLAGS_STAMP) | tidepool-deps
	@mkdir -p $(@D)
	$(TP_Q)$(CC) $(CFLAGS) $(call tp_inc,$<) -MMD -MP -c $< -o $@

# your board folder's files: your code, your flags (into the kernel's library)
$(TP_BUILD)/own/%.o: /%.c $(TP_FLAGS_STAMP) | tidepool-deps
	@mkdir -p $(@D)
	$(TP_Q)$(CC) $(APP_ALL_CFLAGS) -MMD -MP -c $< -o $@

$(foreach l,$(TP_LIB_LAYERS),$(eval $(TP_BUILD)/lib/libtp_$l.a: \
    $(call tp_objs,$(TP_BUILD)/obj,$(TP_SRCS_$l))))
$(TP_BUILD)/lib/libtp_kernel.a: $(patsubst /%.c,$(TP_BUILD)/own/%.o,$(TP_BOARD_OWN_SRCS))
$(TP_LIBS):
	@mkdir -p $(@D)
	$(TP_Q)rm -f $@; $(AR) rcs $@ $^

# -u tp_malloc_heap: malloc & co. are tidepool's (libc/), not newlib's
$(ELF): $(APP_OBJS) $(TP_LIBS) $(BOARD_DIR)/memory.ld $(TP_DIR)/linker/sections.ld
	@mkdir -p $(@D)
	$(TP_Q)$(CC) $(LDFLAGS) -Wl,-Map=$(@:.elf=.map) $(APP_OBJS) -Wl,-u,tp_malloc_heap \
	    -Wl,--start-group $(TP_LIBS) -lc -Wl,--end-group -o $@
	@echo "built $@"

%.bin: %.elf
	$(TP_Q)$(OBJCOPY) -O binary $< $@

run: $(ELF)
ifeq ($(QEMU_MACHINE),)
	@echo "board $(BOARD) is not emulated: use 'make flash'"; exit 1
else
	@$(TP_DIR)/tools/ensure-deps.sh run
	@$(call tp_qemu_run,$(ELF))
endif

size: $(ELF)
	@$(TP_DIR)/tools/size.sh $(ELF)

flash:
	@$(TP_DIR)/tools/ensure-deps.sh flash
	$(MAKE) --no-print-directory CONSOLE=uart SEMIHOSTING=0 all
	@$(TP_DIR)/tools/flash.sh "$(FLASH_TOOL)" "$(OPENOCD_TARGET)" "$(FLASH_ADDR)" \
	    build/$(BOARD)-uart/$(APP)

GDB ?= gdb-multiarch
debug: $(ELF)
ifeq ($(QEMU_MACHINE),)
	@echo "board $(BOARD) is not emulated: attach gdb to OpenOCD (port 3333)"; exit 1
else
	@$(TP_DIR)/tools/ensure-deps.sh $(if $(filter none,$(GDB)),run,debug)
	@$(TP_DIR)/tools/debug.sh "$(QEMU_MACHINE)" "$(ELF)" "$(GDB)" $(GDB_ARGS)
endif

clean:
	rm -rf build

-include $(shell find $(APP_BUILD) -name '*.d' 2>/dev/null)
