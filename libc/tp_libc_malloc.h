// SPDX-License-Identifier: MIT
/*
 * tp_libc_malloc.h - the heap behind malloc() (libc/libc_malloc.c).
 */
#ifndef TP_LIBC_MALLOC_H
#define TP_LIBC_MALLOC_H

#include <stddef.h>

#include "tp_alloc.h"

/* The heap malloc() uses, made on first use from the linker's heap regions
 * (tp_heap_regions): the main heap, then CCM/PSRAM regions.  Its error hook
 * prints "*** HEAP ERROR: ..." on the console; replace it with
 * tp_heap_set_error_hook, and add an out-of-memory hook the same way. */
tp_heap_t *tp_malloc_heap(void);

/* In a project of its own (port/standalone/tp_port_standalone.c): makes the
 * heap malloc uses in [mem, mem + size), if it is not made yet; returns it.
 * Without a call, the first allocation makes it from tp_malloc_region(). */
tp_heap_t *tp_malloc_init(void *mem, size_t size);
/* The region the first allocation makes the heap in; weak, to be replaced:
 * by default the linker script's [_end, _estack - _Min_Stack_Size). */
void tp_malloc_region(void **start, size_t *size);

/* Declared here because newlib's <malloc.h> does not always declare them. */
void *memalign(size_t align, size_t size);
size_t malloc_usable_size(void *ptr);

#endif
