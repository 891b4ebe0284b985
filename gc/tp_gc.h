// SPDX-License-Identifier: MIT
/*
 * tp_gc.h - reference counting plus an incremental, bounded-pause,
 * generational cycle collector (CPython's algorithm, in steps).
 *
 * Objects die when their count reaches 0 (tp_obj.h).  Containers are also
 * on one of three generation lists; the collector finds unreachable cycles
 * among them: for every object of the generations collected (the "set"),
 * take its count, subtract each reference that comes from another object of
 * the set; objects left with a count > 0 are referenced from outside (roots);
 * what the roots reach survives; the rest is garbage and is cleared, which
 * breaks the cycles, and refcounting frees the memory.
 *
 * Incremental, with a hard bound on each pause.  A collection runs as steps
 * of at most TP_GC_STEP_WORK units of work, taken at safe points (the start
 * of every tp_gc_new) while the program runs in between.  Every phase
 * is split: counting, subtracting, sorting out the roots, marking, the weak
 * references, finalizers, clearing, freeing - and a big container is
 * traversed or cleared a slice at a time.  The program may change anything
 * between steps; what keeps the result right is the barrier:
 *   - each object of the set carries the WATCH flag until it is known to be
 *     reachable; tp_incref/tp_decref of a watched object call tp_gc_barrier;
 *   - while counts are being taken, a watched object whose count changes is
 *     made a root (its count can no longer be trusted);
 *   - while marking, it is marked reachable at once (greyed);
 *   - a container that moves a reference without a count change (hands it to
 *     its caller, shifts items, rehashes) calls tp_gc_moved on it, which
 *     does the same.
 * So an object still unmarked at the end kept the same count and the same
 * incoming references throughout, all from unreachable objects of the set:
 * it is garbage.  Weak references read as dead from that moment on.
 *
 * Pacing by bytes (tp_gc_config.h; the rule, its arithmetic and its
 * guarantee in docs/gc.md).  Every byte the program takes from the objects'
 * heap counts: objects, and the buffers they own (tp_gc_buf_*).  A full
 * collection starts when the heap's footprint reaches a trigger set after
 * the last one; a young one after a share of the heap was allocated; the
 * generation thresholds (700, 10, 10: container counts, as in CPython) are
 * a further trigger.  While a collection runs, each allocated byte owes it
 * work at a rate set so that it ends before half the free space is used,
 * and each safe point pays at most TP_GC_CALL_WORK units: no call into the
 * runtime does more memory-management work than that.  A collection of
 * generation N includes the younger ones; survivors move one up.
 *
 * Bounded deallocation.  The last decref of a container frees at most
 * TP_GC_CALL_WORK units' worth of objects; the rest of the structure is
 * pending (tp_gc_get_run_stats: pending_objects, pending_bytes) and freed
 * by the next safe points, a budget at a time.
 *
 * Finalizers (PEP 442): run once per object; an object may resurrect itself
 * or others, and then it and what it reaches survive; the rest of the
 * garbage is still freed.  Whether a finalizer resurrected anything is
 * decided by counting the garbage again after the finalizers ran (as
 * CPython does): a finalizer that only reads its peers resurrects nothing.
 * Objects of TP_TYPE_LEGACY_FINALIZER types found in unreachable cycles go
 * to the garbage list instead (uncollectable).
 *
 * User code (finalizers, weak-reference callbacks, gc callbacks, the
 * pacing hook) runs only at safe points, in tp_decref, tp_gc_step and
 * tp_gc_collect - never inside an allocation: an object that dies there
 * keeps its finalizer for the next safe point.
 *
 * Out of memory (the allocator's hook, inside the failing allocation): one
 * pass of at most TP_GC_CALL_WORK units - the types' free lists given back,
 * pending deaths freed, the collection in progress advanced - then a retry,
 * and NULL (MemoryError in objects/) if that did not free enough.  With the
 * collector enabled it counts as a pacing failure (reported through the
 * pacing hook at the next safe point).  TP_GC_OOM_POLICY=TP_GC_OOM_FINISH
 * finishes the collection instead (stop-the-world).  Disabled, the
 * collector never collects, not even there.
 *
 * Not from interrupt handlers: objects are created, changed and freed from
 * thread context only (one thread, or the caller serialises).
 *
 * The contract on reference-count errors and bad arguments (every build;
 * each reported through the error hook, tp_gc_set_error_hook, and the heap
 * left intact):
 *   - a decref of an object whose count is already 0 - one decref too many,
 *     on a dying object, or on a freed one (a freed block's first word reads
 *     as a count of 0, alloc/tp_alloc.h) - changes nothing;
 *   - an object whose count is smaller than the references to it found by
 *     a collection (a decref too many while referenced from a cycle, or a
 *     reference moved without tp_gc_moved) is kept and made immortal: a
 *     leak, never a use after free;
 *   - NULL for an object or an output buffer: an error value, nothing
 *     written (see "objects" below);
 * and an allocation that finds no memory returns NULL (objects/ records
 * TP_ERR_NOMEM, MemoryError).  Not caught: an incref of a freed object (it changes the
 * block's mark: the allocator reports it when the block leaves its free
 * list), and any use of an object after its memory was handed out again.
 *
 * Memory: objects are blocks of the alloc/ heap given to tp_gc_init; that
 * heap must span at most 512 KiB (16-bit links).
 */
