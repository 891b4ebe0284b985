// SPDX-License-Identifier: MIT
/*
 * test_gc_oom_finish.c - the collector's pacing cases (tests/gc_suite.c,
 * gc_pacing_cases) on the host, built with TP_GC_OOM_POLICY=TP_GC_OOM_FINISH
 * (the out-of-memory pass finishes the collection: stop-the-world, counted
 * as a pacing failure).
 */
#include <stdint.h>

#include "tests/gc_suite.h"

static _Alignas(8) uint8_t arena[480u * 1024u];

int main(void) {
    gc_suite_setup(arena, sizeof arena, 0u, 0);
    return tp_test_main("gc-oom-finish", gc_pacing_cases, gc_pacing_count);
}
