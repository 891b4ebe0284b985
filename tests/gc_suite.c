/*
 * gc_suite.c - the collector's conformance suite, run on the host (under
 * ASan/UBSan) and on the target (tests/host/test_gc.c,
 * tests/target/test_gc.c).  The scenarios follow CPython's
 * Lib/test/test_gc.py, test_finalization.py and test_weakref.py, translated
 * to the C API, plus the incremental collector's own: sliced traversal of a
 * big container, mutation while it is half scanned, bounded steps.
 */
#include "tests/gc_suite.h"

#include <stdarg.h>
#include <string.h>

#include "tests/gc_stress.h"
#include "tests/gc_types.h"
#include "tests/harness.h"
#include "tests/heap_fixture.h"

static uint8_t *gc_arena;
static size_t gc_arena_size;
static int chain_len, big_len;

#define GC_SUITE_HEAP gc_arena_size
#define GC_SUITE_CHAIN chain_len
#define GC_SUITE_BIG big_len
#define L_HEADS_BYTES fx_base_used

static uint32_t stress_ops;
static int stress_objs;

void gc_suite_setup(void *arena, size_t size, uint32_t ops, int objs) {
    stress_ops = ops;
    stress_objs = objs;
    gc_arena = arena;
    gc_arena_size = size;
    size_t n = size / (4u * sizeof(tt_node_t));
    if (n > 10000u) n = 10000u;
    chain_len = (int)n;
    big_len = (int)(n / 2u);
}

static int fresh(void) { return fx_fresh(gc_arena, gc_arena_size, tt_register); }

#define FRESH() \
    do { \
        if (!TP_CHECK(fresh() == 0)) return; \
    } while (0)


/* ---- reference counting ---- */

static void test_refcount_transcript(void) {
    FRESH();
    /* a=[1,2]; getrefcount(a) -> 2 (the call's argument adds 1: here 1) */
    tp_obj_t *a = tt_vec();
    TP_CHECK_EQ(tp_getrefcount(a), 1);
    tp_incref(a); /* b = a */
    TP_CHECK_EQ(tp_getrefcount(a), 2);
    tp_decref(a); /* del b */
    TP_CHECK_EQ(tp_getrefcount(a), 1);
    tp_obj_t *c = tt_vec();
    TP_CHECK(tt_vec_append(c, a) == 0); /* c.append(a) */
    TP_CHECK_EQ(tp_getrefcount(a), 2);
    tp_decref(c); /* del c: the list dies and drops a */
    TP_CHECK_EQ(tp_getrefcount(a), 1);
    tp_decref(a);
    TP_CHECK_EQ(fx_heap_used(), L_HEADS_BYTES);
    TP_CHECK_EQ(fx_gc_errors, 0);
}

static void test_refcount_saturates(void) {
    FRESH();
    tp_obj_t *x = tt_leaf(7);
    for (unsigned i = 0; i < 70000u; i++) tp_incref(x);
    TP_CHECK_EQ(tp_getrefcount(x), TP_RC_IMMORTAL);
    for (unsigned i = 0; i < 80000u; i++) tp_decref(x);
    TP_CHECK_EQ(tp_getrefcount(x), TP_RC_IMMORTAL); /* immortal: never freed */
    TP_CHECK_EQ(tt_freed, 0);
    TP_CHECK_EQ(fx_gc_errors, 0);
}

static void test_decref_of_dead_is_error(void) {
    FRESH();
    tp_obj_t *x = tt_leaf(1);
    tp_obj_t *y = tt_leaf(2); /* keep the block allocated: x's memory is reused otherwise */
    x->rc = 0;                /* as if a bug had dropped it one time too many */
    tp_decref(x);
    TP_CHECK_EQ(fx_gc_errors, 1);
    tp_gc_run_stats_t rs;
    tp_gc_get_run_stats(&rs);
    TP_CHECK_EQ(rs.errors, 1);
    tp_decref(y);
}

/* ---- cycles ---- */

static void test_self_cycles(void) {
    FRESH();
    tp_obj_t *v = tt_vec();
    TP_CHECK(tt_vec_append(v, v) == 0);
    tp_decref(v);
    TP_CHECK_EQ(tp_gc_collect(2), 1);
    tp_obj_t *n = tt_node(1);
    tt_set_a(n, n);
    tp_decref(n);
    TP_CHECK_EQ(tp_gc_collect(2), 1);
    TP_CHECK_EQ(tt_freed, 2);
    TP_CHECK_EQ(fx_heap_used(), L_HEADS_BYTES);
}

