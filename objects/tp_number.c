// SPDX-License-Identifier: MIT
/*
 * tp_number.c - int and float.
 *
 * int is an int32_t in an 8-byte object (header + value: the smallest size
 * class).  The 262 small ints -5..256 are immortal and const: they are in
 * flash, built by the preprocessor below, and tp_int_new hands them out
 * without allocating.  Other ints come from the int free list, which keeps
 * up to TP_INT_FREELIST_CAP freed ints for the next one (a float never gets
 * an int's block: level +3 of the pyramid).
 */
#include <stddef.h>

#include "tp_objects_internal.h"

_Static_assert(TP_INT_FREELIST_CAP <= 65535 && TP_FLOAT_FREELIST_CAP <= 65535,
               "free list caps are 16-bit");

#define SMALL_MIN (-5)
#define SMALL_MAX 256

static tp_freelist_t int_freelist, float_freelist;

tp_type_t tp_int_type = {.name = "int", .basic_size = sizeof(tp_int_t)};
tp_type_t tp_float_type = {.name = "float", .basic_size = sizeof(tp_float_t)};

/* The cache: element i is the int i + SMALL_MIN. */
#define SMALL_INT(n) {{TP_RC_IMMORTAL, TP_INT_INDEX, 0}, (int32_t)(n) + SMALL_MIN},
#define SMALL_INTS_2(n) SMALL_INT(n) SMALL_INT((n) + 1)
#define SMALL_INTS_4(n) SMALL_INTS_2(n) SMALL_INTS_2((n) + 2)
#define SMALL_INTS_8(n) SMALL_INTS_4(n) SMALL_INTS_4((n) + 4)
#define SMALL_INTS_16(n) SMALL_INTS_8(n) SMALL_INTS_8((n) + 8)
#define SMALL_INTS_32(n) SMALL_INTS_16(n) SMALL_INTS_16((n) + 16)
#define SMALL_INTS_64(n) SMALL_INTS_32(n) SMALL_INTS_32((n) + 32)
#define SMALL_INTS_128(n) SMALL_INTS_64(n) SMALL_INTS_64((n) + 64)
#define SMALL_INTS_256(n) SMALL_INTS_128(n) SMALL_INTS_128((n) + 128)
static const tp_int_t small_ints[SMALL_MAX - SMALL_MIN + 1] = {
    SMALL_INTS_256(0) SMALL_INTS_4(256) SMALL_INTS_2(260)};
_Static_assert(sizeof small_ints / sizeof small_ints[0] == 262, "-5..256");

static uint32_t int_cache_hits;

tp_obj_t *tp_int_new(int32_t value) {
    if (value >= SMALL_MIN && value <= SMALL_MAX) {
        int_cache_hits++;
        return (tp_obj_t *)(uintptr_t)&small_ints[value - SMALL_MIN].ob;
    }
    tp_obj_t *o = tp_obj_alloc(&tp_int_type, sizeof(tp_int_t));
    if (o != NULL) TP_AS(tp_int_t, o)->value = value;
    return o;
}

int32_t tp_int_value(const tp_obj_t *o) {
    if (!tp_is(o, &tp_int_type)) {
        (void)tp_fail(TP_ERR_TYPE);
        return 0;
    }
    return ((const tp_int_t *)(const void *)o)->value;
}

tp_obj_t *tp_int_add(tp_obj_t *a, tp_obj_t *b) {
    if (!tp_is(a, &tp_int_type) || !tp_is(b, &tp_int_type)) return tp_fail(TP_ERR_TYPE);
    int64_t r = (int64_t)TP_AS(tp_int_t, a)->value + TP_AS(tp_int_t, b)->value;
    if (r < INT32_MIN || r > INT32_MAX) return tp_fail(TP_ERR_OVERFLOW);
    return tp_int_new((int32_t)r);
}

tp_obj_t *tp_float_new(double value) {
    tp_obj_t *o = tp_obj_alloc(&tp_float_type, sizeof(tp_float_t));
    if (o != NULL) TP_AS(tp_float_t, o)->value = value;
    return o;
}

double tp_float_value(const tp_obj_t *o) {
    if (tp_is(o, &tp_float_type)) return ((const tp_float_t *)(const void *)o)->value;
    if (tp_is(o, &tp_int_type)) return (double)((const tp_int_t *)(const void *)o)->value;
    (void)tp_fail(TP_ERR_TYPE);
    return 0.0;
}

void tp_number_reset(void) {
    /* blocks of a previous heap are forgotten, not freed */
    tp_freelist_init(&int_freelist, sizeof(tp_int_t), TP_INT_FREELIST_CAP);
    tp_freelist_init(&float_freelist, sizeof(tp_float_t), TP_FLOAT_FREELIST_CAP);
    tp_int_type.freelist = TP_INT_FREELIST_CAP > 0 ? &int_freelist : NULL;
    tp_float_type.freelist = TP_FLOAT_FREELIST_CAP > 0 ? &float_freelist : NULL;
    int_cache_hits = 0;
}

void tp_number_stats(tp_objects_stats_t *out) {
    out->int_cache_hits = int_cache_hits;
    out->int_freelist = int_freelist.count;
    out->float_freelist = float_freelist.count;
}

void tp_number_trim(void) {
    tp_freelist_drain(tp_gc_heap(), &int_freelist);
    tp_freelist_drain(tp_gc_heap(), &float_freelist);
}
