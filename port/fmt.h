// SPDX-License-Identifier: MIT
/*
 * fmt.h - a small printf-style formatter that needs no heap and no libc
 * stdio, so fault handlers and the test harness can print from any context.
 *
 * Portable C (no Cortex-M code): it also builds on the host, where it is
 * tested against the C library's snprintf under AddressSanitizer/UBSan.
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%, with flags '-' '0' '+' ' ' '#',
 * a width and a precision (both may be '*'), and the length modifiers
 * hh h l ll z t j.  Not supported (printed as-is, never read as an
 * argument): floating point %f %e %g %a, %n.
 */
#ifndef TP_FMT_H
#define TP_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Output sink: called once per character. */
typedef void (*tp_putc_fn)(void *ctx, char c);

/* Formats into the sink; returns the number of characters produced. */
size_t tp_vformat(tp_putc_fn put, void *ctx, const char *fmt, va_list ap);
size_t tp_format(tp_putc_fn put, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* snprintf semantics: always NUL-terminates when size > 0; returns the length
 * the full output would have had. */
size_t tp_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
size_t tp_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* TP_FMT_H */
