// SPDX-License-Identifier: MIT
/*
 * default_heap_block.h - for test images whose suite builds its own heap:
 * one block of the C library's heap, as big as it can be given up to `max`,
 * leaving `keep` bytes of it for the image's own allocations.
 */
#ifndef TESTS_TARGET_DEFAULT_HEAP_BLOCK_H
#define TESTS_TARGET_DEFAULT_HEAP_BLOCK_H

#include <stdlib.h>

#include "tp_alloc.h"
#include "tp_libc_malloc.h"

/* The block (NULL if none), its size in *size. */
static inline void *default_heap_block(size_t keep, size_t max, size_t *size) {
    tp_heap_stats_t st;
    tp_heap_stats(tp_malloc_heap(), &st);
    size_t n = st.largest_free > keep ? st.largest_free - keep : 0u;
    if (n > max) n = max;
    *size = n;
    return n != 0 ? malloc(n) : NULL;
}

/* An image of the objects suite: its cases on up to 64 KiB of the default
 * heap, 640 bytes left for what the image needs besides (stdio). */
#ifdef TESTS_OBJECTS_SUITE_H
static inline int objects_image_main(const char *name, const tp_test_case *cases, size_t n) {
    size_t size;
    void *arena = default_heap_block(640u, 64u * 1024u, &size);
    if (arena == NULL) return 2;
    tp_test_log("objects heap: %u bytes\n", (unsigned)size);
    objects_suite_setup(arena, size);
    return tp_test_main(name, cases, n);
}
#endif

/* An image of the collector's suite: its heap in a block of the default heap
 * (up to 96 KiB), the stress objects scaled to what the board has (8 KiB
 * parts run the deep and big structures small). */
#ifdef TESTS_GC_SUITE_H
#include "tests/gc_stress.h"
static inline int gc_image_main(const char *name, const tp_test_case *cases, size_t n) {
    tp_heap_stats_t st;
    tp_heap_stats(tp_malloc_heap(), &st);
    int objs = st.largest_free >= 32u * 1024u ? 128 : 24;
    size_t size;
    void *arena = default_heap_block(gc_stress_bytes(objs) + 1024u, 96u * 1024u, &size);
    if (arena == NULL) return 2;
    gc_suite_setup(arena, size, 40000u, objs);
    return tp_test_main(name, cases, n);
}
#endif

#endif /* TESTS_TARGET_DEFAULT_HEAP_BLOCK_H */
