// SPDX-License-Identifier: MIT
/*
 * bench_main.c - the trace driver of `make bench` (docs/bench-method.md).
 *
 * The same source is linked once per allocator (bench_tidepool.c,
 * bench_newlib.c provide `bench_allocator`); each image runs on
 * netduinoplus2 under QEMU -icount shift=0 and prints a table and
 * `BENCH <key> <value>` lines.  Output uses tp_printf only: newlib's stdio
 * may call malloc.
 *
 * Per trace (T1-T3, and T4, T5 whose workload changes as they run):
 *   1. a dry run (no allocator) gives the trace's peak live bytes;
 *   2. a timed run at the nominal heap size: instructions per malloc and per
 *      free over the 20,000 measured operations, failed allocations, blocks
 *      filled with a tag after malloc and checked before free;
 *   3. the fragmentation search, at each of NPLACES heap start addresses:
 *      the smallest heap size, in 256-byte steps from the peak live bytes
 *      rounded up to 256, that runs the whole trace (warm-up included)
 *      without a failed allocation; the worst placement's is reported;
 *   4. the larger heaps: from the smallest completing size upwards, every
 *      size of the next LARGER_STEPS steps must complete too (at a few
 *      placements); each that does not is counted.
 * The timed run also fills a histogram of instructions per malloc and per
 * free, printed after it as `HIST <a>.<T>.malloc|free <instructions> <calls>`
 * lines (bench/plots/plot_alloc_hist.py draws them).
 */
#include <stdint.h>
#include <string.h>

#include "alloc/tp_alloc_config.h"
#include "bench/bench.h"
#include "bench/tim2.h"
#include "console.h"
#include "cortexm.h"
#include "fmt.h"

/* ---- the heap buffer ---- */
__attribute__((aligned(BENCH_BUF_ALIGN))) uint8_t bench_buf[BENCH_BUF_SIZE];

/* ---- traces ---- */
#define SEED 2463534242u
#define WARMUP_STEPS 5000u
#define MEASURED_OPS 20000u
/* A ramp that cannot reach the target (every malloc failing) is cut here. */
#define RAMP_MAX_MALLOCS 100000u

typedef struct {
    const char *name;
    uint32_t target; /* live bytes the trace keeps */
    uint32_t heap;   /* nominal heap size */
} trace_t;

static const trace_t traces[] = {
    {"T1", 24u * 1024u, 48u * 1024u},
    {"T2", 24u * 1024u, 48u * 1024u},
    {"T3", 32u * 1024u, 64u * 1024u},
    {"T4", 24u * 1024u, 64u * 1024u}, /* phase change */
    {"T5", 16u * 1024u, 48u * 1024u}, /* Robson-style: small blocks, then growing sizes */
};
enum { T4 = 3, T5 = 4 };

/* Heap start addresses: bench_buf plus each of these offsets (multiples of
 * 8 spread over 1 KiB, distinct modulo tidepool's 512-byte pool page: pools
 * start on page boundaries, so where the heap starts in a page changes its
 * layout). */
#define NPLACES 16u
static const uint16_t place_offset[NPLACES] = {0,   328, 656, 984, 288, 616, 944, 248,
                                               576, 904, 208, 536, 864, 168, 496, 824};
_Static_assert(BENCH_BUF_ALIGN == 1024u, "the offsets spread over the buffer's 1 KiB alignment");
uint8_t *bench_heap = bench_buf;
static void set_place(unsigned k) { bench_heap = bench_buf + place_offset[k]; }
/* sizes above the smallest completing one that must complete too */
#define LARGER_STEPS 16u
static const uint8_t larger_places[] = {0, 5, 10, 15};
#define NTRACES (sizeof traces / sizeof traces[0])
/* The traces run: bit t for traces[t] (BENCH_DEFS=-DBENCH_TRACES=0x18 runs
 * T4 and T5 only, for a quicker look). */
#ifndef BENCH_TRACES
#define BENCH_TRACES 0x1Fu
#endif

/* Live blocks: at most target / smallest size + 1 (T1: 24576 / 8 + 1). */
#define MAXLIVE 3100u

/* A live block is kept as its offset in bench_buf in 8-byte units (blocks are
 * 8-aligned and inside the buffer, or not recorded): 16 bits instead of a
 * pointer's 32 leave RAM for the histograms. */
#define LIVE_UNIT 8u
_Static_assert(BENCH_BUF_SIZE / LIVE_UNIT <= UINT16_MAX + 1u, "a block's offset fits in 16 bits");

static uint32_t prng;
static uint32_t next(void) {
    uint32_t x = prng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    prng = x;
    return x;
}

static uint32_t t2_size(uint32_t r) { /* r = x % 100 */
    if (r < 30u) return 16u;
    if (r < 50u) return 24u;
    if (r < 70u) return 32u;
    if (r < 80u) return 48u;
    if (r < 90u) return 64u;
    if (r < 95u) return 128u;
    if (r < 98u) return 256u;
    return 512u;
}

/* T4's phases: PHASE_MALLOCS sizes drawn from one narrow band, then the
 * next band; the blocks of earlier phases are freed only by the trace's
 * random frees, so they linger among the new sizes. */
#define PHASE_MALLOCS 2000u
static const uint16_t phase_band[8][2] = {{16, 24},   {40, 64},  {96, 160}, {8, 16},
                                          {200, 320}, {24, 40},  {64, 96},  {320, 512}};
/* T5: the ramp fills the target with blocks of T5_SMALL bytes, every other
 * one is then freed; from there on sizes grow: from [32, 64) doubling every
 * T5_DOUBLE_MALLOCS sizes, up to [2048, 4096). */
