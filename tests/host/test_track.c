// SPDX-License-Identifier: MIT
/*
 * test_track.c - the allocation tracker (alloc/tp_track.h) on the host, in
 * the tracking build (host.mk: -DTP_ALLOC_TRACK=1), under ASan/UBSan: its
 * table against a reference model, snapshots, differences, the leak report,
 * and that tracking leaves the heap exactly as an untracked run leaves it.
 * The call sites' names are checked on the target (tests/target/
 * test_prof_track.c), where the ELF is symbolized.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tests/harness.h"
#include "tests/heap_fixture.h"
#include "tp_gc.h"
#include "tp_objects.h"
#include "tp_track.h"

static _Alignas(4096) uint8_t arena[64u * 1024u];
static _Alignas(4096) uint8_t arena2[64u * 1024u];
static tp_track_t tracker;
static tp_track_entry_t slots[1024];

static tp_heap_t *tracked_heap(void) {
    tp_heap_t *h = tp_heap_init(arena, sizeof arena);
    TP_CHECK(h != NULL);
    TP_CHECK_EQ(tp_track_attach(h, &tracker, slots, 1024), 0);
    return h;
}

/* Functions whose allocations must group under their own call sites. */
__attribute__((noinline)) static void *alloc_in_a(tp_heap_t *h, size_t n) { return tp_heap_alloc(h, n); }
__attribute__((noinline)) static void *alloc_in_b(tp_heap_t *h, size_t n) { return tp_heap_alloc(h, n); }
__attribute__((noinline)) static void *leaky(tp_heap_t *h) { return tp_heap_alloc(h, 40); }

static uintptr_t site_of(tp_heap_t *h, const void *p) {
    tp_track_entry_t e;
    if (tp_track_lookup(h, p, &e) != 0) return 0;
    return e.site;
}

static void test_attach_rejects_bad_arguments(void) {
    tp_heap_t *h = tp_heap_init(arena, sizeof arena);
    TP_CHECK(tp_track_attach(NULL, &tracker, slots, 64) == -1);
    TP_CHECK(tp_track_attach(h, NULL, slots, 64) == -1);
    TP_CHECK(tp_track_attach(h, &tracker, NULL, 64) == -1);
    TP_CHECK(tp_track_attach(h, &tracker, slots, 48) == -1); /* not a power of two */
    TP_CHECK(tp_track_attach(h, &tracker, slots, 4) == -1);  /* too few */
    TP_CHECK(tp_track_of(h) == NULL);
    TP_CHECK_EQ(tp_track_seq(h), 0);
    void *p = tp_heap_alloc(h, 16); /* untracked: nothing recorded, nothing breaks */
    TP_CHECK(p != NULL);
    TP_CHECK(tp_track_lookup(h, p, &(tp_track_entry_t){0}) == -1);
    tp_heap_free(h, p);
}

static void test_records_site_sequence_and_size(void) {
    tp_heap_t *h = tracked_heap();
    void *a1 = alloc_in_a(h, 24), *a2 = alloc_in_a(h, 100), *b1 = alloc_in_b(h, 24);
    tp_track_entry_t e;
    TP_CHECK_EQ(tp_track_lookup(h, a2, &e), 0);
    TP_CHECK_EQ(e.size, 100);
    TP_CHECK_EQ(e.seq, 2);
    TP_CHECK_EQ(tp_track_seq(h), 3);
    TP_CHECK(site_of(h, a1) != 0);
    TP_CHECK_EQ(site_of(h, a1), site_of(h, a2)); /* one call site */
    TP_CHECK(site_of(h, a1) != site_of(h, b1));
    /* the site is the caller's: inside alloc_in_a, not the allocator */
    TP_CHECK(site_of(h, a1) > (uintptr_t)alloc_in_a && site_of(h, a1) < (uintptr_t)alloc_in_a + 512u);
    TP_CHECK_EQ(tracker.live, 3);
    TP_CHECK_EQ(tracker.live_bytes, 148);
    tp_heap_free(h, a1);
    TP_CHECK(tp_track_lookup(h, a1, &e) == -1);
    TP_CHECK_EQ(tracker.live, 2);
    TP_CHECK_EQ(tracker.live_bytes, 124);
    TP_CHECK_EQ(tracker.peak_bytes, 148);
    tp_heap_free(h, a2);
    tp_heap_free(h, b1);
    TP_CHECK_EQ(tracker.live, 0);
    TP_CHECK_EQ(tracker.unknown_frees, 0);
}

