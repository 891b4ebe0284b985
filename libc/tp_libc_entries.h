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
#include <malloc.h>
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
 * the stdio function that allocated, not malloc.  Without a heap (its region
 * was too small to make one) every allocation fails with ENOMEM. */
static void *malloc_from(size_t size, const void *site) {
    tp_heap_t *h = tp_malloc_heap();
    return check(h != NULL ? TP_HEAP_ALLOC_AT(h, size, site) : NULL);
}
static void *calloc_from(size_t n, size_t size, const void *site) {
    tp_heap_t *h = tp_malloc_heap();
    return check(h != NULL ? TP_HEAP_CALLOC_AT(h, n, size, site) : NULL);
}
static void *realloc_from(void *ptr, size_t size, const void *site) {
    tp_heap_t *h = tp_malloc_heap();
    void *p = h != NULL ? TP_HEAP_REALLOC_AT(h, ptr, size, site) : NULL;
    if (p == NULL && size != 0) errno = ENOMEM;
    return p;
}
static void *memalign_from(size_t align, size_t size, const void *site) {
    if (align == 0 || (align & (align - 1u)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    tp_heap_t *h = tp_malloc_heap();
    return check(h != NULL ? TP_HEAP_ALIGNED_ALLOC_AT(h, align, size, site) : NULL);
}

void *malloc(size_t size) { return malloc_from(size, TP_CALL_SITE()); }
void free(void *ptr) {
    tp_heap_t *h = tp_malloc_heap();
    if (ptr != NULL && h != NULL) tp_heap_free(h, ptr);
}
void *calloc(size_t n, size_t size) { return calloc_from(n, size, TP_CALL_SITE()); }
void *realloc(void *ptr, size_t size) { return realloc_from(ptr, size, TP_CALL_SITE()); }
void *aligned_alloc(size_t align, size_t size) { return memalign_from(align, size, TP_CALL_SITE()); }
void *memalign(size_t align, size_t size) { return memalign_from(align, size, TP_CALL_SITE()); }
int posix_memalign(void **out, size_t align, size_t size) {
    if (align < sizeof(void *) || (align & (align - 1u)) != 0) return EINVAL;
    tp_heap_t *h = tp_malloc_heap();
    void *p = h != NULL ? TP_HEAP_ALIGNED_ALLOC_AT(h, align, size, TP_CALL_SITE()) : NULL;
    if (p == NULL) return ENOMEM;
    *out = p;
    return 0;
}
size_t malloc_usable_size(void *ptr) {
    tp_heap_t *h = tp_malloc_heap();
    return h != NULL ? tp_heap_usable_size(h, ptr) : 0u;
}

/* What newlib's <malloc.h> declares besides: defined here so that a program
 * calling them never pulls newlib's allocator in beside this one (its
 * mallinfo lives with its malloc).  mallinfo reports tidepool's heap;
 * nothing is tunable (mallopt fails) and nothing is trimmed. */
struct mallinfo mallinfo(void) {
    struct mallinfo mi = {0};
    tp_heap_t *h = tp_malloc_heap();
    if (h != NULL) {
        tp_heap_stats_t st;
        tp_heap_stats(h, &st);
        mi.arena = st.heap_size;
        mi.uordblks = st.used_bytes;
        mi.fordblks = st.free_bytes;
    }
    return mi;
}
void malloc_stats(void) {
    tp_heap_t *h = tp_malloc_heap();
    if (h != NULL) tp_heap_print_stats(h, tp_port_print);
}
int mallopt(int param, int value) {
    (void)param, (void)value;
    return 0;
}
int malloc_trim(size_t pad) {
    (void)pad;
    return 0;
}

/* newlib's reentrant entry points (stdio calls these) */
void *_malloc_r(struct _reent *r, size_t size);
void _free_r(struct _reent *r, void *ptr);
void *_calloc_r(struct _reent *r, size_t n, size_t size);
void *_realloc_r(struct _reent *r, void *ptr, size_t size);
void *_memalign_r(struct _reent *r, size_t align, size_t size);
size_t _malloc_usable_size_r(struct _reent *r, void *ptr);
struct mallinfo _mallinfo_r(struct _reent *r);
void _malloc_stats_r(struct _reent *r);
int _mallopt_r(struct _reent *r, int param, int value);
int _malloc_trim_r(struct _reent *r, size_t pad);

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

struct mallinfo _mallinfo_r(struct _reent *r) {
    (void)r;
    return mallinfo();
}
void _malloc_stats_r(struct _reent *r) {
    (void)r;
    malloc_stats();
}
int _mallopt_r(struct _reent *r, int param, int value) {
    (void)r;
    return mallopt(param, value);
}
int _malloc_trim_r(struct _reent *r, size_t pad) {
    (void)r;
    return malloc_trim(pad);
}

#endif /* TP_LIBC_ENTRIES_H */
