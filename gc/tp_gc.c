/*
 * tp_gc.c - reference counting's slow paths and the incremental cycle
 * collector.  The algorithm and the barrier are described in tp_gc.h; the
 * reasoning behind each phase, and the measured pauses, in docs/gc.md.
 */
#include <string.h>

#include "tp_gc_internal.h"

/* Collector steps never run in an interrupt handler (the program's objects
 * are not interrupt-safe): on the target an allocation from a handler skips
 * the safe point.  A build may define TP_GC_IN_INTERRUPT() itself. */
#ifndef TP_GC_IN_INTERRUPT
#if defined(__arm__) && !defined(TP_HOST)
#include "critical.h"
#define TP_GC_IN_INTERRUPT() tp_in_interrupt()
#else
#define TP_GC_IN_INTERRUPT() 0
#endif
#endif

tp_gc_state_t tp_gc_state;
#define G tp_gc_state

const tp_type_t *tp_types[TP_GC_MAX_TYPES];

/* The type of the list heads (index 0). */
static uint32_t sentinel_traverse(tp_obj_t *self, uint32_t start, tp_visit_t visit, void *ctx) {
    (void)self, (void)start, (void)visit, (void)ctx;
    return TP_TRAVERSE_DONE;
}
static uint32_t sentinel_clear(tp_obj_t *self, uint32_t *budget) {
    (void)self, (void)budget;
    return 0;
}
static tp_type_t sentinel_type = {
    .name = "gc-list-head",
    .basic_size = sizeof(tp_gc_head_t),
    .flags = TP_TYPE_CONTAINER,
    .traverse = sentinel_traverse,
    .clear = sentinel_clear,
};

/* ======================================================================
 * Links and lists
 * ====================================================================== */

static void list_init(int l) {
    tp_gc_head_t *s = LH(l);
    s->next = s->prev = G.list[l];
}

static inline int list_empty(int l) { return LH(l)->next == G.list[l]; }

static inline void list_unlink(tp_gc_head_t *x) {
    H(x->prev)->next = x->next;
    H(x->next)->prev = x->prev;
}

static inline void list_push(int l, tp_gc_head_t *x) {
    tp_gc_head_t *s = LH(l);
    uint16_t xi = IDX(x);
    x->prev = s->prev;
    x->next = G.list[l];
    H(s->prev)->next = xi;
    s->prev = xi;
}

/* Moves every object of list `from` to the end of list `to`. */
static void list_splice(int to, int from) {
    if (list_empty(from)) return;
    tp_gc_head_t *t = LH(to), *f = LH(from);
    uint16_t first = f->next, last = f->prev;
    H(t->prev)->next = first;
    H(first)->prev = t->prev;
    H(last)->next = G.list[to];
    t->prev = last;
    list_init(from);
}

static size_t list_size(int l) {
    size_t n = 0;
    for (uint16_t i = LH(l)->next; i != G.list[l]; i = H(i)->next) n++;
    return n;
}

/* ======================================================================
 * Errors, types
 * ====================================================================== */

void tp_gc_error(const char *what, const tp_obj_t *o) {
    G.run.errors++;
    if (G.error_hook != NULL) G.error_hook(what, o, G.error_ctx);
}

void tp_gc_set_error_hook(tp_gc_error_hook_t hook, void *ctx) {
    G.error_hook = hook;
    G.error_ctx = ctx;
}

int tp_type_register(tp_type_t *t) {
    if (t->index != 0 && t->index < TP_GC_MAX_TYPES && tp_types[t->index] == t) return 0;
    if ((t->flags & TP_TYPE_CONTAINER) && (t->traverse == NULL || t->clear == NULL)) return -1;
    if (t->basic_size < ((t->flags & TP_TYPE_CONTAINER) ? sizeof(tp_gc_head_t) : sizeof(tp_obj_t)))
        return -1;
    for (unsigned i = 1; i < TP_GC_MAX_TYPES; i++) {
        if (tp_types[i] == NULL) {
            tp_types[i] = t;
            t->index = (uint8_t)i;
            t->live_objects = 0;
            t->live_bytes = 0;
            if (t->flags & TP_TYPE_LEGACY_FINALIZER) G.any_legacy = 1;
            return 0;
        }
    }
    return -1;
}

/* ======================================================================
 * Deallocation
 * ====================================================================== */

/* Takes a tracked object (not on the set's singly linked list) off its list,
 * keeping the collection's cursors and counts right. */
static void unlink_tracked(tp_obj_t *o) {
    tp_gc_head_t *h = GH(o);
    if (G.phase == PH_COUNT && G.cursor == IDX(h)) G.cursor = h->next;
    if (o->flags & TP_OF_WATCH) {
        G.n_white--;
        o->flags &= (uint8_t)~TP_OF_WATCH;
    }
    list_unlink(h);
    if (G.cur == o) G.cur = NULL;
}

