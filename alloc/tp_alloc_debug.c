// SPDX-License-Identifier: MIT
/*
 * tp_alloc_debug.c - the allocator's debug build (TP_ALLOC_DEBUG=1): a layer
 * over the release allocator, which tp_alloc.c compiles under the names
 * tp_core_* (tp_alloc_internal.h).  Empty in the release build.
 *
 * A block, inside the release block ("raw block") that holds it:
 *
 *   raw                                 user = raw + 2^shift
 *   |[pad record, 0xFD ...]|tag |size|0xFD x 8|user bytes ......|0xFD ... to the raw end|
 *                          '-- header (8) --'  0xCD fresh, 0xDD freed   back guard (>= 4)
 *
 *   tag   = (MAGIC ^ ref(user)) with its low 5 bits = shift.  MAGIC says
 *           live, freed (in the quarantine) or retired (freed with damaged
 *           guards: never reused); the reference ties the tag to its place,
 *           so a copy of a header elsewhere is not taken for one.
 *   size  = the bytes requested.
 *   shift = 4 (user = raw + 16) except for aligned_alloc with align > 16:
 *           user = raw + align, and the raw block starts with a pad record
 *           (MAGIC_PAD ^ ref(raw), align) followed by 0xFD up to the header.
 *
 * Every raw block in use holds one such block, so tp_heap_validate can check
 * them all.  Freed blocks wait in a FIFO quarantine in the control block
 * (TP_ALLOC_DEBUG_QUARANTINE) before their raw blocks are freed.
 *
 * Locking: tags change (live -> freed/retired), the quarantine and the
 * counters are updated under TP_ALLOC_LOCK, each for O(1) time; filling and
 * checking a block's bytes happens outside it (the block belongs to the
 * caller then), and the error hook is called without the lock.  Naming
 * what a bad pointer points into walks its region without the lock (O(region),
 * error path only): an interrupt allocating meanwhile can make it name the
 * wrong kind, never change the heap.
 */
#include <string.h>

#include "tp_alloc_internal.h"

#if !TP_ALLOC_DEBUG
typedef int tp_alloc_debug_not_built; /* ISO C: a file must declare something */
#else

#define DBG_HDR 8u                      /* tag, size */
#define DBG_GUARD 8u                    /* front guard */
#define DBG_FRONT (DBG_HDR + DBG_GUARD) /* user - raw, unless over-aligned */
#define DBG_SHIFT 4u                    /* log2(DBG_FRONT) */
#define DBG_BACK_MIN 4u                 /* smallest back guard */
#define DBG_OVERHEAD (DBG_FRONT + DBG_BACK_MIN)

#define FILL_FRESH 0xCDu
#define FILL_FREED 0xDDu
#define FILL_GUARD 0xFDu

#define MAGIC_LIVE 0xA110CA7Eu
#define MAGIC_FREED 0xF4EED0DDu
#define MAGIC_RETIRED 0xDEAD6A2Du
#define MAGIC_PAD 0xFDA1167Du
#define SHIFT_MASK 0x1Fu

#define NO_SIZE SIZE_MAX /* free without a size to compare */

enum { ST_NONE, ST_LIVE, ST_FREED, ST_RETIRED };

#define HDR_TAG(u) WORD((u) - DBG_FRONT)
#define HDR_SIZE(u) WORD((u) - DBG_FRONT + 4u)

typedef struct {
    uintptr_t user;
    uintptr_t raw;       /* the release block's payload */
    uint32_t raw_usable; /* its usable bytes */
    uint32_t size;       /* bytes requested */
    unsigned shift;      /* user - raw == 1 << shift */
    int size_known;      /* size is read from an intact header */
    uintptr_t where;     /* what to report: the pointer, or the damaged byte */
} dblk_t;

/* ---- tags ---- */

static uint32_t make_tag(uint32_t magic, ref_t uref, unsigned shift) {
    return ((magic ^ uref) & ~SHIFT_MASK) | shift;
}

static int tag_state(uint32_t tag, ref_t uref, unsigned *shift) {
    unsigned s = tag & SHIFT_MASK;
    *shift = s;
    if (s < DBG_SHIFT || s > TP_ALLOC_MAX_LOG2) return ST_NONE;
    if (tag == make_tag(MAGIC_LIVE, uref, s)) return ST_LIVE;
    if (tag == make_tag(MAGIC_FREED, uref, s)) return ST_FREED;
    if (tag == make_tag(MAGIC_RETIRED, uref, s)) return ST_RETIRED;
    return ST_NONE;
}

