// SPDX-License-Identifier: MIT
/*
 * tp_objects.c - set-up, errors, and the operations every type shares:
 * length, equality, hashing.
 */
#include <string.h>

#include "tp_objects_internal.h"

static tp_err_t last_error;

void *tp_fail(tp_err_t err) {
    last_error = err;
    return NULL;
}

int tp_fail_int(tp_err_t err) {
    last_error = err;
    return -1;
}

tp_err_t tp_err(void) { return last_error; }
void tp_err_clear(void) { last_error = TP_OK; }

const char *tp_err_name(tp_err_t err) {
    static const char *const names[] = {
        [TP_OK] = "OK",
        [TP_ERR_NOMEM] = "MemoryError",
        [TP_ERR_INDEX] = "IndexError",
        [TP_ERR_KEY] = "KeyError",
        [TP_ERR_ATTRIBUTE] = "AttributeError",
        [TP_ERR_TYPE] = "TypeError",
        [TP_ERR_VALUE] = "ValueError",
        [TP_ERR_OVERFLOW] = "OverflowError",
        [TP_ERR_REFERENCE] = "ReferenceError",
        [TP_ERR_RECURSION] = "RecursionError",
    };
    return (unsigned)err < sizeof names / sizeof names[0] ? names[err] : "?";
}

tp_obj_t *tp_obj_alloc(const tp_type_t *type, size_t size) {
    /* the tracking build records the object under the constructor that asked */
    tp_obj_t *o = TP_GC_NEW_AT(type, size, TP_CALL_SITE());
    return o != NULL ? o : tp_fail(TP_ERR_NOMEM);
}

long tp_index(long index, size_t len) {
    if (index < 0) index += (long)len;
    return index >= 0 && (size_t)index < len ? index : -1;
}

static void out_of_memory(size_t size, void *ctx) {
    (void)size;
    (void)ctx;
    last_error = TP_ERR_NOMEM;
}

int tp_objects_init(void) {
    last_error = TP_OK;
    tp_gc_set_nomem_hook(out_of_memory, NULL); /* weak references too: MemoryError */
    tp_number_reset();
    tp_str_reset();
    /* int and str first: their cached objects in flash carry these indices */
    if (tp_type_register(&tp_int_type) != 0 || tp_int_type.index != TP_INT_INDEX) return -1;
    if (tp_type_register(&tp_str_type) != 0 || tp_str_type.index != TP_STR_INDEX) return -1;
    tp_type_t *const rest[] = {
        &tp_float_type, &tp_bytes_type, &tp_bytearray_type,     &tp_tuple_type,
        &tp_list_type,  &tp_dict_type,  &tp_view_type,          &tp_instance_types[0][0],
        &tp_instance_types[0][1], &tp_instance_types[1][0], &tp_instance_types[1][1],
    };
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        if (tp_type_register(rest[i]) != 0) return -1;
    return 0;
}

void tp_objects_get_stats(tp_objects_stats_t *out) {
    if (out == NULL) {
        (void)tp_fail(TP_ERR_VALUE);
        return;
    }
    tp_number_stats(out);
    out->char_cache_hits = tp_char_cache_hits;
    out->intern_hits = tp_intern_hits;
}

void tp_objects_trim(void) {
    tp_number_trim();
    tp_str_trim();
}

/* ---- any object ---- */

int tp_is(const tp_obj_t *o, const tp_type_t *type) {
    return o != NULL && type->index != 0 && o->type == type->index;
}

const char *tp_type_name(const tp_obj_t *o) {
    if (o == NULL) return "NULL";
    if (tp_is_instance(o)) return ((const tp_instance_t *)(const void *)o)->cls->name;
    return tp_type_of(o)->name;
}

unsigned tp_sys_getrefcount(const tp_obj_t *o) {
    return o == NULL ? 0u : tp_getrefcount(o) + 1u;
}

long tp_len(const tp_obj_t *o) {
    if (tp_is(o, &tp_str_type)) return ((const tp_str_t *)(const void *)o)->len;
    if (tp_is(o, &tp_bytes_type) || tp_is(o, &tp_bytearray_type))
        return (long)((const tp_bytes_t *)(const void *)o)->len;
    if (tp_is(o, &tp_tuple_type)) return (long)((const tp_tuple_t *)(const void *)o)->len;
    if (tp_is(o, &tp_list_type)) return (long)((const tp_list_t *)(const void *)o)->len;
    if (tp_is(o, &tp_dict_type)) return ((const tp_dict_t *)(const void *)o)->table.used;
    if (tp_is(o, &tp_view_type)) return (long)((const tp_view_t *)(const void *)o)->len;
    return tp_fail_int(TP_ERR_TYPE);
}

static int is_number(const tp_obj_t *o) { return tp_is(o, &tp_int_type) || tp_is(o, &tp_float_type); }

static int items_eq(tp_obj_t **a, tp_obj_t **b, uint32_t n, unsigned depth);

