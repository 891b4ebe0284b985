/*
 * test_objects.c - the object layer's suite (tests/objects_suite.c) on the
 * target: the source material's transcripts with Python's numbers, on the board.
 * The heap is one block of the default heap, up to 64 KiB.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tests/target/default_heap_block.h"
#include "tests/objects_suite.h"
#include "tp_alloc.h"
#include "tp_libc_malloc.h"

int main(void) {
    size_t size;
    void *arena = default_heap_block(640u, 64u * 1024u, &size); /* what the image needs besides: stdio */
    if (arena == NULL) return 2;
    tp_test_log("objects heap: %u bytes\n", (unsigned)size);
    objects_suite_setup(arena, size);
    return tp_test_main("objects", objects_suite_cases, objects_suite_count);
}
