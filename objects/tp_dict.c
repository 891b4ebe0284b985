/*
 * tp_dict.c - the hash table, dict and instances of user classes.
 *
 * The table is CPython's compact dict: the entries (hash, key, value) sit in
 * an array in insertion order, and a separate index array of 2^n int16_t
 * slots maps a hash to an entry (-1 empty, -2 deleted; linear probing).  The
 * entry array holds 2/3 of the slot count, so a 4-slot table (the smallest)
 * costs 8 + 2 x 12 = 32 bytes and a lookup rarely probes twice.  Both arrays
 * are one block of the collector's heap; an empty table has none.
 *
 * Deleting leaves a hole in the entries (key NULL) until the next resize
 * compacts them.  A resize moves references to other entry numbers without a
 * count change, so it tells the collector (tp_gc_moved) about each.
 *
 * Instances keep their attributes in such a table inside the object (the
 * keys are interned names), so an instance is one object, as in CPython
 * 3.11+ where the __dict__ is only made on demand.
 */
#include <string.h>

#include "tp_objects_internal.h"

#define SLOT_EMPTY (-1)
#define SLOT_DELETED (-2)
#define MIN_LOG2 2u
#define MAX_LOG2 15u /* int16_t entry numbers */

static uint32_t table_usable(uint8_t log2) { return ((1u << log2) * 2u) / 3u; }
/* The bytes of a table's block: the index, then the entries. */
static size_t table_bytes(uint8_t log2) {
    return (sizeof(int16_t) << log2) + table_usable(log2) * sizeof(tp_entry_t);
}
static int16_t *table_index(const tp_table_t *t) { return (int16_t *)t->mem; }
tp_entry_t *tp_table_entries(const tp_table_t *t) {
    return (tp_entry_t *)(void *)((char *)t->mem + (sizeof(int16_t) << t->log2));
}

static int keys_equal(tp_obj_t *a, tp_obj_t *b) { return a == b || tp_eq(a, b) == 1; }

/* The index slot of `key`, or of the empty slot where it would go. */
static int16_t *find_slot(const tp_table_t *t, tp_obj_t *key, uint32_t hash) {
    int16_t *index = table_index(t);
    tp_entry_t *entries = tp_table_entries(t);
    uint32_t mask = (1u << t->log2) - 1u;
    for (uint32_t i = hash & mask;; i = (i + 1u) & mask) {
        int16_t e = index[i];
        if (e == SLOT_EMPTY) return &index[i];
        if (e >= 0 && entries[e].hash == hash && keys_equal(entries[e].key, key)) return &index[i];
    }
}

tp_entry_t *tp_table_find(tp_table_t *t, tp_obj_t *key, uint32_t hash) {
    if (t->mem == NULL) return NULL;
    int16_t e = *find_slot(t, key, hash);
    return e >= 0 ? &tp_table_entries(t)[e] : NULL;
}

/* Rebuilds the table with room for at least `need` entries, compacted. */
static int table_resize(tp_table_t *t, uint32_t need) {
    uint8_t log2 = MIN_LOG2;
    while (table_usable(log2) < need) {
        if (++log2 > MAX_LOG2) return tp_fail_int(TP_ERR_OVERFLOW);
    }
    size_t bytes = table_bytes(log2);
    void *mem = tp_gc_buf_alloc(bytes);
    if (mem == NULL) return tp_fail_int(TP_ERR_NOMEM);
    tp_table_t fresh = {.mem = mem, .log2 = log2};
    memset(mem, 0xFF, sizeof(int16_t) << log2); /* every slot SLOT_EMPTY */
    tp_entry_t *out = tp_table_entries(&fresh);
    if (t->mem != NULL) {
        tp_entry_t *in = tp_table_entries(t);
        uint32_t mask = (1u << log2) - 1u;
        for (uint32_t i = 0; i < t->nentries; i++) {
            if (in[i].key == NULL) continue;
            uint32_t j = in[i].hash & mask;
            while (table_index(&fresh)[j] != SLOT_EMPTY) j = (j + 1u) & mask;
            table_index(&fresh)[j] = (int16_t)fresh.nentries;
            out[fresh.nentries++] = in[i];
            /* a collection may be half-way through this table */
            tp_gc_moved(in[i].key);
            tp_gc_moved(in[i].value);
        }
        tp_gc_buf_free(t->mem, table_bytes(t->log2));
    }
    fresh.used = fresh.nentries;
    *t = fresh;
    return 0;
}

int tp_table_set(tp_obj_t *owner, tp_table_t *t, tp_obj_t *key, uint32_t hash, tp_obj_t *value) {
    if (!(owner->flags & TP_OF_TRACKED) && (tp_is_container(key) || tp_is_container(value)))
        tp_gc_track(owner); /* before the reference exists: may reach a cycle from now on */
    tp_entry_t *e = tp_table_find(t, key, hash);
    if (e != NULL) {
        tp_obj_t *old = e->value;
        tp_incref(value);
        e->value = value;
        tp_decref(old);
        return 0;
    }
    if (t->mem == NULL || t->nentries >= table_usable(t->log2)) {
        /* room for half as many again as are live (compacting away the
         * holes): growth by 1.5x keeps inserts amortised O(1) and a small
         * dict small - 6 keys take 16 slots, not 32 */
        if (table_resize(t, (uint32_t)t->used + t->used / 2u + 1u) != 0) return -1;
    }
    int16_t *slot = find_slot(t, key, hash);
    tp_entry_t *entries = tp_table_entries(t);
    tp_incref(key);
    tp_incref(value);
    entries[t->nentries] = (tp_entry_t){hash, key, value};
    *slot = (int16_t)t->nentries;
    t->nentries++;
    t->used++;
    return 0;
}

