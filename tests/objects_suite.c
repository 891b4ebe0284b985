// SPDX-License-Identifier: MIT
/*
 * objects_suite.c - the object layer on the host and on every board.
 *
 * First the source material's transcripts, with the numbers
 * CPython prints: sys.getrefcount counts its own argument, so a list bound
 * to one name reads 2.  A C variable holding a reference plays the part of a
 * Python name: `b = a` is an incref, `del b` a decref.  Then each type, its
 * errors, and the collector running while lists and dicts move references.
 *
 * Every case ends by dropping what it made and checking that the heap is
 * back where the case started (nothing leaked) and valid.
 */
#include "tests/objects_suite.h"

#include <string.h>

#include "tests/heap_fixture.h"

#include "tp_alloc.h"
#include "tp_gc.h"
#include "tp_objects.h"
#include "tp_objects_internal.h" /* white-box: the dict test forces a resize */

static void *arena;
static size_t arena_size;
static char rbuf[160];

void objects_suite_setup(void *mem, size_t size) {
    arena = mem;
    arena_size = size;
}

/* How many of `want` items of about `bytes` each the case can afford: the
 * suite runs on heaps from 4 KiB (stm32vldiscovery) to 256 KiB (host). */
static int afford(int want, size_t bytes) {
    size_t n = arena_size / 4u / bytes; /* a quarter: pools and fragmentation take their share */
    return n < (size_t)want ? (int)n : want;
}

static int fresh(void) { return fx_fresh(arena, arena_size, tp_objects_init); }

#define FRESH()                                                                                   \
    do {                                                                                          \
        if (!TP_CHECK(fresh() == 0)) return;                                                      \
    } while (0)

/* The end of every case: all dropped, nothing leaked, heap consistent. */
static void settled(void) {
    tp_gc_collect(2);
    tp_objects_trim(); /* the free lists and the empty intern table */
    TP_CHECK_EQ(fx_heap_used(), fx_base_used);
    TP_CHECK_EQ(tp_heap_validate(tp_gc_heap()), 0);
    TP_CHECK_EQ(fx_gc_errors, 0);
}

static const char *repr(tp_obj_t *o) {
    tp_repr(o, rbuf, sizeof rbuf);
    return rbuf;
}

static tp_obj_t *list_of(int n, const int32_t *v) {
    tp_obj_t *l = tp_list_new();
    for (int i = 0; i < n; i++) {
        tp_obj_t *x = tp_int_new(v[i]);
        tp_list_append(l, x);
        tp_decref(x);
    }
    return l;
}

static tp_obj_t *pair(int32_t x, int32_t y) {
    int32_t v[2] = {x, y};
    return list_of(2, v);
}

/* ======================================================================
 * The transcripts
 * ====================================================================== */

static void test_getrefcount_sequence(void) {
    FRESH();
    unsigned seen[7];
    tp_obj_t *a = pair(1, 2);     /* a = [1, 2] */
    seen[0] = tp_sys_getrefcount(a);
    tp_obj_t *b = a;              /* b = a */
    tp_incref(b);
    seen[1] = tp_sys_getrefcount(a);
    tp_decref(b);                 /* del b */
    seen[2] = tp_sys_getrefcount(a);
    tp_obj_t *c = tp_list_new();  /* c = list() */
    tp_list_append(c, a);         /* c.append(a) */
    seen[3] = tp_sys_getrefcount(a);
    tp_decref(c);                 /* del c */
    seen[4] = tp_sys_getrefcount(a);
    b = a;                        /* b = a */
    tp_incref(b);
    seen[5] = tp_sys_getrefcount(a);
    tp_obj_t *first = a;
    tp_decref(a);                 /* a = [3, 4]: the name now names a new list */
    a = pair(3, 4);
    seen[6] = tp_sys_getrefcount(first);
    const unsigned want[7] = {2, 3, 2, 3, 2, 3, 2};
    for (int i = 0; i < 7; i++) TP_CHECK_EQ(seen[i], want[i]);
    TP_CHECK(b == first && a != first);
    TP_CHECK_STR(repr(b), "[1, 2]");
    tp_decref(a);
    tp_decref(b);
    settled();
}

static void test_cycle_found_by_collection(void) {
    FRESH();
    tp_obj_t *a = pair(1, 2), *b = pair(3, 4);
    TP_CHECK_EQ(tp_sys_getrefcount(a), 2);
    TP_CHECK_EQ(tp_sys_getrefcount(b), 2);
    tp_list_append(a, b);
    TP_CHECK_EQ(tp_sys_getrefcount(b), 3);
    tp_list_append(b, a);
    TP_CHECK_EQ(tp_sys_getrefcount(a), 3);
    TP_CHECK_STR(repr(a), "[1, 2, [3, 4, [...]]]");
    size_t before = fx_heap_used();
    tp_decref(a); /* del a */
    tp_decref(b); /* del b */
    TP_CHECK_EQ(tp_getrefcount(a), 1); /* counts 1 and 1: a cycle */
    TP_CHECK_EQ(tp_getrefcount(b), 1);
    TP_CHECK_EQ(fx_heap_used(), before); /* refcounting freed nothing */
    TP_CHECK_EQ(tp_gc_collect(2), 2);  /* gc.collect() -> 2 */
    settled();
}

static void test_cycle_kept_by_another_name(void) {
    FRESH();
    tp_obj_t *a = pair(1, 2), *b = pair(3, 4);
    tp_list_append(a, b);
    tp_list_append(b, a);
    tp_obj_t *c = a; /* c = a */
    tp_incref(c);
    tp_decref(a);
    tp_decref(b);
    TP_CHECK_EQ(tp_gc_collect(2), 0); /* a reachable through c, b through a */
    TP_CHECK_STR(repr(c), "[1, 2, [3, 4, [...]]]");
    tp_decref(c);
    TP_CHECK_EQ(tp_gc_collect(2), 2);
    settled();
}

static const tp_class_t node_class = {.name = "Node"};

static tp_obj_t *node(const char *name) {
    tp_obj_t *n = tp_instance_new(&node_class), *s = tp_str_new(name);
    tp_setattr(n, "name", s);
    tp_decref(s);
    return n;
}

static void test_node_cycle(void) {
    FRESH();
    tp_obj_t *mid = node("root"), *left = node("left"), *right = node("right");
    tp_setattr(mid, "next", left);   /* mid.next = left */
    tp_setattr(left, "next", right); /* left.next = right */
    tp_setattr(right, "next", left); /* right.next = left */
    tp_obj_t *wm = tp_weakref_new(mid, NULL, NULL), *wl = tp_weakref_new(left, NULL, NULL),
             *wr = tp_weakref_new(right, NULL, NULL);
    TP_CHECK_STR(repr(mid), "Node(name='root', next=Node(name='left', next=Node(name='right', next=...)))");
    tp_decref(mid);
    tp_decref(left);
    tp_decref(right);
    tp_obj_t *m = tp_weakref_get(wm), *l = tp_weakref_get(wl), *r = tp_weakref_get(wr);
    TP_CHECK(m == NULL);              /* mid: freed by refcounting at once */
    TP_CHECK(l != NULL && r != NULL); /* left <-> right: a cycle, still there */
    tp_xdecref(l);
    tp_xdecref(r);
    TP_CHECK_EQ(tp_gc_collect(2), 2);
    TP_CHECK(tp_weakref_get(wl) == NULL && tp_weakref_get(wr) == NULL);
    tp_decref(wm);
    tp_decref(wl);
    tp_decref(wr);
    settled();
}

