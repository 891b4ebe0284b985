# SPDX-License-Identifier: MIT
# bench/bench.mk - `make bench`: allocator benchmarks on netduinoplus2 under
# QEMU -icount shift=0 (docs/bench-method.md).  The main Makefile's `bench`
# target runs `$(MAKE) -f bench/bench.mk`; this file can also be used alone:
#
#   make -f bench/bench.mk            build both images, run them, print the figures
#   make -f bench/bench.mk images     build only
#
# Outputs go to build/bench/.  Always netduinoplus2, semihosting console,
# whatever BOARD/CONSOLE/SEMIHOSTING say (they are overridden here).  The
# allocator is measured at BENCH_OPT (default -Os, the project's default OPT).

override BOARD := netduinoplus2
override CONSOLE := semihost
override SEMIHOSTING := 1
BOARD_DIR := boards/$(BOARD)
include $(BOARD_DIR)/board.mk

B := build/bench

BENCH_OPT ?= -Os
OPT := $(BENCH_OPT)
CONSOLE_UART := 0
SEMIHOSTING := 1
include mk/target.mk
CFLAGS += $(BENCH_DEFS)
# The system heap (__heap_start..__heap_end) is not used by the benchmark:
# its minimum is lowered so that RAM goes to the benchmark's own buffer.
LDFLAGS += -Wl,--defsym=__heap_min_size=1024

# The kernel's and the allocator's libraries (mk/layers.mk), built here with
# the benchmark's flags; tidepool without its libc malloc glue.
TP_SRCS_kernel += $(BOARD_DIR)/board.c $(BOARD_SRCS)
KERNEL_LIB  := $(B)/lib/libtp_kernel.a
ALLOC_LIB   := $(B)/lib/libtp_alloc.a
ALLOC_SRCS  := $(filter-out alloc/tp_track.c,$(TP_SRCS_alloc))
HAVE_TIDEPOOL := $(if $(wildcard alloc/tp_alloc.c),1,)
COMMON_OBJS := $(B)/obj/bench/bench_main.o $(B)/obj/bench/timed_call.o

# ---- newlib-nano's malloc, as Debian compiled it, renamed ----
# nano-mallocr (malloc), nano-freer (free) and mlock (the lock they call:
# Debian's are empty functions), every global renamed to nl_*.
NL_LIB     := $(shell $(CC) $(CPU_FLAGS) -print-file-name=libc_nano.a)
NL_MEMBERS := lib_a-nano-mallocr.o lib_a-nano-freer.o lib_a-mlock.o
NL_RENAME  := _malloc_r=nl_malloc_r _free_r=nl_free_r _sbrk_r=nl_sbrk_r \
              __malloc_free_list=nl_malloc_free_list \
              __malloc_sbrk_start=nl_malloc_sbrk_start \
              __malloc_lock=nl_malloc_lock __malloc_unlock=nl_malloc_unlock
NL_OBJS    := $(patsubst lib_a-%.o,$(B)/newlib/nl-%.o,$(NL_MEMBERS))

# ---- tidepool with allocation tracking (alloc/tp_track.h), a tracker on
# every heap: what tracking costs per call.  Its own objects, built as the
# main Makefile's TRACK=1 (no sibling calls, so call sites are right); a
# smaller benchmark buffer leaves RAM for the tracker's 16 KiB of slots
# (72 KiB still holds the fragmentation search of every trace).
TRACK_FLAGS := -DTP_ALLOC_TRACK=1 -fno-optimize-sibling-calls -DBENCH_BUF_SIZE='(72u*1024u)'
TRACK_SRCS  := bench/bench_tidepool.c bench/bench_main.c
TRACK_OBJS  := $(patsubst %.c,$(B)/obj-track/%.o,$(TRACK_SRCS)) $(B)/obj/bench/timed_call.o
TRACK_ALLOC_LIB := $(B)/lib-track/libtp_alloc.a

QEMU_TIMEOUT ?= 150
Q := $(if $(V),,@)

.PHONY: bench images newlib-image tidepool-image track-image textsize deps
.DEFAULT_GOAL := bench