/* log2(user - raw) of the block in the raw block at payload p. */
static unsigned front_shift(const tp_heap_t *h, uintptr_t p, uint32_t usable) {
    uint32_t front = WORD(p + 4);
    if (usable > 2u * DBG_FRONT && WORD(p) == (MAGIC_PAD ^ addr_ref(h, p)) && front > DBG_FRONT &&
        (front & (front - 1u)) == 0 && front <= usable - DBG_BACK_MIN)
        return ffs32(front);
    return DBG_SHIFT;
}

static int request_class(uint32_t size) { return size == 0 ? 0 : (int)size_class_of(size); }

/* ---- the release allocator's blocks ---- */

/* Usable bytes of the release block in use whose payload is p, or 0 if no
 * such block starts at p.  O(1): the checks free() makes. */
static uint32_t raw_used_block(const tp_heap_t *h, const tp_region_info_t *r, uintptr_t p) {
    if (p < r->start + BLOCK_HDR || p >= r->end || (p & 7u)) return 0;
    uint8_t kind = page_kind(r, p);
    if (kind == PM_FREE_POOL) return 0;
    if (kind != 0) {
        uint32_t size = class_size(kind - 1u), off = (uint32_t)(p & POOL_MASK);
        if (off < POOL_HDR || off >= POOL(p & ~POOL_MASK)->carve || (off - POOL_HDR) % size != 0 ||
            (WORD(p) == FREE_MARK && pool_holds(h, p & ~POOL_MASK, kind - 1u, addr_ref(h, p))))
            return 0;
        return size;
    }
    uintptr_t b = p - BLOCK_HDR;
    uint32_t hdr = WORD(b), size = hdr & ~F_MASK;
    if ((hdr & (F_FREE | 4u)) || size < MIN_BLOCK || size > r->end - b ||
        (WORD(b + size) & F_PREV_FREE) || !next_header_ok(r, b + size, WORD(b + size)))
        return 0;
    return size - BLOCK_HDR;
}

/* Calls visit(ctx, payload, usable, in_use) for every block of region r in
 * address order: large blocks, and each carved block of a pool (an empty
 * pool is one free block).  Stops at the first non-zero return, and returns
 * it.  O(region). */
typedef int (*visit_t)(void *ctx, uintptr_t payload, uint32_t usable, int in_use);

static int walk_pool(const tp_heap_t *h, uintptr_t pg, unsigned c, visit_t visit, void *ctx) {
    uint32_t size = class_size(c), carve = POOL(pg)->carve, n = 0;
    uint8_t is_free[(POOL_END - POOL_HDR) / TP_ALLOC_GRAIN / 8u + 1u] = {0};
    if (carve > POOL_END) carve = POOL_END;
    /* the free list says which blocks are free (a block carved but not yet
     * handed out is on it too) */
    for (ref_t fr = POOL(pg)->freeblock; fr != 0 && n++ < pool_capacity(c);) {
        uintptr_t b = ref_addr(h, fr);
        if (b < pg + POOL_HDR || b >= pg + carve || (b - pg - POOL_HDR) % size != 0) break;
        uint32_t i = (uint32_t)(b - pg - POOL_HDR) / size;
        is_free[i / 8u] = (uint8_t)(is_free[i / 8u] | 1u << (i % 8u));
        if (WORD(b) != FREE_MARK) break;
        fr = pool_link_read(b);
    }
    for (uint32_t off = POOL_HDR, i = 0; off + size <= carve; off += size, i++) {
        int rc = visit(ctx, pg + off, size, ((unsigned)is_free[i / 8u] >> (i % 8u) & 1u) == 0);
        if (rc != 0) return rc;
    }
    return 0;
}

static int walk_region(const tp_heap_t *h, const tp_region_info_t *r, visit_t visit, void *ctx) {
    uintptr_t b = r->start;
    while (b < r->end) {
        uint32_t size = block_size(b);
        if (size < 8u || size > r->end - b) return 0; /* damaged: validate says so */
        uintptr_t p = b + BLOCK_HDR;
        uint8_t kind = (p & POOL_MASK) == 0 ? page_kind(r, p) : 0;
        int in_use = !(WORD(b) & F_FREE) && kind != PM_FREE_POOL, rc = 0;
        if (in_use && kind != 0)
            rc = walk_pool(h, p, kind - 1u, visit, ctx);
        else if (size >= MIN_BLOCK) /* fences and slivers are no blocks */
            rc = visit(ctx, p, size - BLOCK_HDR, in_use);
        if (rc != 0) return rc;
        b += size;
    }
    return 0;
}

/* ---- checking a block's bytes ---- */