#define T5_SMALL 16u
#define T5_DOUBLE_MALLOCS 2000u

static uint32_t draws;      /* sizes drawn in this run */
static uint32_t grow_start; /* T5: draws when the growing sizes began (0: ramping) */

static uint32_t next_size(unsigned trace) {
    uint32_t x = next();
    draws++;
    switch (trace) {
    case 0:
        return 8u + x % 505u;
    case 1:
        return t2_size(x % 100u);
    case 2:
        if (x % 100u < 5u) return 1024u + next() % 3073u;
        return t2_size(x % 100u);
    case T4: {
        const uint16_t *b = phase_band[(draws / PHASE_MALLOCS) % 8u];
        return b[0] + x % (uint32_t)(b[1] - b[0] + 1u);
    }
    default: { /* T5 */
        if (grow_start == 0) return T5_SMALL;
        uint32_t doublings = (draws - grow_start) / T5_DOUBLE_MALLOCS;
        uint32_t g = 32u << (doublings < 6u ? doublings : 6u);
        return g + x % g;
    }
    }
}

/* ---- one run of a trace ---- */
typedef enum {
    RUN_DRY,    /* no allocator: the trace's own figures */
    RUN_TIMED,  /* nominal heap: timing, tags, failures counted */
    RUN_SIZED,  /* the same, every free through free_sized_fn */
    RUN_SEARCH, /* a candidate heap size: stops at the first failure */
} run_mode_t;

typedef struct {
    uint32_t malloc_n, free_n; /* measured successful mallocs, frees */
    uint64_t malloc_sum, free_sum;
    uint32_t malloc_max, free_max;
    /* the same, split at SPLIT bytes (tidepool's small/large boundary) */
    uint32_t split_n[2][2], split_max[2][2]; /* [malloc/free][small/large] */
    uint64_t split_sum[2][2];
    uint32_t small_over;   /* small mallocs above SMALL_SLOW instructions */
    /* pool events (allocators with bench_alloc_t.pools), by kind:
     * small mallocs that started a pool [POOL_NEWPAGE] with a page taken from
     * the large level, [POOL_KEPTPOOL] with a kept empty pool; small frees that
     * emptied a pool, which was [POOL_EMPTY_KEPT] kept or [POOL_EMPTY_RELEASED]
     * handed back */
    uint32_t pool_n[4], pool_max[4];
    uint64_t pool_sum[4];
    uint32_t failed;       /* failed mallocs, whole run */
    uint32_t failed_meas;  /* of which in the measured operations */
    uint32_t peak_live;    /* bytes */
    uint32_t peak_blocks;
    uint32_t steps;        /* steps taken, "do nothing" ones included */
    uint32_t ops;          /* mallocs (failed included) + frees */
    uint32_t errors;       /* tag mismatches, bad pointers, allocator errors */
    int init_failed;
    int completed;         /* whole trace run, no failed malloc */
} run_t;

/* Requests up to this size are "small" in the split figures: tidepool's
 * TP_ALLOC_SMALL_MAX (its pools' threshold), the same for newlib-nano so
 * that the rows compare. */
#define SPLIT TP_ALLOC_SMALL_MAX
/* A small malloc above this many instructions is counted as slow (the
 * bound the small path is held to). */
#define SMALL_SLOW 60u

enum { POOL_NEWPAGE, POOL_KEPTPOOL, POOL_EMPTY_KEPT, POOL_EMPTY_RELEASED };
static const char *const pool_event_key[4] = {"small_malloc_newpage", "small_malloc_keptpool",
                                              "small_free_poolkept", "small_free_poolreleased"};

/* Classifies a small call by the pool counts before and after it. */
static void pool_event(run_t *r, uint32_t in_use0, uint32_t kept0, uint32_t in_use1,
                       uint32_t kept1, uint32_t n) {
    int k;
    if (in_use1 > in_use0)
        k = kept1 < kept0 ? POOL_KEPTPOOL : POOL_NEWPAGE;
    else if (in_use1 < in_use0)
        k = kept1 > kept0 ? POOL_EMPTY_KEPT : POOL_EMPTY_RELEASED;
    else
        return;
    r->pool_n[k]++;
    r->pool_sum[k] += n;
    if (n > r->pool_max[k]) r->pool_max[k] = n;
}

static void account(run_t *r, int op, uint32_t size, uint32_t n) {
    int big = size > SPLIT;
    r->split_n[op][big]++;
    r->split_sum[op][big] += n;
    if (n > r->split_max[op][big]) r->split_max[op][big] = n;
}

static uint16_t live_offset[MAXLIVE]; /* LIVE_UNIT units from bench_buf */
static uint16_t live_size[MAXLIVE];
static uint16_t live_serial[MAXLIVE];
static uint32_t live_count, live_bytes;

static uint32_t overhead; /* bench_timed_call(bench_empty) */

static void *live_block(uint32_t i) { return bench_buf + (uint32_t)live_offset[i] * LIVE_UNIT; }

/* ---- histograms of the timed run ----
 * One bin per instruction count of the measured mallocs and frees of the
 * timed run (RUN_TIMED); calls of HIST_BINS instructions or more share one
 * count.  The bins are .bss of their own, outside bench_buf, so the heaps
 * measured do not change; one pair serves each trace in turn. */
#define HIST_BINS 1024u
typedef struct {
    uint16_t calls[HIST_BINS]; /* [instructions] */
    uint32_t over;             /* calls of HIST_BINS instructions or more */
} hist_t;
enum { HIST_MALLOC, HIST_FREE };
static hist_t hist[2];
_Static_assert(MEASURED_OPS <= UINT16_MAX, "a bin can count every measured operation");

