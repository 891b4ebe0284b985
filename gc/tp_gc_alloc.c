/*
 * tp_gc_alloc.c - allocation from the objects' heap and the pacing it
 * drives: objects and the buffers they own (tp_gc_new, tp_gc_buf_*), the
 * bytes they count, the triggers that start a collection, the safe point
 * that pays the work a collection is owed, the gc callbacks it delivers,
 * and the out-of-memory pass.  The rule and its guarantee: tp_gc_config.h
 * and docs/gc.md.
 */
#include <string.h>

#include "tp_gc_internal.h"
#include "tp_port.h"

/* Collector steps never run in an interrupt handler (the program's objects
 * are not interrupt-safe): on the target an allocation from a handler skips
 * the safe point.  A build may define TP_GC_IN_INTERRUPT() itself. */
#ifndef TP_GC_IN_INTERRUPT
#define TP_GC_IN_INTERRUPT() tp_port_in_interrupt()
#endif

#define G tp_gc_state

/* ======================================================================
 * Pacing: the bytes counted, the triggers, the work rate
 * ====================================================================== */

static int choose_generation(void) {
    for (int i = 2; i >= 0; i--) {
        if (G.threshold[i] == 0 || G.count[i] <= G.threshold[i]) continue;
        if (i == 2 && G.long_lived_pending < G.long_lived_total / 4u) continue;
        return i;
    }
    return -1;
}

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
void tp_gc_plan(int gen) {
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
void tp_gc_set_full_trigger(void) {
    size_t fp = tp_heap_footprint(G.heap);
    size_t room = G.capacity > fp ? G.capacity - fp : 0u;
    G.full_trigger = fp + room / 100u * G.pacing.full_trigger_pct;
    tp_gc_set_next_trigger();
}

/* The objects' bytes at which the next young collection is due, kept so
 * that the safe point's test is a comparison. */
void tp_gc_set_next_trigger(void) { G.next_trigger = G.young_base + young_bytes(); }

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

/* ======================================================================
 * gc callbacks: told at once, or owed to the next safe point
 * ====================================================================== */

static void call_callbacks(int phase, const tp_gc_info_t *info) {
    TP_ASSERT(!G.no_user);
    uint8_t was = G.in_step;
    G.in_step = 1; /* no collection from inside a callback's allocations */
    for (int i = 0; i < TP_GC_MAX_CALLBACKS; i++)
        if (G.cb[i].fn != NULL) G.cb[i].fn(phase, info, G.cb[i].ctx);
    TP_ASSERT(G.in_step);
    G.in_step = was;
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

void tp_gc_run_callbacks(int phase) {
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

/* ======================================================================
 * The safe point
 * ====================================================================== */

static void report_pacing_failure(void) {
    G.report_due = 0;
    if (G.pacing_hook == NULL) return;
    tp_gc_pacing_failure_t f = {G.run.pacing_failures, G.oom_footprint, G.capacity, G.oom_size};
    TP_ASSERT(!G.no_user);
    uint8_t was = G.in_step;
    G.in_step = 1; /* no collection from inside the hook's allocations */
    G.pacing_hook(&f, G.pacing_ctx);
    TP_ASSERT(G.in_step);
    G.in_step = was;
}

/* The safe point's work, at most call_work units: the finalizers deferred
 * from inside allocations, pending frees, then the collection's debt (or
 * the start of a collection).  User code (finalizers, weak-reference and gc
 * callbacks) runs here, outside any allocation. */
static void pay(void) {
    TP_ASSERT(!G.in_pay && !G.in_step && !G.draining && !G.no_user);
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
    tp_gc_drain(&budget);
    TP_ASSERT(G.draining);
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
                (void)tp_gc_collector_step(slice);
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
    TP_ASSERT(G.in_pay && !G.draining);
    G.in_pay = 0;
}

/* The safe point, at the start of every tp_gc_new. */
static inline void safe_point(void) {
    G.oom_token = 0;
    if (G.in_step || G.draining || G.no_user || G.in_pay || G.heap == NULL || TP_GC_IN_INTERRUPT())
        return;
    if (work_due()) pay();
}

/* ======================================================================
 * Objects and the buffers they own
 * ====================================================================== */

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

/* ======================================================================
 * Out of memory
 * ====================================================================== */

/* Out of memory, inside the allocation that found none: one pass per
 * allocation, of bounded work and without user code - the types' free
 * lists given back, pending deaths freed, the collection in progress
 * advanced (TP_GC_OOM_FINISH: finished, or a full one run) - and a retry
 * asked for when that freed memory.  Finalizers of objects that die here
 * wait for the next safe point (defer_finalizer: the work of the pass is
 * kept within the queue's free room, one death per unit at most). */
int tp_gc_oom_hook(tp_heap_t *heap, size_t size, void *ctx) {
    (void)ctx;
    if (G.in_oom || heap != G.heap || TP_GC_IN_INTERRUPT()) return 0;
    /* bytes in use, not the footprint: a block freed into a pool page that
     * stays (other blocks live in it) frees memory the retry can use */
    tp_heap_stats_t st;
    tp_heap_stats(heap, &st);
    size_t before = st.used_bytes;
    /* the retry of this same allocation failed again: it fails */
    if (G.oom_token && G.oom_size == size && G.oom_used == before) return 0;
    TP_ASSERT(!G.in_oom);
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
        tp_gc_drain(&budget);
        TP_ASSERT(G.draining);
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
            (void)tp_gc_collector_step(slice);
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
    TP_ASSERT(G.in_oom && G.no_user);
    G.no_user = was_no_user;
    G.in_oom = 0;
    return after < before;
}
