// SPDX-License-Identifier: MIT
/*
 * tp_objects_internal.h - the layouts of the built-in objects and what the
 * files of objects/ share.  Not for users: tp_objects.h is the API.
 */
#ifndef TP_OBJECTS_INTERNAL_H
#define TP_OBJECTS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tp_objects.h"
#include "tp_port.h"

/* Fixed type indices of the types whose cached objects live in flash:
 * after tp_gc_init registers the weakref type at 1, tp_objects_init
 * registers int and str first and checks they get these. */
#define TP_INT_INDEX 2u
#define TP_STR_INDEX 3u
_Static_assert(TP_INT_INDEX < TP_GC_MAX_TYPES && TP_STR_INDEX < TP_GC_MAX_TYPES,
               "the cached objects' type indices must be registrable");

/* Every block of the collector's heap (objects and the buffers they own) is
 * aligned to TP_ALLOC_GRAIN: no layout below may need more. */

/* 8 bytes: header + value, the smallest size class. */
typedef struct {
    tp_obj_t ob;
    int32_t value;
} tp_int_t;
_Static_assert(sizeof(tp_int_t) == 8 && sizeof(tp_int_t) <= TP_ALLOC_GRAIN,
               "an int is header + int32_t, one block of the smallest size class");

typedef struct {
    tp_obj_t ob;
    double value;
} tp_float_t;
_Static_assert(_Alignof(tp_float_t) <= TP_ALLOC_GRAIN, "the double must be aligned in its block");

/* 11 bytes before the text: a one-character string is a 16-byte block. */
typedef struct {
    tp_obj_t ob;
    uint32_t hash; /* FNV-1a of the bytes, computed at creation */
    uint16_t len;
    uint8_t interned;
    char data[]; /* len bytes and a NUL */
} tp_str_t;
_Static_assert(offsetof(tp_str_t, data) == 11 && offsetof(tp_str_t, data) + 2u <= 2u * TP_ALLOC_GRAIN,
               "a one-character string (text and NUL) fits the 16-byte size class");

typedef struct {
    tp_obj_t ob;
    uint32_t len;
    uint32_t hash; /* bytes only */
    uint8_t data[];
} tp_bytes_t;

typedef struct {
    tp_gc_head_t head;
    uint16_t len;  /* items held: clear lowers it as it drops them */
    uint16_t size; /* items the tuple was made with: its block's size */
    tp_obj_t *items[];
} tp_tuple_t;

typedef struct {
    tp_gc_head_t head;
    uint32_t len;
    uint32_t cap;
    tp_obj_t **items; /* from the collector's heap; NULL when cap is 0 */
} tp_list_t;

/* The hash table of dicts and instances (CPython's compact dict): `entries`
 * in insertion order, and an index array of 2^log2 slots, each -1 (empty),
 * -2 (deleted) or an entry number; both in one heap block.  A deleted entry
 * keeps its place with key NULL until the next resize compacts. */
typedef struct {
    uint32_t hash;
    tp_obj_t *key;
    tp_obj_t *value;
} tp_entry_t;

typedef struct {
    void *mem;         /* index array then entries; NULL while empty */
    uint16_t used;     /* live entries */
    uint16_t nentries; /* entries in use, deleted ones included */
    uint8_t log2;      /* index slots: 1 << log2 (0 while mem is NULL) */
} tp_table_t;

typedef struct {
    tp_gc_head_t head;
    tp_table_t table;
} tp_dict_t;

typedef struct {
    tp_gc_head_t head;
    const tp_class_t *cls;
    tp_table_t attrs;
    tp_weakref_t *weaklist; /* only when the class is weak-referenceable */
} tp_instance_t;
/* An instance of a class without weak references is made without the last
 * field: its type's basic_size stops at weaklist. */
_Static_assert(offsetof(tp_instance_t, weaklist) + sizeof(tp_weakref_t *) == sizeof(tp_instance_t),
               "weaklist must be the last field of an instance");

typedef struct {
    tp_gc_head_t head;
    tp_obj_t *buffer; /* a bytes or bytearray */
    uint32_t start;
    uint32_t len;
} tp_view_t;

