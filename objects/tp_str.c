// SPDX-License-Identifier: MIT
/*
 * tp_str.c - str: the one-character cache and the intern table; the hash
 * of str and bytes.
 *
 * The 128 one-character ASCII strings and the empty string are immortal
 * const objects in flash (built by the preprocessor, hash included: FNV-1a of
 * one byte is a constant expression), so 'n' is 'n' costs no RAM.
 *
 * The intern table is an open-addressing hash set of BORROWED pointers in a
 * block of the collector's heap: it grows by doubling at 2/3 load, and an
 * interned string leaves it when it dies (its dealloc).  If the table cannot
 * grow (out of memory) the string is returned uninterned: interning is an
 * optimisation, and `is` between two strings is never promised.
 */
#include <stddef.h>
#include <string.h>

#include "tp_objects_internal.h"

#define STR_HEADER offsetof(tp_str_t, data)
#define STR_MAX_LEN 65535u
_Static_assert(STR_MAX_LEN <= UINT16_MAX, "a str's length is a uint16_t");

/* interned: 0 no, 1 in the intern table, 2 a cached const string */
#define INTERNED_TABLE 1u
#define INTERNED_CACHED 2u

static void str_dealloc(tp_obj_t *self);

/* The bytes a str of len bytes is made with: the text and its NUL. */
static size_t str_size(size_t len) { return STR_HEADER + len + 1u; }
static size_t str_size_of(const tp_obj_t *self) {
    return str_size(((const tp_str_t *)(const void *)self)->len);
}

tp_type_t tp_str_type = {.name = "str",
                         .basic_size = sizeof(tp_str_t),
                         .dealloc = str_dealloc,
                         .size_of = str_size_of};

uint32_t tp_char_cache_hits, tp_intern_hits;