static void test_identity(void) {
    FRESH();
    tp_obj_t *a = tp_int_new(123), *b = tp_int_new(123);
    TP_CHECK(a == b); /* a = 123; b = 123; a is b -> True */
    tp_obj_t *c = tp_int_new(1000), *d = tp_int_new(1000);
    TP_CHECK(c != d); /* a = 1000; b = 1000; a is b -> False */
    TP_CHECK_EQ(tp_eq(c, d), 1);
    tp_obj_t *n1 = tp_str_new("n"), *n2 = tp_str_new("n");
    TP_CHECK(n1 == n2); /* 'n' is 'n' -> True */
    tp_obj_t *p1 = tp_str_new("python"), *p2 = tp_str_new("python");
    TP_CHECK(p1 == p2); /* "python" is "python" -> True */
    TP_CHECK(tp_str_is_interned(p1));
    /* the cache's edges */
    tp_obj_t *lo = tp_int_new(-5), *lo2 = tp_int_new(-5), *hi = tp_int_new(256), *hi2 = tp_int_new(256);
    TP_CHECK(lo == lo2 && hi == hi2);
    tp_obj_t *o1 = tp_int_new(257), *o2 = tp_int_new(257), *u1 = tp_int_new(-6), *u2 = tp_int_new(-6);
    TP_CHECK(o1 != o2 && u1 != u2);
    /* not identifier-like: not interned; built at run time: not interned */
    tp_obj_t *h1 = tp_str_new("hello world"), *h2 = tp_str_new("hello world");
    TP_CHECK(h1 != h2 && tp_eq(h1, h2) == 1);
    tp_obj_t *py = tp_str_new("py"), *thon = tp_str_new("thon");
    tp_obj_t *cat = tp_str_concat(py, thon);
    TP_CHECK(cat != p1 && tp_eq(cat, p1) == 1 && !tp_str_is_interned(cat));
    tp_obj_t *in = tp_str_intern(cat); /* sys.intern */
    TP_CHECK(in == p1);
    /* a one-character string is cached whatever made it */
    tp_obj_t *x = tp_str_from("xyz", 1), *e = tp_str_new("");
    tp_obj_t *x2 = tp_str_concat(e, x);
    TP_CHECK(x2 == x);
    tp_obj_t *objs[] = {a, b, c, d, n1, n2, p1, p2, lo, lo2, hi, hi2, o1, o2, u1, u2, h1, h2,
                        py, thon, cat, in, x, e, x2};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) tp_decref(objs[i]);
    settled();
    TP_CHECK_EQ(tp_str_intern_count(), 0); /* interned strings died and left the table */
}

static void test_count_grows_by_three(void) {
    FRESH();
    tp_obj_t *x = tp_int_new(300); /* x = 300 */
    unsigned before = tp_sys_getrefcount(x);
    tp_obj_t *y = x; /* y = x */
    tp_incref(y);
    tp_obj_t *z = tp_list_new(); /* z = [x, y] */
    tp_list_append(z, x);
    tp_list_append(z, y);
    TP_CHECK_EQ(tp_sys_getrefcount(x), before + 3u);
    TP_CHECK_STR(repr(z), "[300, 300]");
    tp_decref(z);
    TP_CHECK_EQ(tp_sys_getrefcount(x), before + 1u);
    tp_decref(y);
    tp_decref(x);
    settled();
}

static void test_del_removes_a_name(void) {
    FRESH();
    tp_obj_t *a = pair(1, 2), *b = a; /* a = [1, 2]; b = a */
    tp_incref(b);
    TP_CHECK_EQ(tp_sys_getrefcount(b), 3);
    tp_decref(a); /* del a: the object lives on through b */
    TP_CHECK_EQ(tp_sys_getrefcount(b), 2);
    TP_CHECK_STR(repr(b), "[1, 2]");
    TP_CHECK_EQ(tp_len(b), 2);
    tp_decref(b); /* del b: the last name: freed at once, no collection */
    TP_CHECK_EQ(fx_heap_used(), fx_base_used);
    settled();
}

static void test_weakref_reads_none_after_death(void) {
    FRESH();
    tp_obj_t *obj = node("obj");
    tp_obj_t *r = tp_weakref_new(obj, NULL, NULL); /* r = weakref.ref(obj) */
    TP_CHECK_EQ(tp_sys_getrefcount(obj), 2);     /* a weak reference does not count */
    tp_obj_t *got = tp_weakref_get(r);           /* r() is obj */
    TP_CHECK(got == obj);
    tp_decref(got);
    TP_CHECK_STR(repr(r), "<weakref; to 'Node'>");
    tp_decref(obj); /* del obj */
    TP_CHECK(tp_weakref_get(r) == NULL); /* r() -> None */
    TP_CHECK_STR(repr(r), "<weakref; dead>");
    tp_decref(r);
    /* not weak-referenceable: ints, lists, and classes that opt out */
    static const tp_class_t slotted = {.name = "Slotted", .flags = TP_CLASS_NO_WEAKREF};
    tp_obj_t *s = tp_instance_new(&slotted), *l = tp_list_new(), *i = tp_int_new(5000);
    TP_CHECK(tp_weakref_new(s, NULL, NULL) == NULL);
    TP_CHECK(tp_weakref_new(l, NULL, NULL) == NULL);
    TP_CHECK(tp_weakref_new(i, NULL, NULL) == NULL);
    tp_decref(s);
    tp_decref(l);
    tp_decref(i);
    settled();
}

static void test_weak_proxy_parent(void) {
    FRESH();
    fx_count_rule_only();
    tp_obj_t *parent = node("parent"), *child = node("child");
    tp_obj_t *kids = tp_list_new();
    tp_list_append(kids, child);
    tp_setattr(parent, "children", kids); /* parent.children = [child] */
    tp_decref(kids);
    tp_obj_t *proxy = tp_weakproxy_new(parent, NULL, NULL);
    tp_setattr(child, "parent", proxy); /* self.parent = weakref.proxy(parent) */
    tp_decref(proxy);
    /* through the proxy: child.parent.name */
    tp_obj_t *p = tp_getattr(child, "parent");
    tp_obj_t *pname = tp_getattr(p, "name");
    TP_CHECK_STR(tp_str_data(pname), "parent");
    tp_decref(pname);
    tp_decref(p);
    tp_obj_t *wchild = tp_weakref_new(child, NULL, NULL), *wparent = tp_weakref_new(parent, NULL, NULL);
    tp_decref(child);
    size_t gc_before = 0;
    tp_gc_gen_stats_t st;
    tp_gc_get_stats(2, &st);
    gc_before = st.collections;
    tp_decref(parent); /* no cycle: refcounting alone frees parent and child */
    tp_gc_get_stats(2, &st);
    TP_CHECK_EQ(st.collections, gc_before);
    TP_CHECK(tp_weakref_get(wparent) == NULL && tp_weakref_get(wchild) == NULL);
    tp_decref(wchild);
    tp_decref(wparent);
    TP_CHECK_EQ(tp_gc_collect(2), 0);
    settled();
}

static void test_proxy_to_dead_is_reference_error(void) {
    FRESH();
    tp_obj_t *parent = node("parent"), *child = node("child");
    tp_obj_t *proxy = tp_weakproxy_new(parent, NULL, NULL);
    tp_setattr(child, "parent", proxy);
    tp_decref(proxy);
    tp_decref(parent);
    tp_obj_t *p = tp_getattr(child, "parent");
    tp_err_clear();
    TP_CHECK(tp_getattr(p, "name") == NULL);
    TP_CHECK_EQ(tp_err(), TP_ERR_REFERENCE);
    TP_CHECK_STR(tp_err_name(tp_err()), "ReferenceError");
    TP_CHECK_STR(repr(p), "<weakproxy; dead>");
    tp_decref(p);
    tp_decref(child);
    settled();
}