static void test_two_cycle_transcript(void) {
    FRESH();
    tp_obj_t *a = tt_vec(), *b = tt_vec();
    TP_CHECK(tt_vec_append(a, b) == 0);
    TP_CHECK_EQ(tp_getrefcount(b), 2);
    TP_CHECK(tt_vec_append(b, a) == 0);
    TP_CHECK_EQ(tp_getrefcount(a), 2);
    tp_decref(a);
    tp_decref(b);
    TP_CHECK_EQ(tp_getrefcount(a), 1); /* a cycle: refcounting cannot free it */
    TP_CHECK_EQ(tp_getrefcount(b), 1);
    TP_CHECK_EQ(tt_freed, 0);
    TP_CHECK_EQ(tp_gc_collect(2), 2);
    TP_CHECK_EQ(tt_freed, 2);
    unsigned counts[3];
    tp_gc_get_count(counts);
    TP_CHECK_EQ(counts[0], 0);
}

static void test_cycle_kept_by_name(void) {
    FRESH();
    tp_obj_t *a = tt_vec(), *b = tt_vec();
    TP_CHECK(tt_vec_append(a, b) == 0);
    TP_CHECK(tt_vec_append(b, a) == 0);
    tp_obj_t *c = a;
    tp_incref(c); /* c = a */
    tp_decref(a);
    tp_decref(b);
    TP_CHECK_EQ(tp_gc_collect(2), 0);
    TP_CHECK_EQ(tt_freed, 0);
    tp_decref(c);
    TP_CHECK_EQ(tp_gc_collect(2), 2);
}

static void test_node_example(void) {
    FRESH();
    tp_obj_t *mid = tt_node(0), *left = tt_node(1), *right = tt_node(2);
    tt_set_a(mid, left);   /* mid.next = left */
    tt_set_a(left, right); /* left.next = right */
    tt_set_a(right, left); /* right.next = left */
    tp_decref(mid);
    TP_CHECK_EQ(tt_freed, 1); /* mid: freed by refcounting */
    tp_decref(left);
    tp_decref(right);
    TP_CHECK_EQ(tt_freed, 1);
    TP_CHECK_EQ(tp_gc_collect(2), 2); /* left <-> right */
    TP_CHECK_EQ(tt_freed, 3);
}

static void test_generations(void) {
    FRESH();
    unsigned t[3];
    tp_gc_get_threshold(t);
    TP_CHECK_EQ(t[0], 700);
    TP_CHECK_EQ(t[1], 10);
    TP_CHECK_EQ(t[2], 10);
    tp_obj_t *x = tt_vec();
    tp_obj_t *seen[4];
    TP_CHECK_EQ(tp_gc_get_objects(0, seen, 4), 1);
    TP_CHECK(seen[0] == x);
    TP_CHECK_EQ(tp_gc_collect(0), 0);
    TP_CHECK_EQ(tp_gc_get_objects(0, seen, 4), 0);
    TP_CHECK_EQ(tp_gc_get_objects(1, seen, 4), 1); /* survivors move up */
    TP_CHECK_EQ(tp_gc_collect(1), 0);
    TP_CHECK_EQ(tp_gc_get_objects(2, seen, 4), 1);
    TP_CHECK_EQ(tp_gc_collect(2), 0);
    TP_CHECK_EQ(tp_gc_get_objects(2, seen, 4), 1); /* and stay in the oldest */
    unsigned c[3];
    tp_gc_get_count(c);
    TP_CHECK_EQ(c[0], 0);
    tp_gc_gen_stats_t st;
    tp_gc_get_stats(0, &st);
    TP_CHECK_EQ(st.collections, 1);
    tp_decref(x);
}

static void test_count_and_automatic_collection(void) {
    FRESH();
    unsigned c[3];
    tp_obj_t *v = tt_vec();
    tp_gc_get_count(c);
    TP_CHECK_EQ(c[0], 1);
    tp_decref(v);
    tp_gc_get_count(c);
    TP_CHECK_EQ(c[0], 0); /* allocations minus deallocations */
    tp_gc_set_threshold(1, 1, 1);
    /* with thresholds of 1, cycles are collected as the program allocates */
    for (int i = 0; i < 200; i++) {
        tp_obj_t *n = tt_node(i);
        tt_set_a(n, n);
        tp_decref(n);
    }
    TP_CHECK(tt_freed >= 190);
    tp_gc_gen_stats_t s0;
    tp_gc_get_stats(0, &s0);
    TP_CHECK(s0.collections > 10);
    (void)tp_gc_collect(2);
    TP_CHECK_EQ(tt_freed, 201);
    TP_CHECK_EQ(fx_heap_used(), L_HEADS_BYTES);
}

