// SPDX-License-Identifier: MIT
/*
 * test_objects_collect.c - the object layer's cases about collections
 * (objects_collect_cases, tests/objects_suite.c) on the target: which objects
 * are tracked, instance finalizers, references moved while a collection
 * runs.  An image of their own: with the rest of the objects suite they
 * would not fit the bluepill's 64 KiB of flash.
 */
#include "tests/objects_suite.h"
#include "tests/target/default_heap_block.h"

int main(void) { return objects_image_main("objects-collect", objects_collect_cases, objects_collect_count); }