static void test_thresholds(void) {
    FRESH();
    fx_count_rule_only();
    unsigned t[3];
    tp_gc_get_threshold(t);
    TP_CHECK(t[0] == 700 && t[1] == 10 && t[2] == 10); /* gc.get_threshold() */
    /* 700 container allocations more than deallocations start a collection */
    int t0 = afford(700, 32); /* a list and its slot in keep */
    if (t0 < 700) tp_gc_set_threshold((unsigned)t0, 10, 10); /* a small heap */
    tp_obj_t *keep = tp_list_new();
    tp_gc_gen_stats_t st0, st1;
    tp_gc_get_stats(0, &st0);
    for (int i = 0; i < t0 + t0 / 4 + 1; i++) { /* past threshold0 once, not twice */
        tp_obj_t *l = tp_list_new();
        tp_list_append(keep, l);
        tp_decref(l);
    }
    while (tp_gc_in_progress()) tp_gc_step(0);
    tp_gc_get_stats(0, &st1);
    TP_CHECK_EQ(st1.collections, st0.collections + 1u);
    tp_decref(keep);
    settled();
}

static void test_saveall_keeps_garbage(void) {
    FRESH();
    tp_gc_set_debug(TP_GC_DEBUG_SAVEALL);
    tp_obj_t *a = pair(1, 2), *b = pair(3, 4);
    tp_list_append(a, b);
    tp_list_append(b, a);
    tp_decref(a);
    tp_decref(b);
    TP_CHECK_EQ(tp_gc_collect(2), 2);
    tp_obj_t *g[4];
    TP_CHECK_EQ(tp_gc_garbage(g, 4), 2); /* gc.garbage holds them */
    TP_CHECK((g[0] == a && g[1] == b) || (g[0] == b && g[1] == a));
    TP_CHECK_STR(repr(a), "[1, 2, [3, 4, [...]]]"); /* still intact */
    tp_gc_set_debug(0);
    tp_gc_garbage_clear(); /* del gc.garbage[:] */
    TP_CHECK_EQ(tp_gc_collect(2), 2);
    settled();
}

static void test_copy_vs_deepcopy(void) {
    FRESH();
    tp_obj_t *x = pair(1, 2), *y = pair(3, 4);
    tp_obj_t *a = tp_list_new(); /* a = [[1, 2], [3, 4]] */
    tp_list_append(a, x);
    tp_list_append(a, y);
    tp_obj_t *b = tp_copy(a), *c = tp_deepcopy(a);
    TP_CHECK(b != a && c != a);
    tp_obj_t *b0 = tp_list_get(b, 0), *c0 = tp_list_get(c, 0);
    TP_CHECK(b0 == x); /* shallow: the inner lists are shared */
    TP_CHECK(c0 != x); /* deep: copied */
    tp_obj_t *five = tp_int_new(5);
    tp_list_append(x, five); /* a[0].append(5) */
    TP_CHECK_STR(repr(a), "[[1, 2, 5], [3, 4]]");
    TP_CHECK_STR(repr(b), "[[1, 2, 5], [3, 4]]"); /* seen through the copy */
    TP_CHECK_STR(repr(c), "[[1, 2], [3, 4]]");    /* not through the deep copy */
    tp_obj_t *objs[] = {x, y, a, b, c, b0, c0, five};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) tp_decref(objs[i]);
    settled();
}

/* ======================================================================
 * Types
 * ====================================================================== */

static void test_deepcopy_cycles_and_sharing(void) {
    FRESH();
    tp_obj_t *a = pair(1, 2);
    tp_list_append(a, a); /* a = [1, 2]; a.append(a) */
    tp_obj_t *d = tp_deepcopy(a);
    tp_obj_t *d2 = tp_list_get(d, 2);
    TP_CHECK(d != a && d2 == d); /* the cycle is copied as a cycle */
    TP_CHECK_STR(repr(d), "[1, 2, [...]]");
    tp_decref(d2);
    tp_obj_t *s = pair(7, 8), *shared = tp_list_new();
    tp_list_append(shared, s);
    tp_list_append(shared, s);
    tp_obj_t *t = tp_tuple_new(1, &shared);
    tp_obj_t *dt = tp_deepcopy(t);
    tp_obj_t *dl = tp_tuple_get(dt, 0), *e0 = tp_list_get(dl, 0), *e1 = tp_list_get(dl, 1);
    TP_CHECK(dt != t && dl != shared && e0 == e1 && e0 != s); /* shared once, copied once */
    /* a tuple of immutables is its own deep copy */
    tp_obj_t *one = tp_int_new(1), *nm = tp_str_new("nm");
    tp_obj_t *items[2] = {one, nm};
    tp_obj_t *imm = tp_tuple_new(2, items), *dimm = tp_deepcopy(imm);
    TP_CHECK(dimm == imm);
    /* instances and dicts, with a cycle through an instance */
    tp_obj_t *n = node("n"), *dict = tp_dict_new();
    tp_setattr(n, "self", n);
    tp_dict_set_str(dict, "node", n);
    tp_obj_t *dd = tp_deepcopy(dict), *dn = tp_dict_get_str(dd, "node"), *dself = tp_getattr(dn, "self");
    TP_CHECK(dn != n && dself == dn && tp_instance_class(dn) == &node_class);
    tp_obj_t *objs[] = {a, d, s, shared, t, dt, dl, e0, e1, one, nm, imm, dimm, n, dict, dd, dn, dself};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) tp_decref(objs[i]);
    settled();
}

static void test_deepcopy_depth_limit(void) {
    FRESH();
    tp_obj_t *top = tp_list_new(), *cur = top;
    for (int i = 0; i < TP_OBJ_MAX_DEPTH + 2; i++) {
        tp_obj_t *inner = tp_list_new();
        tp_list_append(cur, inner);
        tp_decref(inner);
        cur = inner;
    }
    tp_err_clear();
    TP_CHECK(tp_deepcopy(top) == NULL);
    TP_CHECK_EQ(tp_err(), TP_ERR_RECURSION);
    tp_decref(top);
    settled(); /* the partial copy was dropped */
}

static void test_list_operations(void) {
    FRESH();
    int32_t v[5] = {0, 1, 2, 3, 4};
    tp_obj_t *l = list_of(5, v);
    tp_obj_t *nine = tp_int_new(9);
    TP_CHECK(tp_list_insert(l, 2, nine) == 0);
    TP_CHECK(tp_list_insert(l, -100, nine) == 0); /* clamps to the front */
    TP_CHECK(tp_list_insert(l, 100, nine) == 0);  /* and to the end */
    TP_CHECK_STR(repr(l), "[9, 0, 1, 9, 2, 3, 4, 9]");
    tp_obj_t *p = tp_list_pop(l, -1);
    TP_CHECK(p == nine);
    tp_decref(p);
    TP_CHECK(tp_list_del(l, 0) == 0);
    TP_CHECK(tp_list_set(l, -1, nine) == 0);
    TP_CHECK(tp_list_reverse(l) == 0);
    TP_CHECK_STR(repr(l), "[9, 3, 2, 9, 1, 0]");
    tp_decref(nine);
    /* grow past many resizes, then shrink back */
    const int n = afford(300, 24);
    for (int i = 0; i < n; i++) {
        tp_obj_t *x = tp_int_new(i * 1000);
        tp_list_append(l, x);
        tp_decref(x);
    }
    TP_CHECK_EQ(tp_len(l), 6 + n);
    tp_obj_t *x = tp_list_get(l, 6 + n / 2);
    TP_CHECK_EQ(tp_int_value(x), n / 2 * 1000);
    tp_decref(x);
    size_t big = fx_heap_used();
    while (tp_len(l) > 2) tp_list_del(l, 1);
    TP_CHECK(fx_heap_used() < big - (size_t)n * 2u); /* the item array shrank */
    TP_CHECK_EQ(tp_len(l), 2);
    x = tp_list_get(l, 1);
    TP_CHECK_EQ(tp_int_value(x), (n - 1) * 1000);
    tp_decref(x);
    tp_decref(l);
    settled();
}

