// SPDX-License-Identifier: MIT
/*
 * test_objects_copy.c - the object layer's cases about copies,
 * representations and equality, tuples and views (objects_copy_cases,
 * tests/objects_suite.c) on the host (ASan/UBSan).
 */
#include <stdint.h>

#include "tests/objects_suite.h"

static _Alignas(8) uint8_t arena[256u * 1024u];

int main(void) {
    objects_suite_setup(arena, sizeof arena);
    return tp_test_main("objects-copy", objects_copy_cases, objects_copy_count);
}
