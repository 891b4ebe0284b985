# SPDX-License-Identifier: MIT
# bench/gc/gc_bench.mk - the collector's benchmark (bench/gc/gc_bench.c) on
# netduinoplus2 under QEMU -icount shift=0.  Run by `make bench` after the
# allocator's benchmark; alone: make -f bench/gc/gc_bench.mk
B := build/bench-gc
NAME := gc_bench
TITLE := collector
WHAT := the collector benchmark
LAYER := gc
SRCS := tests/gc_types.c bench/gc/gc_bench.c
THIS_MK := bench/gc/gc_bench.mk
include bench/image.mk
