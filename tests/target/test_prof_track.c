// SPDX-License-Identifier: MIT
/*
 * test_prof_track.c - the allocation tracker on the target (built with
 * TP_ALLOC_TRACK=1: the Makefile's *_track images).  A known program
 * allocates from known functions; the image checks the figures, and the host
 * checks below symbolize its report with the ELF (prof/host/tpsym.py) and
 * check that each site names the right function:
 *   - malloc from make_sensor_buffers: 3 blocks of 48 bytes;
 *   - newlib's strdup: the site is newlib's _strdup_r, which called _malloc_r;
 *   - an object: the site is the objects/ constructor, tp_list_new;
 *   - a planted leak (leaky_function) is the only difference between two
 *     snapshots around a burst of allocations that all get freed;
 *   - the leak report printed at exit names what is left (leave_for_exit).
 *
 *@host-check $ROOT/tools/py $ROOT/prof/host/tpsym.py $ELF $LOG >sym.txt && grep -E 'TRACK top [0-9]+ site 0x[0-9a-f]+ make_sensor_buffers \(tests/target/test_prof_track.c:[0-9]+\) blocks 3 bytes 144$' sym.txt
 *@host-check $ROOT/tools/py $ROOT/prof/host/tpsym.py $ELF $LOG | grep -E 'TRACK top [0-9]+ site 0x[0-9a-f]+ _strdup_r \(.*\) blocks 1 bytes 21$'
 *@host-check $ROOT/tools/py $ROOT/prof/host/tpsym.py $ELF $LOG | grep -E 'TRACK top [0-9]+ site 0x[0-9a-f]+ .*tp_list_new.* blocks 1 bytes'
 *@host-check $ROOT/tools/py $ROOT/prof/host/tpsym.py $ELF $LOG | grep -E '^TRACK diff site 0x[0-9a-f]+ leaky_function \(tests/target/test_prof_track.c:[0-9]+\) blocks \+1 bytes \+40 '
 *@host-check $ROOT/tools/py $ROOT/prof/host/tpsym.py $ELF $LOG | grep -E '^TRACK leak site 0x[0-9a-f]+ leave_for_exit \(tests/target/test_prof_track.c:[0-9]+\) blocks 2 bytes 64 '
 *@expect-output ^TRACK leaks: 2 blocks, 64 bytes allocated after #[0-9]+ still live$
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "runtime.h"
#include "tests/harness.h"
#include "tp_gc.h"
#include "tp_libc_malloc.h"
#include "tp_objects.h"
#include "tp_track.h"

#define SITES 8
static tp_track_site_t site_buf[2][SITES];

/* (the count is volatile so the loop stays one call site: unrolled, each
 * copy of the call would be a site of its own, on the same line) */
__attribute__((noinline)) static void make_sensor_buffers(void **out) {
    static volatile int count = 3;
    for (int i = 0; i < count; i++) out[i] = malloc(48);
}

__attribute__((noinline)) static void *leaky_function(void) { return malloc(40); }

static void test_default_heap_is_tracked(void) {
    tp_track_t *t = tp_track_default();
    TP_CHECK(t != NULL);
    TP_CHECK(tp_track_of(tp_malloc_heap()) == t);
    /* what newlib and the kernel allocated at boot is in it already */
    TP_CHECK(t->seq >= t->live);
}

static void test_sites_of_a_known_program(void) {
    tp_heap_t *h = tp_malloc_heap();
    uint32_t mark = tp_track_seq(h);
    void *buffers[3];
    make_sensor_buffers(buffers);
    char *line = strdup("temperature=21.5degC"); /* 20 characters + NUL */
    TP_CHECK(buffers[0] && buffers[1] && buffers[2] && line);

    tp_track_snapshot_t s;
    tp_track_snapshot_init(&s, site_buf[0], SITES);
    TP_CHECK_EQ(tp_track_snapshot(h, &s, mark), 0);
    TP_CHECK_EQ(s.count, 2);
    TP_CHECK_EQ(s.blocks, 4);
    TP_CHECK_EQ(s.bytes, 3u * 48u + 21u);
    tp_track_print_top(&s, 0, tp_test_log);
    tp_track_entry_t e;
    TP_CHECK_EQ(tp_track_lookup(h, line, &e), 0);
    TP_CHECK_EQ(e.size, 21);
    free(line);
    for (int i = 0; i < 3; i++) free(buffers[i]);
    TP_CHECK_EQ(tp_track_snapshot(h, &s, mark), 0);
    TP_CHECK_EQ(s.blocks, 0);
}