/* Lowest address in [lo, hi) whose byte is not v; 0 if none.  Compares a
 * word at a time where it can: this is most of the debug build's cost. */
static uintptr_t first_not(uintptr_t lo, uintptr_t hi, unsigned v) {
    uint32_t all = v * 0x01010101u, w;
    for (; lo < hi && (lo & 3u) != 0; lo++)
        if (*(const uint8_t *)lo != v) return lo;
    for (; hi - lo >= 4u; lo += 4u) {
        memcpy(&w, (const void *)lo, 4);
        if (w != all) break;
    }
    for (; lo < hi; lo++)
        if (*(const uint8_t *)lo != v) return lo;
    return 0;
}

/* Highest address in [lo, hi) whose byte is not v; 0 if none. */
static uintptr_t last_not(uintptr_t lo, uintptr_t hi, unsigned v) {
    while (hi > lo)
        if (*(const uint8_t *)--hi != v) return hi;
    return 0;
}

typedef struct {
    uintptr_t under; /* damaged byte before the block nearest to it, or 0 */
    uintptr_t fill;  /* first byte of a freed block that is not 0xDD, or 0 */
    uintptr_t over;  /* first damaged byte after the block, or 0 */
} damage_t;

/* A freed block waiting in the quarantine: 0xDD, but for FREE_MARK in its
 * first word (the one an object's count overlays: a decref of a freed object
 * then reads a count of 0 and is reported, writing nothing). */
static void freed_fill(void *ptr, size_t size) {
    memset(ptr, FILL_FREED, size);
    if (size >= 4u) WORD(ptr) = FREE_MARK;
}

/* Finds damage to the bytes the debug build wrote around a block (and in it,
 * for a freed block).  Returns non-zero if any. */
static int find_damage(const tp_heap_t *h, const dblk_t *b, int freed, damage_t *d) {
    uintptr_t end = b->user + b->size;
    d->fill = 0;
    if (freed) {
        /* the freed fill, but for the mark in the first word (freed_fill) */
        static const uint32_t mark = FREE_MARK;
        const uint8_t *m = (const uint8_t *)&mark;
        for (uint32_t i = 0; b->size >= 4u && i < 4u && d->fill == 0; i++)
            if (*(const uint8_t *)(b->user + i) != m[i]) d->fill = b->user + i;
        if (d->fill == 0)
            d->fill = first_not(b->user + (b->size >= 4u ? 4u : 0u), end, FILL_FREED);
    }
    d->under = last_not(b->user - DBG_GUARD, b->user, FILL_GUARD);
    if (d->under == 0 && b->shift > DBG_SHIFT) {
        d->under = last_not(b->raw + 8u, b->user - DBG_FRONT, FILL_GUARD);
        if (d->under == 0 && (WORD(b->raw) != (MAGIC_PAD ^ addr_ref(h, b->raw)) ||
                              WORD(b->raw + 4) != (1u << b->shift)))
            d->under = b->raw;
    }
    d->over = first_not(end, b->raw + b->raw_usable, FILL_GUARD);
    return (d->fill | d->under | d->over) != 0;
}

/* The error that damage is (a write after free, for a freed block); points
 * b->where at the first damaged byte: in the block, else before, else after. */
static tp_alloc_err_t damage_error(dblk_t *b, const damage_t *d, int freed) {
    b->where = d->fill != 0 ? d->fill : d->under != 0 ? d->under : d->over;
    if (freed) return TP_ALLOC_ERR_WRITE_AFTER_FREE;
    return d->under != 0 ? TP_ALLOC_ERR_UNDERRUN : TP_ALLOC_ERR_OVERRUN;
}

/* The size in b's header fits its raw block (else the header is damaged). */
static int size_fits(const dblk_t *b) {
    uint32_t front = 1u << b->shift;
    return b->raw_usable >= front + DBG_BACK_MIN && b->size <= b->raw_usable - front - DBG_BACK_MIN;
}

/* ---- reporting ---- */

static void report(tp_heap_t *h, tp_alloc_err_t kind, const dblk_t *b, const void *caller,
                   const char *detail) {
    int known = b->size_known;
    int cls = known && b->size <= TP_ALLOC_SMALL_MAX ? request_class(b->size) : -1;
    tp_alloc_report(h, kind, (const void *)b->where, known ? b->size : 0, cls, caller, detail);
}

/* ---- finding a block from a pointer ---- */

typedef struct {
    uintptr_t addr;
    uintptr_t payload;
    uint32_t usable;
    int in_use;
} find_t;

