// SPDX-License-Identifier: MIT
/*
 * console.c - line-buffered console over semihosting or the board UART.
 */
#include "console.h"

#include "board.h"
#include "critical.h"
#include "fmt.h"
#include "semihost.h"

#include <stdint.h>

#ifndef TP_CONSOLE_UART
#define TP_CONSOLE_UART 0
#endif
#ifndef TP_CONSOLE_BUFFER
#define TP_CONSOLE_BUFFER 128
#endif

#if !TP_CONSOLE_UART
static char line_buf[TP_CONSOLE_BUFFER];
static size_t line_len;
static int tt_handle = -2; /* -2: not opened yet; -1: open failed, use WRITE0 */

static void semihost_emit(const char *buf, size_t len) {
    if (tt_handle == -2) tt_handle = tp_hostfile_open(":tt", SH_MODE_W);
    if (tt_handle >= 0) {
        tp_hostfile_write(tt_handle, buf, len);
        return;
    }
    for (size_t i = 0; i < len; i++) tp_semihost_call(SH_SYS_WRITEC, &buf[i]);
}

/* Caller holds the critical section. */
static void flush_locked(void) {
    if (line_len > 0) {
        semihost_emit(line_buf, line_len);
        line_len = 0;
    }
}
#endif

void tp_console_write(const char *buf, size_t len) {
#if TP_CONSOLE_UART
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n') board_uart_putc('\r');
        board_uart_putc(buf[i]);
    }
#else
    tp_irqstate_t s = tp_critical_enter();
    for (size_t i = 0; i < len; i++) {
        line_buf[line_len++] = buf[i];
        if (buf[i] == '\n' || line_len == sizeof line_buf) flush_locked();
    }
    tp_critical_exit(s);
#endif
}

void tp_console_putc(char c) { tp_console_write(&c, 1); }

void tp_console_puts(const char *s) {
    size_t n = 0;
    while (s[n] != '\0') n++;
    tp_console_write(s, n);
}

void tp_console_flush(void) {
#if !TP_CONSOLE_UART
    tp_irqstate_t s = tp_critical_enter();
    flush_locked();
    tp_critical_exit(s);
#endif
}

static void console_sink(void *ctx, char c) {
    (void)ctx;
    tp_console_putc(c);
}

size_t tp_vprintf(const char *fmt, va_list ap) { return tp_vformat(console_sink, NULL, fmt, ap); }

size_t tp_printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = tp_vprintf(fmt, ap);
    va_end(ap);
    return n;
}

const char *tp_console_backend(void) { return TP_CONSOLE_UART ? "uart" : "semihost"; }
