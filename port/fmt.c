// SPDX-License-Identifier: MIT
/*
 * fmt.c - see fmt.h.  Written for small stacks: the only buffer is the digit
 * buffer of one number (24 bytes), and 64-bit division is used only for %ll.
 */
#include "fmt.h"

#include <stdint.h>

enum {
    F_LEFT = 1u << 0,
    F_ZERO = 1u << 1,
    F_PLUS = 1u << 2,
    F_SPACE = 1u << 3,
    F_ALT = 1u << 4,
    F_PREC = 1u << 5,
};

typedef struct {
    tp_putc_fn put;
    void *ctx;
    size_t count;
} sink_t;

static void emit(sink_t *s, char c) {
    s->put(s->ctx, c);
    s->count++;
}

static void emit_repeat(sink_t *s, char c, int n) {
    for (; n > 0; n--) emit(s, c);
}

/* Emits one converted number: sign/prefix, zero padding, digits, justified. */
static void emit_number(sink_t *s, uintmax_t value, int negative, unsigned base, int upper,
                        unsigned flags, int width, int precision) {
    char digits[24];
    int n = 0;
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";

    if (base == 10 && value <= UINT32_MAX) {
        /* 32-bit path: no 64-bit division helper needed on a Cortex-M0 */
        uint32_t v = (uint32_t)value;
        do {
            digits[n++] = set[v % 10u];
            v /= 10u;
        } while (v != 0);
    } else if (base == 10) {
        do {
            digits[n++] = set[value % 10u];
            value /= 10u;
        } while (value != 0);
    } else {
        unsigned shift = base == 16 ? 4u : 3u;
        do {
            digits[n++] = set[value & (base - 1u)];
            value >>= shift;
        } while (value != 0);
    }
    /* "%.0d" of 0 prints no digits, as in C */
    if ((flags & F_PREC) && precision == 0 && n == 1 && digits[0] == '0') n = 0;

    char prefix[2];
    int plen = 0;
    if (negative)
        prefix[plen++] = '-';
    else if (flags & F_PLUS)
        prefix[plen++] = '+';
    else if (flags & F_SPACE)
        prefix[plen++] = ' ';
    if ((flags & F_ALT) && base == 16 && n > 0 && !(n == 1 && digits[0] == '0')) {
        prefix[0] = '0';
        prefix[1] = upper ? 'X' : 'x';
        plen = 2;
    }
    int zeros = 0;
    if ((flags & F_ALT) && base == 8 && (n == 0 || digits[n - 1] != '0')) zeros = 1;
    if ((flags & F_PREC) && precision > n) zeros = precision - n;
    int body = plen + zeros + n;
    int pad = width > body ? width - body : 0;

    if (!(flags & F_LEFT) && !((flags & F_ZERO) && !(flags & F_PREC))) {
        emit_repeat(s, ' ', pad);
        pad = 0;
    }
    for (int i = 0; i < plen; i++) emit(s, prefix[i]);
    if (!(flags & F_LEFT)) {
        emit_repeat(s, '0', pad); /* zero-fill case; pad is 0 otherwise */
        pad = 0;
    }
    emit_repeat(s, '0', zeros);
    while (n > 0) emit(s, digits[--n]);
    emit_repeat(s, ' ', pad);
}

static int read_int(const char **p) {
    int v = 0;
    while (**p >= '0' && **p <= '9') {
        if (v < 100000) v = v * 10 + (**p - '0');
        (*p)++;
    }
    return v;
}

