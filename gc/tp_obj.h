// SPDX-License-Identifier: MIT
/*
 * tp_obj.h - the object header, type descriptors and reference counting.
 *
 * Every object starts with a 4-byte header:
 *
 *     bits  0..15  reference count (saturating: 0xFFFF = immortal)
 *     bits 16..23  type (index into the type registry)
 *     bits 24..31  the collector's flags
 *
 * A container (an object that can hold references: TP_TYPE_CONTAINER) has
 * 4 more bytes right after it: two 16-bit links (next, prev) that put it on
 * one of the collector's lists.  A link is the object's offset from the
 * heap's start in 8-byte units, so 16 bits reach 512 KiB of heap.  So an
 * atomic object costs 4 bytes of header and a container 8 - CPython needs 8
 * and 16 on a 32-bit machine.
 *
 * A 16-bit count is enough: an object with 65535 references would need at
 * least 256 KiB of RAM holding pointers to it.  The count saturates instead
 * of wrapping: an object that reaches 0xFFFF is immortal (never freed).
 *
 * Reference rules (as in CPython's C API):
 *   - a function that returns an object returns a NEW reference (the caller
 *     owns it and must tp_decref it) unless its comment says "borrowed";
 *   - a function that takes an object borrows it (the caller keeps its
 *     reference) unless its comment says it "steals" it;
 *   - a container that stores an object holds its own reference (incref on
 *     store, decref on removal), and must tell the collector about any
 *     reference it moves without a count change (tp_gc_moved): see tp_gc.h.
 */
#ifndef TP_OBJ_H
#define TP_OBJ_H

#include <stddef.h>
#include <stdint.h>

#include "tp_gc_config.h"

typedef struct tp_obj {
    uint16_t rc;
    uint8_t type;
    uint8_t flags;
} tp_obj_t;

/* The layout the word at the top of this file describes, which gc/ and the
 * allocator rely on: the count is the first half-word (a freed block's
 * first word reads as a count of 0: alloc/tp_alloc.h), the type an 8-bit
 * index into the registry. */
_Static_assert(sizeof(tp_obj_t) == 4, "the object header is 4 bytes");
_Static_assert(offsetof(tp_obj_t, rc) == 0 && sizeof(((tp_obj_t *)0)->rc) == 2,
               "the count is the header's first 16 bits");
_Static_assert(offsetof(tp_obj_t, type) == 2 && offsetof(tp_obj_t, flags) == 3,
               "the type and the flags are the header's third and fourth bytes");
_Static_assert(TP_GC_MAX_TYPES - 1 <= UINT8_MAX, "a type index fits the header's type byte");

/* The header of a container: the object header and the collector's links. */
typedef struct {
    tp_obj_t ob;
    uint16_t next;
    uint16_t prev; /* during set-up of a collection: the object's gc_refs */
} tp_gc_head_t;

/* A container is its object header followed by the two links (the
 * collector casts one to the other), 8 bytes in all: one unit of the links
 * (an offset in 8-byte units). */
_Static_assert(offsetof(tp_gc_head_t, ob) == 0, "a container starts with the object header");
_Static_assert(offsetof(tp_gc_head_t, next) == 4 && offsetof(tp_gc_head_t, prev) == 6,
               "the links follow the object header");
_Static_assert(sizeof(tp_gc_head_t) == 8, "a container's header is 8 bytes");

#define TP_RC_IMMORTAL 0xFFFFu
_Static_assert(TP_RC_IMMORTAL == UINT16_MAX, "immortal is the count's largest value");

/* Object flags (tp_obj_t.flags). */
#define TP_OF_TRACKED 0x01u   /* on one of the collector's lists */
#define TP_OF_WATCH 0x02u     /* in the collection's set, not yet known reachable:
                                 any count change or move calls tp_gc_barrier */
#define TP_OF_DIRTY 0x04u     /* count changed during set-up: a root */
#define TP_OF_COUNTED 0x08u   /* set-up phase: prev holds gc_refs, list singly linked */
#define TP_OF_FINALIZED 0x10u /* its finalizer has run */
#define TP_OF_HUSK 0x20u      /* died during set-up: memory freed by the collector */
#define TP_OF_DYING 0x40u     /* on the deallocation stack */
_Static_assert((TP_OF_TRACKED | TP_OF_WATCH | TP_OF_DIRTY | TP_OF_COUNTED | TP_OF_FINALIZED |
                TP_OF_HUSK | TP_OF_DYING) <= UINT8_MAX,
               "the flags fit the header's flags byte");

/* A weak reference (gc/tp_weakref.c).  A weak-referenceable type has a
 * `tp_weakref_t *` field (zeroed at creation) at its weaklist_offset. */
typedef struct tp_weakref tp_weakref_t;

/* ---- type descriptors ---- */

/* Called for each reference; returns non-zero to stop the traversal after
 * this reference (the collector's work budget is spent). */
