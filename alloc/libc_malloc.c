/*
 * libc_malloc.c - tidepool's allocator as the C library's: malloc, free,
 * calloc, realloc, aligned_alloc, memalign, posix_memalign,
 * malloc_usable_size and newlib's reentrant _malloc_r family.  Linking this
 * file keeps newlib-nano's own malloc out of the image (tests/link checks
 * with the link map), so every byte the firmware allocates - newlib's stdio
 * buffers included - comes from the static heap regions the linker laid out.
 *
 * Target only (it reads the linker's heap regions and prints errors on the
 * console); the host tests use tp_heap_* directly.
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign in <stdlib.h> */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "critical.h"
#include "memmap.h"
#include "tp_alloc.h"
#include "tp_libc_malloc.h"

struct _reent;

static tp_heap_t *default_heap;

static void report_error(const tp_alloc_error_t *e, void *ctx) {
    (void)ctx;
    tp_printf("*** HEAP ERROR: %s: %p", e->detail, e->ptr);
    if (e->size_class >= 0) tp_printf(" (class %d, %u-byte blocks)", e->size_class, (unsigned)e->size);
    tp_printf(", called from %p\n", e->caller);
}

/* Builds the heap from the linker's regions.  Runs once: from the
 * constructor below at boot, or - if something allocates before constructors
 * run - from the first call, inside a critical section so an interrupt that
 * allocates cannot initialise the heap a second time under it. */
static tp_heap_t *make_heap(void) {
    tp_irqstate_t s = tp_critical_enter();
    if (default_heap == NULL) {
        tp_region_t regions[TP_MAX_HEAP_REGIONS];
        size_t n = tp_heap_regions(regions);
        tp_heap_t *h = tp_heap_init((void *)regions[0].start, regions[0].end - regions[0].start);
        if (h != NULL) {
            for (size_t i = 1; i < n; i++)
                (void)tp_heap_add_region(h, (void *)regions[i].start,
                                         regions[i].end - regions[i].start);
            tp_heap_set_error_hook(h, report_error, NULL);
            default_heap = h;
        }
    }
    tp_critical_exit(s);
    return default_heap;
}

__attribute__((constructor(101))) static void heap_at_boot(void) { (void)make_heap(); }

tp_heap_t *tp_malloc_heap(void) {
    tp_heap_t *h = default_heap;
    return h != NULL ? h : make_heap();
}

/* The heap belongs to the allocator: nothing may grow into it with sbrk. */
void *_sbrk(ptrdiff_t increment);
void *_sbrk(ptrdiff_t increment) {
    (void)increment;
    errno = ENOMEM;
    return (void *)-1;
}

static void *check(void *p) {
    if (p == NULL) errno = ENOMEM;
    return p;
}

void *malloc(size_t size) { return check(tp_heap_alloc(tp_malloc_heap(), size)); }
void free(void *ptr) {
    if (ptr != NULL) tp_heap_free(tp_malloc_heap(), ptr);
}
void *calloc(size_t n, size_t size) { return check(tp_heap_calloc(tp_malloc_heap(), n, size)); }
void *realloc(void *ptr, size_t size) {
    void *p = tp_heap_realloc(tp_malloc_heap(), ptr, size);
    if (p == NULL && size != 0) errno = ENOMEM;
    return p;
}
void *aligned_alloc(size_t align, size_t size) {
    if (align == 0 || (align & (align - 1u)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    return check(tp_heap_aligned_alloc(tp_malloc_heap(), align, size));
}
void *memalign(size_t align, size_t size) { return aligned_alloc(align, size); }
int posix_memalign(void **out, size_t align, size_t size) {
    if (align < sizeof(void *) || (align & (align - 1u)) != 0) return EINVAL;
    void *p = tp_heap_aligned_alloc(tp_malloc_heap(), align, size);
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
    return malloc(size);
}
void _free_r(struct _reent *r, void *ptr) {
    (void)r;
    free(ptr);
}
void *_calloc_r(struct _reent *r, size_t n, size_t size) {
    (void)r;
    return calloc(n, size);
}
void *_realloc_r(struct _reent *r, void *ptr, size_t size) {
    (void)r;
    return realloc(ptr, size);
}
void *_memalign_r(struct _reent *r, size_t align, size_t size) {
    (void)r;
    return memalign(align, size);
}
size_t _malloc_usable_size_r(struct _reent *r, void *ptr) {
    (void)r;
    return malloc_usable_size(ptr);
}
