// SPDX-License-Identifier: MIT
/*
 * tp_gc_inspect.c - objects per type, referrers, the chain from a root
 * (tp_gc_inspect.h).  Everything here reads the collector's lists; only
 * tp_gc_path_to_root writes, to the `prev` links, and only while no
 * collection is in progress.
 */
#include "tp_gc_inspect.h"

#include "tp_gc_internal.h"

/* The column of tp_gc_type_row_t.tracked each list counts in. */
static const uint8_t column_of_list[L_COUNT] = {
    [L_GEN0] = TP_GC_AT_GEN0,          [L_GEN1] = TP_GC_AT_GEN1,
    [L_GEN2] = TP_GC_AT_GEN2,          [L_PERM] = TP_GC_AT_FROZEN,
    [L_GARBAGE] = TP_GC_AT_GARBAGE,    [L_SET] = TP_GC_AT_COLLECTING,
    [L_GREY] = TP_GC_AT_COLLECTING,    [L_BLACK] = TP_GC_AT_COLLECTING,
    [L_WHITE] = TP_GC_AT_COLLECTING,   [L_DONE] = TP_GC_AT_COLLECTING,
    [L_LGREY] = TP_GC_AT_COLLECTING,   [L_LEGACY] = TP_GC_AT_COLLECTING,
};

/* Calls fn for every tracked container, list by list, until fn returns
 * non-zero.  It follows `next` only: during a collection's set-up, and
 * while tp_gc_path_to_root runs, `prev` holds counts.  fn may change
 * `prev`, never `next`. */
typedef int (*each_fn)(tp_gc_head_t *x, int list, void *ctx);
static void each_tracked(each_fn fn, void *ctx) {
    if (tp_gc_state.heap == NULL) return;
    for (int l = 0; l < L_COUNT; l++)
        for (tp_gc_head_t *x = head_at(list_head(l)->next); x != list_head(l); x = head_at(x->next))
            if (fn(x, l, ctx)) return;
}

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

static void fill_row(tp_gc_type_row_t *row, const tp_type_t *t) {
    *row = (tp_gc_type_row_t){.type = t, .objects = t->live_objects, .bytes = t->live_bytes};
}

/* Counts tracked containers into rows: rows[index - 1] for every type, or
 * rows[0] for the one type `only` when it is not 0. */
typedef struct {
    tp_gc_type_row_t *rows;
    size_t n;
    unsigned only;
} tally_t;

static int tally(tp_gc_head_t *x, int list, void *ctx) {
    tally_t *t = ctx;
    size_t r = t->only == 0 ? (size_t)x->ob.type - 1u : x->ob.type == t->only ? 0u : SIZE_MAX;
    if (r < t->n) t->rows[r].tracked[column_of_list[list]]++;
    return 0;
}

size_t tp_gc_type_rows(tp_gc_type_row_t *rows, size_t max) {
    size_t n = registered_types();
    tally_t t = {rows, rows == NULL ? 0u : max < n ? max : n, 0};
    for (size_t r = 0; r < t.n; r++) fill_row(&rows[r], tp_types[r + 1u]);
    each_tracked(tally, &t);
    return n;
}

int tp_gc_type_row(const tp_type_t *type, tp_gc_type_row_t *row) {
    if (type == NULL || row == NULL || type->index == 0 || tp_types[type->index] != type) return -1;
    fill_row(row, type);
    tally_t t = {row, 1, type->index};
    each_tracked(tally, &t);
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
            bytes += (size_t)fl->count * tp_heap_usable_size(tp_gc_state.heap, fl->head);
    }
    return bytes;
}

