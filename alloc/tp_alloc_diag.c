// SPDX-License-Identifier: MIT
/*
 * tp_alloc_diag.c - statistics, the per-class table and the heap validator.
 * Nothing here is on a hot path; validate and the class table walk the heap.
 * In the debug build, tp_alloc_debug.c adjusts the statistics to what the
 * user asked for and adds its checks to the validator.
 */
#include "tp_alloc_internal.h"

/* The largest request the free lists serve as they are.  find_free serves a
 * request from its own list - the first fitting block among the first
 * TP_ALLOC_FIT_SCAN there (any block, on the two lowest first levels, which
 * hold one size each) - or from the head of a bigger list.  So the largest
 * is the biggest of the first TP_ALLOC_FIT_SCAN blocks of the highest list
 * that is not empty, less the header; one of 8 bytes more fails.  O(1); the
 * lock held while the links are read. */
static size_t largest_request(const tp_heap_t *h) {
    uint32_t best = 0;
    TP_ALLOC_LOCK();
    if (h->fl_bitmap != 0) {
        unsigned fl = fls32(h->fl_bitmap);
        unsigned sl = fls32(h->sl_bitmap[fl]);
        ref_t r = h->lists[fl][sl];
        for (unsigned n = 0; r != 0 && n < (fl >= 2u ? (unsigned)TP_ALLOC_FIT_SCAN : 1u); n++) {
            uintptr_t b = ref_addr(h, r);
            uint32_t s = block_size(b);
            if (s > best) best = s;
            r = WORD(b + L_NEXT);
        }
    }
    TP_ALLOC_UNLOCK();
    return best > BLOCK_HDR ? best - BLOCK_HDR : 0;
}

void tp_heap_stats(const tp_heap_t *h, tp_heap_stats_t *out) {
    out->heap_size = h->heap_size;
    out->metadata_bytes = h->metadata_bytes;
    uint32_t allocs = h->large_allocs, frees = h->large_frees;
    for (unsigned c = 0; c < TP_ALLOC_NCLASSES; c++) {
        allocs += h->class_allocs[c];
        frees += h->class_frees[c];
    }
    out->used_bytes = heap_used_bytes(h);
    out->used_blocks = allocs - frees;
    out->footprint = h->footprint;
    out->footprint_peak = h->footprint_peak;
    out->free_bytes = h->total_block_bytes - h->footprint;
    out->largest_free = largest_request(h);
    out->alloc_count = allocs;
    out->free_count = frees;
    out->fail_count = h->fail_count;
    out->error_count = h->error_count;
    unsigned kept = h->nfreepools; /* and the empty pools alone on usedpools */
    for (unsigned c = 0; c < TP_ALLOC_NCLASSES; c++)
        if (h->usedpools[c] != 0 && POOL(ref_addr(h, h->usedpools[c]))->used == 0) kept++;
    out->pools = (uint16_t)(h->npools - kept);
    out->free_pools = (uint16_t)kept;
#if TP_ALLOC_DEBUG
    tp_alloc_debug_stats(h, out);
#endif
}

size_t tp_heap_reset_peak(tp_heap_t *h, size_t floor) {
    TP_ALLOC_LOCK();
    size_t peak = h->footprint_peak;
    h->footprint_peak = h->footprint > floor ? h->footprint : floor;
    TP_ALLOC_UNLOCK();
    return peak;
}

unsigned tp_heap_class_count(void) { return TP_ALLOC_NCLASSES; }

