// SPDX-License-Identifier: MIT
/*
 * tp_track.c - the allocation tracker (alloc/tp_track.h): in the tracking
 * build (TP_ALLOC_TRACK=1) a layer over the allocator's entry points
 * tp_core_* (alloc/tp_alloc_internal.h).  Each public entry point calls the
 * core one and records or forgets the block in the tracker attached to the
 * heap, if any.  Empty in other builds.
 */
#include <string.h>

#include "tp_alloc_internal.h"
#include "tp_track.h"

#if !TP_ALLOC_TRACK
typedef int tp_track_not_built; /* ISO C: a file must declare something */
#else

/* ---- the table ---- */

static uint32_t home_slot(const tp_track_t *t, uintptr_t ptr) {
    /* blocks are 8-aligned: drop the zero bits, then Fibonacci hashing */
    return (uint32_t)((uint32_t)(ptr >> 3) * 2654435761u) >> t->shift;
}

/* Slot holding ptr, or nslots. */
static uint32_t find_slot(const tp_track_t *t, uintptr_t ptr) {
    uint32_t mask = t->nslots - 1u;
    for (uint32_t i = home_slot(t, ptr), n = 0; n < t->nslots; i = (i + 1u) & mask, n++) {
        if (t->slots[i].ptr == ptr) return i;
        if (t->slots[i].ptr == 0) break;
    }
    return t->nslots;
}

/* Lock held. */
static void record(tp_track_t *t, void *p, size_t size, const void *site) {
    t->seq++;
    if (t->live >= t->nslots - t->nslots / 8u) { /* keep probes short */
        t->dropped++;
        return;
    }
    uint32_t mask = t->nslots - 1u, i = home_slot(t, (uintptr_t)p);
    while (t->slots[i].ptr != 0) i = (i + 1u) & mask;
    t->slots[i].ptr = (uintptr_t)p;
    t->slots[i].site = (uintptr_t)site;
    t->slots[i].seq = t->seq;
    t->slots[i].size = (uint32_t)size;
    t->live++;
    t->live_bytes += size;
    if (t->live_bytes > t->peak_bytes) t->peak_bytes = t->live_bytes;
}

/* Lock held.  Linear probing without tombstones: the entries after the hole
 * that could not have been placed at their home slot because of it move back
 * into it (so every lookup still finds its entry before an empty slot). */
static void forget(tp_track_t *t, const void *p) {
    uint32_t i = find_slot(t, (uintptr_t)p);
    if (i == t->nslots) {
        t->unknown_frees++;
        return;
    }
    t->live--;
    t->live_bytes -= t->slots[i].size;
    uint32_t mask = t->nslots - 1u;
    for (uint32_t j = (i + 1u) & mask; t->slots[j].ptr != 0; j = (j + 1u) & mask) {
        uint32_t k = home_slot(t, t->slots[j].ptr);
        /* the entry at j may move to the hole at i unless its home lies
         * cyclically in (i, j] */
        int home_between = i <= j ? (k > i && k <= j) : (k > i || k <= j);
        if (!home_between) {
            t->slots[i] = t->slots[j];
            i = j;
        }
    }
    t->slots[i].ptr = 0;
}

static void track_alloc(tp_heap_t *h, void *p, size_t size, const void *site) {
    if (p == NULL || h->track == NULL) return;
    TP_ALLOC_LOCK();
    if (h->track != NULL) record(h->track, p, size, site);
    TP_ALLOC_UNLOCK();
}

static void track_free(tp_heap_t *h, const void *p) {
    if (p == NULL || h == NULL || h->track == NULL) return;
    TP_ALLOC_LOCK();
    if (h->track != NULL) forget(h->track, p);
    TP_ALLOC_UNLOCK();
}

/* ---- the allocator's entry points ---- */

void *tp_heap_alloc_at(tp_heap_t *h, size_t size, const void *site) {
    void *p = tp_core_alloc(h, size);
    track_alloc(h, p, size, site);
    return p;
}

void *tp_heap_calloc_at(tp_heap_t *h, size_t n, size_t size, const void *site) {
    void *p = tp_core_calloc(h, n, size);
    track_alloc(h, p, n * size, site);
    return p;
}