static void test_disable(void) {
    FRESH();
    tp_gc_disable();
    TP_CHECK(!tp_gc_is_enabled());
    tp_gc_set_threshold(1, 1, 1);
    for (int i = 0; i < 50; i++) {
        tp_obj_t *n = tt_node(i);
        tt_set_a(n, n);
        tp_decref(n);
    }
    TP_CHECK_EQ(tt_freed, 0);
    TP_CHECK_EQ(tp_gc_collect(2), 50); /* explicit collection still works */
    tp_gc_enable();
    TP_CHECK(tp_gc_is_enabled());
}

/* ---- SAVEALL, legacy finalizers ---- */

static void test_saveall(void) {
    FRESH();
    tp_gc_set_debug(TP_GC_DEBUG_SAVEALL);
    tp_obj_t *a = tt_vec(), *b = tt_vec();
    TP_CHECK(tt_vec_append(a, b) == 0);
    TP_CHECK(tt_vec_append(b, a) == 0);
    tp_decref(a);
    tp_decref(b);
    TP_CHECK_EQ(tp_gc_collect(2), 2);
    tp_obj_t *g[4];
    TP_CHECK_EQ(tp_gc_garbage(g, 4), 2);
    TP_CHECK((g[0] == a && g[1] == b) || (g[0] == b && g[1] == a));
    TP_CHECK_EQ(tt_freed, 0);
    tp_gc_set_debug(0);
    tp_gc_garbage_clear();
    TP_CHECK_EQ(tp_gc_garbage(g, 4), 0);
    TP_CHECK_EQ(tp_gc_collect(2), 2);
    TP_CHECK_EQ(tt_freed, 2);
}

static void test_legacy_finalizer_uncollectable(void) {
    FRESH();
    tp_obj_t *a = tt_legacy(1), *b = tt_node(2);
    tt_set_a(a, b);
    tt_set_a(b, a);
    tp_decref(a);
    tp_decref(b);
    TP_CHECK_EQ(tp_gc_collect(2), 2);
    tp_gc_gen_stats_t st;
    tp_gc_get_stats(2, &st);
    TP_CHECK_EQ(st.uncollectable, 2);
    TP_CHECK_EQ(st.collected, 0);
    tp_obj_t *g[4];
    TP_CHECK_EQ(tp_gc_garbage(g, 4), 2);
    TP_CHECK_EQ(tt_finalized, 0);
    TP_CHECK_EQ(tt_freed, 0);
    /* a legacy finalizer still runs when refcounting frees the object */
    tp_obj_t *c = tt_legacy(3);
    tp_decref(c);
    TP_CHECK_EQ(tt_finalized, 1);
}

/* ---- finalizers (PEP 442) ---- */

static tp_obj_t *saved;

static void resurrect_self(tp_obj_t *self) {
    if (saved == NULL) {
        tp_incref(self);
        saved = self;
    }
}

static void test_finalizer_called_once(void) {
    FRESH();
    tp_obj_t *a = tt_fnode(1);
    tt_set_a(a, a);
    tp_decref(a);
    TP_CHECK_EQ(tp_gc_collect(2), 1);
    TP_CHECK_EQ(tt_finalized, 1);
    TP_CHECK_EQ(tt_freed, 1);
}

static void test_simple_resurrection(void) {
    FRESH();
    saved = NULL;
    tt_finalize_hook = resurrect_self;
    tp_obj_t *a = tt_fnode(1);
    tt_set_a(a, a);
    tp_decref(a);
    TP_CHECK_EQ(tp_gc_collect(2), 0); /* resurrected: not counted */
    TP_CHECK(saved == a);
    TP_CHECK_EQ(tt_finalized, 1);
    TP_CHECK(tp_gc_is_finalized(a));
    TP_CHECK_EQ(tt_freed, 0);
    tp_obj_t *s = saved;
    tp_decref(s);
    TP_CHECK_EQ(tp_gc_collect(2), 1); /* collected now; finalizer not run again */
    TP_CHECK_EQ(tt_finalized, 1);
    TP_CHECK_EQ(tt_freed, 1);
    tt_finalize_hook = NULL;
}