static void test_dict_operations(void) {
    FRESH();
    tp_obj_t *d = tp_dict_new();
    const char *names[] = {"zeta", "alpha", "mid", "beta"};
    for (int i = 0; i < 4; i++) {
        tp_obj_t *v = tp_int_new(i);
        TP_CHECK(tp_dict_set_str(d, names[i], v) == 0);
        tp_decref(v);
    }
    TP_CHECK_STR(repr(d), "{'zeta': 0, 'alpha': 1, 'mid': 2, 'beta': 3}"); /* insertion order */
    tp_obj_t *k = tp_str_new("alpha"), *ten = tp_int_new(10);
    tp_dict_set(d, k, ten); /* overwrite keeps the place */
    TP_CHECK_STR(repr(d), "{'zeta': 0, 'alpha': 10, 'mid': 2, 'beta': 3}");
    TP_CHECK(tp_dict_del(d, k) == 0);
    TP_CHECK_EQ(tp_dict_contains(d, k), 0);
    tp_dict_set(d, k, ten); /* re-added: at the end */
    TP_CHECK_STR(repr(d), "{'zeta': 0, 'mid': 2, 'beta': 3, 'alpha': 10}");
    /* numbers that are equal are the same key: 1 and 1.0 */
    tp_obj_t *i1 = tp_int_new(1), *f1 = tp_float_new(1.0), *s = tp_str_new("one");
    tp_dict_set(d, i1, s);
    tp_obj_t *got = tp_dict_get(d, f1);
    TP_CHECK(got == s);
    tp_xdecref(got);
    /* tuple keys */
    tp_obj_t *tk_items[2] = {i1, s};
    tp_obj_t *tk = tp_tuple_new(2, tk_items), *tk2 = tp_tuple_new(2, tk_items);
    tp_dict_set(d, tk, ten);
    got = tp_dict_get(d, tk2);
    TP_CHECK(got == ten);
    tp_xdecref(got);
    /* many keys: resizes, deletes, order kept */
    int32_t many = (int32_t)afford(400, 160) & ~1;
    for (int32_t i = 1000; i < 1000 + many; i++) {
        tp_obj_t *key = tp_int_new(i);
        TP_CHECK(tp_dict_set(d, key, key) == 0);
        tp_decref(key);
    }
    for (int32_t i = 1000; i < 1000 + many; i += 2) {
        tp_obj_t *key = tp_int_new(i);
        TP_CHECK(tp_dict_del(d, key) == 0);
        tp_decref(key);
    }
    TP_CHECK_EQ(tp_len(d), 4 + 2 + many / 2);
    size_t pos = 0;
    tp_obj_t *kk, *vv;
    int32_t last = 0, n = 0, ordered = 1;
    while (tp_dict_next(d, &pos, &kk, &vv)) {
        if (!tp_is(kk, &tp_int_type) || tp_int_value(kk) < 1000) continue;
        ordered &= tp_int_value(kk) > last && (tp_int_value(kk) & 1) == 1;
        last = tp_int_value(kk);
        n++;
    }
    TP_CHECK(ordered && n == many / 2);
    tp_obj_t *objs[] = {d, k, ten, i1, f1, s, tk, tk2};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) tp_decref(objs[i]);
    settled();
}

static void test_errors_are_values(void) {
    FRESH();
    tp_obj_t *l = pair(1, 2), *d = tp_dict_new(), *n = node("n");
    tp_err_clear();
    TP_CHECK(tp_list_get(l, 2) == NULL && tp_err() == TP_ERR_INDEX); /* l[2] */
    TP_CHECK(tp_list_pop(l, -3) == NULL && tp_err() == TP_ERR_INDEX);
    tp_obj_t *empty = tp_list_new();
    TP_CHECK(tp_list_pop(empty, -1) == NULL && tp_err() == TP_ERR_INDEX);
    TP_CHECK(tp_dict_get_str(d, "missing") == NULL && tp_err() == TP_ERR_KEY);
    TP_CHECK(tp_dict_set(d, l, l) == -1 && tp_err() == TP_ERR_TYPE); /* unhashable */
    TP_CHECK(tp_getattr(n, "nope") == NULL && tp_err() == TP_ERR_ATTRIBUTE);
    TP_CHECK(tp_delattr(n, "nope") == -1 && tp_err() == TP_ERR_ATTRIBUTE);
    tp_obj_t *big = tp_int_new(INT32_MAX), *one = tp_int_new(1);
    TP_CHECK(tp_int_add(big, one) == NULL && tp_err() == TP_ERR_OVERFLOW);
    tp_obj_t *ba = tp_bytearray_new("abc", 3), *by = tp_bytes_new("abc", 3);
    TP_CHECK(tp_bytearray_set(ba, 0, 300) == -1 && tp_err() == TP_ERR_VALUE);
    TP_CHECK(tp_bytearray_set(ba, 3, 1) == -1 && tp_err() == TP_ERR_INDEX);
    tp_obj_t *v = tp_view_new(by, 1, 2);
    TP_CHECK(tp_view_set(v, 0, 65) == -1 && tp_err() == TP_ERR_TYPE); /* readonly */
    TP_CHECK(tp_view_new(by, 2, 2) == NULL && tp_err() == TP_ERR_INDEX);
    /* NULL and wrong types are errors, not crashes */
    TP_CHECK(tp_list_append(NULL, one) == -1 && tp_err() == TP_ERR_TYPE);
    TP_CHECK(tp_list_append(d, one) == -1 && tp_err() == TP_ERR_TYPE);
    TP_CHECK(tp_dict_get(NULL, one) == NULL && tp_err() == TP_ERR_TYPE);
    TP_CHECK(tp_len(one) == -1 && tp_err() == TP_ERR_TYPE);
    TP_CHECK(tp_copy(v) == NULL && tp_err() == TP_ERR_TYPE);
    TP_CHECK(tp_setattr(l, "x", one) == -1 && tp_err() == TP_ERR_TYPE);
    TP_CHECK(tp_hash(d, NULL) == -1 && tp_err() == TP_ERR_TYPE);
    TP_CHECK(tp_tuple_new(1, NULL) == NULL && tp_err() == TP_ERR_TYPE);
    TP_CHECK(tp_str_new(NULL) == NULL && tp_err() == TP_ERR_TYPE);
    TP_CHECK_STR(repr(l), "[1, 2]"); /* nothing changed */
    TP_CHECK_STR(tp_err_name(TP_ERR_KEY), "KeyError");
    tp_obj_t *objs[] = {l, d, n, empty, big, one, ba, by, v};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) tp_decref(objs[i]);
    settled();
}

