// SPDX-License-Identifier: MIT
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

/* ======================================================================
 * Pacing: the bytes counted, the triggers, the work rate
 * ====================================================================== */

static int choose_generation(void) {
    for (int i = 2; i >= 0; i--) {
        if (tp_gc_state.threshold[i] == 0 || tp_gc_state.count[i] <= tp_gc_state.threshold[i])
            continue;
        if (i == 2 && tp_gc_state.long_lived_pending < tp_gc_state.long_lived_total / 4u) continue;
        return i;
    }
    return -1;
}

/* Bytes taken from the objects' heap: the young trigger counts them, and a
 * collection in progress is owed work for them. */
static inline void account(size_t n) {
    tp_gc_state.obj_bytes += n;
    uint32_t b = n > 0x10000u ? 0x10000u : (uint32_t)n;
    tp_gc_state.since[0] += b;
    tp_gc_state.since[1] += b;
    tp_gc_state.since[2] += b;
    if (tp_gc_state.phase != PH_IDLE) {
        uint32_t owed = (uint32_t)(((uint64_t)b * tp_gc_state.rate_q8) >> 8);
        tp_gc_state.debt = tp_gc_state.debt > INT32_MAX - (int32_t)owed
                               ? INT32_MAX
                               : tp_gc_state.debt + (int32_t)owed;
    }
}

static uint32_t young_bytes(void) {
    return (uint32_t)(tp_gc_state.capacity / 1000u * tp_gc_state.pacing.young_permille);
}

/* The generation a collection should start with now, or -1: occupancy
 * first (a full collection), then the generation thresholds, then the
 * growth of the objects' bytes since the last collection ended (a young
 * one: what refcounting frees at once, acyclic churn, never starts one;
 * counted in the objects' bytes, not the footprint, which pool pages that
 * hold a few live blocks keep high). */