#ifndef TP_GC_H
#define TP_GC_H

#include <stddef.h>
#include <stdint.h>

#include "tp_alloc.h"
#include "tp_obj.h"
#include "tp_port.h"

/* ---- set-up ---- */

/* The largest heap the collector takes: its links are 16-bit counts of
 * 8-byte units from the heap's start.  On a part with more RAM, give the
 * collector a sub-heap: tp_heap_init on a block of at most this many bytes
 * (malloc'd from the big heap, or a static array). */
#define TP_GC_MAX_HEAP_BYTES (65535u * 8u)

/* Makes the collector use `heap` for objects (and for 8-byte list heads it
 * allocates now) and installs its out-of-memory hook.  Returns 0, or -1 if
 * the heap spans more than TP_GC_MAX_HEAP_BYTES (said through tp_port_print)
 * or has no room.  Calling it again starts over: every object of the
 * previous heap is forgotten (tests use this). */
int tp_gc_init(tp_heap_t *heap);
tp_heap_t *tp_gc_heap(void);

/* Registers a type; returns 0, or -1 when TP_GC_MAX_TYPES are in use or the
 * descriptor is inconsistent (a container without traverse or clear).
 * Registering the same descriptor twice is a no-op. */
int tp_type_register(tp_type_t *type);

/* ---- objects ----
 * A NULL object or NULL output pointer given to the functions below is
 * reported through the error hook (tp_gc_set_error_hook) and answered with
 * 0 or NULL; nothing is written.  tp_weakref_get and tp_weakproxy_deref
 * answer NULL for NULL without a report (a dead weak reference reads so). */

/* A new object of `type`, `size` bytes (>= the header: 4, or 8 for a
 * container), count 1, flags 0, the rest zeroed.  A safe point: pending
 * frees and finalizers, and the collection's work (at most TP_GC_CALL_WORK
 * units in all) may run first, and a collection may start.  Returns NULL
 * when memory is exhausted after the bounded out-of-memory pass.
 * A container must be tracked (tp_gc_track) once its fields are valid. */
tp_obj_t *tp_gc_new(const tp_type_t *type, size_t size);
/* tp_gc_new on behalf of the caller's caller: the tracking build
 * (TP_ALLOC_TRACK, alloc/tp_track.h) records `site` as the object's call site
 * (the objects/ constructors pass their callers' this way). */
