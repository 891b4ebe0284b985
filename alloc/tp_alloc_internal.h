// SPDX-License-Identifier: MIT
/*
 * tp_alloc_internal.h - the allocator's data layout, shared by its source
 * files (tp_alloc.c: the hot paths; tp_alloc_diag.c: statistics and
 * validation; tp_alloc_debug.c: the debug build's layer).  Not for users.
 *
 * Large blocks (the segregated-fit level)
 *   A block starts at an address = 4 (mod 8) with a 4-byte header
 *   (size | flags); its payload, right after, is 8-aligned.  Sizes are
 *   multiples of 8 and include the header; the smallest block is 16 bytes.
 *     used block:  [size|PREV_FREE?][payload ...........................]
 *     free block:  [size|FREE|.....][FREE_MARK][next ref][prev ref] ... [size footer]
 *   The mark sits where an object's header would: a reference count on a
 *   freed object reads 0 there (see FREE_MARK), and one changed is seen
 *   when the block leaves its list.  So the smallest block is 24 bytes.
 *   The footer lets the next block find a free predecessor (PREV_FREE flag);
 *   two free blocks are never adjacent (they are coalesced at once).  A
 *   region ends with a 4-byte sentinel header (size 0, in use).
 *   Free blocks sit on lists[fl][sl]: fl = the power of two of the size, sl =
 *   the next TP_ALLOC_SL_BITS bits; sizes below 2^(SL_BITS+3) are one linear
 *   first level.  fl_bitmap/sl_bitmap say which lists are non-empty.
 *
 * Pools (the size-class level)
 *   A pool is the page [pg, pg + POOL_SIZE), pg aligned to POOL_SIZE, taken
 *   from the large level as the block [pg - 4, pg + POOL_SIZE - 4): the large
 *   header of the pool sits in the last word of the page before, and the
 *   last 4 bytes of the page are the header of whatever follows.  So a
 *   pool's blocks run from pg + 16 (after the pool header) to at most
 *   pg + POOL_SIZE - 4.  The region's page map has one byte per page:
 *   0 = not a pool, class + 1 = a pool of that class, PM_FREE_POOL = an
 *   empty pool waiting on freepools.
 *   usedpools[c] is doubly linked (next, prev); freepools through next only,
 *   and prev of a pool there is the reference of its page map byte.  An
 *   empty pool on usedpools[c] is the first there (at most one).
 *   Free blocks of a pool: word 0 = FREE_MARK, word 1 = the next free
 *   block's ref (pool_link_*): a second free of the block is visible in
 *   O(1), and a stray write to either word (a write after free, an overrun
 *   from the block before, a reference count changed on a freed object) is
 *   seen when the block is taken - the mark compared, the link kept inside
 *   the pool's page - never followed.
 *
 * References are 32-bit: the address itself on a 32-bit target, an offset
 * from heap->base on a 64-bit host, so the layout (and every size) is the
 * same on both.
 */
#ifndef TP_ALLOC_INTERNAL_H
#define TP_ALLOC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tp_alloc_config.h"
#include "tp_port.h"

/* The layers over the allocator.  tp_alloc.c defines the allocator's entry
 * points as tp_core_* (declared at the end of this file).  In the release
 * build the public tp_heap_* / tp_freelist_* names are those same functions
 * (aliases, defined at the end of tp_alloc.c: no call in between).  The
 * debug build (TP_ALLOC_DEBUG=1, tp_alloc_debug.c) and the tracking build
 * (TP_ALLOC_TRACK=1, tp_track.c) instead define the public names they wrap
 * themselves, on top of tp_core_*: both what hands out or takes back a
 * block, the debug layer also init, usable_size, the out-of-memory hook and
 * the type free list's drain. */
#define TP_ALLOC_LAYER_WRAPS_BLOCKS (TP_ALLOC_DEBUG || TP_ALLOC_TRACK)
#define TP_ALLOC_LAYER_WRAPS_HEAP TP_ALLOC_DEBUG

#include "tp_alloc.h"

