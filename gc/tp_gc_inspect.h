// SPDX-License-Identifier: MIT
/*
 * tp_gc_inspect.h - what the heap of objects holds, and why an object is
 * still alive: Python's heapy (objects and bytes per type), gc.get_referrers,
 * and objgraph's chain from a root, for the collector of tp_gc.h.
 *
 * None of it allocates: results go to arrays the caller provides, printing
 * goes through a printf-like callback (as tp_heap_print_stats does).
 *
 * What is counted where:
 *   - every object made by tp_gc_new counts in its type's live_objects and
 *     live_bytes (tp_obj.h) from tp_gc_new until its memory is freed: tracked
 *     containers, untracked ones (a tuple of atoms, a memoryview) and atomic
 *     objects (str, int) alike.  Bytes are the size the object was created
 *     with (tp_gc_new's size), not the allocator's block, which rounds up and
 *     may be a few bytes bigger; buffers an object owns (a list's item array,
 *     a dict's table) are blocks of their own and count in no type.  Keeping
 *     the counters costs a few instructions per object made and freed (see
 *     docs/gc.md, "Inspecting the heap of objects").
 *   - immortal objects that are not on the heap (the small ints and the
 *     one-character strings in flash) are counted nowhere; an object whose
 *     count saturated is on the heap and stays counted, since it is never
 *     freed.
 *   - blocks waiting on a type's free list are not objects: the printed
 *     table shows them on a line of their own.
 *
 * Not from interrupt handlers (like the rest of gc/).
 */
#ifndef TP_GC_INSPECT_H
#define TP_GC_INSPECT_H

#include <stddef.h>
#include <stdint.h>

#include "tp_gc.h"
#include "tp_port.h"

/* ---- objects and bytes per type ---- */

/* Where a tracked container is: its generation's list, the frozen one,
 * gc.garbage, or the set of the collection in progress. */
enum {
    TP_GC_AT_GEN0,
    TP_GC_AT_GEN1,
    TP_GC_AT_GEN2,
    TP_GC_AT_FROZEN,
    TP_GC_AT_GARBAGE,
    TP_GC_AT_COLLECTING,
    TP_GC_AT_COUNT
};

typedef struct {
    const tp_type_t *type;
    uint32_t objects;                 /* alive on the heap, tracked or not */
    uint32_t bytes;                   /* the sizes they were created with */
    uint32_t tracked[TP_GC_AT_COUNT]; /* of them, tracked containers on each list;
                                         the rest are untracked or dying */
} tp_gc_type_row_t;

/* One row per registered type, in registration order, into rows[0..max);
 * returns how many types are registered (rows needed).  O(types + tracked
 * containers).  Works at any time, a collection in progress included: it
 * only reads. */
size_t tp_gc_type_rows(tp_gc_type_row_t *rows, size_t max);
/* The row of one type; 0, or -1 if the type is not registered or row is
 * NULL.  O(tracked containers). */
int tp_gc_type_row(const tp_type_t *type, tp_gc_type_row_t *row);

/* Prints the types that have objects, by bytes (most first): objects,
 * bytes, the tracked ones per list and the untracked ones; then the totals
 * and how they add up to the heap's bytes in use.  Needs no memory: O(types
 * with containers x tracked containers) time. */
void tp_gc_print_type_stats(tp_print_fn print);

/* ---- referrers ---- */

/* Up to `max` tracked containers whose traverse visits obj (borrowed), each
 * once however many references it holds; returns how many there are in all.
 * Like gc.get_referrers: containers the collector does not track (a tuple
 * of atoms, a memoryview) and references from C variables are not seen.
 * During a collection, garbage already condemned is left out (it must not
 * be handed to the program).  O(tracked containers + their references).
 * obj NULL: reported through the error hook, returns 0. */
size_t tp_gc_get_referrers(tp_obj_t *obj, tp_obj_t **out, size_t max);

/* ---- what keeps an object alive ---- */

