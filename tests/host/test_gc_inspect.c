// SPDX-License-Identifier: MIT
/*
 * test_gc_inspect.c - the collector's inspection cases (tests/gc_suite.c,
 * gc_inspect_cases) on the host (ASan/UBSan).
 */
#include <stdint.h>

#include "tests/gc_suite.h"

/* 480 KiB: the collector's 16-bit links reach 512 KiB of heap */
static _Alignas(8) uint8_t arena[480u * 1024u];

int main(void) {
    gc_suite_setup(arena, sizeof arena, 400000u, 192);
    return tp_test_main("gc-inspect", gc_inspect_cases, gc_inspect_count);
}
