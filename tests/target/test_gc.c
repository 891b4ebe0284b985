// SPDX-License-Identifier: MIT
/*
 * test_gc.c - the collector's conformance suite (tests/gc_suite.c) on the
 * target.  Each case builds its heap in one block taken from the default
 * heap: what the board has, up to 96 KiB, after the stress test's model, so
 * the deep and big structures scale with the board (8 KiB parts run them
 * small).
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
    int objs = st.largest_free >= 32u * 1024u ? 128 : 24;
    size_t reserve = gc_stress_bytes(objs) + 1024u;
    size_t size = st.largest_free > reserve ? st.largest_free - reserve : 0u;
    if (size > 96u * 1024u) size = 96u * 1024u;
    void *arena = malloc(size);
    if (arena == NULL) return 2;
    gc_suite_setup(arena, size, 40000u, objs);
    return tp_test_main("gc", gc_suite_cases, gc_suite_count);
}
