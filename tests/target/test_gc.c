// SPDX-License-Identifier: MIT
/*
 * test_gc.c - the collector's conformance suite (tests/gc_suite.c) on the
 * target.  Each case builds its heap in one block taken from the default
 * heap: what the board has, up to 96 KiB, after the stress test's model, so
 * the deep and big structures scale with the board (8 KiB parts run them
 * small).
 */
#include "tests/gc_suite.h"
#include "tests/target/default_heap_block.h"

int main(void) { return gc_image_main("gc", gc_suite_cases, gc_suite_count); }
