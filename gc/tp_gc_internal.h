// SPDX-License-Identifier: MIT
/*
 * tp_gc_internal.h - the collector's state and lists, shared by the files of
 * gc/ (tp_gc.c, tp_gc_alloc.c, tp_gc_collect.c, tp_gc_refcount.c,
 * tp_weakref.c, tp_gc_inspect.c).  Not for users.
 */
#ifndef TP_GC_INTERNAL_H
#define TP_GC_INTERNAL_H

#include "tp_gc.h"
#include "tp_port.h"

/* Phases of a collection, in order.  From PH_LEGACY on, the objects still
 * watched (white) are condemned: weak references to them read as dead. */
typedef enum {
    PH_IDLE = 0,
    PH_COUNT,    /* gc_refs := count, watch each object of the set */
    PH_SUBTRACT, /* gc_refs -= references from inside the set */
    PH_ROOTS,    /* roots -> grey, the rest -> white */
    PH_MARK,     /* what grey objects reach -> grey; traversed -> black */
    PH_LEGACY,   /* legacy finalizers and what they reach -> garbage list */
    PH_WEAKREFS, /* weak references to white objects cleared */
    PH_FINALIZE, /* finalizers of white objects run (may resurrect) */
    /* after finalizers ran: the white objects are counted again (PEP 442,
     * CPython's handle_resurrected_objects): one referenced from outside
     * them now was resurrected */
    PH_RECOUNT,    /* as PH_COUNT, over the white objects */
    PH_RESUBTRACT, /* as PH_SUBTRACT */
    PH_REROOTS,    /* as PH_ROOTS: roots are resurrected (grey) */
    PH_REMARK,   /* what resurrected objects reach survives */
    PH_CLEAR,    /* white objects cleared: their references dropped */
    PH_FREE,     /* the deallocation stack drained */
    PH_END,      /* survivors to the next generation */
} tp_gc_phase_t;

/* The order the code relies on: the set-up phases are two runs
 * (tp_gc_in_setup), and from PH_LEGACY on white objects are condemned
 * (tp_gc_condemned), the recount included. */
_Static_assert(PH_IDLE == 0 && PH_COUNT + 1 == PH_SUBTRACT && PH_SUBTRACT + 1 == PH_ROOTS &&
                   PH_ROOTS < PH_LEGACY,
               "the first set-up, then the condemned phases");
_Static_assert(PH_LEGACY < PH_RECOUNT && PH_RECOUNT + 1 == PH_RESUBTRACT &&
                   PH_RESUBTRACT + 1 == PH_REROOTS && PH_REROOTS < PH_END,
               "the recount's set-up is among the condemned phases");

/* The collector's lists, each a circular list through a sentinel head
 * allocated from the heap (so that its links can be 16-bit offsets). */
enum {
    L_GEN0,
    L_GEN1,
    L_GEN2,
    L_PERM,    /* frozen */
    L_SET,     /* the collection's set during set-up (singly linked) */
    L_GREY,
    L_BLACK,
    L_WHITE,
    L_DONE,    /* white objects a pass over L_WHITE has handled */
    L_LGREY,   /* legacy finalizers: to traverse */
    L_LEGACY,  /* legacy finalizers: traversed */
    L_GARBAGE, /* gc.garbage */
    L_COUNT
};

/* tp_gc_state.white_needs */
enum { WHITE_WEAKREFS = 1, WHITE_FINALIZER = 2 };

