// SPDX-License-Identifier: MIT
/*
 * test_alloc.c - the allocator on the target: malloc() is tidepool's and
 * obeys the C library's contract; errors are reported; a randomised stress
 * test with tp_heap_validate() after every operation at 50 % and 100 % fill.
 */
#define _POSIX_C_SOURCE 200112L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memmap.h"
#include "tests/harness.h"
#include "tp_alloc.h"
#include "tp_libc_malloc.h"

#define ADDR(p) ((uintptr_t)(p))

static tp_alloc_err_t last_kind;
static unsigned errors_seen;
static void record_error(const tp_alloc_error_t *e, void *ctx) {
    (void)ctx;
    last_kind = e->kind;
    errors_seen++;
}

static void test_malloc_is_tidepools(void) {
    tp_heap_t *h = tp_malloc_heap();
    TP_CHECK(h != NULL);
    tp_heap_stats_t before, after;
    tp_heap_stats(h, &before);
    char *p = malloc(20);
    TP_CHECK(p != NULL);
    tp_region_t regions[TP_MAX_HEAP_REGIONS];
    size_t nreg = tp_heap_regions(regions), in_region = 0;
    for (size_t i = 0; i < nreg; i++)
        if (ADDR(p) >= regions[i].start && ADDR(p) < regions[i].end) in_region++;
    TP_CHECK_EQ(in_region, 1u);
    TP_CHECK_EQ(ADDR(p) % 8u, 0);
    TP_CHECK_EQ(malloc_usable_size(p), 24u);
    tp_heap_stats(h, &after);
    TP_CHECK_EQ(after.alloc_count, before.alloc_count + 1u);
    free(p);
    tp_heap_stats(h, &after);
    TP_CHECK_EQ(after.free_count, before.free_count + 1u);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

static void test_libc_contract(void) {
    volatile size_t huge = (size_t)-16; /* volatile: -Walloc-size-larger-than */
    errno = 0;
    TP_CHECK(malloc(huge) == NULL);
    TP_CHECK_EQ(errno, ENOMEM);
    errno = 0;
    TP_CHECK(calloc(huge / 2u, 4) == NULL);
    TP_CHECK_EQ(errno, ENOMEM);
    uint8_t *z = calloc(10, 10);
    TP_CHECK(z != NULL);
    for (int i = 0; i < 100; i++) TP_CHECK_EQ(z[i], 0);
    uint8_t *r = realloc(z, 300);
    TP_CHECK(r != NULL && r[99] == 0);
    TP_CHECK(realloc(r, 0) == NULL);
    void *a = NULL;
    TP_CHECK_EQ(posix_memalign(&a, 64, 100), 0);
    TP_CHECK(a != NULL && ADDR(a) % 64u == 0);
    free(a);
    TP_CHECK_EQ(posix_memalign(&a, 3, 100), EINVAL);
    errno = 0;
    TP_CHECK(aligned_alloc(48, 96) == NULL);
    TP_CHECK_EQ(errno, EINVAL);
    void *m = memalign(128, 10);
    TP_CHECK(m != NULL && ADDR(m) % 128u == 0);
    free(m);
    free(NULL);
    TP_CHECK_EQ(tp_heap_validate(tp_malloc_heap()), 0);
}

static void test_stdio_buffers_come_from_the_heap(void) {
    tp_heap_stats_t before, after;
    tp_heap_stats(tp_malloc_heap(), &before);
    printf("alloc-test: printf through newlib\n");
    fflush(stdout);
    tp_heap_stats(tp_malloc_heap(), &after);
    TP_CHECK(after.alloc_count >= before.alloc_count); /* stdout's buffer, if any, is ours */
    TP_CHECK_EQ(tp_heap_validate(tp_malloc_heap()), 0);
}

static void test_errors_reported_heap_intact(void) {
    tp_heap_t *h = tp_malloc_heap();
    tp_heap_set_error_hook(h, record_error, NULL);
    errors_seen = 0;
    char *volatile p = malloc(16); /* volatile: the compiler may not drop the pair */
    free(p);
    free(p);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_DOUBLE_FREE);
    static int not_heap;
    void *volatile foreign = &not_heap; /* volatile: hide the bad free from -Wfree-nonheap-object */
    free(foreign);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_FOREIGN);
    char *q = malloc(200);
    char *volatile inside = q + 4;
    free(inside);
    TP_CHECK_EQ(last_kind, TP_ALLOC_ERR_MISALIGNED);
    free(q);
    TP_CHECK_EQ(errors_seen, 3u);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
}

