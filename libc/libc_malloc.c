// SPDX-License-Identifier: MIT
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
#if TP_ALLOC_TRACK
#include "tp_track.h"

/* The tracking build tracks the C library's heap from its creation. */
static tp_track_t default_tracker;
static tp_track_entry_t default_slots[TP_TRACK_SLOTS];
tp_track_t *tp_track_default(void) { return default_tracker.slots != NULL ? &default_tracker : NULL; }
#endif

struct _reent;

/* Every heap region the linker lays out must find a place in the heap. */
_Static_assert(TP_MAX_HEAP_REGIONS <= TP_ALLOC_MAX_REGIONS,
               "the memory map has more heap regions (kernel/memmap.h) than a heap takes "
               "(TP_ALLOC_MAX_REGIONS, alloc/tp_alloc_config.h): raise TP_ALLOC_MAX_REGIONS");

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
            for (size_t i = 1; i < n; i++) {
                if (tp_heap_add_region(h, (void *)regions[i].start,
                                       regions[i].end - regions[i].start) != 0)
                    tp_printf("*** HEAP: region %u (%p, %u bytes) could not be added: malloc "
                              "goes without it\n",
                              (unsigned)i, (void *)regions[i].start,
                              (unsigned)(regions[i].end - regions[i].start));
            }
            tp_heap_set_error_hook(h, report_error, NULL);
#if TP_ALLOC_TRACK
            (void)tp_track_attach(h, &default_tracker, default_slots, TP_TRACK_SLOTS);
#endif
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

/* malloc, free & co. and newlib's _malloc_r family, over tp_malloc_heap() */
#include "tp_libc_entries.h"