size_t tp_vformat(tp_putc_fn put, void *ctx, const char *fmt, va_list ap) {
    sink_t s = {put, ctx, 0};
    const char *p = fmt;

    while (*p) {
        if (*p != '%') {
            emit(&s, *p++);
            continue;
        }
        const char *start = p++;
        unsigned flags = 0;
        for (;; p++) {
            if (*p == '-')
                flags |= F_LEFT;
            else if (*p == '0')
                flags |= F_ZERO;
            else if (*p == '+')
                flags |= F_PLUS;
            else if (*p == ' ')
                flags |= F_SPACE;
            else if (*p == '#')
                flags |= F_ALT;
            else
                break;
        }
        int width = 0;
        if (*p == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = width == INT32_MIN ? 0 : -width;
            }
            p++;
        } else {
            width = read_int(&p);
        }
        int precision = 0;
        if (*p == '.') {
            p++;
            flags |= F_PREC;
            if (*p == '*') {
                precision = va_arg(ap, int);
                if (precision < 0) flags &= ~(unsigned)F_PREC;
                p++;
            } else {
                precision = read_int(&p);
            }
        }
        /* length modifier: 0 int, 1 char, 2 short, 3 long, 4 long long, 5 size_t,
         * 6 ptrdiff_t, 7 intmax_t */
        int len = 0;
        if (*p == 'h') {
            len = 2;
            if (*++p == 'h') {
                len = 1;
                p++;
            }
        } else if (*p == 'l') {
            len = 3;
            if (*++p == 'l') {
                len = 4;
                p++;
            }
        } else if (*p == 'z') {
            len = 5;
            p++;
        } else if (*p == 't') {
            len = 6;
            p++;
        } else if (*p == 'j') {
            len = 7;
            p++;
        }

        char conv = *p;
        if (conv == '\0') { /* lone '%' at the end: print what we saw */
            while (start < p) emit(&s, *start++);
            break;
        }
        p++;
        switch (conv) {
        case 'd':
        case 'i': {
            intmax_t v;
            switch (len) {
            case 1: v = (signed char)va_arg(ap, int); break;
            case 2: v = (short)va_arg(ap, int); break;
            case 3: v = va_arg(ap, long); break;
            case 4: v = va_arg(ap, long long); break;
            case 5: v = (intmax_t)va_arg(ap, size_t); break;
            case 6: v = va_arg(ap, ptrdiff_t); break;
            case 7: v = va_arg(ap, intmax_t); break;
            default: v = va_arg(ap, int); break;
            }
            uintmax_t mag = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;
            emit_number(&s, mag, v < 0, 10, 0, flags, width, precision);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            uintmax_t v;
            switch (len) {
            case 1: v = (unsigned char)va_arg(ap, unsigned); break;
            case 2: v = (unsigned short)va_arg(ap, unsigned); break;
            case 3: v = va_arg(ap, unsigned long); break;
            case 4: v = va_arg(ap, unsigned long long); break;
            case 5: v = va_arg(ap, size_t); break;
            case 6: v = (uintmax_t)va_arg(ap, ptrdiff_t); break;
            case 7: v = va_arg(ap, uintmax_t); break;
            default: v = va_arg(ap, unsigned); break;
            }
            unsigned base = conv == 'u' ? 10u : conv == 'o' ? 8u : 16u;
            emit_number(&s, v, 0, base, conv == 'X', flags & ~(unsigned)(F_PLUS | F_SPACE),
                        width, precision);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            /* "0x" and fixed width, so addresses line up in reports */
            int w = width > 2 ? width - 2 : 0;
            if (!(flags & F_LEFT)) emit_repeat(&s, ' ', w - (int)(sizeof(void *) * 2));
            emit(&s, '0');
            emit(&s, 'x');
            emit_number(&s, v, 0, 16, 0, F_PREC, 0, (int)(sizeof(void *) * 2));
            if (flags & F_LEFT) emit_repeat(&s, ' ', w - (int)(sizeof(void *) * 2));
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            if (!(flags & F_LEFT)) emit_repeat(&s, ' ', width - 1);
            emit(&s, c);
            if (flags & F_LEFT) emit_repeat(&s, ' ', width - 1);
            break;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (str == NULL) str = "(null)";
            int n = 0;
            while (str[n] != '\0' && (!(flags & F_PREC) || n < precision)) n++;
            if (!(flags & F_LEFT)) emit_repeat(&s, ' ', width - n);
            for (int i = 0; i < n; i++) emit(&s, str[i]);
            if (flags & F_LEFT) emit_repeat(&s, ' ', width - n);
            break;
        }
        case '%':
            emit(&s, '%');
            break;
        default:
            /* unsupported conversion: print the directive itself, consume nothing */
            while (start < p) emit(&s, *start++);
            break;
        }
    }
    return s.count;
}

size_t tp_format(tp_putc_fn put, void *ctx, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = tp_vformat(put, ctx, fmt, ap);
    va_end(ap);
    return n;
}

typedef struct {
    char *buf;
    size_t size;
    size_t pos;
} strsink_t;

static void str_put(void *ctx, char c) {
    strsink_t *s = ctx;
    if (s->pos + 1 < s->size) s->buf[s->pos] = c;
    s->pos++;
}

size_t tp_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) {
    strsink_t s = {buf, size, 0};
    size_t n = tp_vformat(str_put, &s, fmt, ap);
    if (size > 0) buf[s.pos < size ? s.pos : size - 1] = '\0';
    return n;
}

size_t tp_snprintf(char *buf, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = tp_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
