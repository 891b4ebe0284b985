// SPDX-License-Identifier: MIT
/*
 * prof_suite.c - scope marks (prof/tp_scope.h) and the text heap map
 * (prof/tp_heapdump.h): a known allocation pattern and its peak, nesting,
 * bad input, and the map's characters against the heap's extents.
 */
#include "tests/prof_suite.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "fmt.h"
#include "tp_alloc.h"
#include "tp_heapdump.h"
#include "tp_scope.h"

static void *arena;
static size_t arena_size;

void prof_suite_setup(void *mem, size_t size) {
    arena = mem;
    arena_size = size;
}

static tp_heap_t *fresh(void) { return tp_heap_init(arena, arena_size); }

/* A large block's cost to the footprint: its usable bytes and its header. */
static size_t cost(tp_heap_t *h, const void *p) { return tp_heap_usable_size(h, p) + 4u; }

/* Sizes that take the large path, scaled to the test heap (1.5 KiB on the
 * 8 KiB board to 16 KiB): together well under half of it. */
#define BIG (arena_size / 40u * 8u)
#define MID (arena_size / 64u * 8u)
#define SMALL (arena_size / 128u * 8u)

static void test_scope_reports_peak_of_known_pattern(void) {
    tp_heap_t *h = fresh();
    if (!TP_CHECK(h != NULL)) return;
    void *keep = tp_heap_alloc(h, SMALL); /* live before and after: not the scope's */
    tp_scope_t s;
    tp_scope_begin(&s, h, "pattern");
    void *a = tp_heap_alloc(h, BIG), *b = tp_heap_alloc(h, MID);
    size_t at_peak = cost(h, a) + cost(h, b);
    tp_heap_free(h, a);
    void *c = tp_heap_alloc(h, SMALL); /* smaller than a: the peak stays */
    tp_heap_free(h, b);
    void *leftover = tp_heap_alloc(h, 100);
    tp_heap_free(h, c);
    tp_scope_end(&s);
    TP_CHECK_EQ(s.peak - s.footprint_begin, at_peak);
    TP_CHECK_EQ(tp_scope_net_footprint(&s), cost(h, leftover));
    TP_CHECK_EQ(tp_scope_net_used(&s), tp_heap_usable_size(h, leftover));
    tp_heap_free(h, leftover);
    tp_heap_free(h, keep);
}

static void test_scopes_nest(void) {
    tp_heap_t *h = fresh();
    if (!TP_CHECK(h != NULL)) return;
    tp_scope_t outer, inner, later;
    tp_scope_begin(&outer, h, "outer");
    void *x = tp_heap_alloc(h, MID);
    tp_scope_begin(&inner, h, "inner");
    void *y = tp_heap_alloc(h, BIG);
    size_t cx = cost(h, x), xy = cx + cost(h, y);
    tp_heap_free(h, y);
    tp_scope_end(&inner);
    tp_heap_free(h, x);
    tp_scope_begin(&later, h, "later"); /* a smaller peak after the inner one */
    void *z = tp_heap_alloc(h, SMALL);
    size_t zc = cost(h, z);
    tp_heap_free(h, z);
    tp_scope_end(&later);
    tp_scope_end(&outer);
    TP_CHECK_EQ(inner.peak - inner.footprint_begin, xy - cx);
    TP_CHECK_EQ(later.peak - later.footprint_begin, zc);
    TP_CHECK_EQ(outer.peak - outer.footprint_begin, xy); /* the inner peak counts */
    TP_CHECK_EQ(tp_scope_net_footprint(&outer), 0);
    /* the heap's own high-water mark still covers it */
    tp_heap_stats_t st;
    tp_heap_stats(h, &st);
    TP_CHECK(st.footprint_peak >= outer.peak);
}

