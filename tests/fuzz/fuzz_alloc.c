// SPDX-License-Identifier: MIT
/*
 * fuzz_alloc.c - libFuzzer target for the allocator (the files of alloc/ but
 * libc_malloc.c), built twice by tests/fuzz/fuzz.mk: the release build and
 * the debug build (TP_ALLOC_DEBUG=1), both under ASan and UBSan.
 *
 * The input is a program.  Its first bytes choose the heap: size (256 B to
 * 48 KiB, in a buffer of exactly that size, so ASan sees any access outside
 * it), misalignment of its start, a second region, an out-of-memory hook.
 * Then each operation is one byte (op % OP_COUNT) followed by its operands:
 * malloc, free, realloc, calloc, aligned_alloc, free_sized, usable_size,
 * the per-type free list, and bad calls - foreign, misaligned, double free
 * in both builds; interior pointers, overruns, underruns, writes after free
 * and free_sized with a wrong size in the debug build.
 *
 * A shadow table keeps every live block with its fill byte, checked before
 * the block is freed or reallocated.  After every operation:
 * tp_heap_validate() must return 0; the error hook must have been called
 * exactly as the operation expects (a bad call: once, with that kind, that
 * pointer, and a caller inside bad_free(); otherwise never), and a bad call
 * must not have changed the heap's memory; the statistics must count the
 * live blocks (the debug build: also their bytes and quantization).  Any
 * failure aborts, which libFuzzer reports as a crash with the input.
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/asan_interface.h>

#include "tests/alloc_error_log.h"
#include "tp_alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "fuzz_alloc:%d: ", __LINE__);                                              \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        abort();                                                                                   \
    } while (0)
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) FAIL("check failed: %s", #cond);                                              \
    } while (0)

/* FUZZ_ALLOC_TRACE=1 in the environment prints each operation (to read a crash). */
static int tracing;
#define TRACE(...)                                                                                 \
    do {                                                                                           \
        if (tracing) fprintf(stderr, __VA_ARGS__);                                                 \
    } while (0)

/* ---- the input, read as a program ---- */
static const uint8_t *in_p;
static size_t in_n;
static unsigned byte(void) {
    if (in_n == 0) return 0;
    in_n--;
    return *in_p++;
}
static unsigned word(void) {
    unsigned lo = byte();
    return lo | byte() << 8;
}

static size_t pick_size(void) {
    unsigned b = byte();
    if (b < 150) return b % 48u; /* the classes and the debug build's pool limit */
    if (b < 250) return word() % 2048u;
    return (size_t)word() * 4u; /* up to 256 KiB: often more than the heap */
}

/* ---- the heap and its shadow ---- */
static tp_heap_t *heap;
static uint8_t *mem, *mem2, *outside; /* outside: in the gap after region 1 */
static size_t mem_size, mem2_size;

#define MAX_LIVE 256
typedef struct {
    uint8_t *p;
    size_t size;
    uint8_t fill;
} block_t;
static block_t live[MAX_LIVE];
static unsigned nlive;
static size_t live_bytes;

#define FL_SIZE 24u
static tp_freelist_t flist;

static uint8_t *just_freed; /* freed by the operation just before, or NULL */

static int bytes_are(const uint8_t *p, size_t n, unsigned v) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != v) return 0;
    return 1;
}

static void check_contents(const block_t *b) {
    if (!bytes_are(b->p, b->size, b->fill)) FAIL("block %p (%zu bytes) damaged", (void *)b->p, b->size);
}

/* Takes a new block into the shadow (or frees it when the table is full). */
static void add_block(uint8_t *p, size_t size, size_t align, unsigned fresh_fill) {
    TRACE("  new block %p, %zu bytes (align %zu)\n", (void *)p, size, align);
    if (p == NULL) return;
    CHECK((uintptr_t)p % (align > 8u ? align : 8u) == 0);
    size_t usable = tp_heap_usable_size(heap, p);
    CHECK(TP_ALLOC_DEBUG ? usable == size : usable >= size);
    if (TP_ALLOC_DEBUG) CHECK(bytes_are(p, size, fresh_fill));
    if (nlive == MAX_LIVE) {
        tp_heap_free(heap, p);
        return;
    }
    block_t *b = &live[nlive++];
    b->p = p;
    b->size = size;
    b->fill = (uint8_t)byte();
    memset(p, b->fill, size);
    live_bytes += size;
}

