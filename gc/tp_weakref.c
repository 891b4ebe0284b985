// SPDX-License-Identifier: MIT
/*
 * tp_weakref.c - weak references and proxies.
 *
 * A weak reference is a container object (it holds its callback argument)
 * on a doubly linked list headed in its referent (the type's
 * weaklist_offset).  It does not count.  When the referent dies (refcount)
 * or is condemned by the collector, each weak reference is detached (reads
 * as dead from then on) and, if it has a callback and is not itself dead or
 * part of the same garbage, queued; callbacks run once the referent is gone,
 * outside any collector step - CPython's rules (handle_weakrefs).
 */
#include "tp_gc_internal.h"

static tp_weakref_t *as_weakref(tp_obj_t *o) { return (tp_weakref_t *)(void *)o; }

static void unlink_from_referent(tp_weakref_t *w) {
    if (w->referent == NULL) return;
    tp_weakref_t **head = tp_weaklist(w->referent);
    if (w->prev != NULL)
        w->prev->next = w->next;
    else
        *head = w->next;
    if (w->next != NULL) w->next->prev = w->prev;
    w->next = w->prev = NULL;
    w->referent = NULL;
}

static uint32_t weakref_traverse(tp_obj_t *self, uint32_t start, tp_visit_t visit, void *ctx) {
    tp_weakref_t *w = as_weakref(self);
    if (start == 0 && w->cb_arg != NULL && visit(w->cb_arg, ctx)) return 1;
    return TP_TRAVERSE_DONE;
}

static uint32_t weakref_clear(tp_obj_t *self, uint32_t *budget) {
    tp_weakref_t *w = as_weakref(self);
    unlink_from_referent(w);
    w->callback = NULL;
    tp_obj_t *arg = w->cb_arg;
    if (arg != NULL) {
        w->cb_arg = NULL;
        if (*budget > 0) (*budget)--;
        tp_decref(arg);
    }
    return 0;
}

static void weakref_dealloc(tp_obj_t *self) { unlink_from_referent(as_weakref(self)); }

tp_type_t tp_weakref_type = {
    .name = "weakref",
    .basic_size = sizeof(tp_weakref_t),
    .flags = TP_TYPE_CONTAINER,
    .traverse = weakref_traverse,
    .clear = weakref_clear,
    .dealloc = weakref_dealloc,
};

static tp_obj_t *make(tp_obj_t *referent, tp_weak_callback_t cb, tp_obj_t *arg, uint8_t proxy) {
    if (referent == NULL) {
        tp_gc_error("tp_weakref_new: NULL referent", NULL);
        return NULL;
    }
    if (tp_type_of(referent)->weaklist_offset == 0 || referent->rc == 0 ||
        tp_gc_condemned(referent))
        return NULL;
    tp_obj_t *o = tp_gc_new(&tp_weakref_type, sizeof(tp_weakref_t));
    if (o == NULL) return NULL;
    if (tp_gc_condemned(referent)) {
        /* the allocation's safe point took the collection past the weak
         * references while the referent is garbage: it is dead already */
        tp_decref(o);
        return NULL;
    }
    /* the allocation was a safe point: the referent is still alive, since
     * the caller holds a reference to it */
    tp_weakref_t *w = as_weakref(o);
    tp_weakref_t **head = tp_weaklist(referent);
    w->referent = referent;
    w->next = *head;
    w->prev = NULL;
    if (*head != NULL) (*head)->prev = w;
    *head = w;
    /* a white object reached without a count (tp_gc_get_referrers hands
     * them out) gains a weak reference: the collection's weak-reference
     * pass must not be skipped */
    if (referent->flags & TP_OF_WATCH) tp_gc_state.white_needs |= WHITE_WEAKREFS;
    w->callback = cb;
    w->proxy = proxy;
    if (arg != NULL) {
        tp_incref(arg);
        w->cb_arg = arg;
    }
    tp_gc_track(o);
    return o;
}

tp_obj_t *tp_weakref_new(tp_obj_t *referent, tp_weak_callback_t cb, tp_obj_t *arg) {
    return make(referent, cb, arg, 0);
}

tp_obj_t *tp_weakproxy_new(tp_obj_t *referent, tp_weak_callback_t cb, tp_obj_t *arg) {
    return make(referent, cb, arg, 1);
}

int tp_weakref_is_proxy(const tp_obj_t *o) {
    return o != NULL && o->type == tp_weakref_type.index &&
           ((const tp_weakref_t *)(const void *)o)->proxy;
}

static tp_obj_t *live_referent(tp_obj_t *o) {
    if (o == NULL || o->type != tp_weakref_type.index) return NULL;
    tp_obj_t *r = as_weakref(o)->referent;
    if (r == NULL || tp_gc_condemned(r)) return NULL;
    return r;
}

tp_obj_t *tp_weakref_get(tp_obj_t *o) {
    tp_obj_t *r = live_referent(o);
    if (r != NULL) tp_incref(r);
    return r;
}

tp_obj_t *tp_weakproxy_deref(tp_obj_t *o, int *dead) {
    tp_obj_t *r = live_referent(o);
    if (dead != NULL) *dead = r == NULL;
    return r;
}

size_t tp_weakref_count(const tp_obj_t *referent) {
    if (referent == NULL) {
        tp_gc_error("tp_weakref_count: NULL referent", NULL);
        return 0;
    }
    tp_obj_t *r = (tp_obj_t *)(uintptr_t)referent;
    if (tp_type_of(r)->weaklist_offset == 0 || r->rc == 0 || tp_gc_condemned(r)) return 0;
    size_t n = 0;
    for (tp_weakref_t *w = *tp_weaklist(r); w != NULL; w = w->next) n++;
    return n;
}

int tp_weak_detach(tp_obj_t *o, uint32_t *budget) {
    tp_weakref_t **head = tp_weaklist(o);
    while (*head != NULL) {
        if (budget != NULL) {
            if (*budget == 0) return 0;
            (*budget)--;
        }
        tp_weakref_t *w = *head;
        unlink_from_referent(w);
        tp_obj_t *wo = &w->head.ob;
        /* no callback for a weak reference that is dying or is garbage too */
        if (w->callback != NULL && wo->rc != 0 && !(wo->flags & TP_OF_DYING) &&
            !tp_gc_condemned(wo)) {
            tp_incref(wo); /* the queue's reference */
            w->next_cb = NULL;
            if (tp_gc_state.callbacks == NULL)
                tp_gc_state.callbacks = w;
            else
                tp_gc_state.callbacks_tail->next_cb = w;
            tp_gc_state.callbacks_tail = w;
        }
    }
    return 1;
}

void tp_weak_run_callbacks(unsigned max) {
    /* not from inside a callback: a callback's weak reference dying at its
     * end would run the next one, and so on down the queue */
    if (tp_gc_state.in_callbacks) return;
    TP_ASSERT(!tp_gc_state.no_user);
    tp_gc_state.in_callbacks = 1;
    while (tp_gc_state.callbacks != NULL && max-- > 0) {
        tp_weakref_t *w = tp_gc_state.callbacks;
        tp_gc_state.callbacks = w->next_cb;
        w->next_cb = NULL;
        tp_weak_callback_t cb = w->callback;
        if (cb != NULL) cb(&w->head.ob, w->cb_arg);
        tp_decref(&w->head.ob);
    }
    TP_ASSERT(tp_gc_state.in_callbacks);
    tp_gc_state.in_callbacks = 0;
}
