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
extern unsigned fx_gc_errors;

/* A printf-like callback for the print functions under test: appends to
 * fx_printed (NUL-terminated, cut at its size); fx_printed_clear empties it. */
void fx_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fx_printed_clear(void);
extern char fx_printed[512];

#endif /* TESTS_HEAP_FIXTURE_H */
