# SPDX-License-Identifier: MIT
# bench/gc/program_bench.mk - the program-level benchmark
# (bench/gc/program_bench.c: every call into the runtime timed, with the
# memory-management work inside it measured apart; pauses, MMU, peak over
# live, pacing failures) on netduinoplus2 under QEMU -icount shift=0.  Run by
# `make bench` after the object benchmark; alone:
#   make -f bench/gc/program_bench.mk
#
# GC_FLAGS: -D settings of gc/tp_gc_config.h for an experiment, built apart
# from the default image, e.g.
#   make -f bench/gc/program_bench.mk GC_FLAGS=-DTP_GC_CALL_WORK=72
GC_FLAGS ?=
B := build/bench-program$(if $(GC_FLAGS),-$(shell printf '%s' '$(GC_FLAGS)' | cksum | cut -d' ' -f1))
NAME := program_bench
TITLE := program-level memory management
WHAT := the program-level benchmark
LAYER := gc
SRCS := $(wildcard objects/*.c) bench/gc/program_bench.c
THIS_MK := bench/gc/program_bench.mk
QEMU_TIMEOUT ?= 60
include bench/image.mk
# RAM: the 112 KiB arena, the MMU ring (3 KiB) and a 4 KiB thread stack
# (the image prints how much of it it used: about 1.3 KiB)
LDFLAGS += -Wl,--defsym=__stack_size=4096
