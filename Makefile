# SPDX-License-Identifier: MIT
# tidepool - a bare-metal memory runtime for Cortex-M.
#
#   make run                 build the demo and run it under QEMU (BOARD=...)
#   make test                every test: host, every emulated board, link checks,
#                            build-only boards
#   make BOARD=name          build the demo and the test images for one board
#   make test-board          run the test images of BOARD only
#   make host-test           the portable code on the host under ASan/UBSan
#   make fuzz                the allocator under libFuzzer, FUZZ_SECONDS (60) per build
#   make size                per-section and per-region memory use of the demo
#   make heapmap             the demo's object heap drawn: build/BOARD/heapmap/heapmap.png
#   make flash               build with the UART console and flash (st-flash/OpenOCD)
#   make debug               QEMU halted with a gdb stub, and gdb-multiarch attached
#                            (GDB_ARGS: gdb's arguments, e.g. -batch -ex ...;
#                            GDB=none: the stub alone, for an IDE)
#   make boards              list the boards
#
# Options: BOARD (default netduinoplus2), CONSOLE=semihost|uart, SEMIHOSTING=1|0.

BOARD ?= netduinoplus2
BOARD_DIR := boards/$(BOARD)
ifeq ($(wildcard $(BOARD_DIR)/board.mk),)
$(error unknown BOARD '$(BOARD)'; boards: $(notdir $(wildcard boards/*)))
endif
include $(BOARD_DIR)/board.mk

ifeq ($(CONSOLE),uart)
CONSOLE_UART := 1
BUILD := build/$(BOARD)-uart
else ifeq ($(CONSOLE),semihost)
CONSOLE_UART := 0
BUILD := build/$(BOARD)
else
$(error CONSOLE must be semihost or uart, not '$(CONSOLE)')
endif
# TRACK=1: the whole build with allocation tracking (prof/tp_track.h)
ifeq ($(TRACK),1)
BUILD := $(BUILD)-track
ALLOC_FLAGS += -DTP_ALLOC_TRACK=1 -fno-optimize-sibling-calls
endif
ifeq ($(CONSOLE)$(SEMIHOSTING),semihost0)
$(error CONSOLE=semihost needs SEMIHOSTING=1)
endif

OPT ?= -Os
include mk/target.mk

# The layers (mk/layers.mk), one library each; the kernel's includes the
# board.  Programs (the demo, the test images) link them as a group with the
# C library, so newlib's calls into the kernel (_write, _sbrk...) resolve
# whatever the order; -u tp_malloc_heap keeps libc/'s malloc the image's.
TP_SRCS_kernel += $(BOARD_DIR)/board.c $(BOARD_SRCS)
TARGET_LAYERS := kernel alloc gc objects prof libc
LIB := $(BUILD)/lib
LIBS := $(patsubst %,$(LIB)/libtp_%.a,libc prof objects gc alloc kernel)
link_libs = -Wl,-u,tp_malloc_heap -Wl,--start-group $(filter %.a,$1) -lc -Wl,--end-group
define layer_lib # $1 library folder, $2 object folder, $3 layer
$1/libtp_$3.a: $(call tp_objs,$2,$(TP_SRCS_$3))
	@mkdir -p $$(@D)
	$$(Q)rm -f $$@; $$(AR) rcs $$@ $$^
endef
$(foreach l,$(TARGET_LAYERS),$(eval $(call layer_lib,$(LIB),$(BUILD)/obj,$l)))

HARNESS_OBJ := $(BUILD)/obj/tests/harness.o
# the collector's test types and conformance suite, shared with the host tests
TEST_SUPPORT_OBJS := $(BUILD)/obj/tests/heap_fixture.o $(BUILD)/obj/tests/gc_types.o $(BUILD)/obj/tests/gc_suite.o \
                     $(BUILD)/obj/tests/gc_stress.o $(BUILD)/obj/tests/objects_suite.o \
                     $(BUILD)/obj/tests/prof_suite.o
TEST_SRCS   := $(wildcard tests/target/test_*.c)
ifeq ($(TRACK),1)
TEST_SRCS   := $(filter-out %_debug.c,$(TEST_SRCS))
endif
TEST_ELFS   := $(patsubst tests/target/%.c,$(BUILD)/tests/%.elf,$(TEST_SRCS))
DEMO_ELF    := $(BUILD)/demo.elf

# Test images named tests/target/test_*_debug.c test the allocator's debug
# build: the image's own object and the alloc library are compiled with
# ALLOC_DEBUG_FLAGS (into $(DEBUG_OBJ), $(DEBUG_LIB)); the rest is shared.
ALLOC_DEBUG_FLAGS := -DTP_ALLOC_DEBUG=1
DEBUG_OBJ         := $(BUILD)/obj-alloc-debug
DEBUG_LIB         := $(BUILD)/lib-alloc-debug
DEBUG_TEST_ELFS   := $(filter %_debug.elf,$(TEST_ELFS))
DEBUG_LIBS        := $(patsubst $(LIB)/libtp_alloc.a,$(DEBUG_LIB)/libtp_alloc.a,$(LIBS))
$(eval $(call layer_lib,$(DEBUG_LIB),$(DEBUG_OBJ),alloc))

# Test images named tests/target/test_*_track.c test the tracking build:
# every object they link is compiled with TRACK_FLAGS into $(TRACK_OBJ).
# No sibling calls in a tracking build: a function ending in `return
# malloc(n)` would jump to malloc, and its caller would be taken for the site.
TRACK_FLAGS       := -DTP_ALLOC_TRACK=1 -fno-optimize-sibling-calls
TRACK_OBJ         := $(BUILD)/obj-track
TRACK_LIB         := $(BUILD)/lib-track
TRACK_TEST_ELFS   := $(filter %_track.elf,$(TEST_ELFS))
TRACK_LINK_OBJS   := $(patsubst $(BUILD)/obj/%,$(TRACK_OBJ)/%,$(HARNESS_OBJ) $(TEST_SUPPORT_OBJS))
TRACK_LIBS        := $(patsubst $(LIB)/%,$(TRACK_LIB)/%,$(LIBS))
$(foreach l,$(TARGET_LAYERS),$(eval $(call layer_lib,$(TRACK_LIB),$(TRACK_OBJ),$l)))

# Everything built depends on the flags it was built with: the stamp is
# rewritten when they change (OPT, SEMIHOSTING, CONSOLE, any *_FLAGS), and
# what was built from the old ones is rebuilt.
FLAGS_STAMP := $(BUILD)/flags.stamp
FLAGS_NOW   := $(CC) $(CFLAGS) | $(LDFLAGS) | $(ALLOC_DEBUG_FLAGS) | $(TRACK_FLAGS)
ifneq ($(file <$(FLAGS_STAMP)),$(FLAGS_NOW))
$(shell mkdir -p $(BUILD))
$(file >$(FLAGS_STAMP),$(FLAGS_NOW))
endif
# no object is an intermediate file to delete after the build
.SECONDARY:

# V=1 shows the compiler command lines
Q := $(if $(V),,@)
QEMU_TIMEOUT ?= 60
QEMU_CMD = timeout $(QEMU_TIMEOUT) qemu-system-arm $(TP_QEMU_ARGS)

.PHONY: all demo tests run test test-board host-test fuzz fuzz-short size flash debug deps deps-check heapmap \
        boards clean print-% link-test
.DEFAULT_GOAL := all

all: demo tests
demo: $(DEMO_ELF) $(DEMO_ELF:.elf=.bin)
tests: $(TEST_ELFS)

# Packages by purpose (tools/ensure-deps.sh): a build checks for the ARM
# toolchain only; the README's two commands (make run, make test) install
# what they need, saying so first; make deps installs everything.
ifneq ($(filter test,$(MAKECMDGOALS)),)
DEPS_CHECK := test --install
else ifneq ($(filter run,$(MAKECMDGOALS)),)
DEPS_CHECK := run --install
else
DEPS_CHECK := build
endif
deps:
	@tools/ensure-deps.sh all --install
deps-check:
	@tools/ensure-deps.sh $(DEPS_CHECK)

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP) | deps-check
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(call tp_inc,$<) -MMD -MP -c $< -o $@

$(DEBUG_OBJ)/%.o: %.c $(FLAGS_STAMP) | deps-check
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(ALLOC_DEBUG_FLAGS) $(call tp_inc,$<) -MMD -MP -c $< -o $@

$(TRACK_OBJ)/%.o: %.c $(FLAGS_STAMP) | deps-check
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(TRACK_FLAGS) $(call tp_inc,$<) -MMD -MP -c $< -o $@

LINK = $(CC) $(LDFLAGS) -Wl,-Map=$(@:.elf=.map) $(filter %.o,$^) $(call link_libs,$^) -o $@

$(DEMO_ELF): $(BUILD)/obj/demo/main.o $(LIBS) $(BOARD_DIR)/memory.ld linker/sections.ld
	@mkdir -p $(@D)
	$(Q)$(LINK)

$(BUILD)/tests/%.elf: $(BUILD)/obj/tests/target/%.o $(HARNESS_OBJ) $(TEST_SUPPORT_OBJS) $(LIBS) \
                      $(BOARD_DIR)/memory.ld linker/sections.ld
	@mkdir -p $(@D)
	$(Q)$(LINK)

$(DEBUG_TEST_ELFS): $(BUILD)/tests/%.elf: $(DEBUG_OBJ)/tests/target/%.o $(HARNESS_OBJ) \
                    $(DEBUG_LIBS) $(BOARD_DIR)/memory.ld linker/sections.ld
	@mkdir -p $(@D)
	$(Q)$(LINK)

$(TRACK_TEST_ELFS): $(BUILD)/tests/%.elf: $(TRACK_OBJ)/tests/target/%.o $(TRACK_LINK_OBJS) \
                    $(TRACK_LIBS) $(BOARD_DIR)/memory.ld linker/sections.ld
	@mkdir -p $(@D)
	$(Q)$(LINK)

%.bin: %.elf
	$(Q)$(OBJCOPY) -O binary $< $@

# (tools/qemu-run.sh: the program's exit status, with or without semihosting)
run: $(DEMO_ELF)
ifeq ($(QEMU_MACHINE),)
	@echo "board $(BOARD) is build-only (no QEMU machine): use 'make flash BOARD=$(BOARD)'"; exit 1
else
	@$(call tp_qemu_run,$(DEMO_ELF))
endif

# Every test of the project, on every board.
test: deps-check
	@tests/run.sh

# The test images of one board.
test-board: tests
	@tools/ensure-deps.sh run
	@BOARDS=$(BOARD) NO_HOST=1 tests/run.sh

host-test:
	@tools/ensure-deps.sh host
	@$(MAKE) --no-print-directory -f tests/host/host.mk

# The allocator's libFuzzer target, release and debug builds (tests/fuzz/fuzz.mk):
# `make fuzz` runs each FUZZ_SECONDS; `make test` runs fuzz-short (FUZZ_RUNS
# inputs each, seed 1, the same every time).
fuzz fuzz-short:
	@tools/ensure-deps.sh fuzz
	@$(MAKE) --no-print-directory -f tests/fuzz/fuzz.mk $@

link-test: $(BUILD)/obj/demo/main.o $(LIBS)
	@BOARD=$(BOARD) BUILD=$(BUILD) CC="$(CC)" CFLAGS="$(CFLAGS) $(TP_INC_program)" LDFLAGS="$(LDFLAGS)" \
	    LIBS="$(call link_libs,$^)" tests/link/run.sh $(filter %.o,$^)

size: $(DEMO_ELF)
	@tools/size.sh $(DEMO_ELF)

flash:
	@tools/ensure-deps.sh flash
	$(MAKE) BOARD=$(BOARD) CONSOLE=uart SEMIHOSTING=0 demo
	@tools/flash.sh "$(FLASH_TOOL)" "$(OPENOCD_TARGET)" "$(FLASH_ADDR)" build/$(BOARD)-uart/demo

GDB ?= gdb-multiarch
debug: $(DEMO_ELF)
ifeq ($(QEMU_MACHINE),)
	@echo "board $(BOARD) is build-only: attach gdb-multiarch to OpenOCD (port 3333) instead"; exit 1
else
	@tools/ensure-deps.sh $(if $(filter none,$(GDB)),run,debug)
	@tools/debug.sh "$(QEMU_MACHINE)" "$(DEMO_ELF)" "$(GDB)" $(GDB_ARGS)
endif

# The demo's object heap, drawn: the demo writes a dump of it over
# semihosting (it reads "heapdump=FILE" from QEMU's -append), the host checks
# it and draws it with the per-class table (prof/host/heapmap.py).
HEAPMAP_DIR := $(BUILD)/heapmap
heapmap: $(DEMO_ELF)
	@tools/ensure-deps.sh plots
ifeq ($(QEMU_MACHINE),)
	@echo "board $(BOARD) is build-only: capture a dump from its UART (docs/observability.md)"; exit 1
else
	@mkdir -p $(HEAPMAP_DIR)
	$(QEMU_CMD) -kernel $(DEMO_ELF) -append "heapdump=$(HEAPMAP_DIR)/objects.tpdump" \
	    >$(HEAPMAP_DIR)/demo.log 2>&1
	@tools/py prof/host/tpdump.py --check $(HEAPMAP_DIR)/objects.tpdump
	@tools/py prof/host/heapmap.py $(HEAPMAP_DIR)/objects.tpdump -o $(HEAPMAP_DIR)/heapmap.png --verify
endif

boards:
	@for b in boards/*/; do b=$${b%/}; b=$${b#boards/}; \
	  m=$$(sed -n 's/^QEMU_MACHINE *:= *//p' boards/$$b/board.mk); \
	  c=$$(sed -n 's/^BOARD_CHIP *:= *//p' boards/$$b/board.mk); \
	  printf '%-18s %-30s %s\n' "$$b" "$$c" "$${m:-build-only}"; done

print-%:
	@echo $($*)

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- bench (bench/bench.mk) ----
# make bench: allocator benchmarks (tidepool vs newlib-nano), the collector's
# (incremental vs stop-the-world), the object workloads (docs/objects-bench.md)
# and the program-level one (bench/gc/program_bench.c: pauses per call, MMU)
# on netduinoplus2 under QEMU -icount shift=0, whatever BOARD says; see
# docs/bench-method.md.  Last, the plots of docs/results/ from their output
# (bench-plots alone redraws them from the last run's).
.PHONY: bench bench-plots
bench:
	@$(MAKE) --no-print-directory -f bench/bench.mk
	@$(MAKE) --no-print-directory -f bench/gc/gc_bench.mk
	@$(MAKE) --no-print-directory -f bench/objects/obj_bench.mk
	@$(MAKE) --no-print-directory -f bench/gc/program_bench.mk
	@$(MAKE) --no-print-directory bench-plots
bench-plots:
	@tools/py bench/plots/plot_alloc_hist.py --hist build/bench/hist.txt \
	    --bench build/bench/bench.txt --out docs/results/alloc-histogram.png
	@tools/py bench/plots/plot_gc_pause.py --bench build/bench-gc/bench.txt \
	    --out docs/results/gc-pause-vs-live.png
# ---- bench (bench/bench.mk) ----
