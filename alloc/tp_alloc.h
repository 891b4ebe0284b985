// SPDX-License-Identifier: MIT
/*
 * tp_alloc.h - tidepool's allocator: static arenas carved into pools and
 * size classes (CPython's pymalloc, made for a microcontroller), over an O(1)
 * segregated-fit large-block allocator.
 *
 *  +3  per-type free lists      tp_freelist_*: a type keeps its own recycled blocks
 *  +2  object allocator         requests <= TP_ALLOC_SMALL_MAX: pools of one size class
 *  +1  large-block allocator    bigger requests, and the pools themselves: two-level
 *                               segregated fit (TLSF-like), 4-byte header, coalescing
 *   0  the heap regions         fixed, static: the linker's heap region(s); no sbrk
 *
 * Size classes step by TP_ALLOC_GRAIN (8) bytes: requests 1-8 -> class 0 (8 B),
 * 9-16 -> class 1 (16 B), ..., up to TP_ALLOC_SMALL_MAX.  With the defaults
 * (TP_ALLOC_SMALL_MAX 32, 512-byte pools, tp_alloc_config.h):
 *
 *   request   class  block   blocks per 512-byte pool (16 bytes of header)
 *     1-8       0      8        62
 *     9-16      1     16        31
 *    17-24      2     24        20
 *    25-32      3     32        15
 *   > 32       large path: block = round8(request + 4), at least 24 bytes
 *
 * (A build may raise TP_ALLOC_SMALL_MAX up to 512, with larger pools: 64
 * classes up to 512 bytes in 2 KiB pools is tested.)
 *
 * A pool is one aligned page of TP_ALLOC_POOL_SIZE bytes holding blocks of one
 * class (0 bytes of header per block; a 16-byte pool header at the start of
 * the page).  Pools with a free block are on usedpools[class]; a pool that
 * empties stays there if it is its class's only one, else it is kept on
 * freepools (up to TP_ALLOC_KEEP_FREE_POOLS, reusable by any class) or handed
 * back to the large-block allocator, which coalesces it.  Kept empty pools
 * are handed back before an allocation fails.  A block's pool is its address
 * rounded down to the page; a byte map per region tells pool pages from large
 * blocks, so free() needs no size.
 *
 * Time bounds (no loop runs a number of times that depends on the heap;
 * instructions on a Cortex-M4 at -Os, the longest measured by `make bench`
 * over five traces and a worst case hunt at 16 heap placements, lock
 * included; docs/alloc.md):
 *   small malloc             O(1): a pop from a pool, 25-36; a pool started
 *                            on a kept page, 72; on a new page: at most
 *                            POOL_PAGE_CANDIDATES (2) free blocks looked at,
 *                            one list search, a split on each side of the
 *                            page: up to 426
 *   small free               O(1): 44-63; a pool emptied and handed back to
 *                            the large level (coalesced): up to 213
 *   large malloc             O(1): bitmap search plus at most TP_ALLOC_FIT_SCAN
 *                            list entries examined for a better fit: up to 185
 *   large free               O(1): coalescing with both neighbours: up to 168
 *   realloc                  O(1) in place (growing into a free block after it),
 *                            else malloc + copy + free
 *   a failing allocation     O(1): hands back at most TP_ALLOC_KEEP_FREE_POOLS +
 *                            classes kept empty pools, then the OOM hook; a
 *                            request over tp_heap_max_request() fails at once
 *   tp_heap_stats            O(classes)
 *   tp_heap_class_stats, tp_heap_validate, tp_heap_walk    O(heap): diagnostics
 *
 * Interrupt safety: every entry point may be called from thread mode and from
 * interrupt handlers.  Each holds TP_ALLOC_LOCK for a bounded, short time
 * (no loop runs under the lock that depends on the heap size, except in the
 * diagnostics).  TP_ALLOC_LOCK/TP_ALLOC_UNLOCK default to the port's lock
 * (port/tp_port.h): a PRIMASK critical section on the target, a depth count
 * on the host; an RTOS may define them
 * (e.g. to a mutex) when no interrupt handler allocates.  Hooks (error,
 * out-of-memory) are called without the lock held.  Per-type free lists
 * (tp_freelist_*) take no lock: a list belongs to one context (an interrupt
 * handler may have its own).  Run three times as long as in its own `make
 * test` run, the interrupt test is shown to fail when any one of the ten
 * lock sites on the paths of malloc, calloc, realloc, aligned_alloc, free,
 * free_sized, the free lists' refills and the debug layer (TP_LOCK_SITE_* in
 * tp_alloc_internal.h) is compiled without its lock (tests/lockproof/run.sh,
 * part of `make test`).  The sites only an out-of-memory or a damaged heap
 * reaches (kept pools handed back, the failure count, the damage report)
 * are not among them.
 *
 * Failure behaviour: allocation returns NULL (the libc API also sets errno to
 * ENOMEM) after the out-of-memory hook declined to free memory.
 *
 * The contract on misuse: each misuse below is reported through the error
 * hook (kind in brackets; with the return address of the allocator's
 * caller where there is one) and never corrupts the heap: the bad call is
 * ignored (realloc returns NULL, usable_size 0), or what was changed is
 * repaired or quarantined (a leak of at most a pool's free blocks), and
 * tp_heap_validate holds afterwards.
 *
 *   misuse                                           release     debug
 *   free of a freed block, not yet handed out again  yes [DOUBLE_FREE]  yes
 *   free/realloc of a pointer outside the regions,
 *     misaligned, into pool space never carved       yes [FOREIGN, MISALIGNED]  yes
 *   free/realloc of an interior pointer: mid pool
 *     block [INTERIOR]; into a large block, even over
 *     one word that looks like a header [BAD_HEADER] yes         yes
 *   realloc / usable_size of a freed block           yes [DOUBLE_FREE]  yes
 *   a type free list: the same block freed twice     yes [DOUBLE_FREE]  yes
 *   a freed block's first two words changed: a write
 *     after free, an overrun of any length into a
 *     free neighbour's first words, a reference count
 *     changed on a freed object                      yes [WRITE_AFTER_FREE], when
 *                                                    the block leaves its free
 *                                                    list                yes
 *   an overrun into a free large block's header      yes (the header found again
 *                                                    from its footer)    yes
 *   a decref of a freed object (gc/)                 yes: the first word of every
 *                                                    free block is FREE_MARK, whose
 *                                                    low half reads as a count of 0
 *   a write anywhere else in a freed block           no          yes [WRITE_AFTER_FREE]
 *   an overrun or underrun into a block in use       no          yes [OVERRUN, UNDERRUN]
 *   tp_heap_free_sized with a wrong size             yes, when it names another
 *                                                    class or block size  yes, any
 *   a use after the block was handed out again       no          while the block
 *                                                    waits in the quarantine
 *   a stale pointer after tp_heap_init re-made the
 *     heap in the same memory (init clears the
 *     region: no old header or mark remains)         yes [BAD_HEADER, FOREIGN,
 *                                                    DOUBLE_FREE] yes, unless it
 *                                                    is a block in use again
 *
 * Costs of the release checks (docs/alloc.md): a mark compared and a link
 * unmangled on every small allocation, a division on every small free (the
 * interior check), a mark and the header's flags compared when a large
 * block leaves a list, one more header read on a large free.
 *
 * The debug build (TP_ALLOC_DEBUG=1, see tp_alloc_config.h) adds guard bytes
 * around each block, a quarantine of freed blocks and tp_heap_free_sized
 * checked exactly; a block whose guards were damaged is reported and never
 * reused.  It fills fresh memory 0xCD and freed memory 0xDD (but for the
 * free mark in a freed block's first word), and its statistics count what
 * was asked for.
 */