static int due_generation(uint8_t *why) {
    if (tp_heap_footprint(tp_gc_state.heap) >= tp_gc_state.full_trigger) {
        *why = 2;
        return 2;
    }
    int gen = choose_generation();
    if (gen >= 0) {
        *why = 0;
        return gen;
    }
    if (tp_gc_state.obj_bytes >= tp_gc_state.young_base + young_bytes()) {
        *why = 1;
        /* as if generation 0's count were over its threshold */
        for (int i = 2; i >= 1; i--) {
            if (tp_gc_state.threshold[i] == 0 || tp_gc_state.count[i] < tp_gc_state.threshold[i])
                continue;
            if (i == 2 && tp_gc_state.long_lived_pending < tp_gc_state.long_lived_total / 4u)
                continue;
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
    size_t fp = tp_heap_footprint(tp_gc_state.heap);
    size_t set = gen == 2 ? fp : (size_t)tp_gc_state.since[gen];
    if (set > fp) set = fp;
    size_t room = tp_gc_state.capacity > fp ? (tp_gc_state.capacity - fp) / 2u : 0u;
    /* a young collection ends within the growth that started it: the
     * garbage made meanwhile waits for the next one, no longer */
    if (gen < 2 && room > young_bytes()) room = young_bytes();
    if (room < tp_gc_state.capacity / 64u) room = tp_gc_state.capacity / 64u;
    if (room == 0) room = 1;
    /* the estimate: the setting, or what the last collection of this kind
     * really cost per KiB of its set if that was more */
    uint32_t per_kib = tp_gc_state.pacing.work_per_kib;
    if (tp_gc_state.measured_per_kib[gen == 2] > per_kib)
        per_kib = tp_gc_state.measured_per_kib[gen == 2];
    uint32_t work = (uint32_t)(((uint64_t)set * per_kib) >> 10);
    uint32_t rate = (uint32_t)(((uint64_t)work << 8) / room);
    tp_gc_state.rate_q8 = rate < 16u ? 16u : rate > (256u << 8) ? (256u << 8) : rate;
    tp_gc_state.debt = TP_GC_STEP_WORK; /* the first safe point starts the work */
    tp_gc_state.coll_work = 0;
    tp_gc_state.coll_set_bytes = (uint32_t)set;
    for (int i = 0; i <= gen; i++) tp_gc_state.since[i] = 0;
}

/* After a full collection: the next starts when the footprint has taken
 * full_trigger_pct % of the free space left now. */
void tp_gc_set_full_trigger(void) {
    size_t fp = tp_heap_footprint(tp_gc_state.heap);
    size_t room = tp_gc_state.capacity > fp ? tp_gc_state.capacity - fp : 0u;
    tp_gc_state.full_trigger = fp + room / 100u * tp_gc_state.pacing.full_trigger_pct;
    tp_gc_set_next_trigger();
}

/* The objects' bytes at which the next young collection is due, kept so
 * that the safe point's test is a comparison. */
void tp_gc_set_next_trigger(void) {
    tp_gc_state.next_trigger = tp_gc_state.young_base + young_bytes();
}

static inline int start_due(void) {
    for (int i = 0; i < 3; i++)
        if (tp_gc_state.threshold[i] != 0 && tp_gc_state.count[i] > tp_gc_state.threshold[i] &&
            (i < 2 || tp_gc_state.long_lived_pending >= tp_gc_state.long_lived_total / 4u))
            return 1;
    return tp_gc_state.obj_bytes >= tp_gc_state.next_trigger ||
           tp_heap_footprint(tp_gc_state.heap) >= tp_gc_state.full_trigger;
}

/* Anything owed to a safe point: pending frees or finalizers, reports,
 * the collection's debt, or a collection to start. */
static inline int work_due(void) {
    if (tp_gc_state.dead != 0 || tp_gc_state.ndeferred != 0 || tp_gc_state.cb_pending != 0 ||
        tp_gc_state.report_due || tp_gc_state.callbacks != NULL)
        return 1;
    if (!tp_gc_state.enabled) return 0;
    return tp_gc_state.phase != PH_IDLE ? tp_gc_state.debt > 0 : start_due();
}

/* ======================================================================
 * gc callbacks: told at once, or owed to the next safe point
 * ====================================================================== */

static void call_callbacks(int phase, const tp_gc_info_t *info) {
    TP_ASSERT(!tp_gc_state.no_user);
    uint8_t was = tp_gc_state.in_step;
    tp_gc_state.in_step = 1; /* no collection from inside a callback's allocations */
    for (int i = 0; i < TP_GC_MAX_CALLBACKS; i++)
        if (tp_gc_state.cb[i].fn != NULL) tp_gc_state.cb[i].fn(phase, info, tp_gc_state.cb[i].ctx);
    TP_ASSERT(tp_gc_state.in_step);
    tp_gc_state.in_step = was;
}

/* The start and stop callbacks owed since an out-of-memory pass. */
static void run_owed_callbacks(void) {
    if (tp_gc_state.no_user) return;
    if (tp_gc_state.cb_pending & 1u) {
        tp_gc_state.cb_pending &= (uint8_t)~1u;
        tp_gc_info_t start = {tp_gc_state.cb_start_gen, 0, 0};
        call_callbacks(0, &start);
    }
    if (tp_gc_state.cb_pending & 2u) {
        tp_gc_state.cb_pending &= (uint8_t)~2u;
        tp_gc_info_t stop = tp_gc_state.cb_info;
        call_callbacks(1, &stop);
    }
}

void tp_gc_run_callbacks(int phase) {
    tp_gc_info_t info = {tp_gc_state.generation, tp_gc_state.n_collected,
                         tp_gc_state.n_uncollectable};
    if (tp_gc_state.no_user) {
        /* inside an allocation: the callbacks are owed to the next safe
         * point (a second stop owed meanwhile is told the latest counts) */
        tp_gc_state.cb_pending |= (uint8_t)(1u << phase);
        if (phase == 1)
            tp_gc_state.cb_info = info;
        else
            tp_gc_state.cb_start_gen = (uint8_t)tp_gc_state.generation;
        return;
    }
    run_owed_callbacks(); /* what an earlier collection owes comes first */
    call_callbacks(phase, &info);
}

/* ======================================================================
 * The safe point
 * ====================================================================== */

static void report_pacing_failure(void) {
    tp_gc_state.report_due = 0;
    if (tp_gc_state.pacing_hook == NULL) return;
    tp_gc_pacing_failure_t f = {tp_gc_state.run.pacing_failures, tp_gc_state.oom_footprint,
                                tp_gc_state.capacity, tp_gc_state.oom_size};
    TP_ASSERT(!tp_gc_state.no_user);
    uint8_t was = tp_gc_state.in_step;
    tp_gc_state.in_step = 1; /* no collection from inside the hook's allocations */
    tp_gc_state.pacing_hook(&f, tp_gc_state.pacing_ctx);
    TP_ASSERT(tp_gc_state.in_step);
    tp_gc_state.in_step = was;
}

/* The safe point's work, at most call_work units: the finalizers deferred
 * from inside allocations, pending frees, then the collection's debt (or
 * the start of a collection).  User code (finalizers, weak-reference and gc
 * callbacks) runs here, outside any allocation. */
static void pay(void) {
    TP_ASSERT(!tp_gc_state.in_pay && !tp_gc_state.in_step && !tp_gc_state.draining &&
              !tp_gc_state.no_user);
    tp_gc_state.in_pay = 1; /* user code below may allocate: no safe point inside */
    probe(TP_GC_WORK_ALLOC, 1);
    uint32_t budget = tp_gc_state.pacing.call_work;
    tp_gc_state.draining = 1;
    while (tp_gc_state.ndeferred > 0 && budget > 0) {
        tp_obj_t *o = tp_gc_state.deferred[--tp_gc_state.ndeferred];
        tp_gc_state.run.deferred_finalizers = tp_gc_state.ndeferred;
        budget--;
        tp_decref(o); /* the queue's count: the finalizer runs now */
    }
    tp_gc_drain(&budget);
    TP_ASSERT(tp_gc_state.draining);
    tp_gc_state.draining = 0;
    if (tp_gc_state.callbacks != NULL) tp_weak_run_callbacks(TP_WEAK_CALLBACKS_PER_CALL);
    run_owed_callbacks();
    if (tp_gc_state.report_due) report_pacing_failure();
    if (tp_gc_state.enabled) {
        if (tp_gc_state.phase == PH_IDLE && budget >= 8u) {
            uint8_t why;
            int gen = due_generation(&why);
            if (gen >= 0) {
                if (why == 2) tp_gc_state.run.full_starts++;
                if (why == 1) tp_gc_state.run.young_starts++;
                tp_gc_start(gen);
            }
        }
        if (tp_gc_state.phase != PH_IDLE && tp_gc_state.debt > 0 && budget >= 8u) {
            probe(TP_GC_WORK_COLLECT, 1);
            while (tp_gc_state.phase != PH_IDLE && tp_gc_state.debt > 0 && budget >= 8u) {
                uint32_t slice = budget < TP_GC_STEP_WORK ? budget : TP_GC_STEP_WORK;
                (void)tp_gc_collector_step(slice);
                uint32_t done = tp_gc_state.last_step_work;
                budget = done < budget ? budget - done : 0u;
                tp_gc_state.debt -= (int32_t)done;
                if (done == 0) break;
            }
            probe(TP_GC_WORK_COLLECT, 0);
        }
    }
    uint32_t done = tp_gc_state.pacing.call_work - budget;
    if (done > tp_gc_state.run.max_work_alloc) tp_gc_state.run.max_work_alloc = done;
    probe(TP_GC_WORK_ALLOC, 0);
    TP_ASSERT(tp_gc_state.in_pay && !tp_gc_state.draining);
    tp_gc_state.in_pay = 0;
}

/* The safe point, at the start of every tp_gc_new. */
static inline void safe_point(void) {
    tp_gc_state.oom_token = 0;
    if (tp_gc_state.in_step || tp_gc_state.draining || tp_gc_state.no_user || tp_gc_state.in_pay ||
        tp_gc_state.heap == NULL || TP_GC_IN_INTERRUPT())
        return;
    if (work_due()) pay();
}

/* ======================================================================
 * Objects and the buffers they own
 * ====================================================================== */

/* An allocation of the objects' heap found no memory: the layer above is
 * told (objects/ records MemoryError). */
static void no_memory(size_t size) {
    if (tp_gc_state.nomem_hook != NULL) tp_gc_state.nomem_hook(size, tp_gc_state.nomem_ctx);
}

static inline tp_obj_t *new_object(const tp_type_t *t, size_t size, const void *site) {
    int container = (t->flags & TP_TYPE_CONTAINER) != 0;
    /* the size decides what the type's counters will subtract when the
     * object dies (free_object, tp_gc_refcount.c): a type without size_of
     * has one size */
    if (size < (container ? sizeof(tp_gc_head_t) : sizeof(tp_obj_t)) || t->index == 0 ||
        tp_types[t->index] != t || size > UINT16_MAX * 8u ||
        (size != t->basic_size && t->size_of == NULL) ||
        (t->freelist != NULL && size != t->freelist->block_size)) {
        tp_gc_error("tp_gc_new: bad type or size", NULL);
        return NULL;
    }
    safe_point();
    /* the tracking build records the object under the code that made it */
    tp_obj_t *o = t->freelist != NULL ? TP_FREELIST_ALLOC_AT(tp_gc_state.heap, t->freelist, site)
                                      : TP_HEAP_ALLOC_AT(tp_gc_state.heap, size, site);
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
    if (container) tp_gc_state.count[0]++;
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
    if (tp_gc_state.heap == NULL) return NULL;
    tp_gc_state.oom_token = 0;
    void *p = tp_heap_alloc(tp_gc_state.heap, size);
    if (p != NULL)
        account(size);
    else
        no_memory(size);
    return p;
}

void *tp_gc_buf_calloc(size_t n, size_t size) {
    if (tp_gc_state.heap == NULL) return NULL;
    tp_gc_state.oom_token = 0;
    void *p = tp_heap_calloc(tp_gc_state.heap, n, size);
    if (p != NULL)
        account(n * size);
    else
        no_memory(n * size);
    return p;
}

void *tp_gc_buf_realloc(void *ptr, size_t old_size, size_t size) {
    if (tp_gc_state.heap == NULL) return NULL;
    tp_gc_state.oom_token = 0;
    void *p = tp_heap_realloc(tp_gc_state.heap, ptr, size);
    if (size == 0 && ptr != NULL) { /* realloc to 0 frees */
        tp_gc_state.obj_bytes -= old_size;
        return NULL;
    }
    if (p == NULL) {
        no_memory(size);
        return NULL;
    }
    if (size > old_size)
        account(size - old_size);
    else
        tp_gc_state.obj_bytes -= old_size - size;
    return p;
}

void tp_gc_buf_free(void *ptr, size_t size) {
    if (tp_gc_state.heap == NULL || ptr == NULL) return;
    tp_heap_free(tp_gc_state.heap, ptr);
    tp_gc_state.obj_bytes -= size;
}

/* ======================================================================
 * Out of memory
 * ====================================================================== */

/* Out of memory, inside the allocation that found none: one pass per
 * allocation, of bounded work and without user code - the types' free
 * lists given back, pending deaths freed, the collection in progress
 * advanced (TP_GC_OOM_FINISH: finished, or a full one run) - and a retry
 * asked for when that freed memory.  Finalizers of objects that die here
 * wait for the next safe point (defer_finalizer, tp_gc_refcount.c: the
 * work of the pass is kept within the queue's free room, one death per unit
 * at most). */
int tp_gc_oom_hook(tp_heap_t *heap, size_t size, void *ctx) {
    (void)ctx;
    if (tp_gc_state.in_oom || heap != tp_gc_state.heap || TP_GC_IN_INTERRUPT()) return 0;
    /* bytes in use, not the footprint: a block freed into a pool page that
     * stays (other blocks live in it) frees memory the retry can use */
    tp_heap_stats_t st;
    tp_heap_stats(heap, &st);
    size_t before = st.used_bytes;
    /* the retry of this same allocation failed again: it fails */
    if (tp_gc_state.oom_token && tp_gc_state.oom_size == size && tp_gc_state.oom_used == before)
        return 0;
    TP_ASSERT(!tp_gc_state.in_oom);
    tp_gc_state.in_oom = 1;
    uint8_t was_no_user = tp_gc_state.no_user;
    tp_gc_state.no_user = 1;
    probe(TP_GC_WORK_OOM, 1);
    tp_gc_state.run.oom_passes++;
    if (tp_gc_state.enabled) {
        tp_gc_state.run.pacing_failures++;
        tp_gc_state.report_due = 1;
    }
    tp_gc_state.oom_size = size;
    /* the types' private free lists first: blocks nobody uses (each capped) */
    for (unsigned i = 1; i < TP_GC_MAX_TYPES; i++)
        if (tp_types[i] != NULL && tp_types[i]->freelist != NULL)
            tp_freelist_drain(heap, tp_types[i]->freelist);
    uint32_t done = 0;
    if (!tp_gc_state.in_step && !tp_gc_state.draining) {
        /* at most two deaths per unit (a dict entry: key and value) */
        uint32_t room = (uint32_t)(TP_GC_DEFERRED_MAX - tp_gc_state.ndeferred) / 2u;
        uint32_t budget = tp_gc_state.pacing.call_work < room ? tp_gc_state.pacing.call_work : room;
        uint32_t start = budget;
        tp_gc_state.draining = 1;
        tp_gc_drain(&budget);
        TP_ASSERT(tp_gc_state.draining);
        tp_gc_state.draining = 0;
#if TP_GC_OOM_POLICY == TP_GC_OOM_FINISH
        if (tp_gc_state.enabled) {
            if (tp_gc_state.phase == PH_IDLE) tp_gc_start(2);
            budget = UINT32_MAX;
            start = UINT32_MAX;
        }
#endif
        if (tp_gc_state.enabled && tp_gc_state.phase != PH_IDLE) probe(TP_GC_WORK_COLLECT, 1);
        int stepped = tp_gc_state.enabled && tp_gc_state.phase != PH_IDLE;
        while (tp_gc_state.enabled && tp_gc_state.phase != PH_IDLE && budget >= 8u) {
            room = (uint32_t)(TP_GC_DEFERRED_MAX - tp_gc_state.ndeferred) / 2u;
            if (room < 8u) break; /* deaths could no longer defer their finalizers */
            uint32_t slice = budget < TP_GC_STEP_WORK ? budget : TP_GC_STEP_WORK;
            if (slice > room) slice = room;
            (void)tp_gc_collector_step(slice);
            budget = tp_gc_state.last_step_work < budget ? budget - tp_gc_state.last_step_work : 0u;
            if (tp_gc_state.last_step_work == 0) break;
        }
        if (stepped) probe(TP_GC_WORK_COLLECT, 0);
        done = start - budget;
        if (start != UINT32_MAX && done > tp_gc_state.run.max_work_oom)
            tp_gc_state.run.max_work_oom = done;
    }
    tp_heap_stats(heap, &st);
    size_t after = st.used_bytes;
    tp_gc_state.oom_used = after;
    tp_gc_state.oom_footprint = st.footprint;
    tp_gc_state.oom_token = 1;
    probe(TP_GC_WORK_OOM, 0);
    TP_ASSERT(tp_gc_state.in_oom && tp_gc_state.no_user);
    tp_gc_state.no_user = was_no_user;
    tp_gc_state.in_oom = 0;
    return after < before;
}
