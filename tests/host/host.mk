# tests/host/host.mk - the portable layers built natively and tested under
# AddressSanitizer and UndefinedBehaviorSanitizer.  Used by `make host-test`.
#
# Each tests/host/test_NAME.c becomes one binary, linked with the harness and
# every portable source (PORTABLE_SRCS), all compiled together with
# HOST_CFLAGS plus HOST_FLAGS_test_NAME when that is set (e.g. the allocator's
# debug build for test_alloc_debug).  Add a portable layer here when it
# appears (alloc/, gc/): nothing in it may include Cortex-M headers.

HOST_BUILD := build/host
HOST_CC ?= gcc
HOST_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror -Wconversion -Wsign-conversion -Wshadow \
               -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
               -DTP_HOST -Iport -Ikernel -Ialloc -Igc -Iobjects -Iprof -I.
PORTABLE_SRCS := port/fmt.c $(wildcard port/host/*.c) $(wildcard alloc/*.c) $(wildcard gc/*.c) \
                 $(wildcard objects/*.c) $(wildcard prof/*.c)
# the collector's test types and conformance suite (shared with the target)
TEST_SUPPORT_SRCS := tests/heap_fixture.c tests/gc_types.c tests/gc_suite.c tests/gc_stress.c tests/objects_suite.c tests/prof_suite.c \
                     tests/misuse_suite.c
HOST_TESTS := $(patsubst tests/host/%.c,$(HOST_BUILD)/%,$(wildcard tests/host/test_*.c))

# per-binary flags: the allocator's debug build, with every file of alloc/
HOST_FLAGS_test_alloc_debug := -DTP_ALLOC_DEBUG=1
HOST_FLAGS_test_misuse_debug := -DTP_ALLOC_DEBUG=1
# every allocation of an object workload failed once (tp_heap_debug_fail_at)
HOST_FLAGS_test_fault_injection := -DTP_ALLOC_DEBUG=1
# the allocator with 64 size classes up to 512 bytes, in 2 KiB pools
HOST_FLAGS_test_alloc_classes512 := -DTP_ALLOC_SMALL_MAX=512 -DTP_ALLOC_POOL_SHIFT=11 \
                                    -DHEAP_BYTES='(256u * 1024u)'
# the collector finishing collections at out of memory (gc/tp_gc_config.h)
HOST_FLAGS_test_gc_oom_finish := -DTP_GC_OOM_POLICY=1
# the tracking build (prof/tp_track.h)
HOST_FLAGS_test_track := -DTP_ALLOC_TRACK=1 -fno-optimize-sibling-calls

.PHONY: run
run: $(HOST_TESTS)
	@tests/host/run.sh $(HOST_TESTS)

$(HOST_BUILD)/%: tests/host/%.c tests/harness.c $(PORTABLE_SRCS) $(TEST_SUPPORT_SRCS) \
                 $(wildcard port/*.h port/host/*.h kernel/*.h alloc/*.h gc/*.h objects/*.h prof/*.h tests/*.h tests/host/*.h) tests/host/host.mk
	@mkdir -p $(@D)
	@$(HOST_CC) $(HOST_CFLAGS) $(HOST_FLAGS_$(notdir $@)) $< tests/harness.c $(PORTABLE_SRCS) \
	    $(TEST_SUPPORT_SRCS) -o $@

# test files that include another test file depend on it too
$(HOST_BUILD)/test_alloc_classes512: tests/host/test_alloc.c