#ifndef TP_ALLOC_H
#define TP_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "tp_alloc_config.h"
#include "tp_port.h"

typedef struct tp_heap tp_heap_t;

/* ---- set-up ---- */

/* Makes a heap in [mem, mem+size): the heap's control block, page maps and
 * free space all live inside it (so `size` is the whole cost).  Returns the
 * heap, or NULL if size is too small (see TP_HEAP_MIN_SIZE) or mem is NULL.
 * The memory is cleared (one memset of the region, so that no pointer of an
 * earlier heap in the same memory can pass for a block). */
tp_heap_t *tp_heap_init(void *mem, size_t size);

/* Adds another region (e.g. CCM, PSRAM) to a heap, cleared as by
 * tp_heap_init.  Returns 0, or -1 if the region is too small, overlaps, or
 * TP_ALLOC_MAX_REGIONS are in use. */
int tp_heap_add_region(tp_heap_t *heap, void *mem, size_t size);

/* ---- allocation ---- */

/* malloc semantics: size 0 gives a unique minimum block.  8-byte aligned. */
void *tp_heap_alloc(tp_heap_t *heap, size_t size);
/* calloc semantics: zeroed, NULL on n*size overflow. */
void *tp_heap_calloc(tp_heap_t *heap, size_t n, size_t size);
/* free semantics: NULL is ignored. */
void tp_heap_free(tp_heap_t *heap, void *ptr);
/* free with the size the caller allocated (or any size of the same class, or
 * that would have made the same large block; the size of a realloc, or
 * tp_heap_usable_size, do): as fast as free, and the size is checked against
 * the block.  A size that does not fit is reported (TP_ALLOC_ERR_SIZE_MISMATCH)
 * and the block, which the pointer identifies, is freed all the same: a wrong
 * size never corrupts the heap.  Every error of free is reported as by free.
 * In the debug build the size must be exactly the size allocated, and a
 * mismatched block is not freed. */