void tp_gc_print_type_stats(tp_print_fn print) {
    if (print == NULL) return;
    if (tp_gc_state.heap == NULL) {
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
        tp_gc_type_row_t row;
        (void)tp_gc_type_row(t, &row);
        const uint32_t *at = row.tracked;
        uint32_t untracked = row.objects;
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
    tp_heap_stats(tp_gc_state.heap, &st);
    size_t heads =
        tp_heap_usable_size(tp_gc_state.heap, list_head(0)); /* one block holds every list head */
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

typedef struct {
    const tp_obj_t *target;
    tp_obj_t **out;
    size_t max, n;
} referrers_t;

static int add_referrer(tp_gc_head_t *x, int list, void *ctx) {
    referrers_t *r = ctx;
    (void)list;
    if (tp_gc_condemned(&x->ob) || !holds(&x->ob, r->target)) return 0;
    if (r->n < r->max) r->out[r->n] = &x->ob;
    r->n++;
    return 0;
}

size_t tp_gc_get_referrers(tp_obj_t *obj, tp_obj_t **out, size_t max) {
    if (obj == NULL || tp_gc_state.heap == NULL) {
        tp_gc_error("tp_gc_get_referrers: NULL object or no heap", obj);
        return 0;
    }
    referrers_t r = {obj, out, out == NULL ? 0u : max, 0};
    each_tracked(add_referrer, &r);
    return r.n;
}

/* ======================================================================
 * The chain from a root
 *
 * While it runs, `prev` of every tracked container holds first its count
 * minus the references from other tracked containers (as in the collector's
 * set-up), then its level in a breadth-first search from the roots: 1 for a
 * root, k + 1 for what a level-k container holds, 0 not reached yet.  No
 * queue is needed: each level is one walk over the lists, which also finds,
 * on the way back, the container of the level before that holds the next
 * object of the chain.  At the end the `prev` links are rebuilt from the
 * `next` ones.  It runs only while no collection is in progress: then every
 * tracked container is on a list of its generation, the frozen one or
 * gc.garbage, and a container marked TRACKED is one of them.
 * ====================================================================== */

/* The `prev` link of a tracked container, borrowed by the search: only
 * while no collection is in progress, when no container's `prev` holds
 * gc_refs (tp_gc_internal.h) and nothing else runs. */
static inline uint16_t borrowed(const tp_gc_head_t *x) {
    TP_ASSERT(tp_gc_state.phase == PH_IDLE);
    return x->prev;
}

static inline void set_borrowed(tp_gc_head_t *x, uint16_t value) {
    TP_ASSERT(tp_gc_state.phase == PH_IDLE);
    x->prev = value;
}

typedef struct {
    int stop;                  /* set by a visit: the traversal ends */
    const tp_obj_t *target;    /* the object whose holder is sought */
    tp_obj_t *found;           /* a container of `level` that holds target */
    uint16_t level;            /* the level being walked */
    uint16_t target_refs;      /* references to target from tracked containers */
    uint8_t reached;           /* a container got level + 1 in this walk */
    uint8_t any_root;
    uint16_t before[L_COUNT];  /* rebuilding the links: the last seen per list */
} search_t;
/* Levels and counts are kept in the borrowed links. */
_Static_assert(sizeof(((search_t *)0)->level) == sizeof(((tp_gc_head_t *)0)->prev),
               "a level fits a link");

static int take_count(tp_gc_head_t *x, int list, void *ctx) {
    (void)list, (void)ctx;
    set_borrowed(x, x->ob.rc);
    return 0;
}

static int visit_subtract(tp_obj_t *ref, void *ctx) {
    search_t *s = ctx;
    if (ref == s->target && s->target_refs < UINT16_MAX) s->target_refs++;
    /* a reference counted twice would underflow: a type moved one without
     * tp_gc_moved; the count stays 0 (the object is not a root) */
    if ((ref->flags & TP_OF_TRACKED) && borrowed(head_of(ref)) > 0)
        set_borrowed(head_of(ref), (uint16_t)(borrowed(head_of(ref)) - 1u));
    return 0;
}

static int subtract_refs(tp_gc_head_t *x, int list, void *ctx) {
    (void)list;
    traverse_all(&x->ob, visit_subtract, ctx, &((search_t *)ctx)->stop);
    return 0;
}

/* Roots get level 1 and the rest 0; the target is no root whatever the
 * caller holds. */
static int mark_root(tp_gc_head_t *x, int list, void *ctx) {
    search_t *s = ctx;
    (void)list;
    uint16_t level = borrowed(x) > 0 && &x->ob != s->target ? 1u : 0u;
    set_borrowed(x, level);
    s->any_root |= (uint8_t)level;
    return 0;
}

static int visit_level(tp_obj_t *ref, void *ctx) {
    search_t *s = ctx;
    if (ref == s->target) {
        s->stop = 1;
    } else if ((ref->flags & TP_OF_TRACKED) && borrowed(head_of(ref)) == 0) {
        set_borrowed(head_of(ref), (uint16_t)(s->level + 1u));
        s->reached = 1;
    }
    return s->stop;
}

/* Traverses the containers of `level`, giving level + 1 to what they reach
 * first; stops at one that holds the target. */
static int walk_level(tp_gc_head_t *x, int list, void *ctx) {
    search_t *s = ctx;
    (void)list;
    if (borrowed(x) != s->level) return 0;
    traverse_all(&x->ob, visit_level, s, &s->stop);
    if (s->stop) s->found = &x->ob;
    return s->stop;
}

static int find_holder(tp_gc_head_t *x, int list, void *ctx) {
    search_t *s = ctx;
    (void)list;
    if (borrowed(x) != s->level || !holds(&x->ob, s->target)) return 0;
    s->found = &x->ob;
    return 1;
}

static int relink(tp_gc_head_t *x, int list, void *ctx) {
    search_t *s = ctx;
    set_borrowed(x, s->before[list]); /* the link again */
    s->before[list] = link_of(x);
    return 0;
}

/* Puts back every `prev` link from the `next` ones. */
static void restore_links(search_t *s) {
    for (int l = 0; l < L_COUNT; l++) s->before[l] = tp_gc_state.list[l];
    each_tracked(relink, s);
    for (int l = 0; l < L_COUNT; l++) list_head(l)->prev = s->before[l];
}

static tp_gc_path_status_t search(search_t *s, tp_obj_t *obj, unsigned caller_refs,
                                  tp_obj_t **path, size_t max, size_t *len) {
    each_tracked(take_count, s);
    each_tracked(subtract_refs, s);
    unsigned outside = obj->rc > s->target_refs ? (unsigned)(obj->rc - s->target_refs) : 0u;
    if (outside > caller_refs) {
        *len = 1;
        return TP_GC_PATH_HELD_DIRECTLY;
    }
    each_tracked(mark_root, s);
    if (!s->any_root) return TP_GC_PATH_UNREACHABLE;
    for (s->level = 1; s->found == NULL; s->level++) {
        s->reached = 0;
        each_tracked(walk_level, s);
        if (s->found == NULL && (!s->reached || s->level == UINT16_MAX - 1u))
            return TP_GC_PATH_UNREACHABLE;
    }
    size_t levels = (size_t)s->level - 1u; /* the loop stepped past the level found */
    *len = levels + 1u;
    if (*len > max) return TP_GC_PATH_ERR_TOO_LONG;
    path[levels] = obj;
    for (size_t k = levels; k >= 1u; k--) { /* back from obj: a holder one level up */
        s->target = path[k];
        s->level = (uint16_t)k;
        s->found = NULL;
        each_tracked(find_holder, s);
        path[k - 1u] = s->found;
    }
    return TP_GC_PATH_FROM_ROOT;
}

tp_gc_path_status_t tp_gc_path_to_root(tp_obj_t *obj, unsigned caller_refs, tp_obj_t **path,
                                       size_t max, size_t *len) {
    size_t found = 0;
    if (len == NULL) len = &found;
    *len = 0;
    if (path == NULL) max = 0;
    if (obj == NULL || tp_gc_state.heap == NULL || obj->rc == 0) return TP_GC_PATH_ERR_ARG;
    if (tp_gc_state.in_step || tp_gc_state.draining) return TP_GC_PATH_ERR_BUSY;
    if (tp_gc_state.phase != PH_IDLE) return TP_GC_PATH_ERR_COLLECTING;
    tp_gc_path_status_t status;
    if (obj->rc == TP_RC_IMMORTAL) {
        *len = 1;
        status = TP_GC_PATH_IMMORTAL;
    } else {
        search_t s = {.target = obj};
        status = search(&s, obj, caller_refs, path, max, len);
        restore_links(&s);
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
static void print_link(tp_print_fn print, const char *lead, tp_obj_t *from, tp_obj_t *o,
                       const tp_gc_describer_t *d, const char *note) {
    char edge[24] = "", text[64] = "";
    if (d != NULL && d->edge != NULL && from != NULL && d->edge(from, o, edge, sizeof edge) == 0)
        edge[0] = '\0';
    if (d != NULL && d->object != NULL) (void)d->object(o, text, sizeof text);
    print("%s%s%s%s %p%s%s%s\n", lead, edge, edge[0] != '\0' ? " " : "", tp_type_of(o)->name,
          (void *)o, text[0] != '\0' ? "  " : "", text, note);
}

void tp_gc_print_path(tp_obj_t *obj, tp_gc_path_status_t status, tp_obj_t *const *path, size_t len,
                      tp_print_fn print, const tp_gc_describer_t *describe) {
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

tp_gc_path_status_t tp_gc_print_path_to_root(tp_obj_t *obj, unsigned caller_refs, tp_print_fn print,
                                             const tp_gc_describer_t *describe) {
    tp_obj_t *path[TP_GC_PRINT_PATH_MAX];
    size_t len = 0;
    tp_gc_path_status_t status =
        tp_gc_path_to_root(obj, caller_refs, path, TP_GC_PRINT_PATH_MAX, &len);
    tp_gc_print_path(obj, status, path, len, print, describe);
    if (status == TP_GC_PATH_ERR_TOO_LONG && print != NULL)
        print("  (%lu objects; TP_GC_PRINT_PATH_MAX is %u)\n", (unsigned long)len,
              (unsigned)TP_GC_PRINT_PATH_MAX);
    return status;
}
