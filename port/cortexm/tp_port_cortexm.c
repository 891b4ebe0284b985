// SPDX-License-Identifier: MIT
/*
 * tp_port_cortexm.c - the out-of-line part of the Cortex-M port, over the
 * kernel: the print sink (the console), the cycle counter (kernel/timer.h)
 * and the assertion failure (reported on the console, then the program
 * ends with TP_EXIT_FAILURE).
 */
#include <stdarg.h>

#include "console.h"
#include "runtime.h"
#include "timer.h"
#include "tp_port.h"

void tp_port_print(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    (void)tp_vprintf(fmt, ap);
    va_end(ap);
}

void tp_port_assert_failed(const char *file, int line, const char *cond) {
    tp_printf("\n*** ASSERTION FAILED: %s (%s:%d)\n", cond, file, line);
    tp_exit(TP_EXIT_FAILURE);
}

uint64_t tp_port_cycles(void) { return tp_timer_cycles(); }