void tp_heap_free_sized(tp_heap_t *heap, void *ptr, size_t size);
/* realloc semantics: grows or shrinks in place when it can (the debug build
 * always moves the block); NULL ptr = alloc; size 0 frees and returns NULL.
 * On failure the old block is untouched. */
void *tp_heap_realloc(tp_heap_t *heap, void *ptr, size_t size);
/* align: a power of two.  NULL if it is not, or on out of memory. */
void *tp_heap_aligned_alloc(tp_heap_t *heap, size_t align, size_t size);
/* Bytes the caller may use at ptr (>= the size asked for; the debug build:
 * exactly the size asked for). 0 for NULL or a pointer that is no block in
 * use (freed, inside a pool block, never carved). */
size_t tp_heap_usable_size(tp_heap_t *heap, const void *ptr);

/* ---- allocation on behalf of a caller ----
 * The tracking build (TP_ALLOC_TRACK=1, alloc/tp_track.h) records for each
 * block the return address of whoever called the allocator.  A wrapper that
 * allocates for its own caller (malloc, tp_gc_new) passes that caller's
 * address on with these, so the report names the code that asked for the
 * memory rather than the wrapper; in other builds they are the plain calls. */
#if TP_ALLOC_TRACK
void *tp_heap_alloc_at(tp_heap_t *heap, size_t size, const void *site);
void *tp_heap_calloc_at(tp_heap_t *heap, size_t n, size_t size, const void *site);
void *tp_heap_realloc_at(tp_heap_t *heap, void *ptr, size_t size, const void *site);
void *tp_heap_aligned_alloc_at(tp_heap_t *heap, size_t align, size_t size, const void *site);
struct tp_freelist_s;
void *tp_freelist_alloc_at(tp_heap_t *heap, struct tp_freelist_s *list, const void *site);
#define TP_HEAP_ALLOC_AT(h, n, site) tp_heap_alloc_at((h), (n), (site))
#define TP_HEAP_CALLOC_AT(h, n, sz, site) tp_heap_calloc_at((h), (n), (sz), (site))
#define TP_HEAP_REALLOC_AT(h, p, n, site) tp_heap_realloc_at((h), (p), (n), (site))
#define TP_HEAP_ALIGNED_ALLOC_AT(h, a, n, site) tp_heap_aligned_alloc_at((h), (a), (n), (site))
#define TP_FREELIST_ALLOC_AT(h, l, site) tp_freelist_alloc_at((h), (l), (site))
#else
#define TP_HEAP_ALLOC_AT(h, n, site) ((void)(site), tp_heap_alloc((h), (n)))
#define TP_HEAP_CALLOC_AT(h, n, sz, site) ((void)(site), tp_heap_calloc((h), (n), (sz)))
#define TP_HEAP_REALLOC_AT(h, p, n, site) ((void)(site), tp_heap_realloc((h), (p), (n)))
#define TP_HEAP_ALIGNED_ALLOC_AT(h, a, n, site) ((void)(site), tp_heap_aligned_alloc((h), (a), (n)))
#define TP_FREELIST_ALLOC_AT(h, l, site) ((void)(site), tp_freelist_alloc((h), (l)))
#endif
/* The return address of the function that contains it: a call site. */
#define TP_CALL_SITE() ((const void *)__builtin_return_address(0))

/* ---- hooks ---- */

typedef enum {
    TP_ALLOC_OK = 0,
    TP_ALLOC_ERR_DOUBLE_FREE,     /* block already free */
    TP_ALLOC_ERR_FOREIGN,         /* pointer outside every region of this heap */
    TP_ALLOC_ERR_MISALIGNED,      /* not 8-byte aligned */
    TP_ALLOC_ERR_INTERIOR,        /* inside a block, not its start (debug build; release:
                                     pool blocks) */
    TP_ALLOC_ERR_BAD_HEADER,      /* a large block's header is not one we wrote */
    TP_ALLOC_ERR_OVERRUN,         /* guard bytes after the block damaged (debug) */
    TP_ALLOC_ERR_UNDERRUN,        /* guard bytes before the block damaged (debug) */
    TP_ALLOC_ERR_WRITE_AFTER_FREE,/* a freed block was written to (debug) */
    TP_ALLOC_ERR_SIZE_MISMATCH,   /* free_sized with a size that does not fit the block */
    TP_ALLOC_ERR_CORRUPT,         /* validate() found an inconsistency */
} tp_alloc_err_t;