/* ---- the lock: the port's (port/tp_port.h), unless the build gives its own ---- */
#if defined(TP_ALLOC_LOCK) != defined(TP_ALLOC_UNLOCK)
#error "define both TP_ALLOC_LOCK and TP_ALLOC_UNLOCK, or neither"
#endif
#ifndef TP_ALLOC_LOCK
#define TP_ALLOC_LOCK() tp_port_lock_t lock_state_ = tp_port_lock()
#define TP_ALLOC_UNLOCK() tp_port_unlock(lock_state_)
#define TP_ALLOC_LOCK_FROM_PORT 1
#if TP_PORT_TARGET && defined(TP_PORT_LOCK_MASKS_IRQS)
#define TP_ALLOC_LOCK_MASKS_IRQS 1
#endif
#endif

/* The lock sites an interrupt handler's allocation can race with, named so
 * that a test build can compile the lock out of exactly one of them
 * (-DTP_ALLOC_TEST_UNLOCKED=TP_LOCK_SITE_x; tests/lockproof/run.sh): the
 * interrupt test must then fail, which shows it would catch that site's
 * lock going missing.  The unlocked site keeps the interrupt mask as it
 * found it, so its TP_ALLOC_UNLOCK() changes nothing.  Never set in a
 * product build. */
#define TP_LOCK_SITE_SMALL_ALLOC 1    /* tp_heap_alloc: a block off a pool */
#define TP_LOCK_SITE_POOL_REFILL 2    /* a pool's next block, or a new pool */
#define TP_LOCK_SITE_LARGE_ALLOC 3    /* a block from the large level */
#define TP_LOCK_SITE_ALIGNED_ALLOC 4  /* tp_heap_aligned_alloc */
#define TP_LOCK_SITE_FREE 5           /* free and free_sized, the fast path */
#define TP_LOCK_SITE_FREE_CHECKED 6   /* the checked free (realloc's old block) */
#define TP_LOCK_SITE_RESIZE 7         /* realloc in place */
#define TP_LOCK_SITE_DEBUG_ALLOC 8    /* the debug layer: counting a new block */
#define TP_LOCK_SITE_DEBUG_FREE 9     /* the debug layer: claiming a freed block */
#define TP_LOCK_SITE_QUARANTINE 10    /* the debug layer: into the quarantine */
#if defined(TP_ALLOC_TEST_UNLOCKED) && defined(TP_ALLOC_LOCK_MASKS_IRQS)
#define TP_ALLOC_LOCK_AT(site)                                                              \
    tp_port_lock_t lock_state_ = (TP_LOCK_SITE_##site == (TP_ALLOC_TEST_UNLOCKED))        \
                                     ? (tp_port_lock_t)tp_port_lock_held()                  \
                                     : tp_port_lock()
#else
#define TP_ALLOC_LOCK_AT(site) TP_ALLOC_LOCK()
#endif

/* A function that says "lock held" asserts it, where the lock is the port's
 * and every site takes it (not in a build with a site's lock compiled out,
 * whose failure must come from the test, not from here). */
#if defined(TP_ALLOC_LOCK_FROM_PORT) && defined(TP_PORT_LOCK_MASKS_IRQS) && \
    !defined(TP_ALLOC_TEST_UNLOCKED)
#define TP_ALLOC_ASSERT_LOCKED() TP_ASSERT(tp_port_lock_held())
#else
#define TP_ALLOC_ASSERT_LOCKED() ((void)0)
#endif

#if UINTPTR_MAX == 0xFFFFFFFFu
#define TP_ADDR32 1
#else
#define TP_ADDR32 0
#endif

typedef uint32_t ref_t;

#define BLOCK_HDR 4u
#define MIN_BLOCK 24u /* header, mark, two links, footer */
#define F_FREE 1u
#define F_PREV_FREE 2u
#define F_MASK 7u

#define POOL_SIZE TP_ALLOC_POOL_SIZE
#define POOL_MASK ((uintptr_t)POOL_SIZE - 1u)
#define POOL_HDR 16u
#define POOL_END (POOL_SIZE - BLOCK_HDR) /* blocks must end by here */
#define PM_FREE_POOL 0xFFu
/* The first word of every block on a free list (a pool's, a type's, the
 * large level's).  Its low half is 0: an object whose header (tp_obj_t: a
 * 16-bit count, a type byte, a flags byte) overlays it reads as having a
 * count of 0, so a decref of a freed object is reported by the collector
 * instead of changing the list; its type byte (0xF4) is no registered type
 * and its flags byte is 0.  One rotated byte: an immediate operand of a
 * Thumb-2 compare, no literal load on the hot paths. */
#define FREE_MARK 0x00F40000u

#define SL_BITS TP_ALLOC_SL_BITS
#define SL_COUNT (1u << SL_BITS)
#define LINEAR_LIMIT (1u << (SL_BITS + 3)) /* sizes below: first level 0 */
#define FL_COUNT (TP_ALLOC_MAX_LOG2 - SL_BITS - 2)
#define MAX_BLOCK ((1u << TP_ALLOC_MAX_LOG2) - 8u)
/* A large free block's words after its header: the mark, the links. */
#define L_MARK 4u
#define L_NEXT 8u
#define L_PREV 12u
/* The largest request: the payload of the largest piece a region is laid
 * out in (MAX_BLOCK less 8, the room of the fence after a piece; every
 * piece is at most that, region_setup). */
#define MAX_REQUEST (MAX_BLOCK - 8u - BLOCK_HDR)

typedef struct {
    ref_t freeblock; /* first free block; never 0 while on usedpools */
    ref_t next;      /* usedpools[class] or freepools list */
    ref_t prev;
    uint16_t used;   /* blocks handed out */
    uint16_t carve;  /* offset of the first never-used block */
} tp_pool_t;
/* The pool header fills POOL_HDR bytes at the start of its page, and the
 * first block (at POOL_HDR) stays grain-aligned. */
_Static_assert(sizeof(tp_pool_t) == POOL_HDR, "the pool header is POOL_HDR bytes");
_Static_assert(POOL_HDR % TP_ALLOC_GRAIN == 0, "blocks in a pool start grain-aligned");
_Static_assert(sizeof(ref_t) == 4, "references are 32-bit on every build");
/* A large free block holds its header, mark, two links and footer. */
_Static_assert(MIN_BLOCK >= L_PREV + 4u + 4u, "a free block holds its links and footer");
_Static_assert(MIN_BLOCK % 8u == 0, "large blocks are sized in 8-byte steps");
/* A freed object's header reads the mark: count 0 (tp_obj_t's low half). */
_Static_assert((FREE_MARK & 0xFFFFu) == 0, "the free mark's low half is 0");
/* The page map gives a pool's class in one byte (0: large, PM_FREE_POOL). */
_Static_assert(TP_ALLOC_NCLASSES < PM_FREE_POOL, "classes fit the page map's byte");

typedef struct {
    uintptr_t start;   /* first block header */
    uintptr_t end;     /* the sentinel header */
    uintptr_t page0;   /* start of page 0 of the page map */
    uint8_t *pagemap;
    uint32_t npages;
    uint32_t block_bytes; /* bytes in blocks (excl. sentinel and fences) */
} tp_region_info_t;

#if TP_ALLOC_DEBUG
#define TP_DEBUG_QSLOTS (TP_ALLOC_DEBUG_QUARANTINE > 0 ? TP_ALLOC_DEBUG_QUARANTINE : 1)
/* The debug layer's own state, in the control block (tp_alloc_debug.c). */
typedef struct {
    ref_t quarantine[TP_DEBUG_QSLOTS];    /* user pointers of freed blocks held back */
    uint8_t quarantine_shift[TP_DEBUG_QSLOTS]; /* log2(user pointer - release block) */
    uint16_t q_head, q_count;             /* FIFO: oldest at q_head */
    uint32_t live_blocks;                 /* blocks handed out and not freed */
    uint32_t retired_blocks;              /* freed with damaged guards: never reused */
    size_t live_bytes;                    /* bytes requested by the live blocks */
    uint32_t quantization[TP_ALLOC_NCLASSES]; /* per class: class size - request, live blocks */
    tp_alloc_oom_hook_t oom_hook;         /* the user's; the heap's own hook drains the quarantine */
    void *oom_ctx;
    uint32_t fail_countdown;              /* tp_heap_debug_fail_at: 0 = off */
} tp_alloc_debug_t;
#endif

struct tp_heap {
#if !TP_ADDR32
    uintptr_t base;
#endif
    ref_t usedpools[TP_ALLOC_NCLASSES];
    ref_t freepools;
    uint16_t nfreepools;
    uint16_t npools;
    uint32_t fl_bitmap;
    uint32_t sl_bitmap[FL_COUNT];
    ref_t lists[FL_COUNT][SL_COUNT];
    tp_region_info_t regions[TP_ALLOC_MAX_REGIONS];
    uint32_t nregions;
    /* statistics */
    size_t heap_size;
    size_t metadata_bytes;
    size_t total_block_bytes; /* sum of regions' block_bytes */
    size_t footprint;       /* large-level bytes in use (blocks and pools) */
    size_t footprint_peak;
    /* allocations and frees counted by path: tp_heap_stats adds them up,
     * and derives the bytes in use (heap_used_bytes) */
    uint32_t class_allocs[TP_ALLOC_NCLASSES], class_frees[TP_ALLOC_NCLASSES];
    uint32_t large_allocs, large_frees;
    uint32_t fail_count, error_count;
    uint32_t quarantined;   /* free blocks found changed, never handed out again */
    uintptr_t damaged;      /* a changed free block to report once unlocked, or 0 */
    uint32_t marks_restored; /* large free blocks whose mark was found changed */
    /* hooks */
    tp_alloc_error_hook_t error_hook;
    void *error_ctx;
    tp_alloc_oom_hook_t oom_hook;
    void *oom_ctx;
    tp_alloc_err_t last_error;
#if TP_ALLOC_DEBUG
    tp_alloc_debug_t dbg;
#endif
#if TP_ALLOC_TRACK
    struct tp_track *track; /* the tracker attached (alloc/tp_track.h), or NULL */
#endif
};

/* ---- references ---- */
#if TP_ADDR32
static inline uintptr_t ref_addr(const tp_heap_t *h, ref_t r) {
    (void)h;
    return (uintptr_t)r;
}
static inline ref_t addr_ref(const tp_heap_t *h, uintptr_t a) {
    (void)h;
    return (ref_t)a;
}
#else
static inline uintptr_t ref_addr(const tp_heap_t *h, ref_t r) { return h->base + r; }
static inline ref_t addr_ref(const tp_heap_t *h, uintptr_t a) { return (ref_t)(a - h->base); }
#endif

#define WORD(a) (*(uint32_t *)(uintptr_t)(a))
#define POOL(a) ((tp_pool_t *)(uintptr_t)(a))

/* A pool's free block b, followed by `next` (0: the last). */
static inline void pool_link_write(uintptr_t b, ref_t next) {
    WORD(b) = FREE_MARK;
    WORD(b + 4) = next;
}
static inline ref_t pool_link_read(uintptr_t b) { return WORD(b + 4); }

/* A block b (reference self) on a type's free list, followed by `next` (0:
 * the last): the mark, and the link mangled with the block's own reference
 * and the list's tag (glibc's safe-linking, with the block's address: the
 * list's blocks may be anywhere in the heap, so a changed link could not be
 * told by its range alone). */
static inline void free_link_write(uintptr_t b, ref_t self, ref_t next, uint32_t tag) {
    WORD(b) = FREE_MARK;
    WORD(b + 4) = next ^ self ^ tag;
}
static inline ref_t free_link_read(uintptr_t b, ref_t self, uint32_t tag) {
    return WORD(b + 4) ^ self ^ tag;
}

static inline uint32_t block_size(uintptr_t b) { return WORD(b) & ~F_MASK; }
static inline unsigned class_size(unsigned c) { return (c + 1u) * TP_ALLOC_GRAIN; }
/* The class of a small request of `size` bytes (1..TP_ALLOC_SMALL_MAX): the
 * smallest whose blocks hold it. */
#define TP_ALLOC_GRAIN_SHIFT 3u
_Static_assert((1u << TP_ALLOC_GRAIN_SHIFT) == TP_ALLOC_GRAIN, "the grain is 2^TP_ALLOC_GRAIN_SHIFT");
static inline unsigned size_class_of(size_t size) {
    return (unsigned)((size - 1u) >> TP_ALLOC_GRAIN_SHIFT);
}
static inline unsigned pool_capacity(unsigned c) { return (POOL_END - POOL_HDR) / class_size(c); }

/* Index of the highest set bit (x != 0).  On ARMv6-M the compiler calls
 * libgcc, which the core's lack of CLZ requires. */
static inline unsigned fls32(uint32_t x) { return 31u - (unsigned)__builtin_clz(x); }
static inline unsigned ffs32(uint32_t x) { return (unsigned)__builtin_ctz(x); }

__attribute__((always_inline)) static inline void mapping(uint32_t size, unsigned *fl, unsigned *sl) {
    if (size < LINEAR_LIMIT) {
        *fl = 0;
        *sl = size >> 3;
    } else {
        unsigned f = fls32(size);
        *fl = f - (SL_BITS + 3u) + 1u;
        *sl = (size >> (f - SL_BITS)) - SL_COUNT;
    }
}

/* Smallest size that maps to list (fl, sl). */
static inline uint32_t list_min_size(unsigned fl, unsigned sl) {
    if (fl == 0) return (uint32_t)sl << 3;
    return (uint32_t)(SL_COUNT + sl) << (fl + 2u);
}

/* Region containing address a, or NULL. */
static inline const tp_region_info_t *region_of(const tp_heap_t *h, uintptr_t a) {
    for (uint32_t i = 0; i < h->nregions; i++) {
        const tp_region_info_t *r = &h->regions[i];
        if (a - r->start < r->end - r->start) return r;
    }
    return NULL;
}

/* Whether nhdr, read at the end of a block ending at e in region r, is a
 * block header we wrote: the region's sentinel, or a block of at least 8
 * bytes (fences and slivers are 8..MIN_BLOCK - 8) that fits the region.  A
 * header-lookalike inside a block in use (a free of an interior pointer)
 * is rarely followed by a second one. */
static inline int next_header_ok(const tp_region_info_t *r, uintptr_t e, uint32_t nhdr) {
    uint32_t ns = nhdr & ~F_MASK; /* a multiple of 8: 0 or at least 8 */
    return ns != 0 ? ns <= r->end - e : e == r->end;
}

static inline uint8_t page_kind(const tp_region_info_t *r, uintptr_t a) {
    return r->pagemap[(a - r->page0) >> TP_ALLOC_POOL_SHIFT];
}

/* Bytes handed out: class sizes of the small blocks in use, and the usable
 * bytes of the large ones (their blocks less a header each; footprint holds
 * the large blocks and every pool page).  O(classes). */
static inline size_t heap_used_bytes(const tp_heap_t *h) {
    size_t small = 0;
    for (unsigned c = 0; c < TP_ALLOC_NCLASSES; c++)
        small += (size_t)(h->class_allocs[c] - h->class_frees[c]) * class_size(c);
    size_t large_blocks = h->footprint - (size_t)h->npools * POOL_SIZE;
    return small + large_blocks - (size_t)(h->large_allocs - h->large_frees) * BLOCK_HDR;
}

/* Whether the block r of pool page pg (class c) is on the pool's free list
 * (its mark seen: a second free, or a realloc of a freed block).  O(pool).
 * A list found changed on the way counts as holding it: the free is then
 * refused (a leak), never a block listed twice. */
static inline int pool_holds(const tp_heap_t *h, uintptr_t pg, unsigned c, ref_t r) {
    uint32_t n = 0, carve = POOL(pg)->carve;
    for (ref_t fr = POOL(pg)->freeblock; fr != 0; n++) {
        if (fr == r) return 1;
        uintptr_t b = ref_addr(h, fr);
        if (n > pool_capacity(c) || (b & ~POOL_MASK) != pg || b - pg < POOL_HDR ||
            b - pg >= carve || WORD(b) != FREE_MARK)
            return 1;
        fr = pool_link_read(b);
    }
    return 0;
}

/* A type's free list (tp_freelist_t) links its blocks as a pool does: the
 * mark, and the next block's reference mangled with the block's own and
 * this tag.  A block of a type is at least 8 bytes: both words fit. */
#define FREELIST_TAG 0x7F3C7F3Cu

static inline void freelist_push(const tp_heap_t *h, tp_freelist_t *list, void *ptr) {
    uintptr_t a = (uintptr_t)ptr;
    ref_t head = list->head != NULL ? addr_ref(h, (uintptr_t)list->head) : 0;
    free_link_write(a, addr_ref(h, a), head, FREELIST_TAG);
    list->head = ptr;
    list->count++;
}

/* The block cached after p, or NULL; *ok = 0 (and NULL) if p is not intact:
 * its mark changed, or its link leads out of the heap. */
static inline void *freelist_next(const tp_heap_t *h, const void *p, int *ok) {
    uintptr_t a = (uintptr_t)p;
    ref_t next = free_link_read(a, addr_ref(h, a), FREELIST_TAG);
    uintptr_t n = next != 0 ? ref_addr(h, next) : 0;
    *ok = WORD(a) == FREE_MARK && (n == 0 || ((n & 7u) == 0 && region_of(h, n) != NULL));
    return *ok ? (void *)n : NULL;
}

/* Whether ptr is already cached on `list` (a second tp_freelist_free of it).
 * O(count) <= O(cap): the callers ask only when the block looks cached (its
 * mark).  A list found changed counts as holding it (the free is refused). */
static inline int freelist_holds(const tp_heap_t *h, const tp_freelist_t *list, const void *ptr) {
    int ok = 1;
    uint32_t n = 0;
    for (const void *p = list->head; p != NULL && n <= list->count; p = freelist_next(h, p, &ok), n++) {
        if (p == ptr) return 1;
    }
    return !ok || n > list->count;
}

void tp_alloc_report(tp_heap_t *h, tp_alloc_err_t kind, const void *ptr, size_t size,
                     int size_class, const void *caller, const char *detail);

/* The allocator's entry points (tp_alloc.c), under the public names in the
 * release build, wrapped by a layer in the others (see the top of this
 * file): each of the type of its public name (tp_alloc.h). */
__typeof__(tp_heap_init) tp_core_init;
__typeof__(tp_heap_alloc) tp_core_alloc;
__typeof__(tp_heap_calloc) tp_core_calloc;
__typeof__(tp_heap_free) tp_core_free;
__typeof__(tp_heap_free_sized) tp_core_free_sized;
__typeof__(tp_heap_realloc) tp_core_realloc;
__typeof__(tp_heap_aligned_alloc) tp_core_aligned_alloc;
__typeof__(tp_heap_usable_size) tp_core_usable_size;
__typeof__(tp_heap_set_oom_hook) tp_core_set_oom_hook;
__typeof__(tp_freelist_alloc) tp_core_freelist_alloc;
__typeof__(tp_freelist_free) tp_core_freelist_free;
__typeof__(tp_freelist_drain) tp_core_freelist_drain;

#if TP_ALLOC_DEBUG
/* The debug layer's part of tp_heap_stats and tp_heap_validate (tp_alloc_diag.c). */
void tp_alloc_debug_stats(const tp_heap_t *h, tp_heap_stats_t *out);
int tp_alloc_debug_validate(tp_heap_t *h);
#endif

#endif /* TP_ALLOC_INTERNAL_H */