/* The index slot pointing at entry number n (which must be in use). */
static int16_t *slot_of_entry(const tp_table_t *t, uint32_t n) {
    int16_t *index = table_index(t);
    uint32_t mask = (1u << t->log2) - 1u;
    uint32_t i = tp_table_entries(t)[n].hash & mask;
    while (index[i] != (int16_t)n) i = (i + 1u) & mask;
    return &index[i];
}

/* Takes entry n out; the caller drops the key and value it returns. */
static void remove_entry(tp_table_t *t, uint32_t n, tp_obj_t **key, tp_obj_t **value) {
    tp_entry_t *e = &tp_table_entries(t)[n];
    *slot_of_entry(t, n) = SLOT_DELETED;
    *key = e->key;
    *value = e->value;
    e->key = e->value = NULL;
    t->used--;
}

int tp_table_del(tp_table_t *t, tp_obj_t *key, uint32_t hash) {
    tp_entry_t *e = tp_table_find(t, key, hash);
    if (e == NULL) return 0;
    tp_obj_t *k, *v;
    remove_entry(t, (uint32_t)(e - tp_table_entries(t)), &k, &v);
    tp_decref(k);
    tp_decref(v);
    return 1;
}

/* Slots: 2n is entry n's key, 2n + 1 its value. */
uint32_t tp_table_traverse(tp_table_t *t, uint32_t start, tp_visit_t visit, void *ctx) {
    if (t->mem == NULL) return TP_TRAVERSE_DONE;
    tp_entry_t *entries = tp_table_entries(t);
    for (uint32_t s = start; s < 2u * t->nentries; s++) {
        tp_obj_t *ref = (s & 1u) ? entries[s >> 1].value : entries[s >> 1].key;
        if (ref != NULL && visit(ref, ctx)) return s + 1u;
    }
    return TP_TRAVERSE_DONE;
}

/* Drops entries from the last, two units each (key and value). */
uint32_t tp_table_clear(tp_table_t *t, uint32_t *budget) {
    while (t->nentries > 0) {
        uint32_t n = t->nentries - 1u;
        if (tp_table_entries(t)[n].key != NULL) {
            if (*budget == 0) return t->used;
            *budget = *budget > 2u ? *budget - 2u : 0u;
            tp_obj_t *k, *v;
            remove_entry(t, n, &k, &v);
            t->nentries--;
            tp_decref(k);
            tp_decref(v);
        } else {
            t->nentries--;
        }
    }
    t->used = 0;
    return 0;
}

void tp_table_free(tp_table_t *t) {
    if (t->mem != NULL) tp_gc_buf_free(t->mem, table_bytes(t->log2));
    *t = (tp_table_t){0};
}

/* ---- dict ---- */

static tp_table_t *DT(tp_obj_t *o) { return &TP_AS(tp_dict_t, o)->table; }

static uint32_t dict_traverse(tp_obj_t *self, uint32_t start, tp_visit_t visit, void *ctx) {
    return tp_table_traverse(DT(self), start, visit, ctx);
}
static uint32_t dict_clear(tp_obj_t *self, uint32_t *budget) { return tp_table_clear(DT(self), budget); }
static void dict_dealloc(tp_obj_t *self) { tp_table_free(DT(self)); }

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
    return DT(d);
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
    tp_table_t *t = DT(d);
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

/* ---- instances ---- */

static tp_instance_t *I(tp_obj_t *o) { return (tp_instance_t *)(void *)o; }

static uint32_t inst_traverse(tp_obj_t *self, uint32_t start, tp_visit_t visit, void *ctx) {
    return tp_table_traverse(&I(self)->attrs, start, visit, ctx);
}
static uint32_t inst_clear(tp_obj_t *self, uint32_t *budget) {
    return tp_table_clear(&I(self)->attrs, budget);
}
static void inst_dealloc(tp_obj_t *self) { tp_table_free(&I(self)->attrs); }
static void inst_finalize(tp_obj_t *self) { I(self)->cls->del(self); }

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
    I(o)->cls = cls; /* untracked until it holds a container (tp_table_set) */
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
    int r = tp_table_set(self, &I(self)->attrs, k, TP_AS(tp_str_t, k)->hash, value);
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
    tp_table_t *t = &I(self)->attrs;
    if (t->mem != NULL) {
        int16_t *index = table_index(t);
        tp_entry_t *entries = tp_table_entries(t);
        uint32_t mask = (1u << t->log2) - 1u;
        for (uint32_t i = hash & mask; index[i] != SLOT_EMPTY; i = (i + 1u) & mask) {
            if (index[i] < 0 || entries[index[i]].hash != hash) continue;
            tp_str_t *k = TP_AS(tp_str_t, entries[index[i]].key);
            if (k->len == len && memcmp(k->data, name, len) == 0) {
                tp_incref(entries[index[i]].value);
                return entries[index[i]].value;
            }
        }
    }
    return tp_fail(TP_ERR_ATTRIBUTE);
}

int tp_delattr(tp_obj_t *o, const char *name) {
    tp_obj_t *self = attr_target(o);
    if (self == NULL) return -1;
    tp_obj_t *k = tp_str_new(name);
    if (k == NULL) return -1;
    int r = tp_table_del(&I(self)->attrs, k, TP_AS(tp_str_t, k)->hash);
    tp_decref(k);
    return r == 1 ? 0 : r == 0 ? tp_fail_int(TP_ERR_ATTRIBUTE) : -1;
}
