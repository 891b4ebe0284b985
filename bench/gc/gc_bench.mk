# bench/gc/gc_bench.mk - the collector's benchmark (bench/gc/gc_bench.c) on
# netduinoplus2 under QEMU -icount shift=0.  Run by `make bench` after the
# allocator's benchmark; alone: make -f bench/gc/gc_bench.mk
override BOARD := netduinoplus2
BOARD_DIR := boards/$(BOARD)
include $(BOARD_DIR)/board.mk

B := build/bench-gc
OPT := -Os
CONSOLE_UART := 0
SEMIHOSTING := 1
include mk/target.mk
LDFLAGS += -Wl,--defsym=__heap_min_size=1024

SRCS := $(wildcard kernel/*.c) $(BOARD_DIR)/board.c $(BOARD_SRCS) \
        $(filter-out alloc/libc_malloc.c,$(wildcard alloc/*.c)) $(wildcard gc/*.c) \
        tests/gc_types.c bench/gc/gc_bench.c
OBJS := $(patsubst %.c,$(B)/obj/%.o,$(SRCS)) $(B)/obj/bench/timed_call.o
GC_SIZE_OBJS := $(patsubst %.c,$(B)/size/%.o,$(wildcard gc/*.c))
QEMU_TIMEOUT ?= 300
Q := $(if $(V),,@)

.PHONY: run
run: $(B)/gc_bench.elf $(GC_SIZE_OBJS)
	$(Q)timeout $(QEMU_TIMEOUT) qemu-system-arm -M netduinoplus2 -icount shift=0 -display none \
	    -monitor none -serial stdio -semihosting-config enable=on,target=native \
	    -kernel $< > $(B)/gc_bench.log 2>&1 < /dev/null; \
	    st=$$?; [ $$st -eq 0 ] || echo "bench: the collector benchmark ended with status $$st"
	$(Q)echo "==== collector ($(B)/gc_bench.log)"; grep -v '^BENCH ' $(B)/gc_bench.log
	$(Q)text=$$($(SIZE) $(GC_SIZE_OBJS) | awk 'NR > 1 { t += $$1 } END { print t }'); \
	    echo "code size, -Os Cortex-M4 .text of gc/: $$text bytes"; \
	    { grep '^BENCH ' $(B)/gc_bench.log | tr -d '\r'; echo "BENCH gc.text_bytes $$text"; } \
	    > $(B)/bench.txt; cat $(B)/bench.txt

$(B)/gc_bench.elf: $(OBJS) $(BOARD_DIR)/memory.ld linker/sections.ld
	$(Q)$(CC) $(LDFLAGS) -Wl,-Map=$(@:.elf=.map) $(OBJS) -o $@

$(B)/obj/%.o: %.c bench/gc/gc_bench.mk
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/obj/%.o: %.S
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPU_FLAGS) -c $< -o $@

$(B)/size/%.o: %.c bench/gc/gc_bench.mk
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPU_FLAGS) -std=c11 -Os -ffunction-sections -fdata-sections -Ikernel -Ialloc \
	    -Igc -I. $(ALLOC_FLAGS) -c $< -o $@

-include $(shell find $(B) -name '*.d' 2>/dev/null)
