# SPDX-License-Identifier: MIT
# bench/objects/obj_bench.mk - object workloads on the built-in types
# (bench/objects/obj_bench.c: json, trees, cycles; docs/objects-bench.md) on
# netduinoplus2 under QEMU -icount shift=0.  Run by `make bench` after the
# collector's benchmark; alone: make -f bench/objects/obj_bench.mk
#
# GC_FLAGS: -D settings of gc/tp_gc_config.h for an experiment, built apart
# from the default image, e.g.
#   make -f bench/objects/obj_bench.mk GC_FLAGS=-DTP_GC_CALL_WORK=54
GC_FLAGS ?=
B := build/bench-objects$(if $(GC_FLAGS),-$(shell printf '%s' '$(GC_FLAGS)' | cksum | cut -d' ' -f1))
NAME := obj_bench
TITLE := objects
WHAT := the object benchmark
LAYER := objects
SRCS := $(wildcard objects/*.c) bench/objects/obj_bench.c
THIS_MK := bench/objects/obj_bench.mk
include bench/image.mk
# the collector's out-of-memory hook is timed through a wrapper (obj_bench.c)
LDFLAGS += -Wl,--wrap=tp_heap_set_oom_hook
