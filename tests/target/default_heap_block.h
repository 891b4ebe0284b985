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

#endif /* TESTS_TARGET_DEFAULT_HEAP_BLOCK_H */
