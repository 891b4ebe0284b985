// SPDX-License-Identifier: MIT
/*
 * test_objects_copy.c - the object layer's cases about copies,
 * representations and equality, tuples and views (objects_copy_cases,
 * tests/objects_suite.c) on the target.  An image of their own: with the rest
 * of the objects suite they would not fit the bluepill's 64 KiB of flash.
 */
#include "tests/objects_suite.h"
#include "tests/target/default_heap_block.h"

int main(void) {
    return objects_image_main("objects-copy", objects_copy_cases, objects_copy_count);
}
