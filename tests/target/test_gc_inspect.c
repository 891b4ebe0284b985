// SPDX-License-Identifier: MIT
/*
 * test_gc_inspect.c - the collector's inspection cases (tests/gc_suite.c,
 * gc_inspect_cases: counts per type and generation, referrers, paths) on the
 * target, in a block of the default heap as test_gc.c takes it.  An image of
 * their own: with the rest of the suite they would not fit the bluepill's
 * 64 KiB of flash.
 */
#include "tests/gc_suite.h"
#include "tests/target/default_heap_block.h"

int main(void) { return gc_image_main("gc-inspect", gc_inspect_cases, gc_inspect_count); }