static void test_transitive_resurrection(void) {
    FRESH();
    saved = NULL;
    tt_finalize_hook = resurrect_self;
    tp_obj_t *a = tt_fnode(1), *b = tt_node(2), *c = tt_vec();
    tt_set_a(a, b);
    tt_set_a(b, a);
    TP_CHECK(tt_vec_append(c, b) == 0);
    tt_set_b(b, c);
    tp_decref(a);
    tp_decref(b);
    tp_decref(c);
    TP_CHECK_EQ(tp_gc_collect(2), 0);
    TP_CHECK_EQ(tt_freed, 0); /* what a resurrected object reaches survives */
    TP_CHECK(tt_a(saved) == b);
    tp_obj_t *s = saved;
    tp_decref(s);
    TP_CHECK_EQ(tp_gc_collect(2), 3);
    TP_CHECK_EQ(tt_freed, 3);
    tt_finalize_hook = NULL;
}

static void test_resurrection_does_not_block_rest(void) {
    FRESH();
    saved = NULL;
    tt_finalize_hook = resurrect_self;
    tp_obj_t *a = tt_fnode(1);
    tt_set_a(a, a);
    tp_obj_t *x = tt_vec(), *y = tt_vec();
    TP_CHECK(tt_vec_append(x, y) == 0);
    TP_CHECK(tt_vec_append(y, x) == 0);
    tp_decref(a);
    tp_decref(x);
    tp_decref(y);
    TP_CHECK_EQ(tp_gc_collect(2), 2);
    TP_CHECK_EQ(tt_freed, 2);
    TP_CHECK(saved == a);
    tp_gc_run_stats_t rs;
    tp_gc_get_run_stats(&rs);
    TP_CHECK(rs.resurrected >= 1);
    tp_obj_t *s = saved;
    tp_decref(s);
    TP_CHECK_EQ(tp_gc_collect(2), 1);
    tt_finalize_hook = NULL;
}

static void test_finalizer_on_refcount_death(void) {
    FRESH();
    tp_obj_t *a = tt_fnode(1);
    tp_decref(a);
    TP_CHECK_EQ(tt_finalized, 1);
    TP_CHECK_EQ(tt_freed, 1);
    saved = NULL;
    tt_finalize_hook = resurrect_self;
    tp_obj_t *b = tt_fnode(2);
    tp_decref(b);
    TP_CHECK(saved == b); /* resurrected by refcount-death finalizer */
    TP_CHECK_EQ(tp_getrefcount(b), 1);
    tp_obj_t *s = saved;
    saved = (tp_obj_t *)1; /* do not resurrect again */
    tp_decref(s);
    TP_CHECK_EQ(tt_finalized, 2);
    TP_CHECK_EQ(tt_freed, 2);
    tt_finalize_hook = NULL;
}

/* ---- weak references ---- */

static unsigned cb_calls;
static tp_obj_t *cb_saw;
static void record_cb(tp_obj_t *wr, tp_obj_t *arg) {
    (void)arg;
    cb_calls++;
    cb_saw = tp_weakref_get(wr); /* must read as dead */
}

static void test_weakref_basics(void) {
    FRESH();
    tp_obj_t *o = tt_leaf(5);
    tp_obj_t *r = tp_weakref_new(o, NULL, NULL);
    TP_CHECK(r != NULL);
    TP_CHECK_EQ(tp_getrefcount(o), 1); /* does not count */
    TP_CHECK_EQ(tp_weakref_count(o), 1);
    tp_obj_t *got = tp_weakref_get(r);
    TP_CHECK(got == o);
    tp_decref(got);
    tp_decref(o); /* del obj */
    TP_CHECK(tp_weakref_get(r) == NULL);
    tp_decref(r);
    TP_CHECK_EQ(fx_heap_used(), L_HEADS_BYTES);
}

static void test_weakref_callback_after_death(void) {
    FRESH();
    cb_calls = 0;
    cb_saw = (tp_obj_t *)1;
    tp_obj_t *o = tt_node(1);
    tp_obj_t *r = tp_weakref_new(o, record_cb, NULL);
    tp_decref(o);
    TP_CHECK_EQ(cb_calls, 1);
    TP_CHECK(cb_saw == NULL);
    /* in a cycle: cleared before the callback sees the object */
    cb_calls = 0;
    cb_saw = (tp_obj_t *)1;
    tp_obj_t *a = tt_node(2);
    tt_set_a(a, a);
    tp_obj_t *r2 = tp_weakref_new(a, record_cb, NULL);
    tp_decref(a);
    TP_CHECK_EQ(tp_gc_collect(2), 1);
    TP_CHECK_EQ(cb_calls, 1);
    TP_CHECK(cb_saw == NULL);
    tp_decref(r);
    tp_decref(r2);
}