static int find_visit(void *ctx, uintptr_t payload, uint32_t usable, int in_use) {
    find_t *f = ctx;
    if (f->addr - payload >= usable) return 0;
    f->payload = payload;
    f->usable = usable;
    f->in_use = in_use;
    return 1;
}

/* Why u (in region r) is not the pointer of a live block: what contains it.
 * O(region): only for pointers that are wrong. */
static tp_alloc_err_t diagnose(const tp_heap_t *h, const tp_region_info_t *r, dblk_t *b) {
    find_t f = {b->user, 0, 0, 0};
    if (!walk_region(h, r, find_visit, &f)) return TP_ALLOC_ERR_FOREIGN; /* pool header, fence */
    if (!f.in_use) return TP_ALLOC_ERR_DOUBLE_FREE; /* memory already given back */
    unsigned shift = front_shift(h, f.payload, f.usable), s;
    uintptr_t owner = f.payload + (1u << shift);
    if (tag_state(HDR_TAG(owner), addr_ref(h, owner), &s) != ST_NONE) {
        b->size = HDR_SIZE(owner);
        b->size_known = 1;
    }
    if (owner != b->user) return TP_ALLOC_ERR_INTERIOR;
    /* the block's own header is damaged: an underrun reached it */
    b->where = last_not(owner - DBG_GUARD, owner, FILL_GUARD);
    if (b->where == 0) b->where = owner - DBG_FRONT;
    return TP_ALLOC_ERR_UNDERRUN;
}

/* The live block whose user pointer is u.  Returns TP_ALLOC_OK with *b
 * filled in, or the error to report about u (b->where, and b->size when
 * known).  O(1) for a valid pointer; with `explain`, a wrong one is
 * diagnosed in O(region), otherwise reported as foreign. */
static tp_alloc_err_t lookup(const tp_heap_t *h, uintptr_t u, dblk_t *b, int explain) {
    memset(b, 0, sizeof *b);
    b->user = b->where = u;
    const tp_region_info_t *r = region_of(h, u);
    if (r == NULL) return TP_ALLOC_ERR_FOREIGN;
    if (u & 7u) return TP_ALLOC_ERR_MISALIGNED;
    int st = ST_NONE;
    if (u >= r->start + BLOCK_HDR + DBG_FRONT) st = tag_state(HDR_TAG(u), addr_ref(h, u), &b->shift);
    if (st == ST_NONE) return explain ? diagnose(h, r, b) : TP_ALLOC_ERR_FOREIGN;
    b->size = HDR_SIZE(u);
    b->size_known = 1;
    if (st != ST_LIVE) return TP_ALLOC_ERR_DOUBLE_FREE;
    b->raw = u - ((uintptr_t)1 << b->shift);
    b->raw_usable = raw_used_block(h, r, b->raw);
    if (b->raw_usable == 0) {
        b->where = b->raw - BLOCK_HDR; /* an overrun of the block before reached this one */
        return TP_ALLOC_ERR_BAD_HEADER;
    }
    if (!size_fits(b)) {
        b->where = u - DBG_FRONT + 4u;
        b->size_known = 0;
        return TP_ALLOC_ERR_UNDERRUN; /* the size in the header is damaged */
    }
    return TP_ALLOC_OK;
}

/* ---- counters (lock held) ---- */

static void count_live(tp_alloc_debug_t *d, uint32_t size) {
    d->live_blocks++;
    d->live_bytes += size;
    if (size <= TP_ALLOC_SMALL_MAX) {
        int c = request_class(size);
        d->quantization[c] += class_size((unsigned)c) - size;
    }
}

static void count_gone(tp_alloc_debug_t *d, uint32_t size) {
    d->live_blocks--;
    d->live_bytes -= size;
    if (size <= TP_ALLOC_SMALL_MAX) {
        int c = request_class(size);
        d->quantization[c] -= class_size((unsigned)c) - size;
    }
}

/* ---- the quarantine ---- */

/* Takes the oldest entry; 0 if the quarantine is empty. */
static int quarantine_pop(tp_heap_t *h, ref_t *uref, unsigned *shift) {
    tp_alloc_debug_t *d = &h->dbg;
    int got = 0;
    TP_ALLOC_LOCK();
    if (d->q_count != 0) {
        *uref = d->quarantine[d->q_head];
        *shift = d->quarantine_shift[d->q_head];
        d->q_head = (uint16_t)(d->q_head + 1u == TP_DEBUG_QSLOTS ? 0u : d->q_head + 1u);
        d->q_count--;
        got = 1;
    }
    TP_ALLOC_UNLOCK();
    return got;
}

/* Puts a freed block in; when the quarantine was full, returns 1 and the
 * oldest entry, which the caller must release. */
