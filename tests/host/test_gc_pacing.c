// SPDX-License-Identifier: MIT
/*
 * test_gc_pacing.c - the collector's pacing cases (tests/gc_suite.c,
 * gc_pacing_cases) on the host (ASan/UBSan).
 */
#include <stdint.h>

#include "tests/gc_suite.h"

static _Alignas(8) uint8_t arena[480u * 1024u];

int main(void) {
    gc_suite_setup(arena, sizeof arena, 0u, 0);
    return tp_test_main("gc-pacing", gc_pacing_cases, gc_pacing_count);
}
