// SPDX-License-Identifier: MIT
/*
 * tp_port_standalone.c - tidepool's allocator in a project of its own (a
 * CubeMX or RTOS project with its own startup file, linker script,
 * syscalls.c and sysmem.c): the one file to add besides the files of
 * alloc/.  It makes malloc, free & co. and newlib's _malloc_r family
 * tidepool's (libc/tp_libc_entries.h) over one heap, and gives the port
 * what it needs without tidepool's kernel.  It defines no _sbrk: the project's sysmem.c
 * keeps its own, which nothing calls any more.  Recipe: docs/dropin.md.
 *
 * The heap's memory, by default what the project's linker script leaves
 * between the end of .bss and the stack - [_end, _estack - _Min_Stack_Size),
 * the symbols CubeMX scripts define.  A project that wants another region
 * defines tp_malloc_region() (weak here), or calls tp_malloc_init() before
 * the first allocation.
 *
 * The lock: TP_PORT_LOCK (port/cortexm/tp_port_cortexm.h) - interrupt
 * masking by default; TP_PORT_LOCK_HOOK for an RTOS; TP_PORT_LOCK_NEWLIB
 * for newlib's __malloc_lock/__malloc_unlock.
 *
 * Reports (a double free, an overrun found...) go to tp_port_print, which
 * writes with the project's _write on file 2 (weak: replace it).
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign in <stdlib.h> */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tp_alloc.h"
#include "tp_libc_malloc.h"
#include "tp_port.h"

#if !TP_PORT_TARGET
#error "tp_port_standalone.c is for a Cortex-M target"
#endif

/* ---- the port, without tidepool's kernel ---- */

int _write(int fd, const char *buf, int len);

__attribute__((weak)) void tp_port_print(const char *fmt, ...) {
    char text[160];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof text - 1) n = (int)sizeof text - 1;
    if (n > 0) (void)_write(2, text, n);
}

__attribute__((weak)) void tp_port_assert_failed(const char *file, int line, const char *cond) {
    tp_port_print("\n*** ASSERTION FAILED: %s (%s:%d)\n", cond, file, line);
    for (;;) __asm volatile("bkpt #0");
}

__attribute__((weak)) uint64_t tp_port_cycles(void) { return 0; }

/* ---- the heap ---- */

extern char _end[];            /* end of .bss (the linker script's) */
extern char _estack[];         /* top of the stack */
extern char _Min_Stack_Size[]; /* an absolute symbol: its address is the size */

__attribute__((weak)) void tp_malloc_region(void **start, size_t *size) {
    uintptr_t lo = (uintptr_t)_end, hi = (uintptr_t)_estack - (uintptr_t)_Min_Stack_Size;
    *start = (void *)lo;
    *size = hi > lo ? (size_t)(hi - lo) : 0u;
}

static tp_heap_t *malloc_heap;

static void report_error(const tp_alloc_error_t *e, void *ctx) {
    (void)ctx;
    tp_port_print("*** HEAP ERROR: %s: %p, called from %p\n", e->detail, e->ptr, e->caller);
}

tp_heap_t *tp_malloc_init(void *mem, size_t size) {
    uint32_t s = tp_port_irq_mask(); /* an interrupt must not make it twice */
    if (malloc_heap == NULL) {
        malloc_heap = tp_heap_init(mem, size);
        if (malloc_heap != NULL) tp_heap_set_error_hook(malloc_heap, report_error, NULL);
    }
    tp_port_irq_restore(s);
    return malloc_heap;
}

tp_heap_t *tp_malloc_heap(void) {
    tp_heap_t *h = malloc_heap;
    if (h == NULL) {
        void *start;
        size_t size;
        tp_malloc_region(&start, &size);
        h = tp_malloc_init(start, size);
    }
    return h;
}

/* malloc, free & co. and newlib's _malloc_r family, over tp_malloc_heap() */
#include "tp_libc_entries.h"
