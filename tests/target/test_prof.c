// SPDX-License-Identifier: MIT
/*
 * test_prof.c - scope marks and the text heap map (tests/prof_suite.c) on
 * the board, plus what only the target has: the thread stack's peak inside
 * a scope, and the timer.  The suite's heap is a block of the default heap.
 */
#include <stdint.h>
#include <stdlib.h>

#include "stack.h"
#include "tests/target/default_heap_block.h"
#include "tests/prof_suite.h"
#include "tp_libc_malloc.h"
#include "tp_scope.h"

/* Uses a 320-byte frame below its caller's. */
__attribute__((noinline)) static unsigned dig(void) {
    volatile uint8_t buf[320]; /* fits the 1.5 KiB stack of the 8 KiB board */
    for (unsigned i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)i;
    return buf[319];
}

static void test_scope_stack_peak(void) {
    tp_heap_t *h = tp_malloc_heap();
    tp_scope_t shallow, deep, outer;
    tp_scope_begin(&shallow, h, "shallow"); /* (dig's frame would count whole: its
                                               buffer's first byte is its deepest) */
    tp_scope_end(&shallow);
    tp_scope_begin(&outer, h, "outer");
    tp_scope_begin(&deep, h, "deep");
    (void)dig();
    tp_scope_end(&deep);
    tp_scope_end(&outer);
    TP_CHECK(deep.stack_peak >= shallow.stack_peak + 160u); /* the 320-byte frame, less
                                                               what end itself used */
    TP_CHECK(outer.stack_peak >= deep.stack_peak);          /* carried out of the inner scope */
    TP_CHECK(tp_stack_high_water() >= deep.stack_peak);     /* since boot: still counted */
    TP_CHECK(deep.cycles > 0u && outer.cycles >= deep.cycles);
    tp_scope_print(&shallow, tp_test_log);
    tp_scope_print(&deep, tp_test_log);
    tp_scope_print(&outer, tp_test_log);
}

/* the shared suite's cases, then this image's own */
static tp_test_case cases[16];

int main(void) {
    size_t size;
    void *arena = default_heap_block(256u, 16u * 1024u, &size);
    if (arena == NULL || size < 1024u) return 2;
    tp_test_log("prof heap: %u bytes\n", (unsigned)size);
    prof_suite_setup(arena, size);
    size_t n = 0;
    for (; n < prof_suite_count && n < TP_COUNT(cases) - 1u; n++) cases[n] = prof_suite_cases[n];
    cases[n++] = (tp_test_case)TP_CASE(test_scope_stack_peak);
    return tp_test_main("prof", cases, n);
}
