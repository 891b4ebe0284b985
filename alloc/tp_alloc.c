// SPDX-License-Identifier: MIT
/*
 * tp_alloc.c - the allocator's hot paths: small blocks from pools, large
 * blocks from segregated free lists.  See tp_alloc.h for the contract and
 * tp_alloc_internal.h for the layout.
 */
#include <string.h>

#include "tp_alloc_internal.h"

/* ======================================================================
 * Large blocks: segregated fit
 * ====================================================================== */

/* The hot paths are built from always-inlined pieces (at -Os the compiler
 * would otherwise call them, and the calls cost more than the work). */
#define HOT static inline __attribute__((always_inline))


/* A large free block found changed when it is taken or coalesced: its mark
 * (a count changed on a freed object, a write after free), or its header as
 * well (an overrun from the block before).  The links are apart from both.
 * The header, if it is not a free block's any more, is found again from the
 * footer (the word before the next block, which has F_PREV_FREE: the only
 * word at the right distance saying so).  Returns 1 when the block is sound
 * again, 0 if its size cannot be found (it is then never used: a leak,
 * reported as corruption).  Reported once the lock is released
 * (h->damaged).  Lock held. */
__attribute__((noinline, cold)) static int large_repair(tp_heap_t *h, uintptr_t b) {
    TP_ALLOC_ASSERT_LOCKED();
    const tp_region_info_t *r = region_of(h, b);
    uint32_t hdr = WORD(b), size = hdr & ~F_MASK;
    if (h->damaged == 0) h->damaged = b + BLOCK_HDR;
    h->marks_restored++;
    if (r == NULL) return 0;
    if ((hdr & F_MASK) != F_FREE || size < MIN_BLOCK || size > r->end - b ||
        WORD(b + size - 4u) != size || !(WORD(b + size) & F_PREV_FREE)) {
        size = 0;
        for (uintptr_t p = b + MIN_BLOCK - 4u; p < r->end && p - b < MAX_BLOCK; p += 8u) {
            if (WORD(p) == (uint32_t)(p + 4u - b) && (WORD(p + 4u) & F_PREV_FREE)) {
                size = WORD(p);
                break;
            }
        }
        if (size == 0) return 0;
        WORD(b) = size | F_FREE; /* free blocks are never adjacent: the one before is in use */
    }
    WORD(b + L_MARK) = FREE_MARK;
    return 1;
}
/* Whether free block b is as it was left: its mark, its header's flags. */
HOT int block_intact(uintptr_t b) {
    return (int)__builtin_expect(WORD(b + L_MARK) == FREE_MARK && (WORD(b) & F_MASK) == F_FREE, 1);
}

/* Puts free block b at the head of list (fl, sl). */
HOT void list_push(tp_heap_t *h, uintptr_t b, unsigned fl, unsigned sl) {
    ref_t r = addr_ref(h, b);
    ref_t head = h->lists[fl][sl];
    WORD(b + L_MARK) = FREE_MARK;
    WORD(b + L_NEXT) = head;
    WORD(b + L_PREV) = 0;
    if (head != 0) {
        WORD(ref_addr(h, head) + L_PREV) = r;
    } else {
        h->fl_bitmap |= 1u << fl;
        h->sl_bitmap[fl] |= 1u << sl;
    }
    h->lists[fl][sl] = r;
}

/* Takes free block b off its list (fl, sl). */
HOT void list_unlink(tp_heap_t *h, uintptr_t b, unsigned fl, unsigned sl) {
    ref_t next = WORD(b + L_NEXT), prev = WORD(b + L_PREV);
    if (next != 0) WORD(ref_addr(h, next) + L_PREV) = prev;
    if (prev != 0) {
        WORD(ref_addr(h, prev) + L_NEXT) = next;
    } else {
        h->lists[fl][sl] = next;
        if (next == 0) {
            h->sl_bitmap[fl] &= ~(1u << sl);
            if (h->sl_bitmap[fl] == 0) h->fl_bitmap &= ~(1u << fl);
        }
    }
}

static void list_insert(tp_heap_t *h, uintptr_t b, uint32_t size) {
    unsigned fl, sl;
    mapping(size, &fl, &sl);
    list_push(h, b, fl, sl);
}

static void list_remove(tp_heap_t *h, uintptr_t b, uint32_t size) {
    unsigned fl, sl;
    mapping(size, &fl, &sl);
    list_unlink(h, b, fl, sl);
}

static uintptr_t find_free_sound(tp_heap_t *h);

/* A free block of at least `need` bytes, removed from its list; 0 if none. */
HOT uintptr_t find_free(tp_heap_t *h, uint32_t need) {
    unsigned fl, sl;
    mapping(need, &fl, &sl);
    ref_t r = h->lists[fl][sl];
    if (r != 0) {
        uintptr_t b = ref_addr(h, r);
        /* the lists of first level 0 and 1 hold one size each: their head
         * fits.  The others hold blocks that may or may not be big enough:
         * look at a few of them for the closest fit. */
        if (fl >= 2u) {
            uintptr_t best = 0;
            uint32_t best_size = UINT32_MAX;
            for (unsigned i = 0;;) {
                uint32_t s = block_size(b);
                if (s >= need && s < best_size) {
                    best = b;
                    best_size = s;
                    if (s == need) break;
                }
                r = WORD(b + L_NEXT);
                if (r == 0 || ++i == TP_ALLOC_FIT_SCAN) break;
                b = ref_addr(h, r);
            }
            b = best;
        }
        if (b != 0) {
            /* the block chosen is checked (a changed header chosen for its
             * size is checked here too) */
            if (!block_intact(b)) return find_free_sound(h);
            list_unlink(h, b, fl, sl);
            return b;
        }
    }
    /* any block of a bigger list fits: take the head of the first one */
    uint32_t sl_map = h->sl_bitmap[fl] & (~1u << sl);
    if (sl_map == 0) {
        uint32_t fl_map = h->fl_bitmap & (~1u << fl);
        if (fl_map == 0) return 0;
        fl = ffs32(fl_map);
        sl_map = h->sl_bitmap[fl];
    }
    sl = ffs32(sl_map);
    uintptr_t b = ref_addr(h, h->lists[fl][sl]);
    if (!block_intact(b)) return find_free_sound(h);
    ref_t next = WORD(b + L_NEXT);
    h->lists[fl][sl] = next;
    if (next != 0) {
        WORD(ref_addr(h, next) + L_PREV) = 0;
    } else {
        h->sl_bitmap[fl] &= ~(1u << sl);
        if (h->sl_bitmap[fl] == 0) h->fl_bitmap &= ~(1u << fl);
    }
    return b;
}

/* find_free met a changed block: every list's blocks are checked (and
 * repaired, or dropped), and the search fails this once - the allocation's
 * slow path reports the change and searches again.  Cold. */
__attribute__((noinline, cold)) static uintptr_t find_free_sound(tp_heap_t *h) {
    for (unsigned fl = 0; fl < FL_COUNT; fl++)
        for (unsigned sl = 0; sl < SL_COUNT; sl++) {
            ref_t r = h->lists[fl][sl];
            while (r != 0) {
                uintptr_t b = ref_addr(h, r);
                r = WORD(b + L_NEXT);
                unsigned f2, s2;
                if (!block_intact(b) && !large_repair(h, b)) {
                    list_unlink(h, b, fl, sl); /* changed beyond repair: dropped */
                } else if (mapping(block_size(b), &f2, &s2), f2 != fl || s2 != sl) {
                    /* repaired to its real size: onto its real list */
                    list_unlink(h, b, fl, sl);
                    list_push(h, b, f2, s2);
                }
            }
        }
    return 0;
}