/* NULL output buffers and outputs: an error value, nothing written. */
static void test_null_outputs_are_errors(void) {
    FRESH();
    tp_obj_t *l = tp_list_new(), *i = tp_int_new(5000);
    TP_CHECK(tp_list_append(l, i) == 0);
    tp_err_clear();
    TP_CHECK_EQ(tp_repr(l, NULL, 16), 0);
    TP_CHECK_EQ(tp_err(), TP_ERR_VALUE);
    char buf[8];
    TP_CHECK(tp_repr(l, buf, 0) > 0); /* size 0: the length it needs, nothing written */
    TP_CHECK_EQ(tp_describe_edge(l, i, NULL, 16), 0);
    tp_err_clear();
    tp_objects_get_stats(NULL);
    TP_CHECK_EQ(tp_err(), TP_ERR_VALUE);
    tp_decref(i);
    tp_decref(l);
    settled();
}

static void test_out_of_memory_is_an_error(void) {
    FRESH();
    tp_obj_t *hold = tp_list_new();
    static const tp_class_t target = {.name = "Target"};
    tp_obj_t *t = tp_instance_new(&target); /* made while there is room */
    tp_err_clear();
    int failed = 0;
    for (int i = 0; i < 100000 && !failed; i++) {
        tp_obj_t *s = tp_str_from("a string that fills the heap", 28);
        if (s == NULL) {
            failed = 1;
            break;
        }
        if (tp_list_append(hold, s) != 0) failed = 1;
        tp_decref(s);
    }
    TP_CHECK(failed);
    TP_CHECK_EQ(tp_err(), TP_ERR_NOMEM);
    TP_CHECK_EQ(tp_heap_validate(tp_gc_heap()), 0);
    /* a weak reference that finds no memory: MemoryError too */
    tp_obj_t *chain = NULL, *w;
    tp_err_clear();
    /* each weak reference holds the one before (its callback's argument) */
    while (t != NULL && (w = tp_weakref_new(t, NULL, chain)) != NULL) {
        tp_xdecref(chain);
        chain = w;
    }
    TP_CHECK(t != NULL);
    TP_CHECK_EQ(tp_err(), TP_ERR_NOMEM);
    tp_xdecref(chain);
    tp_xdecref(t);
    long n = tp_len(hold);
    TP_CHECK(n > 10);
    tp_obj_t *last = tp_list_get(hold, -1);
    TP_CHECK_STR(tp_str_data(last), "a string that fills the heap");
    tp_decref(last);
    tp_decref(hold);
    settled();
}

static void test_free_lists_per_type(void) {
    FRESH();
    tp_obj_t *i = tp_int_new(5000);
    void *where = i;
    tp_decref(i);
    tp_objects_stats_t st;
    tp_objects_get_stats(&st);
    TP_CHECK_EQ(st.int_freelist, 1); /* the int's block waits on the int list */
    tp_obj_t *f = tp_float_new(2.5); /* a float does not get it */
    TP_CHECK((void *)f != where);
    tp_obj_t *j = tp_int_new(6000); /* the next int does */
    TP_CHECK((void *)j == where);
    TP_CHECK_STR(repr(f), "2.5");
    tp_decref(f);
    tp_decref(j);
    /* cached ints are never allocated: their header stays untouched */
    tp_obj_t *c = tp_int_new(42);
    for (int k = 0; k < 1000; k++) tp_incref(c);
    for (int k = 0; k < 2000; k++) tp_decref(c);
    TP_CHECK_EQ(tp_getrefcount(c), TP_RC_IMMORTAL);
    TP_CHECK_EQ(tp_int_value(c), 42);
    TP_CHECK_EQ(c->flags, 0);
    settled();
    tp_objects_get_stats(&st);
    TP_CHECK(st.int_cache_hits >= 1);
}

static void test_tuples(void) {
    FRESH();
    tp_obj_t *one = tp_int_new(1), *s = tp_str_new("s");
    tp_obj_t *atoms[2] = {one, s};
    tp_obj_t *t = tp_tuple_new(2, atoms);
    TP_CHECK(!tp_gc_is_tracked(t)); /* only atoms: can never be in a cycle */
    tp_obj_t *l = tp_list_new();
    tp_obj_t *t2 = tp_tuple_new(1, &l);
    TP_CHECK(tp_gc_is_tracked(t2));
    TP_CHECK_STR(repr(t2), "([],)");
    tp_list_append(l, t2); /* a cycle through a tuple */
    TP_CHECK_STR(repr(t2), "([(...)],)");
    uint32_t h1, h2;
    tp_obj_t *t3 = tp_tuple_new(2, atoms);
    TP_CHECK(tp_hash(t, &h1) == 0 && tp_hash(t3, &h2) == 0 && h1 == h2);
    TP_CHECK(tp_hash(t2, &h1) == -1); /* holds a list */
    tp_obj_t *g = tp_tuple_get(t, -1);
    TP_CHECK(g == s);
    tp_obj_t *objs[] = {one, s, t, l, t2, t3, g};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) tp_decref(objs[i]);
    TP_CHECK_EQ(tp_gc_collect(2), 2);
    settled();
}

/* A dict or an instance holding only atoms can never be in a cycle: it is
 * not tracked until a container goes into it (as CPython does for dicts),
 * and a cycle made through it then is collected. */
static void test_tracked_from_first_container(void) {
    FRESH();
    static const tp_class_t rec = {.name = "Rec"};
    tp_obj_t *d = tp_dict_new(), *o = tp_instance_new(&rec);
    tp_obj_t *one = tp_int_new(100001), *s = tp_str_new("name");
    TP_CHECK(!tp_gc_is_tracked(d) && !tp_gc_is_tracked(o));
    tp_dict_set(d, s, one);
    tp_setattr(o, "id", one);
    tp_setattr(o, "name", s);
    TP_CHECK(!tp_gc_is_tracked(d) && !tp_gc_is_tracked(o)); /* atoms only */
    tp_obj_t *l = tp_list_new();
    tp_setattr(o, "items", l); /* a container: from now on tracked */
    TP_CHECK(tp_gc_is_tracked(o));
    tp_list_append(l, o); /* o -> l -> o */
    tp_obj_t *atoms[1] = {one};
    tp_obj_t *t = tp_tuple_new(1, atoms); /* untracked, but a container type */
    tp_dict_set(d, t, one);
    TP_CHECK(tp_gc_is_tracked(d));
    /* an untracked dict gains a container while a collection is half done:
     * the container, condemned so far, becomes reachable through it */
    tp_obj_t *d2 = tp_dict_new(), *c = tp_list_new();
    tp_list_append(c, c); /* garbage unless d2 takes it */
    tp_obj_t *hold = tp_list_new();
    tp_list_append(hold, c);
    tp_decref(c);
    tp_gc_start(2);
    while (tp_gc_in_progress() && strcmp(tp_gc_phase_name(), "mark") != 0) tp_gc_step(1);
    TP_CHECK(!tp_gc_is_tracked(d2));
    tp_dict_set(d2, s, c); /* through `hold` the program still reaches c */
    tp_list_del(hold, 0);
    TP_CHECK(tp_gc_is_tracked(d2));
    while (tp_gc_step(0)) {
    }
    tp_obj_t *got = tp_dict_get(d2, s);
    TP_CHECK(got == c && tp_list_get(c, 0) == c);
    tp_xdecref(got);
    tp_decref(c); /* tp_list_get's reference */
    tp_decref(hold);
    tp_decref(d2); /* c's self-cycle is garbage now */
    tp_obj_t *objs[] = {d, o, one, s, l, t};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) tp_decref(objs[i]);
    TP_CHECK_EQ(tp_gc_collect(2), 3); /* o <-> l, and c */
    /* a copy of a dict holding a list is tracked: a cycle through it is found */
    tp_obj_t *src = tp_dict_new(), *inner = tp_list_new();
    tp_dict_set_str(src, "inner", inner);
    tp_obj_t *cp = tp_copy(src);
    TP_CHECK(tp_gc_is_tracked(cp));
    tp_list_append(inner, cp); /* inner -> cp -> inner */
    tp_decref(src);
    tp_decref(cp);
    tp_decref(inner);
    TP_CHECK_EQ(tp_gc_collect(2), 2);
    settled();
}

