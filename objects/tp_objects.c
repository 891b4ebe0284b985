/*
 * tp_objects.c - set-up, errors, and the operations every type shares:
 * length, equality, hashing, repr.
 */
#include <string.h>

#include "fmt.h"
#include "tp_objects_internal.h"

static tp_err_t last_error;

void *tp_fail(tp_err_t err) {
    last_error = err;
    return NULL;
}

int tp_fail_int(tp_err_t err) {
    last_error = err;
    return -1;
}

tp_err_t tp_err(void) { return last_error; }
void tp_err_clear(void) { last_error = TP_OK; }

const char *tp_err_name(tp_err_t err) {
    static const char *const names[] = {
        [TP_OK] = "OK",
        [TP_ERR_NOMEM] = "MemoryError",
        [TP_ERR_INDEX] = "IndexError",
        [TP_ERR_KEY] = "KeyError",
        [TP_ERR_ATTRIBUTE] = "AttributeError",
        [TP_ERR_TYPE] = "TypeError",
        [TP_ERR_VALUE] = "ValueError",
        [TP_ERR_OVERFLOW] = "OverflowError",
        [TP_ERR_REFERENCE] = "ReferenceError",
        [TP_ERR_RECURSION] = "RecursionError",
    };
    return (unsigned)err < sizeof names / sizeof names[0] ? names[err] : "?";
}

tp_obj_t *tp_obj_alloc(const tp_type_t *type, size_t size) {
    /* the tracking build records the object under the constructor that asked */
    tp_obj_t *o = TP_GC_NEW_AT(type, size, TP_CALL_SITE());
    return o != NULL ? o : tp_fail(TP_ERR_NOMEM);
}

long tp_index(long index, size_t len) {
    if (index < 0) index += (long)len;
    return index >= 0 && (size_t)index < len ? index : -1;
}

static void out_of_memory(size_t size, void *ctx) {
    (void)size;
    (void)ctx;
    last_error = TP_ERR_NOMEM;
}

int tp_objects_init(void) {
    last_error = TP_OK;
    tp_gc_set_nomem_hook(out_of_memory, NULL); /* weak references too: MemoryError */
    tp_number_reset();
    tp_str_reset();
    /* int and str first: their cached objects in flash carry these indices */
    if (tp_type_register(&tp_int_type) != 0 || tp_int_type.index != TP_INT_INDEX) return -1;
    if (tp_type_register(&tp_str_type) != 0 || tp_str_type.index != TP_STR_INDEX) return -1;
    tp_type_t *const rest[] = {
        &tp_float_type, &tp_bytes_type, &tp_bytearray_type,     &tp_tuple_type,
        &tp_list_type,  &tp_dict_type,  &tp_view_type,          &tp_instance_types[0][0],
        &tp_instance_types[0][1], &tp_instance_types[1][0], &tp_instance_types[1][1],
    };
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        if (tp_type_register(rest[i]) != 0) return -1;
    return 0;
}

void tp_objects_get_stats(tp_objects_stats_t *out) {
    if (out == NULL) {
        (void)tp_fail(TP_ERR_VALUE);
        return;
    }
    tp_number_stats(out);
    out->char_cache_hits = tp_char_cache_hits;
    out->intern_hits = tp_intern_hits;
}

void tp_objects_trim(void) {
    tp_number_trim();
    tp_str_trim();
}

/* ---- any object ---- */

int tp_is(const tp_obj_t *o, const tp_type_t *type) {
    return o != NULL && type->index != 0 && o->type == type->index;
}

const char *tp_type_name(const tp_obj_t *o) {
    if (o == NULL) return "NULL";
    if (tp_is_instance(o)) return ((const tp_instance_t *)(const void *)o)->cls->name;
    return tp_type_of(o)->name;
}

unsigned tp_sys_getrefcount(const tp_obj_t *o) {
    return o == NULL ? 0u : tp_getrefcount(o) + 1u;
}

long tp_len(const tp_obj_t *o) {
    if (tp_is(o, &tp_str_type)) return ((const tp_str_t *)(const void *)o)->len;
    if (tp_is(o, &tp_bytes_type) || tp_is(o, &tp_bytearray_type))
        return (long)((const tp_bytes_t *)(const void *)o)->len;
    if (tp_is(o, &tp_tuple_type)) return (long)((const tp_tuple_t *)(const void *)o)->len;
    if (tp_is(o, &tp_list_type)) return (long)((const tp_list_t *)(const void *)o)->len;
    if (tp_is(o, &tp_dict_type)) return ((const tp_dict_t *)(const void *)o)->table.used;
    if (tp_is(o, &tp_view_type)) return (long)((const tp_view_t *)(const void *)o)->len;
    return tp_fail_int(TP_ERR_TYPE);
}