/* Work units charged for freeing an object: a heap free and a dealloc cost
 * several times a reference visit (measured: docs/gc.md). */
#define FREE_UNITS 4u

/* A registered descriptor is a writable object (tp_type_register takes a
 * tp_type_t *): the collector keeps its index and counters in it. */
static inline tp_type_t *writable_type(const tp_type_t *t) { return (tp_type_t *)(uintptr_t)t; }

static void free_object(tp_obj_t *o) {
    const tp_type_t *t = tp_type_of(o);
    if (t->dealloc != NULL) t->dealloc(o);
    o->flags = 0;
    tp_type_t *c = writable_type(t);
    c->live_objects--;
    c->live_bytes -= (uint32_t)(t->size_of != NULL ? t->size_of(o) : t->basic_size);
    if (t->freelist != NULL)
        tp_freelist_free(G.heap, t->freelist, o);
    else
        tp_heap_free(G.heap, o);
}

/* Unwinds the deallocation stack down to `saved`: each dead container's
 * references are dropped (which may push more), then its memory freed.
 * budget NULL: no limit. */
static void drain(uint16_t saved, uint32_t *budget) {
    while (G.dead != saved) {
        if (budget != NULL && *budget == 0) return;
        tp_gc_head_t *x = H(G.dead);
        uint32_t b = budget != NULL ? *budget : UINT32_MAX;
        uint32_t rem = tp_type_of(&x->ob)->clear(&x->ob, &b);
        if (rem == 0 && G.dead == IDX(x)) {
            G.dead = x->next;
            free_object(&x->ob);
            b = b > FREE_UNITS ? b - FREE_UNITS : 0u;
        }
        if (budget != NULL) *budget = b;
    }
}

/* Drops every reference o holds, now (no budget). */
static void clear_all(tp_obj_t *o) {
    uint32_t b = UINT32_MAX;
    while (tp_type_of(o)->clear(o, &b) != 0) b = UINT32_MAX;
}

static void after_program_death(uint16_t saved) {
    G.draining = 1;
    drain(saved, NULL);
    G.draining = 0;
    if (!G.in_step && G.callbacks != NULL) tp_weak_run_callbacks();
}

void tp_obj_release(tp_obj_t *o) {
    if (o->rc == 0) {
        tp_gc_error("decref of an object whose count is already 0", o);
        return;
    }
    const tp_type_t *t = tp_type_of(o);
    if (t->finalize != NULL && !(o->flags & TP_OF_FINALIZED)) {
        o->flags |= TP_OF_FINALIZED;
        t->finalize(o); /* with the dying reference still counted */
        if (o->rc > 1u) { /* resurrected */
            if (o->rc != TP_RC_IMMORTAL) o->rc--;
            return;
        }
    }
    o->rc = 0;
    if (t->weaklist_offset != 0 && *tp_weaklist(o) != NULL) (void)tp_weak_detach(o, NULL);
    uint16_t saved = G.dead;
    int outermost = !G.draining && !G.in_step;
    if (!(t->flags & TP_TYPE_CONTAINER)) {
        free_object(o);
        if (outermost && G.callbacks != NULL) tp_weak_run_callbacks();
        return;
    }
    if (G.count[0] > 0) G.count[0]--;
    tp_gc_head_t *h = GH(o);
    if (o->flags & TP_OF_TRACKED) {
        if (o->flags & TP_OF_COUNTED) {
            /* on the set's singly linked list: it stays there as a husk
             * (references dropped now) until PH_ROOTS frees it */
            o->flags = (uint8_t)((o->flags | TP_OF_HUSK) & ~TP_OF_WATCH);
            uint8_t was = G.draining;
            G.draining = 1;
            clear_all(o);
            G.draining = was;
            if (outermost) after_program_death(saved);
            return;
        }
        unlink_tracked(o);
    }
    o->flags = (uint8_t)((o->flags & TP_OF_FINALIZED) | TP_OF_DYING);
    h->next = G.dead;
    G.dead = IDX(h);
    if (outermost) after_program_death(saved);
}

/* ======================================================================
 * The barrier
 * ====================================================================== */

/* A white object (watched, sorted) becomes grey: reachable, to traverse. */
static void grey(tp_gc_head_t *x) {
    x->ob.flags &= (uint8_t)~TP_OF_WATCH;
    G.n_white--;
    list_unlink(x);
    list_push(L_GREY, x);
}

