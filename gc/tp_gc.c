// SPDX-License-Identifier: MIT
/*
 * tp_gc.c - the gc module (tp_gc.h): set-up and the type registry, and the
 * public configuration and queries - enable, thresholds, pacing settings,
 * hooks, statistics, freeze, gc.garbage.  The collector itself is in
 * tp_gc_collect.c, allocation and pacing in tp_gc_alloc.c, reference
 * counting's slow path in tp_gc_refcount.c.
 */
#include <string.h>

#include "tp_gc_internal.h"

tp_gc_state_t tp_gc_state;

/* ======================================================================
 * Set-up: the heap and the type registry
 * ====================================================================== */

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
            if (t->flags & TP_TYPE_LEGACY_FINALIZER) tp_gc_state.any_legacy = 1;
            return 0;
        }
    }
    return -1;
}

int tp_gc_init(tp_heap_t *heap) {
    memset(&tp_gc_state, 0, sizeof tp_gc_state);
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
    if (hi - lo > (uintptr_t)TP_GC_MAX_HEAP_BYTES) {
        tp_port_print("tp_gc_init: the heap spans %lu bytes, more than the collector's %lu "
                      "(TP_GC_MAX_HEAP_BYTES): give it a sub-heap of at most that\n",
                      (unsigned long)(hi - lo), (unsigned long)TP_GC_MAX_HEAP_BYTES);
        return -1;
    }
    tp_gc_state.base = lo;
    tp_gc_state.heap = heap;
    tp_gc_head_t *heads = tp_heap_alloc(heap, L_COUNT * sizeof(tp_gc_head_t));
    if (heads == NULL) {
        tp_gc_state.heap = NULL;
        return -1;
    }
    for (int l = 0; l < L_COUNT; l++) {
        heads[l].ob.rc = TP_RC_IMMORTAL;
        heads[l].ob.type = 0;
        heads[l].ob.flags = TP_OF_TRACKED;
        tp_gc_state.list[l] = link_of(&heads[l]);
        list_init(l);
    }
    tp_gc_state.enabled = 1;
    tp_gc_state.threshold[0] = TP_GC_THRESHOLD0;
    tp_gc_state.threshold[1] = TP_GC_THRESHOLD1;
    tp_gc_state.threshold[2] = TP_GC_THRESHOLD2;
    tp_gc_state.pacing.full_trigger_pct = TP_GC_FULL_TRIGGER_PCT;
    tp_gc_state.pacing.young_permille = TP_GC_YOUNG_PERMILLE;
    tp_gc_state.pacing.work_per_kib = TP_GC_WORK_PER_KIB;
    tp_gc_state.pacing.call_work = TP_GC_CALL_WORK;
    tp_gc_state.capacity = tp_heap_capacity(heap);
    tp_gc_state.young_base = 0;
    tp_gc_set_full_trigger();
    tp_heap_set_oom_hook(heap, tp_gc_oom_hook, NULL);
    if (tp_type_register(&tp_weakref_type) != 0) return -1;
    return 0;
}

tp_heap_t *tp_gc_heap(void) { return tp_gc_state.heap; }

/* ======================================================================
 * Errors and hooks
 * ====================================================================== */

void tp_gc_set_error_hook(tp_gc_error_hook_t hook, void *ctx) {
    tp_gc_state.error_hook = hook;
    tp_gc_state.error_ctx = ctx;
}

void tp_gc_error(const char *what, const tp_obj_t *o) {
    tp_gc_state.run.errors++;
    if (tp_gc_state.error_hook != NULL) tp_gc_state.error_hook(what, o, tp_gc_state.error_ctx);
}

void tp_gc_set_nomem_hook(tp_gc_nomem_hook_t hook, void *ctx) {
    tp_gc_state.nomem_hook = hook;
    tp_gc_state.nomem_ctx = ctx;
}

/* ======================================================================
 * The gc module: enable, thresholds, pacing, statistics, callbacks
 * ====================================================================== */

void tp_gc_enable(void) { tp_gc_state.enabled = 1; }
void tp_gc_disable(void) { tp_gc_state.enabled = 0; }
int tp_gc_is_enabled(void) { return tp_gc_state.enabled; }
void tp_gc_set_debug(unsigned flags) { tp_gc_state.debug = flags; }
unsigned tp_gc_get_debug(void) { return tp_gc_state.debug; }
void tp_gc_set_print(tp_print_fn print) { tp_gc_state.print = print; }

void tp_gc_get_count(unsigned counts[3]) {
    if (counts == NULL) {
        tp_gc_error("tp_gc_get_count: NULL output", NULL);
        return;
    }
    for (int i = 0; i < 3; i++) counts[i] = tp_gc_state.count[i];
}
void tp_gc_get_threshold(unsigned t[3]) {
    if (t == NULL) {
        tp_gc_error("tp_gc_get_threshold: NULL output", NULL);
        return;
    }
    for (int i = 0; i < 3; i++) t[i] = tp_gc_state.threshold[i];
}
void tp_gc_set_threshold(unsigned t0, unsigned t1, unsigned t2) {
    tp_gc_state.threshold[0] = t0;
    tp_gc_state.threshold[1] = t1;
    tp_gc_state.threshold[2] = t2;
}

void tp_gc_get_pacing(tp_gc_pacing_t *out) {
    if (out != NULL) *out = tp_gc_state.pacing;
}

int tp_gc_set_pacing(const tp_gc_pacing_t *p) {
    if (p == NULL || p->full_trigger_pct < 1u || p->full_trigger_pct > 100u ||
        p->young_permille < 1u || p->young_permille > 1000u || p->work_per_kib < 1u ||
        p->work_per_kib > 65535u || p->call_work < TP_GC_STEP_WORK || p->call_work > 65535u)
        return -1;
    tp_gc_state.pacing = *p;
    if (tp_gc_state.heap != NULL) tp_gc_set_full_trigger();
    return 0;
}