typedef struct {
    tp_alloc_err_t kind;
    const void *ptr;     /* the pointer passed in, or the damaged place */
    size_t size;         /* block size (class size for small blocks), 0 if unknown;
                            debug build: the size the block was requested with */
    int size_class;      /* small class, or -1 for a large block / unknown; debug
                            build: the class of the size requested */
    const void *caller;  /* return address of the allocator's caller */
    const char *detail;  /* one line of explanation */
} tp_alloc_error_t;

typedef void (*tp_alloc_error_hook_t)(const tp_alloc_error_t *error, void *ctx);
/* Called when an allocation fails; may free memory.  Return non-zero to have
 * the allocation retried (once per call of the hook; the hook is called again
 * if the retry fails, until it returns 0). */
typedef int (*tp_alloc_oom_hook_t)(tp_heap_t *heap, size_t size, void *ctx);

void tp_heap_set_error_hook(tp_heap_t *heap, tp_alloc_error_hook_t hook, void *ctx);
void tp_heap_set_oom_hook(tp_heap_t *heap, tp_alloc_oom_hook_t hook, void *ctx);
/* The error a hook-less heap reported last (TP_ALLOC_OK if none). */
tp_alloc_err_t tp_heap_last_error(const tp_heap_t *heap);
const char *tp_alloc_err_name(tp_alloc_err_t kind);

/* ---- statistics ----
 * In the debug build the figures about blocks are the user's: used_bytes is
 * the bytes requested, a freed block counts as freed while it waits in the
 * quarantine, and largest_free is what a request can have after the
 * per-block overhead; footprint, free_bytes and the pool figures are the
 * memory as it is (headers, guards, quarantined blocks included). */

typedef struct {
    size_t heap_size;         /* bytes given to the heap (all regions) */
    size_t metadata_bytes;    /* control block, page maps, region sentinels */
    size_t used_bytes;        /* bytes handed out: small class sizes + large usable sizes */
    size_t used_blocks;       /* blocks handed out */
    size_t footprint;         /* bytes taken from the large-block level: large blocks + pools */
    size_t footprint_peak;    /* high-water mark of footprint */
    size_t free_bytes;        /* bytes free at the large-block level (excl. pool insides) */
    size_t largest_free;      /* the largest request the free lists serve as they are:
                                 one of this many bytes succeeds, one of 8 more fails -
                                 unless handing the kept empty pools back (free_pools)
                                 or the out-of-memory hook makes room (in the debug
                                 build, its quarantine emptied).  Exact for
                                 requests over TP_ALLOC_SMALL_MAX (smaller ones may
                                 come from a pool) */
    uint32_t alloc_count;     /* successful allocations */
    uint32_t free_count;      /* successful frees */
    uint32_t fail_count;      /* allocations that returned NULL */
    uint32_t error_count;     /* errors reported */
    uint16_t pools;           /* pools with a block in use */
    uint16_t free_pools;      /* empty pools kept: on freepools, or the only
                                 pool of their class */
} tp_heap_stats_t;

/* O(classes). */
void tp_heap_stats(const tp_heap_t *heap, tp_heap_stats_t *out);

/* O(1) figures for a pacer (the collector, gc/): the bytes taken from the
 * large-block level now (tp_heap_stats' footprint: large blocks and whole
 * pool pages) and the most it can hold (the regions' block space). */
size_t tp_heap_footprint(const tp_heap_t *heap);
size_t tp_heap_capacity(const tp_heap_t *heap);

/* The largest request any heap of this build can serve: one block of
 * 2^TP_ALLOC_MAX_LOG2 - 16 bytes less its 4-byte header (262,124 bytes
 * with the default 18; the debug build: less its guards too).  A bigger request fails at once - NULL, counted in
 * fail_count, the out-of-memory hook not called, since no freed memory
 * could serve it.  A region bigger than a block is laid out as several. */
size_t tp_heap_max_request(void);

/* Returns footprint_peak and restarts it from max(footprint, floor): the
 * peak of a stretch of code (prof/tp_scope.h - a scope ending hands the
 * enclosing one its peak back as the floor).  O(1). */
size_t tp_heap_reset_peak(tp_heap_t *heap, size_t floor);