/* find_free for the paths that are not hot (pools, aligned blocks). */
__attribute__((noinline)) static uintptr_t find_free_cold(tp_heap_t *h, uint32_t need) {
    return find_free(h, need);
}

/* Turns the free block b (already off its list) into a used block of `need`
 * bytes, giving back the tail when it is big enough to be a block. */
HOT uintptr_t carve_used(tp_heap_t *h, uintptr_t b, uint32_t need, int may_take_high) {
    uint32_t size = block_size(b);
    TP_ASSERT(need >= MIN_BLOCK && need % 8u == 0 && need <= size);
    uint32_t rest = size - need;
    if (rest >= MIN_BLOCK) {
        unsigned fl, sl;
        mapping(rest, &fl, &sl);
        uintptr_t u, f;
        if (may_take_high && need < TP_ALLOC_SPLIT_HIGH_BELOW) {
            /* small requests from the high end of the block, big ones from the low end */
            f = b;
            u = b + rest;
            WORD(f) = rest | F_FREE | (WORD(b) & F_PREV_FREE);
            WORD(u) = need | F_PREV_FREE;
            WORD(u + need) &= ~F_PREV_FREE;
        } else {
            u = b;
            f = b + need;
            WORD(u) = need | (WORD(b) & F_PREV_FREE);
            WORD(f) = rest | F_FREE; /* the block after already has F_PREV_FREE */
        }
        WORD(f + rest - 4u) = rest;
        list_push(h, f, fl, sl);
        b = u;
        size = need;
    } else {
        WORD(b) = size | (WORD(b) & F_PREV_FREE);
        WORD(b + size) &= ~F_PREV_FREE;
    }
    h->footprint += size;
    if (h->footprint > h->footprint_peak) h->footprint_peak = h->footprint;
    return b;
}

/* The block size for a request of `size` bytes; 0 for 0 bytes or too many. */
HOT uint32_t large_need(size_t size) {
    if (size - 1u >= MAX_REQUEST) return 0;
    uint32_t need = ((uint32_t)size + BLOCK_HDR + 7u) & ~7u;
    return need < MIN_BLOCK ? MIN_BLOCK : need;
}

/* Gives a used block back, coalescing with free neighbours.  A region is
 * laid out as pieces of at most MAX_BLOCK bytes between fences that are
 * never freed, so a coalesced block is never bigger than MAX_BLOCK. */
HOT void large_release_at(tp_heap_t *h, uintptr_t b, uint32_t hdr, uint32_t nhdr) {
    /* (hdr and nhdr: the headers of b and of the block after it, read by the
     * caller; the statistics are written last, as they could alias them) */
    uint32_t size = hdr & ~F_MASK, used = size;
    unsigned fl, sl;
    uintptr_t next = b + size;
    if ((nhdr & F_FREE) && (block_intact(next) || large_repair(h, next))) { /* (repaired) */
        uint32_t ns = block_size(next);
        mapping(ns, &fl, &sl);
        list_unlink(h, next, fl, sl);
        size += ns;
    }
    if (hdr & F_PREV_FREE) {
        uint32_t ps = WORD(b - 4u);
        WORD(b) |= F_FREE; /* left inside the free block: a second free must see it free */
        b -= ps;
        mapping(ps, &fl, &sl);
        list_unlink(h, b, fl, sl);
        size += ps;
    }
    /* the free block, knowing that the block before is in use: it was, or it is
     * now part of b (two free blocks are never adjacent) */
    TP_ASSERT(size <= MAX_BLOCK); /* the fences keep coalescing within a piece */
    WORD(b) = size | F_FREE;
    WORD(b + size - 4u) = size;
    WORD(b + size) |= F_PREV_FREE;
    mapping(size, &fl, &sl);
    list_push(h, b, fl, sl);
    h->footprint -= used;
}

HOT void large_release(tp_heap_t *h, uintptr_t b) {
    uint32_t hdr = WORD(b);
    large_release_at(h, b, hdr, WORD(b + (hdr & ~F_MASK)));
}

/* large_release for the paths that are not hot (pools, realloc, free_slow). */
__attribute__((noinline)) static void large_release_cold(tp_heap_t *h, uintptr_t b) {
    large_release(h, b);
}

/* ======================================================================
 * Pools
 * ====================================================================== */

static tp_region_info_t *region_of_rw(tp_heap_t *h, uintptr_t a) {
    return (tp_region_info_t *)(uintptr_t)region_of(h, a);
}

/* The page map byte of page pg. */
HOT uint8_t *page_entry(tp_heap_t *h, uintptr_t pg) {
    tp_region_info_t *r = &h->regions[0];
    if (pg - r->page0 >= ((uintptr_t)r->npages << TP_ALLOC_POOL_SHIFT)) r = region_of_rw(h, pg);
    return &r->pagemap[(pg - r->page0) >> TP_ALLOC_POOL_SHIFT];
}

static void set_page_kind(tp_heap_t *h, uintptr_t pg, uint8_t kind) { *page_entry(h, pg) = kind; }

/* Splits free block b (off its list) at b + front: [b, b+front) goes back on
 * the free lists, the rest becomes a free block (off its list) at b + front. */
static uintptr_t split_off_front(tp_heap_t *h, uintptr_t b, uint32_t front) {
    uint32_t size = block_size(b);
    WORD(b) = front | F_FREE | (WORD(b) & F_PREV_FREE);
    WORD(b + front - 4u) = front;
    list_insert(h, b, front);
    WORD(b + front) = (size - front) | F_FREE | F_PREV_FREE;
    return b + front;
}

/* Where a pool page would go inside free block [b, b+size): the highest
 * page that fits (pools gather at the high end of the blocks they are cut
 * from, as large blocks below TP_ALLOC_SPLIT_HIGH_BELOW do: measured, it
 * fragments less than the lowest page); 0 if none.  The pieces left before
 * and after must be empty or whole blocks. */
static uintptr_t pool_page_in(uintptr_t b, uint32_t size) {
    uintptr_t end = b + size;
    if (size < POOL_SIZE) return 0;
    uintptr_t pg = (end - POOL_END) & ~POOL_MASK; /* the page's block ends by the block's end */
    uintptr_t back = end - (pg + POOL_END);
    if (back != 0 && back < MIN_BLOCK) pg -= POOL_SIZE;
    if (pg < b + BLOCK_HDR) return 0;
    uintptr_t front = pg - BLOCK_HDR - b;
    if (front != 0 && front < MIN_BLOCK) return 0;
    return pg;
}

/* A free block this big always holds a pool page: the page's block ends 0
 * or MIN_BLOCK..POOL_SIZE + MIN_BLOCK - 1 bytes before the block's end, which leaves at least
 * MIN_BLOCK before it. */
#define POOL_ALWAYS_FITS (2u * POOL_SIZE + 2u * MIN_BLOCK)