static int is_number(const tp_obj_t *o) { return tp_is(o, &tp_int_type) || tp_is(o, &tp_float_type); }

static int items_eq(tp_obj_t **a, tp_obj_t **b, uint32_t n, unsigned depth);

static int eq(tp_obj_t *a, tp_obj_t *b, unsigned depth) {
    if (a == NULL || b == NULL) return tp_fail_int(TP_ERR_TYPE);
    if (a == b) return 1;
    if (++depth > TP_OBJ_MAX_DEPTH) return tp_fail_int(TP_ERR_RECURSION);
    if (is_number(a) && is_number(b)) {
        if (tp_is(a, &tp_int_type) && tp_is(b, &tp_int_type))
            return TP_AS(tp_int_t, a)->value == TP_AS(tp_int_t, b)->value;
        return tp_float_value(a) == tp_float_value(b);
    }
    if (tp_is(a, &tp_str_type) && tp_is(b, &tp_str_type)) {
        tp_str_t *x = TP_AS(tp_str_t, a), *y = TP_AS(tp_str_t, b);
        return x->len == y->len && x->hash == y->hash && memcmp(x->data, y->data, x->len) == 0;
    }
    int ab = tp_is(a, &tp_bytes_type) || tp_is(a, &tp_bytearray_type);
    int bb = tp_is(b, &tp_bytes_type) || tp_is(b, &tp_bytearray_type);
    if (ab && bb) {
        tp_bytes_t *x = TP_AS(tp_bytes_t, a), *y = TP_AS(tp_bytes_t, b);
        return x->len == y->len && memcmp(x->data, y->data, x->len) == 0;
    }
    if (tp_is(a, &tp_tuple_type) && tp_is(b, &tp_tuple_type)) {
        tp_tuple_t *x = TP_AS(tp_tuple_t, a), *y = TP_AS(tp_tuple_t, b);
        return x->len == y->len ? items_eq(x->items, y->items, x->len, depth) : 0;
    }
    if (tp_is(a, &tp_list_type) && tp_is(b, &tp_list_type)) {
        tp_list_t *x = TP_AS(tp_list_t, a), *y = TP_AS(tp_list_t, b);
        return x->len == y->len ? items_eq(x->items, y->items, x->len, depth) : 0;
    }
    if (tp_is(a, &tp_dict_type) && tp_is(b, &tp_dict_type)) {
        tp_table_t *x = &TP_AS(tp_dict_t, a)->table, *y = &TP_AS(tp_dict_t, b)->table;
        if (x->used != y->used) return 0;
        for (uint32_t i = 0; x->mem != NULL && i < x->nentries; i++) {
            tp_entry_t *e = &tp_table_entries(x)[i];
            if (e->key == NULL) continue;
            tp_entry_t *f = tp_table_find(y, e->key, e->hash);
            if (f == NULL) return 0;
            int r = eq(e->value, f->value, depth);
            if (r != 1) return r;
        }
        return 1;
    }
    return 0; /* other objects: by identity */
}

static int items_eq(tp_obj_t **a, tp_obj_t **b, uint32_t n, unsigned depth) {
    for (uint32_t i = 0; i < n; i++) {
        int r = eq(a[i], b[i], depth);
        if (r != 1) return r;
    }
    return 1;
}

int tp_eq(tp_obj_t *a, tp_obj_t *b) { return eq(a, b, 0); }