typedef struct {
    tp_heap_t *heap;
    uintptr_t base; /* link i is the object at base + 8 i */
    uint16_t list[L_COUNT];
    tp_gc_phase_t phase;
    int generation;    /* the generation being collected */
    uint8_t enabled;
    /* Re-entrancy.  User code (finalizers, weak-reference and gc callbacks,
     * the pacing hook) may allocate, decref and call the gc module; these
     * say what is running underneath it, and each rule is asserted where
     * the flag is set and cleared:
     *   in_step      a step runs (tp_gc_collector_step), or a gc callback or
     *                the pacing hook (they borrow it so that their
     *                allocations start no collection).  A step is never
     *                entered while one runs or deaths are unwound.
     *   draining     the deallocation stack is being unwound by a last
     *                decref, a safe point, the out-of-memory pass or
     *                tp_gc_collect: the deaths it causes join it; no step.
     *   in_oom       the out-of-memory pass runs: never nested.
     *   in_pay       a safe point's work runs: no safe point inside it.
     *   in_callbacks weak-reference callbacks run: none from inside one.
     *   in_free      how deep freeing slices nest inside a step (the
     *                probe's TP_GC_WORK_FREE), only inside a step.
     *   no_user      inside an allocation (the out-of-memory pass): no user
     *                code may run; deaths defer their finalizers, gc
     *                callbacks are owed to the next safe point. */
    uint8_t in_step;
    uint8_t draining;
    uint8_t in_oom;
    uint8_t in_pay;
    uint8_t in_callbacks;
    uint8_t in_free;
    uint8_t no_user;
    uint8_t finalized_any; /* a finalizer ran since PH_LEGACY: recount */
    uint8_t white_needs;   /* WHITE_*: what a white object of this collection
                              may need from PH_WEAKREFS and PH_FINALIZE: set
                              as objects turn white, and when a watched
                              object gains a weak reference (a counted
                              reference greys it; a weak one does not) */
    uint8_t cb_pending;    /* gc callbacks (bit = phase) owed to a safe point */
    uint8_t report_due;    /* a pacing failure to report at a safe point */
    uint8_t oom_token;     /* an out-of-memory pass ran for the allocation in
                              progress (oom_size, oom_used) */
    tp_gc_info_t cb_info;  /* what the owed stop callbacks will be told */
    uint8_t cb_start_gen;  /* and the owed start callbacks */
    size_t oom_size, oom_used, oom_footprint;
    uint8_t legacy_pass; /* PH_LEGACY: 0 = sorting white, 1 = propagating */
    uint8_t any_legacy;  /* a registered type has a legacy finalizer */
    unsigned debug;
    /* generations */
    unsigned count[3];
    unsigned threshold[3];
    size_t long_lived_total;
    size_t long_lived_pending;
    tp_gc_gen_stats_t gen_stats[3];
    /* the collection in progress */
    uint16_t cursor;   /* PH_COUNT, PH_SUBTRACT: next object of L_SET */
    tp_obj_t *cur;     /* object being traversed or cleared */
    uint32_t cur_slot;
    size_t n_collected;
    size_t n_uncollectable;
    size_t n_survivors;
    size_t n_white;     /* objects currently white (condemned from PH_LEGACY on) */
    uint8_t clear_started;
    /* the deallocation stack: dead containers whose references are still
     * to be dropped, linked through `next` */
    uint16_t dead;
    /* weak references whose callbacks are due, linked through next_cb */
    tp_weakref_t *callbacks;
    tp_weakref_t *callbacks_tail;
    /* hooks */
    struct {
        tp_gc_callback_t fn;
        void *ctx;
    } cb[TP_GC_MAX_CALLBACKS];
    tp_print_fn print;
    tp_gc_error_hook_t error_hook;
    void *error_ctx;
    tp_gc_run_stats_t run;
    /* pacing (tp_gc_config.h) */
    tp_gc_pacing_t pacing;
    size_t capacity;        /* the heap's capacity (tp_heap_capacity) */
    size_t full_trigger;    /* footprint that starts a full collection */
    size_t obj_bytes;       /* bytes of objects and their buffers in use (as asked) */
    size_t young_base;      /* obj_bytes when the last collection ended */
    size_t next_trigger;    /* young_base + the young growth */
    uint32_t since[3];      /* bytes allocated since the last collection of
                               generation >= g started */
    uint32_t rate_q8;       /* units of work owed per allocated byte x 256 */
    int32_t debt;           /* units of work owed to the collection in progress */
    uint32_t last_step_work;
    uint32_t *charge_to;    /* the budget frees are charged to (free_object,
                               tp_gc_refcount.c), or NULL */
    uint32_t coll_work;     /* units done by the collection in progress */
    uint32_t coll_set_bytes;
    uint32_t measured_per_kib[2]; /* units per KiB of set the last young [0]
                                     and full [1] collection really cost */
    /* deaths whose finalizers wait for a safe point; each holds one count */
    uint8_t ndeferred;
    tp_obj_t *deferred[TP_GC_DEFERRED_MAX];
    tp_gc_probe_t probe;
    void *probe_ctx;
    tp_gc_pacing_hook_t pacing_hook;
    tp_gc_nomem_hook_t nomem_hook;
    void *nomem_ctx;
    void *pacing_ctx;
} tp_gc_state_t;

