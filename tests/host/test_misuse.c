// SPDX-License-Identifier: MIT
/*
 * test_misuse.c - the bad-input matrix (tests/misuse_suite.c) on the host,
 * under ASan/UBSan, with the allocator's release build.
 */
#include <stdint.h>

#include "tests/misuse_suite.h"

static _Alignas(8) uint8_t arena[64u * 1024u];

int main(void) {
    misuse_suite_setup(arena, sizeof arena);
    return tp_test_main("misuse", misuse_cases, misuse_count);
}
