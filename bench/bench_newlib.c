// SPDX-License-Identifier: MIT
/*
 * bench_newlib.c - the baseline: newlib-nano's malloc exactly as Debian
 * compiled it (libc_nano.a: lib_a-nano-mallocr.o, lib_a-nano-freer.o and
 * the lock they call, lib_a-mlock.o), every global renamed with objcopy by
 * bench/bench.mk so it cannot clash with anything else in the image:
 *
 *   _malloc_r -> nl_malloc_r            _free_r -> nl_free_r
 *   _sbrk_r -> nl_sbrk_r                (provided here: bounded sbrk over the heap)
 *   __malloc_free_list -> nl_malloc_free_list
 *   __malloc_sbrk_start -> nl_malloc_sbrk_start
 *   __malloc_lock -> nl_malloc_lock     __malloc_unlock -> nl_malloc_unlock
 *
 * Debian's lock functions are empty (`bx lr`).  In a tidepool image the
 * kernel replaces them with a recursive critical section (kernel/syscalls.c);
 * what that adds to every malloc and free is measured and printed apart.
 */
#include <errno.h>
#include <reent.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/bench.h"
#include "console.h"

/* The renamed newlib-nano symbols. */
void *nl_malloc_r(struct _reent *r, size_t size);
void nl_free_r(struct _reent *r, void *ptr);
extern void *nl_malloc_free_list;  /* chunk *: the address-ordered free list */
extern void *nl_malloc_sbrk_start; /* char *: the first sbrk result */

/* What the renamed code imports (the lock comes renamed from libc_nano.a). */
void *nl_sbrk_r(struct _reent *r, ptrdiff_t incr);

/* The kernel's lock for newlib's malloc, if the kernel still has one. */
void __malloc_lock(struct _reent *r) __attribute__((weak));
void __malloc_unlock(struct _reent *r) __attribute__((weak));

static uint8_t *brk_cur, *brk_end, *brk_max;

/* sbrk bounded by the benchmark's heap size: the heap size is all newlib
 * gets, its chunk headers included. */
void *nl_sbrk_r(struct _reent *r, ptrdiff_t incr) {
    uint8_t *old = brk_cur;
    if ((incr > 0 && incr > brk_end - brk_cur) || (incr < 0 && -incr > brk_cur - bench_heap)) {
        r->_errno = ENOMEM;
        return (void *)-1;
    }
    brk_cur += incr;
    if (brk_cur > brk_max) brk_max = brk_cur;
    return old;
}

static int nl_init(size_t size, uintptr_t *ctx) {
    if (bench_heap + size > bench_buf + BENCH_BUF_SIZE) return -1;
    brk_cur = bench_heap;
    brk_end = bench_heap + size;
    brk_max = bench_heap;
    nl_malloc_free_list = NULL;
    nl_malloc_sbrk_start = NULL;
    *ctx = (uintptr_t)_REENT;
    return 0;
}

/* The break only moves up and down by what newlib asks: its high-water mark
 * is the heap this run needed. */
static size_t nl_high_water(void) { return (size_t)(brk_max - bench_heap); }

/* Free space: what sbrk can still give plus the chunks on the free list.
 * A nano-mallocr chunk starts with its size (long), then (when free) the
 * next pointer. */
typedef struct nl_chunk {
    long size;
    struct nl_chunk *next;
} nl_chunk_t;

static size_t nl_free_space(void) {
    size_t n = (size_t)(brk_end - brk_cur);
    for (const nl_chunk_t *c = nl_malloc_free_list; c != NULL; c = c->next) n += (size_t)c->size;
    return n;
}

/* Debian's lock is empty; what the kernel's interrupt-safe one would add
 * to every malloc and free (each calls lock and unlock once), each timed
 * like an allocator call. */
static void nl_report(void) {
    uintptr_t ret, reent = (uintptr_t)_REENT;
    if (__malloc_lock == NULL || __malloc_unlock == NULL) {
        tp_printf("# newlib-nano: the kernel has no __malloc_lock/__malloc_unlock\n");
        return;
    }
    uint32_t e = bench_timed_call(bench_empty, 0, 0, &ret);
    uint32_t l = bench_timed_call((bench_fn_t)__malloc_lock, reent, 0, &ret) - e;
    uint32_t u = bench_timed_call((bench_fn_t)__malloc_unlock, reent, 0, &ret) - e;
    tp_printf("# newlib-nano: figures with Debian's empty lock; the kernel's interrupt-safe "
              "__malloc_lock/__malloc_unlock would add %u + %u = %u instructions to each\n",
              (unsigned)l, (unsigned)u, (unsigned)(l + u));
    tp_printf("BENCH newlib.kernel_lock_extra %u\n", (unsigned)(l + u));
}

const bench_alloc_t bench_allocator = {
    .name = "newlib-nano",
    .key = "newlib",
    .init = nl_init,
    .malloc_fn = (bench_fn_t)nl_malloc_r,
    .free_fn = (bench_fn_t)nl_free_r,
    .free_sized_fn = NULL,
    .free_space = nl_free_space,
    .errors = NULL,
    .high_water = nl_high_water,
    .pools = NULL,
    .after_run = NULL,
    .report = nl_report,
};