static int quarantine_push(tp_heap_t *h, ref_t *uref, unsigned *shift) {
#if TP_ALLOC_DEBUG_QUARANTINE == 0
    (void)h;
    (void)uref;
    (void)shift;
    return 1; /* no quarantine: the block itself goes back at once */
#else
    tp_alloc_debug_t *d = &h->dbg;
    int evicted = 0;
    TP_ALLOC_LOCK_AT(QUARANTINE);
    unsigned tail = d->q_head + d->q_count;
    if (tail >= TP_DEBUG_QSLOTS) tail -= TP_DEBUG_QSLOTS;
    ref_t in_ref = *uref;
    uint8_t in_shift = (uint8_t)*shift;
    if (d->q_count == TP_DEBUG_QSLOTS) { /* full: tail == head */
        *uref = d->quarantine[tail];
        *shift = d->quarantine_shift[tail];
        d->q_head = (uint16_t)(tail + 1u == TP_DEBUG_QSLOTS ? 0u : tail + 1u);
        evicted = 1;
    } else {
        d->q_count++;
    }
    d->quarantine[tail] = in_ref;
    d->quarantine_shift[tail] = in_shift;
    TP_ALLOC_UNLOCK();
    return evicted;
#endif
}

static void retire(tp_heap_t *h, uintptr_t u, unsigned shift) {
    TP_ALLOC_LOCK();
    HDR_TAG(u) = make_tag(MAGIC_RETIRED, addr_ref(h, u), shift);
    h->dbg.retired_blocks++;
    TP_ALLOC_UNLOCK();
}

/* A block leaves the quarantine: checked for writes after free, then its
 * raw block is freed - unless the damage reached its guards or header
 * (then what lies beyond may be damaged too: it is retired). */
static void release(tp_heap_t *h, ref_t uref, unsigned shift, const void *caller) {
    dblk_t b = {0};
    b.user = ref_addr(h, uref);
    b.shift = shift;
    b.raw = b.user - ((uintptr_t)1 << shift);
    unsigned s;
    int keep = 1;
    damage_t d;
    b.where = b.user - DBG_FRONT; /* unless the header is intact */
    if (tag_state(HDR_TAG(b.user), uref, &s) == ST_FREED && s == shift) {
        b.size = HDR_SIZE(b.user);
        b.raw_usable = raw_used_block(h, region_of(h, b.user), b.raw);
        b.where += 4u;
        if (size_fits(&b)) {
            b.size_known = 1;
            if (!find_damage(h, &b, 1, &d)) {
                tp_core_free(h, (void *)b.raw);
                return;
            }
            keep = d.under != 0 || d.over != 0;
            (void)damage_error(&b, &d, 1);
        }
    }
    if (keep)
        retire(h, b.user, shift);
    else
        tp_core_free(h, (void *)b.raw);
    report(h, TP_ALLOC_ERR_WRITE_AFTER_FREE, &b, caller, "a freed block was written to");
}

/* The heap's out-of-memory hook: empty the quarantine and retry, then ask
 * the user's hook. */
static int debug_oom(tp_heap_t *h, size_t size, void *ctx) {
    (void)ctx;
    ref_t uref;
    unsigned shift;
    int drained = 0;
    while (quarantine_pop(h, &uref, &shift)) {
        release(h, uref, shift, NULL);
        drained = 1;
    }
    if (drained) return 1;
    return h->dbg.oom_hook != NULL && h->dbg.oom_hook(h, size, h->dbg.oom_ctx);
}

/* ---- allocation ---- */

void tp_heap_debug_fail_at(tp_heap_t *h, uint32_t n) {
    if (h != NULL) h->dbg.fail_countdown = n;
}

static void *debug_alloc(tp_heap_t *h, size_t size, size_t align) {
    if (h->dbg.fail_countdown != 0 && --h->dbg.fail_countdown == 0) {
        TP_ALLOC_LOCK();
        h->fail_count++;
        TP_ALLOC_UNLOCK();
        return NULL; /* injected */
    }
    size_t front = align > DBG_FRONT ? align : DBG_FRONT;
    size_t raw_size = size <= MAX_BLOCK && front <= MAX_BLOCK ? size + front + DBG_BACK_MIN : SIZE_MAX;
    void *raw = align > TP_ALLOC_GRAIN ? tp_core_aligned_alloc(h, front, raw_size)
                                       : tp_core_alloc(h, raw_size);
    if (raw == NULL) return NULL;
    uintptr_t p = (uintptr_t)raw, u = p + front, end = p + tp_core_usable_size(h, raw);
    unsigned shift = ffs32((uint32_t)front);
    if (front > DBG_FRONT) {
        WORD(p) = MAGIC_PAD ^ addr_ref(h, p);
        WORD(p + 4) = (uint32_t)front;
        memset((void *)(p + 8u), FILL_GUARD, front - DBG_FRONT - 8u);
    }
    HDR_TAG(u) = make_tag(MAGIC_LIVE, addr_ref(h, u), shift);
    HDR_SIZE(u) = (uint32_t)size;
    memset((void *)(u - DBG_GUARD), FILL_GUARD, DBG_GUARD);
    memset((void *)u, FILL_FRESH, size);
    memset((void *)(u + size), FILL_GUARD, end - u - size);
    TP_ALLOC_LOCK_AT(DEBUG_ALLOC);
    count_live(&h->dbg, (uint32_t)size);
    TP_ALLOC_UNLOCK();
    return (void *)u;
}