#if TP_ALLOC_TRACK
tp_obj_t *tp_gc_new_at(const tp_type_t *type, size_t size, const void *site);
#define TP_GC_NEW_AT(type, size, site) tp_gc_new_at((type), (size), (site))
#else
#define TP_GC_NEW_AT(type, size, site) ((void)(site), tp_gc_new((type), (size)))
#endif
void tp_gc_track(tp_obj_t *container);
/* Takes a container off the collector's lists (it is then never collected);
 * during a collection's set-up the request is ignored (it stays tracked). */
void tp_gc_untrack(tp_obj_t *container);
int tp_gc_is_tracked(const tp_obj_t *o);
int tp_gc_is_finalized(const tp_obj_t *o);

/* A container moved the reference `ref` without changing its count (popped
 * it to its caller, shifted it to another slot, rehashed).  Cheap when no
 * collection is in progress.  NULL is ignored. */
static inline void tp_gc_moved(tp_obj_t *ref) {
    if (ref != NULL && (ref->flags & TP_OF_WATCH)) tp_gc_barrier(ref);
}

/* Up to `max` objects of generation `gen` (0..2; 3 = frozen, 4 = garbage),
 * borrowed; returns how many there are.  O(objects of the generation). */
size_t tp_gc_get_objects(int gen, tp_obj_t **out, size_t max);

/* Up to `max` references held by o (borrowed), as its traverse visits them;
 * returns how many it holds in all.  NULL: reported through the error hook,
 * 0.  Referrers, per-type statistics and the chain that keeps an object
 * alive: tp_gc_inspect.h. */
size_t tp_gc_get_referents(tp_obj_t *o, tp_obj_t **out, size_t max);

/* ---- the gc module ---- */

void tp_gc_enable(void);
void tp_gc_disable(void);
int tp_gc_is_enabled(void);

/* Collects generation 0..2 (2 = full) now, to the end (stop-the-world:
 * the program asked): frees every pending death and finishes a collection
 * in progress first.  Returns the number of unreachable objects found
 * (collected + uncollectable; resurrected objects are not counted).  Called
 * from a finalizer or callback while a step runs, returns 0 and does nothing. */
size_t tp_gc_collect(int generation);

void tp_gc_get_count(unsigned counts[3]);
void tp_gc_get_threshold(unsigned thresholds[3]);
void tp_gc_set_threshold(unsigned t0, unsigned t1, unsigned t2);

/* Moves every tracked object to a permanent generation the collector
 * ignores (finishing a collection in progress first); unfreeze moves them
 * back to the oldest generation. */
void tp_gc_freeze(void);
void tp_gc_unfreeze(void);
size_t tp_gc_get_freeze_count(void); /* O(frozen objects) */

typedef struct {
    uint32_t collections;
    uint32_t collected;
    uint32_t uncollectable;
} tp_gc_gen_stats_t;
void tp_gc_get_stats(int generation, tp_gc_gen_stats_t *out);

/* ---- buffers that objects own ----
 * A type's buffers (a list's item array, a dict's table, a string table)
 * come from the objects' heap through these, so that the pacing counts
 * their bytes as it counts the objects'.  They are not safe points: nothing
 * of the collector runs in them, and at out of memory only the bounded
 * out-of-memory pass (no user code).  realloc and free are told the size
 * the buffer had: the collector keeps the objects' bytes in use exact
 * (tp_gc_get_run_stats: obj_bytes), which its young trigger follows. */
void *tp_gc_buf_alloc(size_t size);
void *tp_gc_buf_calloc(size_t n, size_t size);
void *tp_gc_buf_realloc(void *ptr, size_t old_size, size_t size);
void tp_gc_buf_free(void *ptr, size_t size); /* size: as allocated; NULL ignored */