void tp_gc_barrier(tp_obj_t *o) {
    switch (G.phase) {
    case PH_COUNT:
    case PH_SUBTRACT:
        G.run.barrier_hits++;
        o->flags = (uint8_t)((o->flags | TP_OF_DIRTY) & ~TP_OF_WATCH);
        break;
    case PH_ROOTS:
        G.run.barrier_hits++;
        if (o->flags & TP_OF_COUNTED)
            o->flags = (uint8_t)((o->flags | TP_OF_DIRTY) & ~TP_OF_WATCH);
        else
            grey(GH(o));
        break;
    case PH_MARK:
        G.run.barrier_hits++;
        grey(GH(o));
        break;
    case PH_LEGACY:
    case PH_WEAKREFS:
    case PH_FINALIZE:
    case PH_REMARK:
        /* a condemned object changed: only a finalizer can do that (weak
         * references read as dead): resurrected */
        G.run.barrier_hits++;
        G.run.resurrected++;
        grey(GH(o));
        break;
    case PH_CLEAR:
    case PH_FREE:
        /* the garbage's own references being dropped: no effect */
        break;
    default:
        o->flags &= (uint8_t)~TP_OF_WATCH;
        break;
    }
}

/* ======================================================================
 * Objects
 * ====================================================================== */

static int choose_generation(void) {
    for (int i = 2; i >= 0; i--) {
        if (G.threshold[i] == 0 || G.count[i] <= G.threshold[i]) continue;
        if (i == 2 && G.long_lived_pending < G.long_lived_total / 4u) continue;
        return i;
    }
    return -1;
}

static int step_internal(uint32_t work);

/* The safe point: a step of the collection in progress, or the start of one. */
static void safe_point(void) {
    if (G.in_step || G.draining || G.heap == NULL || TP_GC_IN_INTERRUPT()) return;
    if (G.phase == PH_IDLE) {
        if (!G.enabled) return;
        int gen = choose_generation();
        if (gen < 0) return;
        tp_gc_start(gen);
    }
    for (unsigned i = 0; i < TP_GC_STEPS_PER_ALLOC && G.phase != PH_IDLE; i++)
        (void)step_internal(TP_GC_STEP_WORK);
}

static inline tp_obj_t *new_object(const tp_type_t *t, size_t size, const void *site) {
    int container = (t->flags & TP_TYPE_CONTAINER) != 0;
    /* the size decides what the type's counters will subtract when the
     * object dies (free_object): a type without size_of has one size */
    if (size < (container ? sizeof(tp_gc_head_t) : sizeof(tp_obj_t)) || t->index == 0 ||
        tp_types[t->index] != t || size > UINT16_MAX * 8u ||
        (size != t->basic_size && t->size_of == NULL) ||
        (t->freelist != NULL && size != t->freelist->block_size)) {
        tp_gc_error("tp_gc_new: bad type or size", NULL);
        return NULL;
    }
    if (container) safe_point();
    /* the tracking build records the object under the code that made it */
    tp_obj_t *o = t->freelist != NULL ? TP_FREELIST_ALLOC_AT(G.heap, t->freelist, site)
                                      : TP_HEAP_ALLOC_AT(G.heap, size, site);
    if (o == NULL) return NULL;
    memset(o, 0, size);
    o->rc = 1;
    o->type = t->index;
    tp_type_t *c = writable_type(t);
    c->live_objects++;
    c->live_bytes += (uint32_t)size;
    if (container) G.count[0]++;
    return o;
}

tp_obj_t *tp_gc_new(const tp_type_t *t, size_t size) { return new_object(t, size, TP_CALL_SITE()); }
#if TP_ALLOC_TRACK
tp_obj_t *tp_gc_new_at(const tp_type_t *t, size_t size, const void *site) {
    return new_object(t, size, site);
}
#endif

void tp_gc_track(tp_obj_t *o) {
    if (!tp_is_container(o) || (o->flags & (TP_OF_TRACKED | TP_OF_DYING | TP_OF_HUSK))) return;
    o->flags |= TP_OF_TRACKED;
    list_push(L_GEN0, GH(o));
}

void tp_gc_untrack(tp_obj_t *o) {
    if (!(o->flags & TP_OF_TRACKED) || (o->flags & TP_OF_COUNTED)) return;
    unlink_tracked(o);
    o->flags &= (uint8_t)~TP_OF_TRACKED;
}

int tp_gc_is_tracked(const tp_obj_t *o) { return (o->flags & TP_OF_TRACKED) != 0; }
int tp_gc_is_finalized(const tp_obj_t *o) { return (o->flags & TP_OF_FINALIZED) != 0; }

typedef struct {
    tp_obj_t **out;
    size_t max, n;
} referents_t;