static char out[512];
static size_t out_len;
static void capture(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void capture(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = tp_vsnprintf(out + out_len, sizeof out - out_len, fmt, ap);
    va_end(ap);
    out_len += n;
    if (out_len >= sizeof out) out_len = sizeof out - 1u;
}

static void test_scope_bad_input(void) {
    tp_scope_t s;
    tp_scope_begin(NULL, NULL, "x"); /* nothing happens */
    tp_scope_begin(&s, NULL, "no heap");
    tp_scope_end(&s);
    TP_CHECK_EQ(s.open, 0);
    tp_scope_end(NULL);
    tp_heap_t *h = fresh();
    tp_scope_begin(&s, h, NULL);
    out_len = 0;
    tp_scope_print(&s, capture);
    TP_CHECK(strstr(out, "SCOPE scope: still open") != NULL);
    tp_scope_end(&s);
    tp_scope_end(&s); /* twice: the second changes nothing */
    out_len = 0;
    tp_scope_print(&s, capture);
    TP_CHECK(strncmp(out, "SCOPE scope: heap ", 18) == 0);
}

/* The map against the extents: each character is the symbol of the extent
 * with the most bytes in its POOL_SIZE unit. */
typedef struct {
    char expect[1024];
    size_t n;
    uintptr_t first;
    uint32_t best_bytes;
    uintptr_t unit;
    char best;
} expect_t;

static char symbol(const tp_extent_t *e) {
    if (e->kind == TP_EXTENT_POOL)
        return e->size_class < 0 ? '-'
                                 : (char)((2u * e->blocks_used >= e->blocks_total ? 'A' : 'a') + e->size_class);
    return e->kind == TP_EXTENT_USED ? '#' : e->kind == TP_EXTENT_FREE ? '.' : 'm';
}

/* (a unit never holds two pieces of one kind here but for fences: the test
 * heap is one region, and a unit's winner is what has the most bytes) */
static uint32_t unit_bytes[4];
static char unit_sym[4];
static unsigned unit_n;

static void close_unit(expect_t *x) {
    if (unit_n == 0) return;
    unsigned best = 0;
    for (unsigned i = 1; i < unit_n; i++)
        if (unit_bytes[i] > unit_bytes[best]) best = i;
    if (x->n < sizeof x->expect - 1u) x->expect[x->n++] = unit_sym[best];
    unit_n = 0;
}

static int expect_extent(const tp_extent_t *e, void *ctx) {
    expect_t *x = ctx;
    uintptr_t a = e->addr, end = e->addr + e->size;
    while (a < end) {
        uintptr_t unit = a & ~(uintptr_t)(TP_ALLOC_POOL_SIZE - 1u);
        if (x->n == 0 && unit_n == 0) x->first = unit;
        if (unit != x->unit) close_unit(x);
        x->unit = unit;
        uintptr_t stop = unit + TP_ALLOC_POOL_SIZE < end ? unit + TP_ALLOC_POOL_SIZE : end;
        char s = symbol(e);
        unsigned i = 0;
        while (i < unit_n && unit_sym[i] != s) i++;
        if (i == unit_n) {
            unit_sym[unit_n] = s;
            unit_bytes[unit_n++] = 0;
        }
        unit_bytes[i] += (uint32_t)(stop - a);
        a = stop;
    }
    return 0;
}

static void test_text_map_matches_extents(void) {
    tp_heap_t *h = fresh();
    if (!TP_CHECK(h != NULL)) return;
    void *p[40];
    for (unsigned i = 0; i < 40; i++) p[i] = tp_heap_alloc(h, i < 30 ? 8u + 8u * (i % 3u) : 200u);
    for (unsigned i = 0; i < 40; i += 4) tp_heap_free(h, p[i]);
    static expect_t x;
    memset(&x, 0, sizeof x);
    x.unit = (uintptr_t)-1;
    unit_n = 0;
    TP_CHECK_EQ(tp_heap_walk(h, expect_extent, &x), 0);
    close_unit(&x);
    out_len = 0;
    tp_heapmap_print(h, 200, capture); /* one line: the test heap is small */
    /* "<address> <map>\n<legend>" */
    static char want[1100];
    tp_snprintf(want, sizeof want, "%08lx %.*s\n", (unsigned long)x.first, (int)x.n, x.expect);
    TP_CHECK(x.n > 4 && x.n < 200);
    TP_CHECK(strncmp(out, want, strlen(want)) == 0);
    TP_CHECK(strchr(x.expect, '#') != NULL && strchr(x.expect, '.') != NULL);
    TP_CHECK(strpbrk(x.expect, "AaBbCc") != NULL);
    for (unsigned i = 0; i < 40; i++)
        if (i % 4u) tp_heap_free(h, p[i]);
}

const tp_test_case prof_suite_cases[] = {
    TP_CASE(test_scope_reports_peak_of_known_pattern),
    TP_CASE(test_scopes_nest),
    TP_CASE(test_scope_bad_input),
    TP_CASE(test_text_map_matches_extents),
};
const size_t prof_suite_count = TP_COUNT(prof_suite_cases);
