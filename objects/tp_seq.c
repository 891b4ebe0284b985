// SPDX-License-Identifier: MIT
/*
 * tp_seq.c - tuple and list.
 *
 * A tuple holds its items inline (one block).  A tuple of atomic objects
 * only (ints, strings...) can never be part of a cycle, so it is not
 * tracked: the collector never spends a step on it (CPython untracks such
 * tuples lazily; here the contents are known at creation).
 *
 * A list keeps its items in a separate array from the collector's heap,
 * over-allocated by about 1/8 as CPython does, and shrunk when it falls
 * under a quarter full.  Every operation that moves a reference without a
 * count change - pop hands the list's reference to the caller, insert and
 * delete shift items, reverse swaps them - tells the collector through
 * tp_gc_moved, so a collection that is half-way through the list cannot
 * count a moved item twice or miss it (see gc/tp_gc.h).
 */
#include <string.h>

#include "tp_objects_internal.h"

/* Visits items[start..len); the shared traverse of tuple and list. */
static uint32_t items_traverse(tp_obj_t **items, uint32_t len, uint32_t start, tp_visit_t visit,
                               void *ctx) {
    for (uint32_t i = start; i < len; i++)
        if (items[i] != NULL && visit(items[i], ctx)) return i + 1u;
    return TP_TRAVERSE_DONE;
}

static uint32_t tuple_traverse(tp_obj_t *self, uint32_t start, tp_visit_t visit, void *ctx) {
    tp_tuple_t *t = TP_AS(tp_tuple_t, self);
    return items_traverse(t->items, t->len, start, visit, ctx);
}

/* Drops items from the end; the shared clear of tuple and list. */
static uint32_t items_clear(tp_obj_t **items, uint32_t *len, uint32_t *budget) {
    while (*len > 0) {
        if (*budget == 0) return *len;
        (*budget)--;
        tp_obj_t *x = items[--*len];
        items[*len] = NULL;
        tp_xdecref(x);
    }
    return 0;
}

static uint32_t tuple_clear(tp_obj_t *self, uint32_t *budget) {
    tp_tuple_t *t = TP_AS(tp_tuple_t, self);
    TP_ASSERT(t->len <= t->size);
    uint32_t len = t->len;
    uint32_t left = items_clear(t->items, &len, budget);
    t->len = (uint16_t)len;
    return left;
}

static size_t tuple_size(size_t n) { return sizeof(tp_tuple_t) + n * sizeof(tp_obj_t *); }
static size_t tuple_size_of(const tp_obj_t *self) {
    return tuple_size(((const tp_tuple_t *)(const void *)self)->size);
}

tp_type_t tp_tuple_type = {
    .name = "tuple",
    .basic_size = sizeof(tp_tuple_t),
    .flags = TP_TYPE_CONTAINER,
    .traverse = tuple_traverse,
    .clear = tuple_clear,
    .size_of = tuple_size_of,
};

tp_obj_t *tp_tuple_new(size_t n, tp_obj_t *const items[]) {
    if (n > 0 && items == NULL) return tp_fail(TP_ERR_TYPE);
    for (size_t i = 0; i < n; i++)
        if (items[i] == NULL) return tp_fail(TP_ERR_TYPE);
    if (n > UINT16_MAX) return tp_fail(TP_ERR_OVERFLOW);
    tp_obj_t *o = tp_obj_alloc(&tp_tuple_type, tuple_size(n));
    if (o == NULL) return NULL;
    tp_tuple_t *t = TP_AS(tp_tuple_t, o);
    int holds_container = 0;
    for (size_t i = 0; i < n; i++) {
        tp_incref(items[i]);
        t->items[i] = items[i];
        holds_container |= tp_is_container(items[i]);
    }
    t->len = t->size = (uint16_t)n;
    if (holds_container) tp_gc_track(o);
    return o;
}

tp_obj_t *tp_tuple_get(tp_obj_t *o, long index) {
    if (!tp_is(o, &tp_tuple_type)) return tp_fail(TP_ERR_TYPE);
    tp_tuple_t *t = TP_AS(tp_tuple_t, o);
    long i = tp_index(index, t->len);
    if (i < 0) return tp_fail(TP_ERR_INDEX);
    tp_incref(t->items[i]);
    return t->items[i];
}

/* ---- list ---- */

static tp_list_t *as_list(tp_obj_t *o) { return (tp_list_t *)(void *)o; }

static uint32_t list_traverse(tp_obj_t *self, uint32_t start, tp_visit_t visit, void *ctx) {
    return items_traverse(as_list(self)->items, as_list(self)->len, start, visit, ctx);
}

static uint32_t list_clear(tp_obj_t *self, uint32_t *budget) {
    return items_clear(as_list(self)->items, &as_list(self)->len, budget);
}

static void list_dealloc(tp_obj_t *self) {
    tp_gc_buf_free(as_list(self)->items, as_list(self)->cap * sizeof(tp_obj_t *));
    as_list(self)->items = NULL;
    as_list(self)->cap = 0;
}

tp_type_t tp_list_type = {
    .name = "list",
    .basic_size = sizeof(tp_list_t),
    .flags = TP_TYPE_CONTAINER,
    .traverse = list_traverse,
    .clear = list_clear,
    .dealloc = list_dealloc,
};