static void test_view_zero_copy(void) {
    FRESH();
    tp_obj_t *ba = tp_bytearray_new("hello world", 11);
    tp_obj_t *v = tp_view_new(ba, 6, 5); /* memoryview(ba)[6:11] */
    TP_CHECK(tp_view_data(v) == tp_bytes_data(ba) + 6); /* no copy */
    TP_CHECK_EQ(tp_view_readonly(v), 0);
    TP_CHECK(tp_view_set(v, 0, 'W') == 0); /* writes go to the buffer */
    TP_CHECK_STR(repr(ba), "bytearray(b'hello World')");
    tp_obj_t *vv = tp_view_new(v, 1, 3); /* a view of the view: the same buffer */
    TP_CHECK(tp_view_data(vv) == tp_bytes_data(ba) + 7);
    TP_CHECK_EQ(tp_view_get(vv, -1), 'l');
    tp_decref(v);
    tp_decref(ba); /* the view keeps the buffer alive */
    TP_CHECK_EQ(tp_view_get(vv, 0), 'o');
    tp_obj_t *copy = tp_view_tobytes(vv);
    TP_CHECK_STR(repr(copy), "b'orl'");
    tp_obj_t *base = tp_view_buffer(vv);
    TP_CHECK(tp_is(base, &tp_bytearray_type));
    tp_decref(base);
    tp_decref(copy);
    tp_decref(vv); /* the last view: the buffer goes too */
    settled();
}

static void test_repr_and_eq(void) {
    FRESH();
    tp_obj_t *d = tp_dict_new();
    tp_obj_t *f = tp_float_new(-0.125), *q = tp_str_new("it's"), *b = tp_bytes_new("\x01z", 2);
    tp_dict_set_str(d, "f", f);
    tp_dict_set_str(d, "q", q);
    tp_dict_set_str(d, "b", b);
    tp_dict_set_str(d, "self", d);
    TP_CHECK_STR(repr(d), "{'f': -0.125, 'q': \"it's\", 'b': b'\\x01z', 'self': {...}}");
    tp_obj_t *big = tp_float_new(1e20), *third = tp_float_new(1.0 / 3.0);
    TP_CHECK_STR(repr(big), "1.0e+20");
    TP_CHECK_STR(repr(third), "0.333333333");
    tp_obj_t *d2 = tp_copy(d);
    TP_CHECK_EQ(tp_eq(d2, d), 1); /* as Python: d2['self'] is d, and d == d by identity */
    tp_obj_t *l1 = pair(1, 2), *l2 = pair(1, 2);
    TP_CHECK_EQ(tp_eq(l1, l2), 1);
    char small[8];
    size_t need = tp_repr(l1, small, sizeof small);
    TP_CHECK_EQ(need, 6);
    TP_CHECK_STR(small, "[1, 2]");
    tp_repr(d, small, sizeof small);
    TP_CHECK_STR(small, "{'f'...");
    tp_obj_t *objs[] = {d, f, q, b, big, third, d2, l1, l2};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) tp_decref(objs[i]);
    TP_CHECK_EQ(tp_gc_collect(2), 1); /* d: its self-cycle (d2 died by refcount) */
    settled();
}

static unsigned del_runs;
static tp_obj_t *resurrected;
static void count_del(tp_obj_t *self) { del_runs++; (void)self; }
static void resurrect_del(tp_obj_t *self) {
    del_runs++;
    tp_incref(self);
    resurrected = self;
}

static void test_instance_finalizers(void) {
    FRESH();
    static const tp_class_t counted = {.name = "Counted", .del = count_del};
    static const tp_class_t phoenix = {.name = "Phoenix", .del = resurrect_del};
    del_runs = 0;
    tp_obj_t *a = tp_instance_new(&counted);
    tp_decref(a); /* __del__ at refcount death */
    TP_CHECK_EQ(del_runs, 1);
    tp_obj_t *x = tp_instance_new(&counted), *y = tp_instance_new(&counted);
    tp_setattr(x, "other", y);
    tp_setattr(y, "other", x);
    tp_decref(x);
    tp_decref(y);
    TP_CHECK_EQ(tp_gc_collect(2), 2); /* PEP 442: finalized, then freed */
    TP_CHECK_EQ(del_runs, 3);
    tp_obj_t *p = tp_instance_new(&phoenix);
    tp_decref(p);
    TP_CHECK(resurrected == p); /* came back; __del__ never runs twice */
    tp_decref(resurrected);
    TP_CHECK_EQ(del_runs, 4);
    settled();
}

/* The collector half-way through a big list and a big dict while the
 * program pops, inserts, reverses and resizes them: every item that is
 * still referenced must survive (see tp_gc_moved). */
static void test_moves_during_collection(void) {
    FRESH();
    fx_count_rule_only();
    enum { NMAX = 120 };
    const int N = afford(NMAX, 320);
    const int grow = afford(6, 256) > 0 ? afford(6, 256) : 1; /* per round */
    tp_obj_t *list = tp_list_new(), *dict = tp_dict_new();
    static tp_obj_t *weak[NMAX]; /* static: a 1.5 KiB stack on the smallest board */
    for (int i = 0; i < N; i++) {
        tp_obj_t *n = node("item");
        weak[i] = tp_weakref_new(n, NULL, NULL);
        if (i % 2 == 0)
            tp_list_append(list, n);
        else {
            tp_obj_t *k = tp_int_new(i + 1000);
            tp_dict_set(dict, k, n);
            tp_decref(k);
        }
        tp_decref(n);
    }
    /* garbage too, so the collection has something to free */
    for (int i = 0; i < 20; i++) {
        tp_obj_t *a = pair(i, i);
        tp_list_append(a, a);
        tp_decref(a);
    }
    /* how many steps a whole collection takes, to spread the rounds over
     * every phase of it */
    tp_gc_start(2);
    int total = 0;
    while (tp_gc_in_progress()) tp_gc_step(8), total++;
    static tp_obj_t *held[NMAX];
    int nheld = 0;
    for (int round = 0; round < 40; round++) {
        tp_gc_start(2);
        for (int s = 0; s < total * round / 40 && tp_gc_in_progress(); s++) tp_gc_step(8);
        tp_obj_t *p = tp_list_pop(list, round % 3 == 0 ? 0 : -1); /* to a C variable */
        if (p != NULL) held[nheld++] = p;
        if (round % 4 == 0 && nheld > 0) tp_list_insert(list, 1, held[--nheld]), tp_decref(held[nheld]);
        if (round % 5 == 0) tp_list_reverse(list);
        tp_obj_t *k = tp_int_new(1001 + 2 * round);
        tp_obj_t *v = tp_dict_get(dict, k);
        if (v != NULL) {
            tp_dict_del(dict, k); /* the dict's reference goes; ours stays */
            held[nheld++] = v;
        }
        tp_decref(k);
        for (int j = 0; j < grow; j++) { /* growth: rehash while half-scanned */
            tp_obj_t *kk = tp_int_new(50000 + round * 10 + j), *vv = tp_tuple_new(0, NULL);
            TP_CHECK(tp_dict_set(dict, kk, vv) == 0);
            tp_xdecref(kk);
            tp_xdecref(vv);
        }
        while (tp_gc_in_progress()) tp_gc_step(8);
        for (int j = 0; j < grow; j++) { /* holes: the next growth compacts */
            tp_obj_t *kk = tp_int_new(50000 + round * 10 + j);
            TP_CHECK(tp_dict_del(dict, kk) == 0);
            tp_xdecref(kk);
        }
    }
    int alive = 0;
    for (int i = 0; i < N; i++) {
        tp_obj_t *o = tp_weakref_get(weak[i]);
        if (o != NULL) alive++, tp_decref(o);
    }
    TP_CHECK_EQ(alive, N); /* none freed while referenced */
    tp_decref(list);
    tp_decref(dict);
    for (int i = 0; i < nheld; i++) tp_decref(held[i]);
    for (int i = 0; i < N; i++) {
        TP_CHECK(tp_weakref_get(weak[i]) == NULL);
        tp_decref(weak[i]);
    }
    settled();
}