static int visit_referent(tp_obj_t *ref, void *ctx) {
    referents_t *r = ctx;
    if (r->n < r->max) r->out[r->n] = ref;
    r->n++;
    return 0;
}

size_t tp_gc_get_referents(tp_obj_t *o, tp_obj_t **out, size_t max) {
    if (o == NULL) {
        tp_gc_error("tp_gc_get_referents: NULL object", NULL);
        return 0;
    }
    if (!tp_is_container(o)) return 0;
    referents_t r = {out, max, 0};
    (void)tp_type_of(o)->traverse(o, 0, visit_referent, &r);
    return r.n;
}

/* ======================================================================
 * Set-up, enable, thresholds
 * ====================================================================== */

static int oom_hook(tp_heap_t *heap, size_t size, void *ctx);

int tp_gc_init(tp_heap_t *heap) {
    memset(&G, 0, sizeof G);
    for (unsigned i = 1; i < TP_GC_MAX_TYPES; i++) {
        tp_type_t *t = writable_type(tp_types[i]);
        if (t != NULL) t->index = 0;
        tp_types[i] = NULL;
    }
    tp_types[0] = &sentinel_type;
    if (heap == NULL) return -1;
    uintptr_t lo, hi;
    tp_heap_span(heap, &lo, &hi);
    lo &= ~(uintptr_t)7u;
    if (hi - lo > (uintptr_t)UINT16_MAX * 8u) return -1;
    G.base = lo;
    G.heap = heap;
    tp_gc_head_t *heads = tp_heap_alloc(heap, L_COUNT * sizeof(tp_gc_head_t));
    if (heads == NULL) {
        G.heap = NULL;
        return -1;
    }
    for (int l = 0; l < L_COUNT; l++) {
        heads[l].ob.rc = TP_RC_IMMORTAL;
        heads[l].ob.type = 0;
        heads[l].ob.flags = TP_OF_TRACKED;
        G.list[l] = IDX(&heads[l]);
        list_init(l);
    }
    G.enabled = 1;
    G.threshold[0] = TP_GC_THRESHOLD0;
    G.threshold[1] = TP_GC_THRESHOLD1;
    G.threshold[2] = TP_GC_THRESHOLD2;
    tp_heap_set_oom_hook(heap, oom_hook, NULL);
    if (tp_type_register(&tp_weakref_type) != 0) return -1;
    return 0;
}

tp_heap_t *tp_gc_heap(void) { return G.heap; }
void tp_gc_enable(void) { G.enabled = 1; }
void tp_gc_disable(void) { G.enabled = 0; }
int tp_gc_is_enabled(void) { return G.enabled; }
void tp_gc_set_debug(unsigned flags) { G.debug = flags; }
unsigned tp_gc_get_debug(void) { return G.debug; }
void tp_gc_set_print(void (*print)(const char *fmt, ...) __attribute__((format(printf, 1, 2)))) {
    G.print = print;
}

void tp_gc_get_count(unsigned counts[3]) {
    for (int i = 0; i < 3; i++) counts[i] = G.count[i];
}
void tp_gc_get_threshold(unsigned t[3]) {
    for (int i = 0; i < 3; i++) t[i] = G.threshold[i];
}
void tp_gc_set_threshold(unsigned t0, unsigned t1, unsigned t2) {
    G.threshold[0] = t0;
    G.threshold[1] = t1;
    G.threshold[2] = t2;
}

void tp_gc_get_stats(int gen, tp_gc_gen_stats_t *out) {
    if (gen < 0 || gen > 2) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = G.gen_stats[gen];
}

void tp_gc_get_run_stats(tp_gc_run_stats_t *out) {
    *out = G.run;
    uint32_t n = 0;
    for (tp_weakref_t *w = G.callbacks; w != NULL; w = w->next_cb) n++;
    out->pending_callbacks = n;
}

int tp_gc_add_callback(tp_gc_callback_t cb, void *ctx) {
    for (int i = 0; i < TP_GC_MAX_CALLBACKS; i++) {
        if (G.cb[i].fn == NULL) {
            G.cb[i].fn = cb;
            G.cb[i].ctx = ctx;
            return 0;
        }
    }
    return -1;
}

void tp_gc_remove_callback(tp_gc_callback_t cb, void *ctx) {
    for (int i = 0; i < TP_GC_MAX_CALLBACKS; i++)
        if (G.cb[i].fn == cb && G.cb[i].ctx == ctx) G.cb[i].fn = NULL;
}

