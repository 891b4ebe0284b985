/*
 * tp_gc_collect.c - the cycle collector: which list each tracked container
 * is on, the barrier, and a collection's phases taken a step at a time.
 * The algorithm and the barrier are described in tp_gc.h; the reasoning
 * behind each phase, and the measured pauses, in docs/gc.md.  When a
 * collection starts and how much work each safe point owes it:
 * tp_gc_alloc.c.
 */
#include <limits.h>

#include "tp_gc_internal.h"

#define G tp_gc_state

/* ======================================================================
 * Tracking
 * ====================================================================== */

/* Takes a tracked object (not on the set's singly linked list) off its list,
 * keeping the collection's cursors and counts right. */
void tp_gc_unlink_tracked(tp_obj_t *o) {
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
    tp_gc_unlink_tracked(o);
    o->flags &= (uint8_t)~TP_OF_TRACKED;
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
    case PH_REMARK: /* (remark: reached through a resurrected object) */
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
 * The collection, in steps
 * ====================================================================== */

/* Freeing inside a collection's step (dropping the garbage's references,
 * freeing what died): the work refcounting does for acyclic garbage, told
 * apart by the probe.  Slices may nest; the outermost is the probe's. */
static void free_slice(int begin) {
    TP_ASSERT(G.in_step && (begin ? G.in_free < UINT8_MAX : G.in_free > 0));
    if (begin ? G.in_free++ == 0 : --G.in_free == 0) probe(TP_GC_WORK_FREE, begin);
}

static void drain_in_step(uint32_t *budget) {
    if (G.dead == 0) return;
    free_slice(1);
    tp_gc_drain(budget);
    free_slice(0);
}

void tp_gc_start(int gen) {
    if (G.phase != PH_IDLE || G.heap == NULL || gen < 0 || gen > 2) return;
    G.generation = gen;
    G.n_collected = G.n_uncollectable = G.n_survivors = 0;
    G.n_white = 0;
    G.finalized_any = 0;
    G.white_needs = 0;
    tp_gc_plan(gen);
    tp_gc_run_callbacks(0);
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
        uint16_t refs = gc_refs(h);
        if (refs > 0) {
            set_gc_refs(h, (uint16_t)(refs - 1u));
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

/* PH_COUNT (PH_RECOUNT): gc_refs := count for each object of L_SET, which
 * is watched from now on; the list becomes singly linked. */
static void phase_count(walk_t *w) {
    while (w->budget > 0 && G.cursor != G.list[L_SET]) {
        tp_gc_head_t *x = H(G.cursor);
        x->ob.flags = (uint8_t)((x->ob.flags & ~TP_OF_DIRTY) | TP_OF_WATCH | TP_OF_COUNTED);
        set_gc_refs(x, x->ob.rc);
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
            tp_gc_push_dead(x);
            continue;
        }
        uint16_t refs = gc_refs(x);
        x->ob.flags &= (uint8_t)~TP_OF_COUNTED;
        if ((x->ob.flags & TP_OF_DIRTY) || refs > 0) {
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
        s->prev = G.list[L_SET]; /* empty, and doubly linked again */
        G.cur = NULL;
        G.phase = recount ? PH_REMARK : PH_MARK;
    }
}

/* PH_MARK: what grey objects reach is grey too; traversed objects are
 * black. */
static void phase_mark(walk_t *w) {
    if (mark_some(L_GREY, L_BLACK, visit_mark, w)) G.phase = PH_LEGACY;
}

/* PH_LEGACY: objects of legacy finalizer types among the white ones, and
 * what they reach, go to gc.garbage (uncollectable). */
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

/* PH_WEAKREFS: weak references to white objects detached (they read as
 * dead from PH_LEGACY on); their callbacks queued. */
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

/* PH_FINALIZE: the finalizers of white objects run; if any did, the white
 * objects are counted again (PH_RECOUNT) to find what they resurrected. */
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

/* PH_REMARK: as PH_MARK, from the objects the finalizers resurrected. */
static void phase_remark(walk_t *w) {
    if (mark_some(L_GREY, L_BLACK, visit_mark, w)) G.phase = PH_CLEAR;
}

/* PH_CLEAR: white objects cleared (their references dropped, which frees
 * them), or kept on gc.garbage with TP_GC_DEBUG_SAVEALL; timed as freeing. */
static void clear_white(walk_t *w) {
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
        if (tp_gc_clear_charged(o, &w->budget) != 0) return;
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

static void phase_clear(walk_t *w) {
    free_slice(1);
    clear_white(w);
    free_slice(0);
}

/* PH_FREE: the deallocation stack drained. */
static void phase_free(walk_t *w) {
    drain_in_step(&w->budget);
    if (G.dead == 0) G.phase = PH_END;
}

/* PH_END: survivors to the next generation, statistics, the next triggers. */
static void phase_end(void) {
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
    tp_gc_set_next_trigger();
    if (gen == 2) tp_gc_set_full_trigger();
    if ((G.debug & TP_GC_DEBUG_STATS) && G.print != NULL)
        G.print("gc: done, %u unreachable, %u uncollectable\n", (unsigned)G.n_collected,
                (unsigned)G.n_uncollectable);
}

/* One phase's work, as much as the budget allows; the phase moves on when
 * its work is done. */
static void single_step(walk_t *w) {
    switch (G.phase) {
    case PH_IDLE:
        break;
    case PH_COUNT:
    case PH_RECOUNT:
        phase_count(w);
        break;
    case PH_SUBTRACT:
    case PH_RESUBTRACT:
        phase_subtract(w);
        break;
    case PH_ROOTS:
    case PH_REROOTS:
        phase_roots(w);
        break;
    case PH_MARK:
        phase_mark(w);
        break;
    case PH_LEGACY:
        phase_legacy(w);
        break;
    case PH_WEAKREFS:
        phase_weakrefs(w);
        break;
    case PH_FINALIZE:
        phase_finalize(w);
        break;
    case PH_REMARK:
        phase_remark(w);
        break;
    case PH_CLEAR:
        phase_clear(w);
        break;
    case PH_FREE:
        phase_free(w);
        break;
    case PH_END:
        phase_end();
        break;
    }
}

/* One step of at most `work` units; returns 1 while the collection goes on. */
int tp_gc_collector_step(uint32_t work) {
    if (G.phase == PH_IDLE) return 0;
    walk_t w = {work};
    TP_ASSERT(!G.in_step && !G.draining);
    G.in_step = 1;
    G.run.steps++;
    /* a collection's own deaths first: nothing below runs with them pending */
    drain_in_step(&w.budget);
    while (w.budget > 0 && G.phase != PH_IDLE) single_step(&w);
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
    TP_ASSERT(G.in_step && G.in_free == 0);
    G.in_step = 0;
    if (G.phase == PH_IDLE) {
        if (G.callbacks != NULL && !G.no_user) tp_weak_run_callbacks(TP_WEAK_CALLBACKS_PER_CALL);
        tp_gc_run_callbacks(1);
        return 0;
    }
    return 1;
}

int tp_gc_step(uint32_t work) {
    if (G.in_step || G.draining || G.heap == NULL) return G.phase != PH_IDLE;
    probe(TP_GC_WORK_STEP, 1);
    /* at least 8 units: a step must get past one object's own unit */
    int more = tp_gc_collector_step(work == 0 ? TP_GC_STEP_WORK : work < 8u ? 8u : work);
    probe(TP_GC_WORK_STEP, 0);
    /* the program drives the collection: the callbacks it queued, all */
    if (!more && G.callbacks != NULL) tp_weak_run_callbacks(UINT_MAX);
    return more;
}

void tp_gc_finish_in_progress(void) {
    while (G.phase != PH_IDLE) (void)tp_gc_collector_step(UINT32_MAX);
}

/* Frees every pending death now (the program asked for a collection). */
static void drain_all(void) {
    TP_ASSERT(!G.in_step);
    uint8_t was = G.draining;
    G.draining = 1;
    while (G.ndeferred > 0) {
        tp_obj_t *o = G.deferred[--G.ndeferred];
        G.run.deferred_finalizers = G.ndeferred;
        tp_decref(o);
    }
    uint32_t b = UINT32_MAX;
    tp_gc_drain(&b);
    TP_ASSERT(G.draining);
    G.draining = was;
}

size_t tp_gc_collect(int gen) {
    if (G.in_step || G.draining || G.heap == NULL) return 0;
    if (gen < 0 || gen > 2) gen = 2;
    probe(TP_GC_WORK_STEP, 1);
    drain_all();
    tp_gc_finish_in_progress();
    tp_gc_start(gen);
    /* the stop callbacks run inside the last step: the counts are read
     * before them */
    size_t n = SIZE_MAX;
    while (G.phase != PH_IDLE) {
        if (G.phase == PH_END) n = G.n_collected + G.n_uncollectable;
        (void)tp_gc_collector_step(UINT32_MAX);
    }
    if (n == SIZE_MAX) n = G.n_collected + G.n_uncollectable;
    drain_all();
    if (G.callbacks != NULL) tp_weak_run_callbacks(UINT_MAX);
    probe(TP_GC_WORK_STEP, 0);
    return n;
}
