// SPDX-License-Identifier: MIT
/*
 * tp_alloc_config.h - compile-time settings of the allocator, with their
 * invariants.  A board overrides them in its board.mk (ALLOC_FLAGS); the
 * defaults suit 64-256 KiB of RAM.  docs/alloc.md has the measurements
 * behind each default.
 */
#ifndef TP_ALLOC_CONFIG_H
#define TP_ALLOC_CONFIG_H

/* Alignment of every block and the step between size classes.  Fixed: C
 * requires _Alignof(max_align_t) == 8 on Arm EABI, and the large-block
 * header trick (4-byte header, payload 8-aligned) depends on it. */
#define TP_ALLOC_GRAIN 8u

/* log2 of the pool size.  A pool is one aligned page holding blocks of one
 * class.  Invariants: 8 <= shift <= 15 (offsets in a pool fit 16 bits) and the
 * pool holds at least 2 blocks of the largest class:
 * TP_ALLOC_POOL_SIZE - 20 >= 2 * TP_ALLOC_SMALL_MAX. */
#ifndef TP_ALLOC_POOL_SHIFT
#define TP_ALLOC_POOL_SHIFT 9
#endif
#define TP_ALLOC_POOL_SIZE (1u << TP_ALLOC_POOL_SHIFT)

/* Requests up to this many bytes are served from pools; larger ones from the
 * large-block allocator.  A multiple of TP_ALLOC_GRAIN, at most 512. */
#ifndef TP_ALLOC_SMALL_MAX
#define TP_ALLOC_SMALL_MAX 32u
#endif
#define TP_ALLOC_NCLASSES (TP_ALLOC_SMALL_MAX / TP_ALLOC_GRAIN)

/* Empty pools kept for reuse by any class before pools are handed back to
 * the large-block allocator.  0 returns every empty pool at once.  Kept
 * pools are handed back, all of them, before an allocation fails (so they
 * never make one fail): a bounded cost, at most this many pools. */
#ifndef TP_ALLOC_KEEP_FREE_POOLS
#define TP_ALLOC_KEEP_FREE_POOLS 2u
#endif

/* Second-level bits of the segregated-fit index: 2^bits lists per power of
 * two.  More lists: a closer fit, a bigger control block (4 bytes per list). */
#ifndef TP_ALLOC_SL_BITS
#define TP_ALLOC_SL_BITS 3
#endif

/* log2 of the largest block the large-block allocator manages; a region
 * bigger than that is added as several blocks, and no request can be bigger
 * than one (tp_heap_max_request).  Sets the number of first-level lists,
 * hence the control block size (36 bytes per step).  At most 28.  A board
 * whose biggest heap region is larger sets it in its board.mk, so that a
 * region can be handed out whole. */
#ifndef TP_ALLOC_MAX_LOG2
#define TP_ALLOC_MAX_LOG2 18
#endif
#if TP_ALLOC_MAX_LOG2 > 28
#error "TP_ALLOC_MAX_LOG2 is at most 28 (256 MiB blocks)"
#endif

/* List entries examined in the request's own size list before taking the
 * head of a bigger one: a better fit at a bounded cost. */
#ifndef TP_ALLOC_FIT_SCAN
#define TP_ALLOC_FIT_SCAN 4
#endif

/* Large requests below this many bytes are cut from the high end of the free
 * block they split, bigger ones from the low end: sizes sort themselves to
 * the two ends, which measurably lowers fragmentation (docs/alloc.md). */
#ifndef TP_ALLOC_SPLIT_HIGH_BELOW
#define TP_ALLOC_SPLIT_HIGH_BELOW 512u
#endif

/* Heap regions per heap (main SRAM, CCM, PSRAM). */
#ifndef TP_ALLOC_MAX_REGIONS
#define TP_ALLOC_MAX_REGIONS 3
#endif

/* Debug build: 0 (release) or 1.  The debug build is a layer over the
 * release allocator (alloc/tp_alloc_debug.c; docs/alloc.md, "The debug
 * build"): every block gets an 8-byte header (a tag that says live / freed
 * and where the release block starts, and the size requested) and 0xFD guard
 * bytes on both sides; fresh memory is filled 0xCD, freed memory 0xDD; freed
 * blocks wait in a quarantine (below) before they are reused.  It reports
 * through the error hook, with the caller's return address: double free, free
 * of a pointer that is foreign, misaligned or inside a block (interior),
 * overruns and underruns (the first damaged guard byte), writes after free,
 * and tp_heap_free_sized with another size than the one allocated.  A bad
 * free changes nothing in the heap; a block whose guards are damaged is
 * reported and never reused.  tp_class_stats_t.quantization is filled.
 *
 * Cost per block: 16 bytes in front of it (header + 8 guard bytes) and at
 * least 4 guard bytes after it, so a request of n bytes takes a release block
 * of n + 20 bytes (n + align + 4 for aligned_alloc with align > 16): requests
 * up to 12 bytes still come from pools, the others from the large level.
 * A 16-byte malloc costs 40 bytes of heap (17.4 in the release build).
 * Time: an allocation writes all its bytes (fill and guards); a free checks
 * the guards, writes the fill and checks the fill of the block leaving the
 * quarantine: O(n) instead of O(1).  make bench's traces, Cortex-M4, mean
 * instructions per call: malloc 370-500 (release 85-200), free 1000-1570
 * (release 105-185); realloc always moves.  The control block grows by
 * 5 bytes per quarantine slot plus 24 + 4 per size class (120 bytes with
 * the defaults).  Set it for the whole allocator - every file of alloc/ -
 * and for the code that includes tp_alloc.h (the tests build their own
 * copies: tests/host/host.mk, the Makefile's test_*_debug images). */
