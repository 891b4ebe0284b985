// SPDX-License-Identifier: MIT
/*
 * tp_bytes.c - bytes (immutable) and bytearray (mutable contents, fixed
 * length): one layout, two types.
 *
 * Both hold their data inline (one block).  The hash is computed at
 * creation; only a bytes object's is read (a bytearray is unhashable: its
 * contents change).
 */
#include <stddef.h>
#include <string.h>

#include "tp_objects_internal.h"

/* The bytes a bytes object of len bytes is made with: it keeps at least one
 * data byte. */
static size_t bytes_size(size_t len) { return offsetof(tp_bytes_t, data) + (len ? len : 1u); }
static size_t bytes_size_of(const tp_obj_t *self) {
    return bytes_size(((const tp_bytes_t *)(const void *)self)->len);
}

tp_type_t tp_bytes_type = {.name = "bytes", .basic_size = sizeof(tp_bytes_t), .size_of = bytes_size_of};
tp_type_t tp_bytearray_type = {
    .name = "bytearray", .basic_size = sizeof(tp_bytes_t), .size_of = bytes_size_of};

static tp_bytes_t *as_bytes(tp_obj_t *o) { return (tp_bytes_t *)(void *)o; }

static tp_obj_t *bytes_make(tp_type_t *t, const void *data, size_t len) {
    if (len > UINT16_MAX * 8u - offsetof(tp_bytes_t, data)) return tp_fail(TP_ERR_OVERFLOW);
    tp_obj_t *o = tp_obj_alloc(t, bytes_size(len));
    if (o == NULL) return NULL;
    as_bytes(o)->len = (uint32_t)len;
    if (data != NULL) memcpy(as_bytes(o)->data, data, len); /* else zeroed by tp_gc_new */
    as_bytes(o)->hash = tp_hash_bytes(as_bytes(o)->data, len);
    return o;
}

tp_obj_t *tp_bytes_new(const void *data, size_t len) {
    return bytes_make(&tp_bytes_type, data, len);
}
tp_obj_t *tp_bytearray_new(const void *data, size_t len) {
    return bytes_make(&tp_bytearray_type, data, len);
}

const uint8_t *tp_bytes_data(const tp_obj_t *o) {
    if (!tp_is(o, &tp_bytes_type) && !tp_is(o, &tp_bytearray_type)) return tp_fail(TP_ERR_TYPE);
    return ((const tp_bytes_t *)(const void *)o)->data;
}

int tp_bytearray_set(tp_obj_t *ba, long index, int value) {
    if (!tp_is(ba, &tp_bytearray_type)) return tp_fail_int(TP_ERR_TYPE);
    long i = tp_index(index, as_bytes(ba)->len);
    if (i < 0) return tp_fail_int(TP_ERR_INDEX);
    if (value < 0 || value > 255) return tp_fail_int(TP_ERR_VALUE);
    as_bytes(ba)->data[i] = (uint8_t)value;
    return 0;
}
