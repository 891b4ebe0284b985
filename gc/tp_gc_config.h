// SPDX-License-Identifier: MIT
/*
 * tp_gc_config.h - compile-time settings of the collector, with their
 * invariants.  A board (board.mk, GC_FLAGS) or a build overrides them with -D.
 */
#ifndef TP_GC_CONFIG_H
#define TP_GC_CONFIG_H

/* Generation thresholds, CPython's defaults.  threshold0: a generation-0
 * collection starts when allocations minus deallocations of container
 * objects exceed it; threshold1 (threshold2): every that many collections of
 * generation 0 (1) also collect generation 1 (2).  Changeable at run time
 * with tp_gc_set_threshold.  Each >= 1 (0 disables automatic collection of
 * that generation, as in CPython). */
#ifndef TP_GC_THRESHOLD0
#define TP_GC_THRESHOLD0 700
#endif
#ifndef TP_GC_THRESHOLD1
#define TP_GC_THRESHOLD1 10
#endif
#ifndef TP_GC_THRESHOLD2
#define TP_GC_THRESHOLD2 10
#endif

/* Work done by one incremental step, in units: one unit per object set up,
 * moved or cleared and per reference visited.  This is what bounds a pause:
 * a step costs a constant plus this many units (each unit a few tens of
 * instructions; docs/gc.md has the measured figures).  >= 8. */
#ifndef TP_GC_STEP_WORK
#define TP_GC_STEP_WORK 18
#endif

/* ---- pacing by bytes (docs/gc.md, "Pacing: the rule and its guarantee") ----
 * Every byte the program takes from the objects' heap (objects, and the
 * buffers they own through tp_gc_buf_*) is counted.  A collection starts
 * when one of these holds (at a safe point: the start of tp_gc_new):
 *   - occupancy: the heap's footprint reached the full-collection trigger,
 *     set after each full collection to
 *         after + (capacity - after) * TP_GC_FULL_TRIGGER_PCT / 100
 *     (a full collection);
 *   - growth: the footprint grew by TP_GC_YOUNG_PERMILLE of the capacity
 *     since the last collection ended (a young collection: generation 0, or
 *     an older one when the generation thresholds say so);
 *   - the generation thresholds above (container counts), as in CPython.
 * While a collection runs, each allocated byte adds work to a debt, at a
 * rate set when it starts so that it ends before half the free space left
 * is allocated:
 *     rate = TP_GC_WORK_PER_KIB x (bytes of its set) / ((capacity - footprint) / 2)
 * and every safe point pays the debt, at most TP_GC_CALL_WORK units of work
 * per call (the pause bound the program sees).  Changeable at run time
 * (tp_gc_set_pacing). */

/* Full collection trigger: the share of the free space after the last full
 * collection that may be used before the next starts.  1..100. */
#ifndef TP_GC_FULL_TRIGGER_PCT
#define TP_GC_FULL_TRIGGER_PCT 25
#endif
/* Young collection: after the footprint grew by this share of the heap's
 * capacity (in 1/1000: 40 = 4 %).  1..1000. */
#ifndef TP_GC_YOUNG_PERMILLE
#define TP_GC_YOUNG_PERMILLE 40
#endif
/* The estimated work of a collection, in units per KiB of objects in its
 * set (measured: docs/gc.md).  >= 1. */
#ifndef TP_GC_WORK_PER_KIB
#define TP_GC_WORK_PER_KIB 320
#endif
/* The most work (units) of memory management one call into the runtime
 * does: a safe point's steps and pending frees, a decref's frees, an
 * out-of-memory pass.  >= TP_GC_STEP_WORK. */
#ifndef TP_GC_CALL_WORK
#define TP_GC_CALL_WORK 30
#endif
/* The live fraction (percent of the heap's capacity) under which the
 * pacing guarantee holds (docs/gc.md), for heaps of at least
 * TP_GC_GUARANTEE_MIN_BYTES (below it, one pool page per size class is too
 * big a share of the heap).  Informative: the tests and the bench check
 * them; nothing in the collector depends on them. */
#ifndef TP_GC_LIVE_PCT
#define TP_GC_LIVE_PCT 50
#endif
#ifndef TP_GC_GUARANTEE_MIN_BYTES
#define TP_GC_GUARANTEE_MIN_BYTES (8u * 1024u)
#endif

/* What an allocation that finds no memory does (the out-of-memory hook).
 *   TP_GC_OOM_BOUNDED (default): give back the types' free lists, free
 *     pending deaths and advance the collection in progress, at most
 *     TP_GC_CALL_WORK units of work, then fail cleanly (NULL, MemoryError)
 *     if that freed nothing that fits;
 *   TP_GC_OOM_FINISH: finish the collection in progress (or run a full
 *     one) at once: stop-the-world, counted as a pacing failure.
 * Neither runs user code (finalizers, callbacks) inside the allocation:
 * finalizers of objects found dead are deferred to the next safe point. */
#define TP_GC_OOM_BOUNDED 0
#define TP_GC_OOM_FINISH 1
#ifndef TP_GC_OOM_POLICY
#define TP_GC_OOM_POLICY TP_GC_OOM_BOUNDED
#endif

/* Finalizers of objects that died where user code may not run (inside an
 * allocation), run at the next safe point.  The out-of-memory pass frees no
 * more than this many objects' worth of references at once.  >= 4. */
#ifndef TP_GC_DEFERRED_MAX
#define TP_GC_DEFERRED_MAX 16
#endif

/* Types that can be registered (an object's header holds its type as an
 * 8-bit index; index 0 is reserved).  2..255.  Costs a pointer each. */
#ifndef TP_GC_MAX_TYPES
#define TP_GC_MAX_TYPES 32
#endif

/* Start/stop callbacks that can be registered. */
#ifndef TP_GC_MAX_CALLBACKS
#define TP_GC_MAX_CALLBACKS 4
#endif

#if TP_GC_STEP_WORK < 8
#error "TP_GC_STEP_WORK must be at least 8"
#endif
#if TP_GC_CALL_WORK < TP_GC_STEP_WORK
#error "TP_GC_CALL_WORK must be at least TP_GC_STEP_WORK"
#endif
#if TP_GC_FULL_TRIGGER_PCT < 1 || TP_GC_FULL_TRIGGER_PCT > 100
#error "TP_GC_FULL_TRIGGER_PCT must be 1..100"
#endif
#if TP_GC_YOUNG_PERMILLE < 1 || TP_GC_YOUNG_PERMILLE > 1000
#error "TP_GC_YOUNG_PERMILLE must be 1..1000"
#endif
#if TP_GC_WORK_PER_KIB < 1
#error "TP_GC_WORK_PER_KIB must be at least 1"
#endif
#if TP_GC_DEFERRED_MAX < 4
#error "TP_GC_DEFERRED_MAX must be at least 4"
#endif
#if TP_GC_OOM_POLICY != TP_GC_OOM_BOUNDED && TP_GC_OOM_POLICY != TP_GC_OOM_FINISH
#error "TP_GC_OOM_POLICY must be TP_GC_OOM_BOUNDED or TP_GC_OOM_FINISH"
#endif
#if TP_GC_MAX_TYPES < 2 || TP_GC_MAX_TYPES > 255
#error "TP_GC_MAX_TYPES must be 2..255"
#endif

#endif /* TP_GC_CONFIG_H */
