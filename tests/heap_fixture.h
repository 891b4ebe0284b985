// SPDX-License-Identifier: MIT
/*
 * heap_fixture.h - a fresh heap and collector for each test case, shared by
 * the collector's and the object layer's suites.
 */
#ifndef TESTS_HEAP_FIXTURE_H
#define TESTS_HEAP_FIXTURE_H

#include <stddef.h>

/* Builds a heap in `arena`, starts the collector on it, registers the
 * suite's types and counts the collector's errors from then on; records the
 * bytes in use (the collector's list heads) as fx_base_used.  0 or -1. */
int fx_fresh(void *arena, size_t size, int (*register_types)(void));
size_t fx_heap_used(void);
extern size_t fx_base_used;
/* For cases that start and step a collection themselves: the pacing by
 * bytes set aside, so that no collection starts on its own on a small heap
 * (the generation thresholds still apply). */
void fx_count_rule_only(void);
extern unsigned fx_gc_errors;

/* A printf-like callback for the print functions under test, which print
 * a line per call.  It keeps no output (the 8 KiB board has no RAM for it):
 * it looks for the strings fx_expect gave it in each line, seen as "\n",
 * the line and its own "\n", so a string may start or end a line.
 * fx_found(i): the number of the first line (from 1) that held string i,
 * or 0.  fx_expect also restarts the line count. */
#define FX_EXPECT_MAX 8
void fx_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fx_expect(const char *const *strings, size_t n);
unsigned fx_found(size_t i);

#endif /* TESTS_HEAP_FIXTURE_H */
