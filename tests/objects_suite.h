// SPDX-License-Identifier: MIT
/*
 * objects_suite.h - the object layer's suite (tests/objects_suite.c): the
 * source material's transcripts with Python's exact numbers, and each type's
 * behaviour and errors.  Shared by the host test and the target image.
 */
#ifndef TESTS_OBJECTS_SUITE_H
#define TESTS_OBJECTS_SUITE_H

#include <stddef.h>

#include "tests/harness.h"

/* The memory every case builds its heap in (each case starts afresh). */
void objects_suite_setup(void *arena, size_t size);
extern const tp_test_case objects_suite_cases[];
extern const size_t objects_suite_count;
/* The objects and a collection (tracking, finalizers, moves): an image of
 * their own. */
extern const tp_test_case objects_copy_cases[];
extern const size_t objects_copy_count;
extern const tp_test_case objects_collect_cases[];
extern const size_t objects_collect_count;
/* The cases that inspect the heap (gc/tp_gc_inspect.h): an image of their own. */
extern const tp_test_case objects_inspect_cases[];
extern const size_t objects_inspect_count;

#endif /* TESTS_OBJECTS_SUITE_H */