# Builds the newlib image (it must build), then tries the tidepool image and
# its code size; runs what was built.  Ends with status 0 whenever the
# benchmarks ran, whatever the figures.
bench: deps
	$(Q)$(MAKE) --no-print-directory -f bench/bench.mk newlib-image
	$(Q)rm -f $(B)/run-images; echo $(B)/newlib.elf > $(B)/run-images
ifeq ($(HAVE_TIDEPOOL),1)
	$(Q)if $(MAKE) --no-print-directory -f bench/bench.mk tidepool-image; then \
	    echo $(B)/tidepool.elf >> $(B)/run-images; \
	    if $(MAKE) --no-print-directory -f bench/bench.mk track-image; then \
	        echo $(B)/tidepool-track.elf >> $(B)/run-images; \
	    else echo "bench: the tracking image did not build (see above)"; fi; \
	    $(MAKE) --no-print-directory -f bench/bench.mk textsize || { rm -f $(B)/size/min.map; \
	        echo "bench: the code-size image did not link (see above)"; }; \
	else \
	    echo "bench: the tidepool image did not build (see above): newlib-nano only"; \
	fi
else
	@echo "bench: alloc/tp_alloc.c not found: running the newlib-nano half only"
endif
	$(Q)QEMU_TIMEOUT=$(QEMU_TIMEOUT) bench/run.sh $(B) $$(cat $(B)/run-images)

images: newlib-image $(if $(HAVE_TIDEPOOL),tidepool-image track-image textsize)
newlib-image: $(B)/newlib.elf
	@:
tidepool-image: $(B)/tidepool.elf
	@:
track-image: $(B)/tidepool-track.elf
	@:
textsize: $(B)/size/min.elf
	@:

deps:
	@tools/ensure-deps.sh bench

# Every object is rebuilt when the flags change (BENCH_OPT, BENCH_DEFS):
# the stamp file is rewritten only when they differ from the last build's.
FLAGS_STAMP := $(B)/cflags.stamp
ifneq ($(file <$(FLAGS_STAMP)),$(CFLAGS) $(TRACK_FLAGS))
$(shell mkdir -p $(B))
$(file >$(FLAGS_STAMP),$(CFLAGS) $(TRACK_FLAGS))
endif

$(B)/obj/%.o: %.c bench/bench.mk $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(call tp_inc,$<) -MMD -MP -c $< -o $@

$(B)/obj-track/%.o: %.c bench/bench.mk $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(TRACK_FLAGS) $(call tp_inc,$<) -MMD -MP -c $< -o $@

$(KERNEL_LIB): $(call tp_objs,$(B)/obj,$(TP_SRCS_kernel))
$(ALLOC_LIB): $(call tp_objs,$(B)/obj,$(TP_SRCS_alloc))
$(TRACK_ALLOC_LIB): $(call tp_objs,$(B)/obj-track,$(TP_SRCS_alloc))
$(KERNEL_LIB) $(ALLOC_LIB) $(TRACK_ALLOC_LIB):
	@mkdir -p $(@D)
	$(Q)rm -f $@; $(AR) rcs $@ $^

# the objects, then the libraries with the C library as one group
LINK = $(CC) $(LDFLAGS) -Wl,-Map=$(@:.elf=.map) $(filter %.o,$^) \
       -Wl,--start-group $(filter %.a,$^) -lc -Wl,--end-group -o $@

$(B)/obj/%.o: %.S bench/bench.mk
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPU_FLAGS) -c $< -o $@

