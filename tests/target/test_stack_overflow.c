// SPDX-License-Identifier: MIT
/*
 * test_stack_overflow.c - unbounded recursion is caught by the stack guard
 * (MPU region, PSPLIM or canary) and reported as a stack overflow, exit 4.
 *
 *@expect-exit 4
 *@expect-output ^\*\*\* STACK OVERFLOW
 */
#include <stdint.h>

#include "console.h"
#include "memmap.h"
#include "stack.h"

/* Recurses until its frame lies 48 bytes below the stack limit: a hardware
 * guard faults on the way, a canary guard is damaged but not jumped over. */
__attribute__((noinline)) static uint32_t dive(uint32_t depth) {
    volatile uint8_t frame[64];
    for (unsigned i = 0; i < sizeof frame; i++) frame[i] = (uint8_t)(depth + i);
    if ((uintptr_t)&frame[0] < (uintptr_t)__stack_limit - 48u) return frame[depth % 64u];
    return dive(depth + 1u) + frame[depth % 64u];
}

int main(void) {
    tp_printf("overflow-test: thread stack %u bytes, guard: %s\n", (unsigned)tp_stack_size(),
              tp_stack_guard_name());
    uint32_t r = dive(0);
    /* with a canary the damage is found at the next check */
    tp_stack_check();
    tp_printf("overflow-test: not detected (%lu)\n", (unsigned long)r);
    return 0;
}
