// SPDX-License-Identifier: MIT
/*
 * tp_objects.h - the built-in object types: level +3 of the memory pyramid.
 *
 *   +3  objects/   int float str bytes bytearray tuple list dict instance view,
 *                  identity caches, interning, per-type free lists, copy
 *   +2  gc/        object header, refcounting, the cycle collector, weakrefs
 *   +1  alloc/     pools and size classes, the large-block path
 *
 * Every object lives in the collector's heap (tp_gc_init), except the
 * identity caches, which are immortal and CONST: the small ints -5..256, the
 * 128 one-character ASCII strings and the empty string are in flash and cost
 * no RAM.  An immortal object's header is never written (its count is
 * 0xFFFF, which incref/decref leave alone), so it may sit in read-only memory.
 *
 * Which objects are the same object (Python's `is`):
 *   - tp_int_new(v) for -5 <= v <= 256 always returns the same object; other
 *     values make a new object each time (an int of 1000 is not cached);
 *   - a string of one ASCII character, and the empty string, are cached
 *     whatever made them;
 *   - tp_str_new(literal) INTERNS an identifier-like literal ([A-Za-z0-9_],
 *     at most TP_STR_INTERN_MAX bytes): two calls with "python" give the same
 *     object, as CPython does for identifier-like constants.  Strings built at
 *     run time (tp_str_from, tp_str_concat) are not interned unless passed to
 *     tp_str_intern.  The intern table holds no reference: an interned string
 *     dies like any other and leaves the table then.
 *
 * Reference rules are CPython's (see gc/tp_obj.h): every function returning
 * an object returns a NEW reference, including the getters (tp_list_get,
 * tp_dict_get, tp_getattr); arguments are borrowed; containers keep their own
 * references.  The exception is tp_dict_next, whose key and value are
 * borrowed (documented there).
 *
 * Errors are values.  A function that fails returns NULL (or -1) and records
 * an error code, readable with tp_err() until tp_err_clear(); nothing is
 * changed by a failing call unless its comment says so.  The codes:
 *   TP_ERR_NOMEM      out of memory (after the collector's out-of-memory pass)
 *   TP_ERR_INDEX      index out of range (Python's IndexError)
 *   TP_ERR_KEY        key not in the dict (KeyError)
 *   TP_ERR_ATTRIBUTE  no such attribute (AttributeError)
 *   TP_ERR_TYPE       wrong type for the operation, or unhashable key (TypeError)
 *   TP_ERR_VALUE      bad value (ValueError), e.g. a byte outside 0..255
 *   TP_ERR_OVERFLOW   an int result outside int32_t, a string over 65535 bytes
 *   TP_ERR_REFERENCE  a weak proxy whose referent is gone (ReferenceError)
 *   TP_ERR_RECURSION  deepcopy/repr/eq nested deeper than TP_OBJ_MAX_DEPTH
 * Passing NULL where an object is required is TP_ERR_TYPE, never a crash.
 *
 * Not for interrupt handlers (like gc/): one thread of control.
 *
 * Set-up: tp_gc_init(heap) then tp_objects_init(), before any other type is
 * registered (the cached objects in flash carry fixed type indices).
 */
#ifndef TP_OBJECTS_H
#define TP_OBJECTS_H

#include <stddef.h>
#include <stdint.h>

#include "tp_gc.h"
#include "tp_gc_inspect.h"
#include "tp_objects_config.h"
#include "tp_port.h"

/* ---- set-up, errors ---- */

/* Registers the built-in types and resets the free lists and the intern
 * table (each tp_gc_init starts a new heap).  Returns 0, or -1 if the types
 * cannot get their fixed indices (another type was registered first). */
int tp_objects_init(void);

typedef enum {
    TP_OK = 0,
    TP_ERR_NOMEM,
    TP_ERR_INDEX,
    TP_ERR_KEY,
    TP_ERR_ATTRIBUTE,
    TP_ERR_TYPE,
    TP_ERR_VALUE,
    TP_ERR_OVERFLOW,
    TP_ERR_REFERENCE,
    TP_ERR_RECURSION,
} tp_err_t;

tp_err_t tp_err(void); /* the last error recorded (TP_OK if none since clear) */
void tp_err_clear(void);
const char *tp_err_name(tp_err_t err); /* "IndexError", ... */

/* ---- any object ---- */

const char *tp_type_name(const tp_obj_t *o);
int tp_is(const tp_obj_t *o, const tp_type_t *type);
/* Python's sys.getrefcount(o): the count plus the call's own argument, so a
 * list bound to one name reads 2.  An immortal object reads 65536. */
unsigned tp_sys_getrefcount(const tp_obj_t *o);
/* Length of a str, bytes, bytearray, tuple, list, dict or view; -1 (TYPE). */
long tp_len(const tp_obj_t *o);
/* 1 equal, 0 not, -1 error.  Numbers compare by value (1 == 1.0), str and
 * bytes by content, tuples and lists item by item; other objects by identity. */