static void test_heap_regions_all_used(void) {
    tp_region_t regions[TP_MAX_HEAP_REGIONS];
    size_t n = tp_heap_regions(regions);
    tp_heap_stats_t st;
    tp_heap_stats(tp_malloc_heap(), &st);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += regions[i].end - regions[i].start;
    TP_CHECK_EQ(st.heap_size, total);
    TP_CHECK(st.metadata_bytes < total / 8u + 2048u);
}

/* ---- randomised stress on a heap carved from the main one ---- */
static uint32_t rng = 2463534242u;
static uint32_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

#define MAX_LIVE 256
static struct {
    uint8_t *p;
    uint16_t size;
    uint8_t tag;
} live[MAX_LIVE];

static void stress(unsigned fill_percent, unsigned ops) {
    tp_heap_stats_t main_stats;
    tp_heap_stats(tp_malloc_heap(), &main_stats);
    /* half the free space: a malloc that does not fit the largest free block
     * hands the kept empty pools back first */
    size_t arena_size = main_stats.free_bytes / 2u;
    if (arena_size > 16384u) arena_size = 16384u;
    void *arena = malloc(arena_size);
    TP_CHECK(arena != NULL);
    if (arena == NULL) return;
    tp_heap_t *h = tp_heap_init(arena, arena_size);
    TP_CHECK(h != NULL);
    if (h == NULL) {
        tp_test_log("    no heap in %u bytes (the main heap's largest free block: %u, free %u)\n",
                    (unsigned)arena_size, (unsigned)main_stats.largest_free,
                    (unsigned)main_stats.free_bytes);
        free(arena);
        return;
    }
    tp_heap_set_error_hook(h, record_error, NULL);
    errors_seen = 0;
    unsigned n = 0, bad = 0, invalid = 0, fails = 0;
    size_t bytes = 0, target = arena_size * fill_percent / 100u;
    for (unsigned op = 0; op < ops; op++) {
        if ((bytes < target && (rnd() & 1u)) || n == 0) {
            uint32_t r = rnd() % 100u;
            uint16_t size = (uint16_t)(r < 70 ? 1u + rnd() % 32u : r < 95 ? 33u + rnd() % 300u : 400u + rnd() % 900u);
            uint8_t *p = tp_heap_alloc(h, size);
            if (p == NULL || n == MAX_LIVE) {
                fails++;
                tp_heap_free(h, p);
            } else {
                live[n].p = p;
                live[n].size = size;
                live[n].tag = (uint8_t)rnd();
                memset(p, live[n].tag, size);
                bytes += size;
                n++;
            }
        } else {
            unsigned i = rnd() % n;
            for (unsigned k = 0; k < live[i].size; k++)
                if (live[i].p[k] != live[i].tag) {
                    bad++;
                    break;
                }
            tp_heap_free(h, live[i].p);
            bytes -= live[i].size;
            live[i] = live[--n];
        }
        if (tp_heap_validate(h) != 0) {
            invalid++;
            break;
        }
    }
    while (n > 0) tp_heap_free(h, live[--n].p);
    TP_CHECK_EQ(invalid, 0);
    TP_CHECK_EQ(bad, 0);
    TP_CHECK_EQ(errors_seen, 0);
    TP_CHECK_EQ(tp_heap_validate(h), 0);
    tp_heap_stats_t st;
    tp_heap_stats(h, &st);
    TP_CHECK_EQ(st.used_blocks, 0);
    if (fill_percent >= 100) TP_CHECK(fails > 0);
    free(arena);
}

static void test_stress_half_full(void) { stress(50, 50000); }
static void test_stress_full(void) { stress(100, 50000); }

static const tp_test_case cases[] = {
    TP_CASE(test_malloc_is_tidepools),
    TP_CASE(test_libc_contract),
    TP_CASE(test_stdio_buffers_come_from_the_heap),
    TP_CASE(test_errors_reported_heap_intact),
    TP_CASE(test_heap_regions_all_used),
    TP_CASE(test_stress_half_full),
    TP_CASE(test_stress_full),
};

int main(void) { return tp_test_main("alloc", cases, TP_COUNT(cases)); }
