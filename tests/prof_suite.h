// SPDX-License-Identifier: MIT
/*
 * prof_suite.h - scope marks and the text heap map (prof/), on the host
 * under ASan/UBSan and on every board (tests/prof_suite.c).
 */
#ifndef TESTS_PROF_SUITE_H
#define TESTS_PROF_SUITE_H

#include <stddef.h>

#include "tests/harness.h"

/* The memory the cases build their heaps in (at least 1 KiB). */
void prof_suite_setup(void *arena, size_t size);
extern const tp_test_case prof_suite_cases[];
extern const size_t prof_suite_count;

#endif /* TESTS_PROF_SUITE_H */