/* A dict with holes at the front, compacted by a resize at every possible
 * point of a collection: entries move from slots the collector has not
 * visited to slots it has.  Without tp_gc_moved the collector would miss
 * them while marking and free live values. */
enum { RK = 40 };

static int rk = RK; /* what the heap affords */

static int resize_round(int steps, tp_obj_t *weak[RK], int *was_in_progress) {
    tp_obj_t *d = tp_dict_new();
    for (int i = 0; i < rk; i++) {
        tp_obj_t *k = tp_int_new(1000 + i), *n = node("v");
        TP_CHECK(tp_dict_set(d, k, n) == 0);
        weak[i] = tp_weakref_new(n, NULL, NULL);
        TP_CHECK(weak[i] != NULL);
        tp_decref(n);
        tp_decref(k);
    }
    for (int i = 0; i < rk / 2; i++) {
        tp_obj_t *k = tp_int_new(1000 + i);
        tp_dict_del(d, k);
        tp_decref(k);
    }
    tp_gc_start(2);
    int taken = 0;
    while (taken < steps && tp_gc_in_progress()) tp_gc_step(8), taken++;
    *was_in_progress = tp_gc_in_progress();
    tp_table_t *t = &TP_AS(tp_dict_t, d)->table;
    void *mem = t->mem;
    int set_ok = 1;
    for (int32_t k = 5000; t->mem == mem && set_ok; k++) { /* until the table is rebuilt */
        tp_obj_t *key = tp_int_new(k);
        set_ok = tp_dict_set(d, key, key) == 0;
        tp_decref(key);
    }
    TP_CHECK(set_ok);
    while (tp_gc_in_progress()) tp_gc_step(8);
    int alive = 0;
    for (int i = rk / 2; i < rk; i++) {
        tp_obj_t *o = tp_weakref_get(weak[i]);
        if (o != NULL) alive++, tp_decref(o);
    }
    tp_decref(d);
    for (int i = 0; i < rk; i++) tp_decref(weak[i]);
    (void)tp_gc_collect(0); /* the dict's deaths, pending, freed before the next round */
    return alive;
}

static void test_dict_resize_during_collection(void) {
    FRESH();
    fx_count_rule_only();
    tp_obj_t *weak[RK];
    rk = afford(RK, 128) & ~1;
    int lost = 0, rounds = 0, in_progress = 1;
    for (int s = 0; in_progress && rounds < 1000; s++, rounds++) /* until the resize is after the end */
        lost += rk / 2 - resize_round(s, weak, &in_progress);
    TP_CHECK_EQ(lost, 0);
    TP_CHECK(rounds > 3); /* a sweep over several steps happened */
    settled();
}

/* ======================================================================
 * Inspecting the heap (gc/tp_gc_inspect.h)
 * ====================================================================== */

static tp_gc_type_row_t row_of(const tp_type_t *t) {
    tp_gc_type_row_t r;
    if (!TP_CHECK(tp_gc_type_row(t, &r) == 0)) memset(&r, 0, sizeof r);
    return r;
}

static void test_inspect_objects_per_type(void) {
    FRESH();
    tp_obj_t *i1 = tp_int_new(1000), *i2 = tp_int_new(2000), *small = tp_int_new(5);
    tp_obj_t *s = tp_str_from("hello world", 11);
    tp_obj_t *items[2] = {i1, s};
    tp_obj_t *t = tp_tuple_new(2, items), *l = tp_list_new();
    tp_list_append(l, t);
    tp_gc_type_row_t r = row_of(&tp_int_type);
    TP_CHECK_EQ(r.objects, 2); /* 5 is in flash: not a heap object */
    TP_CHECK_EQ(r.bytes, 2u * sizeof(tp_int_t));
    r = row_of(&tp_str_type);
    TP_CHECK_EQ(r.objects, 1);
    TP_CHECK_EQ(r.bytes, offsetof(tp_str_t, data) + 12u); /* the text and its NUL */
    r = row_of(&tp_tuple_type);
    TP_CHECK_EQ(r.objects, 1); /* of atoms only: never tracked */
    TP_CHECK_EQ(r.bytes, sizeof(tp_tuple_t) + 2u * sizeof(tp_obj_t *));
    TP_CHECK_EQ(r.tracked[TP_GC_AT_GEN0] + r.tracked[TP_GC_AT_GEN1], 0);
    TP_CHECK_EQ(row_of(&tp_list_type).tracked[TP_GC_AT_GEN0], 1);
    TP_CHECK_EQ(tp_gc_collect(0), 0); /* the list survives: one generation up */
    r = row_of(&tp_list_type);
    TP_CHECK(r.tracked[TP_GC_AT_GEN0] == 0 && r.tracked[TP_GC_AT_GEN1] == 1);
    tp_obj_t *objs[] = {i1, i2, small, s, t, l};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) tp_decref(objs[i]);
    /* the int blocks wait on the int free list: no longer objects */
    TP_CHECK_EQ(row_of(&tp_int_type).objects, 0);
    TP_CHECK_EQ(row_of(&tp_int_type).bytes, 0);
    TP_CHECK_EQ(row_of(&tp_str_type).objects + row_of(&tp_tuple_type).objects +
                    row_of(&tp_list_type).objects,
                0);
    TP_CHECK_EQ(tp_str_type.live_bytes + tp_tuple_type.live_bytes + tp_list_type.live_bytes, 0);
    settled();
}

/* Whether the n strings given to fx_expect were printed, each on a line
 * after (or on the same line as) the one before. */
static int printed_in_order(size_t n) {
    for (size_t i = 0; i < n; i++)
        if (fx_found(i) == 0 || (i > 0 && fx_found(i) < fx_found(i - 1u))) return 0;
    return 1;
}

