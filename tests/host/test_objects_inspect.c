// SPDX-License-Identifier: MIT
/*
 * test_objects_inspect.c - the object layer's inspection cases
 * (objects_inspect_cases, tests/objects_suite.c) on the host (ASan/UBSan).
 */
#include <stdint.h>

#include "tests/objects_suite.h"

static _Alignas(8) uint8_t arena[64u * 1024u];

int main(void) {
    objects_suite_setup(arena, sizeof arena);
    return tp_test_main("objects-inspect", objects_inspect_cases, objects_inspect_count);
}
