// SPDX-License-Identifier: MIT
/*
 * test_objects.c - the object layer's suite on the host (ASan/UBSan).
 */
#include <stdint.h>

#include "tests/objects_suite.h"

static _Alignas(8) uint8_t arena[256u * 1024u];

int main(void) {
    objects_suite_setup(arena, sizeof arena);
    return tp_test_main("objects", objects_suite_cases, objects_suite_count);
}
