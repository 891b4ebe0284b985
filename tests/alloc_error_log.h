// SPDX-License-Identifier: MIT
/*
 * alloc_error_log.h - an allocator error hook for tests that keeps the last
 * error reported and counts them (tests of the debug build, host and target).
 * Install it with tp_heap_set_error_hook(heap, record_error, NULL).
 */
#ifndef TP_ALLOC_ERROR_LOG_H
#define TP_ALLOC_ERROR_LOG_H

#include <string.h>

#include "tp_alloc.h"

static tp_alloc_error_t last;
static unsigned errors_seen;

static void record_error(const tp_alloc_error_t *e, void *ctx) {
    (void)ctx;
    last = *e;
    errors_seen++;
}

static void forget_errors(void) {
    memset(&last, 0, sizeof last);
    errors_seen = 0;
}

#endif
