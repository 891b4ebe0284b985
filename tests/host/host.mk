# SPDX-License-Identifier: MIT
# tests/host/host.mk - the portable layers built natively and tested under
# AddressSanitizer and UndefinedBehaviorSanitizer.  Used by `make host-test`.
#
# The layers are built as on the target (mk/layers.mk: one library per
# layer, each compiled with its own and the lower layers' include paths, the
# same warnings), with port/host/ in place of the kernel.  Each
# tests/host/test_NAME.c becomes one binary, linked with the harness, the
# shared test suites and the libraries.  A binary with its own settings
# (HOST_FLAGS_test_NAME, e.g. the allocator's debug build) gets its own build
# of everything under build/host/with-test_NAME/; the others share
# build/host/with-default/.

include mk/layers.mk

HOST_BUILD := build/host
HOST_CC ?= gcc
HOST_AR ?= ar
HOST_CFLAGS := $(TP_CSTD) -O1 -g $(TP_WARNINGS) \
               -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
               -DTP_HOST
HOST_LAYERS := port alloc gc objects prof
TP_SRCS_port := $(TP_SRCS_host_port)
# the collector's test types and conformance suite (shared with the target)
TEST_SUPPORT_SRCS := tests/harness.c tests/heap_fixture.c tests/gc_types.c tests/gc_suite.c \
                     tests/gc_stress.c tests/objects_suite.c tests/prof_suite.c tests/misuse_suite.c
HOST_TEST_NAMES := $(patsubst tests/host/%.c,%,$(wildcard tests/host/test_*.c))
HOST_TESTS := $(addprefix $(HOST_BUILD)/,$(HOST_TEST_NAMES))

# per-binary settings: the allocator's debug build, with every file of alloc/
HOST_FLAGS_test_alloc_debug := -DTP_ALLOC_DEBUG=1
HOST_FLAGS_test_misuse_debug := -DTP_ALLOC_DEBUG=1
# every allocation of an object workload failed once (tp_heap_debug_fail_at)
HOST_FLAGS_test_fault_injection := -DTP_ALLOC_DEBUG=1
# the allocator with 64 size classes up to 512 bytes, in 2 KiB pools
HOST_FLAGS_test_alloc_classes512 := -DTP_ALLOC_SMALL_MAX=512 -DTP_ALLOC_POOL_SHIFT=11 \
                                    -DHEAP_BYTES='(256u * 1024u)'
# the collector finishing collections at out of memory (gc/tp_gc_config.h)
HOST_FLAGS_test_gc_oom_finish := -DTP_GC_OOM_POLICY=1
# the tracking build (alloc/tp_track.h)
HOST_FLAGS_test_track := -DTP_ALLOC_TRACK=1 -fno-optimize-sibling-calls

# What was built with another compiler or other flags is rebuilt.
HOST_FLAGS_STAMP := $(HOST_BUILD)/flags.stamp
HOST_FLAGS_NOW := $(HOST_CC) $(HOST_AR) $(HOST_CFLAGS) \
                  $(foreach t,$(HOST_TEST_NAMES),$t:$(HOST_FLAGS_$t))
ifneq ($(file <$(HOST_FLAGS_STAMP)),$(HOST_FLAGS_NOW))
$(shell mkdir -p $(HOST_BUILD))
$(file >$(HOST_FLAGS_STAMP),$(HOST_FLAGS_NOW))
endif

# The build a test binary uses: its own when it has settings, else the shared one.
host_variant = $(if $(HOST_FLAGS_$1),$1,default)
HOST_VARIANTS := $(sort $(foreach t,$(HOST_TEST_NAMES),$(call host_variant,$t)))
Q := $(if $(V),,@)

.PHONY: run
run: $(HOST_TESTS)
	@tests/host/run.sh $(HOST_TESTS)

# $(call host_build,VARIANT): the objects and libraries of one variant
define host_build
$(HOST_BUILD)/with-$1/obj/%.o: %.c tests/host/host.mk mk/layers.mk $(HOST_FLAGS_STAMP)
	@mkdir -p $$(@D)
	$$(Q)$$(HOST_CC) $$(HOST_CFLAGS) $$(HOST_FLAGS_$1) $$(call tp_inc,$$<) -MMD -MP -c $$< -o $$@
$(foreach l,$(HOST_LAYERS),
$(HOST_BUILD)/with-$1/lib/libtp_$l.a: $(call tp_objs,$(HOST_BUILD)/with-$1/obj,$(TP_SRCS_$l))
	@mkdir -p $$(@D)
	$$(Q)rm -f $$@; $$(HOST_AR) rcs $$@ $$^
)
endef
$(foreach v,$(HOST_VARIANTS),$(eval $(call host_build,$v)))

# $(call host_test,NAME): one test binary
define host_test
$(HOST_BUILD)/$1: $(call tp_objs,$(HOST_BUILD)/with-$(call host_variant,$1)/obj,tests/host/$1.c $(TEST_SUPPORT_SRCS)) \
                  $(foreach l,$(HOST_LAYERS),$(HOST_BUILD)/with-$(call host_variant,$1)/lib/libtp_$l.a)
	$$(Q)$$(HOST_CC) $$(HOST_CFLAGS) $$(filter %.o,$$^) -Wl,--start-group $$(filter %.a,$$^) \
	    -Wl,--end-group -o $$@
endef
$(foreach t,$(HOST_TEST_NAMES),$(eval $(call host_test,$t)))

-include $(shell find $(HOST_BUILD) -name '*.d' 2>/dev/null)
