// SPDX-License-Identifier: MIT
/*
 * tp_table.c - the hash table of dicts and instances.
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
 */
#include <string.h>

#include "tp_objects_internal.h"

#define MIN_LOG2 2u
#define MAX_LOG2 15u /* int16_t entry numbers */
/* Entries a table of 2^log2 index slots holds: 2/3 of them, so a lookup
 * rarely probes twice. */
#define USABLE_ENTRIES(log2) (((1u << (log2)) * 2u) / 3u)

/* The entries start right after the index, in the same block. */
_Static_assert((sizeof(int16_t) << MIN_LOG2) % _Alignof(tp_entry_t) == 0,
               "the smallest index keeps the entries after it aligned");
_Static_assert(_Alignof(tp_entry_t) <= TP_ALLOC_GRAIN, "a table's block is aligned for its entries");
/* An index slot holds an entry number as int16_t, and the table counts its
 * entries in uint16_t. */
_Static_assert(USABLE_ENTRIES(MAX_LOG2) <= INT16_MAX && USABLE_ENTRIES(MAX_LOG2) <= UINT16_MAX,
               "entry numbers of the largest table fit an index slot and the counts");

static uint32_t table_usable(uint8_t log2) { return USABLE_ENTRIES(log2); }
/* The bytes of a table's block: the index, then the entries. */
static size_t table_bytes(uint8_t log2) {
    return (sizeof(int16_t) << log2) + table_usable(log2) * sizeof(tp_entry_t);
}

static int keys_equal(tp_obj_t *a, tp_obj_t *b) { return a == b || tp_eq(a, b) == 1; }

/* The index slot of `key`, or of the empty slot where it would go. */
static int16_t *find_slot(const tp_table_t *t, tp_obj_t *key, uint32_t hash) {
    /* the load bound leaves an empty slot, which ends every probe */
    TP_ASSERT(t->nentries <= table_usable(t->log2));
    int16_t *index = tp_table_index(t);
    tp_entry_t *entries = tp_table_entries(t);
    uint32_t mask = (1u << t->log2) - 1u;
    for (uint32_t i = hash & mask;; i = (i + 1u) & mask) {
        int16_t e = index[i];
        if (e == TP_TABLE_SLOT_EMPTY) return &index[i];
        if (e >= 0 && entries[e].hash == hash && keys_equal(entries[e].key, key)) return &index[i];
    }
}

tp_entry_t *tp_table_find(tp_table_t *t, tp_obj_t *key, uint32_t hash) {
    TP_ASSERT((t->mem == NULL) == (t->log2 == 0) && t->used <= t->nentries);
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
    memset(mem, 0xFF, sizeof(int16_t) << log2); /* every slot TP_TABLE_SLOT_EMPTY */
    tp_entry_t *out = tp_table_entries(&fresh);
    if (t->mem != NULL) {
        tp_entry_t *in = tp_table_entries(t);
        uint32_t mask = (1u << log2) - 1u;
        for (uint32_t i = 0; i < t->nentries; i++) {
            if (in[i].key == NULL) continue;
            uint32_t j = in[i].hash & mask;
            while (tp_table_index(&fresh)[j] != TP_TABLE_SLOT_EMPTY) j = (j + 1u) & mask;
            tp_table_index(&fresh)[j] = (int16_t)fresh.nentries;
            out[fresh.nentries++] = in[i];
            /* a collection may be half-way through this table */
            tp_gc_moved(in[i].key);
            tp_gc_moved(in[i].value);
        }
        tp_gc_buf_free(t->mem, table_bytes(t->log2));
    }
    TP_ASSERT(fresh.nentries == t->used); /* the live entries, compacted */
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
    TP_ASSERT(t->nentries <= table_usable(t->log2));
    return 0;
}

/* The index slot pointing at entry number n (which must be in use). */
static int16_t *slot_of_entry(const tp_table_t *t, uint32_t n) {
    int16_t *index = tp_table_index(t);
    uint32_t mask = (1u << t->log2) - 1u;
    uint32_t i = tp_table_entries(t)[n].hash & mask;
    while (index[i] != (int16_t)n) i = (i + 1u) & mask;
    return &index[i];
}

/* Takes entry n out; the caller drops the key and value it returns. */
static void remove_entry(tp_table_t *t, uint32_t n, tp_obj_t **key, tp_obj_t **value) {
    tp_entry_t *e = &tp_table_entries(t)[n];
    TP_ASSERT(n < t->nentries && e->key != NULL && t->used > 0);
    *slot_of_entry(t, n) = TP_TABLE_SLOT_DELETED;
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
    TP_ASSERT(t->used == 0); /* every live entry was removed */
    t->used = 0;
    return 0;
}

void tp_table_free(tp_table_t *t) {
    if (t->mem != NULL) tp_gc_buf_free(t->mem, table_bytes(t->log2));
    *t = (tp_table_t){0};
}
