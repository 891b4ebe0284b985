// SPDX-License-Identifier: MIT
/*
 * harness.c - see harness.h.  Target images print through the kernel
 * console (no heap, no stdio); host tests print through stdio.
 */
#include "harness.h"

#include <stdarg.h>
#include <string.h>

#ifdef TP_HOST
#include <stdio.h>
static void vlog(const char *fmt, va_list ap) {
    vprintf(fmt, ap);
    fflush(stdout);
}
#else
#include "console.h"
static void vlog(const char *fmt, va_list ap) { tp_vprintf(fmt, ap); }
#endif

static const char *current_case;
static unsigned current_failures;

void tp_test_log(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}

static void report_failure_header(void) {
    if (current_failures++ == 0) tp_test_log("FAIL %s\n", current_case);
}

int tp_check(int cond, const char *expr, const char *file, int line) {
    if (!cond) {
        report_failure_header();
        tp_test_log("    %s:%d: check failed: %s\n", file, line, expr);
    }
    return cond;
}

int tp_check_eq(uintmax_t a, uintmax_t b, const char *ea, const char *eb, const char *file,
                int line) {
    if (a != b) {
        report_failure_header();
        tp_test_log("    %s:%d: %s == %s failed: %ju (0x%jx) != %ju (0x%jx)\n", file, line, ea, eb,
                    a, a, b, b);
    }
    return a == b;
}

int tp_check_str(const char *a, const char *b, const char *ea, const char *eb, const char *file,
                 int line) {
    int ok = a != NULL && b != NULL && strcmp(a, b) == 0;
    if (!ok) {
        report_failure_header();
        tp_test_log("    %s:%d: %s == %s failed: \"%s\" != \"%s\"\n", file, line, ea, eb,
                    a ? a : "(null)", b ? b : "(null)");
    }
    return ok;
}

int tp_test_main(const char *suite, const tp_test_case *cases, size_t count) {
    unsigned passed = 0, failed = 0;
    tp_test_log("suite %s: %u cases\n", suite, (unsigned)count);
    for (size_t i = 0; i < count; i++) {
        current_case = cases[i].name;
        current_failures = 0;
        cases[i].fn();
        if (current_failures == 0) {
            tp_test_log("PASS %s\n", cases[i].name);
            passed++;
        } else {
            failed++;
        }
    }
    tp_test_log("%u passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
