// SPDX-License-Identifier: MIT
/*
 * test_gc_pacing.c - the collector's pacing cases (tests/gc_suite.c,
 * gc_pacing_cases: pacing by bytes, bounded deallocation, out of memory,
 * finalizers outside allocations) on the target, in a block of the default
 * heap as test_gc.c takes it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tests/gc_stress.h"
#include "tests/gc_suite.h"
#include "tp_alloc.h"
#include "tp_libc_malloc.h"

int main(void) {
    tp_heap_stats_t st;
    tp_heap_stats(tp_malloc_heap(), &st);
    size_t reserve = 1024u;
    size_t size = st.largest_free > reserve ? st.largest_free - reserve : 0u;
    if (size > 96u * 1024u) size = 96u * 1024u;
    void *arena = malloc(size);
    if (arena == NULL) return 2;
    gc_suite_setup(arena, size, 0u, 0);
    return tp_test_main("gc-pacing", gc_pacing_cases, gc_pacing_count);
}