static void test_weakref_in_garbage_no_callback(void) {
    FRESH();
    cb_calls = 0;
    tp_obj_t *a = tt_node(1), *b = tt_node(2);
    tt_set_a(a, b);
    tt_set_a(b, a);
    tp_obj_t *wr = tp_weakref_new(b, record_cb, NULL);
    tt_set_b(a, wr); /* the weak reference is part of the garbage */
    tp_decref(wr);
    tp_decref(a);
    tp_decref(b);
    TP_CHECK_EQ(tp_gc_collect(2), 3);
    TP_CHECK_EQ(cb_calls, 0);
}

static void alloc_and_collect_cb(tp_obj_t *wr, tp_obj_t *arg) {
    (void)wr, (void)arg;
    cb_calls++;
    tp_obj_t *n = tt_node(99);
    tt_set_a(n, n);
    tp_decref(n);
    (void)tp_gc_collect(2);
}

static void test_callback_allocates_and_collects(void) {
    FRESH();
    cb_calls = 0;
    tp_obj_t *a = tt_node(1);
    tt_set_a(a, a);
    tp_obj_t *wr = tp_weakref_new(a, alloc_and_collect_cb, NULL);
    tp_decref(a);
    TP_CHECK_EQ(tp_gc_collect(2), 1);
    TP_CHECK_EQ(cb_calls, 1);
    TP_CHECK_EQ(tt_freed, 2); /* the callback's own cycle was collected too */
    tp_decref(wr);
    TP_CHECK_EQ(fx_heap_used(), L_HEADS_BYTES);
}

static void test_weak_proxy_parent(void) {
    FRESH();
    /* parent holds child; child points to its parent through a weak proxy:
     * no cycle, refcounting alone frees both */
    tp_obj_t *parent = tt_node(1), *child = tt_node(2);
    tt_set_a(parent, child);
    tp_obj_t *px = tp_weakproxy_new(parent, NULL, NULL);
    tt_set_a(child, px);
    tp_decref(px);
    tp_decref(child);
    int dead = 1;
    TP_CHECK(tp_weakproxy_deref(px, &dead) == parent);
    TP_CHECK_EQ(dead, 0);
    TP_CHECK(tp_weakref_is_proxy(px));
    tp_decref(parent);
    TP_CHECK_EQ(tt_freed, 2);
    TP_CHECK_EQ(fx_heap_used(), L_HEADS_BYTES);
}

/* A ring of n nodes, dropped; returns a borrowed pointer to one of them. */
static tp_obj_t *dropped_ring(int n) {
    tp_obj_t *first = tt_node(0), *p = first;
    for (int i = 1; i < n; i++) {
        tp_obj_t *q = tt_node(i);
        tt_set_a(p, q);
        tp_decref(q);
        p = q;
    }
    tt_set_a(p, first);
    tp_decref(first);
    return first;
}

static void test_weakref_to_condemned_reads_dead(void) {
    FRESH();
    tp_obj_t *a = tt_node(1);
    tt_set_a(a, dropped_ring(40)); /* enough garbage that the phases take several steps */
    tt_set_b(a, a);
    tp_obj_t *wr = tp_weakref_new(a, NULL, NULL);
    tp_decref(a);
    tp_gc_start(2);
    /* step until marking is over: the object is condemned, not yet freed */
    while (tp_gc_in_progress() && (strcmp(tp_gc_phase_name(), "count") == 0 ||
                                   strcmp(tp_gc_phase_name(), "subtract") == 0 ||
                                   strcmp(tp_gc_phase_name(), "roots") == 0 ||
                                   strcmp(tp_gc_phase_name(), "mark") == 0))
        (void)tp_gc_step(8);
    TP_CHECK(tp_gc_in_progress());
    TP_CHECK_EQ(tt_freed, 0);
    TP_CHECK(tp_weakref_get(wr) == NULL); /* condemned: unreadable */
    while (tp_gc_step(8)) {
    }
    TP_CHECK_EQ(tt_freed, 41);
    tp_decref(wr);
}

static void test_weakref_read_during_mark_keeps_alive(void) {
    FRESH();
    tp_obj_t *a = tt_node(1);
    tt_set_a(a, a);
    tp_obj_t *wr = tp_weakref_new(a, NULL, NULL);
    tp_decref(a);
    tp_gc_start(2);
    while (tp_gc_in_progress() && strcmp(tp_gc_phase_name(), "mark") != 0) (void)tp_gc_step(8);
    tp_obj_t *got = tp_weakref_get(wr); /* before it is condemned: a new reference */
    TP_CHECK(got == a);
    while (tp_gc_step(8)) {
    }
    TP_CHECK_EQ(tt_freed, 0);
    tp_decref(got);
    TP_CHECK_EQ(tp_gc_collect(2), 1);
    tp_decref(wr);
}