static void hist_add(hist_t *h, uint32_t instructions) {
    if (instructions < HIST_BINS)
        h->calls[instructions]++;
    else
        h->over++;
}

/* Non-zero bins only; the shared bin of the longest calls as `<HIST_BINS>+`. */
static void hist_print(const char *trace, const char *op, const hist_t *h) {
    for (uint32_t n = 0; n < HIST_BINS; n++)
        if (h->calls[n] != 0)
            tp_printf("HIST %s.%s.%s %u %u\n", bench_allocator.key, trace, op, (unsigned)n,
                      (unsigned)h->calls[n]);
    if (h->over != 0)
        tp_printf("HIST %s.%s.%s %u+ %u\n", bench_allocator.key, trace, op, (unsigned)HIST_BINS,
                  (unsigned)h->over);
}

static uint32_t tag_of(uint16_t serial) { return (uint32_t)serial * 0x9E3779B1u ^ 0x5AC3E10Fu; }

static void fill(void *p, uint32_t size, uint32_t tag) {
    uint32_t *w = p;
    uint32_t n = size / 4u;
    for (uint32_t i = 0; i < n; i++) w[i] = tag;
    uint8_t *b = (uint8_t *)p + n * 4u;
    for (uint32_t i = 0; i < size % 4u; i++) b[i] = (uint8_t)(tag >> (8u * i));
}

static int check(const void *p, uint32_t size, uint32_t tag) {
    const uint32_t *w = p;
    uint32_t n = size / 4u;
    for (uint32_t i = 0; i < n; i++)
        if (w[i] != tag) return -1;
    const uint8_t *b = (const uint8_t *)p + n * 4u;
    for (uint32_t i = 0; i < size % 4u; i++)
        if (b[i] != (uint8_t)(tag >> (8u * i))) return -1;
    return 0;
}

static unsigned errors_printed;
static void report_error(const char *trace, const char *what, const void *p, uint32_t size) {
    if (errors_printed++ < 8)
        tp_printf("ERROR %s %s: %s (block %p, %u bytes)\n", bench_allocator.name, trace, what, p,
                  (unsigned)size);
}

typedef struct {
    unsigned trace;
    run_mode_t mode;
    uintptr_t ctx;
    uintptr_t heap_lo, heap_hi;
    int measuring;
    uint16_t serial;
    run_t *r;
} run_state_t;

/* A malloc step.  Returns -1 when a search run must stop. */
static int step_malloc(run_state_t *s) {
    run_t *r = s->r;
    const char *tn = traces[s->trace].name;
    uint32_t size = next_size(s->trace);
    void *p;
    uint32_t t = 0;
    uint32_t in_use0 = 0, kept0 = 0, in_use1 = 0, kept1 = 0;
    int watch_pools = s->measuring && size <= SPLIT && bench_allocator.pools != NULL;
    r->ops++;
    if (s->mode == RUN_DRY) {
        p = bench_buf;
    } else {
        uintptr_t ret;
        if (watch_pools) bench_allocator.pools(&in_use0, &kept0);
        t = bench_timed_call(bench_allocator.malloc_fn, s->ctx, size, &ret);
        if (watch_pools) bench_allocator.pools(&in_use1, &kept1);
        p = (void *)ret;
    }
    if (p == NULL) {
        r->failed++;
        if (s->measuring) r->failed_meas++;
        return s->mode == RUN_SEARCH ? -1 : 0;
    }
    if (s->mode != RUN_DRY) {
        uintptr_t a = (uintptr_t)p;
        if ((a & 7u) != 0 || a < s->heap_lo || a > s->heap_hi || s->heap_hi - a < size) {
            r->errors++;
            report_error(tn, "malloc returned a block outside the heap or misaligned", p, size);
            /* not recorded: it must not be written to or freed */
            return s->mode == RUN_SEARCH ? -1 : 0;
        }
    }
    if (s->measuring) {
        uint32_t n = t - overhead;
        r->malloc_n++;
        r->malloc_sum += n;
        if (n > r->malloc_max) r->malloc_max = n;
        account(r, 0, size, n);
        if (size <= SPLIT && n > SMALL_SLOW) r->small_over++;
        if (watch_pools) pool_event(r, in_use0, kept0, in_use1, kept1, n);
        if (s->mode == RUN_TIMED) hist_add(&hist[HIST_MALLOC], n);
    }
    if (live_count >= MAXLIVE) {
        tp_printf("bench: more than %u live blocks; raise MAXLIVE\n", (unsigned)MAXLIVE);
        tp_console_flush();
        return -1;
    }
    uint16_t serial = s->serial++;
    if (s->mode == RUN_TIMED || s->mode == RUN_SIZED) fill(p, size, tag_of(serial));
    live_offset[live_count] = (uint16_t)(((uintptr_t)p - (uintptr_t)bench_buf) / LIVE_UNIT);
    live_size[live_count] = (uint16_t)size;
    live_serial[live_count] = serial;
    live_count++;
    live_bytes += size;
    if (live_bytes > r->peak_live) r->peak_live = live_bytes;
    if (live_count > r->peak_blocks) r->peak_blocks = live_count;
    return 0;
}

