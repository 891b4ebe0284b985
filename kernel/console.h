// SPDX-License-Identifier: MIT
/*
 * console.h - the runtime's text output.
 *
 * Backends, chosen at build time (make CONSOLE=...):
 *   semihost  the debugger/QEMU prints it (SYS_WRITE to ":tt"); needs a probe
 *   uart      the board's UART driver (polled; works without a probe)
 * Output is line-buffered (TP_CONSOLE_BUFFER bytes) so semihosting costs one
 * trap per line.  All functions may be called from thread and interrupt
 * context: the buffer is guarded by a critical section.  Nothing here
 * allocates.
 */
#ifndef TP_CONSOLE_H
#define TP_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

void tp_console_write(const char *buf, size_t len);
void tp_console_putc(char c);
void tp_console_puts(const char *s); /* no newline added */
void tp_console_flush(void);
size_t tp_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
size_t tp_vprintf(const char *fmt, va_list ap);

/* Name of the compiled-in backend: "semihost" or "uart". */
const char *tp_console_backend(void);

#endif /* TP_CONSOLE_H */