/* A "root" is a tracked container referenced from outside the tracked
 * containers: its count exceeds the references other tracked containers
 * hold to it (the collector's count and subtract phases, over every list).
 * What references it is invisible here: a C variable, a static, an
 * untracked container, gc.garbage. */
typedef enum {
    /* answers: path[0..len) is filled */
    TP_GC_PATH_FROM_ROOT = 0,  /* path[0] is a root, each object holds the next,
                                  path[len-1] is obj: a shortest such chain */
    TP_GC_PATH_HELD_DIRECTLY,  /* obj's own count exceeds the references tracked
                                  containers hold to it: path = {obj} */
    TP_GC_PATH_IMMORTAL,       /* static, in flash, or its count saturated: never
                                  freed; path = {obj} */
    TP_GC_PATH_UNREACHABLE,    /* no root reaches obj: only containers in unreachable
                                  cycles hold it, and a collection of their
                                  generations frees it; len 0 */
    /* errors: nothing found, nothing changed */
    TP_GC_PATH_ERR_ARG,        /* obj NULL or dead, or tp_gc_init not called */
    TP_GC_PATH_ERR_BUSY,       /* called from inside the collector: a finalizer, a
                                  weak-reference or gc callback, a deallocation */
    TP_GC_PATH_ERR_COLLECTING, /* a collection is in progress (see below) */
    TP_GC_PATH_ERR_TOO_LONG,   /* the chain has more than `max` objects; *len says
                                  how many */
} tp_gc_path_status_t;

/* Finds what keeps obj alive, as a chain from a root (breadth-first, so no
 * chain is shorter).  caller_refs: references the caller itself holds to
 * obj (e.g. 1 after tp_weakref_get), which do not count as keeping it
 * alive.  path[0..*len) receives the chain, borrowed.
 *
 * Runs only while no collection is in progress, and refuses otherwise
 * (TP_GC_PATH_ERR_COLLECTING): it borrows the `prev` link of every tracked
 * container (the field a collection keeps its counts in) and rebuilds the
 * links from the `next` ones before it returns, leaving every list exactly
 * as it was.  Finishing the collection instead could free obj under the
 * caller's pointer if it is garbage.  Finish it with tp_gc_collect, or
 * tp_gc_step until it returns 0, and ask again.
 *
 * Allocates nothing.  O(D x T + E): T tracked containers, E references they
 * hold, D the length of the chain (or, when there is none, the longest
 * distance from a root): each level of the search walks the lists once. */
tp_gc_path_status_t tp_gc_path_to_root(tp_obj_t *obj, unsigned caller_refs, tp_obj_t **path,
                                       size_t max, size_t *len);
const char *tp_gc_path_status_name(tp_gc_path_status_t status);

/* How to print objects beyond their type name and address; either member
 * may be NULL.  The objects layer has one (tp_objects_describer). */
typedef struct {
    /* Writes a short description of o (a repr) into buf, NUL-terminated;
     * returns the length it needed. */
    size_t (*object)(tp_obj_t *o, char *buf, size_t size);
    /* Names the reference from `from` to `to` ("[3]", "['key']", ".next")
     * into buf; returns 0 when it cannot. */
    size_t (*edge)(tp_obj_t *from, tp_obj_t *to, char *buf, size_t size);
} tp_gc_describer_t;

/* Prints a result of tp_gc_path_to_root: one line for the answer, then one
 * per object of the chain (type name, address, and what `describe` adds). */
void tp_gc_print_path(tp_obj_t *obj, tp_gc_path_status_t status, tp_obj_t *const *path, size_t len,
                      tp_print_fn print, const tp_gc_describer_t *describe);

/* Both at once, with a chain of at most TP_GC_PRINT_PATH_MAX objects on the
 * stack; returns the status. */
#ifndef TP_GC_PRINT_PATH_MAX
#define TP_GC_PRINT_PATH_MAX 16
#endif
tp_gc_path_status_t tp_gc_print_path_to_root(tp_obj_t *obj, unsigned caller_refs, tp_print_fn print,
                                             const tp_gc_describer_t *describe);

#endif /* TP_GC_INSPECT_H */
