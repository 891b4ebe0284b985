// SPDX-License-Identifier: MIT
/*
 * gc_types.h - small object types for the collector's tests (host and
 * target): a two-slot node, a growable vector (big containers, sliced
 * traversal, moves), an atomic leaf, and variants with finalizers.
 * The real built-in types live in objects/; these exist so gc/ is tested on
 * its own.
 */
#ifndef TESTS_GC_TYPES_H
#define TESTS_GC_TYPES_H

#include "tp_gc.h"

typedef struct {
    tp_gc_head_t head;
    tp_obj_t *a;
    tp_obj_t *b;
    tp_weakref_t *weaklist;
    int32_t id;
} tt_node_t;

typedef struct {
    tp_gc_head_t head;
    tp_obj_t **items;
    uint32_t len, cap;
    tp_weakref_t *weaklist;
    int32_t id;
} tt_vec_t;

typedef struct {
    tp_obj_t ob;
    int32_t value;
    tp_weakref_t *weaklist;
} tt_leaf_t;

extern tp_type_t tt_node_type;    /* container */
extern tp_type_t tt_fnode_type;   /* container with a finalizer (calls tt_finalize_hook) */
extern tp_type_t tt_legacy_type;  /* container with a legacy finalizer */
extern tp_type_t tt_vec_type;     /* container, any size */
extern tp_type_t tt_leaf_type;    /* atomic */

/* Called by the finalizers of fnode and legacy objects. */
extern void (*tt_finalize_hook)(tp_obj_t *self);
extern unsigned tt_finalized;      /* finalizer calls */
extern unsigned tt_freed;          /* objects of these types freed */
/* Called as each object of these types is freed (after its references are gone). */
extern void (*tt_free_hook)(tp_obj_t *self);
/* The id (node, vec) or value (leaf) an object was made with. */
int32_t tt_id(tp_obj_t *o);

/* Registers the types (after tp_gc_init); 0 on success. */
int tt_register(void);

tp_obj_t *tt_node(int32_t id);
tp_obj_t *tt_fnode(int32_t id);
tp_obj_t *tt_legacy(int32_t id);
tp_obj_t *tt_leaf(int32_t value);
tp_obj_t *tt_vec(void);
tp_obj_t *tt_vec_id(int32_t id);

/* node.a / node.b := v (v borrowed; NULL clears). */
void tt_set_a(tp_obj_t *node, tp_obj_t *v);
void tt_set_b(tp_obj_t *node, tp_obj_t *v);
tp_obj_t *tt_a(tp_obj_t *node); /* borrowed */

/* Vector operations; v borrowed unless "steal".  Return 0, or -1 on out of
 * memory / out of range. */
int tt_vec_append(tp_obj_t *vec, tp_obj_t *v);
int tt_vec_insert(tp_obj_t *vec, uint32_t i, tp_obj_t *v);
tp_obj_t *tt_vec_pop(tp_obj_t *vec, uint32_t i); /* new reference (moved out) */
int tt_vec_del(tp_obj_t *vec, uint32_t i);
int tt_vec_set(tp_obj_t *vec, uint32_t i, tp_obj_t *v);
tp_obj_t *tt_vec_get(tp_obj_t *vec, uint32_t i); /* borrowed */
uint32_t tt_vec_len(tp_obj_t *vec);
/* Reverses the items in place (moves without count changes). */
void tt_vec_reverse(tp_obj_t *vec);

#endif /* TESTS_GC_TYPES_H */