static void run_callbacks(int phase) {
    tp_gc_info_t info = {G.generation, G.n_collected, G.n_uncollectable};
    uint8_t was = G.in_step;
    G.in_step = 1; /* no collection from inside a callback's allocations */
    for (int i = 0; i < TP_GC_MAX_CALLBACKS; i++)
        if (G.cb[i].fn != NULL) G.cb[i].fn(phase, &info, G.cb[i].ctx);
    G.in_step = was;
}

/* ======================================================================
 * The collection, in steps
 * ====================================================================== */

static const char *const phase_names[] = {
    "idle",     "count",  "subtract", "roots", "mark", "legacy",
    "weakrefs", "finalize", "remark", "clear", "free", "end",
};

const char *tp_gc_phase_name(void) { return phase_names[G.phase]; }
int tp_gc_in_progress(void) { return G.phase != PH_IDLE; }

void tp_gc_start(int gen) {
    if (G.phase != PH_IDLE || G.heap == NULL || gen < 0 || gen > 2) return;
    G.generation = gen;
    G.n_collected = G.n_uncollectable = G.n_survivors = 0;
    G.n_white = 0;
    run_callbacks(0);
    if ((G.debug & TP_GC_DEBUG_STATS) && G.print != NULL)
        G.print("gc: collecting generation %d (counts %u %u %u)\n", gen, G.count[0], G.count[1],
                G.count[2]);
    /* CPython's bookkeeping: the younger counts restart, the next one up
     * counts this collection */
    if (gen < 2) G.count[gen + 1]++;
    for (int i = 0; i <= gen; i++) G.count[i] = 0;
    for (int i = 0; i <= gen; i++) list_splice(L_SET, L_GEN0 + i);
    G.cursor = LH(L_SET)->next;
    G.cur = NULL;
    G.cur_slot = 0;
    G.phase = PH_COUNT;
}

typedef struct {
    uint32_t budget;
} walk_t;

static int visit_subtract(tp_obj_t *ref, void *ctx) {
    walk_t *w = ctx;
    /* a dirty object is a root whatever its count: not counted further */
    if ((ref->flags & (TP_OF_COUNTED | TP_OF_HUSK | TP_OF_DIRTY)) == TP_OF_COUNTED) {
        tp_gc_head_t *h = GH(ref);
        if (h->prev > 0) {
            h->prev--;
        } else {
            /* more references from inside than the count says: a container
             * moved one without tp_gc_moved.  Keep the object (a root). */
            ref->flags = (uint8_t)((ref->flags | TP_OF_DIRTY) & ~TP_OF_WATCH);
            tp_gc_error("reference moved without tp_gc_moved", ref);
        }
    }
    return --w->budget == 0;
}

static int visit_mark(tp_obj_t *ref, void *ctx) {
    walk_t *w = ctx;
    if (ref->flags & TP_OF_WATCH) grey(GH(ref));
    return --w->budget == 0;
}

static int visit_mark_legacy(tp_obj_t *ref, void *ctx) {
    walk_t *w = ctx;
    if (ref->flags & TP_OF_WATCH) {
        tp_gc_head_t *h = GH(ref);
        ref->flags &= (uint8_t)~TP_OF_WATCH;
        G.n_white--;
        list_unlink(h);
        list_push(L_LGREY, h);
    }
    return --w->budget == 0;
}

/* Traverses G.cur from G.cur_slot with `visit`; returns 1 when done. */
static int traverse_cur(tp_visit_t visit, walk_t *w) {
    uint32_t next = tp_type_of(G.cur)->traverse(G.cur, G.cur_slot, visit, w);
    if (next == TP_TRAVERSE_DONE) {
        G.cur_slot = 0;
        return 1;
    }
    G.cur_slot = next;
    return 0;
}

/* Marking from list `from` (grey): traversed objects go to `to`. */
static int mark_some(int from, int to, tp_visit_t visit, walk_t *w) {
    while (w->budget > 0) {
        if (G.cur == NULL) {
            if (list_empty(from)) return 1;
            G.cur = &H(LH(from)->next)->ob;
            G.cur_slot = 0;
        }
        w->budget--;
        if (w->budget == 0) return 0;
        if (traverse_cur(visit, w)) {
            tp_gc_head_t *h = GH(G.cur);
            list_unlink(h);
            list_push(to, h);
            if (to == L_BLACK) G.n_survivors++;
            G.cur = NULL;
        }
    }
    return 0;
}

static void hold(tp_obj_t *o) { o->rc = (uint16_t)(o->rc + 1u); }
static void unhold(tp_obj_t *o) {
    if (o->rc > 1u) {
        o->rc--;
        return;
    }
    tp_obj_release(o); /* the collector's was the last reference (inside a step) */
}