/* Checks a live block's guards; reports and returns non-zero if damaged. */
static int guards_damaged(tp_heap_t *h, dblk_t *b, const void *caller) {
    damage_t d;
    if (!find_damage(h, b, 0, &d)) return 0;
    tp_alloc_err_t err = damage_error(b, &d, 0);
    report(h, err, b, caller, tp_alloc_err_name(err));
    return 1;
}

/* Frees the block at ptr; `size` is NO_SIZE or what free_sized was told. */
static void debug_free(tp_heap_t *h, void *ptr, size_t size, const void *caller) {
    if (ptr == NULL) return;
    dblk_t b;
    tp_alloc_err_t err = lookup(h, (uintptr_t)ptr, &b, 1);
    if (err != TP_ALLOC_OK) {
        report(h, err, &b, caller, tp_alloc_err_name(err));
        return;
    }
    if (size != NO_SIZE && size != b.size) {
        report(h, TP_ALLOC_ERR_SIZE_MISMATCH, &b, caller, "free_sized with another size than allocated");
        return;
    }
    damage_t d;
    int damaged = find_damage(h, &b, 0, &d);
    uint32_t live = make_tag(MAGIC_LIVE, addr_ref(h, b.user), b.shift);
    int claimed;
    {
        TP_ALLOC_LOCK_AT(DEBUG_FREE);
        claimed = HDR_TAG(b.user) == live; /* not freed meanwhile by an interrupt */
        if (claimed) {
            HDR_TAG(b.user) = make_tag(damaged ? MAGIC_RETIRED : MAGIC_FREED, addr_ref(h, b.user), b.shift);
            count_gone(&h->dbg, b.size);
            if (damaged) h->dbg.retired_blocks++;
        }
        TP_ALLOC_UNLOCK();
    }
    if (!claimed) {
        report(h, TP_ALLOC_ERR_DOUBLE_FREE, &b, caller, tp_alloc_err_name(TP_ALLOC_ERR_DOUBLE_FREE));
    } else if (damaged) {
        report(h, damage_error(&b, &d, 0), &b, caller, "guard bytes damaged: the block is not reused");
    } else {
        freed_fill(ptr, b.size);
        ref_t uref = addr_ref(h, b.user);
        unsigned shift = b.shift;
        if (quarantine_push(h, &uref, &shift)) release(h, uref, shift, caller);
    }
}

/* The largest request: a raw block's, less the header and guards. */
size_t tp_heap_max_request(void) { return MAX_REQUEST - DBG_OVERHEAD; }

/* ---- the public entry points ---- */

tp_heap_t *tp_heap_init(void *mem, size_t size) {
    tp_heap_t *h = tp_core_init(mem, size);
    if (h != NULL) h->oom_hook = debug_oom;
    return h;
}

void tp_heap_set_oom_hook(tp_heap_t *h, tp_alloc_oom_hook_t hook, void *ctx) {
    TP_ALLOC_LOCK();
    h->dbg.oom_hook = hook;
    h->dbg.oom_ctx = ctx;
    TP_ALLOC_UNLOCK();
}

void *tp_heap_alloc(tp_heap_t *h, size_t size) { return debug_alloc(h, size, TP_ALLOC_GRAIN); }

void *tp_heap_calloc(tp_heap_t *h, size_t n, size_t size) {
    size_t bytes;
    void *p = NULL;
    if (!__builtin_mul_overflow(n, size, &bytes)) {
        p = debug_alloc(h, bytes, TP_ALLOC_GRAIN);
        if (p != NULL) memset(p, 0, bytes);
    } else { /* counted as a failed allocation, as in the release build */
        TP_ALLOC_LOCK();
        h->fail_count++;
        TP_ALLOC_UNLOCK();
    }
    return p;
}