typedef struct {
    uint16_t block_size;      /* class size in bytes */
    uint16_t blocks_per_pool;
    uint16_t pools;           /* pools of this class */
    uint32_t blocks_used;
    uint32_t blocks_free;     /* free or not yet carved, in this class's pools */
    uint32_t quantization;    /* bytes lost rounding requests up: class size - size
                                 requested, over the live blocks whose request maps
                                 to this class (needs the debug build; 0 otherwise) */
    uint32_t pool_overhead;   /* pool headers and unusable tail bytes of these pools */
} tp_class_stats_t;

/* O(pools of the class): the row of sys._debugmallocstats() for one class.
 * Returns -1 for a class number out of range. */
int tp_heap_class_stats(const tp_heap_t *heap, unsigned size_class, tp_class_stats_t *out);
unsigned tp_heap_class_count(void);

/* Prints the per-class table and the totals through `print` (printf-like). */
void tp_heap_print_stats(const tp_heap_t *heap,
                         tp_print_fn print);

/* Walks every arena, pool and free list and checks every invariant.  Returns
 * 0 when the heap is consistent; otherwise reports the first inconsistency
 * (through the error hook, kind TP_ALLOC_ERR_CORRUPT) and returns -1.  O(heap). */
int tp_heap_validate(tp_heap_t *heap);

#if TP_ALLOC_DEBUG
/* Fault injection (debug build): the n-th allocation from now on (1: the
 * next one; malloc, calloc, realloc that must move, aligned_alloc, a type
 * free list that must take a block) fails as if memory were exhausted,
 * without the out-of-memory hook; the ones after it succeed again.  0: off.
 * For testing that every caller survives any one failed allocation. */
void tp_heap_debug_fail_at(tp_heap_t *heap, uint32_t n);
#endif

/* The heap as it lies in memory, for dumps and maps (prof/tp_heapdump.h):
 * tp_heap_walk calls visit for every extent, in address order region by
 * region (the control block first); the extents tile the heap exactly, so
 * their sizes add up to heap_size.  A non-zero return from visit stops the
 * walk and is returned.  O(heap), without the lock: call it when no
 * interrupt handler allocates, or the picture may be torn (never the heap). */
typedef enum {
    TP_EXTENT_META = 0, /* the heap's own: control block, page map, region ends, fences */
    TP_EXTENT_POOL,     /* a pool: one page of blocks of one class (or kept empty) */
    TP_EXTENT_USED,     /* a large block handed out (its 4-byte header included) */
    TP_EXTENT_FREE,     /* a free block of the large level */
} tp_extent_kind_t;

typedef struct {
    uintptr_t addr;
    uint32_t size;
    uint8_t kind;         /* tp_extent_kind_t */
    uint8_t region;       /* index of the region (the control block: 0) */
    int16_t size_class;   /* POOL: its class, or -1 for an empty pool kept; else -1 */
    uint16_t blocks_used; /* POOL: blocks handed out */
    uint16_t blocks_total;/* POOL: blocks it holds */
} tp_extent_t;

int tp_heap_walk(const tp_heap_t *heap, int (*visit)(const tp_extent_t *extent, void *ctx), void *ctx);

/* The address range [*lo, *hi) that covers the heap's control block and every
 * region: every block the heap hands out lies inside it.  O(regions).  The
 * collector (gc/) uses it to encode object links as 16-bit offsets. */
void tp_heap_span(const tp_heap_t *heap, uintptr_t *lo, uintptr_t *hi);

/* ---- per-type free lists (level +3) ---- */

/* A type's private cache of blocks of one size: freeing to it keeps the block
 * for the next allocation of that type (it is not handed to other types), up
 * to `cap` blocks; beyond the cap blocks go back to the heap.  Freeing a
 * block that is already cached is reported (TP_ALLOC_ERR_DOUBLE_FREE) and
 * ignored, in every build: a cached block carries a tag in its second word,
 * so the check is O(1) and a walk of the list, O(cap), only confirms it
 * (blocks of one pointer are looked for in the list every time).  Not
 * locked: a free list belongs to one context, or its owner locks it. */
typedef struct tp_freelist_s {
    void *head;
    uint16_t count;
    uint16_t cap;
    uint16_t block_size;
    uint16_t hits;            /* allocations served from the list (saturates) */
} tp_freelist_t;

void tp_freelist_init(tp_freelist_t *list, size_t block_size, uint16_t cap);
void *tp_freelist_alloc(tp_heap_t *heap, tp_freelist_t *list);
void tp_freelist_free(tp_heap_t *heap, tp_freelist_t *list, void *ptr);
/* Gives every cached block back to the heap (e.g. from an out-of-memory hook). */
void tp_freelist_drain(tp_heap_t *heap, tp_freelist_t *list);

#endif /* TP_ALLOC_H */
