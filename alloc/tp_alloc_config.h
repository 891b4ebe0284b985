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
 * bigger than that is added as several blocks.  Sets the number of
 * first-level lists, hence the control block size. */
#ifndef TP_ALLOC_MAX_LOG2
#define TP_ALLOC_MAX_LOG2 18
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

/* Debug build (planned, not written yet): fill fresh memory 0xCD and freed
 * memory 0xDD, surround each block with 0xFD guard bytes and check them;
 * detect interior pointers and writes after free.  Setting it is an error
 * until it exists, so nobody believes they have those checks. */
#ifndef TP_ALLOC_DEBUG
#define TP_ALLOC_DEBUG 0
#endif
#if TP_ALLOC_DEBUG
#error "TP_ALLOC_DEBUG is not implemented yet"
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

#endif /* TP_ALLOC_CONFIG_H */