static void test_objects_are_named_by_constructor(void) {
    /* the objects' heap is a block of the C library's (itself tracked) */
    void *arena = malloc(1280);
    TP_CHECK(arena != NULL);
    tp_heap_t *h = tp_heap_init(arena, 1280);
    static tp_track_t t;
    static tp_track_entry_t slots[16];
    TP_CHECK(h != NULL);
    TP_CHECK_EQ(tp_gc_init(h), 0);
    TP_CHECK_EQ(tp_objects_init(), 0);
    TP_CHECK_EQ(tp_track_attach(h, &t, slots, 16), 0);
    tp_obj_t *registry = tp_list_new();
    TP_CHECK(registry != NULL);
    tp_track_snapshot_t s;
    tp_track_snapshot_init(&s, site_buf[0], SITES);
    TP_CHECK_EQ(tp_track_snapshot(h, &s, 0), 0);
    TP_CHECK_EQ(s.count, 1);
    TP_CHECK_EQ(s.blocks, 1);
    tp_track_print_top(&s, 1, tp_test_log);
    tp_decref(registry);
    TP_CHECK_EQ(t.live, 0);
    tp_track_detach(h);
    free(arena);
}

/* Allocations from several sites, all freed again. */
__attribute__((noinline)) static void burst(unsigned rounds) {
    void *keep[8] = {0};
    uint32_t x = 2463534242u;
    for (unsigned i = 0; i < rounds; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        unsigned k = x % 8u;
        if (keep[k] != NULL) {
            free(keep[k]);
            keep[k] = NULL;
        } else if (x & 0x100u) {
            keep[k] = calloc(2, 8u + (x >> 9) % 40u);
        } else {
            keep[k] = malloc(8u + (x >> 9) % 100u);
        }
        if (keep[k] != NULL && (x & 0x200u)) {
            void *p = realloc(keep[k], 24);
            if (p != NULL) keep[k] = p;
        }
    }
    for (unsigned k = 0; k < 8; k++) free(keep[k]);
}

static void test_planted_leak_shows_in_diff_only(void) {
    tp_heap_t *h = tp_malloc_heap();
    tp_track_snapshot_t before, after;
    tp_track_snapshot_init(&before, site_buf[0], SITES);
    tp_track_snapshot_init(&after, site_buf[1], SITES);
    TP_CHECK_EQ(tp_track_snapshot(h, &before, 0), 0);
    burst(400);
    void *leak = leaky_function();
    burst(400);
    TP_CHECK_EQ(tp_track_snapshot(h, &after, 0), 0);
    tp_track_diff_t d[4];
    TP_CHECK_EQ(tp_track_diff(&before, &after, d, 4), 1);
    TP_CHECK_EQ(d[0].blocks_diff, 1);
    TP_CHECK_EQ(d[0].bytes_diff, 40);
    tp_track_entry_t e;
    TP_CHECK_EQ(tp_track_lookup(h, leak, &e), 0);
    TP_CHECK_EQ(d[0].site, e.site);
    tp_track_print_diff(&before, &after, 0, tp_test_log);
    free(leak);
}

static uint32_t exit_mark;
static void leak_report_at_exit(int status) {
    (void)status;
    (void)tp_track_leak_report(tp_malloc_heap(), exit_mark, tp_test_log);
}

__attribute__((noinline)) static void leave_for_exit(void **left) {
    static volatile int count = 2;
    for (int i = 0; i < count; i++) left[i] = malloc(32);
}

static void test_leak_report_at_exit_registers(void) {
    exit_mark = tp_track_seq(tp_malloc_heap());
    TP_CHECK_EQ(tp_at_exit(leak_report_at_exit), 0);
    static void *left[2];
    leave_for_exit(left); /* never freed: the report at exit shows them */
    TP_CHECK(left[0] != NULL && left[1] != NULL);
}

static const tp_test_case cases[] = {
    TP_CASE(test_default_heap_is_tracked),
    TP_CASE(test_sites_of_a_known_program),
    TP_CASE(test_objects_are_named_by_constructor),
    TP_CASE(test_planted_leak_shows_in_diff_only),
    TP_CASE(test_leak_report_at_exit_registers),
};

int main(void) { return tp_test_main("prof_track", cases, TP_COUNT(cases)); }
