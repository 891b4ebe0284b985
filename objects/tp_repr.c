// SPDX-License-Identifier: MIT
/*
 * tp_repr.c - Python's repr of the built-in objects, into a caller's buffer.
 *
 * The text is measured as it is written: a buffer too small is filled and
 * the length needed still counted.  The containers being printed are kept on
 * a stack of TP_OBJ_MAX_DEPTH, so a container that contains itself prints as
 * [...] and nesting deeper than that as "...": no recursion without bound.
 */
#include <string.h>

#include "fmt.h"
#include "tp_objects_internal.h"

typedef struct {
    char *buf;
    size_t size, len;
    tp_obj_t *open[TP_OBJ_MAX_DEPTH]; /* containers being printed: cycles */
    unsigned depth;
} out_t;

static void put(out_t *w, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++, w->len++)
        if (w->len + 1u < w->size) w->buf[w->len] = s[i];
}
static void put_str(out_t *w, const char *s) { put(w, s, strlen(s)); }

static void putf(out_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(out_t *w, const char *fmt, ...) {
    char tmp[48];
    va_list ap;
    va_start(ap, fmt);
    size_t n = tp_vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    put(w, tmp, n < sizeof tmp ? n : sizeof tmp - 1u);
}

/* Python's float repr for the common cases: up to 9 significant digits
 * (the formatter has no %g; the exact shortest repr needs far more code). */
static void put_float(out_t *w, double v) {
    if (v != v) return put_str(w, "nan");
    if (v < 0 || (v == 0 && 1.0 / v < 0)) {
        put_str(w, "-");
        v = -v;
    }
    if (v > 1e300 * 1e300 / 2) return put_str(w, "inf");
    int exp10 = 0;
    if (v != 0 && (v >= 1e16 || v < 1e-4)) {
        while (v >= 10.0) v /= 10.0, exp10++;
        while (v < 1.0) v *= 10.0, exp10--;
    }
    /* v as integer part and 9 digits after the point, rounded */
    double ip = (double)(uint64_t)v;
    uint64_t frac = (uint64_t)((v - ip) * 1e9 + 0.5);
    if (frac >= 1000000000u) {
        frac -= 1000000000u;
        ip += 1.0;
    }
    char digits[12];
    tp_snprintf(digits, sizeof digits, "%09llu", (unsigned long long)frac);
    size_t nd = 9;
    while (nd > 1 && digits[nd - 1u] == '0') nd--;
    putf(w, "%llu.", (unsigned long long)ip);
    put(w, digits, nd);
    if (exp10 != 0) putf(w, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
}

static void put_quoted(out_t *w, const uint8_t *s, size_t n) {
    int dq = memchr(s, '\'', n) != NULL && memchr(s, '"', n) == NULL;
    char q = dq ? '"' : '\'';
    put(w, &q, 1);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c == '\\' || (c == (uint8_t)q)) {
            char e[2] = {'\\', (char)c};
            put(w, e, 2);
        } else if (c == '\n') {
            put_str(w, "\\n");
        } else if (c < 32 || c >= 127) {
            putf(w, "\\x%02x", c);
        } else {
            put(w, (const char *)&c, 1);
        }
    }
    put(w, &q, 1);
}

static void repr(out_t *w, tp_obj_t *o);

static void repr_items(out_t *w, tp_obj_t **items, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        if (i) put_str(w, ", ");
        repr(w, items[i]);
    }
}

static void repr_table(out_t *w, tp_table_t *t, const char *sep) {
    int first = 1;
    for (uint32_t i = 0; t->mem != NULL && i < t->nentries; i++) {
        tp_entry_t *e = &tp_table_entries(t)[i];
        if (e->key == NULL) continue;
        if (!first) put_str(w, ", ");
        first = 0;
        if (sep[0] == '=')
            put_str(w, TP_AS(tp_str_t, e->key)->data);
        else
            repr(w, e->key);
        put_str(w, sep);
        repr(w, e->value);
    }
}

static void repr(out_t *w, tp_obj_t *o) {
    if (o == NULL) return put_str(w, "NULL");
    if (tp_is(o, &tp_int_type)) return putf(w, "%ld", (long)TP_AS(tp_int_t, o)->value);
    if (tp_is(o, &tp_float_type)) return put_float(w, TP_AS(tp_float_t, o)->value);
    if (tp_is(o, &tp_str_type))
        return put_quoted(w, (const uint8_t *)TP_AS(tp_str_t, o)->data, TP_AS(tp_str_t, o)->len);
    if (tp_is(o, &tp_bytes_type) || tp_is(o, &tp_bytearray_type)) {
        int ba = tp_is(o, &tp_bytearray_type);
        put_str(w, ba ? "bytearray(b" : "b");
        put_quoted(w, TP_AS(tp_bytes_t, o)->data, TP_AS(tp_bytes_t, o)->len);
        if (ba) put_str(w, ")");
        return;
    }
    if (tp_is(o, &tp_weakref_type)) {
        tp_obj_t *r = tp_weakref_get(o); /* reads a proxy's referent too */
        const char *kind = tp_weakref_is_proxy(o) ? "weakproxy" : "weakref";
        if (r == NULL) return putf(w, "<%s; dead>", kind);
        putf(w, "<%s; to '%s'>", kind, tp_type_name(r));
        tp_decref(r);
        return;
    }
    if (tp_is(o, &tp_view_type)) return putf(w, "<memory at %p>", (void *)o);
    /* containers that may contain themselves */
    for (unsigned i = 0; i < w->depth; i++)
        if (w->open[i] == o)
            return put_str(w, tp_is(o, &tp_dict_type)    ? "{...}"
                              : tp_is(o, &tp_tuple_type) ? "(...)"
                              : tp_is(o, &tp_list_type)  ? "[...]"
                                                         : "...");
    if (w->depth >= TP_OBJ_MAX_DEPTH) return put_str(w, "...");
    w->open[w->depth++] = o;
    if (tp_is(o, &tp_tuple_type)) {
        tp_tuple_t *t = TP_AS(tp_tuple_t, o);
        put_str(w, "(");
        repr_items(w, t->items, t->len);
        put_str(w, t->len == 1 ? ",)" : ")");
    } else if (tp_is(o, &tp_list_type)) {
        put_str(w, "[");
        repr_items(w, TP_AS(tp_list_t, o)->items, TP_AS(tp_list_t, o)->len);
        put_str(w, "]");
    } else if (tp_is(o, &tp_dict_type)) {
        put_str(w, "{");
        repr_table(w, &TP_AS(tp_dict_t, o)->table, ": ");
        put_str(w, "}");
    } else if (tp_is_instance(o)) {
        putf(w, "%s(", TP_AS(tp_instance_t, o)->cls->name);
        repr_table(w, &TP_AS(tp_instance_t, o)->attrs, "=");
        put_str(w, ")");
    } else {
        putf(w, "<%s object at %p>", tp_type_name(o), (void *)o);
    }
    w->depth--;
}

size_t tp_repr(tp_obj_t *o, char *buf, size_t size) {
    if (buf == NULL && size > 0) { /* no buffer: nothing is written, an error */
        (void)tp_fail(TP_ERR_VALUE);
        return 0;
    }
    out_t w = {.buf = buf, .size = size};
    repr(&w, o);
    if (size > 0) {
        buf[w.len < size ? w.len : size - 1u] = '\0';
        if (w.len >= size && size >= 4u) memcpy(buf + size - 4u, "...", 4);
    }
    return w.len;
}