extern tp_gc_state_t tp_gc_state;

/* A link is a container's offset from the heap's start (tp_gc_state.base)
 * in 8-byte units: every block of the heap is 8-byte aligned, and the list
 * heads, allocated as one array, each start a unit. */
_Static_assert(sizeof(tp_gc_head_t) % 8u == 0, "each list head of the array starts a link unit");

/* The container at a link; the link of a container; the container header
 * of an object; the sentinel head of list l. */
static inline tp_gc_head_t *head_at(uint16_t link) {
    return (tp_gc_head_t *)(tp_gc_state.base + ((uintptr_t)link << 3));
}
static inline uint16_t link_of(const void *p) {
    TP_ASSERT(((uintptr_t)p - tp_gc_state.base) % 8u == 0 &&
              (uintptr_t)p - tp_gc_state.base <= (uintptr_t)UINT16_MAX * 8u);
    return (uint16_t)(((uintptr_t)p - tp_gc_state.base) >> 3);
}
static inline tp_gc_head_t *head_of(tp_obj_t *o) { return (tp_gc_head_t *)(void *)o; }
static inline tp_gc_head_t *list_head(int l) { return head_at(tp_gc_state.list[l]); }

static inline int tp_gc_condemned(const tp_obj_t *o) {
    return (o->flags & TP_OF_WATCH) && tp_gc_state.phase >= PH_LEGACY;
}

/* ---- gc_refs ----
 * During a collection's set-up (PH_COUNT to PH_ROOTS, and again PH_RECOUNT
 * to PH_REROOTS) the objects of the set are on L_SET, linked through `next`
 * only, and the `prev` link of each one marked TP_OF_COUNTED holds its
 * gc_refs instead: its count, less each reference from another object of
 * the set.  PH_ROOTS clears the mark as it sorts each object out.  These
 * are the only readers and writers of gc_refs; everything else reads
 * `prev` as a link, and only where no such mark is set (the chain search of
 * tp_gc_inspect.c borrows every `prev`, only while no collection runs). */
static inline int tp_gc_in_setup(void) {
    tp_gc_phase_t p = tp_gc_state.phase;
    return (p >= PH_COUNT && p <= PH_ROOTS) || (p >= PH_RECOUNT && p <= PH_REROOTS);
}

static inline uint16_t gc_refs(const tp_gc_head_t *x) {
    TP_ASSERT((x->ob.flags & TP_OF_COUNTED) && tp_gc_in_setup());
    return x->prev;
}

static inline void set_gc_refs(tp_gc_head_t *x, uint16_t refs) {
    TP_ASSERT((x->ob.flags & TP_OF_COUNTED) && tp_gc_in_setup());
    x->prev = refs;
}

/* ---- the lists ----
 * A container marked TP_OF_COUNTED holds gc_refs in `prev` (above): the
 * doubly linked operations never take one, nor write its `prev`. */

static inline void list_init(int l) {
    tp_gc_head_t *s = list_head(l);
    s->next = s->prev = tp_gc_state.list[l];
}

static inline int list_empty(int l) { return list_head(l)->next == tp_gc_state.list[l]; }

static inline void list_unlink(tp_gc_head_t *x) {
    TP_ASSERT(!(x->ob.flags & TP_OF_COUNTED) && !(head_at(x->next)->ob.flags & TP_OF_COUNTED));
    head_at(x->prev)->next = x->next;
    head_at(x->next)->prev = x->prev;
}

static inline void list_push(int l, tp_gc_head_t *x) {
    TP_ASSERT(!(x->ob.flags & TP_OF_COUNTED));
    tp_gc_head_t *s = list_head(l);
    uint16_t xi = link_of(x);
    x->prev = s->prev;
    x->next = tp_gc_state.list[l];
    head_at(s->prev)->next = xi;
    s->prev = xi;
}

