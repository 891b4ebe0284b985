// SPDX-License-Identifier: MIT
/*
 * runtime.c - program exit.
 */
#include "runtime.h"

#include <stddef.h>

#include "console.h"
#include "cortexm.h"
#include "semihost.h"
#include "stack.h"

#ifndef TP_SEMIHOSTING
#define TP_SEMIHOSTING 1
#endif

/* No heap: a fixed table (the kernel allocates nothing). */
static void (*at_exit_fns[TP_AT_EXIT_MAX])(int status);
static unsigned at_exit_count;

int tp_at_exit(void (*fn)(int status)) {
    if (fn == NULL || at_exit_count == TP_AT_EXIT_MAX) return -1;
    at_exit_fns[at_exit_count++] = fn;
    return 0;
}

void tp_exit(int status) {
    static volatile int exiting;
    if (!exiting) {
        exiting = 1;
        tp_stack_check(); /* a damaged canary turns this exit into an overflow report */
        /* a handler that exits again comes back here with exiting set */
        while (at_exit_count > 0) at_exit_fns[--at_exit_count](status);
    }
    tp_console_flush();
#if TP_SEMIHOSTING
    tp_semihost_exit(status);
#else
    tp_printf("\n[tidepool] program exited with status %d\n", status);
    tp_console_flush();
    __asm volatile("cpsid i");
    for (;;) {
        __asm volatile("wfi");
    }
#endif
}

/* newlib's exit() ends here after running atexit handlers. */
__attribute__((noreturn)) void _exit(int status);
void _exit(int status) { tp_exit(status); }