#ifndef TP_ALLOC_DEBUG
#define TP_ALLOC_DEBUG 0
#endif

/* Debug build: freed blocks held back, filled 0xDD, before the release
 * allocator may hand their memory out again; a block leaving the quarantine
 * (first in, first out) is checked for writes after free, and so is every
 * quarantined block in tp_heap_validate.  A longer quarantine catches writes
 * through older stale pointers but keeps that many blocks' memory out of use
 * (an allocation that would fail drains it first).  Invariant: 0..1024; 0
 * gives every freed block back at once (writes after free then go unseen). */
#ifndef TP_ALLOC_DEBUG_QUARANTINE
#define TP_ALLOC_DEBUG_QUARANTINE 16
#endif

/* Allocation tracking: 0 (off) or 1.  A layer over the allocator
 * (alloc/tp_track.c, the API in alloc/tp_track.h; docs/observability.md)
 * records, for every block of a heap that has a tracker attached, the call
 * site (the return address of the allocator's caller, or of the caller of
 * malloc / tp_gc_new, which pass theirs on), an allocation sequence number
 * and the size requested, in a hash table outside the heap.  Snapshots group
 * the live blocks by call site; two snapshots give what grew and what leaked.
 * The heap itself is unchanged: same blocks, same figures.
 * Cost: 16 bytes of table per live block (TP_TRACK_SLOTS slots for the C
 * library's heap, attached at boot; other heaps bring their own table), and
 * per allocation or free one hash-table insert or delete under the
 * allocator's lock (measured in docs/observability.md).  When the table is
 * 7/8 full, further blocks go unrecorded and are counted as dropped.
 * Exclusive with TP_ALLOC_DEBUG. */
#ifndef TP_ALLOC_TRACK
#define TP_ALLOC_TRACK 0
#endif

/* Tracking build: slots of the C library's heap's table (a power of two;
 * 16 bytes each, in .bss). */
#ifndef TP_TRACK_SLOTS
#define TP_TRACK_SLOTS 256
#endif

#if TP_ALLOC_POOL_SHIFT < 8 || TP_ALLOC_POOL_SHIFT > 15
#error "TP_ALLOC_POOL_SHIFT must be 8..15"
#endif
#if TP_ALLOC_SMALL_MAX % 8 != 0 || TP_ALLOC_SMALL_MAX > 512 || TP_ALLOC_SMALL_MAX < 8
#error "TP_ALLOC_SMALL_MAX must be a multiple of 8 in 8..512"
#endif
#if (1 << TP_ALLOC_POOL_SHIFT) - 20 < 2 * TP_ALLOC_SMALL_MAX
#error "a pool must hold at least two blocks of the largest class"
#endif
#if TP_ALLOC_SL_BITS < 2 || TP_ALLOC_SL_BITS > 5
#error "TP_ALLOC_SL_BITS must be 2..5"
#endif
#if TP_ALLOC_MAX_LOG2 < 10 || TP_ALLOC_MAX_LOG2 > 30
#error "TP_ALLOC_MAX_LOG2 must be 10..30"
#endif
#if TP_ALLOC_DEBUG != 0 && TP_ALLOC_DEBUG != 1
#error "TP_ALLOC_DEBUG must be 0 or 1"
#endif
#if TP_ALLOC_TRACK != 0 && TP_ALLOC_TRACK != 1
#error "TP_ALLOC_TRACK must be 0 or 1"
#endif
#if TP_ALLOC_TRACK && TP_ALLOC_DEBUG
#error "TP_ALLOC_TRACK and TP_ALLOC_DEBUG are separate builds: choose one"
#endif
#if TP_TRACK_SLOTS < 8 || (TP_TRACK_SLOTS & (TP_TRACK_SLOTS - 1)) != 0
#error "TP_TRACK_SLOTS must be a power of two, at least 8"
#endif
#if TP_ALLOC_DEBUG_QUARANTINE < 0 || TP_ALLOC_DEBUG_QUARANTINE > 1024
#error "TP_ALLOC_DEBUG_QUARANTINE must be 0..1024"
#endif

#endif /* TP_ALLOC_CONFIG_H */