void tp_gc_set_pacing_hook(tp_gc_pacing_hook_t hook, void *ctx) {
    tp_gc_state.pacing_hook = hook;
    tp_gc_state.pacing_ctx = ctx;
}

void tp_gc_set_probe(tp_gc_probe_t p, void *ctx) {
    tp_gc_state.probe = p;
    tp_gc_state.probe_ctx = ctx;
}

void tp_gc_get_stats(int gen, tp_gc_gen_stats_t *out) {
    if (out == NULL) {
        tp_gc_error("tp_gc_get_stats: NULL output", NULL);
        return;
    }
    if (gen < 0 || gen > 2) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = tp_gc_state.gen_stats[gen];
}

void tp_gc_get_run_stats(tp_gc_run_stats_t *out) {
    if (out == NULL) {
        tp_gc_error("tp_gc_get_run_stats: NULL output", NULL);
        return;
    }
    *out = tp_gc_state.run;
    out->obj_bytes = (uint32_t)tp_gc_state.obj_bytes;
    uint32_t n = 0;
    for (tp_weakref_t *w = tp_gc_state.callbacks; w != NULL; w = w->next_cb) n++;
    out->pending_callbacks = n;
}

int tp_gc_add_callback(tp_gc_callback_t cb, void *ctx) {
    for (int i = 0; i < TP_GC_MAX_CALLBACKS; i++) {
        if (tp_gc_state.cb[i].fn == NULL) {
            tp_gc_state.cb[i].fn = cb;
            tp_gc_state.cb[i].ctx = ctx;
            return 0;
        }
    }
    return -1;
}

void tp_gc_remove_callback(tp_gc_callback_t cb, void *ctx) {
    for (int i = 0; i < TP_GC_MAX_CALLBACKS; i++)
        if (tp_gc_state.cb[i].fn == cb && tp_gc_state.cb[i].ctx == ctx) tp_gc_state.cb[i].fn = NULL;
}
static const char *const phase_names[] = {
    "idle",     "count",    "subtract", "roots",    "mark",   "legacy",
    "weakrefs", "finalize", "recount",  "resubtract", "reroots", "remark",
    "clear",    "free",     "end",
};
_Static_assert(sizeof phase_names / sizeof phase_names[0] == PH_END + 1,
               "a name for every phase");

const char *tp_gc_phase_name(void) { return phase_names[tp_gc_state.phase]; }
int tp_gc_in_progress(void) { return tp_gc_state.phase != PH_IDLE; }

/* ======================================================================
 * Objects
 * ====================================================================== */

int tp_gc_is_tracked(const tp_obj_t *o) {
    if (o == NULL) {
        tp_gc_error("tp_gc_is_tracked: NULL object", NULL);
        return 0;
    }
    return (o->flags & TP_OF_TRACKED) != 0;
}
int tp_gc_is_finalized(const tp_obj_t *o) {
    if (o == NULL) {
        tp_gc_error("tp_gc_is_finalized: NULL object", NULL);
        return 0;
    }
    return (o->flags & TP_OF_FINALIZED) != 0;
}

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

static size_t list_size(int l) {
    size_t n = 0;
    for (uint16_t i = list_head(l)->next; i != tp_gc_state.list[l]; i = head_at(i)->next) n++;
    return n;
}

/* ======================================================================
 * freeze, garbage
 * ====================================================================== */

/* Refused from a finalizer or callback that runs while deaths are being
 * unwound or a safe point works (a half-cleared object is in use there). */
static inline int busy(void) {
    return tp_gc_state.in_step || tp_gc_state.draining || tp_gc_state.in_pay;
}

void tp_gc_freeze(void) {
    if (tp_gc_state.heap == NULL || busy()) return;
    tp_gc_finish_in_progress();
    for (int i = 0; i < 3; i++) list_splice(L_PERM, L_GEN0 + i);
}

void tp_gc_unfreeze(void) {
    if (tp_gc_state.heap == NULL || busy()) return;
    tp_gc_finish_in_progress();
    list_splice(L_GEN2, L_PERM);
}

size_t tp_gc_get_freeze_count(void) { return tp_gc_state.heap == NULL ? 0 : list_size(L_PERM); }

static size_t list_objects(int l, tp_obj_t **out, size_t max) {
    size_t n = 0;
    for (uint16_t i = list_head(l)->next; i != tp_gc_state.list[l]; i = head_at(i)->next) {
        if (n < max) out[n] = &head_at(i)->ob;
        n++;
    }
    return n;
}

size_t tp_gc_get_objects(int gen, tp_obj_t **out, size_t max) {
    static const int lists[] = {L_GEN0, L_GEN1, L_GEN2, L_PERM, L_GARBAGE};
    if (tp_gc_state.heap == NULL || gen < 0 || gen > 4) return 0;
    return list_objects(lists[gen], out, max);
}

size_t tp_gc_garbage(tp_obj_t **out, size_t max) {
    return tp_gc_state.heap == NULL ? 0 : list_objects(L_GARBAGE, out, max);
}

void tp_gc_garbage_clear(void) {
    if (tp_gc_state.heap == NULL || busy()) return;
    tp_gc_finish_in_progress();
    while (!list_empty(L_GARBAGE)) {
        tp_gc_head_t *x = head_at(list_head(L_GARBAGE)->next);
        list_unlink(x);
        list_push(L_GEN2, x);
        tp_decref(&x->ob);
    }
}