/* Free blocks looked at for a pool page before taking any block of
 * POOL_ALWAYS_FITS bytes: each costs a pool_page_in.  Measured over the five
 * traces and 16 heap starts (docs/alloc.md), 2 fragments no more than a
 * longer look and takes 100-280 instructions off the longest pool starts. */
#define POOL_PAGE_CANDIDATES 2u

/* Takes an aligned page for a new pool from the large level; 0 if none. */
static uintptr_t pool_page_take(tp_heap_t *h) {
    /* candidates: the first POOL_PAGE_CANDIDATES blocks of the lists from one
     * pool size up to POOL_ALWAYS_FITS, smallest list first; then any block
     * of that size */
    unsigned fl0, sl0, fl_end, sl_end;
    mapping(POOL_SIZE, &fl0, &sl0);
    mapping(POOL_ALWAYS_FITS, &fl_end, &sl_end);
    uintptr_t b = 0, pg = 0;
    unsigned budget = POOL_PAGE_CANDIDATES;
    for (unsigned fl = fl0; fl <= fl_end && b == 0 && budget != 0; fl++) {
        /* the non-empty lists of this first level within the range, in order */
        uint32_t map = h->sl_bitmap[fl];
        if (fl == fl0) map &= ~0u << sl0;
        if (fl == fl_end) map &= ~(~1u << sl_end);
        for (; map != 0 && b == 0 && budget != 0; map &= map - 1u) {
            unsigned sl = ffs32(map);
            ref_t r = h->lists[fl][sl];
            for (unsigned n = 0; r != 0 && n < TP_ALLOC_FIT_SCAN && budget != 0; n++, budget--) {
                uintptr_t cand = ref_addr(h, r);
                if (WORD(cand + L_MARK) != FREE_MARK || (WORD(cand) & F_MASK) != F_FREE) {
                    budget = 0; /* changed: left to find_free, which repairs */
                    break;
                }
                pg = pool_page_in(cand, block_size(cand));
                if (pg != 0) {
                    b = cand;
                    list_unlink(h, b, fl, sl);
                    break;
                }
                r = WORD(cand + L_NEXT);
            }
        }
    }
    if (b == 0) {
        b = find_free_cold(h, POOL_ALWAYS_FITS);
        if (b == 0) return 0;
        pg = pool_page_in(b, block_size(b));
    }
    uintptr_t pool_block = pg - BLOCK_HDR;
    if (pool_block != b) b = split_off_front(h, b, (uint32_t)(pool_block - b));
    (void)carve_used(h, b, POOL_SIZE, 0);
    return pg;
}

/* Links the pool pg, which was full, on usedpools (*head): first, or second
 * after an empty pool, which is only ever the first (see pool_alone). */
HOT void pool_link(tp_heap_t *h, ref_t *head, uintptr_t pg) {
    tp_pool_t *p = POOL(pg);
    ref_t r = addr_ref(h, pg), hr = *head;
    if (hr != 0) {
        tp_pool_t *hp = POOL(ref_addr(h, hr));
        if (hp->used == 0) {
            p->prev = hr;
            p->next = hp->next;
            if (hp->next != 0) POOL(ref_addr(h, hp->next))->prev = r;
            hp->next = r;
            return;
        }
        hp->prev = r;
    }
    p->next = hr;
    p->prev = 0;
    *head = r;
}

static void pool_unlink(tp_heap_t *h, ref_t *head, uintptr_t pg) {
    tp_pool_t *p = POOL(pg);
    if (p->next != 0) POOL(ref_addr(h, p->next))->prev = p->prev;
    if (p->prev != 0)
        POOL(ref_addr(h, p->prev))->next = p->next;
    else
        *head = p->next;
}

/* A page from the large level for a new pool of class c; 0 if none. */
__attribute__((noinline)) static uintptr_t pool_page_new(tp_heap_t *h, unsigned c) {
    uintptr_t pg = pool_page_take(h);
    if (pg == 0) return 0;
    h->npools++;
    set_page_kind(h, pg, (uint8_t)(c + 1u));
    return pg;
}

/* Starts a pool of class c, usedpools[c] being empty: on a kept empty pool
 * (freepools, linked through next; prev holds the reference of its page map
 * byte) or on a new page.  Hands out its first block, carves the second;
 * NULL if no memory.  Lock held. */
HOT void *pool_new(tp_heap_t *h, unsigned c) {
    TP_ALLOC_ASSERT_LOCKED();
    uintptr_t pg;
    tp_pool_t *p;
    if (h->freepools != 0) {
        pg = ref_addr(h, h->freepools);
        p = POOL(pg);
        h->freepools = p->next;
        h->nfreepools--;
        *(uint8_t *)ref_addr(h, p->prev) = (uint8_t)(c + 1u);
    } else {
        pg = pool_page_new(h, c);
        if (pg == 0) return NULL;
        p = POOL(pg);
    }
    uint32_t size = class_size(c);
    uintptr_t b = pg + POOL_HDR;
    WORD(b) = 0; /* not marked free (a kept pool's block may be) */
    /* the next block is free from now on, marked as every free block is:
     * a free of it before it was handed out is a double free */
    pool_link_write(b + size, 0);
    p->freeblock = addr_ref(h, b + size);
    p->used = 1;
    p->carve = (uint16_t)(POOL_HDR + 2u * size);
    p->next = 0;
    p->prev = 0;
    h->usedpools[c] = addr_ref(h, pg);
    h->class_allocs[c]++;
    return (void *)b;
}

/* Called when the pool's free list just ran dry: carve the next never-used
 * block, or take the pool off usedpools (it is full; it is the head of the
 * list).  Returns the new head of the free list (0 when full). */
HOT ref_t pool_refill(tp_heap_t *h, tp_pool_t *p, unsigned c) {
    uint32_t size = class_size(c);
    uint32_t carve = p->carve;
    if (carve + size <= POOL_END) {
        uintptr_t b = (uintptr_t)p + carve;
        p->carve = (uint16_t)(carve + size);
        ref_t r = addr_ref(h, b);
        pool_link_write(b, 0); /* free, marked: see pool_start */
        return r;
    }
    ref_t next = p->next;
    h->usedpools[c] = next;
    if (next != 0) POOL(ref_addr(h, next))->prev = 0;
    return 0;
}

/* The free block b at the head of pool p's list was found changed: none
 * of the pool's free blocks can be trusted.  They are quarantined - counted
 * in use (allocated, for the statistics), never handed out, never freed:
 * at most a pool's worth of memory leaks, and nothing is corrupted - and
 * the pool goes on with blocks it has not carved yet, if any.  Reported by
 * the allocation once the lock is released (h->damaged).  Lock held. */
__attribute__((noinline, cold)) static void pool_quarantine(tp_heap_t *h, tp_pool_t *p, unsigned c,
                                                            uintptr_t b) {
    uint32_t carved = (uint32_t)(p->carve - POOL_HDR) / class_size(c);
    uint32_t lost = carved - p->used;
    h->quarantined += lost;
    h->class_allocs[c] += lost;
    p->used = (uint16_t)carved;
    if (h->damaged == 0) h->damaged = b;
    p->freeblock = pool_refill(h, p, c);
}