# Extract, check the names, rename every global they define or import, and
# check that nothing of newlib's malloc namespace is left.
$(B)/newlib/nl-%.o: bench/bench.mk
	@mkdir -p $(@D)
	$(Q)test -f "$(NL_LIB)" || { echo "bench: libc_nano.a not found for $(CPU_FLAGS)"; exit 1; }
	$(Q)$(AR) t "$(NL_LIB)" | grep -qx 'lib_a-$*.o' || { \
	    echo "bench: lib_a-$*.o is not in $(NL_LIB); its malloc members are:"; \
	    $(AR) t "$(NL_LIB)" | grep -E 'malloc|free' ; exit 1; }
	$(Q)cd $(@D) && $(AR) x "$(NL_LIB)" lib_a-$*.o
	$(Q)$(OBJCOPY) $(addprefix --redefine-sym ,$(NL_RENAME)) $(@D)/lib_a-$*.o $@
	$(Q)rm -f $(@D)/lib_a-$*.o
	$(Q)left=$$($(NM) $@ | awk '$$1 ~ /^[A-Z]$$/ || $$2 ~ /^[A-Z]$$/ {print $$NF}' | grep -v '^nl_' || true); \
	  if [ -n "$$left" ]; then echo "bench: $@ still has globals: $$left"; rm -f $@; exit 1; fi

# (newlib's lock is named: the benchmark times the kernel's, weakly referenced)
$(B)/newlib.elf: LDFLAGS += -Wl,-u,__malloc_lock -Wl,-u,__malloc_unlock
$(B)/newlib.elf: $(COMMON_OBJS) $(B)/obj/bench/bench_newlib.o $(NL_OBJS) $(KERNEL_LIB) \
                 $(BOARD_DIR)/memory.ld linker/sections.ld
	@mkdir -p $(@D)
	$(Q)$(LINK)

$(B)/tidepool.elf: $(COMMON_OBJS) $(B)/obj/bench/bench_tidepool.o $(ALLOC_LIB) $(KERNEL_LIB) \
                   $(BOARD_DIR)/memory.ld linker/sections.ld
	@mkdir -p $(@D)
	$(Q)$(LINK)

$(B)/tidepool-track.elf: $(TRACK_OBJS) $(TRACK_ALLOC_LIB) $(KERNEL_LIB) $(BOARD_DIR)/memory.ld \
                         linker/sections.ld
	@mkdir -p $(@D)
	$(Q)$(LINK)

# ---- code size: the alloc objects at -Os with -ffunction-sections, and the
# functions of them that a minimal image (init + alloc + free) keeps after
# --gc-sections.  bench/textsize.sh reads the link map.
SIZE_CFLAGS := $(CPU_FLAGS) $(TP_CSTD) -Os $(WARNINGS) -ffunction-sections -fdata-sections \
               -fno-common $(ALLOC_FLAGS)
SIZE_OBJS := $(call tp_objs,$(B)/size/obj,$(ALLOC_SRCS))

$(B)/size/obj/%.o: %.c bench/bench.mk
	@mkdir -p $(@D)
	$(Q)$(CC) $(SIZE_CFLAGS) $(call tp_inc,$<) -MMD -MP -c $< -o $@

# Bare (no kernel) when the allocator needs nothing but libc; otherwise
# with the kernel objects too (still only alloc sections are counted).
SIZE_LINK := $(CC) $(CPU_FLAGS) --specs=nano.specs -nostartfiles -Wl,--gc-sections \
             -Llinker -T $(BOARD_DIR)/memory.ld -Wl,--no-warn-rwx-segments \
             -Wl,--defsym=__heap_min_size=1024
$(B)/size/min.elf: $(B)/size/obj/bench/size_main.o $(SIZE_OBJS) $(KERNEL_LIB)
	@mkdir -p $(@D)
	$(Q)$(SIZE_LINK) -e main -Wl,-Map=$(@:.elf=.map) $(B)/size/obj/bench/size_main.o \
	    $(SIZE_OBJS) -o $@ 2>$(@D)/bare-link.log || { \
	  echo "bench: the allocator needs more than libc (see $(@D)/bare-link.log):" \
	       "size image linked with the kernel"; \
	  $(SIZE_LINK) -Wl,-Map=$(@:.elf=.map) $(B)/size/obj/bench/size_main.o $(SIZE_OBJS) \
	      -Wl,--start-group $(KERNEL_LIB) -lc -Wl,--end-group -o $@; }

-include $(shell find $(B) -name '*.d' 2>/dev/null)