static block_t take_block(unsigned i) {
    block_t b = live[i];
    live[i] = live[--nlive];
    live_bytes -= b.size;
    return b;
}

/* The debug build fills freed blocks 0xDD (they wait in the quarantine),
 * but for the free mark in the first word. */
static void check_freed(const block_t *b) {
    size_t from = b->size >= 4u ? 4u : 0u;
    if (TP_ALLOC_DEBUG && TP_ALLOC_DEBUG_QUARANTINE > 0 &&
        !bytes_are(b->p + from, b->size - from, 0xDDu))
        FAIL("freed block %p not filled 0xDD", (void *)b->p);
}

/* ---- what the error hook (record_error) should see ---- */
static volatile unsigned after_call;
__attribute__((noinline)) static void bad_free(void *p) {
    tp_heap_free(heap, p);
    after_call++; /* no tail call: the caller reported is in here */
}
__attribute__((noinline)) static void bad_free_sized(void *p, size_t n) {
    tp_heap_free_sized(heap, p, n);
    after_call++;
}

static int reported_from(uintptr_t fn) {
    return (uintptr_t)last.caller > fn && (uintptr_t)last.caller - fn < 512u;
}

/* Exactly one error since `before`, of kind `kind` (or, with `alt`, one of
 * kind and alt), about `where`, reported from bad_free or bad_free_sized. */
static void expect_error(unsigned before, tp_alloc_err_t kind, tp_alloc_err_t alt, const void *where) {
    if (errors_seen != before + 1u) FAIL("%u errors reported, expected 1 (%s)", errors_seen - before, tp_alloc_err_name(kind));
    if (last.kind != kind && last.kind != alt)
        FAIL("reported %s, expected %s", tp_alloc_err_name(last.kind), tp_alloc_err_name(kind));
    if (where != NULL && last.ptr != where) FAIL("reported %p, expected %p", last.ptr, where);
    CHECK(reported_from((uintptr_t)bad_free) || reported_from((uintptr_t)bad_free_sized));
}

/* A bad call must leave the heap's memory as it was, but for the error
 * count and the last error in the control block. */
static uint8_t *snap, *snap2;
static void snapshot(void) {
    memcpy(snap, mem, mem_size);
    if (mem2 != NULL) memcpy(snap2, mem2, mem2_size);
}
static void check_unchanged(void) {
    unsigned differ = 0;
    for (size_t i = 0; i < mem_size; i++)
        if (mem[i] != snap[i] && (i >= 1024u || ++differ > 8u)) FAIL("a bad call changed the heap at +%zu", i);
    if (mem2 != NULL && memcmp(mem2, snap2, mem2_size) != 0) FAIL("a bad call changed region 2");
}

/* ---- out-of-memory hook: frees the newest live block ---- */
static int free_one(tp_heap_t *h, size_t size, void *ctx) {
    (void)size;
    (void)ctx;
    if (nlive == 0) return 0;
    block_t b = take_block(nlive - 1u);
    check_contents(&b);
    tp_heap_free(h, b.p);
    return 1;
}

/* ---- operations ---- */
enum { OP_ALLOC, OP_FREE, OP_REALLOC, OP_CALLOC, OP_ALIGNED, OP_FREE_SIZED, OP_USABLE,
       OP_LIST_ALLOC, OP_LIST_FREE, OP_BAD, OP_COUNT };

static void op_free(unsigned i, int sized) {
    block_t b = take_block(i);
    TRACE("  free %p, %zu bytes\n", (void *)b.p, b.size);
    check_contents(&b);
    if (sized)
        tp_heap_free_sized(heap, b.p, b.size);
    else
        tp_heap_free(heap, b.p);
    check_freed(&b);
    just_freed = b.p;
}