void *tp_heap_aligned_alloc(tp_heap_t *h, size_t align, size_t size) {
    if (align == 0 || (align & (align - 1u)) != 0) return NULL;
    return debug_alloc(h, size, align);
}

void tp_heap_free(tp_heap_t *h, void *ptr) { debug_free(h, ptr, NO_SIZE, TP_CALL_SITE()); }

void tp_heap_free_sized(tp_heap_t *h, void *ptr, size_t size) {
    debug_free(h, ptr, size, TP_CALL_SITE());
}

size_t tp_heap_usable_size(tp_heap_t *h, const void *ptr) {
    dblk_t b;
    if (ptr == NULL || lookup(h, (uintptr_t)ptr, &b, 0) != TP_ALLOC_OK) return 0;
    return b.size;
}

/* Always moves the block (when the new one can be had): a stale pointer to
 * the old one then points into the quarantine, where a write shows. */
void *tp_heap_realloc(tp_heap_t *h, void *ptr, size_t size) {
    const void *caller = TP_CALL_SITE();
    if (ptr == NULL) return debug_alloc(h, size, TP_ALLOC_GRAIN);
    if (size == 0) {
        debug_free(h, ptr, NO_SIZE, caller);
        return NULL;
    }
    dblk_t b;
    tp_alloc_err_t err = lookup(h, (uintptr_t)ptr, &b, 1);
    if (err != TP_ALLOC_OK) {
        report(h, err, &b, caller, "realloc of a pointer that is not a live block");
        return NULL;
    }
    if (guards_damaged(h, &b, caller)) return NULL;
    void *q = debug_alloc(h, size, TP_ALLOC_GRAIN);
    if (q == NULL) return NULL;
    memcpy(q, ptr, b.size < size ? b.size : size);
    debug_free(h, ptr, NO_SIZE, caller);
    return q;
}

/* ---- per-type free lists: a cached block stays a live block of the heap,
 * filled 0xDD past the list's link, and is checked when it leaves ---- */

static void *uncache(tp_heap_t *h, void *p, const void *caller) {
    dblk_t b = {0};
    b.user = (uintptr_t)p;
    b.size = HDR_SIZE(b.user);
    b.size_known = 1;
    b.where = first_not(b.user + 8u, b.user + b.size, FILL_FREED); /* after the mark and link */
    if (b.where != 0)
        report(h, TP_ALLOC_ERR_WRITE_AFTER_FREE, &b, caller,
               "a block cached on a type's free list was written to");
    return p;
}

void *tp_freelist_alloc(tp_heap_t *h, tp_freelist_t *list) {
    void *p = list->head;
    if (p == NULL) return debug_alloc(h, list->block_size, TP_ALLOC_GRAIN);
    int ok;
    void *next = freelist_next(h, p, &ok);
    if (!ok) { /* changed while cached: the list is dropped (its blocks leak) */
        dblk_t b = {0};
        b.user = (uintptr_t)p;
        report(h, TP_ALLOC_ERR_WRITE_AFTER_FREE, &b, TP_CALL_SITE(),
               "a block cached on a type's free list was changed: the list dropped");
        list->head = NULL;
        list->count = 0;
        return debug_alloc(h, list->block_size, TP_ALLOC_GRAIN);
    }
    list->head = next;
    list->count--;
    if (list->hits != UINT16_MAX) list->hits++;
    uncache(h, p, TP_CALL_SITE());
    memset(p, FILL_FRESH, HDR_SIZE((uintptr_t)p));
    return p;
}

void tp_freelist_free(tp_heap_t *h, tp_freelist_t *list, void *ptr) {
    const void *caller = TP_CALL_SITE();
    dblk_t b;
    if (ptr == NULL) return;
    if (list->count >= list->cap || lookup(h, (uintptr_t)ptr, &b, 0) != TP_ALLOC_OK ||
        b.size < 8u) {
        debug_free(h, ptr, NO_SIZE, caller); /* reports what is wrong, if anything */
        return;
    }
    if (guards_damaged(h, &b, caller)) return;
    if (freelist_holds(h, list, ptr)) {
        report(h, TP_ALLOC_ERR_DOUBLE_FREE, &b, caller,
               "freed twice to a type's free list (already cached): ignored");
        return;
    }
    memset(ptr, FILL_FREED, b.size);
    freelist_push(h, list, ptr);
}

