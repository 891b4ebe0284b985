// SPDX-License-Identifier: MIT
/*
 * test_objects_inspect.c - the object layer's inspection cases
 * (objects_inspect_cases, tests/objects_suite.c) on the target: objects and
 * bytes per type, and the chain that keeps an object alive, printed with
 * reprs.  An image of their own: with the rest of the objects suite they
 * would not fit the bluepill's 64 KiB of flash.  A 2 KiB heap, what the
 * smallest board affords the objects suite.
 */
#include <stdlib.h>

#include "tests/objects_suite.h"

int main(void) {
    enum { HEAP = 2048 };
    void *arena = malloc(HEAP);
    if (arena == NULL) return 2;
    objects_suite_setup(arena, HEAP);
    return tp_test_main("objects-inspect", objects_inspect_cases, objects_inspect_count);
}