/* Hands out the first free block of the pool at the head of usedpools[c],
 * or NULL if that block was found changed (the pool's free blocks are then
 * quarantined: ask again); lock held. */
HOT void *pool_pop(tp_heap_t *h, tp_pool_t *p, unsigned c) {
    uintptr_t b = ref_addr(h, p->freeblock);
    ref_t next = pool_link_read(b);
    /* the mark intact, and the link inside the pool's page: a changed link
     * is then either caught by the next block's mark or harmless */
    if (WORD(b) != FREE_MARK || (next != 0 && ((ref_addr(h, next) ^ b) & ~POOL_MASK) != 0)) {
        pool_quarantine(h, p, c, b);
        return NULL;
    }
    WORD(b) = 0; /* no longer marked free */
    p->used++;
    if (next == 0) next = pool_refill(h, p, c);
    p->freeblock = next;
    h->class_allocs[c]++;
    return (void *)b;
}

/* Whether the pool pg, on usedpools, is the only pool there: an empty pool
 * that is stays where it is, for its class (freeing its last block is then an
 * ordinary free).  A pool that was full may be linked behind it later; the
 * empty pool stays first (pool_link), where the next allocation takes it, and
 * where tp_heap_stats and release_kept_pools look for it. */
HOT int pool_alone(const tp_pool_t *p) { return (p->next | p->prev) == 0; }

/* The pool just became empty, not alone on usedpools: it is kept on
 * freepools (linked through next; prev remembers its page map byte) or handed
 * back. */
__attribute__((noinline)) static void pool_empty(tp_heap_t *h, uintptr_t pg, unsigned c) {
    if (pool_alone(POOL(pg))) return;
    uint8_t *e = page_entry(h, pg);
    pool_unlink(h, &h->usedpools[c], pg);
    /* (+ 0u * ...: no "always false" warning when the setting is 0) */
    if (h->nfreepools < TP_ALLOC_KEEP_FREE_POOLS + 0u * h->nfreepools) {
        *e = PM_FREE_POOL;
        POOL(pg)->prev = addr_ref(h, (uintptr_t)e);
        POOL(pg)->next = h->freepools;
        h->freepools = addr_ref(h, pg);
        h->nfreepools++;
    } else {
        *e = 0;
        h->npools--;
        large_release_cold(h, pg - BLOCK_HDR);
    }
}

/* ======================================================================
 * Errors
 * ====================================================================== */

void tp_alloc_report(tp_heap_t *h, tp_alloc_err_t kind, const void *ptr, size_t size,
                     int size_class, const void *caller, const char *detail) {
    h->error_count++;
    h->last_error = kind;
    if (h->error_hook != NULL) {
        tp_alloc_error_t e = {kind, ptr, size, size_class, caller, detail};
        h->error_hook(&e, h->error_ctx);
    }
}

const char *tp_alloc_err_name(tp_alloc_err_t kind) {
    switch (kind) {
    case TP_ALLOC_OK: return "ok";
    case TP_ALLOC_ERR_DOUBLE_FREE: return "double free";
    case TP_ALLOC_ERR_FOREIGN: return "pointer not from this heap";
    case TP_ALLOC_ERR_MISALIGNED: return "misaligned pointer";
    case TP_ALLOC_ERR_INTERIOR: return "pointer into the middle of a block";
    case TP_ALLOC_ERR_BAD_HEADER: return "damaged or foreign block header";
    case TP_ALLOC_ERR_OVERRUN: return "write past the end of a block";
    case TP_ALLOC_ERR_UNDERRUN: return "write before the start of a block";
    case TP_ALLOC_ERR_WRITE_AFTER_FREE: return "write to a freed block";
    case TP_ALLOC_ERR_SIZE_MISMATCH: return "free with the wrong size";
    case TP_ALLOC_ERR_CORRUPT: return "heap inconsistency";
    }
    return "unknown error";
}

void tp_heap_set_error_hook(tp_heap_t *h, tp_alloc_error_hook_t hook, void *ctx) {
    h->error_hook = hook;
    h->error_ctx = ctx;
}

void tp_core_set_oom_hook(tp_heap_t *h, tp_alloc_oom_hook_t hook, void *ctx) {
    h->oom_hook = hook;
    h->oom_ctx = ctx;
}

tp_alloc_err_t tp_heap_last_error(const tp_heap_t *h) { return h->last_error; }

/* ======================================================================
 * Set-up
 * ====================================================================== */

/* Lays out [mem, mem+size) as a region: page map, blocks, sentinel.  The
 * caller has checked it does not overlap another region. */
static int region_setup(tp_heap_t *h, uintptr_t lo, uintptr_t hi) {
    if (h->nregions >= TP_ALLOC_MAX_REGIONS) return -1;
    lo = (lo + 7u) & ~(uintptr_t)7u;
    hi &= ~(uintptr_t)7u;
    if (hi <= lo) return -1;
    uintptr_t page0 = lo & ~POOL_MASK;
    uint32_t npages = (uint32_t)((hi - page0 + POOL_MASK) >> TP_ALLOC_POOL_SHIFT);
    uint8_t *pagemap = (uint8_t *)lo;
    /* first block header at = 4 (mod 8) after the page map */
    uintptr_t start = ((lo + npages + 7u) & ~(uintptr_t)7u) + 4u;
    uintptr_t end = hi - 4u; /* sentinel header */
    if (end < start + MIN_BLOCK) return -1;
#if !TP_ADDR32
    if (lo < h->base || hi - h->base > UINT32_MAX) return -1;
#endif
    memset(pagemap, 0, npages);
    /* Nothing of what the memory held may read as a block: a pointer of an
     * earlier heap made in the same memory finds zeros (no header, no free
     * mark) and is reported, never taken.  One pass over the region, once. */
    memset((void *)start, 0, (size_t)(end - start));
    tp_region_info_t *r = &h->regions[h->nregions++];
    r->start = start;
    r->end = end;
    r->page0 = page0;
    r->pagemap = pagemap;
    r->npages = npages;
    r->block_bytes = 0;
    WORD(end) = 0; /* sentinel: size 0, in use */
    /* free blocks of at most MAX_BLOCK bytes, separated by 8-byte fences
     * (blocks that are never freed) so they never coalesce past it */
    uintptr_t b = start;
    WORD(b) = 0;
    while (b < end) {
        uint32_t left = (uint32_t)(end - b);
        /* every piece at most MAX_BLOCK - 8: then any piece can serve the
         * largest request (MAX_REQUEST) */
        uint32_t size = left <= MAX_BLOCK - 8u ? left : MAX_BLOCK - 8u;
        if (size < MIN_BLOCK) { /* a sliver: a used block nobody frees */
            WORD(b) = size | (WORD(b) & F_PREV_FREE);
            break;
        }
        WORD(b) = size | F_FREE;
        WORD(b + size - 4u) = size;
        WORD(b + size) = F_PREV_FREE; /* provisional; a fence or sentinel follows */
        list_insert(h, b, size);
        r->block_bytes += size;
        b += size;
        if (b < end) { /* fence */
            /* 8 bytes, or what is left when that is under a block (a fence
             * of MIN_BLOCK or more would read as a block in use) */
            uint32_t fence = (uint32_t)(end - b) >= MIN_BLOCK ? 8u : (uint32_t)(end - b);
            WORD(b) = fence | F_PREV_FREE;
            b += fence;
            if (b < end) WORD(b) = 0;
        }
    }
    WORD(end) = WORD(end) & F_PREV_FREE;
    h->heap_size += (size_t)(hi - lo);
    h->metadata_bytes += (size_t)(hi - lo) - r->block_bytes;
    h->total_block_bytes += r->block_bytes;
    return 0;
}

