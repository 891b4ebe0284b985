// SPDX-License-Identifier: MIT
/*
 * tp_libc_entries.h - malloc, free, calloc, realloc, aligned_alloc,
 * memalign, posix_memalign, malloc_usable_size and newlib's reentrant
 * _malloc_r family, all over tp_malloc_heap().  Definitions, not
 * declarations: included once, by the file that defines tp_malloc_heap()
 * (libc/libc_malloc.c in a tidepool image, port/standalone/tp_port_standalone.c
 * in a project of its own).  _sbrk is not among them: the C library's heap
 * is never grown.
 */
#ifndef TP_LIBC_ENTRIES_H
#define TP_LIBC_ENTRIES_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tp_alloc.h"
#include "tp_libc_malloc.h"

struct _reent;

static void *check(void *p) {
    if (p == NULL) errno = ENOMEM;
    return p;
}

/* Each entry point passes its caller on as the call site (what the tracking
 * build records; see TP_HEAP_ALLOC_AT), so newlib's _malloc_r family names
 * the stdio function that allocated, not malloc. */
static void *malloc_from(size_t size, const void *site) {
    return check(TP_HEAP_ALLOC_AT(tp_malloc_heap(), size, site));
}
static void *calloc_from(size_t n, size_t size, const void *site) {
    return check(TP_HEAP_CALLOC_AT(tp_malloc_heap(), n, size, site));
}
static void *realloc_from(void *ptr, size_t size, const void *site) {
    void *p = TP_HEAP_REALLOC_AT(tp_malloc_heap(), ptr, size, site);
    if (p == NULL && size != 0) errno = ENOMEM;
    return p;
}
static void *memalign_from(size_t align, size_t size, const void *site) {
    if (align == 0 || (align & (align - 1u)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    return check(TP_HEAP_ALIGNED_ALLOC_AT(tp_malloc_heap(), align, size, site));
}

void *malloc(size_t size) { return malloc_from(size, TP_CALL_SITE()); }
void free(void *ptr) {
    if (ptr != NULL) tp_heap_free(tp_malloc_heap(), ptr);
}
void *calloc(size_t n, size_t size) { return calloc_from(n, size, TP_CALL_SITE()); }
void *realloc(void *ptr, size_t size) { return realloc_from(ptr, size, TP_CALL_SITE()); }
void *aligned_alloc(size_t align, size_t size) { return memalign_from(align, size, TP_CALL_SITE()); }
void *memalign(size_t align, size_t size) { return memalign_from(align, size, TP_CALL_SITE()); }
int posix_memalign(void **out, size_t align, size_t size) {
    if (align < sizeof(void *) || (align & (align - 1u)) != 0) return EINVAL;
    void *p = TP_HEAP_ALIGNED_ALLOC_AT(tp_malloc_heap(), align, size, TP_CALL_SITE());
    if (p == NULL) return ENOMEM;
    *out = p;
    return 0;
}
size_t malloc_usable_size(void *ptr) { return tp_heap_usable_size(tp_malloc_heap(), ptr); }

/* newlib's reentrant entry points (stdio calls these) */
void *_malloc_r(struct _reent *r, size_t size);
void _free_r(struct _reent *r, void *ptr);
void *_calloc_r(struct _reent *r, size_t n, size_t size);
void *_realloc_r(struct _reent *r, void *ptr, size_t size);
void *_memalign_r(struct _reent *r, size_t align, size_t size);
size_t _malloc_usable_size_r(struct _reent *r, void *ptr);

void *_malloc_r(struct _reent *r, size_t size) {
    (void)r;
    return malloc_from(size, TP_CALL_SITE());
}
void _free_r(struct _reent *r, void *ptr) {
    (void)r;
    free(ptr);
}
void *_calloc_r(struct _reent *r, size_t n, size_t size) {
    (void)r;
    return calloc_from(n, size, TP_CALL_SITE());
}
void *_realloc_r(struct _reent *r, void *ptr, size_t size) {
    (void)r;
    return realloc_from(ptr, size, TP_CALL_SITE());
}
void *_memalign_r(struct _reent *r, size_t align, size_t size) {
    (void)r;
    return memalign_from(align, size, TP_CALL_SITE());
}
size_t _malloc_usable_size_r(struct _reent *r, void *ptr) {
    (void)r;
    return malloc_usable_size(ptr);
}

#endif /* TP_LIBC_ENTRIES_H */
