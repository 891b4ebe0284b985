// SPDX-License-Identifier: MIT
/*
 * tp_track.h - allocation tracking: which code holds the heap's memory.
 * The tracemalloc idea for a microcontroller.  Compiled in with
 * TP_ALLOC_TRACK=1 (alloc/tp_alloc_config.h: cost, limits); off by default.
 *
 * A heap is tracked once a tracker is attached to it: from then on every
 * block it hands out is recorded with
 *   - its call site: the return address of the code that called the
 *     allocator (malloc, tp_heap_alloc, tp_gc_new, ... pass their caller's
 *     on: see TP_HEAP_ALLOC_AT in tp_alloc.h);
 *   - its allocation sequence number (1, 2, 3, ... per tracker);
 *   - the size requested.
 * Blocks live before the tracker was attached are not known to it.  The
 * C library's heap (malloc) gets a tracker of TP_TRACK_SLOTS slots at boot.
 *
 *   snapshot    the live blocks grouped by call site (blocks, bytes), the
 *               biggest first - optionally only the blocks allocated after a
 *               given sequence number;
 *   diff        two snapshots: the sites whose blocks or bytes changed;
 *   leak report what is still live of what was allocated after a point.
 *
 * Reports print addresses ("site 0x080012ab"); prof/host/tpsym.py turns them
 * into function (file:line) with the ELF (binutils' addr2line).
 *
 * The table: open addressing with linear probing, keyed by block address,
 * 16 bytes per slot, in memory the caller provides (outside the heap, so the
 * heap's own layout and figures are those of an untracked run).  Inserts
 * and deletes run under the allocator's lock, O(1) expected (the table is
 * kept at most 7/8 full: a block beyond that is not recorded, and counted in
 * `dropped`).  Snapshots walk the whole table without the lock (O(slots)):
 * take them from thread context; an interrupt handler allocating meanwhile
 * may be missed or seen twice.
 */
#ifndef TP_TRACK_H
#define TP_TRACK_H

#include <stddef.h>
#include <stdint.h>

#include "tp_alloc.h"

typedef struct {
    uintptr_t ptr;  /* the block, 0 for an empty slot */
    uintptr_t site; /* return address of the allocating code */
    uint32_t seq;   /* allocation sequence number */
    uint32_t size;  /* bytes requested */
} tp_track_entry_t;

typedef struct tp_track {
    tp_track_entry_t *slots;
    uint32_t nslots;       /* a power of two */
    uint32_t shift;        /* 32 - log2(nslots): the hash keeps the top bits */
    uint32_t live;         /* blocks recorded and not freed */
    uint32_t seq;          /* sequence number of the last allocation */
    uint32_t dropped;      /* allocations not recorded: table full */
    uint32_t unknown_frees;/* frees of blocks the table did not hold (allocated
                              before attaching, or dropped) */
    size_t live_bytes;     /* bytes requested by the live recorded blocks */
    size_t peak_bytes;     /* high-water mark of live_bytes */
} tp_track_t;

/* Attaches `t`, with `nslots` slots (a power of two >= 8) at `slots`, to
 * heap: from now on heap's allocations are recorded.  Replaces a tracker
 * already attached (which then forgets everything).  Returns 0, or -1 for a
 * NULL argument or a bad slot count. */
int tp_track_attach(tp_heap_t *heap, tp_track_t *t, tp_track_entry_t *slots, size_t nslots);
/* Stops tracking heap (its tracker keeps what it had). */
void tp_track_detach(tp_heap_t *heap);
/* The tracker attached to heap, or NULL. */
tp_track_t *tp_track_of(const tp_heap_t *heap);
/* The sequence number of the last allocation on heap (0 if untracked): a
 * point to take "what was allocated since" from. */
uint32_t tp_track_seq(const tp_heap_t *heap);
/* The record of a live block (a copy in *out); 0, or -1 if not recorded. */
int tp_track_lookup(const tp_heap_t *heap, const void *ptr, tp_track_entry_t *out);
/* The C library's heap's tracker (attached at boot), or NULL. */
tp_track_t *tp_track_default(void);

/* ---- snapshots ---- */

typedef struct {
    uintptr_t site;
    uint32_t blocks;
    uint32_t bytes;     /* requested */
    uint32_t first_seq; /* oldest of its live blocks */
} tp_track_site_t;

typedef struct {
    tp_track_site_t *sites; /* storage the caller gives (tp_track_snapshot_init) */
    uint32_t capacity;
    uint32_t count;         /* sites, sorted by bytes (then blocks), biggest first */
    uint32_t seq;           /* the tracker's sequence number when taken */
    uint32_t since;         /* only blocks with a sequence number > since */
    uint32_t blocks, bytes; /* all the blocks counted, the "other" ones included */
    uint32_t other_blocks;  /* blocks whose site found no room in `sites` */
    uint32_t other_bytes;
    uint32_t dropped;       /* the tracker's dropped count when taken */
} tp_track_snapshot_t;

void tp_track_snapshot_init(tp_track_snapshot_t *s, tp_track_site_t *storage, size_t capacity);
/* Fills s with heap's live blocks allocated after sequence number `since`
 * (0: all), grouped by site.  Returns 0, or -1 if heap is not tracked.
 * O(slots x sites). */
int tp_track_snapshot(const tp_heap_t *heap, tp_track_snapshot_t *s, uint32_t since);

typedef struct {
    uintptr_t site;
    int32_t blocks_diff, bytes_diff; /* after - before */
    uint32_t blocks, bytes;          /* after */
} tp_track_diff_t;

/* The sites whose blocks or bytes differ between two snapshots, biggest
 * byte change first (then the site address); up to max of them in out.
 * Returns how many sites differ (may exceed max).  Sites lumped into
 * "other" in either snapshot are not compared (see other_blocks). */
size_t tp_track_diff(const tp_track_snapshot_t *before, const tp_track_snapshot_t *after,
                     tp_track_diff_t *out, size_t max);

/* ---- reports (printf-like `print`; one line per site, "site 0x..." for
 * prof/host/tpsym.py to name) ---- */

/* The `top` biggest sites of a snapshot (0: all). */
void tp_track_print_top(const tp_track_snapshot_t *s, size_t top, tp_print_fn print);
/* The difference before -> after, up to `top` sites (0: all). */
void tp_track_print_diff(const tp_track_snapshot_t *before, const tp_track_snapshot_t *after,
                         size_t top, tp_print_fn print);
/* The blocks still live of those allocated on heap after `since`, by site.
 * Groups up to TP_TRACK_REPORT_SITES sites (the rest lumped as "other").
 * Returns the number of such blocks. */
size_t tp_track_leak_report(const tp_heap_t *heap, uint32_t since, tp_print_fn print);
#define TP_TRACK_REPORT_SITES 16

#endif /* TP_TRACK_H */