tp_obj_t *tp_list_new(void) {
    tp_obj_t *o = tp_obj_alloc(&tp_list_type, sizeof(tp_list_t));
    if (o != NULL) tp_gc_track(o);
    return o;
}

static int list_resize(tp_list_t *l, uint32_t cap) {
    if (cap == 0) {
        tp_gc_buf_free(l->items, l->cap * sizeof(tp_obj_t *));
        l->items = NULL;
        l->cap = 0;
        return 0;
    }
    if (cap > UINT32_MAX / sizeof(tp_obj_t *)) return tp_fail_int(TP_ERR_OVERFLOW);
    tp_obj_t **items = tp_gc_buf_realloc(l->items, l->cap * sizeof(tp_obj_t *), cap * sizeof(tp_obj_t *));
    if (items == NULL) return tp_fail_int(TP_ERR_NOMEM);
    l->items = items;
    l->cap = cap;
    TP_ASSERT(l->len <= l->cap);
    return 0;
}

/* Room for one more item: CPython's growth, len + len/8 + (3 or 6). */
static int list_reserve_one(tp_list_t *l) {
    if (l->len < l->cap) return 0;
    return list_resize(l, l->len + (l->len >> 3) + (l->len < 9u ? 3u : 6u));
}

/* After a removal: give memory back when under a quarter full. */
static void list_maybe_shrink(tp_list_t *l) {
    if (l->cap > 8u && l->len < l->cap / 4u) (void)list_resize(l, l->len + (l->len >> 3) + 3u);
    else if (l->len == 0 && l->cap > 0) (void)list_resize(l, 0);
}

static int check_list(tp_obj_t *o) { return tp_is(o, &tp_list_type) ? 0 : tp_fail_int(TP_ERR_TYPE); }

int tp_list_append(tp_obj_t *o, tp_obj_t *item) {
    if (check_list(o) != 0 || item == NULL) return tp_fail_int(TP_ERR_TYPE);
    tp_list_t *l = as_list(o);
    if (list_reserve_one(l) != 0) return -1;
    TP_ASSERT(l->len < l->cap && l->items != NULL);
    tp_incref(item);
    l->items[l->len++] = item;
    return 0;
}

tp_obj_t *tp_list_get(tp_obj_t *o, long index) {
    if (check_list(o) != 0) return NULL;
    long i = tp_index(index, as_list(o)->len);
    if (i < 0) return tp_fail(TP_ERR_INDEX);
    tp_incref(as_list(o)->items[i]);
    return as_list(o)->items[i];
}

int tp_list_set(tp_obj_t *o, long index, tp_obj_t *item) {
    if (check_list(o) != 0 || item == NULL) return tp_fail_int(TP_ERR_TYPE);
    long i = tp_index(index, as_list(o)->len);
    if (i < 0) return tp_fail_int(TP_ERR_INDEX);
    tp_incref(item);
    tp_obj_t *old = as_list(o)->items[i];
    as_list(o)->items[i] = item;
    tp_decref(old);
    return 0;
}

/* Shifted items moved slot: the collector must hear of each. */
static void moved_range(tp_obj_t **items, uint32_t from, uint32_t to) {
    for (uint32_t i = from; i < to; i++) tp_gc_moved(items[i]);
}

int tp_list_insert(tp_obj_t *o, long index, tp_obj_t *item) {
    if (check_list(o) != 0 || item == NULL) return tp_fail_int(TP_ERR_TYPE);
    tp_list_t *l = as_list(o);
    long n = (long)l->len;
    if (index < 0) index = index + n < 0 ? 0 : index + n;
    if (index > n) index = n;
    if (list_reserve_one(l) != 0) return -1;
    TP_ASSERT(l->len < l->cap && l->items != NULL);
    uint32_t i = (uint32_t)index;
    memmove(&l->items[i + 1u], &l->items[i], (l->len - i) * sizeof(tp_obj_t *));
    tp_incref(item);
    l->items[i] = item;
    l->len++;
    moved_range(l->items, i + 1u, l->len);
    return 0;
}

tp_obj_t *tp_list_pop(tp_obj_t *o, long index) {
    if (check_list(o) != 0) return NULL;
    tp_list_t *l = as_list(o);
    long li = tp_index(index, l->len);
    if (li < 0) return tp_fail(TP_ERR_INDEX);
    uint32_t i = (uint32_t)li;
    tp_obj_t *item = l->items[i];
    memmove(&l->items[i], &l->items[i + 1u], (l->len - i - 1u) * sizeof(tp_obj_t *));
    l->len--;
    l->items[l->len] = NULL;
    moved_range(l->items, i, l->len);
    tp_gc_moved(item); /* the list's reference is now the caller's */
    list_maybe_shrink(l);
    return item;
}

int tp_list_del(tp_obj_t *o, long index) {
    tp_obj_t *item = tp_list_pop(o, index);
    if (item == NULL) return -1;
    tp_decref(item);
    return 0;
}

int tp_list_reverse(tp_obj_t *o) {
    if (check_list(o) != 0) return -1;
    tp_list_t *l = as_list(o);
    for (uint32_t i = 0, j = l->len; i + 1u < j; i++, j--) {
        tp_obj_t *x = l->items[i];
        l->items[i] = l->items[j - 1u];
        l->items[j - 1u] = x;
    }
    moved_range(l->items, 0, l->len);
    return 0;
}
