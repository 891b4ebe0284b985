// SPDX-License-Identifier: MIT
/*
 * test_prof.c - scope marks and the text heap map (tests/prof_suite.c) on
 * the host, under ASan/UBSan.
 */
#include <stdint.h>

#include "tests/prof_suite.h"

static _Alignas(4096) uint8_t arena[16u * 1024u];

int main(void) {
    prof_suite_setup(arena, sizeof arena);
    return tp_test_main("prof", prof_suite_cases, prof_suite_count);
}
