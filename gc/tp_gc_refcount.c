// SPDX-License-Identifier: MIT
/*
 * tp_gc_refcount.c - reference counting's slow path: the last decref
 * (tp_obj_release), the finalizers deferred from inside an allocation, and
 * the deallocation stack freed a budget at a time (bounded deallocation,
 * tp_gc.h; the reasoning in docs/gc.md).
 */
#include "tp_gc_internal.h"

/* Work units charged for freeing an object: a heap free and a dealloc cost
 * several times a reference visit (measured: docs/gc.md). */
#define FREE_UNITS 4u

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
    if (tp_gc_state.charge_to != NULL) {
        uint32_t c = t->dealloc != NULL ? 2u * FREE_UNITS : FREE_UNITS;
        *tp_gc_state.charge_to = *tp_gc_state.charge_to > c ? *tp_gc_state.charge_to - c : 0u;
    }
    if (t->dealloc != NULL) t->dealloc(o);
    o->flags = 0;
    tp_type_t *c = writable_type(t);
    c->live_objects--;
    c->live_bytes -= bytes;
    tp_gc_state.obj_bytes -= bytes;
    if (t->freelist != NULL)
        tp_freelist_free(tp_gc_state.heap, t->freelist, o);
    else
        tp_heap_free(tp_gc_state.heap, o);
}

/* A dead container goes onto the deallocation stack (through its `next`
 * link): its references are dropped and its memory freed by tp_gc_drain, a
 * budget at a time.  Pending deaths are counted (tp_gc_get_run_stats). */
static void count_pending(const tp_obj_t *o) {
    tp_gc_state.run.pending_objects++;
    tp_gc_state.run.pending_bytes += object_bytes(o);
}

void tp_gc_push_dead(tp_gc_head_t *h) {
    /* a husk was counted pending when it died */
    if (!(h->ob.flags & TP_OF_HUSK)) count_pending(&h->ob);
    h->ob.flags = (uint8_t)((h->ob.flags & TP_OF_FINALIZED) | TP_OF_DYING);
    h->next = tp_gc_state.dead;
    tp_gc_state.dead = link_of(h);
}

uint32_t tp_gc_clear_charged(tp_obj_t *o, uint32_t *budget) {
    uint32_t *was = tp_gc_state.charge_to;
    tp_gc_state.charge_to = budget;
    uint32_t rem = tp_type_of(o)->clear(o, budget);
    tp_gc_state.charge_to = was;
    return rem;
}

void tp_gc_drain(uint32_t *budget) {
    uint32_t *was = tp_gc_state.charge_to;
    tp_gc_state.charge_to = budget;
    while (tp_gc_state.dead != 0 && *budget > 0) {
        /* popped first: the deaths its clear causes are pushed above it,
         * and it is freed as soon as its own references are dropped */
        tp_gc_head_t *x = head_at(tp_gc_state.dead);
        tp_gc_state.dead = x->next;
        if (tp_type_of(&x->ob)->clear(&x->ob, budget) != 0) {
            x->next = tp_gc_state.dead; /* budget spent: back on top, resumed next time */
            tp_gc_state.dead = link_of(x);
            break;
        }
        tp_gc_state.run.pending_objects--;
        tp_gc_state.run.pending_bytes -= object_bytes(&x->ob);
        free_object(&x->ob); /* charged */
    }
    tp_gc_state.charge_to = was;
}

static inline void note_work(uint32_t *max, uint32_t done) {
    if (done > *max) *max = done;
    tp_gc_state.run.work_total += done;
}

/* The last decref of a container, outside the collector: at most
 * TP_GC_CALL_WORK units of freeing now; the rest stays pending, for the
 * next safe points (bounded deallocation). */
static void after_program_death(void) {
    probe(TP_GC_WORK_DECREF, 1);
    uint32_t budget = tp_gc_state.pacing.call_work;
    TP_ASSERT(!tp_gc_state.draining && !tp_gc_state.in_step);
    tp_gc_state.draining = 1;
    tp_gc_drain(&budget);
    TP_ASSERT(tp_gc_state.draining);
    tp_gc_state.draining = 0;
    note_work(&tp_gc_state.run.max_work_decref, tp_gc_state.pacing.call_work - budget);
    probe(TP_GC_WORK_DECREF, 0);
    if (!tp_gc_state.in_step && !tp_gc_state.no_user && tp_gc_state.callbacks != NULL)
        tp_weak_run_callbacks(TP_WEAK_CALLBACKS_PER_CALL);
}

/* A death whose finalizer may not run here (inside an allocation): the
 * object keeps count 1, owned by the queue, until the next safe point.
 * Returns 0 when the queue is full: the out-of-memory pass leaves room for
 * two deaths per unit of its work (a unit may drop a dict entry's key and
 * value), so that is reported as an error if it ever happens. */
static int defer_finalizer(tp_obj_t *o) {
    if (tp_gc_state.ndeferred >= TP_GC_DEFERRED_MAX) {
        tp_gc_error("deferred finalizers: queue full, a finalizer runs inside an allocation", o);
        return 0;
    }
    tp_gc_state.deferred[tp_gc_state.ndeferred++] = o;
    tp_gc_state.run.deferred_finalizers = tp_gc_state.ndeferred;
    return 1;
}

void tp_obj_release(tp_obj_t *o) {
    if (o->rc == 0) {
        tp_gc_error("decref of an object whose count is already 0", o);
        return;
    }
    const tp_type_t *t = tp_type_of(o);
    if (t->finalize != NULL && !(o->flags & TP_OF_FINALIZED)) {
        if (tp_gc_state.no_user && defer_finalizer(o)) return; /* count stays 1 */
        /* a finalizer may touch the collection's white objects: they are
         * counted again before any is freed */
        if (tp_gc_state.phase >= PH_LEGACY) tp_gc_state.finalized_any = 1;
        o->flags |= TP_OF_FINALIZED;
        t->finalize(o); /* with the dying reference still counted */
        if (o->rc > 1u) { /* resurrected */
            if (o->rc != TP_RC_IMMORTAL) o->rc--;
            return;
        }
    }
    o->rc = 0;
    if (t->weaklist_offset != 0 && *tp_weaklist(o) != NULL) (void)tp_weak_detach(o, NULL);
    int outermost = !tp_gc_state.draining && !tp_gc_state.in_step;
    if (!(t->flags & TP_TYPE_CONTAINER)) {
        free_object(o);
        if (outermost && !tp_gc_state.no_user && tp_gc_state.callbacks != NULL)
            tp_weak_run_callbacks(TP_WEAK_CALLBACKS_PER_CALL);
        return;
    }
    if (tp_gc_state.count[0] > 0) tp_gc_state.count[0]--;
    tp_gc_head_t *h = head_of(o);
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
                uint32_t budget = tp_gc_state.pacing.call_work;
                TP_ASSERT(!tp_gc_state.draining && !tp_gc_state.in_step);
                tp_gc_state.draining = 1;
                (void)tp_gc_clear_charged(o, &budget);
                tp_gc_drain(&budget);
                TP_ASSERT(tp_gc_state.draining);
                tp_gc_state.draining = 0;
                note_work(&tp_gc_state.run.max_work_decref, tp_gc_state.pacing.call_work - budget);
                probe(TP_GC_WORK_DECREF, 0);
                if (!tp_gc_state.no_user && tp_gc_state.callbacks != NULL)
                    tp_weak_run_callbacks(TP_WEAK_CALLBACKS_PER_CALL);
            }
            return;
        }
        tp_gc_unlink_tracked(o);
    }
    tp_gc_push_dead(h);
    if (outermost) after_program_death();
}
