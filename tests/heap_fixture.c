// SPDX-License-Identifier: MIT
/*
 * heap_fixture.c - see heap_fixture.h.
 */
#include "tests/heap_fixture.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "fmt.h"
#include "tp_alloc.h"
#include "tp_gc.h"

size_t fx_base_used;
unsigned fx_gc_errors;
static const char *const *expected;
static uint8_t n_expected, lines, found_at[FX_EXPECT_MAX]; /* a few short prints */

void fx_expect(const char *const *strings, size_t n) {
    expected = strings;
    n_expected = (uint8_t)(n < FX_EXPECT_MAX ? n : FX_EXPECT_MAX);
    lines = 0;
    memset(found_at, 0, sizeof found_at);
}

unsigned fx_found(size_t i) { return i < n_expected ? found_at[i] : 0u; }

/* Whether `s` holds `part`: a plain search, since newlib's strstr would
 * cost the 64 KiB board more than a kilobyte of flash. */
static int contains(const char *s, const char *part) {
    size_t n = strlen(part);
    for (; *s != '\0'; s++)
        if (strncmp(s, part, n) == 0) return 1;
    return 0;
}

void fx_print(const char *fmt, ...) {
    char line[200]; /* on the stack only while a line is looked at */
    line[0] = '\n';
    va_list ap;
    va_start(ap, fmt);
    (void)tp_vsnprintf(line + 1, sizeof line - 1u, fmt, ap);
    va_end(ap);
    if (lines < UINT8_MAX) lines++;
    for (size_t i = 0; i < n_expected; i++)
        if (found_at[i] == 0 && contains(line, expected[i])) found_at[i] = lines;
}

static void on_gc_error(const char *what, const tp_obj_t *o, void *ctx) {
    (void)what, (void)o, (void)ctx;
    fx_gc_errors++;
}

size_t fx_heap_used(void) {
    tp_heap_stats_t st;
    tp_heap_stats(tp_gc_heap(), &st);
    return st.used_bytes;
}

int fx_fresh(void *arena, size_t size, int (*register_types)(void)) {
    tp_heap_t *h = tp_heap_init(arena, size);
    if (h == NULL || tp_gc_init(h) != 0 || register_types() != 0) return -1;
    tp_gc_set_error_hook(on_gc_error, NULL);
    fx_gc_errors = 0;
    fx_base_used = fx_heap_used();
    return 0;
}

void fx_count_rule_only(void) {
    tp_gc_pacing_t p;
    tp_gc_get_pacing(&p);
    p.young_permille = 1000;
    p.full_trigger_pct = 100;
    (void)tp_gc_set_pacing(&p);
}
