// SPDX-License-Identifier: MIT
/*
 * gc_suite.h - the collector's conformance suite (tests/gc_suite.c), shared
 * by the host test and the target test image.
 */
#ifndef TESTS_GC_SUITE_H
#define TESTS_GC_SUITE_H

#include <stddef.h>

#include "tests/harness.h"

/* The memory every case builds its heap in (each case starts afresh); the
 * sizes of the deep and big structures scale with it (at most 10,000). */
#include <stdint.h>

void gc_suite_setup(void *arena, size_t size, uint32_t stress_ops, int stress_objs);
extern const tp_test_case gc_suite_cases[];
extern const size_t gc_suite_count;
/* pacing, out of memory, finalizers and the program's view (gc/tp_gc.h) */
extern const tp_test_case gc_inspect_cases[];
extern const size_t gc_inspect_count;
extern const tp_test_case gc_pacing_cases[];
extern const size_t gc_pacing_count;

#endif /* TESTS_GC_SUITE_H */