tp_heap_t *tp_core_init(void *mem, size_t size) {
    if (mem == NULL) return NULL;
    uintptr_t lo = ((uintptr_t)mem + 7u) & ~(uintptr_t)7u;
    uintptr_t hi = (uintptr_t)mem + size;
    if (hi < lo || hi - lo < sizeof(tp_heap_t) + 64u) return NULL;
    tp_heap_t *h = (tp_heap_t *)lo;
    memset(h, 0, sizeof *h);
#if !TP_ADDR32
    h->base = lo - 8u; /* no block gets reference 0 */
#endif
    uintptr_t rest = (lo + sizeof *h + 7u) & ~(uintptr_t)7u;
    if (region_setup(h, rest, hi) != 0) return NULL;
    /* the control block counts as the first region's metadata */
    h->heap_size += (size_t)(rest - (uintptr_t)mem);
    h->metadata_bytes += (size_t)(rest - (uintptr_t)mem);
    return h;
}

int tp_heap_add_region(tp_heap_t *h, void *mem, size_t size) {
    if (h == NULL || mem == NULL) return -1;
    uintptr_t lo = (uintptr_t)mem, hi = lo + size;
    if (hi < lo) return -1;
    for (uint32_t i = 0; i < h->nregions; i++) {
        const tp_region_info_t *r = &h->regions[i];
        uintptr_t rlo = (uintptr_t)r->pagemap, rhi = r->end + 4u;
        if (lo < rhi && rlo < hi) return -1;
    }
    /* nor the control block (region_setup clears what it is given) */
    if (lo < (uintptr_t)h + sizeof *h && (uintptr_t)h < hi) return -1;
    return region_setup(h, lo, hi);
}

/* ======================================================================
 * Allocation
 * ====================================================================== */

HOT void *alloc_large_locked(tp_heap_t *h, uint32_t need) {
    uintptr_t b = find_free(h, need);
    if (b == 0) return NULL;
    b = carve_used(h, b, need, 1);
    h->large_allocs++;
    return (void *)(b + BLOCK_HDR);
}

static void *alloc_slow(tp_heap_t *h, size_t size);
static void report_damaged(tp_heap_t *h);

/* One attempt at the large level (malloc's large path, and the fallback of
 * small requests when no page can be had for a pool).  The first attempt of
 * a malloc goes on to alloc_slow when it fails: size 0, out of memory. */
__attribute__((noinline)) static void *alloc_large(tp_heap_t *h, size_t size, int first) {
    uint32_t need = large_need(size);
    if (need != 0) {
        TP_ALLOC_LOCK_AT(LARGE_ALLOC);
        void *p = alloc_large_locked(h, need);
        TP_ALLOC_UNLOCK();
        if (p != NULL) return p; /* (a changed block met: NULL, and alloc_slow reports) */
    }
    return first ? alloc_slow(h, size) : NULL;
}

HOT void *alloc_small_slow_locked(tp_heap_t *h, unsigned c) {
    /* a pool whose free blocks are quarantined carves a fresh one or
     * leaves the list: the loop ends */
    while (h->usedpools[c] != 0) {
        void *b = pool_pop(h, POOL(ref_addr(h, h->usedpools[c])), c);
        if (b != NULL) return b;
    }
    return pool_new(h, c);
}

/* An aligned block (align > TP_ALLOC_GRAIN) from the large level; lock held. */
static void *alloc_aligned_locked(tp_heap_t *h, uint32_t need, size_t align) {
    TP_ALLOC_ASSERT_LOCKED();
    uintptr_t b = find_free_cold(h, need + (uint32_t)align + MIN_BLOCK);
    if (b == 0) return NULL;
    uintptr_t pa = (b + BLOCK_HDR + align - 1u) & ~(uintptr_t)(align - 1u);
    if (pa - BLOCK_HDR - b != 0 && pa - BLOCK_HDR - b < MIN_BLOCK) pa += align;
    if (pa - BLOCK_HDR != b) b = split_off_front(h, b, (uint32_t)(pa - BLOCK_HDR - b));
    (void)carve_used(h, b, need, 0);
    h->large_allocs++;
    return (void *)pa;
}

/* One attempt.  Small requests fall back from pools to the large level when
 * no page can be had for a new pool. */
HOT void *alloc_once(tp_heap_t *h, size_t size) {
    void *p = NULL;
    if (size - 1u < TP_ALLOC_SMALL_MAX) {
        TP_ALLOC_LOCK_AT(POOL_REFILL);
        p = alloc_small_slow_locked(h, size_class_of(size));
        TP_ALLOC_UNLOCK();
    }
    if (p == NULL) p = alloc_large(h, size, 0);
    return p;
}

/* Hands the kept empty pools back to the large level: those on freepools
 * and the empty ones alone on usedpools (at most TP_ALLOC_KEEP_FREE_POOLS +
 * TP_ALLOC_NCLASSES); 0 if there were none. */
static int release_kept_pools(tp_heap_t *h) {
    int any = 0;
    TP_ALLOC_LOCK();
    while (h->freepools != 0) {
        uintptr_t pg = ref_addr(h, h->freepools);
        tp_pool_t *p = POOL(pg);
        h->freepools = p->next;
        h->nfreepools--;
        *(uint8_t *)ref_addr(h, p->prev) = 0;
        h->npools--;
        large_release_cold(h, pg - BLOCK_HDR);
        any = 1;
    }
    for (unsigned c = 0; c < TP_ALLOC_NCLASSES; c++) {
        uintptr_t pg = h->usedpools[c] != 0 ? ref_addr(h, h->usedpools[c]) : 0;
        if (pg == 0 || POOL(pg)->used != 0) continue; /* (an empty pool there is the first) */
        pool_unlink(h, &h->usedpools[c], pg);
        *page_entry(h, pg) = 0;
        h->npools--;
        large_release_cold(h, pg - BLOCK_HDR);
        any = 1;
    }
    TP_ALLOC_UNLOCK();
    return any;
}

/* An allocation that returns NULL. */
__attribute__((noinline, cold)) static void count_failure(tp_heap_t *h) {
    TP_ALLOC_LOCK();
    h->fail_count++;
    TP_ALLOC_UNLOCK();
}

/* After a failed attempt: 1 if the attempt should be repeated, because the
 * kept empty pools were released or the out-of-memory hook freed memory;
 * otherwise the failure is counted and 0. */
static int retry_after_oom(tp_heap_t *h, size_t size) {
    if (release_kept_pools(h)) return 1;
    if (h->oom_hook != NULL && h->oom_hook(h, size, h->oom_ctx)) return 1;
    count_failure(h);
    return 0;
}

/* A changed free block found by an allocation or a free (pool_quarantine,
 * large_mark_changed). */
