// SPDX-License-Identifier: MIT
/*
 * tp_copy.c - copy.copy and copy.deepcopy.
 *
 * deepcopy keeps a memo table, original -> copy, keyed by identity: a
 * container's copy goes into the memo BEFORE its items are copied, so an
 * item that leads back to it finds the copy and the cycle is copied as a
 * cycle; an object shared twice is copied once and shared in the copy.  The
 * memo holds borrowed pointers in one block of the collector's heap; every
 * copy it names is owned by the copy being built.
 *
 * The recursion is bounded by TP_OBJ_MAX_DEPTH (TP_ERR_RECURSION), because
 * the stack of a microcontroller is small and has no guard page.
 */
#include <string.h>

#include "tp_objects_internal.h"

static int is_atomic_immutable(tp_obj_t *o) {
    return tp_is(o, &tp_int_type) || tp_is(o, &tp_float_type) || tp_is(o, &tp_str_type) ||
           tp_is(o, &tp_bytes_type) || tp_is(o, &tp_weakref_type);
}

static tp_obj_t *copy_list_items(tp_obj_t *src, tp_obj_t *dst) {
    tp_list_t *l = TP_AS(tp_list_t, src);
    for (uint32_t i = 0; i < l->len; i++)
        if (tp_list_append(dst, l->items[i]) != 0) {
            tp_decref(dst);
            return NULL;
        }
    return dst;
}

static tp_obj_t *copy_table(tp_table_t *src, tp_table_t *dst, tp_obj_t *owner) {
    for (uint32_t i = 0; src->mem != NULL && i < src->nentries; i++) {
        tp_entry_t *e = &tp_table_entries(src)[i];
        if (e->key != NULL && tp_table_set(owner, dst, e->key, e->hash, e->value) != 0) {
            tp_decref(owner);
            return NULL;
        }
    }
    return owner;
}

tp_obj_t *tp_copy(tp_obj_t *o) {
    if (o == NULL) return tp_fail(TP_ERR_TYPE);
    if (is_atomic_immutable(o) || tp_is(o, &tp_tuple_type)) {
        tp_incref(o);
        return o;
    }
    if (tp_is(o, &tp_bytearray_type))
        return tp_bytearray_new(TP_AS(tp_bytes_t, o)->data, TP_AS(tp_bytes_t, o)->len);
    if (tp_is(o, &tp_list_type)) {
        tp_obj_t *c = tp_list_new();
        return c != NULL ? copy_list_items(o, c) : NULL;
    }
    if (tp_is(o, &tp_dict_type)) {
        tp_obj_t *c = tp_dict_new();
        return c != NULL ? copy_table(&TP_AS(tp_dict_t, o)->table, &TP_AS(tp_dict_t, c)->table, c)
                         : NULL;
    }
    if (tp_is_instance(o)) {
        tp_obj_t *c = tp_instance_new(TP_AS(tp_instance_t, o)->cls);
        return c != NULL ? copy_table(&TP_AS(tp_instance_t, o)->attrs,
                                      &TP_AS(tp_instance_t, c)->attrs, c)
                         : NULL;
    }
    return tp_fail(TP_ERR_TYPE); /* a view (as Python: memoryview cannot be copied) */
}

/* ---- deepcopy ---- */

typedef struct {
    tp_obj_t **slots; /* cap pairs: original, copy */
    uint32_t cap;     /* power of two */
    uint32_t used;
} memo_t;

static uint32_t memo_hash(const tp_obj_t *o) {
    return (uint32_t)(((uintptr_t)o >> 3) * 2654435761u);
}

static tp_obj_t *memo_get(const memo_t *m, const tp_obj_t *orig) {
    if (m->cap == 0) return NULL;
    uint32_t mask = m->cap - 1u;
    for (uint32_t i = memo_hash(orig) & mask; m->slots[2u * i] != NULL; i = (i + 1u) & mask)
        if (m->slots[2u * i] == orig) return m->slots[2u * i + 1u];
    return NULL;
}

static int memo_put(memo_t *m, tp_obj_t *orig, tp_obj_t *copy) {
    if ((m->used + 1u) * 3u > m->cap * 2u) {
        uint32_t cap = m->cap ? m->cap * 2u : 16u;
        tp_obj_t **slots = tp_gc_buf_calloc(2u * cap, sizeof *slots);
        if (slots == NULL) return tp_fail_int(TP_ERR_NOMEM);
        memo_t fresh = {slots, cap, 0};
        for (uint32_t i = 0; i < m->cap; i++)
            if (m->slots[2u * i] != NULL) (void)memo_put(&fresh, m->slots[2u * i], m->slots[2u * i + 1u]);
        tp_gc_buf_free(m->slots, 2u * m->cap * sizeof *m->slots);
        *m = fresh;
    }
    TP_ASSERT((m->used + 1u) * 3u <= m->cap * 2u); /* room, and an empty slot to end the probe */
    uint32_t mask = m->cap - 1u, i = memo_hash(orig) & mask;
    while (m->slots[2u * i] != NULL) i = (i + 1u) & mask;
    m->slots[2u * i] = orig;
    m->slots[2u * i + 1u] = copy;
    m->used++;
    return 0;
}

