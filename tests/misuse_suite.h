// SPDX-License-Identifier: MIT
/*
 * misuse_suite.h - the bad-input matrix (tests/misuse_suite.c): each misuse
 * of the allocator or the object layer reported, the heap left intact.
 */
#ifndef TESTS_MISUSE_SUITE_H
#define TESTS_MISUSE_SUITE_H

#include <stddef.h>

#include "tests/harness.h"

/* The memory each case builds its heap in (at least 32 KiB). */
void misuse_suite_setup(void *mem, size_t size);
extern const tp_test_case misuse_cases[];
extern const size_t misuse_count;

#endif /* TESTS_MISUSE_SUITE_H */
