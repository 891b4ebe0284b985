/*
 * runtime.c - program exit.
 */
#include "runtime.h"

#include "console.h"
#include "cortexm.h"
#include "semihost.h"
#include "stack.h"

#ifndef TP_SEMIHOSTING
#define TP_SEMIHOSTING 1
#endif

void tp_exit(int status) {
    static volatile int exiting;
    if (!exiting) {
        exiting = 1;
        tp_stack_check(); /* a damaged canary turns this exit into an overflow report */
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
