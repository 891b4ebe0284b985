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

/* Declared here because newlib's <malloc.h> does not always declare them. */
void *memalign(size_t align, size_t size);
size_t malloc_usable_size(void *ptr);

#endif
