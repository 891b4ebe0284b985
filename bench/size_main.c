// SPDX-License-Identifier: MIT
/*
 * size_main.c - the smallest program that uses tidepool's allocator: init,
 * one allocation, one free.  Linked with --gc-sections against the alloc
 * objects (bench/bench.mk, target textsize), it keeps exactly the allocator
 * code reachable from tp_heap_init + tp_heap_alloc + tp_heap_free, which
 * bench/textsize.sh adds up from the link map.
 */
#include <stddef.h>
#include <stdint.h>

#include "alloc/tp_alloc.h"

int main(void);

static uint64_t arena[512];
volatile size_t size_main_request = 24;

int main(void) {
    tp_heap_t *h = tp_heap_init(arena, sizeof arena);
    void *p = tp_heap_alloc(h, size_main_request);
    tp_heap_free(h, p);
    return p != NULL;
}