/* The block leaves the shadow while realloc runs: the out-of-memory hook
 * (free_one) must not free it. */
static void op_realloc(unsigned i) {
    size_t size = pick_size();
    block_t b = take_block(i);
    check_contents(&b);
    uint8_t *q = tp_heap_realloc(heap, b.p, size);
    if (size == 0) {
        CHECK(q == NULL);
        return;
    }
    if (q == NULL) {
        check_contents(&b); /* a failed realloc leaves the block alone */
        q = b.p;
        size = b.size;
    } else {
        size_t keep = b.size < size ? b.size : size;
        CHECK(bytes_are(q, keep, b.fill));
        if (TP_ALLOC_DEBUG) CHECK(bytes_are(q + keep, size - keep, 0xCDu));
        CHECK(TP_ALLOC_DEBUG ? tp_heap_usable_size(heap, q) == size : tp_heap_usable_size(heap, q) >= size);
        memset(q, b.fill, size);
    }
    live[nlive++] = (block_t){q, size, b.fill}; /* there is room: it was taken out */
    live_bytes += size;
}

/* Bad calls: each is reported once and changes nothing (an overrun or
 * underrun is reported and the block is gone: it was freed). */
static void op_bad(void) {
    unsigned kind = byte() % 8u, before = errors_seen;
    block_t *b = nlive != 0 ? &live[byte() % nlive] : NULL;
    TRACE("  bad call %u, block %p (%zu bytes), just freed %p\n", kind, b != NULL ? (void *)b->p : NULL,
          b != NULL ? b->size : 0u, (void *)just_freed);
    snapshot();
    switch (kind) {
    case 0: /* not in the heap (at a fixed place from it: a stack address
             * would make runs differ with the stack's) */
        bad_free(outside);
        expect_error(before, TP_ALLOC_ERR_FOREIGN, TP_ALLOC_ERR_FOREIGN, outside);
        break;
    case 1: /* inside the block's memory: the release build's blocks have 8 bytes or
             * more; the debug build's 4 guard bytes or more after, 8 before */
        if (b == NULL) return;
        {
            unsigned k = 1u + byte() % 7u;
            uint8_t *p = TP_ALLOC_DEBUG && k >= b->size + 4u ? b->p - k : b->p + k;
            bad_free(p);
            expect_error(before, TP_ALLOC_ERR_MISALIGNED, TP_ALLOC_ERR_MISALIGNED, p);
        }
        break;
    case 2: /* free again what the operation before freed */
        if (just_freed == NULL) return;
        bad_free(just_freed);
        expect_error(before, TP_ALLOC_ERR_DOUBLE_FREE,
                     TP_ALLOC_DEBUG ? TP_ALLOC_ERR_DOUBLE_FREE : TP_ALLOC_ERR_BAD_HEADER, just_freed);
        break;
#if TP_ALLOC_DEBUG
    case 3: /* inside a block, or into its front guard */
        if (b == NULL) return;
        {
            uint8_t *p = b->size > 8u ? b->p + 8u * (1u + byte() % ((b->size - 1u) / 8u)) : b->p - 8;
            bad_free(p);
            expect_error(before, TP_ALLOC_ERR_INTERIOR, TP_ALLOC_ERR_INTERIOR, p);
        }
        break;
    case 4: /* free_sized with another size */
        if (b == NULL) return;
        bad_free_sized(b->p, b->size + 1u + byte() % 100u);
        expect_error(before, TP_ALLOC_ERR_SIZE_MISMATCH, TP_ALLOC_ERR_SIZE_MISMATCH, b->p);
        break;
    case 5:   /* overrun */
    case 6: { /* underrun */
        if (b == NULL) return;
        block_t gone = take_block((unsigned)(b - live));
        uint8_t *at = kind == 5 ? gone.p + gone.size + byte() % 4u : gone.p - 1 - byte() % 8u;
        *at = (uint8_t)(0xFDu ^ (1u + byte() % 255u));
        bad_free(gone.p);
        expect_error(before, kind == 5 ? TP_ALLOC_ERR_OVERRUN : TP_ALLOC_ERR_UNDERRUN,
                     TP_ALLOC_OK, at);
        errors_seen = before;
        return; /* the heap changed: the block is retired */
    }
    case 7: /* write after free, seen by validate while quarantined */
        if (b == NULL || b->size == 0 || TP_ALLOC_DEBUG_QUARANTINE == 0) return;
        {
            block_t gone = take_block((unsigned)(b - live));
            tp_heap_free(heap, gone.p);
            uint8_t *at = gone.p + byte() % gone.size;
            uint8_t was = *at; /* 0xDD, or a byte of the free mark */
            *at = (uint8_t)(was ^ (1u + byte() % 255u));
            CHECK(tp_heap_validate(heap) == -1);
            CHECK(errors_seen == before + 1u && last.kind == TP_ALLOC_ERR_WRITE_AFTER_FREE && last.ptr == at);
            *at = was;
            errors_seen = before;
            just_freed = gone.p;
        }
        return;
#endif
    default:
        return;
    }
    check_unchanged();
    errors_seen = before;
}