static void step_free(run_state_t *s, uint32_t x) {
    run_t *r = s->r;
    uint32_t i = x % live_count;
    void *p = live_block(i);
    uint32_t size = live_size[i];
    r->ops++;
    if ((s->mode == RUN_TIMED || s->mode == RUN_SIZED) &&
        check(p, size, tag_of(live_serial[i])) != 0) {
        r->errors++;
        report_error(traces[s->trace].name, "tag damaged before free", p, size);
    }
    if (s->mode != RUN_DRY) {
        uintptr_t ignored;
        uint32_t in_use0 = 0, kept0 = 0, in_use1 = 0, kept1 = 0;
        int watch_pools = s->measuring && size <= SPLIT && bench_allocator.pools != NULL;
        if (watch_pools) bench_allocator.pools(&in_use0, &kept0);
        uint32_t t = s->mode == RUN_SIZED
                         ? bench_timed_call3(bench_allocator.free_sized_fn, s->ctx, (uintptr_t)p,
                                             size, &ignored)
                         : bench_timed_call(bench_allocator.free_fn, s->ctx, (uintptr_t)p, &ignored);
        if (watch_pools) bench_allocator.pools(&in_use1, &kept1);
        if (s->measuring) {
            uint32_t n = t - overhead;
            r->free_n++;
            r->free_sum += n;
            if (n > r->free_max) r->free_max = n;
            account(r, 1, size, n);
            if (watch_pools) pool_event(r, in_use0, kept0, in_use1, kept1, n);
            if (s->mode == RUN_TIMED) hist_add(&hist[HIST_FREE], n);
        }
    }
    live_count--;
    live_offset[i] = live_offset[live_count];
    live_size[i] = live_size[live_count];
    live_serial[i] = live_serial[live_count];
    live_bytes -= size;
}

/* One step of the trace.  Returns 1 if it was an operation (malloc or free),
 * 0 for "do nothing", -1 when the run must stop. */
static int step(run_state_t *s) {
    s->r->steps++;
    if (live_bytes < traces[s->trace].target) return step_malloc(s) < 0 ? -1 : 1;
    uint32_t x = next();
    if ((x & 0x80000000u) == 0) return 0;
    step_free(s, x);
    return 1;
}

static void run_trace(unsigned trace, run_mode_t mode, uint32_t heap_size, run_t *r) {
    run_state_t s = {.trace = trace, .mode = mode, .r = r};
    *r = (run_t){0};
    prng = SEED;
    live_count = 0;
    live_bytes = 0;
    draws = 0;
    grow_start = 0;
    if (mode == RUN_TIMED) memset(hist, 0, sizeof hist);
    if (mode != RUN_DRY) {
        if (bench_allocator.init(heap_size, &s.ctx) != 0) {
            r->init_failed = 1;
            return;
        }
        s.heap_lo = (uintptr_t)bench_heap;
        s.heap_hi = (uintptr_t)bench_heap + heap_size;
    }
    /* ramp up to the target */
    uint32_t ramp = 0;
    while (live_bytes < traces[trace].target) {
        r->steps++;
        if (step_malloc(&s) < 0 || ++ramp >= RAMP_MAX_MALLOCS) return;
    }
    if (trace == T5) {
        /* every other block of the ramp freed (they are in allocation
         * order; freeing from the end moves only blocks already passed) */
        for (uint32_t i = live_count; i-- > 0;)
            if (i & 1u) {
                r->steps++;
                step_free(&s, i);
            }
        grow_start = draws;
    }
    /* warm-up, then the measured operations */
    for (int phase = 0; phase < 2; phase++) {
        uint32_t want = phase == 0 ? WARMUP_STEPS : MEASURED_OPS;
        s.measuring = phase == 1 && (mode == RUN_TIMED || mode == RUN_SIZED);
        for (uint32_t done = 0; done < want;) {
            int k = step(&s);
            if (k < 0) return;
            done += (uint32_t)k;
        }
    }
    /* the blocks still live must still hold their tags */
    if (mode == RUN_TIMED || mode == RUN_SIZED)
        for (uint32_t i = 0; i < live_count; i++)
            if (check(live_block(i), live_size[i], tag_of(live_serial[i])) != 0) {
                r->errors++;
                report_error(traces[trace].name, "tag damaged at the end of the run", live_block(i),
                             live_size[i]);
            }
    if (mode != RUN_DRY && bench_allocator.errors != NULL) r->errors += bench_allocator.errors();
    r->completed = r->failed == 0;
}

/* ---- printing ---- */
static const char *key(void) { return bench_allocator.key; }

/* mean with one decimal, into buf[24] */
static void fmt_mean(char *buf, uint64_t sum, uint32_t n) {
    uint64_t t = n ? (sum * 10u + n / 2u) / n : 0;
    tp_snprintf(buf, 24, "%lu.%lu", (unsigned long)(t / 10u), (unsigned long)(t % 10u));
}

/* x / y with two decimals, rounded, into buf[24] */
static void ratio2(char *buf, uint32_t x, uint32_t y) {
    uint64_t t = y ? ((uint64_t)x * 100u + y / 2u) / y : 0;
    tp_snprintf(buf, 24, "%lu.%02lu", (unsigned long)(t / 100u), (unsigned long)(t % 100u));
}

/* ---- calibration: the overhead to subtract, and the counter itself ---- */
static int calibrate(void) {
    uintptr_t ret;
    uint32_t lo = 0xFFFFFFFFu, hi = 0;
    for (int i = 0; i < 64; i++) {
        uint32_t t = bench_timed_call(bench_empty, 0, 0, &ret);
        if (t < lo) lo = t;
        if (t > hi) hi = t;
    }
    overhead = lo;
    uint32_t nop = bench_timed_call(bench_nop100, 0, 0, &ret) - overhead;
    tp_printf("# timer: empty timed call = %u counts (min %u, max %u over 64); 100 NOPs = %u\n",
              (unsigned)overhead, (unsigned)lo, (unsigned)hi, (unsigned)nop);
    if (lo != hi || nop != 100u) {
        tp_printf("# WARNING: TIM2 does not count one per instruction here (needs QEMU "
                  "-icount shift=0 on netduinoplus2): the instruction figures are not valid\n");
        return -1;
    }
    return 0;
}

