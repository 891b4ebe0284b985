// SPDX-License-Identifier: MIT
/*
 * tp_view.c - a zero-copy view of a slice of a bytes or bytearray
 * (Python's memoryview).
 *
 * The view holds a reference to its buffer, so the buffer lives as long as
 * any view of it; a view of a view refers to the same buffer directly, so
 * chains never form.  A view only ever refers to an atomic buffer, so it
 * can never be part of a cycle: it is a container (it holds a reference)
 * that is never tracked, and costs the collector nothing.
 */
#include <string.h>

#include "tp_objects_internal.h"

static tp_view_t *as_view(tp_obj_t *o) { return (tp_view_t *)(void *)o; }

static uint32_t view_traverse(tp_obj_t *self, uint32_t start, tp_visit_t visit, void *ctx) {
    if (start == 0 && as_view(self)->buffer != NULL) (void)visit(as_view(self)->buffer, ctx);
    return TP_TRAVERSE_DONE;
}

static uint32_t view_clear(tp_obj_t *self, uint32_t *budget) {
    tp_obj_t *b = as_view(self)->buffer;
    if (b == NULL) return 0;
    if (*budget == 0) return 1;
    (*budget)--;
    as_view(self)->buffer = NULL;
    as_view(self)->len = 0;
    tp_decref(b);
    return 0;
}

tp_type_t tp_view_type = {
    .name = "memoryview",
    .basic_size = sizeof(tp_view_t),
    .flags = TP_TYPE_CONTAINER,
    .traverse = view_traverse,
    .clear = view_clear,
};

tp_obj_t *tp_view_new(tp_obj_t *buffer, size_t start, size_t len) {
    size_t base_start = 0, base_len;
    if (tp_is(buffer, &tp_view_type)) {
        base_start = as_view(buffer)->start;
        base_len = as_view(buffer)->len;
        buffer = as_view(buffer)->buffer;
        if (buffer == NULL) return tp_fail(TP_ERR_VALUE); /* released */
    } else if (tp_is(buffer, &tp_bytes_type) || tp_is(buffer, &tp_bytearray_type)) {
        base_len = TP_AS(tp_bytes_t, buffer)->len;
    } else {
        return tp_fail(TP_ERR_TYPE);
    }
    if (start > base_len || len > base_len - start) return tp_fail(TP_ERR_INDEX);
    tp_obj_t *o = tp_obj_alloc(&tp_view_type, sizeof(tp_view_t));
    if (o == NULL) return NULL;
    tp_incref(buffer);
    as_view(o)->buffer = buffer;
    as_view(o)->start = (uint32_t)(base_start + start);
    as_view(o)->len = (uint32_t)len;
    /* over the bytes themselves, never over another view: no chains */
    TP_ASSERT(!tp_is(buffer, &tp_view_type) &&
              as_view(o)->start + as_view(o)->len <= TP_AS(tp_bytes_t, buffer)->len);
    return o; /* not tracked: see the top of the file */
}

static tp_view_t *view_of(const tp_obj_t *v) {
    if (!tp_is(v, &tp_view_type)) return tp_fail(TP_ERR_TYPE);
    return (tp_view_t *)(uintptr_t)v;
}

const uint8_t *tp_view_data(const tp_obj_t *v) {
    tp_view_t *view = view_of(v);
    if (view == NULL || view->buffer == NULL) return NULL;
    return TP_AS(tp_bytes_t, view->buffer)->data + view->start;
}

int tp_view_readonly(const tp_obj_t *v) {
    tp_view_t *view = view_of(v);
    if (view == NULL) return -1;
    return !tp_is(view->buffer, &tp_bytearray_type);
}

int tp_view_get(tp_obj_t *v, long index) {
    tp_view_t *view = view_of(v);
    if (view == NULL) return -1;
    long i = tp_index(index, view->len);
    if (i < 0) return tp_fail_int(TP_ERR_INDEX);
    return TP_AS(tp_bytes_t, view->buffer)->data[view->start + (uint32_t)i];
}

int tp_view_set(tp_obj_t *v, long index, int value) {
    tp_view_t *view = view_of(v);
    if (view == NULL) return -1;
    if (!tp_is(view->buffer, &tp_bytearray_type)) return tp_fail_int(TP_ERR_TYPE);
    long i = tp_index(index, view->len);
    if (i < 0) return tp_fail_int(TP_ERR_INDEX);
    if (value < 0 || value > 255) return tp_fail_int(TP_ERR_VALUE);
    TP_AS(tp_bytes_t, view->buffer)->data[view->start + (uint32_t)i] = (uint8_t)value;
    return 0;
}

tp_obj_t *tp_view_buffer(tp_obj_t *v) {
    tp_view_t *view = view_of(v);
    if (view == NULL) return NULL;
    tp_incref(view->buffer);
    return view->buffer;
}

tp_obj_t *tp_view_tobytes(tp_obj_t *v) {
    const uint8_t *data = tp_view_data(v);
    if (data == NULL) return NULL;
    return tp_bytes_new(data, as_view(v)->len);
}
