// SPDX-License-Identifier: MIT
/*
 * bench.h - allocator benchmarks (make bench): what the trace driver
 * (bench_main.c) asks of an allocator back end (bench_tidepool.c,
 * bench_newlib.c).  docs/bench-method.md says how every figure is measured.
 */
#ifndef TP_BENCH_H
#define TP_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* ---- timed_call.S ---- */

/* Any function, called as fn(a0, a1); cast with (bench_fn_t). */
typedef void (*bench_fn_t)(void);

/* Calls fn(a0, a1, a2) with interrupts masked, stores its r0 in *ret and
 * returns the TIM2 counts (= guest instructions) between the reads around the
 * call. */
uint32_t bench_timed_call3(bench_fn_t fn, uintptr_t a0, uintptr_t a1, uintptr_t a2,
                           uintptr_t *ret);
/* The same for fn(a0, a1). */
static inline uint32_t bench_timed_call(bench_fn_t fn, uintptr_t a0, uintptr_t a1,
                                        uintptr_t *ret) {
    return bench_timed_call3(fn, a0, a1, 0, ret);
}
void bench_empty(void);  /* returns at once: the overhead reference */
void bench_nop100(void); /* 100 NOPs: the counter check */

/* ---- the heap buffer every heap of the benchmark lives in ---- */

/* Heaps are made at bench_buf with a chosen size <= BENCH_BUF_SIZE: the
 * nominal size of a trace, or the sizes the fragmentation search tries. */
#ifndef BENCH_BUF_SIZE
#define BENCH_BUF_SIZE (90u * 1024u)
#endif
/* bench_buf starts on this boundary (a pool page of tidepool, so the layout
 * does not change when unrelated code moves the buffer). */
#define BENCH_BUF_ALIGN 1024u
extern uint8_t bench_buf[BENCH_BUF_SIZE];
/* Where the next heap starts: bench_buf plus the placement's offset (a
 * multiple of 8 below BENCH_BUF_ALIGN; docs/bench-method.md, placements).
 * A heap of `size` bytes at bench_heap must fit in bench_buf. */
extern uint8_t *bench_heap;

/* ---- an allocator back end ---- */

typedef struct {
    const char *name; /* for people: "tidepool", "newlib-nano" */
    const char *key;  /* BENCH key prefix: "alloc", "newlib" */
    /* Discards any previous heap and makes a fresh one of exactly `size`
     * bytes (metadata included) at bench_heap.  Sets *ctx to the first
     * argument of malloc_fn/free_fn.  Returns 0, or -1 if the allocator
     * cannot make a heap that small. */
    int (*init)(size_t size, uintptr_t *ctx);
    bench_fn_t malloc_fn; /* void *malloc_fn(ctx, size_t size) */
    bench_fn_t free_fn;   /* void free_fn(ctx, void *ptr) */
    /* void free_sized_fn(ctx, void *ptr, size_t size), the size asked for
     * (may be NULL): a second timed run of each trace frees through it. */
    bench_fn_t free_sized_fn;
    /* Bytes the heap can still hand out, as the allocator accounts them
     * (docs/bench-method.md: bytes_for_16). */
    size_t (*free_space)(void);
    /* Errors the allocator itself reported since init (0 if it has no such
     * channel). */
    uint32_t (*errors)(void);
    /* Highest heap address used since init, as an offset from bench_heap
     * (may be NULL): lets the fragmentation search be checked. */
    size_t (*high_water)(void);
    /* Pools (pages of small blocks of one size) in use and kept empty, read
     * before and after each measured small malloc to tell which ones started a
     * pool (may be NULL: an allocator without pools). */
    void (*pools)(uint32_t *in_use, uint32_t *kept);
    /* Called after the timed run of each trace, heap still live: prints the
     * allocator's own view of it (may be NULL). */
    void (*after_run)(const char *trace);
    /* Prints anything else worth knowing about this back end (may be NULL). */
    void (*report)(void);
} bench_alloc_t;

extern const bench_alloc_t bench_allocator;

#endif /* TP_BENCH_H */
