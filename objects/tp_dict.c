// SPDX-License-Identifier: MIT
/*
 * tp_dict.c - dict: a hash table (tp_table.c) in insertion order, keyed by
 * any hashable object.
 *
 * A dict is tracked by the collector only from its first key or value that
 * is a container on (tp_table_set): one holding only atoms (ints, strs, ...)
 * can never be part of a cycle, and costs the collector nothing.
 */
#include "tp_objects_internal.h"

static tp_table_t *dict_table(tp_obj_t *o) { return &TP_AS(tp_dict_t, o)->table; }

static uint32_t dict_traverse(tp_obj_t *self, uint32_t start, tp_visit_t visit, void *ctx) {
    return tp_table_traverse(dict_table(self), start, visit, ctx);
}
static uint32_t dict_clear(tp_obj_t *self, uint32_t *budget) {
    return tp_table_clear(dict_table(self), budget);
}
static void dict_dealloc(tp_obj_t *self) { tp_table_free(dict_table(self)); }

tp_type_t tp_dict_type = {
    .name = "dict",
    .basic_size = sizeof(tp_dict_t),
    .flags = TP_TYPE_CONTAINER,
    .traverse = dict_traverse,
    .clear = dict_clear,
    .dealloc = dict_dealloc,
};

tp_obj_t *tp_dict_new(void) {
    /* untracked until it holds a container (tp_table_set) */
    return tp_obj_alloc(&tp_dict_type, sizeof(tp_dict_t));
}

/* The dict's table and the key's hash, or NULL with the error recorded. */
static tp_table_t *dict_key(tp_obj_t *d, tp_obj_t *key, uint32_t *hash) {
    if (!tp_is(d, &tp_dict_type) || key == NULL) return tp_fail(TP_ERR_TYPE);
    if (tp_hash(key, hash) != 0) return NULL;
    return dict_table(d);
}

int tp_dict_set(tp_obj_t *d, tp_obj_t *key, tp_obj_t *value) {
    uint32_t h;
    tp_table_t *t = dict_key(d, key, &h);
    if (t == NULL) return -1;
    if (value == NULL) return tp_fail_int(TP_ERR_TYPE);
    return tp_table_set(d, t, key, h, value);
}

tp_obj_t *tp_dict_get(tp_obj_t *d, tp_obj_t *key) {
    uint32_t h;
    tp_table_t *t = dict_key(d, key, &h);
    if (t == NULL) return NULL;
    tp_entry_t *e = tp_table_find(t, key, h);
    if (e == NULL) return tp_fail(TP_ERR_KEY);
    tp_incref(e->value);
    return e->value;
}

int tp_dict_del(tp_obj_t *d, tp_obj_t *key) {
    uint32_t h;
    tp_table_t *t = dict_key(d, key, &h);
    if (t == NULL) return -1;
    return tp_table_del(t, key, h) == 1 ? 0 : tp_fail_int(TP_ERR_KEY);
}

int tp_dict_contains(tp_obj_t *d, tp_obj_t *key) {
    uint32_t h;
    tp_table_t *t = dict_key(d, key, &h);
    if (t == NULL) return -1;
    return tp_table_find(t, key, h) != NULL;
}

int tp_dict_set_str(tp_obj_t *d, const char *key, tp_obj_t *value) {
    tp_obj_t *k = tp_str_new(key);
    if (k == NULL) return -1;
    int r = tp_dict_set(d, k, value);
    tp_decref(k);
    return r;
}

tp_obj_t *tp_dict_get_str(tp_obj_t *d, const char *key) {
    tp_obj_t *k = tp_str_new(key);
    if (k == NULL) return NULL;
    tp_obj_t *v = tp_dict_get(d, k);
    tp_decref(k);
    return v;
}

int tp_dict_next(tp_obj_t *d, size_t *pos, tp_obj_t **key, tp_obj_t **value) {
    if (!tp_is(d, &tp_dict_type) || pos == NULL) {
        (void)tp_fail(TP_ERR_TYPE);
        return 0;
    }
    tp_table_t *t = dict_table(d);
    for (; t->mem != NULL && *pos < t->nentries; (*pos)++) {
        tp_entry_t *e = &tp_table_entries(t)[*pos];
        if (e->key == NULL) continue;
        if (key != NULL) *key = e->key;
        if (value != NULL) *value = e->value;
        (*pos)++;
        return 1;
    }
    return 0;
}