/* ---- bytes one 16-byte allocation costs ---- */
#define N16 1000u
static void bytes_for_16(void) {
    uintptr_t ctx, ret;
    if (bench_allocator.init(48u * 1024u, &ctx) != 0) {
        tp_printf("ERROR %s: cannot make a 48 KiB heap\n", bench_allocator.name);
        return;
    }
    size_t before = bench_allocator.free_space();
    uint32_t got = 0;
    for (uint32_t i = 0; i < N16; i++) {
        (void)bench_timed_call(bench_allocator.malloc_fn, ctx, 16u, &ret);
        if (ret != 0) got++;
    }
    size_t after = bench_allocator.free_space();
    char b[24];
    ratio2(b, (uint32_t)(before - after), got);
    tp_printf("# %s: %u x malloc(16) on a fresh 48 KiB heap: free space %u -> %u bytes, "
              "%s bytes per block\n",
              bench_allocator.name, (unsigned)got, (unsigned)before, (unsigned)after, b);
    /* cross-check, everything included: how many 16-byte blocks fit in 48 KiB */
    (void)bench_allocator.init(48u * 1024u, &ctx);
    uint32_t fit = 0;
    for (;;) {
        (void)bench_timed_call(bench_allocator.malloc_fn, ctx, 16u, &ret);
        if (ret == 0) break;
        fit++;
    }
    char c[24];
    ratio2(c, 48u * 1024u, fit);
    tp_printf("# %s: a 48 KiB heap holds %u blocks of 16 bytes: %s bytes per block, "
              "metadata included\n",
              bench_allocator.name, (unsigned)fit, c);
    tp_printf("BENCH %s.bytes_for_16 %s\n", key(), b);
    tp_printf("BENCH %s.blocks16_in_48k %u\n", key(), (unsigned)fit);
}

/* The smallest heap size from `from` upwards (256-byte steps) that runs
 * trace t to the end at the current placement; 0 if none fits the buffer. */
static uint32_t search_up(unsigned t, uint32_t from, uint32_t peak, uint32_t *tries) {
    run_t search;
    for (uint32_t sz = from; (uint32_t)(bench_heap - bench_buf) + sz <= BENCH_BUF_SIZE; sz += 256u) {
        (*tries)++;
        run_trace(t, RUN_SEARCH, sz, &search);
        if (!search.completed) continue;
        if (search.peak_live != peak)
            tp_printf("ERROR %s %s: peak live %u differs from the dry run's %u\n",
                      bench_allocator.name, traces[t].name, (unsigned)search.peak_live,
                      (unsigned)peak);
        if (bench_allocator.high_water != NULL)
            tp_printf("# %s %s: the completing run at %u bytes (heap at +%u) used %u of them "
                      "(its high-water mark)\n",
                      bench_allocator.name, traces[t].name, (unsigned)sz,
                      (unsigned)(bench_heap - bench_buf), (unsigned)bench_allocator.high_water());
        return sz;
    }
    return 0;
}

/* ---- the worst case hunt ----
 * Heap states built to make one call as long as the allocator can make it,
 * each at every placement and for several sizes; the longest call of each
 * kind is printed as BENCH <a>.wcet.<scenario> and the longest malloc and
 * free over all of them as <a>.wcet.malloc / <a>.wcet.free:
 *   split      a malloc cut from the one big free block of a fresh heap
 *   fragmented a malloc of a size class not used yet (for tidepool: a pool
 *              started on a new page) while the free space is cut into
 *              many blocks of 520-1500 bytes between blocks in use
 *   coalesce   a free between two free neighbours
 *   poolreturn frees of many blocks of one small size (for tidepool: pools
 *              empty, are kept, then handed back to the large level and
 *              coalesced)
 *   fail       a malloc that cannot be served, the heap full */
enum { W_SPLIT, W_FRAGMENTED, W_COALESCE, W_POOLRETURN, W_FAIL, W_COUNT };
static const char *const wcet_name[W_COUNT] = {"split", "fragmented", "coalesce", "poolreturn",
                                               "fail"};
static uint32_t wcet_max[W_COUNT];

static void *w_malloc(uintptr_t ctx, uint32_t size, int scenario) {
    uintptr_t ret;
    uint32_t n = bench_timed_call(bench_allocator.malloc_fn, ctx, size, &ret) - overhead;
    if (scenario >= 0 && n > wcet_max[scenario]) wcet_max[scenario] = n;
    return (void *)ret;
}
static void w_free(uintptr_t ctx, void *p, int scenario) {
    uintptr_t ret;
    if (p == NULL) return;
    uint32_t n = bench_timed_call(bench_allocator.free_fn, ctx, (uintptr_t)p, &ret) - overhead;
    if (scenario >= 0 && n > wcet_max[scenario]) wcet_max[scenario] = n;
}

#define W_HEAP (32u * 1024u)
#define W_SLOTS 48u
#define W_MANY 200u
/* The hunt's blocks are kept in the traces' live_offset table (unused by
 * now; no RAM of its own): [0, W_SLOTS) blk, then sep, then many. */
