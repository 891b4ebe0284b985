// SPDX-License-Identifier: MIT
/*
 * harness.h - the test harness shared by target images and host tests.
 *
 * A test file lists its cases and hands them to tp_test_main:
 *
 *   static void test_something(void) { TP_CHECK(1 + 1 == 2); }
 *   static const tp_test_case cases[] = { TP_CASE(test_something) };
 *   int main(void) { return tp_test_main("suite", cases, TP_COUNT(cases)); }
 *
 * Each case prints one line, "PASS name" or "FAIL name" followed by the
 * failed checks; the image ends with "N passed, N failed" alone on a line and
 * returns non-zero when anything failed (the exit status of the image).
 */
#ifndef TP_HARNESS_H
#define TP_HARNESS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name;
    void (*fn)(void);
} tp_test_case;

#define TP_CASE(fn) {#fn, fn}
#define TP_COUNT(a) (sizeof(a) / sizeof((a)[0]))

int tp_test_main(const char *suite, const tp_test_case *cases, size_t count);

/* Records a failed check in the running case; returns cond. */
int tp_check(int cond, const char *expr, const char *file, int line);
int tp_check_eq(uintmax_t a, uintmax_t b, const char *ea, const char *eb, const char *file,
                int line);
int tp_check_str(const char *a, const char *b, const char *ea, const char *eb, const char *file,
                 int line);

/* Prints through the console (target) or stdout (host). */
void tp_test_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define TP_CHECK(cond) tp_check((cond) ? 1 : 0, #cond, __FILE__, __LINE__)
#define TP_CHECK_EQ(a, b) tp_check_eq((uintmax_t)(a), (uintmax_t)(b), #a, #b, __FILE__, __LINE__)
#define TP_CHECK_STR(a, b) tp_check_str((a), (b), #a, #b, __FILE__, __LINE__)

#endif /* TP_HARNESS_H */
