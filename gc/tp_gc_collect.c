// SPDX-License-Identifier: MIT
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

/* ======================================================================
 * Tracking
 * ====================================================================== */

/* Takes a tracked object (not on the set's singly linked list) off its list,
 * keeping the collection's cursors and counts right. */
void tp_gc_unlink_tracked(tp_obj_t *o) {
    tp_gc_head_t *h = head_of(o);
    if ((tp_gc_state.phase == PH_COUNT || tp_gc_state.phase == PH_RECOUNT) &&
        tp_gc_state.cursor == link_of(h))
        tp_gc_state.cursor = h->next;
    if (o->flags & TP_OF_WATCH) {
        /* while the white objects are recounted, they are not counted white */
        if (tp_gc_state.phase != PH_RECOUNT) tp_gc_state.n_white--;
        o->flags &= (uint8_t)~TP_OF_WATCH;
    }
    list_unlink(h);
    if (tp_gc_state.cur == o) tp_gc_state.cur = NULL;
}

void tp_gc_track(tp_obj_t *o) {
    if (o == NULL) {
        tp_gc_error("tp_gc_track: NULL object", NULL);
        return;
    }
    if (!tp_is_container(o) || (o->flags & (TP_OF_TRACKED | TP_OF_DYING | TP_OF_HUSK))) return;
    o->flags |= TP_OF_TRACKED;
    list_push(L_GEN0, head_of(o));
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
    tp_gc_state.n_white--;
    list_unlink(x);
    list_push(L_GREY, x);
}

