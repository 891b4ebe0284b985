/*
 * tp_gc_inspect.c - objects per type, referrers, the chain from a root
 * (tp_gc_inspect.h).  Everything here reads the collector's lists; only
 * tp_gc_path_to_root writes, to the `prev` links, and only while no
 * collection is in progress.
 */
#include "tp_gc_inspect.h"

#include "tp_gc_internal.h"

#define G tp_gc_state

typedef void (*print_fn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The column of tp_gc_type_row_t.tracked each list counts in. */
static const uint8_t column_of_list[L_COUNT] = {
    [L_GEN0] = TP_GC_AT_GEN0,          [L_GEN1] = TP_GC_AT_GEN1,
    [L_GEN2] = TP_GC_AT_GEN2,          [L_PERM] = TP_GC_AT_FROZEN,
    [L_GARBAGE] = TP_GC_AT_GARBAGE,    [L_SET] = TP_GC_AT_COLLECTING,
    [L_GREY] = TP_GC_AT_COLLECTING,    [L_BLACK] = TP_GC_AT_COLLECTING,
    [L_WHITE] = TP_GC_AT_COLLECTING,   [L_DONE] = TP_GC_AT_COLLECTING,
    [L_LGREY] = TP_GC_AT_COLLECTING,   [L_LEGACY] = TP_GC_AT_COLLECTING,
};

/* The lists tracked containers rest on while no collection runs. */
static const uint8_t resting_lists[] = {L_GEN0, L_GEN1, L_GEN2, L_PERM, L_GARBAGE};
#define N_RESTING (sizeof resting_lists / sizeof resting_lists[0])

/* Iterates over the containers of list l, following `next` only: during a
 * collection's set-up (and while tp_gc_path_to_root runs) `prev` holds
 * counts, not links. */
#define FOR_EACH_ON_LIST(x, l)                                                                     \
    for (tp_gc_head_t *x = H(LH(l)->next); x != LH(l); x = H(x->next))

/* Registered types are dense from index 1: tp_type_register takes the first
 * free slot, and only tp_gc_init empties slots, all at once. */
static size_t registered_types(void) {
    size_t n = 0;
    while (n + 1u < TP_GC_MAX_TYPES && tp_types[n + 1u] != NULL) n++;
    return n;
}

/* Traverses o to the end, or until *stop is set by `visit`. */
static void traverse_all(tp_obj_t *o, tp_visit_t visit, void *ctx, const int *stop) {
    uint32_t (*traverse)(tp_obj_t *, uint32_t, tp_visit_t, void *) = tp_type_of(o)->traverse;
    uint32_t slot = 0;
    do slot = traverse(o, slot, visit, ctx);
    while (slot != TP_TRAVERSE_DONE && !*stop);
}

/* ======================================================================
 * Objects and bytes per type
 * ====================================================================== */

size_t tp_gc_type_rows(tp_gc_type_row_t *rows, size_t max) {
    size_t n = registered_types();
    if (rows == NULL) max = 0;
    if (max > n) max = n;
    for (size_t r = 0; r < max; r++) {
        const tp_type_t *t = tp_types[r + 1u];
        rows[r] = (tp_gc_type_row_t){.type = t, .objects = t->live_objects, .bytes = t->live_bytes};
    }
    if (G.heap == NULL) return n;
    for (int l = 0; l < L_COUNT; l++) {
        FOR_EACH_ON_LIST(x, l) {
            size_t r = (size_t)x->ob.type - 1u;
            if (r < max) rows[r].tracked[column_of_list[l]]++;
        }
    }
    return n;
}

/* The tracked containers of type index `type` on each list. */
static void count_tracked(unsigned type, uint32_t tracked[TP_GC_AT_COUNT]) {
    for (int c = 0; c < TP_GC_AT_COUNT; c++) tracked[c] = 0;
    if (G.heap == NULL) return;
    for (int l = 0; l < L_COUNT; l++)
        FOR_EACH_ON_LIST(x, l) if (x->ob.type == type) tracked[column_of_list[l]]++;
}

int tp_gc_type_row(const tp_type_t *type, tp_gc_type_row_t *row) {
    if (type == NULL || row == NULL || type->index == 0 || tp_types[type->index] != type) return -1;
    *row = (tp_gc_type_row_t){.type = type, .objects = type->live_objects, .bytes = type->live_bytes};
    count_tracked(type->index, row->tracked);
    return 0;
}

/* Whether type a prints before type b: more bytes first, then by index. */
static int prints_before(unsigned a, unsigned b) {
    uint32_t ba = tp_types[a]->live_bytes, bb = tp_types[b]->live_bytes;
    return ba > bb || (ba == bb && a < b);
}

/* Heap bytes held by blocks waiting on the types' free lists. */
static size_t freelist_bytes(void) {
    size_t bytes = 0;
    for (unsigned i = 1; i < TP_GC_MAX_TYPES && tp_types[i] != NULL; i++) {
        const tp_freelist_t *fl = tp_types[i]->freelist;
        if (fl != NULL && fl->head != NULL)
            bytes += (size_t)fl->count * tp_heap_usable_size(G.heap, fl->head);
    }
    return bytes;
}

void tp_gc_print_type_stats(print_fn print) {
    if (print == NULL) return;
    if (G.heap == NULL) {
        print("gc: no heap (tp_gc_init)\n");
        return;
    }
    print("type           objects    bytes   gen0  gen1  gen2 frozen garbage  coll. untracked\n");
    /* a selection sort with no memory: each round prints the type that
     * comes next after the one printed last */
    unsigned last = 0;
    unsigned long objects = 0, bytes = 0;
    for (;;) {
        unsigned next = 0;
        for (unsigned i = 1; i < TP_GC_MAX_TYPES && tp_types[i] != NULL; i++) {
            if (tp_types[i]->live_objects == 0) continue;
            if (last != 0 && !prints_before(last, i)) continue;
            if (next == 0 || prints_before(i, next)) next = i;
        }
        if (next == 0) break;
        last = next;
        const tp_type_t *t = tp_types[next];
        objects += t->live_objects;
        bytes += t->live_bytes;
        if (!(t->flags & TP_TYPE_CONTAINER)) {
            print("%-14s %7lu %8lu\n", t->name, (unsigned long)t->live_objects,
                  (unsigned long)t->live_bytes);
            continue;
        }
        uint32_t at[TP_GC_AT_COUNT];
        count_tracked(next, at);
        uint32_t untracked = t->live_objects;
        for (int c = 0; c < TP_GC_AT_COUNT; c++) untracked -= at[c];
        print("%-14s %7lu %8lu %6lu %5lu %5lu %6lu %7lu %6lu %9lu\n", t->name,
              (unsigned long)t->live_objects, (unsigned long)t->live_bytes,
              (unsigned long)at[TP_GC_AT_GEN0], (unsigned long)at[TP_GC_AT_GEN1],
              (unsigned long)at[TP_GC_AT_GEN2], (unsigned long)at[TP_GC_AT_FROZEN],
              (unsigned long)at[TP_GC_AT_GARBAGE], (unsigned long)at[TP_GC_AT_COLLECTING],
              (unsigned long)untracked);
    }
    print("%-14s %7lu %8lu\n", "total", objects, bytes);
    tp_heap_stats_t st;
    tp_heap_stats(G.heap, &st);
    size_t heads = tp_heap_usable_size(G.heap, LH(0)); /* one block holds every list head */
    size_t fl = freelist_bytes();
    long other = (long)st.used_bytes - (long)bytes - (long)fl - (long)heads;
    print("heap in use %lu B = objects %lu + free lists %lu + collector's list heads %lu + "
          "other %ld (buffers objects own, tables, rounding up to blocks)\n",
          (unsigned long)st.used_bytes, bytes, (unsigned long)fl, (unsigned long)heads, other);
}

/* ======================================================================
 * Referrers
 * ====================================================================== */

typedef struct {
    int stop;
    const tp_obj_t *target;
} find_t;

static int visit_find(tp_obj_t *ref, void *ctx) {
    find_t *f = ctx;
    if (ref == f->target) f->stop = 1;
    return f->stop;
}

/* Whether container c holds a reference to target. */
static int holds(tp_obj_t *c, const tp_obj_t *target) {
    find_t f = {0, target};
    traverse_all(c, visit_find, &f, &f.stop);
    return f.stop;
}

size_t tp_gc_get_referrers(tp_obj_t *obj, tp_obj_t **out, size_t max) {
    if (obj == NULL || G.heap == NULL) {
        tp_gc_error("tp_gc_get_referrers: NULL object or no heap", obj);
        return 0;
    }
    if (out == NULL) max = 0;
    size_t n = 0;
    for (int l = 0; l < L_COUNT; l++) {
        FOR_EACH_ON_LIST(x, l) {
            if (tp_gc_condemned(&x->ob) || !holds(&x->ob, obj)) continue;
            if (n < max) out[n] = &x->ob;
            n++;
        }
    }
    return n;
}

/* ======================================================================
 * The chain from a root
 *
 * While it runs, `prev` of every tracked container holds first its count
 * minus the references from other tracked containers (as in the collector's
 * set-up), then its level in a breadth-first search from the roots: 1 for a
 * root, k + 1 for what a level-k container holds, 0 not reached yet.  No
 * queue is needed: each level is one walk over the lists, which also finds,
 * on the way back, the container of the previous level that holds the next
 * object of the chain.  At the end the `prev` links are rebuilt from the
 * `next` ones.
 * ====================================================================== */

typedef struct {
    int stop;
    const tp_obj_t *target;
    uint16_t target_refs; /* references to target from tracked containers */
} subtract_t;

static int visit_subtract(tp_obj_t *ref, void *ctx) {
    subtract_t *s = ctx;
    if (ref == s->target && s->target_refs < UINT16_MAX) s->target_refs++;
    /* a reference counted twice would underflow: a type moved one without
     * tp_gc_moved; the count stays 0 (the object is not a root) */
    if ((ref->flags & TP_OF_TRACKED) && GH(ref)->prev > 0) GH(ref)->prev--;
    return 0;
}

typedef struct {
    int stop;
    const tp_obj_t *target;
    uint16_t next_level;
    uint8_t reached_new; /* some container got next_level */
} level_t;

static int visit_level(tp_obj_t *ref, void *ctx) {
    level_t *lv = ctx;
    if (ref == lv->target) {
        lv->stop = 1;
    } else if ((ref->flags & TP_OF_TRACKED) && GH(ref)->prev == 0) {
        GH(ref)->prev = lv->next_level;
        lv->reached_new = 1;
    }
    return lv->stop;
}

/* The first container at `level` that holds target, or NULL. */
static tp_obj_t *holder_at_level(uint16_t level, const tp_obj_t *target) {
    for (size_t i = 0; i < N_RESTING; i++)
        FOR_EACH_ON_LIST(x, resting_lists[i])
            if (x->prev == level && holds(&x->ob, target)) return &x->ob;
    return NULL;
}

/* Searches level by level from the roots (level 1) until a container holds
 * obj; returns that container and its level in *level, or NULL. */
static tp_obj_t *search_levels(const tp_obj_t *obj, uint16_t *level) {
    level_t lv = {0, obj, 0, 0};
    for (uint16_t k = 1; k < UINT16_MAX; k++) {
        lv.next_level = (uint16_t)(k + 1u);
        lv.reached_new = 0;
        for (size_t i = 0; i < N_RESTING; i++) {
            FOR_EACH_ON_LIST(x, resting_lists[i]) {
                if (x->prev != k) continue;
                traverse_all(&x->ob, visit_level, &lv, &lv.stop);
                if (lv.stop) {
                    *level = k;
                    return &x->ob;
                }
            }
        }
        if (!lv.reached_new) break;
    }
    return NULL;
}

/* Puts back every `prev` link from the `next` ones. */
static void restore_links(void) {
    for (size_t i = 0; i < N_RESTING; i++) {
        tp_gc_head_t *s = LH(resting_lists[i]);
        uint16_t before = G.list[resting_lists[i]];
        FOR_EACH_ON_LIST(x, resting_lists[i]) {
            x->prev = before;
            before = IDX(x);
        }
        s->prev = before;
    }
}

/* The references to obj from outside the tracked containers, less the
 * caller's; leaves each tracked container's gc_refs in its `prev`. */
static unsigned external_refs(tp_obj_t *obj, unsigned caller_refs) {
    for (size_t i = 0; i < N_RESTING; i++)
        FOR_EACH_ON_LIST(x, resting_lists[i]) x->prev = x->ob.rc;
    subtract_t s = {0, obj, 0};
    for (size_t i = 0; i < N_RESTING; i++)
        FOR_EACH_ON_LIST(x, resting_lists[i]) traverse_all(&x->ob, visit_subtract, &s, &s.stop);
    unsigned outside = obj->rc > s.target_refs ? (unsigned)(obj->rc - s.target_refs) : 0u;
    return outside > caller_refs ? outside - caller_refs : 0u;
}

/* Marks the roots as level 1, everything else 0 (obj is no root whatever
 * the caller holds); returns whether there is a root. */
static int mark_roots(tp_obj_t *obj) {
    int any = 0;
    for (size_t i = 0; i < N_RESTING; i++) {
        FOR_EACH_ON_LIST(x, resting_lists[i]) {
            x->prev = x->prev > 0 && &x->ob != obj ? 1u : 0u;
            any |= x->prev;
        }
    }
    return any;
}

static tp_gc_path_status_t path_idle(tp_obj_t *obj, unsigned caller_refs, tp_obj_t **path,
                                     size_t max, size_t *len) {
    if (external_refs(obj, caller_refs) > 0) {
        *len = 1;
        return TP_GC_PATH_HELD_DIRECTLY;
    }
    uint16_t level = 0;
    tp_obj_t *holder = mark_roots(obj) ? search_levels(obj, &level) : NULL;
    if (holder == NULL) return TP_GC_PATH_UNREACHABLE;
    *len = (size_t)level + 1u;
    if (*len > max) return TP_GC_PATH_ERR_TOO_LONG;
    path[level] = obj;
    path[level - 1u] = holder;
    for (uint16_t k = (uint16_t)(level - 1u); k >= 1u; k--) path[k - 1u] = holder_at_level(k, path[k]);
    return TP_GC_PATH_FROM_ROOT;
}

tp_gc_path_status_t tp_gc_path_to_root(tp_obj_t *obj, unsigned caller_refs, tp_obj_t **path,
                                       size_t max, size_t *len) {
    size_t found = 0;
    if (len == NULL) len = &found;
    *len = 0;
    if (path == NULL) max = 0;
    if (obj == NULL || G.heap == NULL || obj->rc == 0) return TP_GC_PATH_ERR_ARG;
    if (G.in_step || G.draining) return TP_GC_PATH_ERR_BUSY;
    if (G.phase != PH_IDLE) return TP_GC_PATH_ERR_COLLECTING;
    tp_gc_path_status_t status;
    if (obj->rc == TP_RC_IMMORTAL) {
        *len = 1;
        status = TP_GC_PATH_IMMORTAL;
    } else {
        status = path_idle(obj, caller_refs, path, max, len);
        restore_links();
    }
    if (status == TP_GC_PATH_HELD_DIRECTLY || status == TP_GC_PATH_IMMORTAL) {
        if (max == 0) return TP_GC_PATH_ERR_TOO_LONG;
        path[0] = obj;
    }
    return status;
}

const char *tp_gc_path_status_name(tp_gc_path_status_t status) {
    switch (status) {
    case TP_GC_PATH_FROM_ROOT: return "held through a chain from a root";
    case TP_GC_PATH_HELD_DIRECTLY: return "held directly from outside the tracked containers";
    case TP_GC_PATH_IMMORTAL: return "immortal: never freed";
    case TP_GC_PATH_UNREACHABLE: return "unreachable: only garbage cycles hold it";
    case TP_GC_PATH_ERR_ARG: return "error: NULL or dead object, or no heap";
    case TP_GC_PATH_ERR_BUSY: return "error: called from inside the collector";
    case TP_GC_PATH_ERR_COLLECTING: return "error: a collection is in progress; finish it first";
    case TP_GC_PATH_ERR_TOO_LONG: return "error: the chain is longer than the buffer";
    }
    return "?";
}

/* ======================================================================
 * Printing a chain
 * ====================================================================== */

/* One object: type name and address, the edge that leads to it and the
 * describer's text when there is one. */
static void print_link(print_fn print, const char *lead, tp_obj_t *from, tp_obj_t *o,
                       const tp_gc_describer_t *d, const char *note) {
    char edge[24] = "", text[64] = "";
    if (d != NULL && d->edge != NULL && from != NULL && d->edge(from, o, edge, sizeof edge) == 0)
        edge[0] = '\0';
    if (d != NULL && d->object != NULL) (void)d->object(o, text, sizeof text);
    print("%s%s%s%s %p%s%s%s\n", lead, edge, edge[0] != '\0' ? " " : "", tp_type_of(o)->name,
          (void *)o, text[0] != '\0' ? "  " : "", text, note);
}

void tp_gc_print_path(tp_obj_t *obj, tp_gc_path_status_t status, tp_obj_t *const *path, size_t len,
                      print_fn print, const tp_gc_describer_t *describe) {
    if (print == NULL) return;
    if (obj == NULL || obj->rc == 0) {
        print("gc: what keeps it alive: %s\n", tp_gc_path_status_name(status));
        return;
    }
    print("gc: what keeps %s %p alive: %s\n", tp_type_of(obj)->name, (void *)obj,
          tp_gc_path_status_name(status));
    if (status != TP_GC_PATH_FROM_ROOT || path == NULL) {
        if (status == TP_GC_PATH_HELD_DIRECTLY || status == TP_GC_PATH_IMMORTAL ||
            status == TP_GC_PATH_UNREACHABLE)
            print_link(print, "  ", NULL, obj, describe, "");
        return;
    }
    for (size_t i = 0; i < len; i++)
        print_link(print, i == 0 ? "  " : "  -> ", i == 0 ? NULL : path[i - 1u], path[i], describe,
                   i == 0 ? "  (root: referenced from outside the tracked containers)" : "");
}

tp_gc_path_status_t tp_gc_print_path_to_root(tp_obj_t *obj, unsigned caller_refs, print_fn print,
                                             const tp_gc_describer_t *describe) {
    tp_obj_t *path[TP_GC_PRINT_PATH_MAX];
    size_t len = 0;
    tp_gc_path_status_t status = tp_gc_path_to_root(obj, caller_refs, path, TP_GC_PRINT_PATH_MAX, &len);
    tp_gc_print_path(obj, status, path, len, print, describe);
    if (status == TP_GC_PATH_ERR_TOO_LONG && print != NULL)
        print("  (%lu objects; TP_GC_PRINT_PATH_MAX is %u)\n", (unsigned long)len,
              (unsigned)TP_GC_PRINT_PATH_MAX);
    return status;
}
