// SPDX-License-Identifier: MIT
/*
 * tp_instance.c - instances of user classes, and their attributes.
 *
 * Instances keep their attributes in a hash table (tp_table.c) inside the
 * object, keyed by the names as strs (interned when identifier-like, as
 * tp_str_new makes them), so an instance is one object, as in CPython 3.11+
 * where the __dict__ is only made on demand.
 *
 * A class is a static description (tp_class_t): whether it has __del__ and
 * whether its instances can be weakly referenced pick one of four instance
 * types, so an instance without a weak-reference list is a pointer smaller and
 * one without __del__ is never finalized.
 */
#include <string.h>

#include "tp_objects_internal.h"

static tp_instance_t *as_instance(tp_obj_t *o) { return (tp_instance_t *)(void *)o; }

static uint32_t inst_traverse(tp_obj_t *self, uint32_t start, tp_visit_t visit, void *ctx) {
    return tp_table_traverse(&as_instance(self)->attrs, start, visit, ctx);
}
static uint32_t inst_clear(tp_obj_t *self, uint32_t *budget) {
    return tp_table_clear(&as_instance(self)->attrs, budget);
}
static void inst_dealloc(tp_obj_t *self) { tp_table_free(&as_instance(self)->attrs); }
static void inst_finalize(tp_obj_t *self) { as_instance(self)->cls->del(self); }

#define INSTANCE_TYPE(fin, weak)                                                                  \
    {                                                                                             \
        .name = "instance",                                                                       \
        .basic_size = (weak) ? sizeof(tp_instance_t) : offsetof(tp_instance_t, weaklist),         \
        .weaklist_offset = (weak) ? offsetof(tp_instance_t, weaklist) : 0u,                       \
        .flags = TP_TYPE_CONTAINER, .traverse = inst_traverse, .clear = inst_clear,               \
        .finalize = (fin) ? inst_finalize : NULL, .dealloc = inst_dealloc,                        \
    }
tp_type_t tp_instance_types[2][2] = {
    {INSTANCE_TYPE(0, 0), INSTANCE_TYPE(0, 1)},
    {INSTANCE_TYPE(1, 0), INSTANCE_TYPE(1, 1)},
};

int tp_is_instance(const tp_obj_t *o) {
    for (int f = 0; f < 2; f++)
        for (int w = 0; w < 2; w++)
            if (tp_is(o, &tp_instance_types[f][w])) return 1;
    return 0;
}

tp_obj_t *tp_instance_new(const tp_class_t *cls) {
    if (cls == NULL) return tp_fail(TP_ERR_TYPE);
    const tp_type_t *t =
        &tp_instance_types[cls->del != NULL][(cls->flags & TP_CLASS_NO_WEAKREF) == 0];
    tp_obj_t *o = tp_obj_alloc(t, t->basic_size);
    if (o == NULL) return NULL;
    as_instance(o)->cls = cls; /* untracked until it holds a container (tp_table_set) */
    return o;
}

const tp_class_t *tp_instance_class(const tp_obj_t *o) {
    return tp_is_instance(o) ? ((const tp_instance_t *)(const void *)o)->cls : NULL;
}

/* The instance behind o (o itself, or a live proxy's referent), borrowed. */
static tp_obj_t *attr_target(tp_obj_t *o) {
    if (o != NULL && tp_weakref_is_proxy(o)) {
        int dead = 0;
        o = tp_weakproxy_deref(o, &dead);
        if (o == NULL) return tp_fail(TP_ERR_REFERENCE);
    }
    if (!tp_is_instance(o)) return tp_fail(TP_ERR_TYPE);
    return o;
}

int tp_setattr(tp_obj_t *o, const char *name, tp_obj_t *value) {
    tp_obj_t *self = attr_target(o);
    if (self == NULL) return -1;
    if (value == NULL) return tp_fail_int(TP_ERR_TYPE);
    tp_obj_t *k = tp_str_new(name);
    if (k == NULL) return -1;
    int r = tp_table_set(self, &as_instance(self)->attrs, k, TP_AS(tp_str_t, k)->hash, value);
    tp_decref(k);
    return r;
}

tp_obj_t *tp_getattr(tp_obj_t *o, const char *name) {
    tp_obj_t *self = attr_target(o);
    if (self == NULL) return NULL;
    if (name == NULL) return tp_fail(TP_ERR_TYPE);
    /* by content: no string object is made for the lookup */
    size_t len = strlen(name);
    uint32_t hash = tp_hash_bytes(name, len);
    tp_entry_t *e = tp_table_find_str(&as_instance(self)->attrs, name, len, hash);
    if (e != NULL) {
        tp_incref(e->value);
        return e->value;
    }
    return tp_fail(TP_ERR_ATTRIBUTE);
}

int tp_delattr(tp_obj_t *o, const char *name) {
    tp_obj_t *self = attr_target(o);
    if (self == NULL) return -1;
    tp_obj_t *k = tp_str_new(name);
    if (k == NULL) return -1;
    int r = tp_table_del(&as_instance(self)->attrs, k, TP_AS(tp_str_t, k)->hash);
    tp_decref(k);
    return r == 1 ? 0 : r == 0 ? tp_fail_int(TP_ERR_ATTRIBUTE) : -1;
}