/* ---- pacing (the rule and its guarantee: docs/gc.md) ---- */
typedef struct {
    unsigned full_trigger_pct; /* TP_GC_FULL_TRIGGER_PCT, 1..100 */
    unsigned young_permille;   /* TP_GC_YOUNG_PERMILLE, 1..1000 */
    unsigned work_per_kib;     /* TP_GC_WORK_PER_KIB, 1..65535 */
    unsigned call_work;        /* TP_GC_CALL_WORK, TP_GC_STEP_WORK..65535 */
} tp_gc_pacing_t;
void tp_gc_get_pacing(tp_gc_pacing_t *out);
/* Returns 0, or -1 (nothing changed) for NULL or a value out of range. */
int tp_gc_set_pacing(const tp_gc_pacing_t *pacing);

/* A pacing failure: memory ran out while the collector was enabled (the
 * pacing did not free memory in time).  The hook runs at the next safe
 * point, never inside the allocation that failed. */
typedef struct {
    uint32_t failures;  /* pacing failures so far */
    size_t footprint;   /* the heap's footprint when memory ran out */
    size_t capacity;
    size_t size;        /* the request that found no memory */
} tp_gc_pacing_failure_t;
typedef void (*tp_gc_pacing_hook_t)(const tp_gc_pacing_failure_t *failure, void *ctx);
void tp_gc_set_pacing_hook(tp_gc_pacing_hook_t hook, void *ctx);

/* A probe around every slice of memory-management work the runtime does on
 * the program's behalf (for benchmarks: begin = 1 before, 0 after).  Kinds: */
#define TP_GC_WORK_ALLOC 0  /* a safe point: pending frees, finalizers, steps */
#define TP_GC_WORK_DECREF 1 /* a last decref: frees, within TP_GC_CALL_WORK */
#define TP_GC_WORK_OOM 2    /* an out-of-memory pass */
#define TP_GC_WORK_STEP 3   /* tp_gc_step, tp_gc_collect (the program asked) */
#define TP_GC_WORK_COLLECT 4 /* nested in ALLOC or OOM: the collection's steps */
#define TP_GC_WORK_FREE 5    /* nested in a step: freeing the dead - the garbage's
                                references dropped, its memory freed (what
                                refcounting does for acyclic garbage) */
typedef void (*tp_gc_probe_t)(int kind, int begin, void *ctx);
void tp_gc_set_probe(tp_gc_probe_t probe, void *ctx);

/* Incremental control.  tp_gc_start begins a collection of `generation` (if
 * none is in progress) without doing work; tp_gc_step does one step of at
 * most `work` units (0: TP_GC_STEP_WORK) and returns 1 while the collection
 * is still in progress, 0 when it is over. */
void tp_gc_start(int generation);
int tp_gc_step(uint32_t work);
int tp_gc_in_progress(void);
const char *tp_gc_phase_name(void);

typedef struct {
    uint32_t steps;            /* steps taken (all collections) */
    uint32_t max_step_work;    /* most units done by one step */
    uint32_t barrier_hits;     /* objects made roots or greyed by the barrier */
    uint32_t resurrected;      /* objects that survived because a finalizer
                                  resurrected them */
    uint32_t pending_callbacks;
    uint32_t errors;           /* decref of a dead object, etc. */
    /* the program-level figures */
    uint32_t oom_passes;       /* allocations that found no memory: passes of the hook */
    uint32_t pacing_failures;  /* of those, with the collector enabled */
    uint32_t max_work_alloc;   /* most units of work one safe point did */
    uint32_t max_work_decref;  /* most units one last decref did */
    uint32_t max_work_oom;     /* most units one out-of-memory pass did */
    uint32_t work_total;       /* units of work done in all (steps, frees) */
    uint32_t pending_objects;  /* dead objects not freed yet (bounded deallocation) */
    uint32_t pending_bytes;    /* their bytes (as created) */
    uint32_t deferred_finalizers; /* deaths whose finalizers wait for a safe point */
    uint32_t full_starts;      /* collections started by occupancy */
    uint32_t young_starts;     /* collections started by bytes allocated */
    uint32_t last_work;        /* units of work of the last collection */
    uint32_t last_set_bytes;   /* the bytes its pacing took for its set */
    uint32_t obj_bytes;        /* bytes of objects and their buffers in use */
} tp_gc_run_stats_t;
void tp_gc_get_run_stats(tp_gc_run_stats_t *out);