static void check_heap(void) {
    TRACE("  live %u, %zu bytes, %u cached\n", nlive, live_bytes, (unsigned)flist.count);
    if (tp_heap_validate(heap) != 0)
        FAIL("tp_heap_validate failed: %s at %p: %s", tp_alloc_err_name(last.kind), last.ptr,
             last.detail != NULL ? last.detail : "");
    if (errors_seen != 0) FAIL("unexpected error %s at %p", tp_alloc_err_name(last.kind), last.ptr);
    tp_heap_stats_t st;
    tp_heap_stats(heap, &st);
    size_t cached_bytes = (size_t)flist.count * FL_SIZE;
    if (st.used_blocks != nlive + flist.count) FAIL("used_blocks %zu, live %u", st.used_blocks, nlive + flist.count);
    CHECK(st.used_bytes >= live_bytes + cached_bytes);
#if TP_ALLOC_DEBUG
    CHECK(st.used_bytes == live_bytes + cached_bytes);
    uint32_t want[TP_ALLOC_NCLASSES] = {0};
    for (unsigned i = 0; i < nlive; i++)
        if (live[i].size <= TP_ALLOC_SMALL_MAX) {
            unsigned c = live[i].size == 0 ? 0u : (unsigned)(live[i].size - 1u) / 8u;
            want[c] += (c + 1u) * 8u - (uint32_t)live[i].size;
        }
    for (unsigned c = 0; c < TP_ALLOC_NCLASSES; c++) {
        tp_class_stats_t cs;
        tp_heap_class_stats(heap, c, &cs);
        if (cs.quantization != want[c]) FAIL("class %u: quantization %u, expected %u", c, cs.quantization, want[c]);
    }
#endif
}