int tp_heap_class_stats(const tp_heap_t *h, unsigned c, tp_class_stats_t *out) {
    if (c >= TP_ALLOC_NCLASSES) return -1;
    out->block_size = (uint16_t)class_size(c);
    out->blocks_per_pool = (uint16_t)pool_capacity(c);
    out->pools = 0;
    out->blocks_used = 0;
    out->blocks_free = 0;
#if TP_ALLOC_DEBUG
    out->quantization = h->dbg.quantization[c];
#else
    out->quantization = 0;
#endif
    out->pool_overhead = 0;
    for (uint32_t i = 0; i < h->nregions; i++) {
        const tp_region_info_t *r = &h->regions[i];
        for (uint32_t pgi = 0; pgi < r->npages; pgi++) {
            if (r->pagemap[pgi] != c + 1u) continue;
            const tp_pool_t *p = POOL(r->page0 + ((uintptr_t)pgi << TP_ALLOC_POOL_SHIFT));
            out->pools++;
            out->blocks_used += p->used;
            out->blocks_free += pool_capacity(c) - p->used;
            out->pool_overhead += POOL_SIZE - pool_capacity(c) * class_size(c);
        }
    }
    return 0;
}

void tp_heap_print_stats(const tp_heap_t *h,
                         tp_print_fn print) {
    tp_heap_stats_t st;
    tp_heap_stats(h, &st);
    print("class  size  per-pool  pools  used  free  overhead\n");
    for (unsigned c = 0; c < TP_ALLOC_NCLASSES; c++) {
        tp_class_stats_t cs;
        tp_heap_class_stats(h, c, &cs);
        if (cs.pools == 0) continue;
        print("%5u %5u %9u %6u %5lu %5lu %9lu\n", c, cs.block_size, cs.blocks_per_pool, cs.pools,
              (unsigned long)cs.blocks_used, (unsigned long)cs.blocks_free,
              (unsigned long)cs.pool_overhead);
    }
    print("heap %lu B (metadata %lu B): in use %lu B in %lu blocks; footprint %lu B (peak %lu B); "
          "free %lu B, largest request %lu B\n",
          (unsigned long)st.heap_size, (unsigned long)st.metadata_bytes,
          (unsigned long)st.used_bytes, (unsigned long)st.used_blocks,
          (unsigned long)st.footprint, (unsigned long)st.footprint_peak,
          (unsigned long)st.free_bytes, (unsigned long)st.largest_free);
    print("pools %u (+%u empty kept); %lu allocs, %lu frees, %lu failed, %lu errors\n", st.pools,
          st.free_pools, (unsigned long)st.alloc_count, (unsigned long)st.free_count,
          (unsigned long)st.fail_count, (unsigned long)st.error_count);
}

/* ---- validation ---- */

