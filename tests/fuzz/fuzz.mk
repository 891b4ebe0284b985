# tests/fuzz/fuzz.mk - the libFuzzer targets, built with clang under ASan +
# UBSan: the allocator's, tests/fuzz/fuzz_alloc.c, twice - fuzz_alloc (release
# build) and fuzz_alloc_debug (TP_ALLOC_DEBUG=1), each with its own copy of
# alloc/ (all but libc_malloc.c) - and the object layer's with the collector,
# tests/fuzz/fuzz_objects.c (fuzz_objects).  Used by the main Makefile:
#
#   make fuzz         each for FUZZ_SECONDS (default 60); the corpus grows in
#                     build/fuzz/corpus-NAME/, starting from tests/fuzz/corpus/
#   make fuzz-short   each for FUZZ_RUNS inputs (default 20000) with -seed=1,
#                     from the seeds only: the same inputs on every run (part
#                     of `make test`)
#
# A crash leaves its input in build/fuzz/NAME-crash-*; replay it with
# `build/fuzz/NAME FILE` (FUZZ_ALLOC_TRACE=1 prints each operation).

FUZZ_BUILD := build/fuzz
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror -Wconversion -Wsign-conversion -Wshadow \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
               -DTP_HOST -Iport -Ikernel -Ialloc -I.
FUZZ_SRCS := tests/fuzz/fuzz_alloc.c $(wildcard port/host/*.c) $(wildcard alloc/*.c)
# the object layer and the collector, on the allocator's debug build (its
# fault injection makes chosen allocations fail)
FUZZ_OBJECTS_SRCS := tests/fuzz/fuzz_objects.c port/fmt.c $(wildcard port/host/*.c) $(wildcard alloc/*.c) \
                     $(wildcard gc/*.c) $(wildcard objects/*.c)
FUZZERS := $(FUZZ_BUILD)/fuzz_alloc $(FUZZ_BUILD)/fuzz_alloc_debug $(FUZZ_BUILD)/fuzz_objects
FUZZ_FLAGS_fuzz_alloc_debug := -DTP_ALLOC_DEBUG=1

FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= 20000

.PHONY: fuzz fuzz-short
fuzz: $(FUZZERS)
	@tests/fuzz/run.sh time $(FUZZ_SECONDS) $(FUZZERS)

fuzz-short: $(FUZZERS)
	@tests/fuzz/run.sh runs $(FUZZ_RUNS) $(FUZZERS)

$(FUZZ_BUILD)/fuzz_objects: $(FUZZ_OBJECTS_SRCS) $(wildcard alloc/*.h gc/*.h objects/*.h kernel/*.h) tests/fuzz/fuzz.mk
	@mkdir -p $(@D)
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -DTP_ALLOC_DEBUG=1 -Igc -Iobjects $(FUZZ_OBJECTS_SRCS) -o $@

$(FUZZ_BUILD)/%: $(FUZZ_SRCS) $(wildcard alloc/*.h tests/*.h) tests/fuzz/fuzz.mk
	@mkdir -p $(@D)
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_FLAGS_$(notdir $@)) $(FUZZ_SRCS) -o $@