static int hash(tp_obj_t *o, uint32_t *out, unsigned depth) {
    if (o == NULL) return tp_fail_int(TP_ERR_TYPE);
    if (tp_is(o, &tp_int_type)) {
        *out = (uint32_t)TP_AS(tp_int_t, o)->value;
    } else if (tp_is(o, &tp_float_type)) {
        double v = TP_AS(tp_float_t, o)->value;
        /* equal numbers hash equal: 2.0 as 2 */
        if (v >= (double)INT32_MIN && v <= (double)INT32_MAX && v == (double)(int32_t)v)
            *out = (uint32_t)(int32_t)v;
        else
            *out = tp_hash_bytes(&v, sizeof v);
    } else if (tp_is(o, &tp_str_type)) {
        *out = TP_AS(tp_str_t, o)->hash;
    } else if (tp_is(o, &tp_bytes_type)) {
        *out = TP_AS(tp_bytes_t, o)->hash;
    } else if (tp_is(o, &tp_tuple_type)) {
        if (++depth > TP_OBJ_MAX_DEPTH) return tp_fail_int(TP_ERR_RECURSION);
        tp_tuple_t *t = TP_AS(tp_tuple_t, o);
        uint32_t h = 0x345678u;
        for (uint32_t i = 0; i < t->len; i++) {
            uint32_t x;
            if (hash(t->items[i], &x, depth) != 0) return -1;
            h = (h ^ x) * 1000003u;
        }
        *out = h ^ t->len;
    } else if (tp_is_instance(o) || tp_is(o, &tp_weakref_type)) {
        *out = (uint32_t)((uintptr_t)o >> 3); /* identity */
    } else {
        return tp_fail_int(TP_ERR_TYPE); /* list, dict, bytearray, view: unhashable */
    }
    return 0;
}

int tp_hash(tp_obj_t *o, uint32_t *out) {
    uint32_t h;
    if (out == NULL) out = &h;
    return hash(o, out, 0);
}

/* ---- repr ---- */

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
static void puts_(out_t *w, const char *s) { put(w, s, strlen(s)); }

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
    if (v != v) return puts_(w, "nan");
    if (v < 0 || (v == 0 && 1.0 / v < 0)) {
        puts_(w, "-");
        v = -v;
    }
    if (v > 1e300 * 1e300 / 2) return puts_(w, "inf");
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
            puts_(w, "\\n");
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
        if (i) puts_(w, ", ");
        repr(w, items[i]);
    }
}

static void repr_table(out_t *w, tp_table_t *t, const char *sep) {
    int first = 1;
    for (uint32_t i = 0; t->mem != NULL && i < t->nentries; i++) {
        tp_entry_t *e = &tp_table_entries(t)[i];
        if (e->key == NULL) continue;
        if (!first) puts_(w, ", ");
        first = 0;
        if (sep[0] == '=')
            puts_(w, TP_AS(tp_str_t, e->key)->data);
        else
            repr(w, e->key);
        puts_(w, sep);
        repr(w, e->value);
    }
}

static void repr(out_t *w, tp_obj_t *o) {
    if (o == NULL) return puts_(w, "NULL");
    if (tp_is(o, &tp_int_type)) return putf(w, "%ld", (long)TP_AS(tp_int_t, o)->value);
    if (tp_is(o, &tp_float_type)) return put_float(w, TP_AS(tp_float_t, o)->value);
    if (tp_is(o, &tp_str_type))
        return put_quoted(w, (const uint8_t *)TP_AS(tp_str_t, o)->data, TP_AS(tp_str_t, o)->len);
    if (tp_is(o, &tp_bytes_type) || tp_is(o, &tp_bytearray_type)) {
        int ba = tp_is(o, &tp_bytearray_type);
        puts_(w, ba ? "bytearray(b" : "b");
        put_quoted(w, TP_AS(tp_bytes_t, o)->data, TP_AS(tp_bytes_t, o)->len);
        if (ba) puts_(w, ")");
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
            return puts_(w, tp_is(o, &tp_dict_type)    ? "{...}"
                            : tp_is(o, &tp_tuple_type) ? "(...)"
                            : tp_is(o, &tp_list_type)  ? "[...]"
                                                       : "...");
    if (w->depth >= TP_OBJ_MAX_DEPTH) return puts_(w, "...");
    w->open[w->depth++] = o;
    if (tp_is(o, &tp_tuple_type)) {
        tp_tuple_t *t = TP_AS(tp_tuple_t, o);
        puts_(w, "(");
        repr_items(w, t->items, t->len);
        puts_(w, t->len == 1 ? ",)" : ")");
    } else if (tp_is(o, &tp_list_type)) {
        puts_(w, "[");
        repr_items(w, TP_AS(tp_list_t, o)->items, TP_AS(tp_list_t, o)->len);
        puts_(w, "]");
    } else if (tp_is(o, &tp_dict_type)) {
        puts_(w, "{");
        repr_table(w, &TP_AS(tp_dict_t, o)->table, ": ");
        puts_(w, "}");
    } else if (tp_is_instance(o)) {
        putf(w, "%s(", TP_AS(tp_instance_t, o)->cls->name);
        repr_table(w, &TP_AS(tp_instance_t, o)->attrs, "=");
        puts_(w, ")");
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