void *tp_heap_realloc_at(tp_heap_t *h, void *ptr, size_t size, const void *site) {
    if (ptr == NULL) return tp_heap_alloc_at(h, size, site);
    if (size == 0) {
        track_free(h, ptr);
        tp_core_realloc(h, ptr, 0);
        return NULL;
    }
    void *p = tp_core_realloc(h, ptr, size);
    if (p != NULL) { /* a moved or resized block: a new record, as tracemalloc does */
        track_free(h, ptr);
        track_alloc(h, p, size, site);
    }
    return p;
}

void *tp_heap_aligned_alloc_at(tp_heap_t *h, size_t align, size_t size, const void *site) {
    void *p = tp_core_aligned_alloc(h, align, size);
    track_alloc(h, p, size, site);
    return p;
}

void *tp_freelist_alloc_at(tp_heap_t *h, tp_freelist_t *list, const void *site) {
    void *p = tp_core_freelist_alloc(h, list);
    track_alloc(h, p, list->block_size, site);
    return p;
}

void *tp_heap_alloc(tp_heap_t *h, size_t size) { return tp_heap_alloc_at(h, size, TP_CALL_SITE()); }
void *tp_heap_calloc(tp_heap_t *h, size_t n, size_t size) {
    return tp_heap_calloc_at(h, n, size, TP_CALL_SITE());
}
void *tp_heap_realloc(tp_heap_t *h, void *ptr, size_t size) {
    return tp_heap_realloc_at(h, ptr, size, TP_CALL_SITE());
}
void *tp_heap_aligned_alloc(tp_heap_t *h, size_t align, size_t size) {
    return tp_heap_aligned_alloc_at(h, align, size, TP_CALL_SITE());
}
void *tp_freelist_alloc(tp_heap_t *h, tp_freelist_t *list) {
    return tp_freelist_alloc_at(h, list, TP_CALL_SITE());
}

/* A block is forgotten before it is freed: once freed, an interrupt handler
 * may be handed the same address, and its record must not be the one
 * deleted.  A bad pointer is not in the table (unknown_frees counts it) and
 * the raw free reports it. */
void tp_heap_free(tp_heap_t *h, void *ptr) {
    track_free(h, ptr);
    tp_core_free(h, ptr);
}
void tp_heap_free_sized(tp_heap_t *h, void *ptr, size_t size) {
    track_free(h, ptr);
    tp_core_free_sized(h, ptr, size);
}
void tp_freelist_free(tp_heap_t *h, tp_freelist_t *list, void *ptr) {
    track_free(h, ptr); /* a block cached by its type is not live */
    tp_core_freelist_free(h, list, ptr);
}

/* ---- attaching ---- */

int tp_track_attach(tp_heap_t *h, tp_track_t *t, tp_track_entry_t *slots, size_t nslots) {
    if (h == NULL || t == NULL || slots == NULL || nslots < 8u || nslots > (1u << 24) ||
        (nslots & (nslots - 1u)) != 0)
        return -1;
    memset(slots, 0, nslots * sizeof *slots);
    memset(t, 0, sizeof *t);
    t->slots = slots;
    t->nslots = (uint32_t)nslots;
    t->shift = 32u - (uint32_t)__builtin_ctz((unsigned)nslots);
    TP_ALLOC_LOCK();
    h->track = t;
    TP_ALLOC_UNLOCK();
    return 0;
}

void tp_track_detach(tp_heap_t *h) {
    if (h == NULL) return;
    TP_ALLOC_LOCK();
    h->track = NULL;
    TP_ALLOC_UNLOCK();
}

tp_track_t *tp_track_of(const tp_heap_t *h) { return h != NULL ? h->track : NULL; }

uint32_t tp_track_seq(const tp_heap_t *h) {
    return h != NULL && h->track != NULL ? h->track->seq : 0;
}

