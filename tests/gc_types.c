// SPDX-License-Identifier: MIT
/*
 * gc_types.c - the collector's test types (see gc_types.h).
 */
#include "gc_types.h"

#include <stddef.h>
#include <string.h>

void (*tt_finalize_hook)(tp_obj_t *self);
unsigned tt_finalized;
unsigned tt_freed;
void (*tt_free_hook)(tp_obj_t *self);

/* ---- node ---- */

static tt_node_t *N(tp_obj_t *o) { return (tt_node_t *)(void *)o; }

static uint32_t node_traverse(tp_obj_t *self, uint32_t start, tp_visit_t visit, void *ctx) {
    tt_node_t *n = N(self);
    if (start == 0 && n->a != NULL && visit(n->a, ctx)) return 1;
    if (start <= 1 && n->b != NULL && visit(n->b, ctx)) return 2;
    return TP_TRAVERSE_DONE;
}

static uint32_t node_clear(tp_obj_t *self, uint32_t *budget) {
    tt_node_t *n = N(self);
    tp_obj_t **slots[2] = {&n->b, &n->a};
    for (int i = 0; i < 2; i++) {
        tp_obj_t *v = *slots[i];
        if (v == NULL) continue;
        if (*budget == 0) return (uint32_t)(n->a != NULL) + (uint32_t)(n->b != NULL);
        (*budget)--;
        *slots[i] = NULL;
        tp_decref(v);
    }
    return 0;
}

static void count_free(tp_obj_t *self) {
    tt_freed++;
    if (tt_free_hook != NULL) tt_free_hook(self);
}

static void node_finalize(tp_obj_t *self) {
    tt_finalized++;
    if (tt_finalize_hook != NULL) tt_finalize_hook(self);
}

tp_type_t tt_node_type = {
    .name = "node",
    .basic_size = sizeof(tt_node_t),
    .weaklist_offset = offsetof(tt_node_t, weaklist),
    .flags = TP_TYPE_CONTAINER,
    .traverse = node_traverse,
    .clear = node_clear,
    .dealloc = count_free,
};

tp_type_t tt_fnode_type = {
    .name = "fnode",
    .basic_size = sizeof(tt_node_t),
    .weaklist_offset = offsetof(tt_node_t, weaklist),
    .flags = TP_TYPE_CONTAINER,
    .traverse = node_traverse,
    .clear = node_clear,
    .finalize = node_finalize,
    .dealloc = count_free,
};

tp_type_t tt_legacy_type = {
    .name = "legacy",
    .basic_size = sizeof(tt_node_t),
    .weaklist_offset = offsetof(tt_node_t, weaklist),
    .flags = TP_TYPE_CONTAINER | TP_TYPE_LEGACY_FINALIZER,
    .traverse = node_traverse,
    .clear = node_clear,
    .finalize = node_finalize,
    .dealloc = count_free,
};

static tp_obj_t *new_node(tp_type_t *t, int32_t id) {
    tp_obj_t *o = tp_gc_new(t, sizeof(tt_node_t));
    if (o == NULL) return NULL;
    N(o)->id = id;
    tp_gc_track(o);
    return o;
}

tp_obj_t *tt_node(int32_t id) { return new_node(&tt_node_type, id); }
tp_obj_t *tt_fnode(int32_t id) { return new_node(&tt_fnode_type, id); }
tp_obj_t *tt_legacy(int32_t id) { return new_node(&tt_legacy_type, id); }

static void set_slot(tp_obj_t **slot, tp_obj_t *v) {
    tp_obj_t *old = *slot;
    if (v != NULL) tp_incref(v);
    *slot = v;
    if (old != NULL) tp_decref(old);
}

void tt_set_a(tp_obj_t *node, tp_obj_t *v) { set_slot(&N(node)->a, v); }
void tt_set_b(tp_obj_t *node, tp_obj_t *v) { set_slot(&N(node)->b, v); }
tp_obj_t *tt_a(tp_obj_t *node) { return N(node)->a; }

/* ---- leaf ---- */

tp_type_t tt_leaf_type = {
    .name = "leaf",
    .basic_size = sizeof(tt_leaf_t),
    .weaklist_offset = offsetof(tt_leaf_t, weaklist),
    .flags = 0,
    .dealloc = count_free,
};

tp_obj_t *tt_leaf(int32_t value) {
    tp_obj_t *o = tp_gc_new(&tt_leaf_type, sizeof(tt_leaf_t));
    if (o != NULL) ((tt_leaf_t *)(void *)o)->value = value;
    return o;
}

/* ---- vector ---- */

static tt_vec_t *V(tp_obj_t *o) { return (tt_vec_t *)(void *)o; }

static uint32_t vec_traverse(tp_obj_t *self, uint32_t start, tp_visit_t visit, void *ctx) {
    tt_vec_t *v = V(self);
    for (uint32_t i = start; i < v->len; i++)
        if (v->items[i] != NULL && visit(v->items[i], ctx)) return i + 1u;
    return TP_TRAVERSE_DONE;
}