#define TP_AS(T, o) ((T *)(void *)(o))

/* Records an error; returns NULL so callers can `return tp_fail(...)`. */
void *tp_fail(tp_err_t err);
int tp_fail_int(tp_err_t err); /* records, returns -1 */

/* Object allocation through the collector, NOMEM recorded on failure. */
tp_obj_t *tp_obj_alloc(const tp_type_t *type, size_t size);

/* Normalises a Python-style index (negative counts from the end); -1 when
 * out of range. */
long tp_index(long index, size_t len);

/* FNV-1a, the hash of str and bytes. */
uint32_t tp_hash_bytes(const void *data, size_t len);

/* ---- the hash table of dicts and instances (tp_table.c) ---- */

/* An index slot holds an entry number, or one of these. */
#define TP_TABLE_SLOT_EMPTY (-1)
#define TP_TABLE_SLOT_DELETED (-2)

/* Inline: the lookups of dicts and instances, on their hot paths, reach
 * into the table's block through these. */
static inline int16_t *tp_table_index(const tp_table_t *t) { return (int16_t *)t->mem; }
static inline tp_entry_t *tp_table_entries(const tp_table_t *t) {
    return (tp_entry_t *)(void *)((char *)t->mem + (sizeof(int16_t) << t->log2));
}

/* Sets key -> value in `owner`'s table t.  A dict or an instance is tracked
 * by the collector only from the first key or value that is a container on:
 * one holding only atoms (ints, strs, ...) can never be part of a cycle. */
int tp_table_set(tp_obj_t *owner, tp_table_t *t, tp_obj_t *key, uint32_t hash, tp_obj_t *value);
tp_entry_t *tp_table_find(tp_table_t *t, tp_obj_t *key, uint32_t hash); /* NULL: absent or error */
int tp_table_del(tp_table_t *t, tp_obj_t *key, uint32_t hash);          /* 1 deleted, 0 absent, -1 */
uint32_t tp_table_traverse(tp_table_t *t, uint32_t start, tp_visit_t visit, void *ctx);
uint32_t tp_table_clear(tp_table_t *t, uint32_t *budget);
void tp_table_free(tp_table_t *t);

/* The entry whose key is a str equal to (text, len), or NULL, in a table
 * whose keys are all strs (an instance's attributes): compared by content,
 * so tp_getattr makes no string object for the lookup.  Inline: tp_getattr
 * is its only caller, and a hot one. */
static inline tp_entry_t *tp_table_find_str(const tp_table_t *t, const char *text, size_t len,
                                            uint32_t hash) {
    if (t->mem == NULL) return NULL;
    int16_t *index = tp_table_index(t);
    tp_entry_t *entries = tp_table_entries(t);
    uint32_t mask = (1u << t->log2) - 1u;
    for (uint32_t i = hash & mask; index[i] != TP_TABLE_SLOT_EMPTY; i = (i + 1u) & mask) {
        if (index[i] < 0 || entries[index[i]].hash != hash) continue;
        TP_ASSERT(tp_is(entries[index[i]].key, &tp_str_type));
        tp_str_t *k = TP_AS(tp_str_t, entries[index[i]].key);
        if (k->len == len && memcmp(k->data, text, len) == 0) return &entries[index[i]];
    }
    return NULL;
}

/* ---- the types' own state: set-up, statistics, trimming, caches ---- */

/* tp_number.c: the int and float free lists, the small-int cache's hits
 * (reset, read and trimmed by tp_objects.c). */
void tp_number_reset(void);
void tp_number_stats(tp_objects_stats_t *out);
void tp_number_trim(void);

/* tp_str.c: the intern table and the one-character cache. */
void tp_str_reset(void);
void tp_str_trim(void);
tp_obj_t *tp_str_cached(const char *data, size_t len); /* borrowed or NULL */
extern uint32_t tp_char_cache_hits, tp_intern_hits;

/* tp_instance.c: the instance types, [has __del__][weak-referenceable]
 * (registered by tp_objects_init). */
extern tp_type_t tp_instance_types[2][2];

#endif /* TP_OBJECTS_INTERNAL_H */
