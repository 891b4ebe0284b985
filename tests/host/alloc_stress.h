// SPDX-License-Identifier: MIT
/*
 * alloc_stress.h - the randomised stress test of the allocator with a shadow
 * model, shared by test_alloc.c (release build) and test_alloc_debug.c
 * (TP_ALLOC_DEBUG=1, which adds its own checks: 0xCD/0xDD fills, usable
 * size = size requested).  Included once by each; the includer checks the
 * result and what its error hook saw.
 *
 * Every live block holds a pattern (tag + offset) checked before it is freed
 * or reallocated and after a realloc; tp_heap_validate() runs after every
 * operation, and the statistics must count the live blocks exactly.
 */
#ifndef ALLOC_STRESS_H
#define ALLOC_STRESS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"
#include "tp_alloc.h"

typedef struct {
    unsigned invalid; /* tp_heap_validate failed (the run stops) */
    unsigned bad;     /* a block's contents, fill, size or the statistics were wrong */
    unsigned fails;   /* allocations that returned NULL */
} stress_result_t;

static uint32_t stress_rng;
static uint32_t stress_rnd(void) {
    stress_rng ^= stress_rng << 13;
    stress_rng ^= stress_rng >> 17;
    stress_rng ^= stress_rng << 5;
    return stress_rng;
}

typedef struct {
    uint8_t *p;
    uint32_t size;
    uint8_t tag;
} stress_live_t;

static size_t stress_size(void) {
    uint32_t r = stress_rnd() % 100u;
    if (r < 60) return 1u + stress_rnd() % TP_ALLOC_SMALL_MAX;
    if (r < 90) return TP_ALLOC_SMALL_MAX + 1u + stress_rnd() % 600u;
    if (r < 99) return 700u + stress_rnd() % 1000u;
    return 0;
}

static int stress_tag_ok(const stress_live_t *l, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        if (l->p[i] != (uint8_t)(l->tag + i)) return 0;
    return 1;
}

static void stress_set_tag(const stress_live_t *l) {
    for (uint32_t i = 0; i < l->size; i++) l->p[i] = (uint8_t)(l->tag + i);
}

static int stress_bytes_are(const uint8_t *p, size_t from, size_t to, unsigned v) {
    for (size_t i = from; i < to; i++)
        if (p[i] != v) return 0;
    return 1;
}

/* A block of n bytes just allocated, whose bytes from `from` on are new: the
 * debug build fills them `fill` (0xCD; calloc 0) and its usable size is n;
 * the release build gives at least n. */
static int stress_new_ok(tp_heap_t *h, const uint8_t *p, size_t from, size_t n, unsigned fill) {
    if (TP_ALLOC_DEBUG) return tp_heap_usable_size(h, p) == n && stress_bytes_are(p, from, n, fill);
    return tp_heap_usable_size(h, p) >= n;
}

/* Operations per run: `normal`, or $TP_STRESS_OPS / divisor when it is set. */
static unsigned stress_ops(unsigned normal, unsigned divisor) {
    const char *e = getenv("TP_STRESS_OPS");
    return e != NULL ? (unsigned)strtoul(e, NULL, 10) / divisor : normal;
}

#define STRESS_MAX_LIVE 4096

/* Runs `ops` random operations on h (made of heap_bytes) keeping about
 * fill_percent of it live, then frees what is left. */
static stress_result_t stress_run(tp_heap_t *h, size_t heap_bytes, unsigned fill_percent,
                                  unsigned ops, uint32_t seed) {
    static stress_live_t live[STRESS_MAX_LIVE];
    stress_result_t res = {0, 0, 0};
    unsigned nlive = 0;
    size_t live_bytes = 0, target = heap_bytes * fill_percent / 100u;
    stress_rng = seed;
    for (unsigned op = 0; op < ops; op++) {
        uint32_t action = stress_rnd() % 100u;
        if ((live_bytes < target && action < 60) || nlive == 0) {
            size_t size = stress_size();
            uint8_t *p;
            uint32_t how = stress_rnd() % 10u;
            if (how == 0)
                p = tp_heap_calloc(h, 1, size);
            else if (how == 1)
                p = tp_heap_aligned_alloc(h, (size_t)16u << (stress_rnd() % 5u), size);
            else
                p = tp_heap_alloc(h, size);
            if (p == NULL) {
                res.fails++;
            } else if (nlive < STRESS_MAX_LIVE) {
                if (!stress_new_ok(h, p, 0, size, how == 0 ? 0u : 0xCDu)) res.bad++;
                stress_live_t *l = &live[nlive++];
                l->p = p;
                l->size = (uint32_t)size;
                l->tag = (uint8_t)stress_rnd();
                stress_set_tag(l);
                live_bytes += size;
            } else {
                tp_heap_free(h, p);
            }
        } else if (action < 85) {
            unsigned i = stress_rnd() % nlive;
            stress_live_t l = live[i];
            if (!stress_tag_ok(&l, l.size)) res.bad++;
            if ((l.tag & 3u) == 0)
                tp_heap_free_sized(h, l.p, l.size);
            else
                tp_heap_free(h, l.p);
            /* quarantined: the free mark in the first word, 0xDD after it */
            if (TP_ALLOC_DEBUG && !stress_bytes_are(l.p, l.size < 4u ? 0u : 4u, l.size, 0xDDu))
                res.bad++;
            live_bytes -= l.size;
            live[i] = live[--nlive];
        } else {
            unsigned i = stress_rnd() % nlive;
            stress_live_t *l = &live[i];
            size_t size = stress_size();
            if (!stress_tag_ok(l, l->size)) res.bad++;
            uint8_t *q = tp_heap_realloc(h, l->p, size);
            if (q == NULL && size != 0) {
                res.fails++;
                if (!stress_tag_ok(l, l->size)) res.bad++; /* untouched on failure */
            } else if (size == 0) {
                live_bytes -= l->size;
                *l = live[--nlive];
            } else {
                uint32_t keep = l->size < size ? l->size : (uint32_t)size;
                stress_live_t moved = {q, keep, l->tag};
                if (!stress_tag_ok(&moved, keep) || !stress_new_ok(h, q, keep, size, 0xCDu)) res.bad++;
                live_bytes = live_bytes - l->size + size;
                l->p = q;
                l->size = (uint32_t)size;
                stress_set_tag(l);
            }
        }
        if (tp_heap_validate(h) != 0) {
            if (res.invalid++ == 0) tp_test_log("    heap invalid after op %u\n", op);
            break;
        }
        tp_heap_stats_t st;
        tp_heap_stats(h, &st);
        if (st.used_blocks != nlive || st.used_bytes < live_bytes ||
            (TP_ALLOC_DEBUG && st.used_bytes != live_bytes))
            res.bad++;
    }
    tp_heap_stats_t end;
    tp_heap_stats(h, &end);
    tp_test_log("    stress %u%%: %u ops, %u allocs, %u frees, %u failed, %u live at the end, peak footprint %zu of %zu\n",
                fill_percent, ops, (unsigned)end.alloc_count, (unsigned)end.free_count, res.fails,
                nlive, end.footprint_peak, heap_bytes);
    while (nlive > 0) {
        if (!stress_tag_ok(&live[nlive - 1], live[nlive - 1].size)) res.bad++;
        tp_heap_free(h, live[--nlive].p);
    }
    return res;
}

#endif /* ALLOC_STRESS_H */
