/*
 * tp_gc.c - reference counting's slow paths and the incremental cycle
 * collector.  The algorithm and the barrier are described in tp_gc.h; the
 * reasoning behind each phase, and the measured pauses, in docs/gc.md.
 */
#include <limits.h>
#include <string.h>

#include "tp_gc_internal.h"
#include "tp_port.h"

/* Collector steps never run in an interrupt handler (the program's objects
 * are not interrupt-safe): on the target an allocation from a handler skips
 * the safe point.  A build may define TP_GC_IN_INTERRUPT() itself. */
#ifndef TP_GC_IN_INTERRUPT
#define TP_GC_IN_INTERRUPT() tp_port_in_interrupt()
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
    if ((G.phase == PH_COUNT || G.phase == PH_RECOUNT) && G.cursor == IDX(h)) G.cursor = h->next;
    if (o->flags & TP_OF_WATCH) {
        /* while the white objects are recounted, they are not counted white */
        if (G.phase != PH_RECOUNT) G.n_white--;
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

static inline uint32_t object_bytes(const tp_obj_t *o) {
    const tp_type_t *t = tp_type_of(o);
    return (uint32_t)(t->size_of != NULL ? t->size_of(o) : t->basic_size);
}

static void free_object(tp_obj_t *o) {
    const tp_type_t *t = tp_type_of(o);
    uint32_t bytes = object_bytes(o);
    /* what the free costs, in units: the block, and the buffers dealloc
     * frees (a heap free each), charged at once to the budget of the work
     * in progress (a clear that frees atoms sees its budget shrink) */
    if (G.charge_to != NULL) {
        uint32_t c = t->dealloc != NULL ? 2u * FREE_UNITS : FREE_UNITS;
        *G.charge_to = *G.charge_to > c ? *G.charge_to - c : 0u;
    }
    if (t->dealloc != NULL) t->dealloc(o);
    o->flags = 0;
    tp_type_t *c = writable_type(t);
    c->live_objects--;
    c->live_bytes -= bytes;
    G.obj_bytes -= bytes;
    if (t->freelist != NULL)
        tp_freelist_free(G.heap, t->freelist, o);
    else
        tp_heap_free(G.heap, o);
}

/* A dead container onto the deallocation stack (through its `next` link):
 * its references are dropped and its memory freed by drain, a budget at a
 * time.  Pending deaths are counted (tp_gc_get_run_stats). */
static void count_pending(const tp_obj_t *o) {
    G.run.pending_objects++;
    G.run.pending_bytes += object_bytes(o);
}

static void push_dead(tp_gc_head_t *h) {
    /* a husk was counted pending when it died */
    if (!(h->ob.flags & TP_OF_HUSK)) count_pending(&h->ob);
    h->ob.flags = (uint8_t)((h->ob.flags & TP_OF_FINALIZED) | TP_OF_DYING);
    h->next = G.dead;
    G.dead = IDX(h);
}

/* Unwinds the deallocation stack (from its top, the newest deaths): each
 * dead container's references are dropped (which may push more), then its
 * memory freed; stops when *budget units are spent. */
/* Runs clear(o) with *budget, frees charged to it as they happen. */
static uint32_t clear_charged(tp_obj_t *o, uint32_t *budget) {
    uint32_t *was = G.charge_to;
    G.charge_to = budget;
    uint32_t rem = tp_type_of(o)->clear(o, budget);
    G.charge_to = was;
    return rem;
}

static void drain(uint32_t *budget) {
    uint32_t *was = G.charge_to;
    G.charge_to = budget;
    while (G.dead != 0 && *budget > 0) {
        /* popped first: the deaths its clear causes are pushed above it,
         * and it is freed as soon as its own references are dropped */
        tp_gc_head_t *x = H(G.dead);
        G.dead = x->next;
        if (tp_type_of(&x->ob)->clear(&x->ob, budget) != 0) {
            x->next = G.dead; /* budget spent: back on top, resumed next time */
            G.dead = IDX(x);
            break;
        }
        G.run.pending_objects--;
        G.run.pending_bytes -= object_bytes(&x->ob);
        free_object(&x->ob); /* charged */
    }
    G.charge_to = was;
}

static inline void probe(int kind, int begin) {
    if (G.probe != NULL) G.probe(kind, begin, G.probe_ctx);
}

/* Freeing inside a collection's step (dropping the garbage's references,
 * freeing what died): the work refcounting does for acyclic garbage, told
 * apart by the probe.  Slices may nest; the outermost is the probe's. */
static void free_slice(int begin) {
    if (begin ? G.in_free++ == 0 : --G.in_free == 0) probe(TP_GC_WORK_FREE, begin);
}

static void drain_in_step(uint32_t *budget) {
    if (G.dead == 0) return;
    free_slice(1);
    drain(budget);
    free_slice(0);
}

static inline void note_work(uint32_t *max, uint32_t done) {
    if (done > *max) *max = done;
    G.run.work_total += done;
}

/* The last decref of a container, outside the collector: at most
 * TP_GC_CALL_WORK units of freeing now; the rest stays pending, for the
 * next safe points (bounded deallocation). */
static void after_program_death(void) {
    probe(TP_GC_WORK_DECREF, 1);
    uint32_t budget = G.pacing.call_work;
    G.draining = 1;
    drain(&budget);
    G.draining = 0;
    note_work(&G.run.max_work_decref, G.pacing.call_work - budget);
    probe(TP_GC_WORK_DECREF, 0);
    if (!G.in_step && !G.no_user && G.callbacks != NULL) tp_weak_run_callbacks(TP_WEAK_CALLBACKS_PER_CALL);
}

/* A death whose finalizer may not run here (inside an allocation): the
 * object keeps count 1, owned by the queue, until the next safe point.
 * Returns 0 when the queue is full: the out-of-memory pass leaves room for
 * two deaths per unit of its work (a unit may drop a dict entry's key and
 * value), so that is reported as an error if it ever happens. */
static int defer_finalizer(tp_obj_t *o) {
    if (G.ndeferred >= TP_GC_DEFERRED_MAX) {
        tp_gc_error("deferred finalizers: queue full, a finalizer runs inside an allocation", o);
        return 0;
    }
    G.deferred[G.ndeferred++] = o;
    G.run.deferred_finalizers = G.ndeferred;
    return 1;
}

void tp_obj_release(tp_obj_t *o) {
    if (o->rc == 0) {
        tp_gc_error("decref of an object whose count is already 0", o);
        return;
    }
    const tp_type_t *t = tp_type_of(o);
    if (t->finalize != NULL && !(o->flags & TP_OF_FINALIZED)) {
        if (G.no_user && defer_finalizer(o)) return; /* count stays 1 */
        /* a finalizer may touch the collection's white objects: they are
         * counted again before any is freed */
        if (G.phase >= PH_LEGACY) G.finalized_any = 1;
        o->flags |= TP_OF_FINALIZED;
        t->finalize(o); /* with the dying reference still counted */
        if (o->rc > 1u) { /* resurrected */
            if (o->rc != TP_RC_IMMORTAL) o->rc--;
            return;
        }
    }
    o->rc = 0;
    if (t->weaklist_offset != 0 && *tp_weaklist(o) != NULL) (void)tp_weak_detach(o, NULL);
    int outermost = !G.draining && !G.in_step;
    if (!(t->flags & TP_TYPE_CONTAINER)) {
        free_object(o);
        if (outermost && !G.no_user && G.callbacks != NULL) tp_weak_run_callbacks(TP_WEAK_CALLBACKS_PER_CALL);
        return;
    }
    if (G.count[0] > 0) G.count[0]--;
    tp_gc_head_t *h = GH(o);
    if (o->flags & TP_OF_TRACKED) {
        if (o->flags & TP_OF_COUNTED) {
            /* on the set's singly linked list: it stays there as a husk
             * until PH_ROOTS puts it on the deallocation stack.  Its
             * references are dropped now within the budget of a decref;
             * what it still holds after that is dropped from PH_ROOTS on
             * (until then its referents look referenced from outside:
             * kept, conservatively) */
            o->flags = (uint8_t)((o->flags | TP_OF_HUSK) & ~TP_OF_WATCH);
            count_pending(o);
            if (outermost) {
                probe(TP_GC_WORK_DECREF, 1);
                uint32_t budget = G.pacing.call_work;
                G.draining = 1;
                (void)clear_charged(o, &budget);
                drain(&budget);
                G.draining = 0;
                note_work(&G.run.max_work_decref, G.pacing.call_work - budget);
                probe(TP_GC_WORK_DECREF, 0);
                if (!G.no_user && G.callbacks != NULL) tp_weak_run_callbacks(TP_WEAK_CALLBACKS_PER_CALL);
            }
            return;
        }
        unlink_tracked(o);
    }
    push_dead(h);
    if (outermost) after_program_death();
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
    case PH_RECOUNT:
    case PH_RESUBTRACT:
        G.run.barrier_hits++;
        o->flags = (uint8_t)((o->flags | TP_OF_DIRTY) & ~TP_OF_WATCH);
        break;
    case PH_ROOTS:
    case PH_REROOTS:
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
        /* a condemned object changed: only a finalizer can do that (weak
         * references read as dead): resurrected */
        G.run.barrier_hits++;
        G.run.resurrected++;
        grey(GH(o));
        break;
    case PH_FINALIZE:
        /* a finalizer reads or changes a condemned object: whether it was
         * resurrected is decided by counting the white objects again once
         * every finalizer ran (PH_RECOUNT), not by the touch */
        G.run.barrier_hits++;
        break;
    case PH_REMARK:
        /* reached through a resurrected object: reachable */
        G.run.barrier_hits++;
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
static void run_callbacks(int phase);
static void run_owed_callbacks(void);

/* ---- pacing ---- */

/* Bytes taken from the objects' heap: the young trigger counts them, and a
 * collection in progress is owed work for them. */
static inline void account(size_t n) {
    G.obj_bytes += n;
    uint32_t b = n > 0x10000u ? 0x10000u : (uint32_t)n;
    G.since[0] += b;
    G.since[1] += b;
    G.since[2] += b;
    if (G.phase != PH_IDLE) {
        uint32_t owed = (uint32_t)(((uint64_t)b * G.rate_q8) >> 8);
        G.debt = G.debt > INT32_MAX - (int32_t)owed ? INT32_MAX : G.debt + (int32_t)owed;
    }
}

static uint32_t young_bytes(void) {
    return (uint32_t)(G.capacity / 1000u * G.pacing.young_permille);
}

/* The generation a collection should start with now, or -1: occupancy
 * first (a full collection), then the generation thresholds, then the
 * growth of the objects' bytes since the last collection ended (a young
 * one: what refcounting frees at once, acyclic churn, never starts one;
 * counted in the objects' bytes, not the footprint, which pool pages that
 * hold a few live blocks keep high). */
static int due_generation(uint8_t *why) {
    if (tp_heap_footprint(G.heap) >= G.full_trigger) {
        *why = 2;
        return 2;
    }
    int gen = choose_generation();
    if (gen >= 0) {
        *why = 0;
        return gen;
    }
    if (G.obj_bytes >= G.young_base + young_bytes()) {
        *why = 1;
        /* as if generation 0's count were over its threshold */
        for (int i = 2; i >= 1; i--) {
            if (G.threshold[i] == 0 || G.count[i] < G.threshold[i]) continue;
            if (i == 2 && G.long_lived_pending < G.long_lived_total / 4u) continue;
            return i;
        }
        return 0;
    }
    return -1;
}

/* The work rate of a collection of `gen` starting now: its estimated work
 * (TP_GC_WORK_PER_KIB per KiB of its set: the whole footprint for a full
 * collection, the bytes allocated since the generation was last collected
 * for a younger one) over half the free space. */
static void plan(int gen) {
    size_t fp = tp_heap_footprint(G.heap);
    size_t set = gen == 2 ? fp : (size_t)G.since[gen];
    if (set > fp) set = fp;
    size_t room = G.capacity > fp ? (G.capacity - fp) / 2u : 0u;
    /* a young collection ends within the growth that started it: the
     * garbage made meanwhile waits for the next one, no longer */
    if (gen < 2 && room > young_bytes()) room = young_bytes();
    if (room < G.capacity / 64u) room = G.capacity / 64u;
    if (room == 0) room = 1;
    /* the estimate: the setting, or what the last collection of this kind
     * really cost per KiB of its set if that was more */
    uint32_t per_kib = G.pacing.work_per_kib;
    if (G.measured_per_kib[gen == 2] > per_kib) per_kib = G.measured_per_kib[gen == 2];
    uint32_t work = (uint32_t)(((uint64_t)set * per_kib) >> 10);
    uint32_t rate = (uint32_t)(((uint64_t)work << 8) / room);
    G.rate_q8 = rate < 16u ? 16u : rate > (256u << 8) ? (256u << 8) : rate;
    G.debt = TP_GC_STEP_WORK; /* the first safe point starts the work */
    G.coll_work = 0;
    G.coll_set_bytes = (uint32_t)set;
    for (int i = 0; i <= gen; i++) G.since[i] = 0;
}

/* After a full collection: the next starts when the footprint has taken
 * full_trigger_pct % of the free space left now. */
static void set_next_trigger(void);

static void set_full_trigger(void) {
    size_t fp = tp_heap_footprint(G.heap);
    size_t room = G.capacity > fp ? G.capacity - fp : 0u;
    G.full_trigger = fp + room / 100u * G.pacing.full_trigger_pct;
    set_next_trigger();
}

/* The objects' bytes at which the next young collection is due, kept so
 * that the safe point's test is a comparison. */
static void set_next_trigger(void) { G.next_trigger = G.young_base + young_bytes(); }

static inline int start_due(void) {
    for (int i = 0; i < 3; i++)
        if (G.threshold[i] != 0 && G.count[i] > G.threshold[i] &&
            (i < 2 || G.long_lived_pending >= G.long_lived_total / 4u))
            return 1;
    return G.obj_bytes >= G.next_trigger || tp_heap_footprint(G.heap) >= G.full_trigger;
}

/* Anything owed to a safe point: pending frees or finalizers, reports,
 * the collection's debt, or a collection to start. */
static inline int work_due(void) {
    if (G.dead != 0 || G.ndeferred != 0 || G.cb_pending != 0 || G.report_due ||
        G.callbacks != NULL)
        return 1;
    if (!G.enabled) return 0;
    return G.phase != PH_IDLE ? G.debt > 0 : start_due();
}

static void report_pacing_failure(void) {
    G.report_due = 0;
    if (G.pacing_hook == NULL) return;
    tp_gc_pacing_failure_t f = {G.run.pacing_failures, G.oom_footprint, G.capacity, G.oom_size};
    uint8_t was = G.in_step;
    G.in_step = 1; /* no collection from inside the hook's allocations */
    G.pacing_hook(&f, G.pacing_ctx);
    G.in_step = was;
}

/* The safe point's work, at most call_work units: the finalizers deferred
 * from inside allocations, pending frees, then the collection's debt (or
 * the start of a collection).  User code (finalizers, weak-reference and gc
 * callbacks) runs here, outside any allocation. */
static void pay(void) {
    G.in_pay = 1; /* user code below may allocate: no safe point inside */
    probe(TP_GC_WORK_ALLOC, 1);
    uint32_t budget = G.pacing.call_work;
    G.draining = 1;
    while (G.ndeferred > 0 && budget > 0) {
        tp_obj_t *o = G.deferred[--G.ndeferred];
        G.run.deferred_finalizers = G.ndeferred;
        budget--;
        tp_decref(o); /* the queue's count: the finalizer runs now */
    }
    drain(&budget);
    G.draining = 0;
    if (G.callbacks != NULL) tp_weak_run_callbacks(TP_WEAK_CALLBACKS_PER_CALL);
    run_owed_callbacks();
    if (G.report_due) report_pacing_failure();
    if (G.enabled) {
        if (G.phase == PH_IDLE && budget >= 8u) {
            uint8_t why;
            int gen = due_generation(&why);
            if (gen >= 0) {
                if (why == 2) G.run.full_starts++;
                if (why == 1) G.run.young_starts++;
                tp_gc_start(gen);
            }
        }
        if (G.phase != PH_IDLE && G.debt > 0 && budget >= 8u) {
            probe(TP_GC_WORK_COLLECT, 1);
            while (G.phase != PH_IDLE && G.debt > 0 && budget >= 8u) {
                uint32_t slice = budget < TP_GC_STEP_WORK ? budget : TP_GC_STEP_WORK;
                (void)step_internal(slice);
                uint32_t done = G.last_step_work;
                budget = done < budget ? budget - done : 0u;
                G.debt -= (int32_t)done;
                if (done == 0) break;
            }
            probe(TP_GC_WORK_COLLECT, 0);
        }
    }
    uint32_t done = G.pacing.call_work - budget;
    if (done > G.run.max_work_alloc) G.run.max_work_alloc = done;
    probe(TP_GC_WORK_ALLOC, 0);
    G.in_pay = 0;
}

/* The safe point, at the start of every tp_gc_new. */
static inline void safe_point(void) {
    G.oom_token = 0;
    if (G.in_step || G.draining || G.no_user || G.in_pay || G.heap == NULL || TP_GC_IN_INTERRUPT())
        return;
    if (work_due()) pay();
}

/* An allocation of the objects' heap found no memory: the layer above is
 * told (objects/ records MemoryError). */
static void no_memory(size_t size) {
    if (G.nomem_hook != NULL) G.nomem_hook(size, G.nomem_ctx);
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
    safe_point();
    /* the tracking build records the object under the code that made it */
    tp_obj_t *o = t->freelist != NULL ? TP_FREELIST_ALLOC_AT(G.heap, t->freelist, site)
                                      : TP_HEAP_ALLOC_AT(G.heap, size, site);
    if (o == NULL) {
        no_memory(size);
        return NULL;
    }
    account(size);
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

void tp_gc_set_nomem_hook(tp_gc_nomem_hook_t hook, void *ctx) {
    G.nomem_hook = hook;
    G.nomem_ctx = ctx;
}

/* ---- buffers ---- */

void *tp_gc_buf_alloc(size_t size) {
    if (G.heap == NULL) return NULL;
    G.oom_token = 0;
    void *p = tp_heap_alloc(G.heap, size);
    if (p != NULL)
        account(size);
    else
        no_memory(size);
    return p;
}

void *tp_gc_buf_calloc(size_t n, size_t size) {
    if (G.heap == NULL) return NULL;
    G.oom_token = 0;
    void *p = tp_heap_calloc(G.heap, n, size);
    if (p != NULL)
        account(n * size);
    else
        no_memory(n * size);
    return p;
}

void *tp_gc_buf_realloc(void *ptr, size_t old_size, size_t size) {
    if (G.heap == NULL) return NULL;
    G.oom_token = 0;
    void *p = tp_heap_realloc(G.heap, ptr, size);
    if (size == 0 && ptr != NULL) { /* realloc to 0 frees */
        G.obj_bytes -= old_size;
        return NULL;
    }
    if (p == NULL) {
        no_memory(size);
        return NULL;
    }
    if (size > old_size)
        account(size - old_size);
    else
        G.obj_bytes -= old_size - size;
    return p;
}

void tp_gc_buf_free(void *ptr, size_t size) {
    if (G.heap == NULL || ptr == NULL) return;
    tp_heap_free(G.heap, ptr);
    G.obj_bytes -= size;
}

void tp_gc_track(tp_obj_t *o) {
    if (o == NULL) {
        tp_gc_error("tp_gc_track: NULL object", NULL);
        return;
    }
    if (!tp_is_container(o) || (o->flags & (TP_OF_TRACKED | TP_OF_DYING | TP_OF_HUSK))) return;
    o->flags |= TP_OF_TRACKED;
    list_push(L_GEN0, GH(o));
}

void tp_gc_untrack(tp_obj_t *o) {
    if (o == NULL) {
        tp_gc_error("tp_gc_untrack: NULL object", NULL);
        return;
    }
    if (!(o->flags & TP_OF_TRACKED) || (o->flags & TP_OF_COUNTED)) return;
    unlink_tracked(o);
    o->flags &= (uint8_t)~TP_OF_TRACKED;
}

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
    G.pacing.full_trigger_pct = TP_GC_FULL_TRIGGER_PCT;
    G.pacing.young_permille = TP_GC_YOUNG_PERMILLE;
    G.pacing.work_per_kib = TP_GC_WORK_PER_KIB;
    G.pacing.call_work = TP_GC_CALL_WORK;
    G.capacity = tp_heap_capacity(heap);
    G.young_base = 0;
    set_full_trigger();
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
    if (counts == NULL) {
        tp_gc_error("tp_gc_get_count: NULL output", NULL);
        return;
    }
    for (int i = 0; i < 3; i++) counts[i] = G.count[i];
}
void tp_gc_get_threshold(unsigned t[3]) {
    if (t == NULL) {
        tp_gc_error("tp_gc_get_threshold: NULL output", NULL);
        return;
    }
    for (int i = 0; i < 3; i++) t[i] = G.threshold[i];
}
void tp_gc_set_threshold(unsigned t0, unsigned t1, unsigned t2) {
    G.threshold[0] = t0;
    G.threshold[1] = t1;
    G.threshold[2] = t2;
}

void tp_gc_get_pacing(tp_gc_pacing_t *out) {
    if (out != NULL) *out = G.pacing;
}

int tp_gc_set_pacing(const tp_gc_pacing_t *p) {
    if (p == NULL || p->full_trigger_pct < 1u || p->full_trigger_pct > 100u ||
        p->young_permille < 1u || p->young_permille > 1000u || p->work_per_kib < 1u ||
        p->work_per_kib > 65535u || p->call_work < TP_GC_STEP_WORK || p->call_work > 65535u)
        return -1;
    G.pacing = *p;
    if (G.heap != NULL) set_full_trigger();
    return 0;
}

void tp_gc_set_pacing_hook(tp_gc_pacing_hook_t hook, void *ctx) {
    G.pacing_hook = hook;
    G.pacing_ctx = ctx;
}

void tp_gc_set_probe(tp_gc_probe_t p, void *ctx) {
    G.probe = p;
    G.probe_ctx = ctx;
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
    *out = G.gen_stats[gen];
}

void tp_gc_get_run_stats(tp_gc_run_stats_t *out) {
    if (out == NULL) {
        tp_gc_error("tp_gc_get_run_stats: NULL output", NULL);
        return;
    }
    *out = G.run;
    out->obj_bytes = (uint32_t)G.obj_bytes;
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

static void call_callbacks(int phase, const tp_gc_info_t *info);

static void run_callbacks(int phase) {
    tp_gc_info_t info = {G.generation, G.n_collected, G.n_uncollectable};
    if (G.no_user) {
        /* inside an allocation: the callbacks are owed to the next safe
         * point (a second stop owed meanwhile is told the latest counts) */
        G.cb_pending |= (uint8_t)(1u << phase);
        if (phase == 1)
            G.cb_info = info;
        else
            G.cb_start_gen = (uint8_t)G.generation;
        return;
    }
    run_owed_callbacks(); /* what an earlier collection owes comes first */
    call_callbacks(phase, &info);
}

/* The start and stop callbacks owed since an out-of-memory pass. */
static void run_owed_callbacks(void) {
    if (G.no_user) return;
    if (G.cb_pending & 1u) {
        G.cb_pending &= (uint8_t)~1u;
        tp_gc_info_t start = {G.cb_start_gen, 0, 0};
        call_callbacks(0, &start);
    }
    if (G.cb_pending & 2u) {
        G.cb_pending &= (uint8_t)~2u;
        tp_gc_info_t stop = G.cb_info;
        call_callbacks(1, &stop);
    }
}

static void call_callbacks(int phase, const tp_gc_info_t *info) {
    uint8_t was = G.in_step;
    G.in_step = 1; /* no collection from inside a callback's allocations */
    for (int i = 0; i < TP_GC_MAX_CALLBACKS; i++)
        if (G.cb[i].fn != NULL) G.cb[i].fn(phase, info, G.cb[i].ctx);
    G.in_step = was;
}

/* ======================================================================
 * The collection, in steps
 * ====================================================================== */

static const char *const phase_names[] = {
    "idle",     "count",    "subtract", "roots",    "mark",   "legacy",
    "weakrefs", "finalize", "recount",  "resubtract", "reroots", "remark",
    "clear",    "free",     "end",
};
_Static_assert(sizeof phase_names / sizeof phase_names[0] == PH_END + 1,
               "a name for every phase");

const char *tp_gc_phase_name(void) { return phase_names[G.phase]; }
int tp_gc_in_progress(void) { return G.phase != PH_IDLE; }

void tp_gc_start(int gen) {
    if (G.phase != PH_IDLE || G.heap == NULL || gen < 0 || gen > 2) return;
    G.generation = gen;
    G.n_collected = G.n_uncollectable = G.n_survivors = 0;
    G.n_white = 0;
    G.finalized_any = 0;
    G.white_needs = 0;
    plan(gen);
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
            /* more references from inside than the count says: its count is
             * too small (a decref too many), or a container moved a
             * reference without tp_gc_moved.  Either way the count cannot
             * be trusted: the object is kept, a root now and immortal from
             * now on (a leak, never a use after free when the referrers
             * drop their references) */
            ref->flags = (uint8_t)((ref->flags | TP_OF_DIRTY) & ~TP_OF_WATCH);
            ref->rc = TP_RC_IMMORTAL;
            tp_gc_error("count smaller than the references to it (a decref too many, or a "
                        "reference moved without tp_gc_moved): kept, immortal",
                        ref);
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
    if (!(G.white_needs & WHITE_WEAKREFS)) { /* no pass over the white objects */
        G.phase = PH_FINALIZE;
        return;
    }
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
    if (!(G.white_needs & WHITE_FINALIZER)) {
        G.cur = NULL;
        G.clear_started = 0;
        G.phase = list_empty(L_GREY) ? PH_CLEAR : PH_REMARK;
        return;
    }
    while (w->budget > 0 && !list_empty(L_WHITE)) {
        tp_gc_head_t *x = H(LH(L_WHITE)->next);
        w->budget--;
        const tp_type_t *t = tp_type_of(&x->ob);
        if (t->finalize != NULL && !(x->ob.flags & TP_OF_FINALIZED)) {
            if (G.no_user) {
                /* inside an allocation no finalizer may run: the object
                 * (and what it reaches, at remark) survives this
                 * collection, its finalizer still to run */
                grey(x);
                continue;
            }
            list_unlink(x);
            list_push(L_DONE, x);
            x->ob.flags |= TP_OF_FINALIZED;
            G.finalized_any = 1;
            hold(&x->ob);
            t->finalize(&x->ob); /* may resurrect: decided by the recount */
            unhold(&x->ob);
            continue;
        }
        list_unlink(x);
        list_push(L_DONE, x);
    }
    if (!list_empty(L_WHITE)) return;
    /* what the finalizers killed is freed first: a dead object's references
     * would count as from outside in the recount */
    if (G.finalized_any && G.dead != 0) {
        drain_in_step(&w->budget);
        if (G.dead != 0) return;
    }
    list_splice(L_WHITE, L_DONE);
    G.cur = NULL;
    G.clear_started = 0;
    if (G.finalized_any) {
        /* count the white objects again: PH_COUNT's work over them alone */
        list_splice(L_SET, L_WHITE);
        G.n_white = 0;
        G.cursor = LH(L_SET)->next;
        G.cur_slot = 0;
        G.phase = PH_RECOUNT;
        return;
    }
    G.phase = list_empty(L_GREY) ? PH_CLEAR : PH_REMARK;
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
        if (clear_charged(o, &w->budget) != 0) return;
        if (w->budget > 0) w->budget--;
        /* cleared; it dies when the last reference from the garbage goes */
        G.cur = NULL;
        list_unlink(GH(o));
        list_push(L_DONE, GH(o));
        unhold(o);
    }
    if (G.cur != NULL || !list_empty(L_WHITE)) return;
    /* the garbage's deaths first: they drop the last references to the rest */
    drain_in_step(&w->budget);
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

/* PH_COUNT (PH_RECOUNT): gc_refs := count for each object of L_SET, which
 * is watched from now on; the list becomes singly linked. */
static void phase_count(walk_t *w) {
    while (w->budget > 0 && G.cursor != G.list[L_SET]) {
        tp_gc_head_t *x = H(G.cursor);
        x->prev = x->ob.rc;
        x->ob.flags = (uint8_t)((x->ob.flags & ~TP_OF_DIRTY) | TP_OF_WATCH | TP_OF_COUNTED);
        G.cursor = x->next;
        w->budget--;
    }
    if (G.cursor == G.list[L_SET]) {
        G.cursor = LH(L_SET)->next;
        G.cur_slot = 0;
        G.phase = G.phase == PH_COUNT ? PH_SUBTRACT : PH_RESUBTRACT;
    }
}

/* PH_SUBTRACT (PH_RESUBTRACT): gc_refs -= each reference from inside the
 * set; a container is traversed in slices. */
static void phase_subtract(walk_t *w) {
    while (w->budget > 0 && G.cursor != G.list[L_SET]) {
        tp_gc_head_t *x = H(G.cursor);
        w->budget--;
        if (w->budget == 0) break;
        G.cur = &x->ob;
        int done = (x->ob.flags & TP_OF_HUSK) || traverse_cur(visit_subtract, w);
        G.cur = NULL;
        if (done) {
            G.cursor = x->next;
            G.cur_slot = 0;
        }
    }
    if (G.cursor == G.list[L_SET]) G.phase = G.phase == PH_SUBTRACT ? PH_ROOTS : PH_REROOTS;
}

/* PH_ROOTS (PH_REROOTS): referenced from outside (gc_refs > 0) or changed
 * (DIRTY) -> grey; the rest white.  Husks (dead while counted) go to the
 * deallocation stack.  In the recount, a root is a resurrected object. */
static void phase_roots(walk_t *w) {
    tp_gc_head_t *s = LH(L_SET);
    int recount = G.phase == PH_REROOTS;
    while (w->budget > 0 && s->next != G.list[L_SET]) {
        tp_gc_head_t *x = H(s->next);
        s->next = x->next;
        w->budget--;
        if (x->ob.flags & TP_OF_HUSK) {
            push_dead(x);
            continue;
        }
        uint16_t gc_refs = x->prev;
        x->ob.flags &= (uint8_t)~TP_OF_COUNTED;
        if ((x->ob.flags & TP_OF_DIRTY) || gc_refs > 0) {
            x->ob.flags &= (uint8_t)~(TP_OF_DIRTY | TP_OF_WATCH);
            list_push(L_GREY, x);
            if (recount) G.run.resurrected++;
        } else {
            list_push(L_WHITE, x);
            G.n_white++;
            const tp_type_t *t = tp_type_of(&x->ob);
            if (t->weaklist_offset != 0 && *tp_weaklist(&x->ob) != NULL)
                G.white_needs |= WHITE_WEAKREFS;
            if (t->finalize != NULL && !(x->ob.flags & TP_OF_FINALIZED))
                G.white_needs |= WHITE_FINALIZER;
        }
    }
    if (s->next == G.list[L_SET]) {
        s->prev = G.list[L_SET];
        G.cur = NULL;
        G.phase = recount ? PH_REMARK : PH_MARK;
    }
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
    G.debt = 0;
    G.young_base = G.obj_bytes;
    set_next_trigger();
    if (gen == 2) set_full_trigger();
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
    drain_in_step(&w.budget);
    while (w.budget > 0 && G.phase != PH_IDLE) {
        switch (G.phase) {
        case PH_COUNT:
        case PH_RECOUNT:
            phase_count(&w);
            break;
        case PH_SUBTRACT:
        case PH_RESUBTRACT:
            phase_subtract(&w);
            break;
        case PH_ROOTS:
        case PH_REROOTS:
            phase_roots(&w);
            break;
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
            /* the garbage's references dropped: freeing */
            free_slice(1);
            phase_clear(&w);
            free_slice(0);
            break;
        case PH_FREE:
            drain_in_step(&w.budget);
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
    G.last_step_work = done;
    G.run.work_total += done;
    G.coll_work += done;
    if (G.phase == PH_IDLE) {
        G.run.last_work = G.coll_work;
        G.run.last_set_bytes = G.coll_set_bytes;
        if (G.coll_set_bytes >= 1024u) /* big enough to say something */
            G.measured_per_kib[G.generation == 2] =
                (uint32_t)(((uint64_t)G.coll_work << 10) / G.coll_set_bytes);
    }
    G.in_step = 0;
    if (G.phase == PH_IDLE) {
        if (G.callbacks != NULL && !G.no_user) tp_weak_run_callbacks(TP_WEAK_CALLBACKS_PER_CALL);
        run_callbacks(1);
        return 0;
    }
    return 1;
}

int tp_gc_step(uint32_t work) {
    if (G.in_step || G.draining || G.heap == NULL) return G.phase != PH_IDLE;
    probe(TP_GC_WORK_STEP, 1);
    /* at least 8 units: a step must get past one object's own unit */
    int more = step_internal(work == 0 ? TP_GC_STEP_WORK : work < 8u ? 8u : work);
    probe(TP_GC_WORK_STEP, 0);
    /* the program drives the collection: the callbacks it queued, all */
    if (!more && G.callbacks != NULL) tp_weak_run_callbacks(UINT_MAX);
    return more;
}

static void finish_in_progress(void) {
    while (G.phase != PH_IDLE) (void)step_internal(UINT32_MAX);
}

/* Frees every pending death now (the program asked for a collection). */
static void drain_all(void) {
    uint8_t was = G.draining;
    G.draining = 1;
    while (G.ndeferred > 0) {
        tp_obj_t *o = G.deferred[--G.ndeferred];
        G.run.deferred_finalizers = G.ndeferred;
        tp_decref(o);
    }
    uint32_t b = UINT32_MAX;
    drain(&b);
    G.draining = was;
}

size_t tp_gc_collect(int gen) {
    if (G.in_step || G.draining || G.heap == NULL) return 0;
    if (gen < 0 || gen > 2) gen = 2;
    probe(TP_GC_WORK_STEP, 1);
    drain_all();
    finish_in_progress();
    tp_gc_start(gen);
    /* the stop callbacks run inside the last step: the counts are read
     * before them */
    size_t n = SIZE_MAX;
    while (G.phase != PH_IDLE) {
        if (G.phase == PH_END) n = G.n_collected + G.n_uncollectable;
        (void)step_internal(UINT32_MAX);
    }
    if (n == SIZE_MAX) n = G.n_collected + G.n_uncollectable;
    drain_all();
    if (G.callbacks != NULL) tp_weak_run_callbacks(UINT_MAX);
    probe(TP_GC_WORK_STEP, 0);
    return n;
}

/* Out of memory, inside the allocation that found none: one pass per
 * allocation, of bounded work and without user code - the types' free
 * lists given back, pending deaths freed, the collection in progress
 * advanced (TP_GC_OOM_FINISH: finished, or a full one run) - and a retry
 * asked for when that freed memory.  Finalizers of objects that die here
 * wait for the next safe point (defer_finalizer: the work of the pass is
 * kept within the queue's free room, one death per unit at most). */
static int oom_hook(tp_heap_t *heap, size_t size, void *ctx) {
    (void)ctx;
    if (G.in_oom || heap != G.heap || TP_GC_IN_INTERRUPT()) return 0;
    /* bytes in use, not the footprint: a block freed into a pool page that
     * stays (other blocks live in it) frees memory the retry can use */
    tp_heap_stats_t st;
    tp_heap_stats(heap, &st);
    size_t before = st.used_bytes;
    /* the retry of this same allocation failed again: it fails */
    if (G.oom_token && G.oom_size == size && G.oom_used == before) return 0;
    G.in_oom = 1;
    uint8_t was_no_user = G.no_user;
    G.no_user = 1;
    probe(TP_GC_WORK_OOM, 1);
    G.run.oom_passes++;
    if (G.enabled) {
        G.run.pacing_failures++;
        G.report_due = 1;
    }
    G.oom_size = size;
    /* the types' private free lists first: blocks nobody uses (each capped) */
    for (unsigned i = 1; i < TP_GC_MAX_TYPES; i++)
        if (tp_types[i] != NULL && tp_types[i]->freelist != NULL)
            tp_freelist_drain(heap, tp_types[i]->freelist);
    uint32_t done = 0;
    if (!G.in_step && !G.draining) {
        /* at most two deaths per unit (a dict entry: key and value) */
        uint32_t room = (uint32_t)(TP_GC_DEFERRED_MAX - G.ndeferred) / 2u;
        uint32_t budget = G.pacing.call_work < room ? G.pacing.call_work : room;
        uint32_t start = budget;
        G.draining = 1;
        drain(&budget);
        G.draining = 0;
#if TP_GC_OOM_POLICY == TP_GC_OOM_FINISH
        if (G.enabled) {
            if (G.phase == PH_IDLE) tp_gc_start(2);
            budget = UINT32_MAX;
            start = UINT32_MAX;
        }
#endif
        if (G.enabled && G.phase != PH_IDLE) probe(TP_GC_WORK_COLLECT, 1);
        int stepped = G.enabled && G.phase != PH_IDLE;
        while (G.enabled && G.phase != PH_IDLE && budget >= 8u) {
            room = (uint32_t)(TP_GC_DEFERRED_MAX - G.ndeferred) / 2u;
            if (room < 8u) break; /* deaths could no longer defer their finalizers */
            uint32_t slice = budget < TP_GC_STEP_WORK ? budget : TP_GC_STEP_WORK;
            if (slice > room) slice = room;
            (void)step_internal(slice);
            budget = G.last_step_work < budget ? budget - G.last_step_work : 0u;
            if (G.last_step_work == 0) break;
        }
        if (stepped) probe(TP_GC_WORK_COLLECT, 0);
        done = start - budget;
        if (start != UINT32_MAX && done > G.run.max_work_oom) G.run.max_work_oom = done;
    }
    tp_heap_stats(heap, &st);
    size_t after = st.used_bytes;
    G.oom_used = after;
    G.oom_footprint = st.footprint;
    G.oom_token = 1;
    probe(TP_GC_WORK_OOM, 0);
    G.no_user = was_no_user;
    G.in_oom = 0;
    return after < before;
}

/* ======================================================================
 * freeze, garbage
 * ====================================================================== */

/* Refused from a finalizer or callback that runs while deaths are being
 * unwound or a safe point works (a half-cleared object is in use there). */
static inline int busy(void) { return G.in_step || G.draining || G.in_pay; }

void tp_gc_freeze(void) {
    if (G.heap == NULL || busy()) return;
    finish_in_progress();
    for (int i = 0; i < 3; i++) list_splice(L_PERM, L_GEN0 + i);
}

void tp_gc_unfreeze(void) {
    if (G.heap == NULL || busy()) return;
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
    if (G.heap == NULL || busy()) return;
    finish_in_progress();
    while (!list_empty(L_GARBAGE)) {
        tp_gc_head_t *x = H(LH(L_GARBAGE)->next);
        list_unlink(x);
        list_push(L_GEN2, x);
        tp_decref(&x->ob);
    }
}