static void test_path_list_dict_instance(void) {
    FRESH();
    /* a "global" list g reaches the Node n two ways:
     *   g[0] -> l2[0] -> m.next -> n
     *   g[1] -> d['key'] -> n          (shorter) */
    tp_obj_t *g = tp_list_new(), *d = tp_dict_new(), *n = node("leaf"), *l2 = tp_list_new(),
             *m = node("m");
    tp_dict_set_str(d, "key", n);
    tp_setattr(m, "next", n);
    tp_list_append(l2, m);
    tp_list_append(g, l2);
    tp_list_append(g, d);
    tp_obj_t *s = tp_str_from("a leaf string", 13); /* not tracked: held by a list */
    tp_list_append(l2, s);
    tp_obj_t *dropped[] = {d, n, l2, m, s};
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++) tp_decref(dropped[i]);
    tp_obj_t *path[6];
    size_t len = 0;
    /* the search runs between collections (a small heap may be in one) */
    while (tp_gc_in_progress()) tp_gc_step(0);
    TP_CHECK_EQ(tp_gc_path_to_root(n, 0, path, 6, &len), TP_GC_PATH_FROM_ROOT);
    TP_CHECK(len == 3 && path[0] == g && path[1] == d && path[2] == n);
    static const char *const via_dict[] = {
        "\n  list ", "(root: referenced from outside the tracked containers)\n",
        "\n  -> [1] dict ", "\n  -> ['key'] instance ", "  Node(name='leaf')\n"};
    fx_expect(via_dict, 5);
    TP_CHECK_EQ(tp_objects_print_path_to_root(n, 0, fx_print), TP_GC_PATH_FROM_ROOT);
    TP_CHECK(printed_in_order(5));
    TP_CHECK_EQ(tp_gc_path_to_root(s, 0, path, 6, &len), TP_GC_PATH_FROM_ROOT);
    TP_CHECK(len == 3 && path[0] == g && path[1] == l2 && path[2] == s);
    static const char *const to_str[] = {"\n  list ", "\n  -> [0] list ", "\n  -> [1] str ",
                                         "  'a leaf string'\n"};
    fx_expect(to_str, 4);
    (void)tp_objects_print_path_to_root(s, 0, fx_print);
    TP_CHECK(printed_in_order(4));
    /* the instance attribute's name: drop the shorter way */
    tp_obj_t *k = tp_str_new("key");
    TP_CHECK(tp_dict_del(d, k) == 0);
    tp_decref(k);
    while (tp_gc_in_progress()) tp_gc_step(0);
    static const char *const via_attr[] = {"\n  -> [0] list ", "\n  -> [0] instance ",
                                           "\n  -> .next instance "};
    fx_expect(via_attr, 3);
    TP_CHECK_EQ(tp_objects_print_path_to_root(n, 0, fx_print), TP_GC_PATH_FROM_ROOT);
    TP_CHECK(printed_in_order(3));
    /* held directly, and immortal */
    tp_obj_t *big = tp_int_new(5000), *five = tp_int_new(5);
    while (tp_gc_in_progress()) tp_gc_step(0);
    TP_CHECK_EQ(tp_gc_path_to_root(big, 0, path, 6, &len), TP_GC_PATH_HELD_DIRECTLY);
    TP_CHECK_EQ(tp_gc_path_to_root(five, 0, path, 6, &len), TP_GC_PATH_IMMORTAL);
    static const char *const direct[] = {"held directly", "  5000\n"};
    fx_expect(direct, 2);
    (void)tp_objects_print_path_to_root(big, 0, fx_print);
    TP_CHECK(printed_in_order(2));
    tp_decref(big);
    tp_decref(five);
    tp_decref(g);
    settled();
}

/* A weak reference made, during a collection, to an object of its garbage
 * reached without a count (tp_gc_get_referrers): the weak-reference pass
 * still runs, so it reads dead when a finalizer resurrects the object. */
static tp_obj_t *saved_peer;
static void save_peer_del(tp_obj_t *self) { saved_peer = tp_getattr(self, "a"); }
static void test_weakref_made_while_white(void) {
    FRESH();
    static const tp_class_t plain = {.name = "A"}, saver = {.name = "F", .del = save_peer_del};
    saved_peer = NULL;
    tp_gc_disable(); /* collections only as the case steps them: the pacing of a
                        small heap would collect a <-> f while it is built */
    tp_obj_t *tag = tp_int_new(100003), *a = tp_instance_new(&plain), *f = tp_instance_new(&saver);
    tp_setattr(a, "tag", tag);
    tp_setattr(a, "f", f);
    tp_setattr(f, "a", a);
    tp_decref(a);
    tp_decref(f); /* a <-> f: garbage, no weak reference yet */
    /* a live list of 32 references (to one int): its marking takes steps */
    tp_obj_t *live = tp_list_new(), *one = tp_int_new(1);
    for (int i = 0; i < 32; i++) tp_list_append(live, one);
    while (tp_gc_in_progress()) tp_gc_step(0);
    tp_gc_start(2);
    while (tp_gc_in_progress() && strcmp(tp_gc_phase_name(), "mark") != 0) tp_gc_step(1);
    TP_CHECK(strcmp(tp_gc_phase_name(), "mark") == 0);
    tp_obj_t *out[1] = {NULL};
    TP_CHECK_EQ(tp_gc_get_referrers(tag, out, 1), 1);
    TP_CHECK(out[0] == a); /* white, not yet condemned */
    tp_obj_t *w = tp_weakref_new(out[0], NULL, NULL); /* (disabled: no collector work in it) */
    TP_CHECK(w != NULL);
    while (tp_gc_step(0)) {
    }
    TP_CHECK(saved_peer == a); /* resurrected by F's finalizer */
    tp_obj_t *r = tp_weakref_get(w);
    TP_CHECK(r == NULL); /* cleared before the finalizers ran, as CPython does */
    tp_xdecref(r);
    tp_xdecref(w);
    tp_xdecref(saved_peer);
    tp_decref(tag);
    tp_decref(live);
    tp_gc_enable();
    TP_CHECK_EQ(tp_gc_collect(2), 2);
    settled();
}

const tp_test_case objects_suite_cases[] = {
    TP_CASE(test_getrefcount_sequence),
    TP_CASE(test_cycle_found_by_collection),
    TP_CASE(test_cycle_kept_by_another_name),
    TP_CASE(test_node_cycle),
    TP_CASE(test_identity),
    TP_CASE(test_count_grows_by_three),
    TP_CASE(test_del_removes_a_name),
    TP_CASE(test_weakref_reads_none_after_death),
    TP_CASE(test_weak_proxy_parent),
    TP_CASE(test_proxy_to_dead_is_reference_error),
    TP_CASE(test_thresholds),
    TP_CASE(test_saveall_keeps_garbage),
    TP_CASE(test_list_operations),
    TP_CASE(test_dict_operations),
    TP_CASE(test_errors_are_values),
    TP_CASE(test_null_outputs_are_errors),
};
const size_t objects_suite_count = TP_COUNT(objects_suite_cases);

/* Apart (the bluepill's flash): copies, representations and equality,
 * tuples and views. */
const tp_test_case objects_copy_cases[] = {
    TP_CASE(test_copy_vs_deepcopy),
    TP_CASE(test_deepcopy_cycles_and_sharing),
    TP_CASE(test_deepcopy_depth_limit),
    TP_CASE(test_tuples),
    TP_CASE(test_view_zero_copy),
    TP_CASE(test_repr_and_eq),
};
const size_t objects_copy_count = TP_COUNT(objects_copy_cases);

/* Apart too (the bluepill's flash): the objects and memory - running out
 * of it, the free lists, which objects are tracked, finalizers, references
 * moved while a collection runs. */
const tp_test_case objects_collect_cases[] = {
    TP_CASE(test_out_of_memory_is_an_error),
    TP_CASE(test_free_lists_per_type),
    TP_CASE(test_tracked_from_first_container),
    TP_CASE(test_instance_finalizers),
    TP_CASE(test_moves_during_collection),
    TP_CASE(test_dict_resize_during_collection),
};
const size_t objects_collect_count = TP_COUNT(objects_collect_cases);

/* Apart: an image that links them (and the inspection code) besides the
 * rest would not fit the 64 KiB flash of the bluepill. */
const tp_test_case objects_inspect_cases[] = {
    TP_CASE(test_inspect_objects_per_type),
    TP_CASE(test_path_list_dict_instance),
    TP_CASE(test_weakref_made_while_white),
};
const size_t objects_inspect_count = TP_COUNT(objects_inspect_cases);