#define W_BLK 0u
#define W_SEP W_SLOTS
#define W_MANY0 (2u * W_SLOTS)
_Static_assert(W_MANY0 + W_MANY <= MAXLIVE, "the hunt's blocks fit the live table");
static void w_put(uint32_t i, void *p) {
    live_offset[i] = p == NULL ? UINT16_MAX
                               : (uint16_t)(((uintptr_t)p - (uintptr_t)bench_buf) / LIVE_UNIT);
}
static void *w_get(uint32_t i) {
    return live_offset[i] == UINT16_MAX ? NULL : bench_buf + (uint32_t)live_offset[i] * LIVE_UNIT;
}
static void wcet_hunt(void) {
    uintptr_t ctx;
    for (unsigned k = 0; k < NPLACES; k++) {
        set_place(k);
        for (uint32_t size = 40; size <= 4096; size = size * 3u / 2u) {
            /* split */
            if (bench_allocator.init(W_HEAP, &ctx) != 0) continue;
            w_free(ctx, w_malloc(ctx, size, W_SPLIT), -1);
            /* coalesce: a b c d, a and c freed, then b */
            (void)bench_allocator.init(W_HEAP, &ctx);
            void *a = w_malloc(ctx, size, -1), *b = w_malloc(ctx, size, -1);
            void *c = w_malloc(ctx, size, -1), *d = w_malloc(ctx, size, -1);
            w_free(ctx, a, -1);
            w_free(ctx, c, -1);
            w_free(ctx, b, W_COALESCE);
            w_free(ctx, d, W_COALESCE);
        }
        /* fragmented, then the last block of a class freed, then a failure */
        for (uint32_t small = 8; small <= 32; small += 8) {
            (void)bench_allocator.init(W_HEAP, &ctx);
            for (unsigned i = 0; i < W_SLOTS; i++) {
                w_put(W_BLK + i, w_malloc(ctx, 520u + (i * 40u) % 1000u, -1));
                w_put(W_SEP + i, w_malloc(ctx, 40, -1));
            }
            for (unsigned i = 0; i < W_SLOTS; i++) w_free(ctx, w_get(W_BLK + i), -1);
            void *s = w_malloc(ctx, small, W_FRAGMENTED);
            w_free(ctx, s, -1);
            /* several pools' worth of one size, freed */
            unsigned got = 0;
            for (void *q; got < W_MANY && (q = w_malloc(ctx, small, -1)) != NULL; got++)
                w_put(W_MANY0 + got, q);
            for (unsigned i = 0; i < got; i++) w_free(ctx, w_get(W_MANY0 + i), W_POOLRETURN);
            /* fill what is left, then one that cannot fit */
            unsigned n = 0;
            for (void *q; n < W_SLOTS && (q = w_malloc(ctx, 1024, -1)) != NULL; n++) w_put(W_BLK + n, q);
            (void)w_malloc(ctx, 2048, W_FAIL);
            for (unsigned i = 0; i < n; i++) w_free(ctx, w_get(W_BLK + i), -1);
            for (unsigned i = 0; i < W_SLOTS; i++) w_free(ctx, w_get(W_SEP + i), -1);
        }
    }
    set_place(0);
    uint32_t m = 0, f = 0;
    for (unsigned w = 0; w < W_COUNT; w++) {
        tp_printf("BENCH %s.wcet.%s %u\n", key(), wcet_name[w], (unsigned)wcet_max[w]);
        if (w == W_COALESCE || w == W_POOLRETURN) {
            if (wcet_max[w] > f) f = wcet_max[w];
        } else if (wcet_max[w] > m) {
            m = wcet_max[w];
        }
    }
    tp_printf("BENCH %s.wcet.malloc %u\n", key(), (unsigned)m);
    tp_printf("BENCH %s.wcet.free %u\n", key(), (unsigned)f);
}