#define FAIL_IF(cond, where, text)                                                                 \
    do {                                                                                           \
        if (cond) {                                                                                \
            tp_alloc_report(h, TP_ALLOC_ERR_CORRUPT, (const void *)(uintptr_t)(where), 0, -1,      \
                            NULL, text);                                                           \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)

/* Checks one pool of class c; adds its used blocks to *blocks_used. */
static int pool_check(tp_heap_t *h, uintptr_t pg, unsigned c, uint32_t *blocks_used) {
    const tp_pool_t *p = POOL(pg);
    uint32_t size = class_size(c);
    FAIL_IF(block_size(pg - BLOCK_HDR) != POOL_SIZE || (WORD(pg - BLOCK_HDR) & F_FREE), pg,
            "pool page without its large block header");
    FAIL_IF(p->carve < POOL_HDR + size || p->carve > POOL_END || (p->carve - POOL_HDR) % size != 0,
            pg, "pool carve offset out of range");
    uint32_t carved = (uint32_t)(p->carve - POOL_HDR) / size;
    FAIL_IF(p->used > carved, pg, "pool uses more blocks than it carved");
    uint32_t nfree = 0;
    ref_t fr = p->freeblock;
    while (fr != 0) {
        uintptr_t b = ref_addr(h, fr);
        FAIL_IF(b < pg + POOL_HDR || b >= pg + p->carve || (b - pg - POOL_HDR) % size != 0, b,
                "pool free list points outside the pool's blocks");
        FAIL_IF(++nfree > carved, pg, "pool free list longer than the pool (a loop?)");
        FAIL_IF(WORD(b) != FREE_MARK, b,
                "a free block changed (a write after free, or an overrun from the block before)");
        fr = pool_link_read(b);
    }
    FAIL_IF(p->used + nfree != carved, pg, "pool used + free != carved blocks");
    *blocks_used += p->used;
    return 0;
}

static int on_pool_list(const tp_heap_t *h, ref_t head, uintptr_t pg) {
    for (ref_t r = head; r != 0; r = POOL(ref_addr(h, r))->next)
        if (ref_addr(h, r) == pg) return 1;
    return 0;
}

int tp_heap_validate(tp_heap_t *h) {
    size_t free_blocks_phys = 0, used_large_bytes = 0, used_small_bytes = 0;
    size_t footprint = 0;
    uint32_t pools = 0, large_used = 0, class_used[TP_ALLOC_NCLASSES] = {0};

    for (uint32_t i = 0; i < h->nregions; i++) {
        const tp_region_info_t *r = &h->regions[i];
        FAIL_IF(WORD(r->end) & ~F_PREV_FREE, r->end, "region sentinel damaged");
        uintptr_t b = r->start;
        int prev_free = 0;
        while (b < r->end) {
            uint32_t hdr = WORD(b), size = hdr & ~F_MASK;
            FAIL_IF(size < 8u || (size < MIN_BLOCK && (hdr & F_FREE)) || size > r->end - b, b,
                    "block size out of range");
            FAIL_IF(((hdr & F_PREV_FREE) != 0) != prev_free, b, "PREV_FREE flag disagrees with the previous block");
            FAIL_IF((b & 7u) != 4u, b, "block header not at 4 mod 8");
            if (hdr & F_FREE) {
                FAIL_IF(prev_free, b, "two adjacent free blocks");
                FAIL_IF(WORD(b + size - 4u) != size, b, "free block footer != size");
                free_blocks_phys++;
            } else if (size >= MIN_BLOCK) {
                uintptr_t payload = b + BLOCK_HDR;
                uint8_t kind = (payload & POOL_MASK) == 0 ? page_kind(r, payload) : 0;
                footprint += size;
                if (kind != 0) {
                    FAIL_IF(size != POOL_SIZE, b, "pool page block of the wrong size");
                    pools++;
                    if (kind != PM_FREE_POOL) {
                        unsigned c = kind - 1u;
                        uint32_t used = 0;
                        if (pool_check(h, payload, c, &used) != 0) return -1;
                        used_small_bytes += (size_t)used * class_size(c);
                        class_used[c] += used;
                        int listed = on_pool_list(h, h->usedpools[c], payload);
                        FAIL_IF(listed != (POOL(payload)->freeblock != 0), payload,
                                "pool on usedpools iff it has a free block: violated");
                    } else {
                        FAIL_IF(!on_pool_list(h, h->freepools, payload), payload,
                                "empty pool not on freepools");
                    }
                } else {
                    used_large_bytes += size - BLOCK_HDR;
                    large_used++;
                }
            }
            prev_free = (hdr & F_FREE) != 0;
            b += size;
        }
        FAIL_IF(b != r->end, b, "blocks do not end at the region sentinel");
        FAIL_IF(((WORD(r->end) & F_PREV_FREE) != 0) != prev_free, r->end, "sentinel PREV_FREE wrong");
        for (uint32_t pgi = 0; pgi < r->npages; pgi++) {
            if (r->pagemap[pgi] == 0) continue;
            uintptr_t pg = r->page0 + ((uintptr_t)pgi << TP_ALLOC_POOL_SHIFT);
            FAIL_IF(pg < r->start || pg > r->end, pg, "page map marks a page outside the blocks");
            FAIL_IF(r->pagemap[pgi] != PM_FREE_POOL && r->pagemap[pgi] > TP_ALLOC_NCLASSES, pg,
                    "page map holds an invalid class");
        }
    }

    /* free lists: every entry free, on the right list, links consistent */
    size_t free_listed = 0;
    uint32_t fl_seen = 0;
    for (unsigned fl = 0; fl < FL_COUNT; fl++) {
        uint32_t sl_seen = 0;
        for (unsigned sl = 0; sl < SL_COUNT; sl++) {
            ref_t prev = 0;
            for (ref_t rr = h->lists[fl][sl]; rr != 0; rr = WORD(ref_addr(h, rr) + 8u)) {
                uintptr_t b = ref_addr(h, rr);
                const tp_region_info_t *r = region_of(h, b);
                FAIL_IF(r == NULL, b, "free list entry outside every region");
                FAIL_IF(!(WORD(b) & F_FREE), b, "used block on a free list");
                unsigned f2, s2;
                mapping(block_size(b), &f2, &s2);
                FAIL_IF(f2 != fl || s2 != sl, b, "free block on the wrong list");
                FAIL_IF(WORD(b + 12u) != prev, b, "free list back link broken");
                FAIL_IF(WORD(b + 4u) != FREE_MARK, b,
                        "a free block's mark changed (a write after free, or a count changed "
                        "on a freed object)");
                FAIL_IF(++free_listed > free_blocks_phys, b, "free lists hold more blocks than the heap (a loop?)");
                prev = rr;
                sl_seen |= 1u << sl;
            }
        }
        FAIL_IF(sl_seen != h->sl_bitmap[fl], fl, "second-level bitmap disagrees with the lists");
        if (sl_seen) fl_seen |= 1u << fl;
    }
    FAIL_IF(fl_seen != h->fl_bitmap, 0, "first-level bitmap disagrees with the lists");
    FAIL_IF(free_listed != free_blocks_phys, 0, "a free block is missing from the free lists");

    /* pool lists: every pool listed is a pool of that class */
    for (unsigned c = 0; c < TP_ALLOC_NCLASSES; c++) {
        ref_t prev = 0;
        uint32_t n = 0;
        for (ref_t pr = h->usedpools[c]; pr != 0; pr = POOL(ref_addr(h, pr))->next) {
            uintptr_t pg = ref_addr(h, pr);
            const tp_region_info_t *r = region_of(h, pg);
            FAIL_IF(r == NULL || (pg & POOL_MASK) || page_kind(r, pg) != c + 1u, pg,
                    "usedpools holds a page that is not a pool of its class");
            FAIL_IF(POOL(pg)->prev != prev, pg, "usedpools back link broken");
            FAIL_IF(++n > pools, pg, "usedpools longer than the pool count (a loop?)");
            FAIL_IF(POOL(pg)->used == 0 && n > 1, pg, "an empty pool on usedpools is not the first");
            prev = pr;
        }
    }
    uint32_t nfree_pools = 0;
    for (ref_t pr = h->freepools; pr != 0; pr = POOL(ref_addr(h, pr))->next) {
        uintptr_t pg = ref_addr(h, pr);
        const tp_region_info_t *r = region_of(h, pg);
        FAIL_IF(r == NULL || page_kind(r, pg) != PM_FREE_POOL, pg, "freepools holds a page that is not an empty pool");
        FAIL_IF(++nfree_pools > pools, pg, "freepools longer than the pool count (a loop?)");
    }
    FAIL_IF(nfree_pools != h->nfreepools, 0, "nfreepools disagrees with freepools");
    FAIL_IF(pools != h->npools, 0, "pool count disagrees with the heap");

    /* running statistics agree with what is there */
    FAIL_IF(footprint != h->footprint, 0, "footprint statistic disagrees with the blocks");
    for (unsigned c = 0; c < TP_ALLOC_NCLASSES; c++)
        FAIL_IF(class_used[c] != h->class_allocs[c] - h->class_frees[c], c,
                "a class's allocation minus free counts disagree with its pools");
    FAIL_IF(large_used != h->large_allocs - h->large_frees, 0,
            "large allocation minus free counts disagree with the blocks");
    FAIL_IF(used_small_bytes + used_large_bytes != heap_used_bytes(h), 0,
            "used_bytes statistic disagrees with the blocks");
#if TP_ALLOC_DEBUG
    return tp_alloc_debug_validate(h); /* headers, guards, quarantine */
#else
    return 0;
#endif
}

size_t tp_heap_footprint(const tp_heap_t *h) { return h->footprint; }
size_t tp_heap_capacity(const tp_heap_t *h) { return h->total_block_bytes; }

#if !TP_ALLOC_DEBUG /* (the debug build's, less its guards, is in tp_alloc_debug.c) */
size_t tp_heap_max_request(void) { return MAX_REQUEST; }
#endif

void tp_heap_span(const tp_heap_t *h, uintptr_t *lo, uintptr_t *hi) {
    uintptr_t l = (uintptr_t)h, e = (uintptr_t)h + sizeof *h;
    for (uint32_t i = 0; i < h->nregions; i++) {
        const tp_region_info_t *r = &h->regions[i];
        if ((uintptr_t)r->pagemap < l) l = (uintptr_t)r->pagemap;
        if (r->end + 4u > e) e = r->end + 4u;
    }
    *lo = l;
    *hi = e;
}

/* ---- the walk (dumps, maps) ---- */

int tp_heap_walk(const tp_heap_t *h, int (*visit)(const tp_extent_t *e, void *ctx), void *ctx) {
    /* the control block: what heap_size holds beyond the regions' spans */
    size_t spans = 0;
    for (uint32_t i = 0; i < h->nregions; i++)
        spans += h->regions[i].end + 4u - (uintptr_t)h->regions[i].pagemap;
    uint32_t ctrl = (uint32_t)(h->heap_size - spans);
    tp_extent_t e = {(uintptr_t)h->regions[0].pagemap - ctrl, ctrl, TP_EXTENT_META, 0, -1, 0, 0};
    int rc = visit(&e, ctx);
    for (uint32_t i = 0; i < h->nregions && rc == 0; i++) {
        const tp_region_info_t *r = &h->regions[i];
        e = (tp_extent_t){(uintptr_t)r->pagemap, (uint32_t)(r->start - (uintptr_t)r->pagemap),
                          TP_EXTENT_META, (uint8_t)i, -1, 0, 0};
        rc = visit(&e, ctx);
        for (uintptr_t b = r->start; b < r->end && rc == 0; b += e.size) {
            uint32_t hdr = WORD(b);
            e = (tp_extent_t){b, hdr & ~F_MASK, TP_EXTENT_USED, (uint8_t)i, -1, 0, 0};
            if (e.size < 8u || e.size > r->end - b) return -1; /* damaged: tp_heap_validate says more */
            uint8_t kind = ((b + BLOCK_HDR) & POOL_MASK) == 0 ? page_kind(r, b + BLOCK_HDR) : 0;
            if (hdr & F_FREE) {
                e.kind = TP_EXTENT_FREE;
            } else if (e.size < MIN_BLOCK) {
                e.kind = TP_EXTENT_META; /* a fence between maximal blocks, or a sliver */
            } else if (kind == PM_FREE_POOL) {
                e.kind = TP_EXTENT_POOL;
            } else if (kind != 0) {
                e.kind = TP_EXTENT_POOL;
                e.size_class = (int16_t)(kind - 1u);
                e.blocks_used = POOL(b + BLOCK_HDR)->used;
                e.blocks_total = (uint16_t)pool_capacity(kind - 1u);
            }
            rc = visit(&e, ctx);
        }
        if (rc == 0) {
            e = (tp_extent_t){r->end, 4u, TP_EXTENT_META, (uint8_t)i, -1, 0, 0};
            rc = visit(&e, ctx);
        }
    }
    return rc;
}