static int eq(tp_obj_t *a, tp_obj_t *b, unsigned depth) {
    if (a == NULL || b == NULL) return tp_fail_int(TP_ERR_TYPE);
    if (a == b) return 1;
    if (++depth > TP_OBJ_MAX_DEPTH) return tp_fail_int(TP_ERR_RECURSION);
    if (is_number(a) && is_number(b)) {
        if (tp_is(a, &tp_int_type) && tp_is(b, &tp_int_type))
            return TP_AS(tp_int_t, a)->value == TP_AS(tp_int_t, b)->value;
        return tp_float_value(a) == tp_float_value(b);
    }
    if (tp_is(a, &tp_str_type) && tp_is(b, &tp_str_type)) {
        tp_str_t *x = TP_AS(tp_str_t, a), *y = TP_AS(tp_str_t, b);
        return x->len == y->len && x->hash == y->hash && memcmp(x->data, y->data, x->len) == 0;
    }
    int ab = tp_is(a, &tp_bytes_type) || tp_is(a, &tp_bytearray_type);
    int bb = tp_is(b, &tp_bytes_type) || tp_is(b, &tp_bytearray_type);
    if (ab && bb) {
        tp_bytes_t *x = TP_AS(tp_bytes_t, a), *y = TP_AS(tp_bytes_t, b);
        return x->len == y->len && memcmp(x->data, y->data, x->len) == 0;
    }
    if (tp_is(a, &tp_tuple_type) && tp_is(b, &tp_tuple_type)) {
        tp_tuple_t *x = TP_AS(tp_tuple_t, a), *y = TP_AS(tp_tuple_t, b);
        return x->len == y->len ? items_eq(x->items, y->items, x->len, depth) : 0;
    }
    if (tp_is(a, &tp_list_type) && tp_is(b, &tp_list_type)) {
        tp_list_t *x = TP_AS(tp_list_t, a), *y = TP_AS(tp_list_t, b);
        return x->len == y->len ? items_eq(x->items, y->items, x->len, depth) : 0;
    }
    if (tp_is(a, &tp_dict_type) && tp_is(b, &tp_dict_type)) {
        tp_table_t *x = &TP_AS(tp_dict_t, a)->table, *y = &TP_AS(tp_dict_t, b)->table;
        if (x->used != y->used) return 0;
        for (uint32_t i = 0; x->mem != NULL && i < x->nentries; i++) {
            tp_entry_t *e = &tp_table_entries(x)[i];
            if (e->key == NULL) continue;
            tp_entry_t *f = tp_table_find(y, e->key, e->hash);
            if (f == NULL) return 0;
            int r = eq(e->value, f->value, depth);
            if (r != 1) return r;
        }
        return 1;
    }
    return 0; /* other objects: by identity */
}

static int items_eq(tp_obj_t **a, tp_obj_t **b, uint32_t n, unsigned depth) {
    for (uint32_t i = 0; i < n; i++) {
        int r = eq(a[i], b[i], depth);
        if (r != 1) return r;
    }
    return 1;
}

int tp_eq(tp_obj_t *a, tp_obj_t *b) { return eq(a, b, 0); }

static int hash(tp_obj_t *o, uint32_t *out, unsigned depth) {
    if (o == NULL) return tp_fail_int(TP_ERR_TYPE);
    if (tp_is(o, &tp_int_type)) {
        *out = (uint32_t)TP_AS(tp_int_t, o)->value;
    } else if (tp_is(o, &tp_float_type)) {
        double v = TP_AS(tp_float_t, o)->value;
        /* equal numbers hash equal: 2.0 as 2 */
        if (v >= (double)INT32_MIN && v <= (double)INT32_MAX && v == (double)(int32_t)v)
            *out = (uint32_t)(int32_t)v;
        else
            *out = tp_hash_bytes(&v, sizeof v);
    } else if (tp_is(o, &tp_str_type)) {
        *out = TP_AS(tp_str_t, o)->hash;
    } else if (tp_is(o, &tp_bytes_type)) {
        *out = TP_AS(tp_bytes_t, o)->hash;
    } else if (tp_is(o, &tp_tuple_type)) {
        if (++depth > TP_OBJ_MAX_DEPTH) return tp_fail_int(TP_ERR_RECURSION);
        tp_tuple_t *t = TP_AS(tp_tuple_t, o);
        uint32_t h = 0x345678u;
        for (uint32_t i = 0; i < t->len; i++) {
            uint32_t x;
            if (hash(t->items[i], &x, depth) != 0) return -1;
            h = (h ^ x) * 1000003u;
        }
        *out = h ^ t->len;
    } else if (tp_is_instance(o) || tp_is(o, &tp_weakref_type)) {
        *out = (uint32_t)((uintptr_t)o >> 3); /* identity */
    } else {
        return tp_fail_int(TP_ERR_TYPE); /* list, dict, bytearray, view: unhashable */
    }
    return 0;
}

int tp_hash(tp_obj_t *o, uint32_t *out) {
    uint32_t h;
    if (out == NULL) out = &h;
    return hash(o, out, 0);
}