__attribute__((noinline, cold)) static void report_damaged(tp_heap_t *h) {
    TP_ALLOC_LOCK();
    uintptr_t b = h->damaged;
    h->damaged = 0;
    TP_ALLOC_UNLOCK();
    if (b != 0)
        tp_alloc_report(h, TP_ALLOC_ERR_WRITE_AFTER_FREE, (const void *)b, 0, -1, NULL,
                        "a free block was changed (a write after free, an overrun from the "
                        "block before it, or a count changed on a freed object): a pool's free "
                        "blocks quarantined, or a large block's mark restored");
}

__attribute__((noinline)) static void *alloc_slow(tp_heap_t *h, size_t size) {
    if (size == 0) size = 1;
    if (size > TP_ALLOC_SMALL_MAX && large_need(size) == 0) { /* bigger than any block */
        count_failure(h);
        return NULL;
    }
    void *p;
    while ((p = alloc_once(h, size)) == NULL) {
        if (h->damaged != 0) { /* a changed block was met (and the lists repaired) */
            report_damaged(h);
            continue;
        }
        if (!retry_after_oom(h, size)) break;
    }
    if (h->damaged != 0) report_damaged(h);
    return p;
}

void *tp_core_alloc(tp_heap_t *h, size_t size) {
    if (size - 1u < TP_ALLOC_SMALL_MAX) {
        unsigned c = size_class_of(size);
        TP_ALLOC_LOCK_AT(SMALL_ALLOC);
        ref_t pr = h->usedpools[c];
        if (pr != 0) {
            void *b = pool_pop(h, POOL(ref_addr(h, pr)), c);
            if (b != NULL) {
                TP_ALLOC_UNLOCK();
                return b;
            }
        }
        TP_ALLOC_UNLOCK();
        return alloc_slow(h, size);
    }
    return alloc_large(h, size, 1);
}

void *tp_core_calloc(tp_heap_t *h, size_t n, size_t size) {
    if (size != 0 && n > SIZE_MAX / size) {
        count_failure(h);
        return NULL;
    }
    void *p = tp_core_alloc(h, n * size);
    if (p != NULL) memset(p, 0, n * size);
    return p;
}

/* ======================================================================
 * Free
 * ====================================================================== */

/* Frees a block of the pool page pg (class c); lock held.  Returns an error
 * kind (the caller reports it after unlocking) or TP_ALLOC_OK. */
static tp_alloc_err_t free_small_locked(tp_heap_t *h, uintptr_t a, unsigned c) {
    TP_ALLOC_ASSERT_LOCKED();
    uintptr_t pg = a & ~POOL_MASK;
    uint32_t off = (uint32_t)(a - pg);
    if (off < POOL_HDR || off >= POOL(pg)->carve) return TP_ALLOC_ERR_FOREIGN;
    if ((off - POOL_HDR) % class_size(c) != 0) return TP_ALLOC_ERR_INTERIOR;
    ref_t r = addr_ref(h, a);
    if (WORD(a) == FREE_MARK && pool_holds(h, pg, c, r)) return TP_ALLOC_ERR_DOUBLE_FREE;
    tp_pool_t *p = POOL(pg);
    ref_t head = p->freeblock;
    pool_link_write(a, head);
    p->freeblock = r;
    h->class_frees[c]++;
    if (head == 0) pool_link(h, &h->usedpools[c], pg); /* was full */
    if (--p->used == 0) pool_empty(h, pg, c);
    return TP_ALLOC_OK;
}

/* Checks the header of a large block at payload a and frees it; lock held.
 * hot: from tp_heap_free, with large_release inlined.  sized (the fast path
 * of free_sized): the caller's size `req` must leave fewer than MIN_BLOCK
 * bytes of the block unused (else TP_ALLOC_ERR_SIZE_MISMATCH, nothing freed;
 * free_checked decides, exactly, with large_need_sized). */
HOT tp_alloc_err_t free_large_locked(tp_heap_t *h, const tp_region_info_t *r, uintptr_t a, int hot,
                                     int sized, size_t req) {
    uintptr_t b = a - BLOCK_HDR;
    if (b < r->start) return TP_ALLOC_ERR_FOREIGN;
    uint32_t hdr = WORD(b);
    uint32_t size = hdr & ~F_MASK;
    if (hdr & F_FREE) return TP_ALLOC_ERR_DOUBLE_FREE;
    if (size < MIN_BLOCK || (hdr & 4u) || size > r->end - b) return TP_ALLOC_ERR_BAD_HEADER;
    uint32_t nhdr = WORD(b + size);
    if ((nhdr & F_PREV_FREE) || !next_header_ok(r, b + size, nhdr)) return TP_ALLOC_ERR_BAD_HEADER;
    if (sized && size - BLOCK_HDR - req >= MIN_BLOCK) return TP_ALLOC_ERR_SIZE_MISMATCH;
    if (hot)
        large_release_at(h, b, hdr, nhdr);
    else
        large_release_cold(h, b);
    h->large_frees++;
    return TP_ALLOC_OK;
}

/* free_sized: the block size a request of `size` bytes makes, which a large
 * block must have, or up to MIN_BLOCK - 8 more (a rest too small to split
 * off); UINT32_MAX (nothing fits) for 0 or too many bytes. */
HOT uint32_t large_need_sized(size_t size) {
    uint32_t need = large_need(size);
    return need != 0 ? need : UINT32_MAX;
}

/* Every free that the fast path does not take, checked from scratch.  sized:
 * from free_sized, with the caller's size, which is checked against the
 * block only once the pointer has passed every other check: a size that does
 * not fit is reported, and the block - which the pointer identifies - freed
 * all the same. */
__attribute__((noinline)) static void free_checked(tp_heap_t *h, void *ptr, size_t size,
                                                   int sized, const void *caller) {
    uintptr_t a = (uintptr_t)ptr;
    if (ptr == NULL) return;
    tp_alloc_err_t err;
    int cls = -1;
    size_t bsize = 0;
    TP_ALLOC_LOCK_AT(FREE_CHECKED);
    const tp_region_info_t *r = region_of(h, a);
    if (r == NULL) {
        err = TP_ALLOC_ERR_FOREIGN;
    } else if (a & 7u) {
        err = TP_ALLOC_ERR_MISALIGNED;
    } else {
        uint8_t kind = page_kind(r, a);
        if (kind == PM_FREE_POOL) {
            err = TP_ALLOC_ERR_DOUBLE_FREE; /* its pool is empty: every block is free */
        } else if (kind != 0) {
            cls = kind - 1;
            bsize = class_size((unsigned)cls);
            err = free_small_locked(h, a, (unsigned)cls);
            if (err == TP_ALLOC_OK && sized && (size == 0 ? 0u : size_class_of(size)) != (unsigned)cls)
                err = TP_ALLOC_ERR_SIZE_MISMATCH;
        } else {
            uint32_t bs = block_size(a - BLOCK_HDR); /* a is in the region: a - 4 is readable */
            err = free_large_locked(h, r, a, 0, 0, 0);
            if (err == TP_ALLOC_OK && sized && bs - large_need_sized(size == 0 ? 1u : size) >= MIN_BLOCK)
                err = TP_ALLOC_ERR_SIZE_MISMATCH;
            if (err == TP_ALLOC_ERR_SIZE_MISMATCH) bsize = bs - BLOCK_HDR;
        }
    }
    TP_ALLOC_UNLOCK();
    if (err != TP_ALLOC_OK) tp_alloc_report(h, err, ptr, bsize, cls, caller, tp_alloc_err_name(err));
    if (h->damaged != 0) report_damaged(h);
}