int main(void) {
    tim2_start();
    tp_printf("# allocator benchmark: %s (netduinoplus2, TIM2 = guest instructions)\n",
              bench_allocator.name);
    int timer_ok = calibrate();
    tp_printf("BENCH %s.timer_overhead %u\n", key(), (unsigned)overhead);
    if (timer_ok != 0) tp_printf("BENCH %s.timer_ok 0\n", key());

    run_t res[NTRACES], sized[NTRACES];
    uint32_t minheap[NTRACES], peak[NTRACES], minheap_p0[NTRACES], larger_failed[NTRACES];
    unsigned place_worst[NTRACES];
    for (unsigned t = 0; t < NTRACES; t++) {
        const trace_t *tr = &traces[t];
        run_t dry, search;
        if (!((BENCH_TRACES >> t) & 1u)) { /* left out: nothing measured, nothing printed */
            res[t] = (run_t){0};
            minheap[t] = 0;
            continue;
        }
        run_trace(t, RUN_DRY, 0, &dry);
        peak[t] = dry.peak_live;
        errors_printed = 0;
        run_trace(t, RUN_TIMED, tr->heap, &res[t]);
        hist_print(tr->name, "malloc", &hist[HIST_MALLOC]);
        hist_print(tr->name, "free", &hist[HIST_FREE]);
        if (!res[t].init_failed && bench_allocator.after_run != NULL)
            bench_allocator.after_run(tr->name);
        if (bench_allocator.free_sized_fn != NULL) run_trace(t, RUN_SIZED, tr->heap, &sized[t]);
        if (res[t].init_failed) tp_printf("ERROR %s %s: init failed\n", bench_allocator.name, tr->name);
        /* fragmentation search: the worst of the placements */
        uint32_t tries = 0;
        minheap[t] = 0;
        place_worst[t] = 0;
        minheap_p0[t] = 0;
        int none = 0;
        for (unsigned k = 0; k < NPLACES && !none; k++) {
            set_place(k);
            uint32_t from = (peak[t] + 255u) & ~255u;
            if (k > 0) {
                if (place_offset[k] + minheap[t] > BENCH_BUF_SIZE) continue; /* no room to try */
                /* a placement that completes at the worst so far cannot be worse */
                tries++;
                run_trace(t, RUN_SEARCH, minheap[t], &search);
                if (search.completed) continue;
                from = minheap[t] + 256u;
            }
            uint32_t m = search_up(t, from, peak[t], &tries);
            if (m == 0) {
                none = 1;
                minheap[t] = 0;
                break;
            }
            if (k == 0) minheap_p0[t] = m;
            if (m > minheap[t]) {
                minheap[t] = m;
                place_worst[t] = k;
            }
        }
        /* larger heaps must complete too */
        larger_failed[t] = 0;
        for (unsigned i = 0; !none && i < sizeof larger_places; i++) {
            unsigned k = larger_places[i];
            set_place(k);
            uint32_t base = k == 0 ? minheap_p0[t] : minheap[t];
            for (uint32_t j = 1; j <= LARGER_STEPS; j++) {
                uint32_t sz = base + 256u * j;
                if (place_offset[k] + sz > BENCH_BUF_SIZE) break;
                tries++;
                run_trace(t, RUN_SEARCH, sz, &search);
                if (!search.completed) {
                    larger_failed[t]++;
                    tp_printf("# %s %s: fails at %u bytes (heap at +%u), above a completing "
                              "size\n",
                              bench_allocator.name, tr->name, (unsigned)sz,
                              (unsigned)place_offset[k]);
                }
            }
        }
        set_place(0);
        tp_printf("# %s %s: %u steps, %u operations, peak %u live bytes in %u blocks; "
                  "smallest heap %u at +0, %u at worst (+%u), over %u placements; "
                  "%u runs of the search\n",
                  bench_allocator.name, tr->name, (unsigned)dry.steps, (unsigned)dry.ops,
                  (unsigned)peak[t], (unsigned)dry.peak_blocks, (unsigned)minheap_p0[t],
                  (unsigned)minheap[t], (unsigned)place_offset[place_worst[t]],
                  (unsigned)NPLACES, (unsigned)tries);
    }

    /* the table */
    tp_printf("\n%s: instructions per call (measured operations), heap sizes in bytes\n",
              bench_allocator.name);
    tp_printf("trace  heap   malloc mean   max   free mean   max  failed  errors  peak live"
              "  min heap  frag\n");
    for (unsigned t = 0; t < NTRACES; t++) {
        if (!((BENCH_TRACES >> t) & 1u)) continue;
        const run_t *r = &res[t];
        char mm[24], fm[24], fr[24] = "none";
        fmt_mean(mm, r->malloc_sum, r->malloc_n);
        fmt_mean(fm, r->free_sum, r->free_n);
        if (minheap[t]) ratio2(fr, minheap[t], peak[t]);
        tp_printf("%-5s %6u %12s %6u %11s %5u %7u %7u %10u %9u  %s\n", traces[t].name,
                  (unsigned)traces[t].heap, mm, (unsigned)r->malloc_max, fm,
                  (unsigned)r->free_max, (unsigned)r->failed, (unsigned)r->errors,
                  (unsigned)peak[t], (unsigned)minheap[t], fr);
    }
    for (unsigned t = 0; t < NTRACES; t++) {
        if (!((BENCH_TRACES >> t) & 1u)) continue;
        const run_t *r = &res[t];
        char m[2][2][24];
        for (int op = 0; op < 2; op++)
            for (int big = 0; big < 2; big++)
                fmt_mean(m[op][big], r->split_sum[op][big], r->split_n[op][big]);
        tp_printf("%-5s by path: small (<=%u B) malloc %s/%u (%u calls, %u over %u), "
                  "free %s/%u (%u); large malloc %s/%u (%u), free %s/%u (%u)\n",
                  traces[t].name, (unsigned)SPLIT, m[0][0], (unsigned)r->split_max[0][0],
                  (unsigned)r->split_n[0][0], (unsigned)r->small_over, (unsigned)SMALL_SLOW,
                  m[1][0], (unsigned)r->split_max[1][0], (unsigned)r->split_n[1][0], m[0][1],
                  (unsigned)r->split_max[0][1], (unsigned)r->split_n[0][1], m[1][1],
                  (unsigned)r->split_max[1][1], (unsigned)r->split_n[1][1]);
        if (bench_allocator.pools != NULL) {
            char pm[4][24];
            for (int k = 0; k < 4; k++) fmt_mean(pm[k], r->pool_sum[k], r->pool_n[k]);
            tp_printf("%-5s small mallocs that started a pool: %u with a page from the large "
                      "level (%s/%u), %u with a kept empty pool (%s/%u)\n",
                      traces[t].name, (unsigned)r->pool_n[POOL_NEWPAGE], pm[POOL_NEWPAGE],
                      (unsigned)r->pool_max[POOL_NEWPAGE], (unsigned)r->pool_n[POOL_KEPTPOOL],
                      pm[POOL_KEPTPOOL], (unsigned)r->pool_max[POOL_KEPTPOOL]);
            if (bench_allocator.free_sized_fn != NULL) {
                const run_t *z = &sized[t];
                char fz[3][24];
                fmt_mean(fz[0], z->free_sum, z->free_n);
                fmt_mean(fz[1], z->split_sum[1][0], z->split_n[1][0]);
                fmt_mean(fz[2], z->split_sum[1][1], z->split_n[1][1]);
                tp_printf("%-5s the same run freeing through free_sized: %s/%u (small %s/%u, "
                          "large %s/%u), %u errors\n",
                          traces[t].name, fz[0], (unsigned)z->free_max, fz[1],
                          (unsigned)z->split_max[1][0], fz[2], (unsigned)z->split_max[1][1],
                          (unsigned)z->errors);
            }
            tp_printf("%-5s small frees that emptied a pool: %u kept it (%s/%u), %u handed it "
                      "back to the large level (%s/%u)\n",
                      traces[t].name, (unsigned)r->pool_n[POOL_EMPTY_KEPT], pm[POOL_EMPTY_KEPT],
                      (unsigned)r->pool_max[POOL_EMPTY_KEPT],
                      (unsigned)r->pool_n[POOL_EMPTY_RELEASED], pm[POOL_EMPTY_RELEASED],
                      (unsigned)r->pool_max[POOL_EMPTY_RELEASED]);
        }
    }
    tp_printf("\n");
    for (unsigned t = 0; t < NTRACES; t++) {
        if (!((BENCH_TRACES >> t) & 1u)) continue;
        const run_t *r = &res[t];
        const char *tn = traces[t].name;
        char mm[24], fm[24];
        fmt_mean(mm, r->malloc_sum, r->malloc_n);
        fmt_mean(fm, r->free_sum, r->free_n);
        tp_printf("BENCH %s.%s.malloc_mean %s\n", key(), tn, mm);
        tp_printf("BENCH %s.%s.malloc_max %u\n", key(), tn, (unsigned)r->malloc_max);
        tp_printf("BENCH %s.%s.free_mean %s\n", key(), tn, fm);
        tp_printf("BENCH %s.%s.free_max %u\n", key(), tn, (unsigned)r->free_max);
        if (minheap[t]) {
            char fr[24];
            ratio2(fr, minheap[t], peak[t]);
            tp_printf("BENCH %s.%s.frag %s\n", key(), tn, fr);
        } else {
            tp_printf("BENCH %s.%s.frag none\n", key(), tn);
        }
        tp_printf("BENCH %s.%s.failed %u\n", key(), tn, (unsigned)r->failed);
        tp_printf("BENCH %s.%s.heap %u\n", key(), tn, (unsigned)traces[t].heap);
        tp_printf("BENCH %s.%s.failed_measured %u\n", key(), tn, (unsigned)r->failed_meas);
        tp_printf("BENCH %s.%s.peak_live %u\n", key(), tn, (unsigned)peak[t]);
        tp_printf("BENCH %s.%s.min_heap %u\n", key(), tn, (unsigned)minheap[t]);
        if (minheap_p0[t]) {
            char f0[24];
            ratio2(f0, minheap_p0[t], peak[t]);
            tp_printf("BENCH %s.%s.frag_at0 %s\n", key(), tn, f0);
        }
        tp_printf("BENCH %s.%s.larger_heap_failures %u\n", key(), tn, (unsigned)larger_failed[t]);
        tp_printf("BENCH %s.%s.mallocs %u\n", key(), tn, (unsigned)r->malloc_n);
        tp_printf("BENCH %s.%s.frees %u\n", key(), tn, (unsigned)r->free_n);
        tp_printf("BENCH %s.%s.errors %u\n", key(), tn, (unsigned)r->errors);
        static const char *const op_name[2] = {"malloc", "free"};
        static const char *const path_name[2] = {"small", "large"};
        for (int big = 0; big < 2; big++)
            for (int op = 0; op < 2; op++) {
                char pm[24];
                fmt_mean(pm, r->split_sum[op][big], r->split_n[op][big]);
                tp_printf("BENCH %s.%s.%s_%s_mean %s\n", key(), tn, path_name[big], op_name[op], pm);
                tp_printf("BENCH %s.%s.%s_%s_max %u\n", key(), tn, path_name[big], op_name[op],
                          (unsigned)r->split_max[op][big]);
                tp_printf("BENCH %s.%s.%s_%ss %u\n", key(), tn, path_name[big], op_name[op],
                          (unsigned)r->split_n[op][big]);
            }
        tp_printf("BENCH %s.%s.small_malloc_over%u %u\n", key(), tn, (unsigned)SMALL_SLOW,
                  (unsigned)r->small_over);
        if (bench_allocator.free_sized_fn != NULL) {
            const run_t *z = &sized[t];
            char fz[24];
            fmt_mean(fz, z->free_sum, z->free_n);
            tp_printf("BENCH %s.%s.free_sized_mean %s\n", key(), tn, fz);
            tp_printf("BENCH %s.%s.free_sized_max %u\n", key(), tn, (unsigned)z->free_max);
            for (int big = 0; big < 2; big++) {
                fmt_mean(fz, z->split_sum[1][big], z->split_n[1][big]);
                tp_printf("BENCH %s.%s.%s_free_sized_mean %s\n", key(), tn,
                          big ? "large" : "small", fz);
                tp_printf("BENCH %s.%s.%s_free_sized_max %u\n", key(), tn,
                          big ? "large" : "small", (unsigned)z->split_max[1][big]);
            }
            tp_printf("BENCH %s.%s.free_sized_errors %u\n", key(), tn, (unsigned)z->errors);
        }
        if (bench_allocator.pools != NULL) {
            for (int k = 0; k < 4; k++) {
                char pm[24];
                fmt_mean(pm, r->pool_sum[k], r->pool_n[k]);
                tp_printf("BENCH %s.%s.%s %u\n", key(), tn, pool_event_key[k],
                          (unsigned)r->pool_n[k]);
                tp_printf("BENCH %s.%s.%s_mean %s\n", key(), tn, pool_event_key[k], pm);
                tp_printf("BENCH %s.%s.%s_max %u\n", key(), tn, pool_event_key[k],
                          (unsigned)r->pool_max[k]);
            }
        }
    }
    bytes_for_16();
    wcet_hunt();
    if (bench_allocator.report != NULL) bench_allocator.report();
    tp_printf("# %s: done, %lu guest instructions since the timer started\n", bench_allocator.name,
              (unsigned long)TIM2_CNT);
    return 0;
}