static uint32_t vec_clear(tp_obj_t *self, uint32_t *budget) {
    tt_vec_t *v = V(self);
    while (v->len > 0) {
        if (*budget == 0) return v->len;
        (*budget)--;
        tp_obj_t *x = v->items[--v->len];
        v->items[v->len] = NULL;
        tp_xdecref(x);
    }
    return 0;
}

static void vec_dealloc(tp_obj_t *self) {
    tt_vec_t *v = V(self);
    tp_gc_buf_free(v->items, v->cap * sizeof *v->items);
    v->items = NULL;
    v->cap = 0;
    count_free(self);
}

tp_type_t tt_vec_type = {
    .name = "vec",
    .basic_size = sizeof(tt_vec_t),
    .weaklist_offset = offsetof(tt_vec_t, weaklist),
    .flags = TP_TYPE_CONTAINER,
    .traverse = vec_traverse,
    .clear = vec_clear,
    .dealloc = vec_dealloc,
};

tp_obj_t *tt_vec_id(int32_t id) {
    tp_obj_t *o = tp_gc_new(&tt_vec_type, sizeof(tt_vec_t));
    if (o == NULL) return NULL;
    V(o)->id = id;
    tp_gc_track(o);
    return o;
}

tp_obj_t *tt_vec(void) { return tt_vec_id(0); }

int32_t tt_id(tp_obj_t *o) {
    if (o->type == tt_vec_type.index) return V(o)->id;
    if (o->type == tt_leaf_type.index) return ((tt_leaf_t *)(void *)o)->value;
    return N(o)->id;
}

static int grow(tt_vec_t *v) {
    if (v->len < v->cap) return 0;
    uint32_t cap = v->cap < 4u ? 4u : v->cap * 2u;
    tp_obj_t **items = tp_gc_buf_realloc(v->items, v->cap * sizeof *items, cap * sizeof *items);
    if (items == NULL) return -1;
    v->items = items;
    v->cap = cap;
    return 0;
}

int tt_vec_append(tp_obj_t *vec, tp_obj_t *x) { return tt_vec_insert(vec, tt_vec_len(vec), x); }

int tt_vec_insert(tp_obj_t *vec, uint32_t i, tp_obj_t *x) {
    tt_vec_t *v = V(vec);
    if (i > v->len || grow(v) != 0) return -1;
    tp_incref(x);
    memmove(&v->items[i + 1u], &v->items[i], (v->len - i) * sizeof *v->items);
    v->items[i] = x;
    v->len++;
    /* the shifted items changed slot without a count change */
    for (uint32_t k = i + 1u; k < v->len; k++) tp_gc_moved(v->items[k]);
    return 0;
}

tp_obj_t *tt_vec_pop(tp_obj_t *vec, uint32_t i) {
    tt_vec_t *v = V(vec);
    if (i >= v->len) return NULL;
    tp_obj_t *x = v->items[i];
    memmove(&v->items[i], &v->items[i + 1u], (v->len - i - 1u) * sizeof *v->items);
    v->len--;
    v->items[v->len] = NULL;
    for (uint32_t k = i; k < v->len; k++) tp_gc_moved(v->items[k]);
    tp_gc_moved(x); /* handed to the caller with its count */
    return x;
}

int tt_vec_del(tp_obj_t *vec, uint32_t i) {
    tp_obj_t *x = tt_vec_pop(vec, i);
    if (x == NULL) return -1;
    tp_decref(x);
    return 0;
}

int tt_vec_set(tp_obj_t *vec, uint32_t i, tp_obj_t *x) {
    tt_vec_t *v = V(vec);
    if (i >= v->len) return -1;
    set_slot(&v->items[i], x);
    return 0;
}

tp_obj_t *tt_vec_get(tp_obj_t *vec, uint32_t i) {
    tt_vec_t *v = V(vec);
    return i < v->len ? v->items[i] : NULL;
}

uint32_t tt_vec_len(tp_obj_t *vec) { return V(vec)->len; }

void tt_vec_reverse(tp_obj_t *vec) {
    tt_vec_t *v = V(vec);
    for (uint32_t i = 0, j = v->len; i + 1u < j; i++, j--) {
        tp_obj_t *t = v->items[i];
        v->items[i] = v->items[j - 1u];
        v->items[j - 1u] = t;
    }
    for (uint32_t k = 0; k < v->len; k++) tp_gc_moved(v->items[k]);
}

int tt_register(void) {
    tp_type_t *types[] = {&tt_node_type, &tt_fnode_type, &tt_legacy_type, &tt_vec_type,
                          &tt_leaf_type};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (tp_type_register(types[i]) != 0) return -1;
    tt_finalize_hook = NULL;
    tt_free_hook = NULL;
    tt_finalized = 0;
    tt_freed = 0;
    return 0;
}
