// SPDX-License-Identifier: MIT
/*
 * test_objects.c - the object layer's suite (tests/objects_suite.c) on the
 * target: the source material's transcripts with Python's numbers, on the board.
 * The heap is one block of the default heap, up to 64 KiB.
 */
#include "tests/objects_suite.h"
#include "tests/target/default_heap_block.h"

int main(void) { return objects_image_main("objects", objects_suite_cases, objects_suite_count); }