int tp_track_lookup(const tp_heap_t *h, const void *ptr, tp_track_entry_t *out) {
    const tp_track_t *t = tp_track_of(h);
    if (t == NULL || ptr == NULL) return -1;
    int rc = -1;
    TP_ALLOC_LOCK();
    uint32_t i = find_slot(t, (uintptr_t)ptr);
    if (i != t->nslots) {
        *out = t->slots[i];
        rc = 0;
    }
    TP_ALLOC_UNLOCK();
    return rc;
}

/* ---- snapshots ---- */

void tp_track_snapshot_init(tp_track_snapshot_t *s, tp_track_site_t *storage, size_t capacity) {
    memset(s, 0, sizeof *s);
    s->sites = storage;
    s->capacity = (uint32_t)capacity;
}

static int site_before(const tp_track_site_t *a, const tp_track_site_t *b) {
    if (a->bytes != b->bytes) return a->bytes > b->bytes;
    if (a->blocks != b->blocks) return a->blocks > b->blocks;
    return a->site < b->site;
}

int tp_track_snapshot(const tp_heap_t *h, tp_track_snapshot_t *s, uint32_t since) {
    const tp_track_t *t = tp_track_of(h);
    if (t == NULL || s == NULL) return -1;
    s->count = 0;
    s->blocks = s->bytes = s->other_blocks = s->other_bytes = 0;
    s->since = since;
    s->seq = t->seq;
    s->dropped = t->dropped;
    for (uint32_t i = 0; i < t->nslots; i++) {
        tp_track_entry_t e = t->slots[i];
        if (e.ptr == 0 || e.seq <= since) continue;
        s->blocks++;
        s->bytes += e.size;
        uint32_t k = 0;
        while (k < s->count && s->sites[k].site != e.site) k++;
        if (k == s->count) {
            if (s->count == s->capacity) {
                s->other_blocks++;
                s->other_bytes += e.size;
                continue;
            }
            s->sites[k] = (tp_track_site_t){e.site, 0, 0, e.seq};
            s->count++;
        }
        s->sites[k].blocks++;
        s->sites[k].bytes += e.size;
        if (e.seq < s->sites[k].first_seq) s->sites[k].first_seq = e.seq;
    }
    /* insertion sort: a snapshot holds tens of sites */
    for (uint32_t i = 1; i < s->count; i++) {
        tp_track_site_t x = s->sites[i];
        uint32_t j = i;
        for (; j > 0 && site_before(&x, &s->sites[j - 1u]); j--) s->sites[j] = s->sites[j - 1u];
        s->sites[j] = x;
    }
    return 0;
}

static const tp_track_site_t *site_in(const tp_track_snapshot_t *s, uintptr_t site) {
    for (uint32_t i = 0; i < s->count; i++)
        if (s->sites[i].site == site) return &s->sites[i];
    return NULL;
}

static uint32_t magnitude(int32_t v) { return v < 0 ? (uint32_t)0 - (uint32_t)v : (uint32_t)v; }

static int diff_before(const tp_track_diff_t *a, const tp_track_diff_t *b) {
    if (magnitude(a->bytes_diff) != magnitude(b->bytes_diff))
        return magnitude(a->bytes_diff) > magnitude(b->bytes_diff);
    return a->site < b->site;
}

/* Adds d to out (sorted, at most max kept); n = entries so far. */
static void diff_insert(tp_track_diff_t *out, size_t max, size_t n, const tp_track_diff_t *d) {
    size_t j = n < max ? n : max;
    if (j == max && (max == 0 || !diff_before(d, &out[max - 1u]))) return;
    if (j == max) j--;
    for (; j > 0 && diff_before(d, &out[j - 1u]); j--) out[j] = out[j - 1u];
    out[j] = *d;
}