/* Moves every object of list `from` to the end of list `to`. */
static inline void list_splice(int to, int from) {
    if (list_empty(from)) return;
    tp_gc_head_t *t = list_head(to), *f = list_head(from);
    uint16_t first = f->next, last = f->prev;
    TP_ASSERT(!(head_at(first)->ob.flags & TP_OF_COUNTED));
    head_at(t->prev)->next = first;
    head_at(first)->prev = t->prev;
    head_at(last)->next = tp_gc_state.list[to];
    t->prev = last;
    list_init(from);
}

/* ---- shared helpers ---- */

/* A registered descriptor is a writable object (tp_type_register takes a
 * tp_type_t *): the collector keeps its index and counters in it. */
static inline tp_type_t *writable_type(const tp_type_t *t) { return (tp_type_t *)(uintptr_t)t; }

static inline void probe(int kind, int begin) {
    if (tp_gc_state.probe != NULL) tp_gc_state.probe(kind, begin, tp_gc_state.probe_ctx);
}

/* tp_gc.c */
void tp_gc_error(const char *what, const tp_obj_t *o);

/* tp_gc_refcount.c: the deallocation stack */
/* A dead container onto the deallocation stack (through its `next` link). */
void tp_gc_push_dead(tp_gc_head_t *h);
/* Runs clear(o) with *budget, frees charged to it as they happen. */
uint32_t tp_gc_clear_charged(tp_obj_t *o, uint32_t *budget);
/* Unwinds the deallocation stack (from its top, the newest deaths): each
 * dead container's references are dropped (which may push more), then its
 * memory freed; stops when *budget units are spent. */
void tp_gc_drain(uint32_t *budget);

/* tp_gc_collect.c */
/* Takes a tracked object (not on the set's singly linked list) off its list,
 * keeping the collection's cursors and counts right. */
void tp_gc_unlink_tracked(tp_obj_t *o);
/* One step of at most `work` units; returns 1 while the collection goes on. */
int tp_gc_collector_step(uint32_t work);
/* Steps the collection in progress, if any, to its end. */
void tp_gc_finish_in_progress(void);

/* tp_gc_alloc.c: pacing, gc callbacks, the out-of-memory pass */
/* The work rate of a collection of `gen` starting now. */
void tp_gc_plan(int gen);
/* After a full collection: the footprint that starts the next one (and
 * the young trigger). */
void tp_gc_set_full_trigger(void);
/* The objects' bytes at which the next young collection is due. */
void tp_gc_set_next_trigger(void);
/* The start (0) or stop (1) callbacks: told now, or owed to the next safe
 * point when no user code may run. */
void tp_gc_run_callbacks(int phase);
/* The allocator's out-of-memory hook (tp_heap_set_oom_hook). */
int tp_gc_oom_hook(tp_heap_t *heap, size_t size, void *ctx);

/* tp_weakref.c */
struct tp_weakref {
    tp_gc_head_t head;
    tp_obj_t *referent;   /* NULL once dead */
    tp_weakref_t *next;   /* the referent's list of weak references */
    tp_weakref_t *prev;
    tp_weak_callback_t callback;
    tp_obj_t *cb_arg;
    tp_weakref_t *next_cb; /* on tp_gc_state.callbacks */
    uint8_t proxy;
};
/* A weak reference is a container object: its header comes first. */
_Static_assert(offsetof(struct tp_weakref, head) == 0, "a weak reference starts with its header");

/* The head of o's weak reference list (o weak-referenceable). */
static inline tp_weakref_t **tp_weaklist(tp_obj_t *o) {
    return (tp_weakref_t **)(void *)((char *)o + tp_types[o->type]->weaklist_offset);
}
/* Detaches up to *budget weak references from o (all if budget is NULL),
 * queueing due callbacks; returns 1 when none is left. */
int tp_weak_detach(tp_obj_t *o, uint32_t *budget);
/* Runs at most `max` of the callbacks queued (outside any step); the rest
 * wait for the next safe point, decref or collection's end.  A callback's
 * weak reference may die with it: one callback can cost a decref's budget. */
#define TP_WEAK_CALLBACKS_PER_CALL 1u
void tp_weak_run_callbacks(unsigned max);

#endif /* TP_GC_INTERNAL_H */