int tp_eq(tp_obj_t *a, tp_obj_t *b);
/* Hash of an immutable object (int, float, str, bytes, tuple of hashables,
 * instances by identity); -1 and TP_ERR_TYPE for list, dict, bytearray, view. */
int tp_hash(tp_obj_t *o, uint32_t *out);
/* Python's repr into buf (always NUL-terminated; "..." when cut); returns the
 * length it needed (size 0: only that, buf may be NULL).  A NULL buf with a
 * size is ValueError and 0.  A container that contains itself prints as
 * [...] / {...}. */
size_t tp_repr(tp_obj_t *o, char *buf, size_t size);

/* ---- int: int32_t, small ints -5..256 cached in flash, a free list ---- */

extern tp_type_t tp_int_type;
tp_obj_t *tp_int_new(int32_t value);
int32_t tp_int_value(const tp_obj_t *o); /* 0 and TP_ERR_TYPE if not an int */
tp_obj_t *tp_int_add(tp_obj_t *a, tp_obj_t *b); /* OVERFLOW outside int32_t */

/* ---- float: double, a free list ---- */

extern tp_type_t tp_float_type;
tp_obj_t *tp_float_new(double value);
double tp_float_value(const tp_obj_t *o); /* ints convert; 0.0 and TYPE otherwise */

/* ---- str: immutable bytes of text (ASCII/UTF-8, not checked), <= 65535 ---- */

extern tp_type_t tp_str_type;
tp_obj_t *tp_str_new(const char *literal); /* interned if identifier-like */
tp_obj_t *tp_str_from(const char *data, size_t len); /* not interned */
tp_obj_t *tp_str_concat(tp_obj_t *a, tp_obj_t *b);
/* Python's sys.intern: the interned string equal to s (s itself if it
 * becomes the interned one). */
tp_obj_t *tp_str_intern(tp_obj_t *s);
int tp_str_is_interned(const tp_obj_t *s);
const char *tp_str_data(const tp_obj_t *s); /* NUL-terminated; "" if not a str */
size_t tp_str_intern_count(void);           /* strings in the intern table */

/* ---- bytes (immutable) and bytearray (mutable contents, fixed length) ---- */

extern tp_type_t tp_bytes_type;
extern tp_type_t tp_bytearray_type;
tp_obj_t *tp_bytes_new(const void *data, size_t len);     /* data NULL: zeros */
tp_obj_t *tp_bytearray_new(const void *data, size_t len); /* data NULL: zeros */
/* The bytes of a bytes or bytearray (NULL and TYPE otherwise). */
const uint8_t *tp_bytes_data(const tp_obj_t *o);
int tp_bytearray_set(tp_obj_t *ba, long index, int value); /* INDEX, VALUE, TYPE */

/* ---- tuple (immutable) ---- */

extern tp_type_t tp_tuple_type;
tp_obj_t *tp_tuple_new(size_t n, tp_obj_t *const items[]); /* items borrowed */
tp_obj_t *tp_tuple_get(tp_obj_t *t, long index);           /* negative from the end */

/* ---- list: items in a separately allocated array, grows by ~1/8 ---- */

extern tp_type_t tp_list_type;
tp_obj_t *tp_list_new(void);
int tp_list_append(tp_obj_t *l, tp_obj_t *item);
tp_obj_t *tp_list_get(tp_obj_t *l, long index);
int tp_list_set(tp_obj_t *l, long index, tp_obj_t *item);
int tp_list_insert(tp_obj_t *l, long index, tp_obj_t *item); /* clamps like Python */
tp_obj_t *tp_list_pop(tp_obj_t *l, long index);               /* -1: the last */
int tp_list_del(tp_obj_t *l, long index);
int tp_list_reverse(tp_obj_t *l);

/* ---- dict: hash table in insertion order (CPython's compact dict) ---- */

extern tp_type_t tp_dict_type;
tp_obj_t *tp_dict_new(void);
int tp_dict_set(tp_obj_t *d, tp_obj_t *key, tp_obj_t *value); /* TYPE if unhashable */
tp_obj_t *tp_dict_get(tp_obj_t *d, tp_obj_t *key);             /* KEY if missing */
int tp_dict_del(tp_obj_t *d, tp_obj_t *key);
int tp_dict_contains(tp_obj_t *d, tp_obj_t *key); /* 1, 0, -1 */
/* Convenience: the key is tp_str_new(key). */
int tp_dict_set_str(tp_obj_t *d, const char *key, tp_obj_t *value);
tp_obj_t *tp_dict_get_str(tp_obj_t *d, const char *key);
/* Iteration in insertion order: start with *pos = 0; returns 1 with the next
 * key and value BORROWED (valid until the dict changes), 0 at the end.
 * Changing the dict while iterating is not detected: don't. */