static void print_object(const char *what, tp_obj_t *o) {
    if (G.print != NULL) G.print("gc: %s <%s %p>\n", what, tp_type_of(o)->name, (void *)o);
}

static void phase_legacy(walk_t *w) {
    if (!G.any_legacy) {
        G.phase = PH_WEAKREFS;
        return;
    }
    if (G.legacy_pass == 0) {
        while (w->budget > 0 && !list_empty(L_WHITE)) {
            tp_gc_head_t *x = H(LH(L_WHITE)->next);
            list_unlink(x);
            if (tp_type_of(&x->ob)->flags & TP_TYPE_LEGACY_FINALIZER) {
                x->ob.flags &= (uint8_t)~TP_OF_WATCH;
                G.n_white--;
                list_push(L_LGREY, x);
            } else {
                list_push(L_DONE, x);
            }
            w->budget--;
        }
        if (!list_empty(L_WHITE)) return;
        list_splice(L_WHITE, L_DONE);
        G.legacy_pass = 1;
        G.cur = NULL;
    }
    if (!mark_some(L_LGREY, L_LEGACY, visit_mark_legacy, w)) return;
    /* everything they reach is uncollectable: gc.garbage holds it */
    while (w->budget > 0 && !list_empty(L_LEGACY)) {
        tp_gc_head_t *x = H(LH(L_LEGACY)->next);
        list_unlink(x);
        list_push(L_GARBAGE, x);
        hold(&x->ob);
        G.n_uncollectable++;
        if (G.debug & TP_GC_DEBUG_UNCOLLECTABLE) print_object("uncollectable", &x->ob);
        w->budget--;
    }
    if (!list_empty(L_LEGACY)) return;
    G.legacy_pass = 0;
    G.phase = PH_WEAKREFS;
}

static void phase_weakrefs(walk_t *w) {
    while (w->budget > 0 && !list_empty(L_WHITE)) {
        tp_gc_head_t *x = H(LH(L_WHITE)->next);
        w->budget--;
        const tp_type_t *t = tp_type_of(&x->ob);
        if (t->weaklist_offset != 0 && *tp_weaklist(&x->ob) != NULL &&
            !tp_weak_detach(&x->ob, &w->budget))
            return; /* more weak references than budget: next step */
        list_unlink(x);
        list_push(L_DONE, x);
    }
    if (!list_empty(L_WHITE)) return;
    list_splice(L_WHITE, L_DONE);
    G.phase = PH_FINALIZE;
}

static void phase_finalize(walk_t *w) {
    while (w->budget > 0 && !list_empty(L_WHITE)) {
        tp_gc_head_t *x = H(LH(L_WHITE)->next);
        list_unlink(x);
        list_push(L_DONE, x);
        w->budget--;
        const tp_type_t *t = tp_type_of(&x->ob);
        if (t->finalize != NULL && !(x->ob.flags & TP_OF_FINALIZED)) {
            x->ob.flags |= TP_OF_FINALIZED;
            hold(&x->ob);
            t->finalize(&x->ob); /* may resurrect: the barrier greys */
            unhold(&x->ob);
        }
    }
    if (!list_empty(L_WHITE)) return;
    list_splice(L_WHITE, L_DONE);
    G.cur = NULL;
    G.phase = list_empty(L_GREY) ? PH_CLEAR : PH_REMARK;
    G.clear_started = 0;
}

static void phase_clear(walk_t *w) {
    if (!G.clear_started) {
        /* what is white now is the garbage found: resurrected objects are
         * not counted (PEP 442) */
        G.clear_started = 1;
        G.n_collected = G.n_white;
        if (G.debug & TP_GC_DEBUG_COLLECTABLE) /* debug output: not bounded */
            for (uint16_t i = LH(L_WHITE)->next; i != G.list[L_WHITE]; i = H(i)->next)
                print_object("collectable", &H(i)->ob);
    }
    while (w->budget > 0) {
        if (G.cur == NULL) {
            if (list_empty(L_WHITE)) break;
            tp_gc_head_t *x = H(LH(L_WHITE)->next);
            if (G.debug & TP_GC_DEBUG_SAVEALL) {
                list_unlink(x);
                x->ob.flags &= (uint8_t)~TP_OF_WATCH;
                G.n_white--;
                list_push(L_GARBAGE, x);
                hold(&x->ob);
                w->budget--;
                continue;
            }
            G.cur = &x->ob;
            hold(G.cur);
        }
        tp_obj_t *o = G.cur;
        if (tp_type_of(o)->clear(o, &w->budget) != 0) return;
        if (w->budget > 0) w->budget--;
        /* cleared; it dies when the last reference from the garbage goes */
        G.cur = NULL;
        list_unlink(GH(o));
        list_push(L_DONE, GH(o));
        unhold(o);
    }
    if (G.cur != NULL || !list_empty(L_WHITE)) return;
    /* the garbage's deaths first: they drop the last references to the rest */
    drain(0, &w->budget);
    if (G.dead != 0) return;
    /* anything cleared but still alive was not garbage after all (a type
     * whose clear keeps references): it survives */
    while (w->budget > 0 && !list_empty(L_DONE)) {
        tp_gc_head_t *x = H(LH(L_DONE)->next);
        x->ob.flags &= (uint8_t)~TP_OF_WATCH;
        G.n_white--;
        list_unlink(x);
        list_push(L_BLACK, x);
        G.n_collected--;
        G.n_survivors++;
        w->budget--;
    }
    if (list_empty(L_DONE)) G.phase = PH_FREE;
}