void tp_gc_barrier(tp_obj_t *o) {
    switch (tp_gc_state.phase) {
    case PH_COUNT:
    case PH_SUBTRACT:
    case PH_RECOUNT:
    case PH_RESUBTRACT:
        tp_gc_state.run.barrier_hits++;
        o->flags = (uint8_t)((o->flags | TP_OF_DIRTY) & ~TP_OF_WATCH);
        break;
    case PH_ROOTS:
    case PH_REROOTS:
        tp_gc_state.run.barrier_hits++;
        if (o->flags & TP_OF_COUNTED)
            o->flags = (uint8_t)((o->flags | TP_OF_DIRTY) & ~TP_OF_WATCH);
        else
            grey(head_of(o));
        break;
    case PH_MARK:
    case PH_REMARK: /* (remark: reached through a resurrected object) */
        tp_gc_state.run.barrier_hits++;
        grey(head_of(o));
        break;
    case PH_LEGACY:
    case PH_WEAKREFS:
        /* a condemned object changed: only a finalizer can do that (weak
         * references read as dead): resurrected */
        tp_gc_state.run.barrier_hits++;
        tp_gc_state.run.resurrected++;
        grey(head_of(o));
        break;
    case PH_FINALIZE:
        /* a finalizer reads or changes a condemned object: whether it was
         * resurrected is decided by counting the white objects again once
         * every finalizer ran (PH_RECOUNT), not by the touch */
        tp_gc_state.run.barrier_hits++;
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
    TP_ASSERT(tp_gc_state.in_step &&
              (begin ? tp_gc_state.in_free < UINT8_MAX : tp_gc_state.in_free > 0));
    if (begin ? tp_gc_state.in_free++ == 0 : --tp_gc_state.in_free == 0)
        probe(TP_GC_WORK_FREE, begin);
}

static void drain_in_step(uint32_t *budget) {
    if (tp_gc_state.dead == 0) return;
    free_slice(1);
    tp_gc_drain(budget);
    free_slice(0);
}

void tp_gc_start(int gen) {
    if (tp_gc_state.phase != PH_IDLE || tp_gc_state.heap == NULL || gen < 0 || gen > 2) return;
    tp_gc_state.generation = gen;
    tp_gc_state.n_collected = tp_gc_state.n_uncollectable = tp_gc_state.n_survivors = 0;
    tp_gc_state.n_white = 0;
    tp_gc_state.finalized_any = 0;
    tp_gc_state.white_needs = 0;
    tp_gc_plan(gen);
    tp_gc_run_callbacks(0);
    if ((tp_gc_state.debug & TP_GC_DEBUG_STATS) && tp_gc_state.print != NULL)
        tp_gc_state.print("gc: collecting generation %d (counts %u %u %u)\n", gen,
                          tp_gc_state.count[0], tp_gc_state.count[1], tp_gc_state.count[2]);
    /* CPython's bookkeeping: the younger counts restart, the next one up
     * counts this collection */
    if (gen < 2) tp_gc_state.count[gen + 1]++;
    for (int i = 0; i <= gen; i++) tp_gc_state.count[i] = 0;
    for (int i = 0; i <= gen; i++) list_splice(L_SET, L_GEN0 + i);
    tp_gc_state.cursor = list_head(L_SET)->next;
    tp_gc_state.cur = NULL;
    tp_gc_state.cur_slot = 0;
    tp_gc_state.phase = PH_COUNT;
}

typedef struct {
    uint32_t budget;
} walk_t;

static int visit_subtract(tp_obj_t *ref, void *ctx) {
    walk_t *w = ctx;
    /* a dirty object is a root whatever its count: not counted further */
    if ((ref->flags & (TP_OF_COUNTED | TP_OF_HUSK | TP_OF_DIRTY)) == TP_OF_COUNTED) {
        tp_gc_head_t *h = head_of(ref);
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
    if (ref->flags & TP_OF_WATCH) grey(head_of(ref));
    return --w->budget == 0;
}

static int visit_mark_legacy(tp_obj_t *ref, void *ctx) {
    walk_t *w = ctx;
    if (ref->flags & TP_OF_WATCH) {
        tp_gc_head_t *h = head_of(ref);
        ref->flags &= (uint8_t)~TP_OF_WATCH;
        tp_gc_state.n_white--;
        list_unlink(h);
        list_push(L_LGREY, h);
    }
    return --w->budget == 0;
}

/* Traverses the object in hand (cur) from cur_slot with `visit`; returns 1
 * when done. */
static int traverse_cur(tp_visit_t visit, walk_t *w) {
    uint32_t next =
        tp_type_of(tp_gc_state.cur)->traverse(tp_gc_state.cur, tp_gc_state.cur_slot, visit, w);
    if (next == TP_TRAVERSE_DONE) {
        tp_gc_state.cur_slot = 0;
        return 1;
    }
    tp_gc_state.cur_slot = next;
    return 0;
}

/* Marking from list `from` (grey): traversed objects go to `to`. */
static int mark_some(int from, int to, tp_visit_t visit, walk_t *w) {
    while (w->budget > 0) {
        if (tp_gc_state.cur == NULL) {
            if (list_empty(from)) return 1;
            tp_gc_state.cur = &head_at(list_head(from)->next)->ob;
            tp_gc_state.cur_slot = 0;
        }
        w->budget--;
        if (w->budget == 0) return 0;
        if (traverse_cur(visit, w)) {
            tp_gc_head_t *h = head_of(tp_gc_state.cur);
            list_unlink(h);
            list_push(to, h);
            if (to == L_BLACK) tp_gc_state.n_survivors++;
            tp_gc_state.cur = NULL;
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
    if (tp_gc_state.print != NULL)
        tp_gc_state.print("gc: %s <%s %p>\n", what, tp_type_of(o)->name, (void *)o);
}

/* PH_COUNT (PH_RECOUNT): gc_refs := count for each object of L_SET, which
 * is watched from now on; the list becomes singly linked. */
static void phase_count(walk_t *w) {
    while (w->budget > 0 && tp_gc_state.cursor != tp_gc_state.list[L_SET]) {
        tp_gc_head_t *x = head_at(tp_gc_state.cursor);
        x->ob.flags = (uint8_t)((x->ob.flags & ~TP_OF_DIRTY) | TP_OF_WATCH | TP_OF_COUNTED);
        set_gc_refs(x, x->ob.rc);
        tp_gc_state.cursor = x->next;
        w->budget--;
    }
    if (tp_gc_state.cursor == tp_gc_state.list[L_SET]) {
        tp_gc_state.cursor = list_head(L_SET)->next;
        tp_gc_state.cur_slot = 0;
        tp_gc_state.phase = tp_gc_state.phase == PH_COUNT ? PH_SUBTRACT : PH_RESUBTRACT;
    }
}

/* PH_SUBTRACT (PH_RESUBTRACT): gc_refs -= each reference from inside the
 * set; a container is traversed in slices. */
static void phase_subtract(walk_t *w) {
    while (w->budget > 0 && tp_gc_state.cursor != tp_gc_state.list[L_SET]) {
        tp_gc_head_t *x = head_at(tp_gc_state.cursor);
        w->budget--;
        if (w->budget == 0) break;
        tp_gc_state.cur = &x->ob;
        int done = (x->ob.flags & TP_OF_HUSK) || traverse_cur(visit_subtract, w);
        tp_gc_state.cur = NULL;
        if (done) {
            tp_gc_state.cursor = x->next;
            tp_gc_state.cur_slot = 0;
        }
    }
    if (tp_gc_state.cursor == tp_gc_state.list[L_SET])
        tp_gc_state.phase = tp_gc_state.phase == PH_SUBTRACT ? PH_ROOTS : PH_REROOTS;
}

/* PH_ROOTS (PH_REROOTS): referenced from outside (gc_refs > 0) or changed
 * (DIRTY) -> grey; the rest white.  Husks (dead while counted) go to the
 * deallocation stack.  In the recount, a root is a resurrected object. */
static void phase_roots(walk_t *w) {
    tp_gc_head_t *s = list_head(L_SET);
    int recount = tp_gc_state.phase == PH_REROOTS;
    while (w->budget > 0 && s->next != tp_gc_state.list[L_SET]) {
        tp_gc_head_t *x = head_at(s->next);
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
            if (recount) tp_gc_state.run.resurrected++;
        } else {
            list_push(L_WHITE, x);
            tp_gc_state.n_white++;
            const tp_type_t *t = tp_type_of(&x->ob);
            if (t->weaklist_offset != 0 && *tp_weaklist(&x->ob) != NULL)
                tp_gc_state.white_needs |= WHITE_WEAKREFS;
            if (t->finalize != NULL && !(x->ob.flags & TP_OF_FINALIZED))
                tp_gc_state.white_needs |= WHITE_FINALIZER;
        }
    }
    if (s->next == tp_gc_state.list[L_SET]) {
        s->prev = tp_gc_state.list[L_SET]; /* empty, and doubly linked again */
        tp_gc_state.cur = NULL;
        tp_gc_state.phase = recount ? PH_REMARK : PH_MARK;
    }
}

/* PH_MARK: what grey objects reach is grey too; traversed objects are
 * black. */
static void phase_mark(walk_t *w) {
    if (mark_some(L_GREY, L_BLACK, visit_mark, w)) tp_gc_state.phase = PH_LEGACY;
}

/* PH_LEGACY: objects of legacy finalizer types among the white ones, and
 * what they reach, go to gc.garbage (uncollectable). */
static void phase_legacy(walk_t *w) {
    if (!tp_gc_state.any_legacy) {
        tp_gc_state.phase = PH_WEAKREFS;
        return;
    }
    if (tp_gc_state.legacy_pass == 0) {
        while (w->budget > 0 && !list_empty(L_WHITE)) {
            tp_gc_head_t *x = head_at(list_head(L_WHITE)->next);
            list_unlink(x);
            if (tp_type_of(&x->ob)->flags & TP_TYPE_LEGACY_FINALIZER) {
                x->ob.flags &= (uint8_t)~TP_OF_WATCH;
                tp_gc_state.n_white--;
                list_push(L_LGREY, x);
            } else {
                list_push(L_DONE, x);
            }
            w->budget--;
        }
        if (!list_empty(L_WHITE)) return;
        list_splice(L_WHITE, L_DONE);
        tp_gc_state.legacy_pass = 1;
        tp_gc_state.cur = NULL;
    }
    if (!mark_some(L_LGREY, L_LEGACY, visit_mark_legacy, w)) return;
    /* everything they reach is uncollectable: gc.garbage holds it */
    while (w->budget > 0 && !list_empty(L_LEGACY)) {
        tp_gc_head_t *x = head_at(list_head(L_LEGACY)->next);
        list_unlink(x);
        list_push(L_GARBAGE, x);
        hold(&x->ob);
        tp_gc_state.n_uncollectable++;
        if (tp_gc_state.debug & TP_GC_DEBUG_UNCOLLECTABLE) print_object("uncollectable", &x->ob);
        w->budget--;
    }
    if (!list_empty(L_LEGACY)) return;
    tp_gc_state.legacy_pass = 0;
    tp_gc_state.phase = PH_WEAKREFS;
}

/* PH_WEAKREFS: weak references to white objects detached (they read as
 * dead from PH_LEGACY on); their callbacks queued. */
static void phase_weakrefs(walk_t *w) {
    if (!(tp_gc_state.white_needs & WHITE_WEAKREFS)) { /* no pass over the white objects */
        tp_gc_state.phase = PH_FINALIZE;
        return;
    }
    while (w->budget > 0 && !list_empty(L_WHITE)) {
        tp_gc_head_t *x = head_at(list_head(L_WHITE)->next);
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
    tp_gc_state.phase = PH_FINALIZE;
}

/* PH_FINALIZE: the finalizers of white objects run; if any did, the white
 * objects are counted again (PH_RECOUNT) to find what they resurrected. */
static void phase_finalize(walk_t *w) {
    if (!(tp_gc_state.white_needs & WHITE_FINALIZER)) {
        tp_gc_state.cur = NULL;
        tp_gc_state.clear_started = 0;
        tp_gc_state.phase = list_empty(L_GREY) ? PH_CLEAR : PH_REMARK;
        return;
    }
    while (w->budget > 0 && !list_empty(L_WHITE)) {
        tp_gc_head_t *x = head_at(list_head(L_WHITE)->next);
        w->budget--;
        const tp_type_t *t = tp_type_of(&x->ob);
        if (t->finalize != NULL && !(x->ob.flags & TP_OF_FINALIZED)) {
            if (tp_gc_state.no_user) {
                /* inside an allocation no finalizer may run: the object
                 * (and what it reaches, at remark) survives this
                 * collection, its finalizer still to run */
                grey(x);
                continue;
            }
            list_unlink(x);
            list_push(L_DONE, x);
            x->ob.flags |= TP_OF_FINALIZED;
            tp_gc_state.finalized_any = 1;
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
    if (tp_gc_state.finalized_any && tp_gc_state.dead != 0) {
        drain_in_step(&w->budget);
        if (tp_gc_state.dead != 0) return;
    }
    list_splice(L_WHITE, L_DONE);
    tp_gc_state.cur = NULL;
    tp_gc_state.clear_started = 0;
    if (tp_gc_state.finalized_any) {
        /* count the white objects again: PH_COUNT's work over them alone */
        list_splice(L_SET, L_WHITE);
        tp_gc_state.n_white = 0;
        tp_gc_state.cursor = list_head(L_SET)->next;
        tp_gc_state.cur_slot = 0;
        tp_gc_state.phase = PH_RECOUNT;
        return;
    }
    tp_gc_state.phase = list_empty(L_GREY) ? PH_CLEAR : PH_REMARK;
}

/* PH_REMARK: as PH_MARK, from the objects the finalizers resurrected. */
static void phase_remark(walk_t *w) {
    if (mark_some(L_GREY, L_BLACK, visit_mark, w)) tp_gc_state.phase = PH_CLEAR;
}

/* PH_CLEAR: white objects cleared (their references dropped, which frees
 * them), or kept on gc.garbage with TP_GC_DEBUG_SAVEALL; timed as freeing. */
static void clear_white(walk_t *w) {
    if (!tp_gc_state.clear_started) {
        /* what is white now is the garbage found: resurrected objects are
         * not counted (PEP 442) */
        tp_gc_state.clear_started = 1;
        tp_gc_state.n_collected = tp_gc_state.n_white;
        if (tp_gc_state.debug & TP_GC_DEBUG_COLLECTABLE) /* debug output: not bounded */
            for (uint16_t i = list_head(L_WHITE)->next; i != tp_gc_state.list[L_WHITE];
                 i = head_at(i)->next)
                print_object("collectable", &head_at(i)->ob);
    }
    while (w->budget > 0) {
        if (tp_gc_state.cur == NULL) {
            if (list_empty(L_WHITE)) break;
            tp_gc_head_t *x = head_at(list_head(L_WHITE)->next);
            if (tp_gc_state.debug & TP_GC_DEBUG_SAVEALL) {
                list_unlink(x);
                x->ob.flags &= (uint8_t)~TP_OF_WATCH;
                tp_gc_state.n_white--;
                list_push(L_GARBAGE, x);
                hold(&x->ob);
                w->budget--;
                continue;
            }
            tp_gc_state.cur = &x->ob;
            hold(tp_gc_state.cur);
        }
        tp_obj_t *o = tp_gc_state.cur;
        if (tp_gc_clear_charged(o, &w->budget) != 0) return;
        if (w->budget > 0) w->budget--;
        /* cleared; it dies when the last reference from the garbage goes */
        tp_gc_state.cur = NULL;
        list_unlink(head_of(o));
        list_push(L_DONE, head_of(o));
        unhold(o);
    }
    if (tp_gc_state.cur != NULL || !list_empty(L_WHITE)) return;
    /* the garbage's deaths first: they drop the last references to the rest */
    drain_in_step(&w->budget);
    if (tp_gc_state.dead != 0) return;
    /* anything cleared but still alive was not garbage after all (a type
     * whose clear keeps references): it survives */
    while (w->budget > 0 && !list_empty(L_DONE)) {
        tp_gc_head_t *x = head_at(list_head(L_DONE)->next);
        x->ob.flags &= (uint8_t)~TP_OF_WATCH;
        tp_gc_state.n_white--;
        list_unlink(x);
        list_push(L_BLACK, x);
        tp_gc_state.n_collected--;
        tp_gc_state.n_survivors++;
        w->budget--;
    }
    if (list_empty(L_DONE)) tp_gc_state.phase = PH_FREE;
}

static void phase_clear(walk_t *w) {
    free_slice(1);
    clear_white(w);
    free_slice(0);
}

/* PH_FREE: the deallocation stack drained. */
static void phase_free(walk_t *w) {
    drain_in_step(&w->budget);
    if (tp_gc_state.dead == 0) tp_gc_state.phase = PH_END;
}

/* PH_END: survivors to the next generation, statistics, the next triggers. */
static void phase_end(void) {
    int gen = tp_gc_state.generation;
    int to = gen < 2 ? L_GEN0 + gen + 1 : L_GEN2;
    list_splice(to, L_BLACK);
    list_splice(to, L_GREY);
    if (gen == 1) tp_gc_state.long_lived_pending += tp_gc_state.n_survivors;
    if (gen == 2) {
        tp_gc_state.long_lived_pending = 0;
        tp_gc_state.long_lived_total = tp_gc_state.n_survivors;
    }
    tp_gc_state.gen_stats[gen].collections++;
    tp_gc_state.gen_stats[gen].collected += (uint32_t)tp_gc_state.n_collected;
    tp_gc_state.gen_stats[gen].uncollectable += (uint32_t)tp_gc_state.n_uncollectable;
    tp_gc_state.phase = PH_IDLE;
    tp_gc_state.debt = 0;
    tp_gc_state.young_base = tp_gc_state.obj_bytes;
    tp_gc_set_next_trigger();
    if (gen == 2) tp_gc_set_full_trigger();
    if ((tp_gc_state.debug & TP_GC_DEBUG_STATS) && tp_gc_state.print != NULL)
        tp_gc_state.print("gc: done, %u unreachable, %u uncollectable\n",
                          (unsigned)tp_gc_state.n_collected, (unsigned)tp_gc_state.n_uncollectable);
}

/* One phase's work, as much as the budget allows; the phase moves on when
 * its work is done. */
static void single_step(walk_t *w) {
    switch (tp_gc_state.phase) {
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
    if (tp_gc_state.phase == PH_IDLE) return 0;
    walk_t w = {work};
    TP_ASSERT(!tp_gc_state.in_step && !tp_gc_state.draining);
    tp_gc_state.in_step = 1;
    tp_gc_state.run.steps++;
    /* a collection's own deaths first: nothing below runs with them pending */
    drain_in_step(&w.budget);
    while (w.budget > 0 && tp_gc_state.phase != PH_IDLE) single_step(&w);
    uint32_t done = work - w.budget;
    if (done > tp_gc_state.run.max_step_work) tp_gc_state.run.max_step_work = done;
    tp_gc_state.last_step_work = done;
    tp_gc_state.run.work_total += done;
    tp_gc_state.coll_work += done;
    if (tp_gc_state.phase == PH_IDLE) {
        tp_gc_state.run.last_work = tp_gc_state.coll_work;
        tp_gc_state.run.last_set_bytes = tp_gc_state.coll_set_bytes;
        if (tp_gc_state.coll_set_bytes >= 1024u) /* big enough to say something */
            tp_gc_state.measured_per_kib[tp_gc_state.generation == 2] =
                (uint32_t)(((uint64_t)tp_gc_state.coll_work << 10) / tp_gc_state.coll_set_bytes);
    }
    TP_ASSERT(tp_gc_state.in_step && tp_gc_state.in_free == 0);
    tp_gc_state.in_step = 0;
    if (tp_gc_state.phase == PH_IDLE) {
        if (tp_gc_state.callbacks != NULL && !tp_gc_state.no_user)
            tp_weak_run_callbacks(TP_WEAK_CALLBACKS_PER_CALL);
        tp_gc_run_callbacks(1);
        return 0;
    }
    return 1;
}

int tp_gc_step(uint32_t work) {
    if (tp_gc_state.in_step || tp_gc_state.draining || tp_gc_state.heap == NULL)
        return tp_gc_state.phase != PH_IDLE;
    probe(TP_GC_WORK_STEP, 1);
    /* at least 8 units: a step must get past one object's own unit */
    int more = tp_gc_collector_step(work == 0 ? TP_GC_STEP_WORK : work < 8u ? 8u : work);
    probe(TP_GC_WORK_STEP, 0);
    /* the program drives the collection: the callbacks it queued, all */
    if (!more && tp_gc_state.callbacks != NULL) tp_weak_run_callbacks(UINT_MAX);
    return more;
}

void tp_gc_finish_in_progress(void) {
    while (tp_gc_state.phase != PH_IDLE) (void)tp_gc_collector_step(UINT32_MAX);
}

/* Frees every pending death now (the program asked for a collection). */
static void drain_all(void) {
    TP_ASSERT(!tp_gc_state.in_step);
    uint8_t was = tp_gc_state.draining;
    tp_gc_state.draining = 1;
    while (tp_gc_state.ndeferred > 0) {
        tp_obj_t *o = tp_gc_state.deferred[--tp_gc_state.ndeferred];
        tp_gc_state.run.deferred_finalizers = tp_gc_state.ndeferred;
        tp_decref(o);
    }
    uint32_t b = UINT32_MAX;
    tp_gc_drain(&b);
    TP_ASSERT(tp_gc_state.draining);
    tp_gc_state.draining = was;
}

size_t tp_gc_collect(int gen) {
    if (tp_gc_state.in_step || tp_gc_state.draining || tp_gc_state.heap == NULL) return 0;
    if (gen < 0 || gen > 2) gen = 2;
    probe(TP_GC_WORK_STEP, 1);
    drain_all();
    tp_gc_finish_in_progress();
    tp_gc_start(gen);
    /* the stop callbacks run inside the last step: the counts are read
     * before them */
    size_t n = SIZE_MAX;
    while (tp_gc_state.phase != PH_IDLE) {
        if (tp_gc_state.phase == PH_END) n = tp_gc_state.n_collected + tp_gc_state.n_uncollectable;
        (void)tp_gc_collector_step(UINT32_MAX);
    }
    if (n == SIZE_MAX) n = tp_gc_state.n_collected + tp_gc_state.n_uncollectable;
    drain_all();
    if (tp_gc_state.callbacks != NULL) tp_weak_run_callbacks(UINT_MAX);
    probe(TP_GC_WORK_STEP, 0);
    return n;
}