static void test_snapshot_groups_by_site(void) {
    tp_heap_t *h = tracked_heap();
    void *p[5];
    for (int i = 0; i < 3; i++) p[i] = alloc_in_a(h, 24);
    for (int i = 3; i < 5; i++) p[i] = alloc_in_b(h, 100);
    tp_track_site_t buf[8];
    tp_track_snapshot_t s;
    tp_track_snapshot_init(&s, buf, 8);
    TP_CHECK_EQ(tp_track_snapshot(h, &s, 0), 0);
    TP_CHECK_EQ(s.count, 2);
    TP_CHECK_EQ(s.blocks, 5);
    TP_CHECK_EQ(s.bytes, 272);
    TP_CHECK_EQ(s.sites[0].site, site_of(h, p[3])); /* 200 bytes first */
    TP_CHECK_EQ(s.sites[0].blocks, 2);
    TP_CHECK_EQ(s.sites[0].bytes, 200);
    TP_CHECK_EQ(s.sites[0].first_seq, 4);
    TP_CHECK_EQ(s.sites[1].site, site_of(h, p[0]));
    TP_CHECK_EQ(s.sites[1].blocks, 3);
    TP_CHECK_EQ(s.sites[1].bytes, 72);
    /* since: only the blocks allocated after #3 */
    TP_CHECK_EQ(tp_track_snapshot(h, &s, 3), 0);
    TP_CHECK_EQ(s.count, 1);
    TP_CHECK_EQ(s.blocks, 2);
    /* storage for one site: the other one is lumped, and counted */
    tp_track_snapshot_init(&s, buf, 1);
    TP_CHECK_EQ(tp_track_snapshot(h, &s, 0), 0);
    TP_CHECK_EQ(s.count, 1);
    TP_CHECK_EQ(s.blocks, 5);
    TP_CHECK_EQ(s.other_blocks + s.sites[0].blocks, 5);
    for (int i = 0; i < 5; i++) tp_heap_free(h, p[i]);
    TP_CHECK(tp_track_snapshot(NULL, &s, 0) == -1);
}

/* Churn at several sites, with realloc, calloc, aligned and sized frees;
 * leaves nothing behind but what `keep` says. */
static void churn(tp_heap_t *h, unsigned rounds) {
    void *live[16] = {0};
    uint32_t x = 2463534242u;
    for (unsigned i = 0; i < rounds; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        unsigned k = x % 16u;
        if (live[k] != NULL) {
            if (x & 0x100u) {
                void *q = tp_heap_realloc(h, live[k], 8u + (x >> 8) % 300u);
                if (q != NULL) live[k] = q;
            } else {
                tp_heap_free(h, live[k]);
                live[k] = NULL;
            }
        } else if (x & 0x200u) {
            live[k] = tp_heap_calloc(h, 3, 8u + (x >> 12) % 60u);
        } else if (x & 0x400u) {
            live[k] = tp_heap_aligned_alloc(h, 32, 40);
        } else {
            live[k] = alloc_in_b(h, 8u + (x >> 9) % 200u);
        }
    }
    for (unsigned k = 0; k < 16; k++) tp_heap_free(h, live[k]);
}

static void test_planted_leak_is_the_only_difference(void) {
    tp_heap_t *h = tracked_heap();
    void *held = alloc_in_a(h, 64); /* live in both snapshots: no difference */
    tp_track_site_t b1[16], b2[16];
    tp_track_snapshot_t before, after;
    tp_track_snapshot_init(&before, b1, 16);
    tp_track_snapshot_init(&after, b2, 16);
    TP_CHECK_EQ(tp_track_snapshot(h, &before, 0), 0);
    churn(h, 3000);
    void *leak = leaky(h);
    churn(h, 3000);
    TP_CHECK_EQ(tp_track_snapshot(h, &after, 0), 0);
    tp_track_diff_t d[4];
    size_t n = tp_track_diff(&before, &after, d, 4);
    TP_CHECK_EQ(n, 1);
    TP_CHECK_EQ(d[0].site, site_of(h, leak));
    TP_CHECK_EQ(d[0].blocks_diff, 1);
    TP_CHECK_EQ(d[0].bytes_diff, 40);
    TP_CHECK_EQ(after.blocks - before.blocks, 1);
    /* and freeing it shows as the reverse difference */
    tp_heap_free(h, leak);
    tp_track_snapshot_t gone;
    tp_track_site_t b3[16];
    tp_track_snapshot_init(&gone, b3, 16);
    TP_CHECK_EQ(tp_track_snapshot(h, &gone, 0), 0);
    n = tp_track_diff(&after, &gone, d, 4);
    TP_CHECK_EQ(n, 1);
    TP_CHECK_EQ((uint32_t)-d[0].bytes_diff, 40);
    TP_CHECK_EQ(d[0].blocks, 0);
    TP_CHECK_EQ(tracker.unknown_frees, 0);
    tp_heap_free(h, held);
}