/* ---- the gc module ---- */

static int cb_phase_seen[2];
static size_t cb_collected;
static void gc_cb(int phase, const tp_gc_info_t *info, void *ctx) {
    (void)ctx;
    cb_phase_seen[phase]++;
    if (phase == 1) cb_collected = info->collected;
}

static void test_callbacks_start_stop(void) {
    FRESH();
    cb_phase_seen[0] = cb_phase_seen[1] = 0;
    TP_CHECK(tp_gc_add_callback(gc_cb, NULL) == 0);
    tp_obj_t *a = tt_node(1);
    tt_set_a(a, a);
    tp_decref(a);
    TP_CHECK_EQ(tp_gc_collect(2), 1);
    TP_CHECK_EQ(cb_phase_seen[0], 1);
    TP_CHECK_EQ(cb_phase_seen[1], 1);
    TP_CHECK_EQ(cb_collected, 1);
    tp_gc_remove_callback(gc_cb, NULL);
    (void)tp_gc_collect(2);
    TP_CHECK_EQ(cb_phase_seen[1], 1);
}

static unsigned printed_stats, printed_collectable, printed_uncollectable;
static void count_prints(const char *fmt, ...) {
    if (strncmp(fmt, "gc: collecting", 14) == 0 || strncmp(fmt, "gc: done", 8) == 0)
        printed_stats++;
    if (strncmp(fmt, "gc: %s", 6) == 0) {
        va_list ap;
        va_start(ap, fmt);
        const char *what = va_arg(ap, const char *);
        va_end(ap);
        if (strcmp(what, "collectable") == 0) printed_collectable++;
        if (strcmp(what, "uncollectable") == 0) printed_uncollectable++;
    }
}

static void test_debug_flags(void) {
    FRESH();
    printed_stats = printed_collectable = printed_uncollectable = 0;
    tp_gc_set_print(count_prints);
    tp_gc_set_debug(TP_GC_DEBUG_STATS | TP_GC_DEBUG_COLLECTABLE | TP_GC_DEBUG_UNCOLLECTABLE);
    TP_CHECK_EQ(tp_gc_get_debug(), TP_GC_DEBUG_STATS | TP_GC_DEBUG_COLLECTABLE |
                                       TP_GC_DEBUG_UNCOLLECTABLE);
    tp_obj_t *a = tt_vec(), *b = tt_vec();
    TP_CHECK(tt_vec_append(a, b) == 0);
    TP_CHECK(tt_vec_append(b, a) == 0);
    tp_decref(a);
    tp_decref(b);
    tp_obj_t *l = tt_legacy(1);
    tt_set_a(l, l);
    tp_decref(l);
    TP_CHECK_EQ(tp_gc_collect(2), 3);
    TP_CHECK_EQ(printed_stats, 2);       /* start and end */
    TP_CHECK_EQ(printed_collectable, 2); /* a and b */
    TP_CHECK_EQ(printed_uncollectable, 1);
    tp_gc_set_debug(0);
    tp_gc_set_print(NULL);
}

static void test_per_type_free_list(void) {
    FRESH();
    tp_freelist_t fl;
    tp_freelist_init(&fl, sizeof(tt_leaf_t), 4);
    tt_leaf_type.freelist = &fl;
    tp_obj_t *a = tt_leaf(1);
    tp_decref(a);
    TP_CHECK_EQ(fl.count, 1); /* kept for the type, not given back to the heap */
    tp_obj_t *b = tt_leaf(2);
    TP_CHECK(b == a);         /* and reused by the next object of the type */
    TP_CHECK_EQ(fl.hits, 1);
    TP_CHECK_EQ(fl.count, 0);
    tp_decref(b);
    tp_freelist_drain(tp_gc_heap(), &fl);
    tt_leaf_type.freelist = NULL;
    TP_CHECK_EQ(fx_heap_used(), L_HEADS_BYTES);
}

static void test_freeze(void) {
    FRESH();
    tp_obj_t *a = tt_node(1);
    tt_set_a(a, a);
    tp_gc_freeze();
    TP_CHECK_EQ(tp_gc_get_freeze_count(), 1);
    tp_decref(a);
    TP_CHECK_EQ(tp_gc_collect(2), 0); /* frozen: ignored */
    tp_gc_unfreeze();
    TP_CHECK_EQ(tp_gc_get_freeze_count(), 0);
    TP_CHECK_EQ(tp_gc_collect(2), 1);
}

