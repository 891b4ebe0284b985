# SPDX-License-Identifier: MIT
# tests/fuzz/fuzz.mk - the libFuzzer targets, built with clang under ASan +
# UBSan: the allocator's, tests/fuzz/fuzz_alloc.c, twice - fuzz_alloc (release
# build) and fuzz_alloc_debug (TP_ALLOC_DEBUG=1) - and the object layer's with
# the collector, tests/fuzz/fuzz_objects.c (fuzz_objects, on the debug build).
# They link the layers' libraries, built as mk/layers.mk says.
# Used by the main Makefile:
#
#   make fuzz         each for FUZZ_SECONDS (default 60); the corpus grows in
#                     build/fuzz/corpus-NAME/, starting from tests/fuzz/corpus/
#   make fuzz-short   each for FUZZ_RUNS inputs (default 20000) with -seed=1,
#                     from the seeds only: the same inputs on every run (part
#                     of `make test`)
#
# A crash leaves its input in build/fuzz/NAME-crash-*; replay it with
# `build/fuzz/NAME FILE` (FUZZ_ALLOC_TRACE=1 prints each operation).

include mk/layers.mk

FUZZ_BUILD := build/fuzz
FUZZ_CC ?= clang
FUZZ_AR ?= ar
FUZZ_CFLAGS := $(TP_CSTD) -O1 -g $(TP_WARNINGS) \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
               -DTP_HOST
FUZZ_LAYERS := port alloc gc objects
TP_SRCS_port := $(TP_SRCS_host_port)
# two builds of the layers (mk/layers.mk), one library each: release, and the
# allocator's debug build (its fault injection makes chosen allocations fail)
FUZZ_VARIANT_FLAGS_release :=
FUZZ_VARIANT_FLAGS_debug := -DTP_ALLOC_DEBUG=1
FUZZ_VARIANT_fuzz_alloc := release
FUZZ_VARIANT_fuzz_alloc_debug := debug
FUZZ_VARIANT_fuzz_objects := debug
FUZZ_MAIN_fuzz_alloc := tests/fuzz/fuzz_alloc.c
FUZZ_MAIN_fuzz_alloc_debug := tests/fuzz/fuzz_alloc.c
FUZZ_MAIN_fuzz_objects := tests/fuzz/fuzz_objects.c
FUZZERS := $(FUZZ_BUILD)/fuzz_alloc $(FUZZ_BUILD)/fuzz_alloc_debug $(FUZZ_BUILD)/fuzz_objects

FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= 20000
Q := $(if $(V),,@)

.PHONY: fuzz fuzz-short
fuzz: $(FUZZERS)
	@tests/fuzz/run.sh time $(FUZZ_SECONDS) $(FUZZERS)

fuzz-short: $(FUZZERS)
	@tests/fuzz/run.sh runs $(FUZZ_RUNS) $(FUZZERS)

define fuzz_build # $1 variant
$(FUZZ_BUILD)/$1/obj/%.o: %.c tests/fuzz/fuzz.mk mk/layers.mk
	@mkdir -p $$(@D)
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$(FUZZ_VARIANT_FLAGS_$1) $$(call tp_inc,$$<) -MMD -MP -c $$< -o $$@
$(foreach l,$(FUZZ_LAYERS),
$(FUZZ_BUILD)/$1/lib/libtp_$l.a: $(call tp_objs,$(FUZZ_BUILD)/$1/obj,$(TP_SRCS_$l))
	@mkdir -p $$(@D)
	$$(Q)rm -f $$@; $$(FUZZ_AR) rcs $$@ $$^
)
endef
$(eval $(call fuzz_build,release))
$(eval $(call fuzz_build,debug))

define fuzzer # $1 name
$(FUZZ_BUILD)/$1: $(call tp_objs,$(FUZZ_BUILD)/$(FUZZ_VARIANT_$1)/obj,$(FUZZ_MAIN_$1)) \
                  $(foreach l,$(FUZZ_LAYERS),$(FUZZ_BUILD)/$(FUZZ_VARIANT_$1)/lib/libtp_$l.a)
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$(filter %.o,$$^) -Wl,--start-group $$(filter %.a,$$^) \
	    -Wl,--end-group -o $$@
endef
$(foreach f,$(notdir $(FUZZERS)),$(eval $(call fuzzer,$f)))

-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)