int tp_dict_next(tp_obj_t *d, size_t *pos, tp_obj_t **key, tp_obj_t **value);

/* ---- instances of user classes ---- */

/* A class: a static description.  Attributes live in the instance itself
 * (a small table keyed by the names, as CPython 3.11+ keeps them inline),
 * so an instance is one object. */
typedef struct tp_class {
    const char *name;
    /* __del__: runs once before the instance dies (PEP 442: may resurrect
     * it; in an unreachable cycle it runs too, then the cycle is freed). */
    void (*del)(tp_obj_t *self);
    uint32_t flags; /* TP_CLASS_* */
} tp_class_t;
#define TP_CLASS_NO_WEAKREF 0x1u /* like __slots__ without __weakref__: 4 bytes less */

tp_obj_t *tp_instance_new(const tp_class_t *cls);
const tp_class_t *tp_instance_class(const tp_obj_t *o); /* NULL if not an instance */
int tp_is_instance(const tp_obj_t *o);
/* Attributes, of an instance or through a weak proxy to one (a dead proxy
 * is TP_ERR_REFERENCE). */
int tp_setattr(tp_obj_t *o, const char *name, tp_obj_t *value);
tp_obj_t *tp_getattr(tp_obj_t *o, const char *name); /* ATTRIBUTE if missing */
int tp_delattr(tp_obj_t *o, const char *name);

/* ---- view: a zero-copy slice of a bytes/bytearray (memoryview) ---- */

/* The view holds a reference to the buffer, so the buffer lives as long as
 * any view of it.  A view of a view refers to the same buffer. */
extern tp_type_t tp_view_type;
tp_obj_t *tp_view_new(tp_obj_t *buffer, size_t start, size_t len); /* INDEX if out of range */
const uint8_t *tp_view_data(const tp_obj_t *v);                     /* into the buffer */
int tp_view_readonly(const tp_obj_t *v);                            /* 1 over bytes */
int tp_view_get(tp_obj_t *v, long index);                           /* 0..255, -1 on error */
int tp_view_set(tp_obj_t *v, long index, int value);                /* TYPE if readonly */
tp_obj_t *tp_view_buffer(tp_obj_t *v);                              /* the base (new ref) */
tp_obj_t *tp_view_tobytes(tp_obj_t *v);                             /* a copy */

/* ---- copy ---- */

/* copy.copy: immutable objects are returned as they are; a list, dict,
 * bytearray or instance becomes a new object holding the same items. */
tp_obj_t *tp_copy(tp_obj_t *o);
/* copy.deepcopy: copies what it holds too, once each (a memo table keyed by
 * identity), so shared parts stay shared and cycles are copied as cycles.
 * Recursion: TP_OBJ_MAX_DEPTH levels of nesting, then TP_ERR_RECURSION. */
tp_obj_t *tp_deepcopy(tp_obj_t *o);

/* ---- statistics ---- */

typedef struct {
    uint32_t int_cache_hits;   /* tp_int_new served from the small-int cache */
    uint32_t char_cache_hits;  /* strings served from the one-character cache */
    uint32_t intern_hits;      /* tp_str_new/intern that found the string interned */
    uint16_t int_freelist;     /* blocks waiting on the int free list */
    uint16_t float_freelist;
} tp_objects_stats_t;
void tp_objects_get_stats(tp_objects_stats_t *out); /* NULL: ValueError */
/* Gives the memory the layer keeps for speed back to the heap: the blocks
 * waiting on the free lists, and the intern table when it is empty. */
void tp_objects_trim(void);

/* ---- what keeps an object alive (gc/tp_gc_inspect.h) ---- */

/* Names the reference from container `from` to `to` into buf: "[3]" (list,
 * tuple), "['key']" (a dict's value), "(key)" (a dict's key), ".name" (an
 * instance's attribute).  Returns the length it needed, 0 when `from` is of
 * another type or holds no reference to `to`, or for a NULL argument (or a
 * NULL buf with a size).  O(len(from)). */
size_t tp_describe_edge(tp_obj_t *from, tp_obj_t *to, char *buf, size_t size);
/* tp_repr and tp_describe_edge, for tp_gc_print_path. */
extern const tp_gc_describer_t tp_objects_describer;
/* Finds and prints what keeps obj alive, objects as reprs and references
 * named:  list 0x.. [...] -> [0] dict 0x.. {...} -> ['key'] instance 0x..
 * Node(...).  caller_refs as in tp_gc_path_to_root; returns its status. */
tp_gc_path_status_t tp_objects_print_path_to_root(tp_obj_t *obj, unsigned caller_refs,
                                                  tp_print_fn print);

#endif /* TP_OBJECTS_H */