size_t tp_track_diff(const tp_track_snapshot_t *before, const tp_track_snapshot_t *after,
                     tp_track_diff_t *out, size_t max) {
    size_t n = 0;
    for (uint32_t i = 0; i < after->count; i++) {
        const tp_track_site_t *a = &after->sites[i], *b = site_in(before, a->site);
        tp_track_diff_t d = {a->site, (int32_t)a->blocks - (int32_t)(b ? b->blocks : 0u),
                             (int32_t)a->bytes - (int32_t)(b ? b->bytes : 0u), a->blocks, a->bytes};
        if (d.blocks_diff == 0 && d.bytes_diff == 0) continue;
        diff_insert(out, max, n++, &d);
    }
    for (uint32_t i = 0; i < before->count; i++) { /* sites that are gone */
        const tp_track_site_t *b = &before->sites[i];
        if (site_in(after, b->site) != NULL) continue;
        tp_track_diff_t d = {b->site, -(int32_t)b->blocks, -(int32_t)b->bytes, 0, 0};
        diff_insert(out, max, n++, &d);
    }
    return n;
}

/* ---- reports ---- */

void tp_track_print_top(const tp_track_snapshot_t *s, size_t top, tp_print_fn print) {
    size_t n = top == 0 || top > s->count ? s->count : top;
    print("TRACK snapshot #%lu: %lu blocks, %lu bytes in %lu sites (since #%lu)\n",
          (unsigned long)s->seq, (unsigned long)s->blocks, (unsigned long)s->bytes,
          (unsigned long)s->count, (unsigned long)s->since);
    for (size_t i = 0; i < n; i++)
        print("TRACK top %lu site 0x%08lx blocks %lu bytes %lu\n", (unsigned long)(i + 1u),
              (unsigned long)s->sites[i].site, (unsigned long)s->sites[i].blocks,
              (unsigned long)s->sites[i].bytes);
    if (s->other_blocks != 0)
        print("TRACK other sites: %lu blocks, %lu bytes (snapshot storage full)\n",
              (unsigned long)s->other_blocks, (unsigned long)s->other_bytes);
    if (s->dropped != 0)
        print("TRACK note: %lu allocations were not recorded (table full)\n",
              (unsigned long)s->dropped);
}

void tp_track_print_diff(const tp_track_snapshot_t *before, const tp_track_snapshot_t *after,
                         size_t top, tp_print_fn print) {
    tp_track_diff_t d[TP_TRACK_REPORT_SITES];
    size_t max = top == 0 || top > TP_TRACK_REPORT_SITES ? TP_TRACK_REPORT_SITES : top;
    size_t n = tp_track_diff(before, after, d, max);
    print("TRACK diff #%lu -> #%lu: %ld blocks, %ld bytes; %lu sites changed\n",
          (unsigned long)before->seq, (unsigned long)after->seq,
          (long)after->blocks - (long)before->blocks, (long)after->bytes - (long)before->bytes,
          (unsigned long)n);
    for (size_t i = 0; i < n && i < max; i++)
        print("TRACK diff site 0x%08lx blocks %+ld bytes %+ld (now %lu blocks, %lu bytes)\n",
              (unsigned long)d[i].site, (long)d[i].blocks_diff, (long)d[i].bytes_diff,
              (unsigned long)d[i].blocks, (unsigned long)d[i].bytes);
}

size_t tp_track_leak_report(const tp_heap_t *h, uint32_t since, tp_print_fn print) {
    tp_track_site_t sites[TP_TRACK_REPORT_SITES];
    tp_track_snapshot_t s;
    tp_track_snapshot_init(&s, sites, TP_TRACK_REPORT_SITES);
    if (tp_track_snapshot(h, &s, since) != 0) {
        print("TRACK leaks: heap not tracked\n");
        return 0;
    }
    print("TRACK leaks: %lu blocks, %lu bytes allocated after #%lu still live\n",
          (unsigned long)s.blocks, (unsigned long)s.bytes, (unsigned long)since);
    for (uint32_t i = 0; i < s.count; i++)
        print("TRACK leak site 0x%08lx blocks %lu bytes %lu first #%lu\n",
              (unsigned long)s.sites[i].site, (unsigned long)s.sites[i].blocks,
              (unsigned long)s.sites[i].bytes, (unsigned long)s.sites[i].first_seq);
    if (s.other_blocks != 0)
        print("TRACK leak other sites: %lu blocks, %lu bytes\n", (unsigned long)s.other_blocks,
              (unsigned long)s.other_bytes);
    return s.blocks;
}

#endif /* TP_ALLOC_TRACK */