__attribute__((noinline)) static void free_slow(tp_heap_t *h, void *ptr, const void *caller) {
    free_checked(h, ptr, 0, 0, caller);
}

__attribute__((noinline)) static void free_sized_slow(tp_heap_t *h, void *ptr, size_t size,
                                                      const void *caller) {
    free_checked(h, ptr, size, 1, caller);
}

/* The fast path of free and free_sized (sized: with the caller's size, which
 * must fit the block) takes a valid free of a block of the first region;
 * everything else - other regions, every error, a size that does not fit -
 * goes to free_checked, which checks again from scratch. */
HOT void free_fast(tp_heap_t *h, void *ptr, size_t size, int sized, const void *caller) {
    uintptr_t a = (uintptr_t)ptr;
    const tp_region_info_t *r = &h->regions[0];
    TP_ALLOC_LOCK_AT(FREE);
    uint32_t page = (uint32_t)((a - r->page0) >> TP_ALLOC_POOL_SHIFT);
    if (page < r->npages && (a & 7u) == 0) {
        unsigned kind = r->pagemap[page];
        /* free: the page's class; free_sized: the size's, which the page must have */
        unsigned c = sized ? size_class_of(size) : kind - 1u;
        if (c < TP_ALLOC_NCLASSES && (!sized || kind == c + 1u)) {
            uint32_t off = (uint32_t)(a & POOL_MASK);
            uintptr_t pg = a - off;
            tp_pool_t *p = POOL(pg);
            ref_t rf = addr_ref(h, a);
            if (off >= POOL_HDR && off < p->carve && WORD(a) != FREE_MARK) {
                ref_t head = p->freeblock;
                uint32_t used = p->used - 1u;
                /* an interior pointer would put a block inside another on
                 * the free list: checked on every free (a division by the
                 * class size); free_slow reports it */
                if ((off - POOL_HDR) % class_size(c) != 0) {
                    TP_ALLOC_UNLOCK();
                    free_slow(h, ptr, TP_CALL_SITE());
                    return;
                }
                h->class_frees[c]++;
                if (used != 0 || pool_alone(p)) {
                    pool_link_write(a, head);
                    p->freeblock = rf;
                    p->used = (uint16_t)used;
                    if (head == 0) pool_link(h, &h->usedpools[c], pg); /* was full */
                } else {
                    /* the pool empties: its blocks need no list now */
                    p->used = 0;
                    pool_empty(h, pg, c);
                }
                TP_ALLOC_UNLOCK();
                return;
            }
        } else if (kind == 0 &&
                   free_large_locked(h, r, a, 1, sized, size) == TP_ALLOC_OK) {
            TP_ALLOC_UNLOCK();
            if (h->damaged != 0) report_damaged(h);
            return;
        }
    }
    TP_ALLOC_UNLOCK();
    if (sized)
        free_sized_slow(h, ptr, size, caller);
    else
        free_slow(h, ptr, caller);
}

void tp_core_free(tp_heap_t *h, void *ptr) { free_fast(h, ptr, 0, 0, TP_CALL_SITE()); }

void tp_core_free_sized(tp_heap_t *h, void *ptr, size_t size) {
    free_fast(h, ptr, size, 1, TP_CALL_SITE());
}

/* ======================================================================
 * realloc, aligned allocation, sizes
 * ====================================================================== */

/* Whether a (8-aligned, in region r) is the start of a block handed out:
 * TP_ALLOC_OK, or what it is instead - a freed block (DOUBLE_FREE), pool
 * space never carved or a pool kept empty (FOREIGN), the inside of a pool
 * block (INTERIOR), a large block header that is not one we wrote
 * (BAD_HEADER).  *usable: the bytes the caller may use.  O(1): a freed pool
 * block carries its mark (free_small_locked; confirmed on the pool's list),
 * a large block its header. */
static tp_alloc_err_t block_state(const tp_region_info_t *r, const tp_heap_t *h, uintptr_t a,
                                  size_t *usable) {
    *usable = 0;
    uint8_t kind = page_kind(r, a);
    if (kind == PM_FREE_POOL) return TP_ALLOC_ERR_FOREIGN;
    if (kind != 0) {
        unsigned c = kind - 1u;
        uintptr_t pg = a & ~POOL_MASK;
        uint32_t off = (uint32_t)(a - pg);
        if (off < POOL_HDR || off >= POOL(pg)->carve) return TP_ALLOC_ERR_FOREIGN;
        if ((off - POOL_HDR) % class_size(c) != 0) return TP_ALLOC_ERR_INTERIOR;
        if (WORD(a) == FREE_MARK && pool_holds(h, pg, c, addr_ref(h, a)))
            return TP_ALLOC_ERR_DOUBLE_FREE;
        *usable = class_size(c);
        return TP_ALLOC_OK;
    }
    uintptr_t b = a - BLOCK_HDR;
    if (b < r->start) return TP_ALLOC_ERR_FOREIGN;
    uint32_t hdr = WORD(b), size = hdr & ~F_MASK;
    if (hdr & F_FREE) return TP_ALLOC_ERR_DOUBLE_FREE;
    if (size < MIN_BLOCK || (hdr & 4u) || size > r->end - b || (WORD(b + size) & F_PREV_FREE) ||
        !next_header_ok(r, b + size, WORD(b + size)))
        return TP_ALLOC_ERR_BAD_HEADER;
    *usable = size - BLOCK_HDR;
    return TP_ALLOC_OK;
}

size_t tp_core_usable_size(tp_heap_t *h, const void *ptr) {
    uintptr_t a = (uintptr_t)ptr;
    if (ptr == NULL || (a & 7u)) return 0;
    const tp_region_info_t *r = region_of(h, a);
    if (r == NULL) return 0;
    size_t usable;
    return block_state(r, h, a, &usable) == TP_ALLOC_OK ? usable : 0;
}

/* Grows or shrinks the large block at payload a in place; lock held.
 * Returns 1 on success, 0 if it cannot. */
static int large_resize_locked(tp_heap_t *h, uintptr_t a, uint32_t need) {
    TP_ALLOC_ASSERT_LOCKED();
    uintptr_t b = a - BLOCK_HDR;
    uint32_t size = block_size(b);
    if (need > size) {
        uintptr_t next = b + size;
        if (!(WORD(next) & F_FREE) || !(block_intact(next) || large_repair(h, next))) return 0;
        uint32_t ns = block_size(next);
        if (size + ns < need || size + ns > MAX_BLOCK) return 0;
        /* absorb the free neighbour whole; what is not needed goes back below */
        list_remove(h, next, ns);
        WORD(b) = (size + ns) | (WORD(b) & F_PREV_FREE);
        WORD(b + size + ns) &= ~F_PREV_FREE;
        h->footprint += ns;
        size += ns;
    }
    uint32_t rest = size - need;
    if (rest >= MIN_BLOCK) {
        WORD(b) = need | (WORD(b) & F_PREV_FREE);
        WORD(b + need) = rest; /* a used block (predecessor in use) ... */
        large_release_cold(h, b + need); /* ... released: coalesces, fixes footprint */
    }
    if (h->footprint > h->footprint_peak) h->footprint_peak = h->footprint;
    return 1;
}

