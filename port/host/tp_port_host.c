// SPDX-License-Identifier: MIT
/*
 * tp_port_host.c - the out-of-line part of the host port: stdout as the
 * print sink, no cycle counter, and an assertion failure that aborts (the sanitizers then
 * print the stack).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tp_port.h"

uint32_t tp_port_host_lock_depth;

void tp_port_print(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    (void)vprintf(fmt, ap);
    va_end(ap);
}

void tp_port_assert_failed(const char *file, int line, const char *cond) {
    fflush(stdout);
    fprintf(stderr, "assertion failed: %s (%s:%d)\n", cond, file, line);
    abort();
}

uint64_t tp_port_cycles(void) { return 0; }