uint32_t tp_hash_bytes(const void *data, size_t len) {
    const uint8_t *p = data;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

/* ---- the cache of one-character strings, in flash ---- */

typedef struct {
    tp_obj_t ob;
    uint32_t hash;
    uint16_t len;
    uint8_t interned;
    char data[2];
} const_str_t;
/* The cached strings are read through tp_str_t: every field at its place. */
_Static_assert(offsetof(const_str_t, ob) == offsetof(tp_str_t, ob) &&
                   offsetof(const_str_t, hash) == offsetof(tp_str_t, hash) &&
                   offsetof(const_str_t, len) == offsetof(tp_str_t, len) &&
                   offsetof(const_str_t, interned) == offsetof(tp_str_t, interned) &&
                   offsetof(const_str_t, data) == STR_HEADER,
               "const strings share the str layout");

#define FNV1A_OF_BYTE(c) ((uint32_t)((2166136261u ^ (uint32_t)(c)) * 16777619u))
#define ONE_CHAR_STR(c) \
    {{TP_RC_IMMORTAL, TP_STR_INDEX, 0}, FNV1A_OF_BYTE(c), 1u, INTERNED_CACHED, {(char)(c), 0}},
#define ONE_CHAR_STRS_2(c) ONE_CHAR_STR(c) ONE_CHAR_STR((c) + 1)
#define ONE_CHAR_STRS_4(c) ONE_CHAR_STRS_2(c) ONE_CHAR_STRS_2((c) + 2)
#define ONE_CHAR_STRS_8(c) ONE_CHAR_STRS_4(c) ONE_CHAR_STRS_4((c) + 4)
#define ONE_CHAR_STRS_16(c) ONE_CHAR_STRS_8(c) ONE_CHAR_STRS_8((c) + 8)
#define ONE_CHAR_STRS_32(c) ONE_CHAR_STRS_16(c) ONE_CHAR_STRS_16((c) + 16)
#define ONE_CHAR_STRS_64(c) ONE_CHAR_STRS_32(c) ONE_CHAR_STRS_32((c) + 32)
static const const_str_t one_char[128] = {ONE_CHAR_STRS_64(0) ONE_CHAR_STRS_64(64)};
static const const_str_t empty_str = {
    {TP_RC_IMMORTAL, TP_STR_INDEX, 0}, 2166136261u, 0u, INTERNED_CACHED, {0, 0}};

tp_obj_t *tp_str_cached(const char *data, size_t len) {
    if (len == 0) return (tp_obj_t *)(uintptr_t)&empty_str.ob;
    if (len == 1 && (uint8_t)data[0] < 128u)
        return (tp_obj_t *)(uintptr_t)&one_char[(uint8_t)data[0]].ob;
    return NULL;
}

/* ---- the intern table ---- */

static tp_obj_t **intern_table; /* NULL until the first interned string */
static uint32_t intern_cap;     /* power of two */
static uint32_t intern_used;    /* live entries */
static uint32_t intern_filled;  /* live + tombstones */
static const tp_obj_t tombstone_obj;
#define TOMBSTONE ((tp_obj_t *)(uintptr_t)&tombstone_obj)

static tp_str_t *as_str(tp_obj_t *o) { return (tp_str_t *)(void *)o; }

/* The slot holding a string equal to (data, len), or else the first free
 * slot met (a tombstone or an empty one).  The table must have room. */
static tp_obj_t **intern_slot(const char *data, size_t len, uint32_t hash) {
    uint32_t mask = intern_cap - 1u;
    tp_obj_t **free_slot = NULL;
    for (uint32_t i = hash & mask;; i = (i + 1u) & mask) {
        tp_obj_t *e = intern_table[i];
        if (e == NULL) return free_slot != NULL ? free_slot : &intern_table[i];
        if (e == TOMBSTONE) {
            if (free_slot == NULL) free_slot = &intern_table[i];
        } else if (as_str(e)->hash == hash && as_str(e)->len == len &&
                   memcmp(as_str(e)->data, data, len) == 0) {
            return &intern_table[i];
        }
    }
}

static int intern_grow(void) {
    uint32_t cap = intern_cap == 0 ? 16u : intern_cap * 2u;
    /* allocate first: the collector's out-of-memory pass may free interned
     * strings, which edits the old table */
    tp_obj_t **fresh = tp_gc_buf_calloc(cap, sizeof *fresh);
    if (fresh == NULL) return -1;
    tp_obj_t **old = intern_table;
    uint32_t old_cap = intern_cap;
    intern_table = fresh;
    intern_cap = cap;
    intern_filled = intern_used;
    for (uint32_t i = 0; i < old_cap; i++) {
        tp_obj_t *e = old[i];
        if (e != NULL && e != TOMBSTONE)
            *intern_slot(as_str(e)->data, as_str(e)->len, as_str(e)->hash) = e;
    }
    if (old != NULL) tp_gc_buf_free(old, old_cap * sizeof *old);
    return 0;
}

/* The interned string equal to (data, len), borrowed, or NULL. */
static tp_obj_t *intern_find(const char *data, size_t len, uint32_t hash) {
    if (intern_table == NULL) return NULL;
    tp_obj_t *e = *intern_slot(data, len, hash);
    return e != NULL && e != TOMBSTONE ? e : NULL;
}

/* Adds s (not yet there); -1 if the table cannot grow. */
static int intern_add(tp_obj_t *s) {
    if ((intern_filled + 1u) * 3u > intern_cap * 2u && intern_grow() != 0) return -1;
    tp_obj_t **slot = intern_slot(as_str(s)->data, as_str(s)->len, as_str(s)->hash);
    TP_ASSERT(*slot == NULL || *slot == TOMBSTONE); /* s was not there */
    if (*slot == NULL) intern_filled++;
    *slot = s;
    intern_used++;
    TP_ASSERT(intern_used <= intern_filled && intern_filled * 3u <= intern_cap * 2u);
    as_str(s)->interned = INTERNED_TABLE;
    return 0;
}

static void str_dealloc(tp_obj_t *self) {
    if (as_str(self)->interned != INTERNED_TABLE || intern_table == NULL) return;
    uint32_t mask = intern_cap - 1u;
    uint32_t i = as_str(self)->hash & mask;
    while (intern_table[i] != NULL && intern_table[i] != self) i = (i + 1u) & mask;
    TP_ASSERT(intern_table[i] == self); /* an interned string is in the table until it dies */
    if (intern_table[i] != self) return;
    intern_table[i] = TOMBSTONE;
    intern_used--;
}

void tp_str_trim(void) {
    if (intern_table == NULL || intern_used != 0) return;
    tp_gc_buf_free(intern_table, intern_cap * sizeof *intern_table);
    intern_table = NULL;
    intern_cap = intern_filled = 0;
}

size_t tp_str_intern_count(void) { return intern_used; }

void tp_str_reset(void) {
    intern_table = NULL; /* the old heap is gone */
    intern_cap = intern_used = intern_filled = 0;
    tp_char_cache_hits = tp_intern_hits = 0;
}

/* ---- str ---- */

/* A new str of len bytes, text to be filled in; hash computed by finish. */
static tp_obj_t *str_alloc(size_t len) {
    if (len > STR_MAX_LEN) return tp_fail(TP_ERR_OVERFLOW);
    tp_obj_t *o = tp_obj_alloc(&tp_str_type, str_size(len));
    if (o != NULL) as_str(o)->len = (uint16_t)len;
    return o;
}

static void str_finish(tp_obj_t *o) {
    as_str(o)->hash = tp_hash_bytes(as_str(o)->data, as_str(o)->len);
}

tp_obj_t *tp_str_from(const char *data, size_t len) {
    if (data == NULL && len > 0) return tp_fail(TP_ERR_TYPE);
    tp_obj_t *c = tp_str_cached(data, len);
    if (c != NULL) {
        tp_char_cache_hits++;
        return c; /* immortal: no incref needed */
    }
    tp_obj_t *o = str_alloc(len);
    if (o == NULL) return NULL;
    memcpy(as_str(o)->data, data, len);
    str_finish(o);
    return o;
}

static int identifier_like(const char *s, size_t len) {
    if (len == 0 || len > TP_STR_INTERN_MAX) return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

tp_obj_t *tp_str_new(const char *literal) {
    if (literal == NULL) return tp_fail(TP_ERR_TYPE);
    size_t len = strlen(literal);
    if (len <= 1 || !identifier_like(literal, len)) return tp_str_from(literal, len);
    uint32_t hash = tp_hash_bytes(literal, len);
    tp_obj_t *found = intern_find(literal, len, hash);
    if (found != NULL) {
        tp_intern_hits++;
        tp_incref(found);
        return found;
    }
    tp_obj_t *o = tp_str_from(literal, len);
    /* allocating can only take strings out of the table, never put one in */
    TP_ASSERT(intern_find(literal, len, hash) == NULL);
    if (o != NULL) (void)intern_add(o);
    return o;
}

tp_obj_t *tp_str_intern(tp_obj_t *s) {
    if (!tp_is(s, &tp_str_type)) return tp_fail(TP_ERR_TYPE);
    if (as_str(s)->interned == 0) {
        tp_obj_t *found = intern_find(as_str(s)->data, as_str(s)->len, as_str(s)->hash);
        if (found != NULL) {
            tp_intern_hits++;
            s = found;
        } else {
            (void)intern_add(s);
        }
    }
    tp_incref(s);
    return s;
}

int tp_str_is_interned(const tp_obj_t *s) {
    return tp_is(s, &tp_str_type) && ((const tp_str_t *)(const void *)s)->interned != 0;
}

const char *tp_str_data(const tp_obj_t *s) {
    if (!tp_is(s, &tp_str_type)) {
        (void)tp_fail(TP_ERR_TYPE);
        return "";
    }
    return ((const tp_str_t *)(const void *)s)->data;
}

tp_obj_t *tp_str_concat(tp_obj_t *a, tp_obj_t *b) {
    if (!tp_is(a, &tp_str_type) || !tp_is(b, &tp_str_type)) return tp_fail(TP_ERR_TYPE);
    size_t la = as_str(a)->len, lb = as_str(b)->len;
    if (la + lb <= 1) return tp_str_from(la ? as_str(a)->data : as_str(b)->data, la + lb);
    tp_obj_t *o = str_alloc(la + lb);
    if (o == NULL) return NULL;
    memcpy(as_str(o)->data, as_str(a)->data, la);
    memcpy(as_str(o)->data + la, as_str(b)->data, lb);
    str_finish(o);
    return o;
}