void *tp_core_realloc(tp_heap_t *h, void *ptr, size_t size) {
    if (ptr == NULL) return tp_core_alloc(h, size);
    if (size == 0) {
        free_slow(h, ptr, TP_CALL_SITE());
        return NULL;
    }
    uintptr_t a = (uintptr_t)ptr;
    const tp_region_info_t *r = region_of(h, a);
    if (r == NULL || (a & 7u)) {
        tp_alloc_report(h, r == NULL ? TP_ALLOC_ERR_FOREIGN : TP_ALLOC_ERR_MISALIGNED, ptr, 0, -1,
                        TP_CALL_SITE(), "realloc of a pointer not from this heap");
        return NULL;
    }
    size_t old;
    tp_alloc_err_t err = block_state(r, h, a, &old);
    if (err != TP_ALLOC_OK) {
        /* a freed, interior or foreign pointer: the heap is left as it is */
        tp_alloc_report(h, err, ptr, 0, -1, TP_CALL_SITE(), "realloc of a pointer that is no block "
                                                       "in use: nothing done");
        return NULL;
    }
    uint8_t kind = page_kind(r, a);
    if (kind != 0 && kind != PM_FREE_POOL) {
        /* small: keep the block if the new size maps to the same class */
        if (size - 1u < TP_ALLOC_SMALL_MAX && size_class_of(size) == kind - 1u) return ptr;
    } else if (kind == 0) {
        uint32_t need = large_need(size);
        if (need != 0 && size > TP_ALLOC_SMALL_MAX / 2u) {
            TP_ALLOC_LOCK_AT(RESIZE);
            int ok = large_resize_locked(h, a, need);
            TP_ALLOC_UNLOCK();
            if (ok) return ptr;
        }
    }
    void *q = tp_core_alloc(h, size);
    if (q == NULL) return NULL;
    memcpy(q, ptr, old < size ? old : size);
    free_slow(h, ptr, TP_CALL_SITE());
    return q;
}

void *tp_core_aligned_alloc(tp_heap_t *h, size_t align, size_t size) {
    if (align == 0 || (align & (align - 1u)) != 0) return NULL;
    if (align <= TP_ALLOC_GRAIN) return tp_core_alloc(h, size);
    if (size == 0) size = 1;
    uint32_t need = large_need(size);
    /* the search asks for need + align + MIN_BLOCK: no block is bigger than MAX_BLOCK */
    if (need == 0 || align > MAX_BLOCK / 4u || need + align + MIN_BLOCK > MAX_BLOCK) {
        count_failure(h); /* bigger than any block: fails at once, as in alloc_slow */
        return NULL;
    }
    void *p;
    do {
        TP_ALLOC_LOCK_AT(ALIGNED_ALLOC);
        p = alloc_aligned_locked(h, need, align);
        TP_ALLOC_UNLOCK();
    } while (p == NULL && retry_after_oom(h, size));
    return p;
}

/* ======================================================================
 * Per-type free lists
 * ====================================================================== */

void tp_freelist_init(tp_freelist_t *list, size_t block_size_bytes, uint16_t cap) {
    list->head = NULL;
    list->count = 0;
    list->cap = cap;
    list->block_size = (uint16_t)block_size_bytes;
    list->hits = 0;
}

/* A cached block found changed: the list's blocks are dropped from it (they
 * stay allocated: a leak of at most `cap` blocks, nothing corrupted). */
__attribute__((noinline, cold)) static void freelist_damaged(tp_heap_t *h, tp_freelist_t *list,
                                                             const void *p) {
    list->head = NULL;
    list->count = 0;
    tp_alloc_report(h, TP_ALLOC_ERR_WRITE_AFTER_FREE, p, list->block_size, -1, NULL,
                    "a block cached on a type's free list was changed (a write after free, "
                    "an overrun, or a count changed on a freed object): the list dropped");
}

void *tp_core_freelist_alloc(tp_heap_t *h, tp_freelist_t *list) {
    void *p = list->head;
    if (p != NULL) {
        int ok;
        void *next = freelist_next(h, p, &ok);
        if (ok) {
            list->head = next;
            list->count--;
            if (list->hits != UINT16_MAX) list->hits++;
            WORD(p) = 0; /* no longer marked free */
            return p;
        }
        freelist_damaged(h, list, p);
    }
    return tp_core_alloc(h, list->block_size);
}

void tp_core_freelist_free(tp_heap_t *h, tp_freelist_t *list, void *ptr) {
    if (ptr == NULL) return;
    if (WORD(ptr) == FREE_MARK && freelist_holds(h, list, ptr)) {
        tp_alloc_report(h, TP_ALLOC_ERR_DOUBLE_FREE, ptr, list->block_size, -1, TP_CALL_SITE(),
                        "freed twice to a type's free list (already cached): ignored");
        return;
    }
    if (list->count < list->cap) {
        freelist_push(h, list, ptr);
        return;
    }
    tp_core_free(h, ptr);
}

void tp_core_freelist_drain(tp_heap_t *h, tp_freelist_t *list) {
    while (list->head != NULL) {
        void *p = list->head;
        int ok;
        list->head = freelist_next(h, p, &ok);
        if (!ok) { /* the rest cannot be followed: kept allocated */
            freelist_damaged(h, list, p);
            return;
        }
        WORD(p) = 0; /* unmarked: the heap's fast free path */
        tp_core_free(h, p);
    }
    list->count = 0;
}

/* ======================================================================
 * The public entry points
 * ====================================================================== */

/* In the release build the public names are the tp_core_* functions
 * themselves (an alias is a second name for the same code: no call in
 * between).  A layer over the allocator defines the ones it wraps instead
 * (tp_alloc_internal.h). */
#define TP_ALLOC_PUBLIC(name, core) __typeof__(core) name __attribute__((alias(#core)))
#if !TP_ALLOC_LAYER_WRAPS_BLOCKS
TP_ALLOC_PUBLIC(tp_heap_alloc, tp_core_alloc);
TP_ALLOC_PUBLIC(tp_heap_calloc, tp_core_calloc);
TP_ALLOC_PUBLIC(tp_heap_free, tp_core_free);
TP_ALLOC_PUBLIC(tp_heap_free_sized, tp_core_free_sized);
TP_ALLOC_PUBLIC(tp_heap_realloc, tp_core_realloc);
TP_ALLOC_PUBLIC(tp_heap_aligned_alloc, tp_core_aligned_alloc);
TP_ALLOC_PUBLIC(tp_freelist_alloc, tp_core_freelist_alloc);
TP_ALLOC_PUBLIC(tp_freelist_free, tp_core_freelist_free);
#endif
#if !TP_ALLOC_LAYER_WRAPS_HEAP
TP_ALLOC_PUBLIC(tp_heap_init, tp_core_init);
TP_ALLOC_PUBLIC(tp_heap_usable_size, tp_core_usable_size);
TP_ALLOC_PUBLIC(tp_heap_set_oom_hook, tp_core_set_oom_hook);
TP_ALLOC_PUBLIC(tp_freelist_drain, tp_core_freelist_drain);
#endif