static void finish(void) {
    int gen = G.generation;
    int to = gen < 2 ? L_GEN0 + gen + 1 : L_GEN2;
    list_splice(to, L_BLACK);
    list_splice(to, L_GREY);
    if (gen == 1) G.long_lived_pending += G.n_survivors;
    if (gen == 2) {
        G.long_lived_pending = 0;
        G.long_lived_total = G.n_survivors;
    }
    G.gen_stats[gen].collections++;
    G.gen_stats[gen].collected += (uint32_t)G.n_collected;
    G.gen_stats[gen].uncollectable += (uint32_t)G.n_uncollectable;
    G.phase = PH_IDLE;
    if ((G.debug & TP_GC_DEBUG_STATS) && G.print != NULL)
        G.print("gc: done, %u unreachable, %u uncollectable\n", (unsigned)G.n_collected,
                (unsigned)G.n_uncollectable);
}

/* One step of at most `work` units; returns 1 while the collection goes on. */
static int step_internal(uint32_t work) {
    if (G.phase == PH_IDLE) return 0;
    walk_t w = {work};
    G.in_step = 1;
    G.run.steps++;
    /* a collection's own deaths first: nothing below runs with them pending */
    drain(0, &w.budget);
    while (w.budget > 0 && G.phase != PH_IDLE) {
        switch (G.phase) {
        case PH_COUNT:
            while (w.budget > 0 && G.cursor != G.list[L_SET]) {
                tp_gc_head_t *x = H(G.cursor);
                x->prev = x->ob.rc;
                x->ob.flags = (uint8_t)((x->ob.flags & ~TP_OF_DIRTY) | TP_OF_WATCH | TP_OF_COUNTED);
                G.cursor = x->next;
                w.budget--;
            }
            if (G.cursor == G.list[L_SET]) {
                G.cursor = LH(L_SET)->next;
                G.cur_slot = 0;
                G.phase = PH_SUBTRACT;
            }
            break;
        case PH_SUBTRACT:
            while (w.budget > 0 && G.cursor != G.list[L_SET]) {
                tp_gc_head_t *x = H(G.cursor);
                w.budget--;
                if (w.budget == 0) break;
                G.cur = &x->ob;
                int done = (x->ob.flags & TP_OF_HUSK) || traverse_cur(visit_subtract, &w);
                G.cur = NULL;
                if (done) {
                    G.cursor = x->next;
                    G.cur_slot = 0;
                }
            }
            if (G.cursor == G.list[L_SET]) G.phase = PH_ROOTS;
            break;
        case PH_ROOTS: {
            tp_gc_head_t *s = LH(L_SET);
            while (w.budget > 0 && s->next != G.list[L_SET]) {
                tp_gc_head_t *x = H(s->next);
                s->next = x->next;
                w.budget--;
                if (x->ob.flags & TP_OF_HUSK) {
                    free_object(&x->ob);
                    w.budget = w.budget > FREE_UNITS ? w.budget - FREE_UNITS : 0u;
                    continue;
                }
                uint16_t gc_refs = x->prev;
                x->ob.flags &= (uint8_t)~TP_OF_COUNTED;
                if ((x->ob.flags & TP_OF_DIRTY) || gc_refs > 0) {
                    x->ob.flags &= (uint8_t)~(TP_OF_DIRTY | TP_OF_WATCH);
                    list_push(L_GREY, x);
                } else {
                    list_push(L_WHITE, x);
                    G.n_white++;
                }
            }
            if (s->next == G.list[L_SET]) {
                s->prev = G.list[L_SET];
                G.cur = NULL;
                G.phase = PH_MARK;
            }
            break;
        }
        case PH_MARK:
            if (mark_some(L_GREY, L_BLACK, visit_mark, &w)) G.phase = PH_LEGACY;
            break;
        case PH_LEGACY:
            phase_legacy(&w);
            break;
        case PH_WEAKREFS:
            phase_weakrefs(&w);
            break;
        case PH_FINALIZE:
            phase_finalize(&w);
            break;
        case PH_REMARK:
            if (mark_some(L_GREY, L_BLACK, visit_mark, &w)) G.phase = PH_CLEAR;
            break;
        case PH_CLEAR:
            phase_clear(&w);
            break;
        case PH_FREE:
            drain(0, &w.budget);
            if (G.dead == 0) G.phase = PH_END;
            break;
        case PH_END:
            finish();
            break;
        case PH_IDLE:
            break;
        }
    }
    uint32_t done = work - w.budget;
    if (done > G.run.max_step_work) G.run.max_step_work = done;
    G.in_step = 0;
    if (G.phase == PH_IDLE) {
        if (G.callbacks != NULL) tp_weak_run_callbacks();
        run_callbacks(1);
        return 0;
    }
    return 1;
}