typedef int (*tp_visit_t)(tp_obj_t *ref, void *ctx);

#define TP_TRAVERSE_DONE UINT32_MAX

typedef struct tp_type {
    const char *name;
    uint16_t basic_size;      /* bytes of a fixed-size object (header included) */
    uint16_t weaklist_offset; /* where a `tp_obj_t *` heads its weak references;
                                 0: not weak-referenceable */
    uint8_t flags;            /* TP_TYPE_* (8 bits, so the descriptor stays 40 bytes) */
    uint8_t index;            /* set by tp_type_register */
    /* Kept by the collector from registration on (gc/tp_gc_inspect.h): the
     * objects of the type alive on the heap, and below the bytes they were
     * created with.  Immortal objects in flash are not on the heap: not
     * counted.  16 bits are enough: a heap of at most 512 KiB holds fewer
     * than 65536 blocks of 8 bytes. */
    uint16_t live_objects;
    /* Visits the references held, in a fixed slot order from slot `start`,
     * skipping empty slots; stops early when visit returns non-zero.
     * Returns the slot to resume from, or TP_TRAVERSE_DONE.  Containers only. */
    uint32_t (*traverse)(tp_obj_t *self, uint32_t start, tp_visit_t visit, void *ctx);
    /* Drops held references (empties the slot, then decrefs), one unit of
     * *budget each, stopping when *budget reaches 0, and leaves a valid
     * object; returns how many references are still held (0: none, and
     * traverse then visits nothing).  Containers only. */
    uint32_t (*clear)(tp_obj_t *self, uint32_t *budget);
    /* Runs at most once per object (PEP 442), before it dies; may resurrect
     * it by storing a new reference to it.  Optional. */
    void (*finalize)(tp_obj_t *self);
    /* Frees what the object owns besides references (buffers), after clear.
     * Optional.  The object's own memory is freed by the collector. */
    void (*dealloc)(tp_obj_t *self);
    /* Optional per-type free list (level +3, alloc/tp_alloc.h): objects of the
     * type are then all freelist->block_size bytes, recycled through it. */
    struct tp_freelist_s *freelist;
    /* The size an object was created with (tp_gc_new's size), for a type
     * whose objects differ in size (str, tuple).  NULL: every object of the
     * type is basic_size bytes, and tp_gc_new refuses another size. */
    size_t (*size_of)(const tp_obj_t *self);
    uint32_t live_bytes;
} tp_type_t;

/* Descriptors live in RAM (the collector writes their index and counters):
 * packed to 40 bytes on a 32-bit target (8-bit flags, the counters beside
 * the index). */
_Static_assert(sizeof(void *) != 4 || sizeof(tp_type_t) == 40,
               "a type descriptor is 40 bytes on a 32-bit target");

#define TP_TYPE_CONTAINER 0x1u        /* holds references: tracked by the collector */
#define TP_TYPE_LEGACY_FINALIZER 0x2u /* finalize may not run in a cycle: such
                                         objects (and what they reach) found in
                                         unreachable cycles go to the garbage
                                         list, uncollected (CPython's tp_del) */

/* The registry: type index -> descriptor.  Index 0 is the collector's own. */
extern const tp_type_t *tp_types[TP_GC_MAX_TYPES];

static inline const tp_type_t *tp_type_of(const tp_obj_t *o) { return tp_types[o->type]; }
static inline int tp_is_container(const tp_obj_t *o) {
    return (tp_types[o->type]->flags & TP_TYPE_CONTAINER) != 0;
}

/* ---- reference counting ---- */

/* Out of line: the collector's barrier (an object of the collection's set
 * changed) and the last decref (the object dies). */
void tp_gc_barrier(tp_obj_t *o);
void tp_obj_release(tp_obj_t *o);

static inline void tp_incref(tp_obj_t *o) {
    if (o->rc != TP_RC_IMMORTAL) o->rc = (uint16_t)(o->rc + 1u);
    if (o->flags & TP_OF_WATCH) tp_gc_barrier(o);
}

static inline void tp_xincref(tp_obj_t *o) {
    if (o != NULL) tp_incref(o);
}

static inline void tp_decref(tp_obj_t *o) {
    if (o->flags & TP_OF_WATCH) tp_gc_barrier(o);
    uint16_t rc = o->rc;
    if (rc == TP_RC_IMMORTAL) return;
    if (rc <= 1u) {
        tp_obj_release(o); /* 1: dies; 0: reported as an error */
        return;
    }
    o->rc = (uint16_t)(rc - 1u);
}

static inline void tp_xdecref(tp_obj_t *o) {
    if (o != NULL) tp_decref(o);
}

/* The object's reference count (TP_RC_IMMORTAL for an immortal object). */
static inline unsigned tp_getrefcount(const tp_obj_t *o) { return o->rc; }

#endif /* TP_OBJ_H */