static tp_obj_t *deep(tp_obj_t *o, memo_t *m, unsigned depth);

/* Deep-copies each entry of src into dst; drops owner on failure. */
static tp_obj_t *deep_table(tp_table_t *src, tp_table_t *dst, tp_obj_t *owner, memo_t *m,
                            unsigned depth) {
    for (uint32_t i = 0; src->mem != NULL && i < src->nentries; i++) {
        tp_entry_t *e = &tp_table_entries(src)[i];
        if (e->key == NULL) continue;
        tp_obj_t *k = deep(e->key, m, depth), *v = k ? deep(e->value, m, depth) : NULL;
        uint32_t h;
        int r = (k && v && tp_hash(k, &h) == 0) ? tp_table_set(owner, dst, k, h, v) : -1;
        tp_xdecref(k);
        tp_xdecref(v);
        if (r != 0) {
            tp_decref(owner);
            return NULL;
        }
    }
    return owner;
}

static tp_obj_t *deep_tuple(tp_obj_t *o, memo_t *m, unsigned depth) {
    tp_tuple_t *t = TP_AS(tp_tuple_t, o);
    uint32_t n = t->len;
    tp_obj_t **items = n ? tp_gc_buf_alloc(n * sizeof *items) : NULL;
    if (n && items == NULL) return tp_fail(TP_ERR_NOMEM);
    tp_obj_t *result = NULL;
    uint32_t done = 0, same = 1;
    for (; done < n; done++) {
        items[done] = deep(t->items[done], m, depth);
        if (items[done] == NULL) goto out;
        same &= items[done] == t->items[done];
    }
    if (same) {
        tp_incref(o);
        result = o;
    } else if ((result = memo_get(m, o)) != NULL) {
        tp_incref(result); /* an item's copy led back here and made it */
    } else {
        result = tp_tuple_new(n, items);
        if (result != NULL && memo_put(m, o, result) != 0) {
            tp_decref(result);
            result = NULL;
        }
    }
out:
    for (uint32_t i = 0; i < done; i++) tp_decref(items[i]);
    tp_gc_buf_free(items, n * sizeof *items);
    return result;
}

static tp_obj_t *deep(tp_obj_t *o, memo_t *m, unsigned depth) {
    if (o == NULL) return tp_fail(TP_ERR_TYPE);
    if (is_atomic_immutable(o)) {
        tp_incref(o);
        return o;
    }
    tp_obj_t *c = memo_get(m, o);
    if (c != NULL) {
        tp_incref(c);
        return c;
    }
    if (++depth > TP_OBJ_MAX_DEPTH) return tp_fail(TP_ERR_RECURSION);
    if (tp_is(o, &tp_tuple_type)) return deep_tuple(o, m, depth);
    if (tp_is(o, &tp_bytearray_type)) {
        c = tp_copy(o);
    } else if (tp_is(o, &tp_list_type)) {
        c = tp_list_new();
    } else if (tp_is(o, &tp_dict_type)) {
        c = tp_dict_new();
    } else if (tp_is_instance(o)) {
        c = tp_instance_new(TP_AS(tp_instance_t, o)->cls);
    } else {
        return tp_fail(TP_ERR_TYPE);
    }
    if (c == NULL) return NULL;
    if (memo_put(m, o, c) != 0) {
        tp_decref(c);
        return NULL;
    }
    if (tp_is(o, &tp_list_type)) {
        /* index by index: the source list is the caller's and does not change */
        for (uint32_t i = 0; i < TP_AS(tp_list_t, o)->len; i++) {
            tp_obj_t *item = deep(TP_AS(tp_list_t, o)->items[i], m, depth);
            int r = item != NULL ? tp_list_append(c, item) : -1;
            tp_xdecref(item);
            if (r != 0) {
                tp_decref(c);
                return NULL;
            }
        }
        return c;
    }
    if (tp_is(o, &tp_dict_type))
        return deep_table(&TP_AS(tp_dict_t, o)->table, &TP_AS(tp_dict_t, c)->table, c, m, depth);
    if (tp_is_instance(o))
        return deep_table(&TP_AS(tp_instance_t, o)->attrs, &TP_AS(tp_instance_t, c)->attrs, c, m,
                          depth);
    return c;
}

tp_obj_t *tp_deepcopy(tp_obj_t *o) {
    memo_t m = {NULL, 0, 0};
    tp_obj_t *c = deep(o, &m, 0);
    tp_gc_buf_free(m.slots, 2u * m.cap * sizeof *m.slots);
    return c;
}