static void test_referents_tracked(void) {
    FRESH();
    tp_obj_t *a = tt_node(1), *l = tt_leaf(2);
    tt_set_a(a, l);
    tt_set_b(a, a);
    tp_obj_t *out[4];
    TP_CHECK_EQ(tp_gc_get_referents(a, out, 4), 2);
    TP_CHECK(out[0] == l && out[1] == a);
    TP_CHECK(tp_gc_is_tracked(a));
    TP_CHECK(!tp_gc_is_tracked(l)); /* atomic objects are never tracked */
    tp_gc_untrack(a);
    TP_CHECK(!tp_gc_is_tracked(a));
    tt_set_b(a, NULL);
    tp_decref(l);
    tp_decref(a);
    TP_CHECK_EQ(tt_freed, 2);
}

/* ---- deep structures, big containers, bounded steps ---- */

static void test_deep_chain_no_recursion(void) {
    FRESH();
    /* a chain of nodes dropped at its head: freed iteratively (a recursive
     * free would overflow a microcontroller's stack) */
    tp_obj_t *head = tt_node(0);
    tp_obj_t *p = head;
    for (int i = 1; i < GC_SUITE_CHAIN; i++) {
        tp_obj_t *n = tt_node(i);
        tt_set_a(p, n);
        tp_decref(n);
        p = n;
    }
    tp_decref(head);
    TP_CHECK_EQ(tt_freed, (unsigned)GC_SUITE_CHAIN);
    /* the same chain closed into a cycle: collected */
    head = tt_node(0);
    p = head;
    for (int i = 1; i < GC_SUITE_CHAIN; i++) {
        tp_obj_t *n = tt_node(i);
        tt_set_a(p, n);
        tp_decref(n);
        p = n;
    }
    tt_set_a(p, head);
    tp_decref(head);
    TP_CHECK_EQ(tp_gc_collect(2), (size_t)GC_SUITE_CHAIN);
    TP_CHECK_EQ(fx_heap_used(), L_HEADS_BYTES);
}

static void test_big_list_incremental_bounded(void) {
    FRESH();
    tp_gc_disable(); /* no automatic collection while it is built */
    tp_obj_t *big = tt_vec();
    for (int i = 0; i < GC_SUITE_BIG; i++) {
        tp_obj_t *n = tt_node(i);
        TP_CHECK(tt_vec_append(big, n) == 0);
        tt_set_a(n, big); /* every item points back: one big cycle */
        tp_decref(n);
    }
    tp_decref(big);
    tp_gc_run_stats_t before, after;
    tp_gc_get_run_stats(&before);
    tp_gc_start(2);
    uint32_t steps = 0;
    while (tp_gc_step(32)) steps++;
    tp_gc_get_run_stats(&after);
    TP_CHECK(after.max_step_work <= 32);
    TP_CHECK(steps > (uint32_t)GC_SUITE_BIG / 32u); /* it really was split */
    TP_CHECK_EQ(tt_freed, (unsigned)GC_SUITE_BIG + 1u);
    TP_CHECK_EQ(fx_heap_used(), L_HEADS_BYTES);
}

/* The trap: references moved without a count change while the big container
 * is half scanned.  Items are popped to the program, the list reversed and
 * items inserted at the front while the collector is in each phase; no item
 * the program still holds may be freed. */
static void mutate_mid_scan(const char *phase, int op) {
    FRESH();
    tp_obj_t *big = tt_vec();
    for (int i = 0; i < GC_SUITE_BIG / 4; i++) {
        tp_obj_t *n = tt_node(i);
        TP_CHECK(tt_vec_append(big, n) == 0);
        tt_set_a(n, big);
        tp_decref(n);
    }
    /* the whole structure is garbage except what the program takes out */
    tp_gc_start(2);
    while (tp_gc_in_progress() && strcmp(tp_gc_phase_name(), phase) != 0) (void)tp_gc_step(16);
    for (int k = 0; k < 3 && tp_gc_in_progress(); k++) (void)tp_gc_step(16); /* half scanned */
    tp_obj_t *held = NULL;
    if (op == 0) {
        held = tt_vec_pop(big, 0); /* the first item, already visited, to the program */
    } else if (op == 1) {
        tt_vec_reverse(big); /* visited items move to unvisited slots */
        held = big;
        tp_incref(held);
    } else {
        tp_obj_t *n = tt_node(-1);
        TP_CHECK(tt_vec_insert(big, 0, n) == 0); /* everything shifts */
        held = n;
    }
    tp_decref(big);
    (void)big;
    while (tp_gc_step(16)) {
    }
    TP_CHECK(held->rc != 0 && (held->flags & TP_OF_DYING) == 0);
    TP_CHECK_EQ(fx_gc_errors, 0);
    tp_decref(held);
    (void)tp_gc_collect(2);
    TP_CHECK_EQ(fx_heap_used(), L_HEADS_BYTES);
    TP_CHECK_EQ(tp_heap_validate(tp_gc_heap()), 0);
}