static void run(void) {
    while (in_n > 0) {
        unsigned op = byte() % OP_COUNT;
        TRACE("op %u (%zu bytes left)\n", op, in_n);
        uint8_t *freed_before = just_freed;
        just_freed = NULL;
        switch (op) {
        case OP_ALLOC: {
            size_t size = pick_size();
            add_block(tp_heap_alloc(heap, size), size, 8, 0xCDu);
            break;
        }
        case OP_FREE:
        case OP_FREE_SIZED:
            if (nlive != 0) op_free(byte() % nlive, op == OP_FREE_SIZED);
            break;
        case OP_REALLOC:
            if (nlive != 0 && byte() % 8u != 0) {
                op_realloc(byte() % nlive);
            } else {
                size_t size = pick_size();
                add_block(tp_heap_realloc(heap, NULL, size), size, 8, 0xCDu);
            }
            break;
        case OP_CALLOC: {
            unsigned n = byte();
            size_t size = pick_size();
            if (n == 255) { /* n * size overflows */
                CHECK(tp_heap_calloc(heap, SIZE_MAX / 2u + 1u, size | 2u) == NULL);
                break;
            }
            add_block(tp_heap_calloc(heap, n % 16u, size), (n % 16u) * size, 8, 0);
            break;
        }
        case OP_ALIGNED: {
            unsigned a = byte();
            size_t align = (size_t)1u << (a % 14u), size = pick_size();
            if (a & 0x80u) { /* not a power of two */
                CHECK(tp_heap_aligned_alloc(heap, align * 3u, size) == NULL);
                break;
            }
            add_block(tp_heap_aligned_alloc(heap, align, size), size, align, 0xCDu);
            break;
        }
        case OP_USABLE:
            if (nlive != 0) {
                const block_t *b = &live[byte() % nlive];
                size_t u = tp_heap_usable_size(heap, b->p);
                CHECK(TP_ALLOC_DEBUG ? u == b->size : u >= b->size);
            }
            CHECK(tp_heap_usable_size(heap, NULL) == 0);
            break;
        case OP_LIST_ALLOC:
            add_block(tp_freelist_alloc(heap, &flist), FL_SIZE, 8, 0xCDu);
            break;
        case OP_LIST_FREE:
            for (unsigned k = 0, i = byte(); k < nlive; k++)
                if (live[(i + k) % nlive].size == FL_SIZE) {
                    block_t b = take_block((i + k) % nlive);
                    check_contents(&b);
                    tp_freelist_free(heap, &flist, b.p);
                    break;
                }
            break;
        case OP_BAD:
            just_freed = freed_before;
            op_bad();
            break;
        default:
            break;
        }
        check_heap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    in_p = data;
    in_n = size;
    tracing = getenv("FUZZ_ALLOC_TRACE") != NULL;
    mem_size = 256u + word() % (48u * 1024u);
    unsigned flags = byte();
    size_t offset = flags & 7u;
    mem2_size = flags & 8u ? 64u + word() % (16u * 1024u) : 0;
    /* one page-aligned buffer (the layout, hence a run, does not depend on
     * where it lands; region 2 lies above region 1, as the host build
     * requires), ASan-poisoned between the regions and after region 1 */
    size_t gap_at = (mem_size + 4095u) & ~(size_t)4095u, span = gap_at + 4096u + mem2_size;
    void *buf = NULL;
    CHECK(posix_memalign(&buf, 4096, span) == 0);
    mem = buf;
    memset(mem, 0x5A, span); /* not zero, and not what an earlier input left */
    mem2 = mem2_size != 0 ? mem + gap_at + 4096u : NULL;
    outside = mem + gap_at + 8u * (flags & 0xF0u);
    ASAN_POISON_MEMORY_REGION(mem + mem_size, gap_at + 4096u - mem_size);
    snap = malloc(mem_size);
    snap2 = malloc(mem2_size + 1u);
    CHECK(snap != NULL && snap2 != NULL);
    heap = tp_heap_init(mem + offset, mem_size - offset);
    if (heap != NULL) {
        if (mem2 != NULL) (void)tp_heap_add_region(heap, mem2, mem2_size);
        tp_heap_set_error_hook(heap, record_error, NULL);
        if (flags & 16u) tp_heap_set_oom_hook(heap, free_one, NULL);
        tp_freelist_init(&flist, FL_SIZE, (uint16_t)(flags >> 5));
        nlive = 0;
        live_bytes = 0;
        forget_errors();
        just_freed = NULL;
        check_heap();
        run();
        while (nlive > 0) op_free(nlive - 1u, 0);
        tp_freelist_drain(heap, &flist);
        check_heap();
        tp_heap_stats_t st;
        tp_heap_stats(heap, &st);
        CHECK(st.used_blocks == 0 && st.used_bytes == 0);
    }
    ASAN_UNPOISON_MEMORY_REGION(buf, span);
    free(buf);
    free(snap);
    free(snap2);
    return 0;
}