static char report[2048];
static size_t report_len;
static void capture(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void capture(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(report + report_len, sizeof report - report_len, fmt, ap);
    va_end(ap);
    if (n > 0) report_len += (size_t)n;
    if (report_len >= sizeof report) report_len = sizeof report - 1u;
}

static void test_leak_report_names_only_what_is_left(void) {
    tp_heap_t *h = tracked_heap();
    void *before = alloc_in_a(h, 16);
    uint32_t mark = tp_track_seq(h);
    churn(h, 500);
    void *leak = leaky(h);
    report_len = 0;
    report[0] = 0;
    TP_CHECK_EQ(tp_track_leak_report(h, mark, capture), 1);
    char want[96];
    snprintf(want, sizeof want, "TRACK leak site 0x%08lx blocks 1 bytes 40 first #",
             (unsigned long)site_of(h, leak));
    TP_CHECK(strstr(report, want) != NULL);
    TP_CHECK(strstr(report, "TRACK leaks: 1 blocks, 40 bytes") != NULL);
    tp_heap_free(h, leak);
    tp_heap_free(h, before);
}

static void test_full_table_drops_and_counts(void) {
    tp_heap_t *h = tp_heap_init(arena, sizeof arena);
    TP_CHECK_EQ(tp_track_attach(h, &tracker, slots, 16), 0);
    void *p[20];
    for (int i = 0; i < 20; i++) p[i] = alloc_in_a(h, 8);
    TP_CHECK_EQ(tracker.live, 14); /* 7/8 of 16 */
    TP_CHECK_EQ(tracker.dropped, 6);
    TP_CHECK_EQ(tracker.seq, 20);
    for (int i = 0; i < 20; i++) tp_heap_free(h, p[i]);
    TP_CHECK_EQ(tracker.live, 0);
    TP_CHECK_EQ(tracker.unknown_frees, 6);
    TP_CHECK_EQ(tracker.live_bytes, 0);
}

/* The table against a model: after every operation each live block is found
 * with its own record, and nothing else is there.  A small table makes long
 * probe runs, so the backward-shift deletion is exercised hard. */
static void test_table_agrees_with_model(void) {
    tp_heap_t *h = tp_heap_init(arena, sizeof arena);
    TP_CHECK_EQ(tp_track_attach(h, &tracker, slots, 64), 0);
    void *live[48] = {0};
    uint32_t seq[48] = {0}, size[48] = {0};
    uint32_t x = 88172645u, ok = 1;
    for (unsigned i = 0; i < 40000 && ok; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        unsigned k = x % 48u;
        if (live[k] != NULL) {
            tp_heap_free(h, live[k]);
            live[k] = NULL;
        } else {
            size[k] = 1u + (x >> 8) % 64u;
            live[k] = tp_heap_alloc(h, size[k]);
            seq[k] = tracker.seq;
        }
        uint32_t n = 0;
        for (unsigned j = 0; j < 48; j++) {
            if (live[j] == NULL) continue;
            n++;
            tp_track_entry_t e;
            if (tp_track_lookup(h, live[j], &e) != 0 || e.seq != seq[j] || e.size != size[j]) ok = 0;
        }
        if (n != tracker.live) ok = 0;
    }
    TP_CHECK(ok);
    TP_CHECK_EQ(tracker.dropped, 0);
    for (unsigned j = 0; j < 48; j++) tp_heap_free(h, live[j]);
    TP_CHECK_EQ(tracker.live, 0);
}

static void test_realloc_and_freelists(void) {
    tp_heap_t *h = tracked_heap();
    void *p = alloc_in_a(h, 16);
    uintptr_t first = site_of(h, p);
    void *q = tp_heap_realloc(h, p, 400); /* moves: a new record at realloc's caller */
    TP_CHECK(q != NULL);
    tp_track_entry_t e;
    TP_CHECK_EQ(tp_track_lookup(h, q, &e), 0);
    TP_CHECK_EQ(e.size, 400);
    TP_CHECK_EQ(e.seq, 2);
    TP_CHECK(e.site != first);
    TP_CHECK_EQ(tracker.live, 1);
    TP_CHECK_EQ(tp_heap_realloc(h, q, 0), NULL);
    TP_CHECK_EQ(tracker.live, 0);
    TP_CHECK_EQ(tracker.unknown_frees, 0);
    /* a block cached by a per-type free list is not live */
    tp_freelist_t fl;
    tp_freelist_init(&fl, 24, 4);
    void *b = tp_freelist_alloc(h, &fl);
    TP_CHECK_EQ(tracker.live, 1);
    tp_freelist_free(h, &fl, b);
    TP_CHECK_EQ(tracker.live, 0);
    void *c = tp_freelist_alloc(h, &fl); /* the same block, handed out again */
    TP_CHECK(c == b);
    TP_CHECK_EQ(tp_track_lookup(h, c, &e), 0);
    TP_CHECK_EQ(e.size, 24);
    tp_freelist_free(h, &fl, c);
    tp_freelist_drain(h, &fl);
    TP_CHECK_EQ(tracker.live, 0);
    TP_CHECK_EQ(tracker.unknown_frees, 0);
}

/* Tracking must not change the heap: the same operations on a tracked and an
 * untracked heap leave the same figures and the same addresses. */
static void test_heap_unchanged_by_tracking(void) {
    tp_heap_t *h1 = tracked_heap();
    tp_heap_t *h2 = tp_heap_init(arena2, sizeof arena2);
    churn(h1, 2000);
    churn(h2, 2000);
    void *a = tp_heap_alloc(h1, 300), *b = tp_heap_alloc(h2, 300);
    TP_CHECK_EQ((uintptr_t)a - (uintptr_t)arena, (uintptr_t)b - (uintptr_t)arena2);
    tp_heap_stats_t s1, s2;
    tp_heap_stats(h1, &s1);
    tp_heap_stats(h2, &s2);
    TP_CHECK_EQ(s1.used_bytes, s2.used_bytes);
    TP_CHECK_EQ(s1.footprint, s2.footprint);
    TP_CHECK_EQ(s1.footprint_peak, s2.footprint_peak);
    TP_CHECK_EQ(s1.alloc_count, s2.alloc_count);
    TP_CHECK_EQ(tp_heap_validate(h1), 0);
    tp_heap_free(h1, a);
    tp_heap_free(h2, b);
}

/* Objects are recorded under the code that created them, not the collector. */
__attribute__((noinline)) static tp_obj_t *make_list(void) { return tp_list_new(); }
__attribute__((noinline)) static tp_obj_t *make_str(void) { return tp_str_new("not a literal id!"); }

static void test_objects_recorded_at_their_maker(void) {
    static _Alignas(8) uint8_t obj_arena[64u * 1024u];
    TP_CHECK_EQ(fx_fresh(obj_arena, sizeof obj_arena, tp_objects_init), 0);
    tp_heap_t *h = tp_gc_heap();
    TP_CHECK_EQ(tp_track_attach(h, &tracker, slots, 1024), 0);
    tp_obj_t *l1 = make_list(), *l2 = make_list(), *s = make_str();
    TP_CHECK(l1 != NULL && l2 != NULL && s != NULL);
    uintptr_t site1 = site_of(h, l1), site2 = site_of(h, l2), site3 = site_of(h, s);
    TP_CHECK(site1 != 0 && site1 == site2);
    TP_CHECK(site3 != 0 && site3 != site1);
    tp_decref(l1);
    tp_decref(l2);
    tp_decref(s);
    tp_track_detach(h);
    TP_CHECK(tp_track_of(h) == NULL);
}

static const tp_test_case cases[] = {
    TP_CASE(test_attach_rejects_bad_arguments),
    TP_CASE(test_records_site_sequence_and_size),
    TP_CASE(test_snapshot_groups_by_site),
    TP_CASE(test_planted_leak_is_the_only_difference),
    TP_CASE(test_leak_report_names_only_what_is_left),
    TP_CASE(test_full_table_drops_and_counts),
    TP_CASE(test_table_agrees_with_model),
    TP_CASE(test_realloc_and_freelists),
    TP_CASE(test_heap_unchanged_by_tracking),
    TP_CASE(test_objects_recorded_at_their_maker),
};

int main(void) {
    return tp_test_main("track", cases, TP_COUNT(cases));
}
