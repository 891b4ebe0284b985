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

/* Steps taken per container allocation while a collection is in progress:
 * the pacing.  A collection of S objects with E references costs about
 * 3S + 2E units, so it finishes within (3S + 2E) / (TP_GC_STEP_WORK *
 * TP_GC_STEPS_PER_ALLOC) allocations.  >= 1. */
#ifndef TP_GC_STEPS_PER_ALLOC
#define TP_GC_STEPS_PER_ALLOC 1
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
#if TP_GC_STEPS_PER_ALLOC < 1
#error "TP_GC_STEPS_PER_ALLOC must be at least 1"
#endif
#if TP_GC_MAX_TYPES < 2 || TP_GC_MAX_TYPES > 255
#error "TP_GC_MAX_TYPES must be 2..255"
#endif

#endif /* TP_GC_CONFIG_H */
