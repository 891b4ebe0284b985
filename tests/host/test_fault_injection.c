// SPDX-License-Identifier: MIT
/*
 * test_fault_injection.c - the object layer when any one allocation fails:
 * a workload (lists, dicts, instances with attributes, long and short
 * strings, tuples, weak references, copies, cycles, collections) is run
 * once to count its allocations, then once for every N, with the N-th
 * allocation failing (tp_heap_debug_fail_at: the allocator's debug build).
 * Each run must survive it: no crash (ASan/UBSan), the failed call an
 * error value with MemoryError recorded, nothing leaked once everything is
 * dropped and collected, the heap valid, no error reported by the
 * collector or the allocator.
 */
#include <stdint.h>
#include <string.h>

#include "tests/harness.h"
#include "tests/heap_fixture.h"
#include "tp_alloc.h"
#include "tp_gc.h"
#include "tp_objects.h"

static _Alignas(8) uint8_t arena[64u * 1024u];
static unsigned alloc_errors;
static void on_alloc_error(const tp_alloc_error_t *e, void *ctx) {
    (void)e;
    (void)ctx;
    alloc_errors++;
}

static const tp_class_t node_class = {.name = "Node"};

/* Builds and drops a bit of everything; every call may fail (then it
 * returns NULL or -1 and the workload goes on with what it has).  Returns
 * how many calls failed. */
static unsigned workload(void) {
    unsigned failed = 0;
#define TRY(call) ((call) != 0 ? (void)failed++ : (void)0)
    tp_obj_t *root = tp_list_new();
    if (root == NULL) return 1;
    for (int i = 0; i < 6; i++) {
        tp_obj_t *d = tp_dict_new(), *n = tp_instance_new(&node_class);
        tp_obj_t *v = tp_int_new(100000 + i);
        tp_obj_t *s = tp_str_from("a string too long for a pool block", 34);
        tp_obj_t *k = tp_str_new("name");
        if (d == NULL || n == NULL || v == NULL || s == NULL || k == NULL) failed++;
        if (d != NULL && v != NULL) TRY(tp_dict_set_str(d, "value", v));
        if (d != NULL && k != NULL && s != NULL) TRY(tp_dict_set(d, k, s));
        if (n != NULL && d != NULL) TRY(tp_setattr(n, "data", d));
        if (n != NULL && d != NULL && (i & 1)) TRY(tp_dict_set_str(d, "back", n)); /* a cycle */
        if (n != NULL) TRY(tp_list_append(root, n));
        tp_obj_t *items[2] = {v != NULL ? v : root, s != NULL ? s : root};
        tp_obj_t *t = tp_tuple_new(2, items);
        if (t == NULL) failed++;
        if (t != NULL) TRY(tp_list_append(root, t));
        tp_obj_t *w = n != NULL ? tp_weakref_new(n, NULL, NULL) : NULL;
        if (n != NULL && w == NULL) failed++;
        tp_xdecref(w);
        tp_xdecref(t);
        tp_xdecref(k);
        tp_xdecref(s);
        tp_xdecref(v);
        tp_xdecref(n);
        tp_xdecref(d);
    }
    tp_obj_t *c = tp_copy(root), *dc = tp_deepcopy(root);
    if (c == NULL || dc == NULL) failed++;
    tp_xdecref(c);
    tp_xdecref(dc);
    tp_obj_t *b = tp_bytes_new("bytes", 5);
    if (b == NULL) failed++;
    tp_xdecref(b);
    (void)tp_gc_collect(0);
    while (tp_len(root) > 2)
        if (tp_list_del(root, 0) != 0) break;
    tp_decref(root);
#undef TRY
    return failed;
}

static int fresh(void) {
    if (fx_fresh(arena, sizeof arena, tp_objects_init) != 0) return -1;
    tp_heap_set_error_hook(tp_gc_heap(), on_alloc_error, NULL);
    alloc_errors = 0;
    return 0;
}

static void settle_and_check(unsigned n) {
    tp_gc_collect(2);
    tp_objects_trim();
    if (fx_heap_used() != fx_base_used || tp_heap_validate(tp_gc_heap()) != 0 ||
        fx_gc_errors != 0 || alloc_errors != 0)
        tp_test_log("failing allocation %u: used %zu (base %zu), gc errors %u, alloc errors %u\n",
                    n, fx_heap_used(), fx_base_used, fx_gc_errors, alloc_errors);
    TP_CHECK_EQ(fx_heap_used(), fx_base_used);
    TP_CHECK_EQ(tp_heap_validate(tp_gc_heap()), 0);
    TP_CHECK_EQ(fx_gc_errors, 0);
    TP_CHECK_EQ(alloc_errors, 0);
}

static void test_every_allocation_may_fail(void) {
    if (!TP_CHECK(fresh() == 0)) return;
    tp_heap_stats_t st;
    tp_heap_stats(tp_gc_heap(), &st);
    uint32_t before = st.alloc_count;
    TP_CHECK_EQ(workload(), 0);
    tp_heap_stats(tp_gc_heap(), &st);
    uint32_t total = st.alloc_count - before;
    settle_and_check(0);
    TP_CHECK(total > 50);
    unsigned runs_failing = 0;
    for (uint32_t n = 1; n <= total; n++) {
        if (!TP_CHECK(fresh() == 0)) return;
        tp_err_clear();
        tp_heap_debug_fail_at(tp_gc_heap(), n);
        unsigned failed = workload();
        tp_heap_debug_fail_at(tp_gc_heap(), 0);
        if (failed != 0) {
            runs_failing++;
            TP_CHECK_EQ(tp_err(), TP_ERR_NOMEM);
        }
        settle_and_check(n);
    }
    /* nearly every injected failure reaches a caller (a few land where a
     * retry or a fallback absorbs them, e.g. a free list refilled later) */
    TP_CHECK(runs_failing * 10u >= total * 8u);
    tp_test_log("%u allocations, each failed once: %u runs saw a failed call\n", (unsigned)total,
                runs_failing);
}

static const tp_test_case cases[] = {
    TP_CASE(test_every_allocation_may_fail),
};

int main(void) { return tp_test_main("fault-injection", cases, TP_COUNT(cases)); }