/* Start/stop callbacks (gc.callbacks): phase 0 = start, 1 = stop. */
typedef struct {
    int generation;
    size_t collected;
    size_t uncollectable;
} tp_gc_info_t;
typedef void (*tp_gc_callback_t)(int phase, const tp_gc_info_t *info, void *ctx);
int tp_gc_add_callback(tp_gc_callback_t cb, void *ctx);
void tp_gc_remove_callback(tp_gc_callback_t cb, void *ctx);

/* Debug flags (gc.set_debug). */
#define TP_GC_DEBUG_STATS 0x01u         /* print a line at the start and end of
                                           each collection */
#define TP_GC_DEBUG_COLLECTABLE 0x02u   /* print each collectable object found */
#define TP_GC_DEBUG_UNCOLLECTABLE 0x04u /* print each uncollectable object */
#define TP_GC_DEBUG_SAVEALL 0x20u       /* keep the garbage on the garbage list
                                           instead of freeing it */
#define TP_GC_DEBUG_LEAK (TP_GC_DEBUG_COLLECTABLE | TP_GC_DEBUG_UNCOLLECTABLE | TP_GC_DEBUG_SAVEALL)
void tp_gc_set_debug(unsigned flags);
unsigned tp_gc_get_debug(void);
void tp_gc_set_print(tp_print_fn print);

/* gc.garbage: the objects kept (SAVEALL, or uncollectable), each holding a
 * reference from the list.  Fills up to `max` (borrowed) and returns the
 * count; clear drops the list's references. */
size_t tp_gc_garbage(tp_obj_t **out, size_t max);
void tp_gc_garbage_clear(void);

/* Errors (decref of an object whose count is already 0, ...) are counted and
 * reported through this hook. */
typedef void (*tp_gc_error_hook_t)(const char *what, const tp_obj_t *o, void *ctx);
/* Called when an object or a buffer of the objects' heap cannot be had
 * (after the out-of-memory pass), whoever asked - a constructor, a weak
 * reference, a container growing: objects/ records MemoryError with it. */
typedef void (*tp_gc_nomem_hook_t)(size_t size, void *ctx);
void tp_gc_set_nomem_hook(tp_gc_nomem_hook_t hook, void *ctx);
void tp_gc_set_error_hook(tp_gc_error_hook_t hook, void *ctx);

/* ---- weak references (gc/tp_weakref.c) ---- */

/* A weak reference to `referent` (whose type must be weak-referenceable):
 * it does not count.  `callback` (optional) is called with the weak reference
 * after the referent is gone, unless the weak reference itself died first or
 * is part of the same garbage; `cb_arg` (optional) is an object the weak
 * reference holds for the callback.  NULL if the type is not
 * weak-referenceable or memory is exhausted. */
typedef void (*tp_weak_callback_t)(tp_obj_t *weakref, tp_obj_t *cb_arg);
tp_obj_t *tp_weakref_new(tp_obj_t *referent, tp_weak_callback_t callback, tp_obj_t *cb_arg);
/* A proxy: the same, but reading through it when dead is an error. */
tp_obj_t *tp_weakproxy_new(tp_obj_t *referent, tp_weak_callback_t callback, tp_obj_t *cb_arg);
/* The referent as a NEW reference, or NULL once it is dead or condemned. */
tp_obj_t *tp_weakref_get(tp_obj_t *weakref);
/* For a proxy: the referent, borrowed, or NULL and *dead set to 1 (Python's
 * ReferenceError). */
tp_obj_t *tp_weakproxy_deref(tp_obj_t *proxy, int *dead);
int tp_weakref_is_proxy(const tp_obj_t *o);
size_t tp_weakref_count(const tp_obj_t *referent);
extern tp_type_t tp_weakref_type;

#endif /* TP_GC_H */