void tp_freelist_drain(tp_heap_t *h, tp_freelist_t *list) {
    const void *caller = TP_CALL_SITE();
    while (list->head != NULL) {
        void *p = list->head;
        int ok;
        list->head = freelist_next(h, p, &ok);
        if (!ok) { /* the rest cannot be followed: kept allocated */
            dblk_t b = {0};
            b.user = (uintptr_t)p;
            report(h, TP_ALLOC_ERR_WRITE_AFTER_FREE, &b, caller,
                   "a block cached on a type's free list was changed: the list dropped");
            break;
        }
        debug_free(h, uncache(h, p, caller), NO_SIZE, caller);
    }
    list->count = 0;
}

/* ---- statistics and validation (called by tp_alloc_diag.c) ---- */

/* What the user sees: the bytes requested, blocks not yet freed; a freed
 * block counts as freed while it waits in the quarantine. */
void tp_alloc_debug_stats(const tp_heap_t *h, tp_heap_stats_t *out) {
    const tp_alloc_debug_t *d = &h->dbg;
    out->used_bytes = d->live_bytes;
    out->used_blocks = d->live_blocks;
    out->free_count = out->free_count + d->q_count + d->retired_blocks;
    out->largest_free = out->largest_free > DBG_OVERHEAD ? out->largest_free - DBG_OVERHEAD : 0;
}

typedef struct {
    tp_heap_t *h;
    uint32_t live, freed, retired;
    size_t live_bytes;
    uint32_t quantization[TP_ALLOC_NCLASSES];
} census_t;

/* Checks the block in one raw block in use (validate's walk). */
static int census_visit(void *ctx, uintptr_t payload, uint32_t usable, int in_use) {
    census_t *c = ctx;
    tp_heap_t *h = c->h;
    if (!in_use) return 0;
    dblk_t b = {0};
    b.raw = payload;
    b.raw_usable = usable;
    b.shift = front_shift(h, payload, usable);
    b.user = payload + (1u << b.shift);
    b.where = b.user - DBG_FRONT;
    unsigned s;
    int st = tag_state(HDR_TAG(b.user), addr_ref(h, b.user), &s);
    if (st == ST_RETIRED && s == b.shift) {
        c->retired++;
        return 0;
    }
    tp_alloc_err_t err = TP_ALLOC_ERR_UNDERRUN; /* the header is damaged ... */
    damage_t d;
    if (st != ST_NONE && s == b.shift) {
        b.size = HDR_SIZE(b.user);
        b.where += 4u;
        if (size_fits(&b)) { /* ... unless it is intact */
            b.size_known = 1;
            err = find_damage(h, &b, st == ST_FREED, &d) ? damage_error(&b, &d, st == ST_FREED)
                                                         : TP_ALLOC_OK;
        }
    }
    if (err != TP_ALLOC_OK) {
        report(h, err, &b, NULL,
               b.size_known ? tp_alloc_err_name(err) : "a block's debug header is damaged");
        return -1;
    }
    if (st == ST_FREED) {
        c->freed++;
        return 0;
    }
    c->live++;
    c->live_bytes += b.size;
    if (b.size <= TP_ALLOC_SMALL_MAX) {
        int k = request_class(b.size);
        c->quantization[k] += class_size((unsigned)k) - b.size;
    }
    return 0;
}

int tp_alloc_debug_validate(tp_heap_t *h) {
    census_t c;
    memset(&c, 0, sizeof c);
    c.h = h;
    for (uint32_t i = 0; i < h->nregions; i++)
        if (walk_region(h, &h->regions[i], census_visit, &c) != 0) return -1;
    const tp_alloc_debug_t *d = &h->dbg;
    int bad = c.live != d->live_blocks || c.live_bytes != d->live_bytes || c.freed != d->q_count ||
              c.retired != d->retired_blocks ||
              memcmp(c.quantization, d->quantization, sizeof c.quantization) != 0;
    unsigned k = d->q_head;
    for (unsigned i = 0; i < d->q_count && !bad; i++) {
        unsigned s;
        ref_t uref = d->quarantine[k];
        uintptr_t u = ref_addr(h, uref);
        const tp_region_info_t *r = region_of(h, u);
        bad = r == NULL || u < r->start + BLOCK_HDR + DBG_FRONT ||
              tag_state(HDR_TAG(u), uref, &s) != ST_FREED || s != d->quarantine_shift[k];
        k = k + 1u == TP_DEBUG_QSLOTS ? 0u : k + 1u;
    }
    if (bad) {
        tp_alloc_report(h, TP_ALLOC_ERR_CORRUPT, NULL, 0, -1, NULL,
                        "the debug build's counters or quarantine disagree with the blocks");
        return -1;
    }
    return 0;
}

#endif /* TP_ALLOC_DEBUG */
