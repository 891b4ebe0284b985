# SPDX-License-Identifier: MIT
# bench/image.mk - what the benchmark images that run on their own share
# (bench/gc/gc_bench.mk, bench/objects/obj_bench.mk): netduinoplus2 at -Os,
# QEMU -icount shift=0 (TIM2 counts guest instructions: docs/bench-method.md);
# build the image, run it, print its log and the -Os text size of one layer,
# and save every `BENCH` line in $(B)/bench.txt.
#
# The includer sets, before including this file:
#   B        the build folder
#   NAME     the image and log name (gc_bench: $(B)/gc_bench.elf, .log)
#   TITLE    the log's heading ("collector")
#   WHAT     what a failed run is called ("the collector benchmark")
#   LAYER    the folder whose .text is reported, also the key: BENCH <LAYER>.text_bytes
#   SRCS     the image's C sources besides the kernel, alloc/ and gc/ (objects/
#            and the benchmark's own, linked as objects)
#   THIS_MK  the includer (every object is rebuilt when it changes)
# and may add to CFLAGS and LDFLAGS after including it.
override BOARD := netduinoplus2
BOARD_DIR := boards/$(BOARD)
include $(BOARD_DIR)/board.mk

OPT := -Os
CONSOLE_UART := 0
SEMIHOSTING := 1
include mk/target.mk
# the system heap is unused: RAM goes to the benchmark's own arena
LDFLAGS += -Wl,--defsym=__heap_min_size=1024

# the kernel's, the allocator's and the collector's libraries (mk/layers.mk),
# built here; the image's own sources as objects
TP_SRCS_kernel += $(BOARD_DIR)/board.c $(BOARD_SRCS)
IMAGE_LAYERS := kernel alloc gc
IMAGE_LIBS := $(patsubst %,$(B)/lib/libtp_%.a,$(IMAGE_LAYERS))
OBJS := $(call tp_objs,$(B)/obj,$(SRCS)) $(B)/obj/bench/timed_call.o
LAYER_SIZE_OBJS := $(patsubst %.c,$(B)/size/%.o,$(wildcard $(LAYER)/*.c))
QEMU_TIMEOUT ?= 300
Q := $(if $(V),,@)

.PHONY: run
run: $(B)/$(NAME).elf $(LAYER_SIZE_OBJS)
	$(Q)timeout $(QEMU_TIMEOUT) qemu-system-arm -M netduinoplus2 -icount shift=0 -display none \
	    -monitor none -serial stdio -semihosting-config enable=on,target=native \
	    -kernel $< > $(B)/$(NAME).log 2>&1 < /dev/null; \
	    st=$$?; [ $$st -eq 0 ] || echo "bench: $(WHAT) ended with status $$st"
	$(Q)echo "==== $(TITLE) ($(B)/$(NAME).log)"; grep -v '^BENCH ' $(B)/$(NAME).log
	$(Q)text=$$($(SIZE) $(LAYER_SIZE_OBJS) | awk 'NR > 1 { t += $$1 } END { print t }'); \
	    echo "code size, -Os Cortex-M4 .text of $(LAYER)/: $$text bytes"; \
	    { grep '^BENCH ' $(B)/$(NAME).log | tr -d '\r'; echo "BENCH $(LAYER).text_bytes $$text"; } \
	    > $(B)/bench.txt; cat $(B)/bench.txt

$(B)/$(NAME).elf: $(OBJS) $(IMAGE_LIBS) $(BOARD_DIR)/memory.ld linker/sections.ld
	$(Q)$(CC) $(LDFLAGS) -Wl,-Map=$(@:.elf=.map) $(OBJS) \
	    -Wl,--start-group $(IMAGE_LIBS) -lc -Wl,--end-group -o $@

$(foreach l,$(IMAGE_LAYERS),$(eval $(B)/lib/libtp_$l.a: $(call tp_objs,$(B)/obj,$(TP_SRCS_$l))))
$(IMAGE_LIBS):
	@mkdir -p $(@D)
	$(Q)rm -f $@; $(AR) rcs $@ $^

$(B)/obj/%.o: %.c $(THIS_MK) bench/image.mk
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(call tp_inc,$<) -MMD -MP -c $< -o $@

$(B)/obj/%.o: %.S
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPU_FLAGS) -c $< -o $@

# the layer alone, as a program links it: -Os, one section per function
$(B)/size/%.o: %.c $(THIS_MK) bench/image.mk
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPU_FLAGS) $(TP_CSTD) -Os -ffunction-sections -fdata-sections $(call tp_inc,$<) \
	    $(ALLOC_FLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(B) -name '*.d' 2>/dev/null)