int tp_gc_step(uint32_t work) {
    if (G.in_step || G.draining) return G.phase != PH_IDLE;
    /* at least 8 units: a step must get past one object's own unit */
    return step_internal(work == 0 ? TP_GC_STEP_WORK : work < 8u ? 8u : work);
}

static void finish_in_progress(void) {
    while (G.phase != PH_IDLE) (void)step_internal(UINT32_MAX);
}

size_t tp_gc_collect(int gen) {
    if (G.in_step || G.draining || G.heap == NULL) return 0;
    if (gen < 0 || gen > 2) gen = 2;
    finish_in_progress();
    tp_gc_start(gen);
    /* the stop callbacks run inside the last step: the counts are read
     * before them */
    while (G.phase != PH_IDLE) {
        if (G.phase == PH_END) {
            size_t n = G.n_collected + G.n_uncollectable;
            (void)step_internal(UINT32_MAX);
            return n;
        }
        (void)step_internal(UINT32_MAX);
    }
    return G.n_collected + G.n_uncollectable;
}

/* Out of memory: finish the collection in progress, or run a full one; ask
 * for a retry when that freed memory. */
static int oom_hook(tp_heap_t *heap, size_t size, void *ctx) {
    (void)size, (void)ctx;
    if (G.in_step || G.draining || G.in_oom || heap != G.heap) return 0;
    G.in_oom = 1;
    tp_heap_stats_t before, after;
    tp_heap_stats(heap, &before);
    /* the types' private free lists first: blocks nobody uses */
    for (unsigned i = 1; i < TP_GC_MAX_TYPES; i++)
        if (tp_types[i] != NULL && tp_types[i]->freelist != NULL)
            tp_freelist_drain(heap, tp_types[i]->freelist);
    if (G.phase != PH_IDLE)
        finish_in_progress();
    else
        (void)tp_gc_collect(2);
    tp_heap_stats(heap, &after);
    G.in_oom = 0;
    return after.used_bytes < before.used_bytes;
}

/* ======================================================================
 * freeze, garbage
 * ====================================================================== */

void tp_gc_freeze(void) {
    if (G.heap == NULL || G.in_step) return;
    finish_in_progress();
    for (int i = 0; i < 3; i++) list_splice(L_PERM, L_GEN0 + i);
}

void tp_gc_unfreeze(void) {
    if (G.heap == NULL || G.in_step) return;
    finish_in_progress();
    list_splice(L_GEN2, L_PERM);
}

size_t tp_gc_get_freeze_count(void) { return G.heap == NULL ? 0 : list_size(L_PERM); }

static size_t list_objects(int l, tp_obj_t **out, size_t max) {
    size_t n = 0;
    for (uint16_t i = LH(l)->next; i != G.list[l]; i = H(i)->next) {
        if (n < max) out[n] = &H(i)->ob;
        n++;
    }
    return n;
}

size_t tp_gc_get_objects(int gen, tp_obj_t **out, size_t max) {
    static const int lists[] = {L_GEN0, L_GEN1, L_GEN2, L_PERM, L_GARBAGE};
    if (G.heap == NULL || gen < 0 || gen > 4) return 0;
    return list_objects(lists[gen], out, max);
}

size_t tp_gc_garbage(tp_obj_t **out, size_t max) {
    return G.heap == NULL ? 0 : list_objects(L_GARBAGE, out, max);
}

void tp_gc_garbage_clear(void) {
    if (G.heap == NULL || G.in_step) return;
    finish_in_progress();
    while (!list_empty(L_GARBAGE)) {
        tp_gc_head_t *x = H(LH(L_GARBAGE)->next);
        list_unlink(x);
        list_push(L_GEN2, x);
        tp_decref(&x->ob);
    }
}