static void test_mutation_while_half_scanned(void) {
    static const char *const phases[] = {"count", "subtract", "roots", "mark"};
    for (int p = 0; p < 4; p++)
        for (int op = 0; op < 3; op++) mutate_mid_scan(phases[p], op);
}

static void test_out_of_memory_collects(void) {
    FRESH();
    tp_gc_disable();
    /* fill the heap with garbage cycles; allocation must still succeed
     * because the out-of-memory hook collects them */
    unsigned made = 0;
    for (unsigned i = 0; i < 4u * GC_SUITE_HEAP / 32u; i++) {
        tp_obj_t *n = tt_node((int32_t)i);
        if (n == NULL) break;
        tt_set_a(n, n);
        tp_decref(n);
        made++;
    }
    TP_CHECK_EQ(made, 4u * GC_SUITE_HEAP / 32u);
    TP_CHECK(tt_freed > 0);
    /* live objects only: then allocation fails cleanly */
    tp_obj_t *keep = tt_vec();
    int failed = 0;
    for (unsigned i = 0; i < GC_SUITE_HEAP / 8u; i++) {
        tp_obj_t *n = tt_node((int32_t)i);
        if (n == NULL) {
            failed = 1;
            break;
        }
        if (tt_vec_append(keep, n) != 0) {
            tp_decref(n);
            failed = 1;
            break;
        }
        tp_decref(n);
    }
    TP_CHECK(failed);
    tp_decref(keep);
    (void)tp_gc_collect(2);
    TP_CHECK_EQ(fx_heap_used(), L_HEADS_BYTES);
}

static void test_mutation_stress(void) {
    static const uint32_t seeds[] = {2463534242u, 1u, 0xC0FFEEu, 12345u};
    for (unsigned i = 0; i < 4; i++) {
        FRESH();
        tp_gc_set_threshold(20, 3, 3); /* automatic collections too */
        TP_CHECK_EQ(gc_stress_run(seeds[i], stress_ops / 4u, stress_objs), 0);
        TP_CHECK_EQ(fx_gc_errors, 0);
        TP_CHECK_EQ(fx_heap_used(), L_HEADS_BYTES);
    }
}

const tp_test_case gc_suite_cases[] = {
    TP_CASE(test_refcount_transcript),
    TP_CASE(test_refcount_saturates),
    TP_CASE(test_decref_of_dead_is_error),
    TP_CASE(test_self_cycles),
    TP_CASE(test_two_cycle_transcript),
    TP_CASE(test_cycle_kept_by_name),
    TP_CASE(test_node_example),
    TP_CASE(test_generations),
    TP_CASE(test_count_and_automatic_collection),
    TP_CASE(test_disable),
    TP_CASE(test_saveall),
    TP_CASE(test_legacy_finalizer_uncollectable),
    TP_CASE(test_finalizer_called_once),
    TP_CASE(test_simple_resurrection),
    TP_CASE(test_transitive_resurrection),
    TP_CASE(test_resurrection_does_not_block_rest),
    TP_CASE(test_finalizer_on_refcount_death),
    TP_CASE(test_weakref_basics),
    TP_CASE(test_weakref_callback_after_death),
    TP_CASE(test_weakref_in_garbage_no_callback),
    TP_CASE(test_callback_allocates_and_collects),
    TP_CASE(test_weak_proxy_parent),
    TP_CASE(test_weakref_to_condemned_reads_dead),
    TP_CASE(test_weakref_read_during_mark_keeps_alive),
    TP_CASE(test_callbacks_start_stop),
    TP_CASE(test_debug_flags),
    TP_CASE(test_per_type_free_list),
    TP_CASE(test_freeze),
    TP_CASE(test_referents_tracked),
    TP_CASE(test_deep_chain_no_recursion),
    TP_CASE(test_big_list_incremental_bounded),
    TP_CASE(test_mutation_while_half_scanned),
    TP_CASE(test_out_of_memory_collects),
    TP_CASE(test_mutation_stress),
};
const size_t gc_suite_count = TP_COUNT(gc_suite_cases);
